// An instrumented callee inlined into an instrumented caller brings its
// test of __lineprof_off along: a load and a branch to a call of its plain
// copy. A profiled body only runs with profiling on, so at the end of the
// pipeline (lineprof-split) the profiled body loses these tests; the
// function's own test, before its two tail calls, stays. Here the call of
// ext() between the tests keeps the optimizer from folding them itself.
// RUN: env LINEPROF_MODE=counts %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o %t.counts.ll
// RUN: FileCheck %s < %t.counts.ll
// RUN: env LINEPROF_MODE=time %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o %t.time.ll
// RUN: FileCheck %s < %t.time.ll
void ext(int);
int sq(int x) { return x * x; }
int outer(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) {
    ext(i);
    s += sq(i);
  }
  return s;
}

// CHECK-LABEL: define {{.*}} @outer(
// CHECK: load i8, {{.*}}@__lineprof_off
// CHECK: musttail call {{.*}} @outer.lp.plain(
// CHECK: musttail call {{.*}} @outer.lp.prof(
// CHECK: define {{.*}} @outer.lp.prof(
// CHECK-NOT: __lineprof_off
// CHECK-NOT: @sq.lp.plain
// CHECK: {{^}}}

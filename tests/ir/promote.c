// After optimization, counters of loops without calls live in registers:
// loaded before the loop, stored at its exits, even for blocks that do not
// run on every iteration (which LICM leaves alone). A loop with a call
// keeps counting in memory. At -O0 (optnone) every counter stays in memory:
// a promoted one is a value the fast register allocator keeps in a stack
// slot anyway, so promotion only added code (2.4% of sqlite3.c's).
// RUN: %clang -g -O2 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes='default<O2>' -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.O0.ll
// RUN: %opt -load-pass-plugin=%plugin -passes='default<O0>' -S %t.O0.ll | FileCheck --check-prefix=O0 %s

int positive_sum(const int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    if (a[i] > 0)
      s += a[i];
  return s;
}

void visit(int);
void visit_all(const int *a, int n) {
  for (int i = 0; i < n; i++)
    visit(a[i]);
}

// The functions themselves are the LINEPROF=0 test and two tail calls
// (plain-copy.c); their instrumented bodies follow the plain copies.
// CHECK-LABEL: define {{.*}} @positive_sum(
// CHECK: musttail call {{.*}}@positive_sum.lp.prof(
// CHECK-LABEL: define {{.*}} @visit_all(
// CHECK: musttail call {{.*}}@visit_all.lp.prof(

// The plain copies (LINEPROF=0) are optimized like uninstrumented code.
// CHECK-LABEL: define internal {{.*}} @positive_sum.lp.plain(
// CHECK-NOT: lineprof
// CHECK: ret i32
// CHECK-LABEL: define internal {{.*}} @visit_all.lp.plain(
// CHECK-NOT: lineprof
// CHECK: ret void

// CHECK-LABEL: define internal {{.*}} @positive_sum.lp.prof(
// The get_buffer call was inlined: no call is left.
// CHECK-NOT: call {{.*}}@__lineprof_get_buffer
// Loaded before the loop, carried around it in phis, stored after it.
// CHECK: %lp.counter{{[0-9]*}} = load i64, {{.*}}!lineprof.counter
// CHECK: = phi i64 [ %lp.counter{{[0-9]*}}, %{{[0-9a-z._]+}} ], [ %lp.counter{{[0-9]*}}, %{{[0-9a-z._]+}} ]
// CHECK: store i64 %lp.counter{{[0-9]*}}, {{.*}}!lineprof.counter

// CHECK-LABEL: define internal {{.*}} @visit_all.lp.prof(
// CHECK-NOT: lp.counter
// CHECK: call void @visit(

// O0-LABEL: define internal {{.*}} @positive_sum.lp.prof(
// O0-NOT: call {{.*}}@__lineprof_get_buffer
// O0-NOT: lp.counter
// O0: ret i32

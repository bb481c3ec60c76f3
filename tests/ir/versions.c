// In the time mode each gate's blocks (a loop's body, the function's code
// outside its loops) come in two copies: the gate's decision picks the
// timed one, with a probe at every boundary and no test, or the untimed
// one, with the counters only. A small if/else arm in a loop is counted at
// its branch, as in the counts mode, so that the untimed copy is free to
// become a select (bench/workloads/intloop.c: 2.3x -> 1.2x the plain time).
// RUN: %clang -g -O0 -Xclang -disable-O0-optnone -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s
// At -O0 too (optnone), where each test before a probe was a reload, a
// branch and stack copies of the timestamp on every boundary.
// RUN: %clang -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck --check-prefix=O0 %s

unsigned steps(unsigned long x, int n) {
  unsigned s = 0;
  for (int i = 0; i < n; i++) {
    while (x != 1) {
      if (x & 1)
        x = 3 * x + 1;
      else
        x >>= 1;
      s++;
    }
    s += i;
  }
  return s;
}

// CHECK-LABEL: define {{.*}} @steps(
// The function's gate picks the copy of the code outside the loops.
// CHECK: br i1 %lp.timed, label %[[CODE:[.a-z0-9]+]], label %[[CODE]].lp.untimed, !prof
// The for loop's gate, at its header, picks the copy of its body.
// CHECK: br i1 %[[FOR:lp.timed[0-9]+]], label %[[BODY:[.a-z0-9]+]], label %[[BODY]].lp.untimed, !prof
// The while loop's gate, the same for the while's body.
// CHECK: br i1 %[[WHILE:lp.timed[0-9]+]], label %[[INNER:[.a-z0-9]+]], label %[[INNER]].lp.untimed, !prof
// Its exit goes back to the for loop's body: the for loop's decision picks
// the copy there.
// CHECK: br i1 {{%[0-9]+}}, label %{{[0-9]+}}, label %[[PICK:[.a-z0-9]+]]
// The arms of the if are counted at its branch: the condition, added.
// CHECK: %lp.edge = getelementptr inbounds i64, {{.*}}
// CHECK-NEXT: zext i1
// CHECK-NEXT: load i64, {{.*}} %lp.edge,
// CHECK: %lp.edge{{[0-9]+}} = getelementptr inbounds i64, {{.*}}
// CHECK-NEXT: zext i1
// CHECK: call preserve_mostcc double @__lineprof_close_bounded(
// The first block of an untimed copy; none has a probe.
// CHECK: {{^}}[[CODE]].lp.untimed:
// CHECK-NOT: @__lineprof_{{start|close(_bounded)?|calibrate}}(
// CHECK: {{^}}[[PICK]]:
// CHECK-NEXT: br i1 %[[FOR]], label %{{[0-9]+}}, label %{{[0-9]+}}, !prof
// CHECK-NOT: @__lineprof_{{start|close(_bounded)?|calibrate}}(
// CHECK: {{^}}}

// O2-LABEL: define internal {{.*}} @steps.lp.prof(
// O2: [[HALF:%[0-9]+]] = lshr {{(exact )?}}i64 {{%[0-9]+}}, 1{{$|,}}
// O2: select i1 {{%[0-9]+}}, i64 [[HALF]], i64 {{%[0-9]+}}

// The while loop's body, `3 * x + 1` and `x >>= 1`, once in each copy.
// O0-LABEL: define {{.*}} @steps.lp.prof(
// O0: mul i64 3,
// O0: lshr i64 {{%[0-9]+}}, 1,
// O0: mul i64 3,
// O0: lshr i64 {{%[0-9]+}}, 1,
// O0: {{^}}}

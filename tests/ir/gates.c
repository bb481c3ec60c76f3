// Gates sit only at the function's entry and at loop headers; every other
// block reuses the decision of the innermost loop around it (or of the
// entry), so a loop iteration is timed as a whole, or not at all.
// RUN: %clang -g -O0 -Xclang -disable-O0-optnone -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=GATE %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll

int count_big(const int *a, int n) {
  int big = 0;
  for (int i = 0; i < n; i++) {
    if (a[i] > 100)
      big++;
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++)
      big += a[j] > a[i];
  return big;
}

// One gate for the entry and one per loop header: 4 in all, each with its
// own two words (countdown, weight) after the hit counters, and counted in
// the module's table (n_gates, the 8th field).
// CHECK: @__lineprof_module = internal constant {{.*}} { i32 7, i32 3, i32 {{[0-9]+}}, i32 {{[0-9]+}}, i32 1, i32 1, i32 {{[0-9]+}}, i32 4,
// CHECK-LABEL: define {{.*}} @count_big(
// CHECK-COUNT-4: %lp.timed{{[0-9]*}} = icmp slt i64
// CHECK-NOT: %lp.timed{{[0-9]*}} = icmp
// CHECK: ret i32
// GATE-LABEL: define {{.*}} @count_big(
// GATE: call preserve_mostcc double @__lineprof_gate(i64 [[G1:[0-9]+]],
// GATE: call preserve_mostcc double @__lineprof_gate(i64 [[G2:[0-9]+]],
// GATE-NOT: call preserve_mostcc double @__lineprof_gate(i64 [[G1]],
// GATE: call preserve_mostcc double @__lineprof_gate(i64 [[G3:[0-9]+]],
// GATE: call preserve_mostcc double @__lineprof_gate(i64 [[G4:[0-9]+]],
// GATE-NOT: @__lineprof_gate(
// GATE: ret i32

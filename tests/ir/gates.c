// Gates sit only at the function's entry and at loop headers; every other
// block reuses the decision of the innermost loop around it (or of the
// entry), so a loop iteration is timed as a whole, or not at all.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
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

// One gate for the entry and one per loop header: 4 in all.
// CHECK-LABEL: define {{.*}} @count_big(
// CHECK-COUNT-4: mul i64 %{{[0-9]+}}, -7046029254386353131
// CHECK-NOT: mul i64 %{{[0-9]+}}, -7046029254386353131
// CHECK: ret i32

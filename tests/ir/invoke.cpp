// An invoke is a call segment that closes on its normal edge; the unwind
// edge starts a new chain in the landing pad. The result verifies.
// RUN: %clangxx -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=NAME %s < %t.out.ll

struct Guard { ~Guard(); };
int may_throw(int);

int guarded(int x) {
  Guard g;
  return may_throw(x);
}

// CHECK-LABEL: define {{.*}} @_Z7guardedi(
// CHECK: @__lineprof_start(
// CHECK: invoke {{.*}} @_Z9may_throwi(
// CHECK-NEXT: to label %[[EDGE:[0-9a-z.]+]] unwind
// CHECK: [[EDGE]]:
// CHECK-NEXT: br i1 %lp.timed
// CHECK: landingpad
// Names are demangled for display; the symbol is kept beside them.
// NAME-DAG: c"guarded(int)\00"
// NAME-DAG: c"_Z7guardedi\00"

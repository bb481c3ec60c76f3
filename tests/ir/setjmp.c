// setjmp returns twice: the segment before it closes, and a fresh timestamp
// follows it, so time spent before a longjmp is never charged to a line.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll | FileCheck %s
#include <setjmp.h>
static jmp_buf env;
int f(void) {
  if (setjmp(env))
    return 1;
  return 0;
}
// CHECK-LABEL: define {{.*}} @f(
// CHECK: @__lineprof_start(
// CHECK: call i32 @_setjmp(
// CHECK-NEXT: br i1 %lp.timed
// The chain restarts: the next timestamp value is a fresh one or 0, never
// the one from before the call.
// CHECK-NOT: phi
// CHECK: phi i64 [ %lp.t{{[0-9]*}}, %{{[0-9]+}} ], [ 0, %{{[0-9]+}} ]

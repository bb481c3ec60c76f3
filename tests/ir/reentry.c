// Recursion bookkeeping (the active frame, the primitive-call count) is
// left out of functions that cannot be re-entered while active: those whose
// calls all go to intrinsics, C library functions without callbacks, or
// functions of the module for which the same holds, with no cycle back.
// The function table flags them (LP_FN_NO_REENTRY, 1); the runtime takes
// their calls as their primitive calls.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: env LINEPROF_MODE=counts %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.counts.ll
// RUN: FileCheck %s < %t.counts.ll
#include <stdlib.h>
#include <string.h>

int external(int);

int leaf(int n) { return n * 3; }
int calls_leaf(int n) { return leaf(n) + (int)strlen("abc"); }
int recursive(int n) { return n ? recursive(n - 1) + 1 : 0; }
int ping(int n);
int pong(int n) { return n ? ping(n - 1) : 0; }
int ping(int n) { return pong(n) + leaf(n); }
int unknown(int n) { return external(n); }
int indirect(int (*f)(int), int n) { return f(n); }
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
void sorts(int *v, size_t n) { qsort(v, n, sizeof *v, cmp); }
int calls_unknown(int n) { return unknown(n); }

// Function table, in the module's order (the static cmp comes after sorts):
// name, symbol, file, line, entry block, flags (1: LP_FN_NO_REENTRY; the
// counts mode adds 2, LP_FN_EDGE_COUNTS).
// CHECK: @lp.functions = private constant
// CHECK-SAME: i32 18, i32 {{[0-9]+}}, i32 {{[13]}} }
// CHECK-SAME: i32 19, i32 {{[0-9]+}}, i32 {{[13]}} }
// CHECK-SAME: i32 20, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 22, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 23, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 24, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 25, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 27, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 26, i32 {{[0-9]+}}, i32 {{[13]}} }
// CHECK-SAME: i32 28, i32 {{[0-9]+}}, i32 {{[02]}} }

// CHECK-LABEL: define {{.*}} @leaf(
// CHECK-NOT: lp.primitive
// CHECK-LABEL: define {{.*}} @calls_leaf(
// CHECK-NOT: lp.primitive
// CHECK-LABEL: define {{.*}} @recursive(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @pong(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @ping(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @unknown(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @indirect(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @sorts(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @cmp(
// CHECK-NOT: lp.primitive
// CHECK-LABEL: define {{.*}} @calls_unknown(
// CHECK: lp.primitive

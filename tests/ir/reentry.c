// Recursion bookkeeping (the active frame, the primitive-call count) is
// left out of functions that cannot be re-entered while active: those whose
// calls all go to intrinsics, C library functions without callbacks, or
// functions of the module for which the same holds, with no cycle back.
// The function table flags them (LP_FN_NO_REENTRY, 1); the runtime takes
// their calls as their primitive calls.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck --check-prefixes=CHECK,TIME %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: env LINEPROF_MODE=counts %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.counts.ll
// RUN: FileCheck --check-prefixes=CHECK,COUNTS %s < %t.counts.ll
//
// The counts mode, which times nothing, also leaves it out of functions
// that only their own direct calls can re-enter (recursive, flagged
// LP_FN_SELF_REENTRY, 4): the runtime takes their primitive calls as their
// calls minus the calls their calls of themselves made. Not with a
// musttail call of itself (tail), which has no call segment to count it,
// nor when another call could re-enter it (ping, pong, self_and_unknown).
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
int tail(int n) {
  if (!n)
    return 0;
  __attribute__((musttail)) return tail(n - 1);
}
int self_and_unknown(int n) { return n ? self_and_unknown(n - 1) : external(n); }

// Function table, in the module's order (the static cmp comes after sorts):
// name, symbol, file, line, entry block, flags (1: LP_FN_NO_REENTRY, 4:
// LP_FN_SELF_REENTRY; the counts mode adds 2, LP_FN_EDGE_COUNTS).
// CHECK: @lp.functions = private constant
// CHECK-SAME: i32 25, i32 {{[0-9]+}}, i32 {{[13]}} }
// CHECK-SAME: i32 26, i32 {{[0-9]+}}, i32 {{[13]}} }
// TIME-SAME: i32 27, i32 {{[0-9]+}}, i32 0 }
// COUNTS-SAME: i32 27, i32 {{[0-9]+}}, i32 {{[46]}} }
// CHECK-SAME: i32 29, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 30, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 31, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 32, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 34, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 33, i32 {{[0-9]+}}, i32 {{[13]}} }
// CHECK-SAME: i32 35, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 36, i32 {{[0-9]+}}, i32 {{[02]}} }
// CHECK-SAME: i32 41, i32 {{[0-9]+}}, i32 {{[02]}} }

// CHECK-LABEL: define {{.*}} @leaf(
// CHECK-NOT: lp.primitive
// CHECK-LABEL: define {{.*}} @calls_leaf(
// CHECK-NOT: lp.primitive
// CHECK-LABEL: define {{.*}} @recursive(
// TIME: lp.primitive
// COUNTS-NOT: lp.primitive
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
// CHECK-LABEL: define {{.*}} @tail(
// CHECK: lp.primitive
// CHECK-LABEL: define {{.*}} @self_and_unknown(
// CHECK: lp.primitive

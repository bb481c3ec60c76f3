// Counts mode: a block with a call that may not come back (longjmp, exit,
// a throw) has an uncounted edge to the exit (flag 1, LP_EDGE_FAKE), an
// indirect call as much as a direct one. Without it a derived count would
// be wrong after such a call. The block of a setjmp would also need one
// from the entry (its second return); with its edge to the exit that
// closes a cycle of uncounted edges, so such a function keeps one counter
// per block.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: env LINEPROF_MODE=counts %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: %python %scripts/tables.py %t.out.ll | FileCheck --check-prefix=EDGES %s
// RUN: %opt -passes=verify -disable-output %t.out.ll
#include <setjmp.h>

int g(int);

// Blocks: 0 entry, 1 loop test, 2 body (the call), 3 increment, 4 return.
int each(int (*f)(int), int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += f(i);
  return s;
}

int direct(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += g(i);
  return s;
}

jmp_buf env;
int again(void) {
  if (setjmp(env))
    return 1;
  return g(0);
}

// Flags: each() and direct() LP_FN_EDGE_COUNTS (2), again() not.
// CHECK: @lp.functions = {{.*}} i32 0, i32 2 }, {{.*}} i32 5, i32 2 }, {{.*}} i32 10, i32 0 }]
// CHECK: @lp.edges = private constant
// EDGES: edge: 0 2 -1 -1 1
// EDGES: edge: 1 7 -1 -1 1
// EDGES-NOT: edge: 2

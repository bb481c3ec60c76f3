// Recursion, as cProfile counts it: calls are total/primitive, and the
// function's total time is the outermost call's, not the sum over levels.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O0 %s -o %t/prog && env LINEPROF_DB=%t/db0 %t/prog
// RUN: %python %scripts/query.py %t/db0 recursion | FileCheck %s
// RUN: %clang %cflags -O2 %s -o %t/prog2 && env LINEPROF_DB=%t/db2 %t/prog2
// RUN: %python %scripts/query.py %t/db2 recursion | FileCheck %s
#include <stdio.h>

__attribute__((noinline)) static long fib(int n) {
  if (n < 2)
    return n;
  return fib(n - 1) + fib(n - 2);
}

int main(void) {
  long r = fib(20); // OUTER
  printf("%ld\n", r);
  return 0;
}
// CHECK: fib calls 21891 primitive 1: 1
// CHECK: fib inclusive within 10% of the outer call line: 1
// CHECK: fib inclusive <= main inclusive: 1
// CHECK: fib self <= fib inclusive: 1
// CHECK: no negative or inverted times: 1

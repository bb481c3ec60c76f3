// Primitive calls (cProfile's "total/primitive") in both modes. The counts
// mode keeps no active frame for a function that only its own calls can
// re-enter: the runtime takes its primitive calls as its calls minus the
// calls its calls of itself made. Functions re-entered some other way
// (mutual recursion, a call through a pointer) keep the frame.
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: env LINEPROF_MODE=counts %clang %cflags -O2 %s -o %t/counts
// RUN: %t/counts > %t/counts.out
// RUN: env LINEPROF_MODE=time %clang %cflags -O2 %s -o %t/time
// RUN: %t/time > %t/time.out
// RUN: cmp %t/counts.out %t/time.out
// RUN: sqlite3 %t/lineprof.db "SELECT run_id, function, calls, primitive_calls FROM function_profile WHERE function != 'main' ORDER BY run_id, function" | FileCheck %s
//
// fib(14) and fib(13) make 1219 and 753 calls, 2 of them primitive. The
// descent is cut off by a longjmp 11 levels deep, three times: 33 calls, 3
// primitive, and 30 nested calls that never returned. pong(11) calls
// ping(10), which calls pong(10), ... down to pong(0): 12 calls of pong and
// 11 of ping, the first of each primitive. twice calls itself through a
// pointer.
// CHECK:      1|descend|33|3
// CHECK-NEXT: 1|fib|1972|2
// CHECK-NEXT: 1|ping|11|1
// CHECK-NEXT: 1|pong|12|1
// CHECK-NEXT: 1|twice|2|1
// CHECK-NEXT: 2|descend|33|3
// CHECK-NEXT: 2|fib|1972|2
// CHECK-NEXT: 2|ping|11|1
// CHECK-NEXT: 2|pong|12|1
// CHECK-NEXT: 2|twice|2|1
//
// (tests/ir/reentry.c checks which functions keep the frame.)
#include <setjmp.h>
#include <stdio.h>

static jmp_buf out;

__attribute__((noinline)) static long fib(int n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static int descend(int depth) {
  if (depth == 10)
    longjmp(out, 1);
  return descend(depth + 1) + 1;
}

int ping(int n);
__attribute__((noinline)) int pong(int n) { return n ? ping(n - 1) : 0; }
__attribute__((noinline)) int ping(int n) { return pong(n) + 1; }

static int (*volatile again)(int);
__attribute__((noinline)) static int twice(int n) {
  return n ? again(n - 1) + 1 : 0;
}

int main(void) {
  long a = fib(14), b = fib(13);
  for (int i = 0; i < 3; i++)
    if (!setjmp(out))
      descend(0);
  int p = pong(11);
  again = twice;
  printf("%ld %ld %d %d\n", a, b, p, twice(1));
  return 0;
}

// A line's time includes its callees, like line_profiler; self time does
// not. spin(3*N) and spin(N) on two lines take time in the ratio 3:1.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O2 %s -o %t/prog
// RUN: env LINEPROF_DB=%t/db %t/prog
// RUN: %python %scripts/query.py %t/db callee-time | FileCheck %s
#include <stdio.h>

__attribute__((noinline)) static unsigned long spin(unsigned long n) {
  unsigned long x = 0;
  for (unsigned long i = 0; i < n; i++)
    x = x * 6364136223846793005ul + i;
  return x;
}

int main(void) {
  unsigned long a = 0, b = 0;
  // Interleaved, so that a slower or faster stretch of the machine falls
  // on both lines alike. 32 rounds: few enough (spin's gate times its first
  // 64 calls) that every call is timed, not sampled. A preemption inside
  // one call stays in that call's time (weight 1 keeps its wall time).
  for (int rep = 0; rep < 32; rep++) {
    a += spin(960000); // THREE
    b += spin(320000); // ONE
  }
  printf("%lu\n", a ^ b);
  return 0;
}
// CHECK: ratio three/one in [2.55, 3.45]: 1
// CHECK: call lines self < 5% of time: 1
// CHECK: spin inclusive within 10% of the call lines: 1
// CHECK: main inclusive >= sum of its lines' self: 1
// CHECK: spin calls 64 primitive 64: 1

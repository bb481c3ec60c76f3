// Probe cost is compensated. The time lineprof gives an empty loop, per
// iteration, is compared with the same loop's time in a plain build of
// this file, measured by the program itself. A timestamp costs about 30 ns
// and an iteration a fraction of one: without compensation the estimate
// would be a hundred times too large.
// The two builds run one loop per process, alternately, five times each,
// and the best of each is compared: another process on the machine (a
// parallel test, a compiler) slows whichever runs beside it, and once made
// a single plain run twice as fast as the profiled run after it.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 %s -o %t/plain
// RUN: %clang %cflags -O2 %s -o %t/prog
// RUN: for i in 1 2 3 4 5; do %t/plain 1 >> %t/plain.txt && env LINEPROF_DB=%t/db$i %t/prog 1 > /dev/null || exit 1; done
// RUN: %python %scripts/query.py %t/db1 empty-loop %t/plain.txt %t/db2 %t/db3 %t/db4 %t/db5 | FileCheck %s
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 20000000L

__attribute__((noinline)) static void empty(long n) {
  for (long i = 0; i < n; i++)
    __asm__ volatile(""); // EMPTY
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  // The best of reps (default 5): what the loop costs when nothing
  // disturbs it.
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  double best = 1e300;
  for (int rep = 0; rep < reps; rep++) {
    double t0 = now();
    empty(N);
    double t = now() - t0;
    if (t < best)
      best = t;
  }
  printf("iterations %ld ns_per_iteration %.4f\n", reps * N, best / N);
  return 0;
}
// CHECK: empty loop per iteration within 2x + 0.5 ns of plain: 1

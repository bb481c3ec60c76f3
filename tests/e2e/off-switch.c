// LINEPROF=0 at run time: the instrumented program runs plain copies of its
// functions, at near-zero cost. valgrind counts the instructions each build
// executes (exactly: no timing), so the bound is firm. With the switch off,
// a call that enters the plain copies from outside (here 30,000 calls of a
// qsort comparator of 8 instructions) costs 3 instructions more at -O2 and
// 9 at -O0 (unoptimized code spills the arguments): the instrumented build
// executes at most 5% (-O2) and 10% (-O0) more than the plain one. The same
// program without plain copies (LINEPROF_PLAIN_COPIES=0) still counts into
// scratch memory and executes over 30% more, so the check can fail.
// UNSUPPORTED: sanitize
// REQUIRES: valgrind
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %clang -g -O2 %s -o plain
// RUN: %clang %cflags -O2 %s -o prof
// RUN: env LINEPROF_PLAIN_COPIES=0 %clang %cflags -O2 %s -o nocopies
// RUN: %clang %cflags -O0 %s -o prof0
// RUN: %clang -g -O0 %s -o plain0
// RUN: ./plain 3000 > plain.out
// RUN: env LINEPROF=0 ./prof 3000 > off.out && cmp plain.out off.out
// RUN: env LINEPROF=0 ./prof0 3000 > off0.out && cmp plain.out off0.out
// RUN: test ! -e lineprof.db
// Switched on, it counts what the plain copies would have run.
// RUN: ./prof 3000 > on.out && cmp plain.out on.out
// RUN: sqlite3 lineprof.db "SELECT function, calls FROM function_profile ORDER BY function" | FileCheck --check-prefix=CALLS %s
// RUN: env LINEPROF=0 %python %scripts/instructions.py --max-ratio 1.05 ./plain ./prof -- 3000
// RUN: env LINEPROF=0 %python %scripts/instructions.py --max-ratio 1.10 ./plain0 ./prof0 -- 3000
// RUN: env LINEPROF=0 %python %scripts/instructions.py --min-ratio 1.3 ./plain ./nocopies -- 3000
// CALLS: by_value|{{[0-9]+}}
// CALLS-NEXT: collatz|3000
// CALLS-NEXT: depth|{{[0-9]+}}
// CALLS-NEXT: main|1
#include <stdio.h>
#include <stdlib.h>

struct pair { long a, b; };

static int collatz(long n) {
  int steps = 0;
  while (n != 1) {
    n = n % 2 ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

// Recursion, and a struct passed and returned by value.
static struct pair depth(struct pair p, int n) {
  if (n == 0)
    return p;
  p.a += n;
  p.b ^= p.a;
  return depth(p, n - 1);
}

// Called through a pointer, from qsort.
static int by_value(const void *x, const void *y) {
  int a = *(const int *)x, b = *(const int *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  long total = 0;
  int *steps = malloc(n * sizeof *steps);
  for (int i = 0; i < n; i++)
    total += steps[i] = collatz(i + 1);
  qsort(steps, n, sizeof *steps, by_value);
  struct pair p = depth((struct pair){1, 2}, 50);
  printf("%ld %d %ld %ld\n", total, steps[n - 1], p.a, p.b);
  free(steps);
  return 0;
}

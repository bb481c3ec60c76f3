// A loop body with a cheap line and a memory-bound line: a pointer chase
// through a 64 MB random cycle misses the cache on almost every step. The
// memory-bound line must get most of the loop's time: lfence before each
// timestamp keeps the miss on its own line, and probe compensation keeps
// the cheap line's share small.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O2 %s -o %t/prog
// RUN: env LINEPROF_DB=%t/db %t/prog
// RUN: %python %scripts/query.py %t/db memory-bound | FileCheck %s
#include <stdio.h>
#include <stdlib.h>

// One random cycle through all n slots (Sattolo's algorithm).
static size_t *make_cycle(size_t n) {
  size_t *next = malloc(n * sizeof *next);
  if (!next)
    exit(1);
  for (size_t i = 0; i < n; i++)
    next[i] = i;
  unsigned long long x = 88172645463325252ull;
  for (size_t i = n - 1; i > 0; i--) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t j = x % i, t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  return next;
}

__attribute__((noinline)) static size_t walk(const size_t *next, long steps,
                                             size_t *sum) {
  size_t p = 0, s = 0;
  for (long k = 0; k < steps; k++) {
    s += (size_t)k & 7; // CHEAP
    p = next[p]; // CHASE
  }
  *sum = s;
  return p;
}

int main(void) {
  size_t n = (size_t)8 << 20, sum;
  size_t *next = make_cycle(n);
  size_t p = walk(next, 3000000, &sum);
  printf("%zu %zu\n", p, sum);
  free(next);
  return 0;
}
// CHECK: chase line has at least 80% of the two lines' time: 1
// CHECK: no negative or inverted times: 1

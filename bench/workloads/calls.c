/* calls: many small functions called recursively.
 *
 * A Fibonacci recursion in which every call also goes through a few tiny
 * helpers. The helpers are noinline so that clang and gcc make the same
 * calls: the workload measures the cost of function entry and exit under
 * each instrumentation, not the inliner's choices.
 *
 *   calls [n]     default n = 32; prints one checksum line
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SMALL __attribute__((noinline))

SMALL static int is_leaf(int n) { return n < 2; }

SMALL static uint64_t leaf_value(int n) { return (uint64_t)n; }

SMALL static uint64_t combine(uint64_t a, uint64_t b) { return a + b; }

SMALL static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v;
  return h * 0x100000001b3ull;
}

static uint64_t trail; /* a running hash of every value returned */

/* Returns fib(n); every call also passes through the helpers above. */
SMALL static uint64_t fib(int n) {
  uint64_t r;
  if (is_leaf(n)) {
    r = leaf_value(n);
  } else {
    /* Two statements: the order of the calls changes trail, and the order
     * of evaluation of a call's arguments is unspecified (gcc goes right to
     * left, clang left to right). */
    uint64_t left = fib(n - 1);
    uint64_t right = fib(n - 2);
    r = combine(left, right);
  }
  trail = mix(trail, r);
  return r;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 32;
  if (n < 0 || n > 60) {
    fprintf(stderr, "calls: n must be in 0..60\n");
    return 2;
  }
  trail = 0xcbf29ce484222325ull;
  uint64_t r = fib(n);
  printf("calls fib(%d)=%" PRIu64 " checksum=%016" PRIx64 "\n", n, r, trail);
  return 0;
}

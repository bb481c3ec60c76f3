/* intloop: a tight integer loop of small basic blocks.
 *
 * For every start value in 1..n it counts the Collatz steps down to 1 (one
 * branch per step), then folds the count into a checksum with a few more
 * data-dependent branches. This is the worst case for per-block
 * instrumentation: each block is a handful of instructions and runs billions
 * of times.
 *
 *   intloop [n]      default n = 3000000; prints one checksum line
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Returns the number of Collatz steps from x down to 1. */
static unsigned collatz_steps(uint64_t x) {
  unsigned steps = 0;
  while (x != 1) {
    if (x & 1)
      x = 3 * x + 1;
    else
      x >>= 1;
    steps++;
  }
  return steps;
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 3000000;
  if (n < 1) {
    fprintf(stderr, "intloop: n must be at least 1\n");
    return 2;
  }
  uint64_t sum = 0, best_start = 1;
  unsigned best_steps = 0;
  for (uint64_t i = 1; i <= n; i++) {
    unsigned steps = collatz_steps(i);
    if (steps > best_steps) {
      best_steps = steps;
      best_start = i;
    }
    sum += steps ^ (i & 0xff);
    if ((sum & 7) == 3)
      sum = (sum << 5) | (sum >> 59);
    else if (steps % 3 == 0)
      sum ^= i * 0x9e3779b97f4a7c15u;
  }
  printf("intloop n=%" PRIu64 " longest=%" PRIu64 " (%u steps) checksum=%016" PRIx64
         "\n", n, best_start, best_steps, sum);
  return 0;
}

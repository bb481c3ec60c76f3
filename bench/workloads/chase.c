/* chase: memory-bound pointer chasing.
 *
 * Builds a linked list of one-cache-line nodes whose order is a random
 * single cycle (Sattolo's shuffle, fixed seed), far larger than the caches,
 * then follows it. Almost every step is a cache (and TLB) miss, so the
 * instrumentation's extra instructions should hide behind memory latency.
 *
 *   chase [megabytes] [steps]   default 64 MB, 20000000 steps
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
  struct node *next; /* the following node of the cycle */
  uint64_t payload;  /* a value derived from the node's index */
  uint64_t pad[6];   /* fills the node to 64 bytes, one cache line */
};

/* xorshift64*: a fixed-seed generator, identical under every compiler. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv) {
  uint64_t megabytes = argc > 1 ? strtoull(argv[1], NULL, 10) : 64;
  uint64_t steps = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000000;
  size_t count = (size_t)(megabytes << 20) / sizeof(struct node);
  if (count < 2) {
    fprintf(stderr, "chase: need at least 1 MB\n");
    return 2;
  }
  struct node *nodes = malloc(count * sizeof *nodes);
  size_t *order = malloc(count * sizeof *order);
  if (!nodes || !order) {
    fprintf(stderr, "chase: out of memory for %" PRIu64 " MB\n", megabytes);
    return 1;
  }
  for (size_t i = 0; i < count; i++)
    order[i] = i;
  /* Sattolo: a uniformly random permutation with exactly one cycle, so the
   * walk visits every node before it repeats. */
  for (size_t i = count - 1; i > 0; i--) {
    size_t j = rng_next() % i;
    size_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (size_t i = 0; i < count; i++) {
    nodes[order[i]].next = &nodes[order[(i + 1) % count]];
    nodes[i].payload = i * 0x9e3779b97f4a7c15ull;
  }
  free(order);

  struct node *p = &nodes[0];
  uint64_t sum = 0;
  for (uint64_t s = 0; s < steps; s++) {
    sum += p->payload ^ s;
    p = p->next;
  }
  printf("chase %" PRIu64 " MB nodes=%zu steps=%" PRIu64 " checksum=%016" PRIx64
         " end=%zu\n", megabytes, count, steps, sum, (size_t)(p - nodes));
  free(nodes);
  return 0;
}

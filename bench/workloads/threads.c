/* threads: the same integer kernel on T threads at once.
 *
 * Every thread counts the Collatz steps of 1..n (the same work each), so on
 * a machine with at least T cores the wall time stays that of one thread,
 * and lineprof's slowdown on T threads shows what sharing costs it: each
 * thread counts into a buffer of its own, so it should be the slowdown on
 * one.
 *
 *   threads T n     prints one checksum line
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
  uint64_t n, sum;
};

static unsigned steps(uint64_t x) {
  unsigned s = 0;
  while (x != 1) {
    if (x & 1)
      x = 3 * x + 1;
    else
      x >>= 1;
    s++;
  }
  return s;
}

static void *work(void *arg) {
  struct job *j = arg;
  uint64_t sum = 0;
  for (uint64_t i = 1; i <= j->n; i++)
    sum = sum * 31 + steps(i);
  j->sum = sum;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: threads T n\n");
    return 2;
  }
  int t = atoi(argv[1]);
  uint64_t n = strtoull(argv[2], NULL, 10);
  if (t < 1 || t > 64 || n < 1) {
    fprintf(stderr, "threads: T must be in 1..64 and n at least 1\n");
    return 2;
  }
  pthread_t tid[64];
  struct job jobs[64];
  for (int i = 0; i < t; i++) {
    jobs[i].n = n;
    if (pthread_create(&tid[i], NULL, work, &jobs[i]) != 0) {
      fprintf(stderr, "threads: pthread_create failed\n");
      return 1;
    }
  }
  uint64_t all = 0;
  for (int i = 0; i < t; i++) {
    pthread_join(tid[i], NULL);
    all ^= jobs[i].sum;
  }
  /* The threads compute the same sum: an even T gives 0, an odd one the sum. */
  printf("threads T=%d n=%" PRIu64 " checksum=%016" PRIx64 "\n", t, n, all);
  return 0;
}

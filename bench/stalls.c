/* Stalls that the kernel does not count as switches of the thread.
 *
 * Spins in windows of 100 us reading the TSC, and reports the windows that
 * held a gap over 10 us, split by what the kernel says of the thread over
 * the window: involuntary or voluntary context switches (getrusage), or
 * neither; for the last, whether the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID) fell behind the wall time by half the gap,
 * i.e. whether a CPU-time check would see the stall.
 *
 *   cc -O2 bench/stalls.c -o /tmp/stalls && /tmp/stalls [windows]
 *
 * docs/design.md ("Where accuracy ends", Sampling) quotes its output. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv) {
  long windows = argc > 1 ? atol(argv[1]) : 100000;
  uint64_t n0 = ns(CLOCK_MONOTONIC), t0 = __rdtsc();
  while (ns(CLOCK_MONOTONIC) - n0 < 200000000u)
    ;
  double per_ns = (double)(__rdtsc() - t0) / (double)(ns(CLOCK_MONOTONIC) - n0);
  uint64_t window = (uint64_t)(100000 * per_ns), gap_min = (uint64_t)(10000 * per_ns);
  long gaps = 0, invol = 0, vol = 0, neither = 0, cpu_sees = 0;
  double worst = 0;
  for (long w = 0; w < windows; w++) {
    struct rusage r0, r1;
    getrusage(RUSAGE_THREAD, &r0);
    uint64_t c0 = ns(CLOCK_THREAD_CPUTIME_ID), s = __rdtsc(), prev = s, gap = 0;
    while (prev - s < window) {
      uint64_t now = __rdtsc();
      if (now - prev > gap)
        gap = now - prev;
      prev = now;
    }
    uint64_t e = __rdtsc(), c1 = ns(CLOCK_THREAD_CPUTIME_ID);
    getrusage(RUSAGE_THREAD, &r1);
    if (gap < gap_min)
      continue;
    gaps++;
    double g = (double)gap / per_ns / 1000;
    if (g > worst)
      worst = g;
    if (r1.ru_nivcsw > r0.ru_nivcsw) {
      invol++;
    } else if (r1.ru_nvcsw > r0.ru_nvcsw) {
      vol++;
    } else {
      neither++;
      double wall = (double)(e - s) / per_ns / 1000, cpu = (double)(c1 - c0) / 1000;
      if (wall - cpu > g / 2)
        cpu_sees++;
    }
  }
  printf("%ld windows of 100 us, TSC %.3f ticks/ns\n", windows, per_ns);
  printf("with a gap over 10 us: %ld (longest %.1f us)\n", gaps, worst);
  printf("  involuntary switch: %ld, voluntary: %ld, neither: %ld\n", invol, vol, neither);
  printf("  of those with neither, CPU time behind wall time by half the gap: %ld\n", cpu_sees);
  return 0;
}

/* The timer: its frequency and the cost of one probe, both measured at exit
 * so that start-up stays cheap and the measurement does not disturb the
 * program. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Ticks per second of the timer the instrumented code reads. The TSC is
 * calibrated against CLOCK_MONOTONIC over the whole run; a run shorter than
 * 2 ms is extended by a short busy wait here, at exit: the two clocks are
 * read within ~100 ns of each other, so the error stays under 0.01%. */
LP_HIDDEN double lp_ticks_per_second(void) {
#if defined(__x86_64__) || defined(__i386__)
  uint64_t mono = lp_clock_ns(CLOCK_MONOTONIC);
  while (mono - lp_config.start_mono < 2000000u)
    mono = lp_clock_ns(CLOCK_MONOTONIC);
  uint64_t ticks = lp_ticks();
  return (double)(ticks - lp_config.start_ticks) * 1e9 /
         (double)(mono - lp_config.start_mono);
#else
  return 1e9;
#endif
}

static int lp_cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* What one probe adds to the segment it closes: the median, over many
 * trials, of the ticks an empty segment measures. The loop does what the
 * instrumented code does at a segment boundary: take the timestamp, add the
 * weighted difference to the segment's ticks, and start the next segment
 * at the same timestamp. */
LP_HIDDEN double lp_probe_overhead_ticks(void) {
  enum { N = 2001 };
  static uint64_t d[N];
  static volatile uint64_t ticks[2];
  volatile uint64_t weight = 1;
  uint64_t start = lp_probe_ticks();
  for (int i = 0; i < N; i++) {
    uint64_t now = lp_probe_ticks();
    ticks[i & 1] += (now - start) * weight;
    d[i] = now - start;
    start = now;
  }
  qsort(d, N, sizeof d[0], lp_cmp_u64);
  return (double)d[N / 2];
}

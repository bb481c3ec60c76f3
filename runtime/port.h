/* Portability for the runtime: the timer the instrumented code reads, and
 * symbol visibility. The plugin emits llvm.readcyclecounter, which is the
 * TSC on x86-64; elsewhere the runtime measures with clock_gettime.
 * Nothing here may allocate or lock. */
#ifndef LINEPROF_PORT_H
#define LINEPROF_PORT_H

#include <stdint.h>
#include <time.h>

#define LP_EXPORT __attribute__((visibility("default")))
#define LP_HIDDEN __attribute__((visibility("hidden")))

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define LP_TIMER_NAME "tsc"
static inline uint64_t lp_ticks(void) { return __rdtsc(); }
/* The timestamp exactly as the instrumented code takes it (the plugin's
 * readClock): lfence first, so that earlier instructions have finished. */
static inline uint64_t lp_probe_ticks(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
#else
#define LP_TIMER_NAME "clock_gettime"
static inline uint64_t lp_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static inline uint64_t lp_probe_ticks(void) { return lp_ticks(); }
#endif

static inline uint64_t lp_clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif

/* Samples counted once (lineprof_abi.h, __lineprof_switch).
 *
 * A sample's weight says how many executions it stands for. Preempted, it
 * measured the other task's time slice too, and weighted it would count
 * that slice once per execution it stands for: a leaf called 2 million
 * times showed 1.4 s of time in a run of 26 ms, on a machine with other
 * work on both cores. The kernel counts a thread's involuntary switches
 * (getrusage, RUSAGE_THREAD: about 0.3 us). Reading the count at the start
 * of every sample would cost more than the sample; so the timed path notes
 * it at most every LP_SWITCH_EVERY ticks, and a long sample compares the
 * count at its end with the newest note at or before its start. A switch
 * between that note and the start (at most LP_SWITCH_EVERY ticks before
 * it, when samples are frequent) is taken for one in the sample: such a
 * sample counts once, as if unweighted. Voluntary switches (the thread
 * blocked in a read or a sleep) are the code's own time and keep the
 * weight.
 *
 * Most stalls are no switch: an interrupt, a signal handler, on a virtual
 * machine the host taking the CPU (bench/stalls.c: a gap over 10 us in 7%
 * of windows of 100 us on the machine this was written on, nearly all
 * counted by the kernel as the thread's CPU time). Nothing the kernel
 * counts tells them from slow code, except in code that cannot be slow: a
 * bounded sample (a fixed, short run of instructions: plugin/LineProf.cpp,
 * boundedCost) that takes over LP_STALL_LONG ticks without a page fault
 * or a switch of the thread since the note was stopped, and counts once.
 * A page fault (first touch of memory) is the code's own time: it keeps
 * the weight. The note holds both counts: switches in its low 32 bits,
 * faults in its high 32. */
#define _GNU_SOURCE
#include <sys/resource.h>

#include "rt.h"

static uint64_t lp_preempted, lp_stalled;

LP_HIDDEN uint64_t lp_preempted_samples(void) {
  return __atomic_load_n(&lp_preempted, __ATOMIC_RELAXED);
}

LP_HIDDEN uint64_t lp_stalled_samples(void) {
  return __atomic_load_n(&lp_stalled, __ATOMIC_RELAXED);
}

LP_HIDDEN void lp_once_reset(void) {
  __atomic_store_n(&lp_preempted, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&lp_stalled, 0, __ATOMIC_RELAXED);
}

static uint64_t lp_thread_events(int *ok) {
#ifdef RUSAGE_THREAD
  struct rusage ru;
  if (getrusage(RUSAGE_THREAD, &ru) == 0) {
    *ok = 1;
    return lp_events((uint64_t)ru.ru_nivcsw,
                     (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt);
  }
#endif
  *ok = 0;
  return 0;
}

/* The counts' source; the unit tests replace it. */
LP_HIDDEN uint64_t (*lp_switch_counter)(int *ok) = lp_thread_events;

static void lp_switch_note(uint64_t *log, uint64_t now, uint64_t events) {
  uint64_t i = log[LP_SWITCH_COUNT] % LP_SWITCH_NOTES;
  log[LP_SWITCH_FIRST + 2 * i] = now;
  log[LP_SWITCH_FIRST + 2 * i + 1] = events;
  log[LP_SWITCH_COUNT]++;
  log[LP_SWITCH_LAST] = now;
}

LP_EXPORT uint64_t __lineprof_switch(uint64_t *log, uint64_t now, uint64_t d,
                                     uint64_t w) {
  int ok;
  if (d == 0) {
    uint64_t events = lp_switch_counter(&ok);
    if (ok)
      lp_switch_note(log, now, events);
    else
      log[LP_SWITCH_LAST] = now; /* nothing to note: ask again later */
    return 0;
  }
  int bounded = (w & LP_SWITCH_BOUNDED) != 0;
  w &= ~LP_SWITCH_BOUNDED;
  /* The newest note at or before the sample's start. */
  uint64_t start = now - d, n = log[LP_SWITCH_COUNT];
  uint64_t kept = n < LP_SWITCH_NOTES ? n : LP_SWITCH_NOTES;
  const uint64_t *before = NULL;
  for (uint64_t k = 1; k <= kept; k++) {
    const uint64_t *note = &log[LP_SWITCH_FIRST + 2 * ((n - k) % LP_SWITCH_NOTES)];
    if (note[0] <= start) {
      before = note;
      break;
    }
  }
  if (!before)
    return w;
  uint64_t was = before[1], events = lp_switch_counter(&ok);
  if (!ok)
    return w;
  lp_switch_note(log, now, events);
  /* More switches: preempted. Fewer: a forked child, whose counts
   * restarted at 0 under a log copied from its parent; unknown. */
  if (lp_switches_of(events) > lp_switches_of(was)) {
    __atomic_fetch_add(&lp_preempted, 1, __ATOMIC_RELAXED);
    return 1;
  }
  if (bounded && d > LP_STALL_LONG &&
      lp_faults_of(events) == lp_faults_of(was) &&
      lp_switches_of(events) == lp_switches_of(was)) {
    __atomic_fetch_add(&lp_stalled, 1, __ATOMIC_RELAXED);
    return 1;
  }
  return w;
}

/* Asks once about a sample of bounded code, on a log of its own, and
 * writes the counters, so that the question's code and data are mapped
 * before a real sample needs them. Their first use faulted the pages in,
 * and the fault, counted after the note, made the next stopped sample look
 * like the code's own time (tests/timing/stalled.c: the call around the
 * first stopped segment kept its weight). */
LP_HIDDEN void lp_switch_init(void) {
  lp_once_reset();
  uint64_t log[LP_SWITCH_WORDS] = {0};
  __lineprof_switch(log, 2, 0, 0);
  __lineprof_switch(log, 3, 1, 2 | LP_SWITCH_BOUNDED);
}

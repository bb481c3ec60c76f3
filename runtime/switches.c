/* Preempted samples (lineprof_abi.h, __lineprof_switch).
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
 * weight. */
#define _GNU_SOURCE
#include <sys/resource.h>

#include "rt.h"

static uint64_t lp_preempted;

LP_HIDDEN uint64_t lp_preempted_samples(void) {
  return __atomic_load_n(&lp_preempted, __ATOMIC_RELAXED);
}

LP_HIDDEN void lp_preempted_reset(void) {
  __atomic_store_n(&lp_preempted, 0, __ATOMIC_RELAXED);
}

static uint64_t lp_involuntary_switches(int *ok) {
#ifdef RUSAGE_THREAD
  struct rusage ru;
  if (getrusage(RUSAGE_THREAD, &ru) == 0) {
    *ok = 1;
    return (uint64_t)ru.ru_nivcsw;
  }
#endif
  *ok = 0;
  return 0;
}

/* The count's source; the unit tests replace it. */
LP_HIDDEN uint64_t (*lp_switch_counter)(int *ok) = lp_involuntary_switches;

static void lp_switch_note(uint64_t *log, uint64_t now, uint64_t switches) {
  uint64_t i = log[LP_SWITCH_COUNT] % LP_SWITCH_NOTES;
  log[LP_SWITCH_FIRST + 2 * i] = now;
  log[LP_SWITCH_FIRST + 2 * i + 1] = switches;
  log[LP_SWITCH_COUNT]++;
  log[LP_SWITCH_LAST] = now;
}

LP_EXPORT uint64_t __lineprof_switch(uint64_t *log, uint64_t now, uint64_t d,
                                     uint64_t w) {
  int ok;
  if (d == 0) {
    uint64_t switches = lp_switch_counter(&ok);
    if (ok)
      lp_switch_note(log, now, switches);
    else
      log[LP_SWITCH_LAST] = now; /* nothing to note: ask again later */
    return 0;
  }
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
  uint64_t was = before[1], switches = lp_switch_counter(&ok);
  if (!ok)
    return w;
  lp_switch_note(log, now, switches);
  /* Not more: none (or a forked child, whose count restarted at 0 under a
   * log copied from its parent). */
  if (switches <= was)
    return w;
  __atomic_fetch_add(&lp_preempted, 1, __ATOMIC_RELAXED);
  return 1;
}

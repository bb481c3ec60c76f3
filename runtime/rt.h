/* Internal interface of the runtime: the registry of modules and their
 * per-thread buffers (registry.c), the clock (clock.c), configuration
 * (config.c) and the SQLite writer (writer.c). Everything here has hidden
 * visibility; only the entry points of lineprof_abi.h are exported. */
#ifndef LINEPROF_RT_H
#define LINEPROF_RT_H

#include <stddef.h>
#include <stdint.h>

#include "lineprof_abi.h"
#include "port.h"

/* One instrumented module as the runtime keeps it. */
struct lp_module {
  const struct lp_module_desc *desc; /* the plugin's tables, or our copy */
  int desc_owned;                    /* desc is a deep copy (after dlclose) */
  uint64_t *retired;  /* words summed from finished threads; NULL if none */
  struct lp_buffer *live; /* buffers of running threads */
  struct lp_buffer *spare; /* zeroed buffers ready for reuse */
  struct lp_module *next;
};

/* One thread's buffer for one module. */
struct lp_buffer {
  uint64_t *words;          /* lp_buffer_words(desc) words */
  uint64_t **slot;          /* the owning thread's TLS pointer to words */
  struct lp_module *module;
  struct lp_buffer *next;        /* in module->live or module->spare */
  struct lp_buffer *thread_next; /* the owning thread's other buffers */
};

/* Configuration and process facts, read once at start-up. */
struct lp_config {
  char db_path[8200];  /* absolute path of the database (cwd + name) */
  int verbose;         /* LINEPROF_VERBOSE: notes on stderr */
  char *command;       /* the command line, space-separated (malloc'd) */
  char cwd[4096];      /* working directory at start */
  uint64_t start_ns;   /* CLOCK_REALTIME at start, ns since the epoch */
  uint64_t start_mono; /* CLOCK_MONOTONIC at start, ns */
  uint64_t start_ticks; /* timer at start, ticks */
  long pid;             /* this process (a forked child: its own) */
  long parent_pid;      /* the forking parent, 0 if none */
  uint64_t parent_start_ns; /* the parent run's start_ns, to link the runs */
  double interval_s;    /* LINEPROF_INTERVAL: seconds between snapshots */
  int snapshot_signal;  /* LINEPROF_SIGNAL: signal that asks for one, or 0 */
  int busy_timeout_ms;  /* LINEPROF_BUSY_TIMEOUT: wait for a locked database */
};

/* How a run ended (or that it has not), for the writer. */
struct lp_run_end {
  const char *status; /* "complete" or "in_progress" */
  int have_status;    /* exit_status is known */
  int exit_status;    /* as passed to exit() or returned from main */
  int exit_signal;    /* the signal that ended the process, or 0 */
  int alone;          /* written by a child forked in a signal handler:
                         take no lock another thread may have held */
};

LP_HIDDEN extern struct lp_config lp_config;

LP_HIDDEN void lp_config_init(void);
LP_HIDDEN void lp_config_after_fork(void); /* a child starts a new run */
LP_HIDDEN void lp_registry_init(void);
LP_HIDDEN double lp_ticks_per_second(void);
LP_HIDDEN double lp_probe_overhead_ticks(void);
/* Long weighted samples that __lineprof_switch counted once, all threads:
 * preempted, and bounded code stopped without a switch. */
LP_HIDDEN uint64_t lp_preempted_samples(void);
LP_HIDDEN uint64_t lp_stalled_samples(void);
LP_HIDDEN void lp_once_reset(void); /* a forked child's new run */
LP_HIDDEN void lp_switch_init(void);  /* maps the code of the question */
/* The thread's involuntary context switches and page faults so far, in one
 * word (lp_events; *ok = 0 if unknown). */
LP_HIDDEN extern uint64_t (*lp_switch_counter)(int *ok);
static inline uint64_t lp_events(uint64_t switches, uint64_t faults) {
  return (switches & 0xffffffffu) | faults << 32;
}
static inline uint32_t lp_switches_of(uint64_t events) { return (uint32_t)events; }
static inline uint32_t lp_faults_of(uint64_t events) { return (uint32_t)(events >> 32); }

/* Calls fn for each registered module with the summed words of all its
 * threads (live and retired), under the registry lock. */
typedef int (*lp_module_visitor)(void *ctx, const struct lp_module_desc *m,
                                 const uint64_t *words);
/* With may_block 0 (a child forked from a signal handler, alone in its
 * process), the lock is taken only if it is free. */
LP_HIDDEN int lp_registry_visit(lp_module_visitor fn, void *ctx, int may_block);
/* Zeroes every count: what follows is a new run (after exec failed). */
LP_HIDDEN void lp_registry_reset(void);

/* Writes the profile of this process: the first call adds a run, later
 * ones (snapshots) replace its statistics. When the database cannot be
 * written, saves the run to a fallback database beside it (or in TMPDIR)
 * and says so on stderr. Returns 0 if the profile was saved somewhere. */
LP_HIDDEN int lp_write_profile(const struct lp_run_end *end);
/* Forget the run written so far: the next write adds a new one. */
LP_HIDDEN void lp_writer_new_run(void);

/* edges.c: hits[0..n_blocks) = the module's block counts, from its hit
 * counter slots (which count edges in LP_FN_EDGE_COUNTS functions).
 * Returns 0, or -1 when memory runs out or the tables are inconsistent. */
LP_HIDDEN int lp_block_counts(const struct lp_module_desc *m,
                              const uint64_t *slots, uint64_t *hits);
LP_HIDDEN void lp_exit_init(void);     /* exit.c: exit paths and signals */
LP_HIDDEN int lp_exiting(void);        /* the final profile is being written */
LP_HIDDEN void lp_config_after_exec(void); /* exec failed: a new run starts */
LP_HIDDEN void lp_snapshot_init(void); /* snapshot.c: periodic snapshots */

LP_HIDDEN void lp_note(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
LP_HIDDEN void lp_warn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif

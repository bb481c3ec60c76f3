/* Internal interface of the runtime: the registry of modules and their
 * per-thread buffers (registry.c), the clock (clock.c), configuration
 * (config.c) and the SQLite writer (writer.c). Everything here has hidden
 * visibility; only the three entry points of lineprof_abi.h are exported. */
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
};

LP_HIDDEN extern struct lp_config lp_config;

LP_HIDDEN void lp_config_init(void);
LP_HIDDEN void lp_config_after_fork(void); /* a child starts a new run */
LP_HIDDEN void lp_registry_init(void);
LP_HIDDEN double lp_ticks_per_second(void);
LP_HIDDEN double lp_probe_overhead_ticks(void);

/* Calls fn for each registered module with the summed words of all its
 * threads (live and retired), under the registry lock. */
typedef int (*lp_module_visitor)(void *ctx, const struct lp_module_desc *m,
                                 const uint64_t *words);
LP_HIDDEN int lp_registry_visit(lp_module_visitor fn, void *ctx);

/* Writes the profile of this process as a new run. Returns 0 on success;
 * on failure prints one line on stderr and returns -1. */
LP_HIDDEN int lp_write_profile(int exit_status, int have_status);

LP_HIDDEN void lp_note(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
LP_HIDDEN void lp_warn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif

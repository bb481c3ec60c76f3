/* The SQLite writer: turns the summed counters of every module into one new
 * run, in one transaction, at exit.
 *
 * SQLite is loaded with dlopen into a private namespace (RTLD_LOCAL) and
 * called through the pointers looked up in it, so the runtime never binds to
 * a copy of SQLite that the profiled program links itself, and the program
 * never sees ours. This file runs on the exit path only: it may allocate and
 * call libc freely, but it must not exit, abort or touch the program's
 * stdout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "schema.h"

#ifndef LINEPROF_VERSION
#define LINEPROF_VERSION "unknown"
#endif

/* The slice of the SQLite C API the writer uses, bound at run time. */
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
#define SQLITE_OK 0
#define SQLITE_ROW 100
#define SQLITE_DONE 101
#define SQLITE_OPEN_READWRITE 0x2
#define SQLITE_OPEN_CREATE 0x4
#define SQLITE_BUSY 5
#define SQLITE_OPEN_NOMUTEX 0x8000
#define SQLITE_STATIC ((void (*)(void *))0)
#define SQLITE_TRANSIENT ((void (*)(void *))-1)

static struct {
  int (*open_v2)(const char *, sqlite3 **, int, const char *);
  int (*close)(sqlite3 *);
  int (*exec)(sqlite3 *, const char *, void *, void *, char **);
  int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
  int (*bind_int64)(sqlite3_stmt *, int, long long);
  int (*bind_double)(sqlite3_stmt *, int, double);
  int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
  int (*bind_null)(sqlite3_stmt *, int);
  int (*step)(sqlite3_stmt *);
  int (*reset)(sqlite3_stmt *);
  int (*finalize)(sqlite3_stmt *);
  long long (*column_int64)(sqlite3_stmt *, int);
  const char *(*errmsg)(sqlite3 *);
  int (*busy_timeout)(sqlite3 *, int);
  long long (*last_insert_rowid)(sqlite3 *);
  int (*changes)(sqlite3 *);
} sq;

/* Binds sq from libsqlite3. Returns NULL on success, else dlerror's text. */
static const char *lp_load_sqlite(void) {
  if (sq.open_v2)
    return NULL;
  const char *lib = getenv("LINEPROF_SQLITE");
  void *h = dlopen(lib && *lib ? lib : "libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return dlerror();
  struct {
    void **fn;
    const char *name;
  } syms[] = {
      {(void **)&sq.close, "sqlite3_close"},
      {(void **)&sq.exec, "sqlite3_exec"},
      {(void **)&sq.prepare_v2, "sqlite3_prepare_v2"},
      {(void **)&sq.bind_int64, "sqlite3_bind_int64"},
      {(void **)&sq.bind_double, "sqlite3_bind_double"},
      {(void **)&sq.bind_text, "sqlite3_bind_text"},
      {(void **)&sq.bind_null, "sqlite3_bind_null"},
      {(void **)&sq.step, "sqlite3_step"},
      {(void **)&sq.reset, "sqlite3_reset"},
      {(void **)&sq.finalize, "sqlite3_finalize"},
      {(void **)&sq.column_int64, "sqlite3_column_int64"},
      {(void **)&sq.errmsg, "sqlite3_errmsg"},
      {(void **)&sq.busy_timeout, "sqlite3_busy_timeout"},
      {(void **)&sq.last_insert_rowid, "sqlite3_last_insert_rowid"},
      {(void **)&sq.changes, "sqlite3_changes"},
      {(void **)&sq.open_v2, "sqlite3_open_v2"}, /* last: marks success */
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    if (!(*syms[i].fn = dlsym(h, syms[i].name)))
      return dlerror();
  return NULL;
}

/* State of one flush. */
struct lp_writer {
  sqlite3 *db;
  long long run_id;
  double ns_per_tick;       /* 1e9 / ticks_per_second */
  double overhead;          /* ticks one probe adds to a segment */
  sqlite3_stmt *file, *function, *line, *line_find, *line_stat, *function_stat,
      *call_stat;
  long long *file_ids;      /* per module file index, reused across modules */
  size_t file_ids_cap;
  uint64_t lines_written;
  const char *error;        /* first failure, for the message */
};

static int lp_prepare(struct lp_writer *w, sqlite3_stmt **st, const char *sql) {
  if (sq.prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK) {
    w->error = sq.errmsg(w->db);
    return -1;
  }
  return 0;
}

/* Runs a bound statement; with want_id, returns the first column of the row
 * it yields (RETURNING), else 0. Returns -1 on failure. */
static long long lp_run(struct lp_writer *w, sqlite3_stmt *st, int want_id) {
  long long id = 0;
  int rc = sq.step(st);
  if (want_id && rc == SQLITE_ROW) {
    id = sq.column_int64(st, 0);
    rc = sq.step(st);
  }
  sq.reset(st);
  if (rc != SQLITE_DONE) {
    w->error = sq.errmsg(w->db);
    return -1;
  }
  return id;
}

/* The line_id of (function, file, line), inserting the row when it is new.
 * Not an upsert with RETURNING: SQLite runs RETURNING through a temporary
 * table per execution, and an upsert rewrites an existing row; one run of
 * sqlite3.c has 50,000 lines. Returns -1 with w->error set on failure. */
static long long lp_line_id(struct lp_writer *w, long long fn, long long file,
                            long long line) {
  sq.bind_int64(w->line, 1, fn);
  sq.bind_int64(w->line, 2, file);
  sq.bind_int64(w->line, 3, line);
  if (lp_run(w, w->line, 0) < 0)
    return -1;
  if (sq.changes(w->db) == 1)
    return sq.last_insert_rowid(w->db);
  sq.bind_int64(w->line_find, 1, fn);
  sq.bind_int64(w->line_find, 2, file);
  sq.bind_int64(w->line_find, 3, line);
  long long id = lp_run(w, w->line_find, 1);
  if (id == 0 && !w->error)
    w->error = "a line row vanished while writing";
  return id > 0 ? id : -1;
}

static int64_t lp_ns(const struct lp_writer *w, double ticks) {
  return ticks <= 0 ? 0 : (int64_t)(ticks * w->ns_per_tick + 0.5);
}

/* Orders segment indices by (function, file, line) so that one pass can sum
 * the segments of each line. */
static const struct lp_segment_desc *lp_sort_segs;
static int lp_cmp_seg(const void *a, const void *b) {
  const struct lp_segment_desc *x = &lp_sort_segs[*(const uint32_t *)a];
  const struct lp_segment_desc *y = &lp_sort_segs[*(const uint32_t *)b];
  if (x->function != y->function)
    return x->function < y->function ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return 0;
}

/* Per-function totals gathered from its segments. */
struct lp_fn_total {
  double self_ticks; /* compensated ticks outside calls */
  double call_ticks; /* compensated ticks of its call segments */
  double inclusive_ticks; /* its primitive calls, less the probes inside */
  double scale;      /* factor applied to the self ticks of its lines */
};

/* The calls of one line to one callee. */
struct lp_call_total {
  uint32_t callee; /* index into the module's callees */
  uint64_t calls;  /* exact count */
  double ticks;    /* compensated ticks of the calls */
};

/* Module function indices sorted by linkage name, to find a callee that is
 * defined in the same module. */
static const struct lp_function_desc *lp_sort_fns;
static int lp_cmp_fn(const void *a, const void *b) {
  return strcmp(lp_sort_fns[*(const uint32_t *)a].linkage_name,
                lp_sort_fns[*(const uint32_t *)b].linkage_name);
}

/* Returns the index of the module's function named `name`, or -1. */
static long lp_find_fn(const struct lp_module_desc *m, const uint32_t *sorted,
                       const char *name) {
  size_t lo = 0, hi = m->n_functions;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(m->functions[sorted[mid]].linkage_name, name);
    if (c == 0)
      return sorted[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* Writes one module's tables and statistics. Returns 0 or -1. */
static int lp_write_module(void *ctx, const struct lp_module_desc *m,
                           const uint64_t *words) {
  struct lp_writer *w = ctx;
  const uint64_t *fn_words = words;
  const uint64_t *hits = words + lp_hits_offset(m);
  const uint64_t *ticks = words + lp_ticks_offset(m);
  int timing = (m->flags & LP_MOD_TIMING) != 0;
  int rc = -1;

  if (m->n_files > w->file_ids_cap) {
    long long *ids = realloc(w->file_ids, m->n_files * sizeof *ids);
    if (!ids)
      return -1;
    w->file_ids = ids;
    w->file_ids_cap = m->n_files;
  }
  for (uint32_t i = 0; i < m->n_files; i++) {
    /* The module's strings outlive the statement: no copy. */
    sq.bind_text(w->file, 1, m->files[i], -1, SQLITE_STATIC);
    sq.bind_text(w->file, 2, m->checksums[i], -1, SQLITE_STATIC);
    if ((w->file_ids[i] = lp_run(w, w->file, 1)) < 0)
      return -1;
  }

  uint32_t *order = malloc((m->n_segments + 1) * sizeof *order);
  struct lp_fn_total *totals = calloc(m->n_functions + 1, sizeof *totals);
  long long *fn_ids = calloc(m->n_functions + 1, sizeof *fn_ids);
  uint32_t *by_name = malloc((m->n_functions + 1) * sizeof *by_name);
  double *probe = NULL;     /* ticks per probe, per function */
  double *seg_ticks = NULL; /* compensated ticks per segment */
  size_t calls_cap = 16, n_calls = 0;
  struct lp_call_total *calls = malloc(calls_cap * sizeof *calls);
  if (!order || !totals || !fn_ids || !by_name || !calls)
    goto out;
  for (uint32_t f = 0; f < m->n_functions; f++)
    by_name[f] = f;
  lp_sort_fns = m->functions;
  qsort(by_name, m->n_functions, sizeof *by_name, lp_cmp_fn);

  /* The cost of one probe, per function: the ticks of the empty segment
   * every timed block starts with, over the number of blocks it stands for
   * (the weights make that the block executions). A function with no
   * timed block gets the cost measured at exit. */
  probe = malloc((m->n_functions + 1) * sizeof *probe);
  if (!probe)
    goto out;
  double all_measured = 0, all_executions = 0;
  for (uint32_t f = 0; f < m->n_functions; f++) {
    uint32_t first = m->functions[f].entry_block;
    uint32_t last = f + 1 < m->n_functions ? m->functions[f + 1].entry_block
                                           : m->n_blocks;
    uint64_t executions = 0;
    for (uint32_t b = first; b < last && b < m->n_blocks; b++)
      executions += hits[b];
    uint64_t measured = fn_words[(uint64_t)f * LP_FN_WORDS + LP_FN_PROBE_TICKS];
    probe[f] = executions && measured ? (double)measured / (double)executions
                                      : w->overhead;
    all_measured += (double)measured;
    all_executions += (double)executions;
  }
  /* A timed call's duration holds the timestamps taken inside it, in its
   * own code and in its callees': each costs about what an empty segment
   * does, on average over the module. */
  double stamp = all_executions && all_measured ? all_measured / all_executions
                                                : w->overhead;
  for (uint32_t f = 0; timing && f < m->n_functions; f++) {
    double t = (double)fn_words[(uint64_t)f * LP_FN_WORDS + LP_FN_INCLUSIVE_TICKS] -
               stamp * (double)fn_words[(uint64_t)f * LP_FN_WORDS +
                                        LP_FN_INCLUSIVE_PROBES];
    totals[f].inclusive_ticks = t > 0 ? t : 0;
  }

  for (uint32_t f = 0; f < m->n_functions; f++) {
    const struct lp_function_desc *fd = &m->functions[f];
    sq.bind_int64(w->function, 1, w->file_ids[fd->file]);
    sq.bind_text(w->function, 2, fd->name, -1, SQLITE_STATIC);
    sq.bind_text(w->function, 3, fd->linkage_name, -1, SQLITE_STATIC);
    sq.bind_int64(w->function, 4, fd->line);
    if ((fn_ids[f] = lp_run(w, w->function, 1)) < 0)
      goto out;
  }

  for (uint32_t s = 0; s < m->n_segments; s++)
    order[s] = s;
  lp_sort_segs = m->segments;
  qsort(order, m->n_segments, sizeof *order, lp_cmp_seg);

  /* Each segment's time: its ticks minus what its probes cost. */
  seg_ticks = calloc(m->n_segments + 1, sizeof *seg_ticks);
  if (!seg_ticks)
    goto out;
  for (uint32_t s = 0; timing && s < m->n_segments; s++) {
    const struct lp_segment_desc *sd = &m->segments[s];
    if (sd->flags & LP_SEG_CALL_PROBES)
      continue;
    double t = (double)ticks[s] - probe[sd->function] * (double)hits[sd->block];
    /* A call's duration also holds the timestamps taken in the callee. */
    if (s + 1 < m->n_segments && (m->segments[s + 1].flags & LP_SEG_CALL_PROBES))
      t -= stamp * (double)ticks[s + 1];
    seg_ticks[s] = t > 0 ? t : 0;
    if (!(sd->flags & LP_SEG_CALL))
      totals[sd->function].self_ticks += seg_ticks[s];
    else if (sd->callee >= m->n_callees ||
             strcmp(m->callees[sd->callee],
                    m->functions[sd->function].linkage_name) != 0)
      totals[sd->function].call_ticks += seg_ticks[s];
    /* a call of the function to itself happens inside its total */
  }
  /* All of a function's own time happens inside its primitive calls and
   * outside its calls to other functions, so it is at most its measured
   * total minus the time of those calls (its calls to itself are inside
   * the total already). Timed segments overstate short code that overlaps
   * in the pipeline (a timestamp waits for it to finish), so when its
   * lines' own time comes out larger than that, it is scaled down to it:
   * the lines keep their shares, the function its measured total. The
   * bound is a difference of two sampled estimates; it is trusted only
   * when the calls are at most half of the total: a function that mostly
   * calls out keeps its lines' own measure (the bound once zeroed the self
   * time of such functions). */
  for (uint32_t f = 0; f < m->n_functions; f++) {
    double total = totals[f].inclusive_ticks;
    double bound = total - totals[f].call_ticks;
    totals[f].scale = 1;
    if (timing && hits[m->functions[f].entry_block] &&
        totals[f].call_ticks <= 0.5 * total && totals[f].self_ticks > bound)
      totals[f].scale = bound / totals[f].self_ticks;
    totals[f].self_ticks = 0; /* summed again below, scaled */
  }

  /* One line: hits are the largest count among the blocks it has code in
   * (docs/design.md, "Hits"); time sums its segments, minus probe cost. */
  for (uint32_t i = 0; i < m->n_segments;) {
    const struct lp_segment_desc *first = &m->segments[order[i]];
    uint64_t line_hits = 0;
    double line_ticks = 0, line_self = 0;
    n_calls = 0;
    uint32_t j = i;
    for (; j < m->n_segments; j++) {
      const struct lp_segment_desc *s = &m->segments[order[j]];
      if (s->function != first->function || s->file != first->file ||
          s->line != first->line)
        break;
      if (s->flags & LP_SEG_CALL_PROBES)
        continue;
      uint64_t h = hits[s->block];
      if (h > line_hits)
        line_hits = h;
      double t = seg_ticks[order[j]];
      if (!(s->flags & LP_SEG_CALL)) {
        t *= totals[s->function].scale;
        line_self += t;
      }
      line_ticks += t;
      if ((s->flags & LP_SEG_CALL) && s->callee < m->n_callees) {
        size_t k = 0;
        while (k < n_calls && calls[k].callee != s->callee)
          k++;
        if (k == n_calls) {
          if (n_calls == calls_cap) {
            struct lp_call_total *more =
                realloc(calls, (calls_cap *= 2) * sizeof *calls);
            if (!more)
              goto out;
            calls = more;
          }
          calls[n_calls++] = (struct lp_call_total){s->callee, 0, 0};
        }
        calls[k].calls += h;
        calls[k].ticks += t;
      }
    }
    totals[first->function].self_ticks += line_self;
    if (first->line != 0) {
      long long line_id = lp_line_id(w, fn_ids[first->function],
                                     w->file_ids[first->file], first->line);
      if (line_id < 0)
        goto out;
      sq.bind_int64(w->line_stat, 1, w->run_id);
      sq.bind_int64(w->line_stat, 2, line_id);
      sq.bind_int64(w->line_stat, 3, (long long)line_hits);
      sq.bind_int64(w->line_stat, 4, lp_ns(w, line_ticks));
      sq.bind_int64(w->line_stat, 5, lp_ns(w, line_self));
      if (lp_run(w, w->line_stat, 0) < 0)
        goto out;
      w->lines_written++;
      for (size_t k = 0; k < n_calls; k++) {
        const char *callee = m->callees[calls[k].callee];
        long f = *callee ? lp_find_fn(m, by_name, callee) : -1;
        sq.bind_int64(w->call_stat, 1, w->run_id);
        sq.bind_int64(w->call_stat, 2, line_id);
        sq.bind_text(w->call_stat, 3, callee, -1, SQLITE_STATIC);
        if (f >= 0)
          sq.bind_int64(w->call_stat, 4, fn_ids[f]);
        else
          sq.bind_null(w->call_stat, 4);
        sq.bind_int64(w->call_stat, 5, (long long)calls[k].calls);
        sq.bind_int64(w->call_stat, 6, lp_ns(w, calls[k].ticks));
        if (lp_run(w, w->call_stat, 0) < 0)
          goto out;
      }
    }
    i = j;
  }

  for (uint32_t f = 0; f < m->n_functions; f++) {
    const uint64_t *fw = fn_words + (uint64_t)f * LP_FN_WORDS;
    sq.bind_int64(w->function_stat, 1, w->run_id);
    sq.bind_int64(w->function_stat, 2, fn_ids[f]);
    sq.bind_int64(w->function_stat, 3,
                  (long long)hits[m->functions[f].entry_block]);
    sq.bind_int64(w->function_stat, 4, (long long)fw[LP_FN_PRIMITIVE_CALLS]);
    sq.bind_int64(w->function_stat, 5,
                  timing ? lp_ns(w, totals[f].inclusive_ticks) : 0);
    sq.bind_int64(w->function_stat, 6, lp_ns(w, totals[f].self_ticks));
    if (lp_run(w, w->function_stat, 0) < 0)
      goto out;
  }
  rc = 0;
out:
  free(order);
  free(totals);
  free(fn_ids);
  free(by_name);
  free(calls);
  free(probe);
  free(seg_ticks);
  return rc;
}

/* Opens the database at path and makes sure it has our schema, inside an
 * open write transaction. Returns 0, or -1 with w->error set. */
static int lp_open(struct lp_writer *w, const char *path) {
  /* One thread uses the connection: no mutex around every call. */
  if (sq.open_v2(path, &w->db,
                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                 NULL) != SQLITE_OK) {
    w->error = w->db ? sq.errmsg(w->db) : "out of memory";
    return -1;
  }
  sq.busy_timeout(w->db, lp_config.busy_timeout_ms);
  /* In WAL mode, NORMAL never corrupts the database; only the last runs
   * can be lost to a power cut. It saves an fsync per run at exit. */
  sq.exec(w->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
  sqlite3_stmt *st;
  if (lp_prepare(w, &st, "PRAGMA user_version") != 0)
    return -1;
  long long version = lp_run(w, st, 1);
  sq.finalize(st);
  if (version < 0)
    return -1;
  if (version > LP_SCHEMA_VERSION) {
    static char msg[128];
    snprintf(msg, sizeof msg,
             "database schema version %lld is newer than this runtime's (%d)",
             version, LP_SCHEMA_VERSION);
    w->error = msg;
    return -1;
  }
  /* Switching a new database to WAL, or starting the write transaction
   * while other processes create the same database, can fail with
   * SQLITE_BUSY without SQLite waiting (it does not wait where waiting
   * could deadlock): try again, within the busy timeout. */
  uint64_t deadline = lp_clock_ns(CLOCK_MONOTONIC) +
                      (uint64_t)lp_config.busy_timeout_ms * 1000000u;
  for (;;) {
    int rc = SQLITE_OK;
    if (version == 0)
      rc = sq.exec(w->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
      rc = sq.exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
      rc = sq.exec(w->db, LP_SCHEMA_SQL "PRAGMA user_version=1;", NULL, NULL,
                   NULL);
      if (rc != SQLITE_OK)
        sq.exec(w->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
      return 0;
    if ((rc & 0xff) != SQLITE_BUSY || lp_clock_ns(CLOCK_MONOTONIC) > deadline) {
      w->error = sq.errmsg(w->db);
      return -1;
    }
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

/* The run this process wrote last, and where: a later write to the same
 * database (a snapshot, then the end) replaces its statistics. */
static struct {
  char path[8200];
  long long run_id; /* 0: none yet */
} lp_last;

LP_HIDDEN void lp_writer_new_run(void) { lp_last.run_id = 0; }

/* Adds this process's run, or takes back the one written before, and
 * fills in how it ended. Returns 0 or -1. */
static int lp_put_run(struct lp_writer *w, const char *path, double tps,
                      const struct lp_run_end *end) {
  sqlite3_stmt *st;
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  int reuse = lp_last.run_id && strcmp(lp_last.path, path) == 0;
  if (reuse) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "DELETE FROM line_stats WHERE run_id=%lld; "
             "DELETE FROM function_stats WHERE run_id=%lld; "
             "DELETE FROM call_stats WHERE run_id=%lld;",
             lp_last.run_id, lp_last.run_id, lp_last.run_id);
    if (sq.exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
      w->error = sq.errmsg(w->db);
      return -1;
    }
  }
  if (lp_prepare(w, &st,
                 reuse ? "INSERT OR REPLACE INTO runs(command, cwd, hostname, "
                         "pid, start_ns, end_ns, exit_status, status, timer, "
                         "ticks_per_second, probe_overhead_ticks, tool_version, "
                         "exit_signal, parent_pid, parent_start_ns, run_id) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                       : "INSERT INTO runs(command, cwd, hostname, pid, "
                         "start_ns, end_ns, exit_status, status, timer, "
                         "ticks_per_second, probe_overhead_ticks, tool_version, "
                         "exit_signal, parent_pid, parent_start_ns) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") != 0)
    return -1;
  sq.bind_text(st, 1, lp_config.command ? lp_config.command : "", -1,
               SQLITE_TRANSIENT);
  sq.bind_text(st, 2, lp_config.cwd, -1, SQLITE_TRANSIENT);
  sq.bind_text(st, 3, host, -1, SQLITE_TRANSIENT);
  sq.bind_int64(st, 4, lp_config.pid);
  sq.bind_int64(st, 5, (long long)lp_config.start_ns);
  sq.bind_int64(st, 6, (long long)lp_clock_ns(CLOCK_REALTIME));
  if (end->have_status)
    sq.bind_int64(st, 7, end->exit_status);
  else
    sq.bind_null(st, 7);
  sq.bind_text(st, 8, end->status, -1, SQLITE_TRANSIENT);
  sq.bind_text(st, 9, LP_TIMER_NAME, -1, SQLITE_TRANSIENT);
  sq.bind_double(st, 10, tps);
  sq.bind_double(st, 11, w->overhead);
  sq.bind_text(st, 12, LINEPROF_VERSION, -1, SQLITE_TRANSIENT);
  if (end->exit_signal)
    sq.bind_int64(st, 13, end->exit_signal);
  else
    sq.bind_null(st, 13);
  if (lp_config.parent_pid) {
    sq.bind_int64(st, 14, lp_config.parent_pid);
    sq.bind_int64(st, 15, (long long)lp_config.parent_start_ns);
  } else {
    sq.bind_null(st, 14);
    sq.bind_null(st, 15);
  }
  if (reuse)
    sq.bind_int64(st, 16, lp_last.run_id);
  int rc = lp_run(w, st, 0);
  sq.finalize(st);
  if (rc < 0)
    return -1;
  w->run_id = reuse ? lp_last.run_id : sq.last_insert_rowid(w->db);
  return 0;
}

static int lp_exec(struct lp_writer *w, const char *sql) {
  if (sq.exec(w->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  w->error = sq.errmsg(w->db);
  return -1;
}

/* Writes the run into the database at path. Returns 0, or -1 with the
 * reason copied into why. */
static int lp_write_to(const char *path, const struct lp_run_end *end,
                       double tps, double overhead, uint64_t flush_start,
                       char *why, size_t why_size) {
  struct lp_writer w = {0};
  w.ns_per_tick = 1e9 / tps;
  w.overhead = overhead;
  int rc = lp_open(&w, path);
  if (rc == 0)
    rc = lp_put_run(&w, path, tps, end);
  if (rc == 0)
    rc = lp_prepare(&w, &w.file,
                    "INSERT INTO files(path, checksum) VALUES(?,?) "
                    "ON CONFLICT(path, checksum) DO UPDATE SET path=path "
                    "RETURNING file_id");
  if (rc == 0)
    rc = lp_prepare(&w, &w.function,
                    "INSERT INTO functions(file_id, name, linkage_name, line_no) "
                    "VALUES(?,?,?,?) ON CONFLICT(file_id, linkage_name, line_no) "
                    "DO UPDATE SET name=excluded.name RETURNING function_id");
  if (rc == 0)
    rc = lp_prepare(&w, &w.line,
                    "INSERT OR IGNORE INTO lines(function_id, file_id, line_no) "
                    "VALUES(?,?,?)");
  if (rc == 0)
    rc = lp_prepare(&w, &w.line_find,
                    "SELECT line_id FROM lines WHERE function_id=? AND "
                    "file_id=? AND line_no=?");
  if (rc == 0)
    rc = lp_prepare(&w, &w.line_stat,
                    "INSERT INTO line_stats(run_id, line_id, hits, time_ns, "
                    "self_ns) VALUES(?,?,?,?,?) ON CONFLICT(run_id, line_id) "
                    "DO UPDATE SET hits=hits+excluded.hits, "
                    "time_ns=time_ns+excluded.time_ns, "
                    "self_ns=self_ns+excluded.self_ns");
  if (rc == 0)
    rc = lp_prepare(&w, &w.function_stat,
                    "INSERT INTO function_stats(run_id, function_id, calls, "
                    "primitive_calls, inclusive_ns, self_ns) VALUES(?,?,?,?,?,?) "
                    "ON CONFLICT(run_id, function_id) DO UPDATE SET "
                    "calls=calls+excluded.calls, "
                    "primitive_calls=primitive_calls+excluded.primitive_calls, "
                    "inclusive_ns=inclusive_ns+excluded.inclusive_ns, "
                    "self_ns=self_ns+excluded.self_ns");
  if (rc == 0)
    rc = lp_prepare(&w, &w.call_stat,
                    "INSERT INTO call_stats(run_id, line_id, callee_name, "
                    "callee_function_id, calls, time_ns) VALUES(?,?,?,?,?,?) "
                    "ON CONFLICT(run_id, line_id, callee_name) DO UPDATE SET "
                    "callee_function_id=COALESCE(callee_function_id, "
                    "excluded.callee_function_id), "
                    "calls=calls+excluded.calls, time_ns=time_ns+excluded.time_ns");
  /* A child forked from a signal handler is alone: it must not wait for a
   * lock another thread held at the fork. */
  if (rc == 0 &&
      lp_registry_visit(lp_write_module, &w, !end->alone) != 0) {
    rc = -1;
    if (!w.error)
      w.error = "out of memory";
  }
  char sql[1024];
  if (rc == 0) {
    /* Calls into another module: the callee is the function of that name
     * that ran in this run (symbol names of external functions are unique
     * in a program). Then link parent and child runs of a fork, whichever
     * was written first. */
    snprintf(sql, sizeof sql,
             "UPDATE call_stats SET callee_function_id = ("
             "SELECT f.function_id FROM function_stats s JOIN functions f "
             "ON f.function_id = s.function_id WHERE s.run_id = %lld AND "
             "f.linkage_name = call_stats.callee_name LIMIT 1) "
             "WHERE run_id = %lld AND callee_function_id IS NULL AND "
             "callee_name <> '';"
             "UPDATE runs SET parent_run_id = (SELECT p.run_id FROM runs p "
             "WHERE p.pid = runs.parent_pid AND p.start_ns = runs.parent_start_ns) "
             "WHERE parent_run_id IS NULL AND parent_pid IS NOT NULL "
             "AND (run_id = %lld OR (parent_pid = %ld AND parent_start_ns = %lld));",
             w.run_id, w.run_id, w.run_id, lp_config.pid,
             (long long)lp_config.start_ns);
    rc = lp_exec(&w, sql);
  }
  if (rc == 0) {
    snprintf(sql, sizeof sql, "UPDATE runs SET flush_ns=%lld WHERE run_id=%lld",
             (long long)(lp_clock_ns(CLOCK_MONOTONIC) - flush_start), w.run_id);
    rc = lp_exec(&w, sql);
  }
  if (rc == 0)
    rc = lp_exec(&w, "COMMIT");
  if (rc != 0)
    snprintf(why, why_size, "%s", w.error ? w.error : strerror(errno));
  sqlite3_stmt *stmts[] = {w.file, w.function, w.line, w.line_find,
                           w.line_stat, w.function_stat, w.call_stat};
  for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
    if (stmts[i])
      sq.finalize(stmts[i]);
  if (w.db) {
    if (rc != 0)
      sq.exec(w.db, "ROLLBACK", NULL, NULL, NULL);
    sq.close(w.db);
  }
  free(w.file_ids);
  if (rc == 0) {
    snprintf(lp_last.path, sizeof lp_last.path, "%s", path);
    lp_last.run_id = w.run_id;
    lp_note("wrote run %lld to %s: %llu lines in %.1f ms", w.run_id, path,
            (unsigned long long)w.lines_written,
            (double)(lp_clock_ns(CLOCK_MONOTONIC) - flush_start) / 1e6);
  }
  return rc;
}

/* Where a run goes when its database cannot take it: beside the database,
 * else in TMPDIR. Named after the process so that snapshots of one run
 * land in the same file. */
static void lp_fallback_path(char *out, size_t size, int beside) {
  if (beside) {
    snprintf(out, size, "%s.fallback-%ld-%llu.db", lp_config.db_path,
             lp_config.pid, (unsigned long long)(lp_config.start_ns / 1000000000u));
    return;
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(out, size, "%s/lineprof-fallback-%ld-%llu.db",
           tmp && *tmp ? tmp : "/tmp", lp_config.pid,
           (unsigned long long)(lp_config.start_ns / 1000000000u));
}

static pthread_mutex_t lp_write_lock = PTHREAD_MUTEX_INITIALIZER;

LP_HIDDEN int lp_write_profile(const struct lp_run_end *end) {
  /* A write past `ulimit -f` must fail with EFBIG, not kill the program. */
  struct sigaction ignore = {.sa_handler = SIG_IGN}, old_xfsz;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGXFSZ, &ignore, &old_xfsz);
  if (!end->alone)
    pthread_mutex_lock(&lp_write_lock);

  uint64_t flush_start = lp_clock_ns(CLOCK_MONOTONIC);
  double tps = lp_ticks_per_second();
  double overhead = lp_probe_overhead_ticks();
  char why[512] = "", fallback_why[512] = "", fallback[8300] = "";
  int rc = -1;
  const char *load_error = lp_load_sqlite();
  if (load_error) {
    lp_warn("cannot write profile to %s: cannot load SQLite: %s",
            lp_config.db_path, load_error);
    goto out;
  }
  rc = lp_write_to(lp_config.db_path, end, tps, overhead, flush_start, why,
                   sizeof why);
  if (rc == 0)
    goto out;
  for (int beside = 1; beside >= 0 && rc != 0; beside--) {
    lp_fallback_path(fallback, sizeof fallback, beside);
    rc = lp_write_to(fallback, end, tps, overhead, flush_start, fallback_why,
                     sizeof fallback_why);
  }
  if (rc == 0)
    lp_warn("cannot write profile to %s: %s; saved it to %s "
            "(lineprof merge imports it)", lp_config.db_path, why, fallback);
  else
    lp_warn("cannot write profile to %s: %s; nor to %s: %s; profile lost",
            lp_config.db_path, why, fallback, fallback_why);
out:
  if (!end->alone)
    pthread_mutex_unlock(&lp_write_lock);
  sigaction(SIGXFSZ, &old_xfsz, NULL);
  return rc;
}

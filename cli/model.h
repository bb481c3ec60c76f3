/* The whole-program profile of one run (or of all runs summed), read from
 * the database for the reports that look across files: report, top, diff,
 * export, html and run's summary.
 *
 * Rows are merged by natural keys, never by database ids, so that two
 * builds of a file (files rows that differ by checksum) and two databases
 * agree: a file is its path, a function is (file, linkage name), a line is
 * (function, the line's file, line number). Read-only.
 */
#ifndef LINEPROF_CLI_MODEL_H
#define LINEPROF_CLI_MODEL_H

#include <stddef.h>

#include <sqlite3.h>

#define LP_NONE ((size_t)-1) /* an index that points nowhere */

struct lp_strings;

/* One runs row. */
struct lp_model_run {
  long long run_id;      /* runs.run_id */
  char *command;         /* runs.command */
  char *status;          /* 'complete' or 'in_progress' */
  long long pid;         /* runs.pid */
  long long start_ns;    /* epoch ns */
  long long end_ns;      /* epoch ns, or -1 when unknown */
  long long exit_status; /* exit status, or -1 when unknown */
};

struct lp_model_file {
  char *path;        /* files.path, as recorded (absolute) */
  const char *shown; /* how reports show it (lp_display_path) */
  char *checksum;    /* files.checksum of the newest build seen, or "" */
};

struct lp_model_function {
  size_t file;               /* index into files: where it is defined */
  char *name;                /* display name, functions.name */
  char *linkage_name;        /* functions.linkage_name: its identity */
  long line_no;              /* first line, newest build's */
  long long calls;           /* all calls, recursive ones included */
  long long primitive_calls; /* calls not made from within itself */
  long long inclusive_ns;    /* time of the primitive calls, ns */
  long long self_ns;         /* time in its own lines, ns */
  long long hits;            /* sum of its lines' hits */
  size_t first_line;         /* index of its first row in lines */
  size_t nlines;             /* its rows in lines (consecutive) */
};

struct lp_model_line {
  size_t function;   /* index into functions */
  size_t file;       /* index into files: the line's own file (differs
                        from the function's for inlined code) */
  long line_no;      /* 1-based */
  long long hits;    /* times it ran */
  long long time_ns; /* time including callees, ns */
  long long self_ns; /* time excluding instrumented callees, ns */
};

/* Calls made from one line to one callee. */
struct lp_model_call {
  size_t line;        /* index into lines: the call site */
  char *callee_name;  /* linkage name, "" for an indirect call */
  size_t callee;      /* index into functions, LP_NONE if not profiled */
  long long calls;    /* number of calls */
  long long time_ns;  /* inclusive time of those calls at the site, ns */
};

struct lp_model {
  long long run_id;                    /* a run id or LP_RUN_ALL */
  struct lp_model_run *runs;           /* the selected runs, by run_id */
  size_t nruns;                        /* entries in runs */
  struct lp_model_file *files;         /* by path */
  size_t nfiles;                       /* entries in files */
  struct lp_model_function *functions; /* by (file path, linkage name) */
  size_t nfunctions;                   /* entries in functions */
  struct lp_model_line *lines;         /* by function, file, line_no */
  size_t nlines;                       /* entries in lines */
  struct lp_model_call *calls;         /* by line, then callee name */
  size_t ncalls;                       /* entries in calls */
  long long total_self_ns;             /* sum of every line's self_ns: the
                                          run's measured time, ns */
  struct lp_strings *strings;          /* owns every string above */
};

/* Load the model of run `run_id` (a run id or LP_RUN_ALL; the caller has
 * checked that it exists). Returns SQLITE_OK or an SQLite error code
 * (SQLITE_NOMEM when out of memory); the model is then empty. */
int lp_model_load(sqlite3 *db, long long run_id, struct lp_model *m);

void lp_model_free(struct lp_model *m);

/* Index of the function with this key, or LP_NONE. */
size_t lp_model_find_function(const struct lp_model *m, const char *path,
                              const char *linkage_name);

/* Index of the file with this path, or LP_NONE. */
size_t lp_model_find_file(const struct lp_model *m, const char *path);

#endif

/* The profile of one source file, read from the database: its functions
 * and, for each, the lines that have code with their hits and times summed
 * over the selected runs and over every build of the file.
 *
 * Read-only. A bounded number of queries per file, never one per line or
 * per function, so that a 250k-line file loads in a small fraction of a
 * second; the merging happens in memory.
 */
#ifndef LINEPROF_CLI_PROFILE_H
#define LINEPROF_CLI_PROFILE_H

#include <stddef.h>

#include <sqlite3.h>

/* One line of a function that has code. */
struct lp_line_row {
  long line_no;      /* source line, 1-based */
  long long hits;    /* times the line ran */
  long long time_ns; /* time on the line including callees, ns */
  long long self_ns; /* time on the line excluding instrumented callees, ns */
};

/* One function; its rows are consecutive in lp_profile.rows. A function is
 * its (first line, linkage name): the same function in two builds of the
 * file (files rows with the same path) is one function here. */
struct lp_function {
  char *name;         /* display name, functions.name */
  char *linkage_name; /* functions.linkage_name */
  long first_line;    /* functions.line_no, 1-based */
  size_t first_row;   /* index of its first row in lp_profile.rows */
  size_t nrows;       /* rows, >= 1, ordered by line_no */
  long long hits;     /* sum of its rows' hits */
  long long total_ns; /* sum of its rows' time_ns, ns; as in line_profiler,
                         recursion counts a call once per level */
  long long self_ns;  /* sum of its rows' self_ns, ns */
};

struct lp_profile {
  char *checksum;                /* files.checksum of the newest build the
                                    selected runs used; "" when unknown */
  struct lp_function *functions; /* by first line, then linkage name */
  size_t nfunctions;             /* entries in functions */
  struct lp_line_row *rows;      /* all functions' rows, function by function */
  size_t nrows;                  /* entries in rows */
};

/* Load the profile of the recorded path `path` for run `run_id` (a run id,
 * or LP_RUN_ALL for the sum of all runs). Only functions and lines with
 * statistics in those runs are kept, and only lines in `path` itself (code
 * inlined from other files is left out). Returns SQLITE_OK, possibly with
 * no functions, or an SQLite error code (SQLITE_NOMEM when out of memory);
 * the profile is then empty. */
int lp_profile_load(sqlite3 *db, const char *path, long long run_id,
                    struct lp_profile *profile);

void lp_profile_free(struct lp_profile *profile);

#endif

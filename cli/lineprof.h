/* Shared declarations of the lineprof command: exit codes, the one state
 * struct that every subcommand reads, and the subcommand entry points.
 *
 * The CLI only ever reads a profile database. Nothing declared here may
 * create, migrate or modify one: the runtime owns the writing side.
 */
#ifndef LINEPROF_CLI_LINEPROF_H
#define LINEPROF_CLI_LINEPROF_H

#include <sqlite3.h>

#ifndef LINEPROF_VERSION
#define LINEPROF_VERSION "unknown"
#endif

/* Exit codes, from the least to the most serious, in the spirit of jq's
 * JQ_OK / JQ_ERROR_*. Scripts may rely on these values. */
enum lp_exit {
  LP_OK = 0,         /* the report was written */
  LP_ERR_DATA = 1,   /* the request matches no data in the database */
  LP_ERR_USAGE = 2,  /* bad option or missing argument; Usage: printed */
  LP_ERR_SYSTEM = 3, /* database unusable, I/O error, output failed */
};

/* Run selectors for lp_state.run_id besides a real (positive) run id. */
#define LP_RUN_LATEST 0LL /* default: the run with the largest run_id */
#define LP_RUN_ALL -1LL   /* --run all: sum over every run */

/* Everything a subcommand needs: the parsed command line and the open
 * database. Filled by main.c and the subcommand's option parser. */
struct lp_state {
  const char *db_path;    /* database file as given (--db, LINEPROF_DB) */
  sqlite3 *db;            /* read-only connection, NULL until opened */
  long long run_id;       /* run id, LP_RUN_LATEST or LP_RUN_ALL */
  double unit_s;          /* output timer unit, seconds (1e-6 = us) */
  int skip_zero;          /* -z: 1 = omit functions with 0 hits */
  const char **functions; /* --function NAME values, nfunctions entries */
  int nfunctions;         /* count of functions[] */
  const char **files;     /* FILE operands in command-line order */
  int nfiles;             /* count of files[] */
};

/* A subcommand parses argv (argv[0] is the subcommand's name) into the
 * state, does its work and returns an lp_exit code. Output goes to stdout;
 * main() flushes it and turns a write error into LP_ERR_SYSTEM. */
typedef int lp_command_fn(struct lp_state *st, int argc, char **argv);

lp_command_fn lp_cmd_annotate;
lp_command_fn lp_cmd_runs;

extern const char lp_annotate_usage[]; /* the exact "Usage: ..." line */
extern const char lp_annotate_help[];  /* option list for --help */
extern const char lp_runs_usage[];
extern const char lp_runs_help[];

#endif

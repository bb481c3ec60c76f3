/* Shared declarations of the lineprof command: exit codes, the one state
 * struct that every subcommand reads, and the subcommand entry points.
 *
 * Reports only ever read a profile database. Two commands write one, each
 * in a single transaction: `merge` (which may create it) and `prune`. No
 * command migrates a database or writes one of a schema it does not know.
 */
#ifndef LINEPROF_CLI_LINEPROF_H
#define LINEPROF_CLI_LINEPROF_H

#include <sqlite3.h>

#ifndef LINEPROF_VERSION
#define LINEPROF_VERSION "unknown"
#endif

/* Exit codes, from the least to the most serious, in the spirit of jq's
 * JQ_OK / JQ_ERROR_*. Scripts may rely on these values. `lineprof run`
 * exits with its program's status instead, once the program has run. */
enum lp_exit {
  LP_OK = 0,         /* the report was written */
  LP_ERR_DATA = 1,   /* the request matches no data in the database */
  LP_ERR_USAGE = 2,  /* bad option or missing argument; Usage: printed */
  LP_ERR_SYSTEM = 3, /* database unusable, I/O error, output failed */
};

/* Returned by a parser after printing --help: stop, exit LP_OK. */
#define LP_HELP_SHOWN (-1)

/* Run selectors for lp_state.run_id besides a real (positive) run id. */
#define LP_RUN_LATEST 0LL /* default: the run with the largest run_id */
#define LP_RUN_ALL -1LL   /* --run all: sum over every run */

/* --color: when to colour annotate's hot lines. */
enum lp_color { LP_COLOR_AUTO, LP_COLOR_ALWAYS, LP_COLOR_NEVER };

/* report --sort keys, pstats' names for them. */
enum lp_sort {
  LP_SORT_CUMTIME, /* inclusive time, descending (default) */
  LP_SORT_TOTTIME, /* self time, descending */
  LP_SORT_CALLS,   /* calls, descending */
  LP_SORT_NAME,    /* function name, ascending */
  LP_SORT_FILE,    /* file, then line, ascending */
};

/* prune's selection; several may be combined (a run goes if any picks it). */
struct lp_prune_request {
  long long keep;        /* --keep N: keep the N newest runs, -1 = unset */
  long long before_ns;   /* --before / --older-than: runs that started
                            before this epoch time, ns; -1 = unset */
  long long *runs;       /* --run N values */
  int nruns;             /* count of runs[] */
  int dry_run;           /* -n: 1 = print what would go, delete nothing */
  int vacuum;            /* --vacuum: 1 = VACUUM afterwards */
};

/* Everything a subcommand needs: the parsed command line and the open
 * database. Filled by main.c and the subcommand's option parser
 * (lp_parse_command in command.c); each command reads the part it
 * declared options for. */
struct lp_state {
  const char *db_path;    /* database file as given (--db, LINEPROF_DB) */
  sqlite3 *db;            /* connection, NULL until opened */
  long long run_id;       /* run id, LP_RUN_LATEST or LP_RUN_ALL */
  double unit_s;          /* output timer unit, seconds (1e-6 = us) */
  int skip_zero;          /* -z: 1 = omit functions with 0 hits */
  const char **functions; /* --function NAME values, nfunctions entries */
  int nfunctions;         /* count of functions[] */
  const char **operands;  /* operands (FILEs, RUNs, DBs) in order */
  int noperands;          /* count of operands[] */
  long long limit;        /* --limit: rows per table, 0 = no limit */
  enum lp_sort sort;      /* report --sort */
  const char *filter;     /* report --filter: POSIX extended regex, or NULL */
  int by_self;            /* top --by: 1 = self time, 0 = with callees */
  enum lp_color color;    /* --color as given; -r is ALWAYS */
  int use_color;          /* 1 = write ANSI colours (color resolved) */
  int json;               /* annotate --json: 1 = JSON instead of text */
  int summarize;          /* annotate -m: 1 = add a line per function */
  int sort_by_time;       /* annotate -t: 1 = functions by time, hottest
                             first */
  int show_self;          /* annotate -S: 1 = add the Self column */
  double min_percent;     /* annotate --min-percent, percent of the run's
                             time; 0 = show every function */
  int functions_only;     /* diff --functions-only */
  const char *format;     /* export --format: "callgrind" or "json" */
  const char *output;     /* -o: output file (export), directory (html),
                             database (run); NULL = default */
  struct lp_prune_request prune; /* prune's selection */
};

/* A subcommand parses argv (argv[0] is the subcommand's name) into the
 * state, does its work and returns an lp_exit code. Output goes to stdout;
 * main() flushes it and turns a write error into LP_ERR_SYSTEM. */
typedef int lp_command_fn(struct lp_state *st, int argc, char **argv);

/* One subcommand, as main.c's dispatch table lists it. */
struct lp_command {
  const char *name;    /* as typed after "lineprof" */
  const char *summary; /* one line for --help */
  lp_command_fn *run;  /* parses its own argv, returns an lp_exit code */
  const char *usage;   /* its "Usage: ..." line(s) */
  const char *help;    /* its option list, or NULL when it has none */
};

extern const struct lp_command lp_cmd_annotate, lp_cmd_report, lp_cmd_top,
    lp_cmd_diff, lp_cmd_runs, lp_cmd_merge, lp_cmd_prune, lp_cmd_export,
    lp_cmd_html, lp_cmd_run, lp_cmd_cc, lp_cmd_cxx;

#endif

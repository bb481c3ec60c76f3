/* What the subcommands share besides the state struct: one set of option
 * ids with one meaning each, the parser that fills lp_state from them (and
 * checks every value, naming it), and small helpers for reports.
 *
 * The parser prints only diagnostics, the Usage line and --help; reports
 * are the commands' business.
 */
#ifndef LINEPROF_CLI_COMMAND_H
#define LINEPROF_CLI_COMMAND_H

#include <stddef.h>

#include "lineprof.h"
#include "options.h"

/* Option ids for lp_option tables. Each means the same in every command
 * that accepts it, so one parser serves them all. */
enum lp_opt {
  LP_OPT_DB,             /* --db PATH */
  LP_OPT_RUN,            /* --run N|all */
  LP_OPT_PRUNE_RUN,      /* --run N, repeatable (prune) */
  LP_OPT_UNIT,           /* -u, --unit SECONDS */
  LP_OPT_HELP,           /* -h, --help */
  LP_OPT_SKIP_ZERO,      /* -z, --skip-zero */
  LP_OPT_FUNCTION,       /* --function NAME */
  LP_OPT_LIMIT,          /* --limit N */
  LP_OPT_SORT,           /* --sort KEY (report) */
  LP_OPT_FILTER,         /* --filter REGEX */
  LP_OPT_BY,             /* --by self|time */
  LP_OPT_COLOR,          /* --color auto|always|never */
  LP_OPT_RICH,           /* -r: --color=always */
  LP_OPT_JSON,           /* --json */
  LP_OPT_SUMMARIZE,      /* -m, --summarize */
  LP_OPT_SORT_BY_TIME,   /* -t, --sort (annotate: a flag) */
  LP_OPT_SELF,           /* -S, --self */
  LP_OPT_MIN_PERCENT,    /* --min-percent P */
  LP_OPT_FUNCTIONS_ONLY, /* --functions-only */
  LP_OPT_FORMAT,         /* --format callgrind|json */
  LP_OPT_OUTPUT,         /* -o, --output FILE|DIR|DB */
  LP_OPT_KEEP,           /* --keep N */
  LP_OPT_BEFORE,         /* --before DATE */
  LP_OPT_OLDER_THAN,     /* --older-than DAYS */
  LP_OPT_DRY_RUN,        /* -n, --dry-run */
  LP_OPT_VACUUM,         /* --vacuum */
};

/* Operand handling of lp_parse_command. */
enum lp_operands {
  LP_OPERANDS_ANYWHERE, /* operands may come between options */
  LP_OPERANDS_COMMAND,  /* the first operand starts a command line that is
                           kept verbatim (lineprof run -- PROGRAM ARGS) */
};

/* Parse a subcommand's argv with the option table `opts` into st; operands
 * go to st->operands. Returns LP_OK, LP_HELP_SHOWN after printing cmd's
 * help, or LP_ERR_USAGE after printing what is wrong and cmd's Usage. The
 * arrays it allocates in st are freed by lp_state_free. */
int lp_parse_command(struct lp_state *st, const struct lp_command *cmd,
                     const struct lp_option *opts, int argc, char **argv,
                     enum lp_operands operands);

/* Print "lineprof: error: <message>" and cmd's Usage; return LP_ERR_USAGE. */
int lp_command_misuse(const struct lp_command *cmd, const char *message);

/* Free what lp_parse_command allocated and close the database. */
void lp_state_free(struct lp_state *st);

/* Print the error for a failed allocation; returns LP_ERR_SYSTEM. */
int lp_out_of_memory(void);

/* malloc'd copy of s (NULL taken as ""), or NULL when out of memory. */
char *lp_strdup(const char *s);

/* How reports show a recorded path: relative to the current directory
 * when the file lies beneath it, else as recorded. Points into `path`. */
const char *lp_display_path(const char *path);

/* Decide st->use_color from st->color: ALWAYS forces colour, NEVER and a
 * set NO_COLOR turn it off for AUTO, which otherwise colours a terminal. */
void lp_resolve_color(struct lp_state *st);

#endif

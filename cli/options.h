/* Command-line scanning for lineprof subcommands: GNU-style long options
 * (`--opt value`, `--opt=value`), bundled short options (`-z`, `-uVALUE`,
 * `-zu VALUE`), operands anywhere, and `--` to end options.
 *
 * The scanner only classifies words; it prints nothing, so each subcommand
 * decides its messages and its Usage line.
 */
#ifndef LINEPROF_CLI_OPTIONS_H
#define LINEPROF_CLI_OPTIONS_H

/* One option a subcommand accepts. A table ends with a zero entry. */
struct lp_option {
  const char *long_name; /* without the leading "--", or NULL */
  char short_name;       /* single letter after "-", or 0 */
  int has_value;         /* 1 = takes a value, 0 = flag */
  int id;                /* returned by lp_next_option; must be >= 0 */
};

/* Scanner position; set up with lp_args_init. */
struct lp_args {
  int argc;           /* words, argv[0] excluded from scanning */
  char **argv;        /* the words */
  int index;          /* next word to look at */
  const char *bundle; /* rest of a short-option bundle, or NULL */
  int only_operands;  /* 1 after "--" */
  char word[8];       /* "-x" text of the short option being reported */
};

/* Results of lp_next_option besides an option id. */
enum {
  LP_ARG_END = -1,      /* no words left */
  LP_ARG_OPERAND = -2,  /* *text is an operand */
  LP_ARG_UNKNOWN = -3,  /* *text is the unknown option, e.g. "--foo" */
  LP_ARG_MISSING = -4,  /* *text is the option that lacks its value */
  LP_ARG_UNWANTED = -5, /* *text is a flag given "=value" ("--flag") */
};

/* Start scanning at argv[1]. */
void lp_args_init(struct lp_args *a, int argc, char **argv);

/* Return the next option's id with its value in *value (NULL for a flag),
 * or one of LP_ARG_*, with *text naming the word concerned. */
int lp_next_option(struct lp_args *a, const struct lp_option *opts,
                   const char **value, const char **text);

/* Parse a timer unit: a positive finite number of seconds such as "1e-6".
 * Returns 0 and stores it, or -1 if the text is anything else. */
int lp_parse_unit(const char *text, double *unit_s);

/* Parse a --run value: "all" gives LP_RUN_ALL, a decimal integer >= 1
 * gives itself. Returns 0, or -1 for anything else. */
int lp_parse_run(const char *text, long long *run_id);

/* Parse a count such as --limit's: a decimal integer >= 0. Returns 0, or
 * -1 for anything else. */
int lp_parse_count(const char *text, long long *count);

/* Parse a plain decimal number >= 0 (no sign, exponent, inf or nan), such
 * as --min-percent's or --older-than's. Returns 0, or -1 for anything
 * else. */
int lp_parse_number(const char *text, double *value);

/* Parse a local date "YYYY-MM-DD", optionally followed by " HH:MM[:SS]"
 * or "THH:MM[:SS]", into epoch ns. Returns 0, or -1 if the text is not
 * such a date. */
int lp_parse_date(const char *text, long long *epoch_ns);

#endif

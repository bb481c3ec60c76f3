/* Diagnostics of the lineprof command: every message on stderr starts with
 * "lineprof: error: " or "lineprof: warning: " and is one line.
 *
 * Only messages go through here; report text goes to stdout elsewhere.
 */
#ifndef LINEPROF_CLI_DIAG_H
#define LINEPROF_CLI_DIAG_H

#if defined(__GNUC__)
#define LP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LP_PRINTF(f, a)
/* Report what lp_next_option found wrong (LP_ARG_UNKNOWN, LP_ARG_MISSING,
 * LP_ARG_UNWANTED, or an LP_ARG_OPERAND that the command does not take)
 * with the offending word, then the Usage line. Returns LP_ERR_USAGE. */
int lp_bad_arguments(int kind, const char *text, const char *usage);

#endif

/* Print "lineprof: error: <message>\n" on stderr. */
void lp_error(const char *fmt, ...) LP_PRINTF(1, 2);

/* Print "lineprof: warning: <message>\n" on stderr. */
void lp_warn(const char *fmt, ...) LP_PRINTF(1, 2);

/* Print a subcommand's Usage line(s) on stderr and return LP_ERR_USAGE, so
 * that a parser can end with `return lp_usage_error(usage);`. */
int lp_usage_error(const char *usage);

/* Report what lp_next_option found wrong (LP_ARG_UNKNOWN, LP_ARG_MISSING,
 * LP_ARG_UNWANTED, or an LP_ARG_OPERAND that the command does not take)
 * with the offending word, then the Usage line. Returns LP_ERR_USAGE. */
int lp_bad_arguments(int kind, const char *text, const char *usage);

#endif

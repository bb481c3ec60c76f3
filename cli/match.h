/* The rule that maps a FILE argument of `lineprof annotate` to the source
 * paths recorded in the database (files.path, absolute as compiled).
 *
 * Pure string logic, no file system access: the caller resolves the
 * argument with realpath() first, so the rule is testable in isolation.
 */
#ifndef LINEPROF_CLI_MATCH_H
#define LINEPROF_CLI_MATCH_H

/* How well an argument names a recorded path; larger is better. */
enum lp_match {
  LP_MATCH_NONE = 0,   /* unrelated */
  LP_MATCH_SUFFIX = 1, /* path ends with "/" + arg ("fib.c", "ex/fib.c") */
  LP_MATCH_EXACT = 2,  /* path equals arg or realpath(arg) */
};

/* Classify `path` for the argument `arg`, whose realpath() is `resolved`
 * (NULL when the argument names no existing file). */
enum lp_match lp_match_path(const char *arg, const char *resolved,
                            const char *path);

#endif

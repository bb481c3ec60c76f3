/* Command-line scanning for lineprof subcommands (see options.h). Pure
 * functions of their arguments: no globals, no output, so that the unit
 * test can drive them with literal argv arrays (lp_parse_date alone reads
 * the time zone, as local dates must). */
#define _XOPEN_SOURCE 700 /* strptime */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lineprof.h"

void lp_args_init(struct lp_args *a, int argc, char **argv) {
  memset(a, 0, sizeof *a);
  a->argc = argc;
  a->argv = argv;
  a->index = 1;
}

static const struct lp_option *lp_find_long(const struct lp_option *opts,
                                            const char *name, size_t len) {
  for (; opts->long_name || opts->short_name; opts++)
    if (opts->long_name && strlen(opts->long_name) == len &&
        memcmp(opts->long_name, name, len) == 0)
      return opts;
  return NULL;
}

static const struct lp_option *lp_find_short(const struct lp_option *opts,
                                             char c) {
  for (; opts->long_name || opts->short_name; opts++)
    if (opts->short_name == c)
      return opts;
  return NULL;
}

/* Continue a bundle such as "-zu1e-3" at a->bundle. */
static int lp_next_short(struct lp_args *a, const struct lp_option *opts,
                         const char **value, const char **text) {
  char c = *a->bundle++;
  a->word[0] = '-';
  a->word[1] = c;
  a->word[2] = '\0';
  *text = a->word;
  const struct lp_option *o = lp_find_short(opts, c);
  if (!o) {
    a->bundle = NULL;
    return LP_ARG_UNKNOWN;
  }
  if (!o->has_value) {
    if (!*a->bundle)
      a->bundle = NULL;
    return o->id;
  }
  if (*a->bundle) {
    *value = a->bundle; /* -uVALUE */
  } else if (a->index < a->argc) {
    *value = a->argv[a->index++]; /* -u VALUE */
  } else {
    a->bundle = NULL;
    return LP_ARG_MISSING;
  }
  a->bundle = NULL;
  return o->id;
}

int lp_next_option(struct lp_args *a, const struct lp_option *opts,
                   const char **value, const char **text) {
  *value = NULL;
  *text = NULL;
  if (a->bundle)
    return lp_next_short(a, opts, value, text);
  if (a->index >= a->argc)
    return LP_ARG_END;

  char *word = a->argv[a->index++];
  *text = word;
  /* "-" alone is an operand (conventionally stdin), like in most tools. */
  if (a->only_operands || word[0] != '-' || word[1] == '\0')
    return LP_ARG_OPERAND;
  if (word[1] != '-') {
    a->bundle = word + 1;
    return lp_next_short(a, opts, value, text);
  }
  if (word[2] == '\0') {
    a->only_operands = 1;
    return lp_next_option(a, opts, value, text);
  }

  const char *name = word + 2;
  const char *eq = strchr(name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen(name);
  const struct lp_option *o = lp_find_long(opts, name, len);
  if (!o)
    return LP_ARG_UNKNOWN;
  if (!o->has_value)
    return eq ? LP_ARG_UNWANTED : o->id;
  if (eq) {
    *value = eq + 1;
  } else if (a->index < a->argc) {
    *value = a->argv[a->index++];
  } else {
    return LP_ARG_MISSING;
  }
  return o->id;
}

int lp_parse_unit(const char *text, double *unit_s) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  /* strtod skips leading blanks and accepts "inf"/"nan"; refuse both. */
  if (end == text || *end != '\0' || isspace((unsigned char)text[0]) ||
      errno == ERANGE || !isfinite(v) || !(v > 0))
    return -1;
  *unit_s = v;
  return 0;
}

int lp_parse_run(const char *text, long long *run_id) {
  if (strcmp(text, "all") == 0) {
    *run_id = LP_RUN_ALL;
    return 0;
  }
  if (text[0] < '0' || text[0] > '9')
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (*end != '\0' || errno == ERANGE || v < 1)
    return -1;
  *run_id = v;
  return 0;
}

int lp_parse_count(const char *text, long long *count) {
  if (text[0] < '0' || text[0] > '9')
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (*end != '\0' || errno == ERANGE)
    return -1;
  *count = v;
  return 0;
}

int lp_parse_number(const char *text, double *value) {
  /* Digits and at most one '.', so strtod's hex, exponents, inf and nan,
   * and its leading blanks, never get through. */
  size_t digits = 0, dots = 0, i;
  for (i = 0; text[i]; i++) {
    if (text[i] >= '0' && text[i] <= '9')
      digits++;
    else if (text[i] == '.')
      dots++;
    else
      return -1;
  }
  if (digits == 0 || dots > 1)
    return -1;
  *value = strtod(text, NULL);
  return 0;
}

int lp_parse_date(const char *text, long long *epoch_ns) {
  static const char *const formats[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                                        "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                                        "%Y-%m-%d"};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(text, formats[i], &tm);
    if (!end || *end != '\0' || !isdigit((unsigned char)text[0]))
      continue;
    tm.tm_isdst = -1;
    int mday = tm.tm_mday, mon = tm.tm_mon;
    time_t t = mktime(&tm);
    /* mktime normalizes 2024-02-31 to March; such a date is a typo. */
    if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon)
      return -1;
    *epoch_ns = (long long)t * 1000000000LL;
    return 0;
  }
  return -1;
}

/* Diagnostics of the lineprof command (see diag.h). stderr is unbuffered,
 * so a message is out before the report that it concerns is flushed. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lineprof.h"
#include "options.h"

static void lp_vmessage(const char *kind, const char *fmt, va_list ap) {
  fprintf(stderr, "lineprof: %s: ", kind);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void lp_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lp_vmessage("error", fmt, ap);
  va_end(ap);
}

void lp_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lp_vmessage("warning", fmt, ap);
  va_end(ap);
}

int lp_usage_error(const char *usage) {
  fputs(usage, stderr);
  return LP_ERR_USAGE;
}

int lp_bad_arguments(int kind, const char *text, const char *usage) {
  switch (kind) {
  case LP_ARG_OPERAND:
    lp_error("unexpected argument '%s'", text);
    break;
  case LP_ARG_MISSING:
    lp_error("option '%s' requires an argument", text);
    break;
  case LP_ARG_UNWANTED:
    lp_error("option '%.*s' takes no argument", (int)strcspn(text, "="), text);
    break;
  default:
    lp_error("unknown option '%s'", text);
    break;
  }
  return lp_usage_error(usage);
}

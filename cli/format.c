/* Text formatting of lineprof reports (see format.h). */
#define _XOPEN_SOURCE 700 /* localtime_r */
#include "format.h"

#include <math.h>
#include <string.h>
#include <time.h>

double lp_ns_per_unit(double unit_s) {
  double ns = unit_s * 1e9;
  double whole = nearbyint(ns);
  if (whole >= 1 && fabs(ns - whole) <= 1e-9 * whole)
    return whole;
  return ns;
}

/* Decimal digits of v into buf, no terminator; returns the count. */
static size_t lp_put_decimal(char *buf, unsigned long long v) {
  char digits[24];
  size_t n = 0;
  do
    digits[n++] = (char)('0' + v % 10);
  while (v /= 10);
  for (size_t i = 0; i < n; i++)
    buf[i] = digits[n - 1 - i];
  return n;
}

/* A large report formats hundreds of thousands of these. The fast path rounds
 * 10v to an integer; it is taken only where 10v is far from a tie, so that the
 * rounding error of 10v cannot change the result, and printf (which rounds
 * the exact binary value, ties to even) decides everything else. */
void lp_format_tenths(char *buf, size_t size, double v) {
  if (v >= 0 && v < 1e11) {
    double x = v * 10, whole = floor(x), frac = x - whole;
    if (fabs(frac - 0.5) > 0.01) {
      unsigned long long tenths = (unsigned long long)whole + (frac > 0.5);
      char text[32];
      size_t n = lp_put_decimal(text, tenths / 10);
      text[n++] = '.';
      text[n++] = (char)('0' + tenths % 10);
      size_t pad = n < 5 ? 5 - n : 0;
      memset(buf, ' ', pad);
      memcpy(buf + pad, text, n);
      buf[pad + n] = '\0';
      return;
    }
  }
  snprintf(buf, size, "%5.1f", v);
}

void lp_format_cells(struct lp_cells *c, long line_no, int has_code,
                     long long hits, long long time_ns, long long total_ns,
                     double ns_per_unit) {
  if (line_no >= 0)
    c->line_no[lp_put_decimal(c->line_no, (unsigned long long)line_no)] = '\0';
  else
    snprintf(c->line_no, sizeof c->line_no, "%ld", line_no);
  c->hits[0] = c->time[0] = c->per_hit[0] = c->percent[0] = c->self[0] = '\0';
  if (!has_code)
    return;
  double time_units = (double)time_ns / ns_per_unit;
  if (hits >= 0)
    c->hits[lp_put_decimal(c->hits, (unsigned long long)hits)] = '\0';
  else
    snprintf(c->hits, sizeof c->hits, "%lld", hits);
  lp_format_tenths(c->time, sizeof c->time, time_units);
  if (hits != 0)
    lp_format_tenths(c->per_hit, sizeof c->per_hit, time_units / (double)hits);
  lp_format_tenths(c->percent, sizeof c->percent,
                   total_ns != 0 ? 100.0 * (double)time_ns / (double)total_ns
                                 : 0.0);
}

void lp_format_self(struct lp_cells *c, long long self_ns, double ns_per_unit) {
  lp_format_tenths(c->self, sizeof c->self, (double)self_ns / ns_per_unit);
}

size_t lp_print_header(FILE *out) { return lp_print_header_self(out, 0); }

size_t lp_print_header_self(FILE *out, int show_self) {
  char header[128];
  int n = show_self
              ? snprintf(header, sizeof header, "%6s %9s %12s %12s %8s %8s  %s",
                         "Line #", "Hits", "Time", "Self", "Per Hit", "% Time",
                         "Line Contents")
              : snprintf(header, sizeof header, LP_ROW_CELLS "%s", "Line #",
                         "Hits", "Time", "Per Hit", "% Time", "Line Contents");
  char rule[sizeof header];
  memset(rule, '=', (size_t)n);
  rule[n] = '\0';
  fprintf(out, "%s\n%s\n", header, rule);
  return (size_t)n;
}

/* Append `text` right-aligned in `width` columns, then `gap` spaces, as
 * "%*s" would; returns the new end. */
static char *lp_put_cell(char *p, const char *text, size_t width, size_t gap) {
  size_t n = strlen(text);
  if (n < width) {
    memset(p, ' ', width - n);
    p += width - n;
  }
  memcpy(p, text, n);
  p += n;
  memset(p, ' ', gap);
  return p + gap;
}

void lp_print_row(FILE *out, const struct lp_cells *c, const char *text,
                  size_t len) {
  lp_print_row_ex(out, c, 0, NULL, text, len);
}

void lp_print_row_ex(FILE *out, const struct lp_cells *c, int show_self,
                     const char *sgr, const char *text, size_t len) {
  /* Assembled in memory and written at once: one stdio call per row. */
  char row[sizeof *c + 64 + 256];
  char *p = row;
  if (sgr)
    p += sprintf(p, "\033[%sm", sgr);
  p = lp_put_cell(p, c->line_no, 6, 1);
  p = lp_put_cell(p, c->hits, 9, 1);
  p = lp_put_cell(p, c->time, 12, 1);
  if (show_self)
    p = lp_put_cell(p, c->self, 12, 1);
  p = lp_put_cell(p, c->per_hit, 8, 1);
  p = lp_put_cell(p, c->percent, 8, 2);
  const char *reset = sgr ? "\033[0m\n" : "\n";
  size_t reset_len = strlen(reset);
  if (len + reset_len < (size_t)(row + sizeof row - p)) {
    memcpy(p, text, len);
    p += len;
    memcpy(p, reset, reset_len);
    p += reset_len;
    fwrite(row, 1, (size_t)(p - row), out);
    return;
  }
  fwrite(row, 1, (size_t)(p - row), out);
  fwrite(text, 1, len, out);
  fputs(reset, out);
}

const char *lp_heat_sgr(double percent) {
  if (percent >= 50)
    return "1;31";
  if (percent >= 20)
    return "31";
  if (percent >= 5)
    return "33";
  return NULL;
}

int lp_format_timestamp(long long epoch_ns, char *buf, size_t size) {
  /* Floor division, so that times before 1970 keep their second. */
  long long secs = epoch_ns / 1000000000LL;
  if (epoch_ns % 1000000000LL < 0)
    secs--;
  time_t t = (time_t)secs;
  struct tm tm;
  if ((long long)t != secs || !localtime_r(&t, &tm) ||
      strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
    snprintf(buf, size, "?");
    return -1;
  }
  return 0;
}

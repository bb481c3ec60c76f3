/* Text formatting of lineprof reports. The annotate layout is Python
 * line_profiler's (3.x show_func) to the character, so that people and
 * scripts that read line_profiler output can read ours.
 *
 * Formatting only: no database access, no decisions about what to show.
 */
#ifndef LINEPROF_CLI_FORMAT_H
#define LINEPROF_CLI_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* line_profiler's template '%6s %9s %12s %8s %8s  %-s', minus the line
 * contents, which are written separately because they may hold any byte. */
#define LP_ROW_CELLS "%6s %9s %12s %8s %8s  "

/* The numeric cells of one annotate row, formatted. An empty string is a
 * blank cell. Sized for the longest "%5.1f" of a finite double. */
struct lp_cells {
  char line_no[24];  /* source line number */
  char hits[24];     /* times the line ran, or "" */
  char time[320];    /* time in timer units, "%5.1f", or "" */
  char per_hit[320]; /* time per hit in timer units, or "" when 0 hits */
  char percent[320]; /* share of the function's total time, percent */
  char self[320];    /* self time in timer units, or "" (the Self column) */
};

/* Nanoseconds per output timer unit (1000 for 1e-6 s). Snapped to an
 * integer when within rounding error of one, so that 1250 ns at 1e-6 s is
 * exactly 1.25 units, as line_profiler's integer timings would give. */
double lp_ns_per_unit(double unit_s);

/* printf("%5.1f", v) into buf, which holds `size` >= 320 bytes: the same
 * text, computed without printf unless v is near a rounding tie. */
void lp_format_tenths(char *buf, size_t size, double v);

/* Fill the cells of one row. has_code = 0 leaves every number blank (the
 * line has no code); 0 hits blanks only Per Hit. A function total of 0
 * gives a 0.0 % Time instead of line_profiler's division by zero. */
void lp_format_cells(struct lp_cells *c, long line_no, int has_code,
                     long long hits, long long time_ns, long long total_ns,
                     double ns_per_unit);

/* Fill the Self cell of a row that has code (lp_format_cells blanks it). */
void lp_format_self(struct lp_cells *c, long long self_ns, double ns_per_unit);

/* Write the column header and its rule of '=' of the same length. Returns
 * the header's length in characters. */
size_t lp_print_header(FILE *out);

/* The same with a Self column after Time when show_self is 1. */
size_t lp_print_header_self(FILE *out, int show_self);

/* Write one row laid out as LP_ROW_CELLS, then `len` bytes of source text
 * and '\n'. */
void lp_print_row(FILE *out, const struct lp_cells *c, const char *text,
                  size_t len);

/* The same with the Self cell when show_self is 1, and the row wrapped in
 * the ANSI SGR sequence `sgr` (such as "31") unless it is NULL. */
void lp_print_row_ex(FILE *out, const struct lp_cells *c, int show_self,
                     const char *sgr, const char *text, size_t len);

/* The ANSI SGR colour of a line that takes `percent` of its function's
 * time: bold red from 50 %, red from 20 %, yellow from 5 %, else NULL. */
const char *lp_heat_sgr(double percent);

/* Local time of a Unix epoch in ns as "YYYY-MM-DD HH:MM:SS" (19 chars).
 * Returns 0, or -1 when the time cannot be represented (buf gets "?"). */
int lp_format_timestamp(long long epoch_ns, char *buf, size_t size);

#endif

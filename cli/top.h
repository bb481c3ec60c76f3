/* Report pieces that `lineprof top` prints and `lineprof run` reuses for
 * its summary. Formatting only; the model is loaded by the caller.
 */
#ifndef LINEPROF_CLI_TOP_H
#define LINEPROF_CLI_TOP_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* "Run N: COMMAND" for the model's run, or "Runs: all K, summed". */
void lp_print_run_header(FILE *out, const struct lp_model *m);

/* Print the `limit` hottest lines of m (0 = all) by self time or by time,
 * with a header, to out. Returns the number of lines printed. */
size_t lp_print_top_lines(FILE *out, const struct lp_model *m, int by_self,
                          long long limit, double unit_s);

#endif

/* `lineprof top`: the hottest lines of the whole program, across files and
 * functions, by self time (default) or by time including callees, with
 * their share of the run and their source text as it is now.
 *
 * Read-only. "The run's time" is the sum of every line's self time: each
 * measured nanosecond counted once, so that % Run by self time adds up to
 * 100 over all lines (see docs/usage.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "lineprof.h"
#include "model.h"
#include "source.h"
#include "top.h"

static const char lp_top_usage[] =
    "Usage: lineprof top [--db PATH] [--run N|all] [--by self|time] "
    "[--limit N] [-u SECONDS]\n";
static const char lp_top_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --run N|all           run to report (default: the latest run);\n"
    "                        'all' sums over every run\n"
    "  --by self|time        rank by self time (default) or by time with\n"
    "                        callees\n"
    "  --limit N             at most N lines (default 20; 0: all)\n"
    "  -u, --unit SECONDS    timer unit of the Time columns (default: 1e-6)\n";

static int lp_cmd_top_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_top = {
    "top", "the hottest lines of the whole program", lp_cmd_top_run,
    lp_top_usage, lp_top_help};

static const struct lp_option lp_top_options[] = {
    {"db", 0, 1, LP_OPT_DB},     {"run", 0, 1, LP_OPT_RUN},
    {"by", 0, 1, LP_OPT_BY},     {"limit", 0, 1, LP_OPT_LIMIT},
    {"unit", 'u', 1, LP_OPT_UNIT}, {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

static const struct lp_model *lp_top_model; /* for lp_compare_hot only */
static int lp_top_by_self;                  /* for lp_compare_hot only */

/* Hottest first; ties by file, line and function, for a stable report. */
static int lp_compare_hot(const void *a, const void *b) {
  const struct lp_model *m = lp_top_model;
  const struct lp_model_line *x = &m->lines[*(const size_t *)a];
  const struct lp_model_line *y = &m->lines[*(const size_t *)b];
  long long kx = lp_top_by_self ? x->self_ns : x->time_ns;
  long long ky = lp_top_by_self ? y->self_ns : y->time_ns;
  if (kx != ky)
    return kx > ky ? -1 : 1;
  int c = strcmp(m->files[x->file].path, m->files[y->file].path);
  if (c)
    return c;
  if (x->line_no != y->line_no)
    return x->line_no < y->line_no ? -1 : 1;
  return strcmp(m->functions[x->function].name,
                m->functions[y->function].name);
}

void lp_print_run_header(FILE *out, const struct lp_model *m) {
  if (m->run_id == LP_RUN_ALL) {
    fprintf(out, "Runs: all %zu, summed\n", m->nruns);
    return;
  }
  for (size_t i = 0; i < m->nruns; i++)
    fprintf(out, "Run %lld: %s\n", m->runs[i].run_id, m->runs[i].command);
}

size_t lp_print_top_lines(FILE *out, const struct lp_model *m, int by_self,
                          long long limit, double unit_s) {
  size_t *order = malloc((m->nlines ? m->nlines : 1) * sizeof *order);
  struct lp_source *sources = calloc(m->nfiles ? m->nfiles : 1,
                                     sizeof *sources);
  char *loaded = calloc(m->nfiles ? m->nfiles : 1, 1);
  size_t n = 0;
  if (!order || !sources || !loaded) {
    free(order);
    free(sources);
    free(loaded);
    lp_out_of_memory();
    return 0;
  }
  for (size_t i = 0; i < m->nlines; i++)
    if (m->lines[i].hits > 0)
      order[n++] = i;
  lp_top_model = m;
  lp_top_by_self = by_self;
  qsort(order, n, sizeof *order, lp_compare_hot);
  if (limit > 0 && (size_t)limit < n)
    n = (size_t)limit;

  /* Widths of the two text columns, from what is shown. */
  size_t loc_w = strlen("Location"), fn_w = strlen("Function");
  for (size_t i = 0; i < n; i++) {
    const struct lp_model_line *l = &m->lines[order[i]];
    char loc[32];
    size_t w = strlen(m->files[l->file].shown) +
               (size_t)snprintf(loc, sizeof loc, ":%ld", l->line_no);
    if (w > loc_w)
      loc_w = w;
    w = strlen(m->functions[l->function].name);
    if (w > fn_w)
      fn_w = w;
  }

  double ns_per_unit = lp_ns_per_unit(unit_s);
  fprintf(out, "Timer unit: %g s\n", unit_s);
  lp_print_run_header(out, m);
  fprintf(out, "Run time: %g s (the sum of every line's self time)\n",
          (double)m->total_self_ns * 1e-9);
  fprintf(out, "Ordered by: %s\n\n", by_self ? "self time" : "time");
  int header = fprintf(out, "%-*s  %-*s %9s %12s %12s %7s  %s\n", (int)loc_w,
                       "Location", (int)fn_w, "Function", "Hits", "Time",
                       "Self", "% Run", "Line Contents");
  for (int i = 0; i < header - 1; i++)
    putc('=', out);
  putc('\n', out);
  for (size_t i = 0; i < n; i++) {
    const struct lp_model_line *l = &m->lines[order[i]];
    char loc[4096], time[320], self[320], percent[320];
    snprintf(loc, sizeof loc, "%s:%ld", m->files[l->file].shown, l->line_no);
    lp_format_tenths(time, sizeof time, (double)l->time_ns / ns_per_unit);
    lp_format_tenths(self, sizeof self, (double)l->self_ns / ns_per_unit);
    long long metric = by_self ? l->self_ns : l->time_ns;
    lp_format_tenths(percent, sizeof percent,
                     m->total_self_ns > 0 ? 100.0 * (double)metric /
                                                (double)m->total_self_ns
                                          : 0.0);
    if (!loaded[l->file]) {
      loaded[l->file] = 1;
      lp_source_load(&sources[l->file], m->files[l->file].path);
    }
    const char *text;
    size_t len;
    lp_source_line(&sources[l->file], l->line_no, &text, &len);
    /* Leading blanks say nothing once the line is out of its file. */
    while (len > 0 && (*text == ' ' || *text == '\t'))
      text++, len--;
    fprintf(out, "%-*s  %-*s %9lld %12s %12s %7s  ", (int)loc_w, loc,
            (int)fn_w, m->functions[l->function].name, l->hits, time, self,
            percent);
    fwrite(text, 1, len, out);
    putc('\n', out);
  }
  for (size_t i = 0; i < m->nfiles; i++)
    lp_source_free(&sources[i]);
  free(sources);
  free(loaded);
  free(order);
  return n;
}

static int lp_cmd_top_run(struct lp_state *st, int argc, char **argv) {
  struct lp_model m = {0};
  st->run_id = LP_RUN_LATEST;
  st->by_self = 1;
  st->limit = 20;
  st->unit_s = 1e-6;
  int status = lp_parse_command(st, &lp_cmd_top, lp_top_options, argc, argv,
                                LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands > 0)
    return lp_bad_arguments(LP_ARG_OPERAND, st->operands[0], lp_top_usage);

  st->db_path = lp_db_path(st->db_path);
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &st->run_id)) != LP_OK)
    return status;
  int rc = lp_model_load(st->db, st->run_id, &m);
  if (rc != SQLITE_OK)
    return rc == SQLITE_NOMEM ? lp_out_of_memory()
                              : lp_db_error(st->db, st->db_path);
  size_t hot = 0;
  for (size_t i = 0; i < m.nlines; i++)
    hot += m.lines[i].hits > 0;
  if (hot == 0) {
    if (st->run_id == LP_RUN_ALL)
      lp_error("no line ran in any run of %s", st->db_path);
    else
      lp_error("no line ran in run %lld of %s", st->run_id, st->db_path);
    status = LP_ERR_DATA;
  } else {
    lp_print_top_lines(stdout, &m, st->by_self, st->limit, st->unit_s);
  }
  lp_model_free(&m);
  return status;
}

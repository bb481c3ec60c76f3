/* `lineprof report`: the function table of Python's cProfile/pstats
 * (Stats.print_stats), from function_stats: ncalls as total/primitive,
 * tottime = self time, cumtime = time of the primitive calls, the two
 * percall columns as pstats computes them, in seconds.
 *
 * Read-only. The layout is pstats' to the character, so that people used
 * to `python -m cProfile` read it at a glance.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "lineprof.h"
#include "model.h"

static const char lp_report_usage[] =
    "Usage: lineprof report [--db PATH] [--run N|all] [--sort KEY] "
    "[--limit N] [--filter REGEX]\n";
static const char lp_report_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --run N|all           run to report (default: the latest run);\n"
    "                        'all' sums over every run\n"
    "  --sort KEY            cumtime (default), tottime, calls, name or file\n"
    "  --limit N             at most N functions (default 0: all)\n"
    "  --filter REGEX        only functions whose name or\n"
    "                        file:line(function) matches the POSIX extended\n"
    "                        regular expression\n";

static int lp_cmd_report_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_report = {
    "report", "function table in cProfile/pstats layout", lp_cmd_report_run,
    lp_report_usage, lp_report_help};

static const struct lp_option lp_report_options[] = {
    {"db", 0, 1, LP_OPT_DB},       {"run", 0, 1, LP_OPT_RUN},
    {"sort", 0, 1, LP_OPT_SORT},   {"limit", 0, 1, LP_OPT_LIMIT},
    {"filter", 0, 1, LP_OPT_FILTER}, {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

/* pstats' words for each sort key, as "Ordered by:" shows them. */
static const char *const lp_sort_titles[] = {
    [LP_SORT_CUMTIME] = "cumulative time", [LP_SORT_TOTTIME] = "internal time",
    [LP_SORT_CALLS] = "call count",        [LP_SORT_NAME] = "function name",
    [LP_SORT_FILE] = "file name",
};

/* A function of the table with its pstats name, "file:line(function)". */
struct lp_entry {
  const struct lp_model_function *fn; /* the function */
  const char *file;                   /* its file as shown */
  char *label;                        /* file:line(function), owned */
};

static enum lp_sort lp_sort_key; /* for lp_compare_entry only */

static int lp_compare_entry(const void *a, const void *b) {
  const struct lp_entry *x = a, *y = b;
  long long kx = 0, ky = 0;
  int c = 0;
  switch (lp_sort_key) {
  case LP_SORT_CUMTIME:
    kx = x->fn->inclusive_ns, ky = y->fn->inclusive_ns;
    break;
  case LP_SORT_TOTTIME:
    kx = x->fn->self_ns, ky = y->fn->self_ns;
    break;
  case LP_SORT_CALLS:
    kx = x->fn->calls, ky = y->fn->calls;
    break;
  case LP_SORT_NAME:
    c = strcmp(x->fn->name, y->fn->name);
    break;
  case LP_SORT_FILE:
    c = strcmp(x->file, y->file);
    if (!c && x->fn->line_no != y->fn->line_no)
      c = x->fn->line_no < y->fn->line_no ? -1 : 1;
    break;
  }
  if (kx != ky)
    return kx > ky ? -1 : 1; /* numbers: largest first */
  return c ? c : strcmp(x->label, y->label);
}

/* pstats' f8(): "%8.3f" of seconds. */
static void lp_f8(long long ns) { printf("%8.3f ", (double)ns * 1e-9); }

static int lp_cmd_report_run(struct lp_state *st, int argc, char **argv) {
  struct lp_model m = {0};
  struct lp_entry *entries = NULL;
  size_t nentries = 0, shown;
  regex_t re;
  int have_re = 0, status;

  st->run_id = LP_RUN_LATEST;
  st->sort = LP_SORT_CUMTIME;
  status = lp_parse_command(st, &lp_cmd_report, lp_report_options, argc, argv,
                            LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands > 0)
    return lp_bad_arguments(LP_ARG_OPERAND, st->operands[0], lp_report_usage);
  if (st->filter) {
    int rc = regcomp(&re, st->filter, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char why[256];
      regerror(rc, &re, why, sizeof why);
      lp_error("invalid --filter '%s': %s", st->filter, why);
      return lp_usage_error(lp_report_usage);
    }
    have_re = 1;
  }

  st->db_path = lp_db_path(st->db_path);
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &st->run_id)) != LP_OK)
    goto out;
  int rc = lp_model_load(st->db, st->run_id, &m);
  if (rc != SQLITE_OK) {
    status = rc == SQLITE_NOMEM ? lp_out_of_memory()
                                : lp_db_error(st->db, st->db_path);
    goto out;
  }

  /* cProfile lists the functions that were called, and counts them all. */
  long long calls = 0, primitive = 0, self_ns = 0;
  entries = calloc(m.nfunctions + 1, sizeof *entries);
  if (!entries) {
    status = lp_out_of_memory();
    goto out;
  }
  for (size_t i = 0; i < m.nfunctions; i++) {
    const struct lp_model_function *fn = &m.functions[i];
    calls += fn->calls;
    primitive += fn->primitive_calls;
    self_ns += fn->self_ns;
    if (fn->calls == 0)
      continue;
    struct lp_entry *e = &entries[nentries++];
    e->fn = fn;
    e->file = m.files[fn->file].shown;
    size_t n = strlen(e->file) + strlen(fn->name) + 32;
    if (!(e->label = malloc(n))) {
      status = lp_out_of_memory();
      goto out;
    }
    snprintf(e->label, n, "%s:%ld(%s)", e->file, fn->line_no, fn->name);
  }
  if (nentries == 0) {
    lp_error("no function was called in %s of %s",
             st->run_id == LP_RUN_ALL ? "any run" : "the run", st->db_path);
    status = LP_ERR_DATA;
    goto out;
  }
  lp_sort_key = st->sort;
  qsort(entries, nentries, sizeof *entries, lp_compare_entry);

  /* Restrictions, in pstats' order: the regular expression, the count. */
  size_t before_filter = nentries, kept = nentries;
  if (have_re) {
    kept = 0;
    for (size_t i = 0; i < nentries; i++) {
      struct lp_entry e = entries[i];
      if (regexec(&re, e.fn->name, 0, NULL, 0) == 0 ||
          regexec(&re, e.label, 0, NULL, 0) == 0) {
        entries[i] = entries[kept];
        entries[kept++] = e;
      }
    }
    if (kept == 0) {
      lp_error("no function matches --filter '%s'", st->filter);
      status = LP_ERR_DATA;
      goto out;
    }
  }
  shown = st->limit > 0 && (size_t)st->limit < kept ? (size_t)st->limit : kept;

  printf("         %lld function calls", calls);
  if (calls != primitive)
    printf(" (%lld primitive calls)", primitive);
  printf(" in %.3f seconds\n\n", (double)self_ns * 1e-9);
  printf("   Ordered by: %s\n", lp_sort_titles[st->sort]);
  if (kept < before_filter)
    printf("   List reduced from %zu to %zu due to restriction <'%s'>\n",
           before_filter, kept, st->filter);
  if (shown < kept)
    printf("   List reduced from %zu to %zu due to restriction <%lld>\n", kept,
           shown, st->limit);
  printf("\n   ncalls  tottime  percall  cumtime  percall "
         "filename:lineno(function)\n");
  for (size_t i = 0; i < shown; i++) {
    const struct lp_model_function *fn = entries[i].fn;
    char ncalls[48];
    if (fn->calls != fn->primitive_calls)
      snprintf(ncalls, sizeof ncalls, "%lld/%lld", fn->calls,
               fn->primitive_calls);
    else
      snprintf(ncalls, sizeof ncalls, "%lld", fn->calls);
    printf("%9s ", ncalls);
    lp_f8(fn->self_ns);
    if (fn->calls == 0)
      printf("%8s ", "");
    else
      printf("%8.3f ", (double)fn->self_ns * 1e-9 / (double)fn->calls);
    lp_f8(fn->inclusive_ns);
    if (fn->primitive_calls == 0)
      printf("%8s ", "");
    else
      printf("%8.3f ", (double)fn->inclusive_ns * 1e-9 /
                           (double)fn->primitive_calls);
    printf("%s\n", entries[i].label);
  }
  printf("\n\n");

out:
  if (entries)
    for (size_t i = 0; i < nentries; i++)
      free(entries[i].label);
  free(entries);
  lp_model_free(&m);
  if (have_re)
    regfree(&re);
  return status;
}

/* `lineprof diff RUN_A RUN_B`: what changed between two runs, per function
 * and per line: hits (calls) and time in each, the change, and the speedup
 * A/B, biggest change first.
 *
 * Functions and lines are matched by natural key (file path, linkage name,
 * line number), never by database id, so that a rebuilt program, whose
 * files rows differ by checksum, compares with its old self: fix the slow
 * line, rebuild, run, diff. Read-only.
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
#include "options.h"
#include "reserve.h"
#include "source.h"

static const char lp_diff_usage[] =
    "Usage: lineprof diff [--db PATH] [--limit N] [--functions-only] "
    "[-u SECONDS] RUN_A RUN_B | A..B\n";
static const char lp_diff_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --limit N             at most N rows per table (default 20; 0: all)\n"
    "  --functions-only      only the function table\n"
    "  -u, --unit SECONDS    timer unit of the Time columns (default: 1e-6)\n";

static int lp_cmd_diff_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_diff = {
    "diff", "compare two runs per function and per line", lp_cmd_diff_run,
    lp_diff_usage, lp_diff_help};

static const struct lp_option lp_diff_options[] = {
    {"db", 0, 1, LP_OPT_DB},
    {"limit", 0, 1, LP_OPT_LIMIT},
    {"functions-only", 0, 0, LP_OPT_FUNCTIONS_ONLY},
    {"unit", 'u', 1, LP_OPT_UNIT},
    {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

/* One function or line as it was in run A and in run B. */
struct lp_change {
  char *label;           /* file:line(function) or file:line (function) */
  const char *path;      /* file to read the line's source from, or NULL */
  long line_no;          /* the line, for its source */
  int in_a, in_b;        /* 1 = recorded in that run */
  long long hits_a, hits_b; /* calls (functions) or hits (lines) */
  long long time_a, time_b; /* inclusive time, ns */
};

struct lp_changes {
  struct lp_change *item; /* rows */
  size_t count, cap;      /* used, allocated */
};

static struct lp_change *lp_change_add(struct lp_changes *c) {
  if (lp_reserve((void **)&c->item, &c->cap, c->count, sizeof *c->item) != 0)
    return NULL;
  struct lp_change *x = &c->item[c->count++];
  memset(x, 0, sizeof *x);
  return x;
}

static void lp_changes_free(struct lp_changes *c) {
  for (size_t i = 0; i < c->count; i++)
    free(c->item[i].label);
  free(c->item);
  memset(c, 0, sizeof *c);
}

static long long lp_abs_change(const struct lp_change *x) {
  long long d = x->time_b - x->time_a;
  return d < 0 ? -d : d;
}

static int lp_compare_change(const void *a, const void *b) {
  const struct lp_change *x = a, *y = b;
  long long dx = lp_abs_change(x), dy = lp_abs_change(y);
  if (dx != dy)
    return dx > dy ? -1 : 1;
  return strcmp(x->label, y->label);
}

/* Function keys in model order: file path, then linkage name. */
static int lp_compare_fn_key(const struct lp_model *ma, size_t a,
                             const struct lp_model *mb, size_t b) {
  const struct lp_model_function *x = &ma->functions[a], *y = &mb->functions[b];
  int c = strcmp(ma->files[x->file].path, mb->files[y->file].path);
  return c ? c : strcmp(x->linkage_name, y->linkage_name);
}

/* Line keys in model order: function, the line's file, line number. */
static int lp_compare_line_key(const struct lp_model *ma, size_t a,
                               const struct lp_model *mb, size_t b) {
  const struct lp_model_line *x = &ma->lines[a], *y = &mb->lines[b];
  int c = lp_compare_fn_key(ma, x->function, mb, y->function);
  if (c)
    return c;
  c = strcmp(ma->files[x->file].path, mb->files[y->file].path);
  if (c)
    return c;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

/* Walk both models' functions (and lines) in key order. Returns 0, or -1
 * when out of memory. */
static int lp_match(const struct lp_model *ma, const struct lp_model *mb,
                    int lines, struct lp_changes *out) {
  size_t na = lines ? ma->nlines : ma->nfunctions;
  size_t nb = lines ? mb->nlines : mb->nfunctions;
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    int c = i >= na   ? 1
            : j >= nb ? -1
            : lines   ? lp_compare_line_key(ma, i, mb, j)
                      : lp_compare_fn_key(ma, i, mb, j);
    /* B's name and line numbers when it has the row: the newer build. */
    const struct lp_model *m = c >= 0 ? mb : ma;
    size_t k = c >= 0 ? j : i;
    struct lp_change *x = lp_change_add(out);
    if (!x)
      return -1;
    const struct lp_model_function *fn =
        &m->functions[lines ? m->lines[k].function : k];
    char buf[8192];
    if (lines) {
      const struct lp_model_line *l = &m->lines[k];
      snprintf(buf, sizeof buf, "%s:%ld (%s)", m->files[l->file].shown,
               l->line_no, fn->name);
      x->path = m->files[l->file].path;
      x->line_no = l->line_no;
    } else {
      snprintf(buf, sizeof buf, "%s:%ld(%s)", m->files[fn->file].shown,
               fn->line_no, fn->name);
    }
    if (!(x->label = lp_strdup(buf)))
      return -1;
    if (c <= 0) {
      x->in_a = 1;
      x->hits_a = lines ? ma->lines[i].hits : ma->functions[i].calls;
      x->time_a = lines ? ma->lines[i].time_ns : ma->functions[i].inclusive_ns;
      i++;
    }
    if (c >= 0) {
      x->in_b = 1;
      x->hits_b = lines ? mb->lines[j].hits : mb->functions[j].calls;
      x->time_b = lines ? mb->lines[j].time_ns : mb->functions[j].inclusive_ns;
      j++;
    }
    /* Unchanged rows say nothing. */
    if (x->hits_a == x->hits_b && x->time_a == x->time_b) {
      free(x->label);
      out->count--;
    }
  }
  qsort(out->item, out->count, sizeof *out->item, lp_compare_change);
  return 0;
}

/* A cell of run A or B: the number, or "-" when the run lacks the row. */
static void lp_count_cell(char *buf, size_t size, int present, long long v) {
  if (present)
    snprintf(buf, size, "%lld", v);
  else
    snprintf(buf, size, "-");
}

static void lp_time_cell(char *buf, size_t size, int present, long long ns,
                         double ns_per_unit) {
  if (present)
    lp_format_tenths(buf, size, (double)ns / ns_per_unit);
  else
    snprintf(buf, size, "-");
}

static void lp_print_changes(const struct lp_changes *c, int lines,
                             long long limit, double ns_per_unit) {
  size_t n = limit > 0 && (size_t)limit < c->count ? (size_t)limit : c->count;
  printf("%s by time change (%zu of %zu changed):\n", lines ? "Lines" : "Functions",
         n, c->count);
  printf("%10s %10s %12s %12s %12s %8s  %s\n", lines ? "Hits A" : "Calls A",
         lines ? "Hits B" : "Calls B", "Time A", "Time B", "Change", "Speedup",
         lines ? "Line" : "Function");
  const char *path = NULL;
  struct lp_source src = {0};
  for (size_t i = 0; i < n; i++) {
    const struct lp_change *x = &c->item[i];
    char ha[32], hb[32], ta[320], tb[320], change[320], speedup[64];
    lp_count_cell(ha, sizeof ha, x->in_a, x->hits_a);
    lp_count_cell(hb, sizeof hb, x->in_b, x->hits_b);
    lp_time_cell(ta, sizeof ta, x->in_a, x->time_a, ns_per_unit);
    lp_time_cell(tb, sizeof tb, x->in_b, x->time_b, ns_per_unit);
    long long d = x->time_b - x->time_a;
    char mag[320];
    lp_format_tenths(mag, sizeof mag, (double)(d < 0 ? -d : d) / ns_per_unit);
    const char *digits = mag;
    while (*digits == ' ')
      digits++;
    snprintf(change, sizeof change, "%c%s", d < 0 ? '-' : '+', digits);
    if (!x->in_a)
      snprintf(speedup, sizeof speedup, "new");
    else if (!x->in_b)
      snprintf(speedup, sizeof speedup, "gone");
    else if (x->time_b > 0)
      snprintf(speedup, sizeof speedup, "%.2fx",
               (double)x->time_a / (double)x->time_b);
    else
      snprintf(speedup, sizeof speedup, x->time_a > 0 ? "inf" : "-");
    printf("%10s %10s %12s %12s %12s %8s  %s", ha, hb, ta, tb, change, speedup,
           x->label);
    if (lines && x->path) {
      if (!path || strcmp(path, x->path) != 0) {
        lp_source_free(&src);
        lp_source_load(&src, x->path);
        path = x->path;
      }
      const char *text;
      size_t len;
      lp_source_line(&src, x->line_no, &text, &len);
      while (len > 0 && (*text == ' ' || *text == '\t'))
        text++, len--;
      if (len > 0) {
        fputs("  ", stdout);
        fwrite(text, 1, len, stdout);
      }
    }
    putchar('\n');
  }
  lp_source_free(&src);
}

/* Parse the operands into the two run ids. Returns LP_OK or LP_ERR_USAGE. */
static int lp_diff_runs(const struct lp_state *st, long long *a, long long *b) {
  char text[64];
  const char *first, *second;
  if (st->noperands == 1 && strstr(st->operands[0], "..")) {
    const char *dots = strstr(st->operands[0], "..");
    size_t n = (size_t)(dots - st->operands[0]);
    if (n >= sizeof text)
      n = sizeof text - 1;
    memcpy(text, st->operands[0], n);
    text[n] = '\0';
    first = text;
    second = dots + 2;
  } else if (st->noperands == 2) {
    first = st->operands[0];
    second = st->operands[1];
  } else {
    return lp_command_misuse(&lp_cmd_diff,
                             "expected two runs: RUN_A RUN_B or A..B");
  }
  const char *bad = lp_parse_run(first, a) != 0 || *a == LP_RUN_ALL ? first
                    : lp_parse_run(second, b) != 0 || *b == LP_RUN_ALL
                        ? second
                        : NULL;
  if (bad) {
    lp_error("invalid run '%s': expected a run id", bad);
    return lp_usage_error(lp_diff_usage);
  }
  return LP_OK;
}

static void lp_print_run_line(const char *which, const struct lp_model *m) {
  const struct lp_model_run *r = &m->runs[0];
  char when[64];
  lp_format_timestamp(r->start_ns, when, sizeof when);
  printf("Run %s: %lld  %s  (%s)\n", which, r->run_id, r->command, when);
}

static int lp_cmd_diff_run(struct lp_state *st, int argc, char **argv) {
  struct lp_model ma = {0}, mb = {0};
  struct lp_changes functions = {0}, lines = {0};
  long long a = 0, b = 0;
  st->limit = 20;
  st->unit_s = 1e-6;
  int status = lp_parse_command(st, &lp_cmd_diff, lp_diff_options, argc, argv,
                                LP_OPERANDS_ANYWHERE);
  if (status != LP_OK || (status = lp_diff_runs(st, &a, &b)) != LP_OK)
    return status;

  st->db_path = lp_db_path(st->db_path);
  int rc;
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &a)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &b)) != LP_OK)
    goto out;
  if ((rc = lp_model_load(st->db, a, &ma)) != SQLITE_OK ||
      (rc = lp_model_load(st->db, b, &mb)) != SQLITE_OK) {
    status = rc == SQLITE_NOMEM ? lp_out_of_memory()
                                : lp_db_error(st->db, st->db_path);
    goto out;
  }
  if (lp_match(&ma, &mb, 0, &functions) != 0 ||
      (!st->functions_only && lp_match(&ma, &mb, 1, &lines) != 0)) {
    status = lp_out_of_memory();
    goto out;
  }

  double ns_per_unit = lp_ns_per_unit(st->unit_s);
  printf("Timer unit: %g s\n", st->unit_s);
  lp_print_run_line("A", &ma);
  lp_print_run_line("B", &mb);
  printf("Speedup is time A / time B: above 1.00x, B is faster.\n\n");
  lp_print_changes(&functions, 0, st->limit, ns_per_unit);
  if (!st->functions_only) {
    putchar('\n');
    lp_print_changes(&lines, 1, st->limit, ns_per_unit);
  }

out:
  lp_changes_free(&functions);
  lp_changes_free(&lines);
  lp_model_free(&ma);
  lp_model_free(&mb);
  return status;
}

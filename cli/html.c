/* `lineprof html -o DIR`: a static, offline report of one run (or of all
 * runs summed): index.html lists the files and the functions by time, and
 * each source file gets a page with its annotated source, hot lines in heat
 * colours, and links between callers and callees (from call_stats).
 *
 * Self-contained pages: inline CSS, no scripts, no network, so that the
 * directory can be archived or mailed. Read-only on the database; writes
 * only DIR/index.html and DIR/file-N.html.
 */
#define _XOPEN_SOURCE 700 /* mkdir */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "lineprof.h"
#include "model.h"
#include "source.h"

static const char lp_html_usage[] =
    "Usage: lineprof html [--db PATH] [--run N|all] -o DIR\n";
static const char lp_html_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --run N|all           run to report (default: the latest run);\n"
    "                        'all' sums over every run\n"
    "  -o, --output DIR      directory to write index.html and one page per\n"
    "                        source file into (created if missing)\n";

static int lp_cmd_html_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_html = {
    "html", "write a static HTML report with annotated sources",
    lp_cmd_html_run, lp_html_usage, lp_html_help};

static const struct lp_option lp_html_options[] = {
    {"db", 0, 1, LP_OPT_DB},         {"run", 0, 1, LP_OPT_RUN},
    {"output", 'o', 1, LP_OPT_OUTPUT}, {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

static const char lp_css[] =
    "<style>\n"
    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
    "h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}\n"
    "table{border-collapse:collapse}\n"
    "th,td{padding:2px 8px;text-align:right;white-space:nowrap}\n"
    "th{background:#eee}td.name,th.name{text-align:left}\n"
    "table.src td{padding:0 6px;font-family:monospace}\n"
    "table.src td.code{text-align:left;white-space:pre}\n"
    "tr.fn td{background:#f3f3ff;font-family:sans-serif;text-align:left;"
    "padding:6px}\n"
    "tr.heat1{background:#fff6d5}tr.heat2{background:#ffe0a0}\n"
    "tr.heat3{background:#ffb080}tr.heat4{background:#ff7060}\n"
    "a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}\n"
    ".calls{color:#555;font-family:sans-serif;font-size:90%}\n"
    ".meta{color:#555}\n"
    "</style>\n";

static void lp_html_text_n(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&':
      fputs("&amp;", out);
      break;
    case '<':
      fputs("&lt;", out);
      break;
    case '>':
      fputs("&gt;", out);
      break;
    case '"':
      fputs("&quot;", out);
      break;
    case '\'':
      fputs("&#39;", out);
      break;
    default:
      putc(s[i], out);
      break;
    }
  }
}

static void lp_html_text(FILE *out, const char *s) {
  lp_html_text_n(out, s, strlen(s));
}

static const struct lp_model *lp_sort_model; /* for the comparisons only */
static long long *lp_file_self;              /* for lp_compare_files only */

/* Heat class of a line or function by its share of the run's time. */
static int lp_heat(long long ns, long long total_ns) {
  double p = total_ns > 0 ? 100.0 * (double)ns / (double)total_ns : 0;
  return p >= 20 ? 4 : p >= 5 ? 3 : p >= 1 ? 2 : p > 0 ? 1 : 0;
}

static void lp_html_seconds(FILE *out, long long ns) {
  fprintf(out, "%.6f", (double)ns * 1e-9);
}

static void lp_html_percent(FILE *out, long long ns, long long total_ns) {
  fprintf(out, "%.1f", total_ns > 0 ? 100.0 * (double)ns / (double)total_ns : 0);
}

/* A link to function f: its file's page, its anchor. */
static void lp_html_function_link(FILE *out, const struct lp_model *m,
                                  size_t f) {
  fprintf(out, "<a href=\"file-%zu.html#fn-%zu\">", m->functions[f].file, f);
  lp_html_text(out, m->functions[f].name);
  fputs("</a>", out);
}

static void lp_html_head(FILE *out, const struct lp_model *m,
                         const char *title) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
        "\n<title>",
        out);
  lp_html_text(out, title);
  fprintf(out, "</title>\n%s</head>\n<body>\n<h1>", lp_css);
  lp_html_text(out, title);
  fputs("</h1>\n<p class=\"meta\">", out);
  if (m->run_id == LP_RUN_ALL) {
    fprintf(out, "All %zu runs, summed.", m->nruns);
  } else if (m->nruns == 1) {
    char when[64];
    lp_format_timestamp(m->runs[0].start_ns, when, sizeof when);
    fprintf(out, "Run %lld: <code>", m->runs[0].run_id);
    lp_html_text(out, m->runs[0].command);
    fprintf(out, "</code>, started %s", when);
    if (m->runs[0].end_ns >= 0)
      fprintf(out, ", wall time %.6f s",
              (double)(m->runs[0].end_ns - m->runs[0].start_ns) * 1e-9);
    if (m->runs[0].exit_status >= 0)
      fprintf(out, ", exit status %lld", m->runs[0].exit_status);
    fputc('.', out);
  }
  fputs(" Run time ", out);
  lp_html_seconds(out, m->total_self_ns);
  fputs(" s (the sum of every line's self time).</p>\n", out);
}


static int lp_compare_functions(const void *a, const void *b) {
  const struct lp_model_function *x =
      &lp_sort_model->functions[*(const size_t *)a];
  const struct lp_model_function *y =
      &lp_sort_model->functions[*(const size_t *)b];
  if (x->inclusive_ns != y->inclusive_ns)
    return x->inclusive_ns > y->inclusive_ns ? -1 : 1;
  if (x->self_ns != y->self_ns)
    return x->self_ns > y->self_ns ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int lp_compare_files(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  if (lp_file_self[x] != lp_file_self[y])
    return lp_file_self[x] > lp_file_self[y] ? -1 : 1;
  return strcmp(lp_sort_model->files[x].path, lp_sort_model->files[y].path);
}

static void lp_write_index(FILE *out, const struct lp_model *m,
                           const long long *file_self, const size_t *file_lines,
                           size_t *order) {
  lp_html_head(out, m, "lineprof report");
  fputs("<h2>Files</h2>\n<table id=\"files\">\n<tr><th class=\"name\">File"
        "</th><th>Self (s)</th><th>% Run</th><th>Lines run</th></tr>\n",
        out);
  for (size_t i = 0; i < m->nfiles; i++)
    order[i] = i;
  lp_sort_model = m;
  lp_file_self = (long long *)file_self;
  qsort(order, m->nfiles, sizeof *order, lp_compare_files);
  for (size_t i = 0; i < m->nfiles; i++) {
    size_t f = order[i];
    if (file_lines[f] == 0)
      continue;
    fprintf(out, "<tr class=\"heat%d\"><td class=\"name\"><a href=\"file-%zu.html\">",
            lp_heat(file_self[f], m->total_self_ns), f);
    lp_html_text(out, m->files[f].shown);
    fputs("</a></td><td>", out);
    lp_html_seconds(out, file_self[f]);
    fputs("</td><td>", out);
    lp_html_percent(out, file_self[f], m->total_self_ns);
    fprintf(out, "</td><td>%zu</td></tr>\n", file_lines[f]);
  }
  fputs("</table>\n<h2>Functions</h2>\n<table id=\"functions\">\n<tr>"
        "<th class=\"name\">Function</th><th class=\"name\">Defined at</th>"
        "<th>Calls</th><th>Time (s)</th><th>Self (s)</th><th>% Run</th></tr>\n",
        out);
  for (size_t i = 0; i < m->nfunctions; i++)
    order[i] = i;
  qsort(order, m->nfunctions, sizeof *order, lp_compare_functions);
  for (size_t i = 0; i < m->nfunctions; i++) {
    const struct lp_model_function *fn = &m->functions[order[i]];
    if (fn->nlines == 0 && fn->calls == 0)
      continue;
    fprintf(out, "<tr class=\"heat%d\"><td class=\"name\">",
            lp_heat(fn->self_ns, m->total_self_ns));
    lp_html_function_link(out, m, order[i]);
    fputs("</td><td class=\"name\">", out);
    lp_html_text(out, m->files[fn->file].shown);
    fprintf(out, ":%ld</td><td>", fn->line_no);
    if (fn->calls != fn->primitive_calls)
      fprintf(out, "%lld/%lld", fn->calls, fn->primitive_calls);
    else
      fprintf(out, "%lld", fn->calls);
    fputs("</td><td>", out);
    lp_html_seconds(out, fn->inclusive_ns);
    fputs("</td><td>", out);
    lp_html_seconds(out, fn->self_ns);
    fputs("</td><td>", out);
    lp_html_percent(out, fn->self_ns, m->total_self_ns);
    fputs("</td></tr>\n", out);
  }
  fprintf(out, "</table>\n<p class=\"meta\">Written by lineprof %s.</p>\n"
               "</body>\n</html>\n",
          LINEPROF_VERSION);
}

/* Calls by callee (indices into m->calls), so that a function finds its
 * callers without a scan of every call. */
static size_t *lp_by_callee;

static int lp_compare_callee(const void *a, const void *b) {
  const struct lp_model_call *x = &lp_sort_model->calls[*(const size_t *)a];
  const struct lp_model_call *y = &lp_sort_model->calls[*(const size_t *)b];
  if (x->callee != y->callee)
    return x->callee < y->callee ? -1 : 1;
  return (*(const size_t *)a > *(const size_t *)b) -
         (*(const size_t *)a < *(const size_t *)b);
}

/* First index of lp_by_callee whose call has callee >= f. */
static size_t lp_first_caller(const struct lp_model *m, size_t f) {
  size_t lo = 0, hi = m->ncalls;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->calls[lp_by_callee[mid]].callee < f)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* First index of m->calls made from line row r (calls are by line). */
static size_t lp_first_call(const struct lp_model *m, size_t r) {
  size_t lo = 0, hi = m->ncalls;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->calls[mid].line < r)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The callers of function f: links with call counts, from m->calls. */
static void lp_write_callers(FILE *out, const struct lp_model *m, size_t f) {
  int any = 0;
  for (size_t k = lp_first_caller(m, f);
       k < m->ncalls && m->calls[lp_by_callee[k]].callee == f; k++) {
    const struct lp_model_call *c = &m->calls[lp_by_callee[k]];
    if (c->calls == 0)
      continue;
    const struct lp_model_line *site = &m->lines[c->line];
    fputs(any ? ", " : " &middot; called from ", out);
    fprintf(out, "<a href=\"file-%zu.html#L%ld\">", site->file,
            site->line_no);
    lp_html_text(out, m->functions[site->function].name);
    fprintf(out, ":%ld</a> &times;%lld", site->line_no, c->calls);
    any = 1;
  }
}

/* One source file's page: every line of the file, those with code with
 * their numbers, function headers where functions start. */
static void lp_write_file(FILE *out, const struct lp_model *m, size_t file,
                          long long file_self) {
  struct lp_source src;
  int err = lp_source_load(&src, m->files[file].path);
  char title[4200];
  snprintf(title, sizeof title, "%s", m->files[file].shown);
  lp_html_head(out, m, title);
  fputs("<p><a href=\"index.html\">&larr; index</a> &middot; self time ", out);
  lp_html_seconds(out, file_self);
  fputs(" s (", out);
  lp_html_percent(out, file_self, m->total_self_ns);
  fputs(" % of the run)</p>\n", out);
  if (err)
    fprintf(out, "<p class=\"meta\">Source unavailable: %s; lines with code "
                 "only.</p>\n",
            strerror(err));

  /* Per source line: the rows (over functions) that fall on it. */
  long last = (long)src.nlines;
  for (size_t i = 0; i < m->nlines; i++)
    if (m->lines[i].file == file && m->lines[i].line_no > last)
      last = m->lines[i].line_no;
  size_t *first_row = malloc(((size_t)last + 2) * sizeof *first_row);
  size_t *next_row = malloc((m->nlines + 1) * sizeof *next_row);
  size_t *fn_at = malloc(((size_t)last + 2) * sizeof *fn_at);
  if (!first_row || !next_row || !fn_at) {
    free(first_row);
    free(next_row);
    free(fn_at);
    lp_source_free(&src);
    return;
  }
  for (long l = 0; l <= last + 1; l++)
    first_row[l] = fn_at[l] = LP_NONE;
  for (size_t i = m->nlines; i-- > 0;) {
    const struct lp_model_line *row = &m->lines[i];
    if (row->file != file)
      continue;
    next_row[i] = first_row[row->line_no];
    first_row[row->line_no] = i;
  }
  for (size_t f = 0; f < m->nfunctions; f++)
    if (m->functions[f].file == file && m->functions[f].line_no >= 1 &&
        m->functions[f].line_no <= last && m->functions[f].nlines > 0)
      fn_at[m->functions[f].line_no] = f;

  fputs("<table class=\"src\">\n<tr><th>Line</th><th>Hits</th><th>Time (s)"
        "</th><th>Self (s)</th><th>% Run</th><th class=\"name\">Source</th>"
        "</tr>\n",
        out);
  for (long l = 1; l <= last; l++) {
    size_t f = fn_at[l];
    if (f != LP_NONE) {
      const struct lp_model_function *fn = &m->functions[f];
      fprintf(out, "<tr class=\"fn\" id=\"fn-%zu\"><td colspan=\"6\"><b>", f);
      lp_html_text(out, fn->name);
      fprintf(out, "</b> &middot; %lld calls &middot; ", fn->calls);
      lp_html_seconds(out, fn->inclusive_ns);
      fputs(" s with callees, ", out);
      lp_html_seconds(out, fn->self_ns);
      fputs(" s self", out);
      lp_write_callers(out, m, f);
      fputs("</td></tr>\n", out);
    }
    long long hits = 0, time = 0, self = 0;
    int has_code = 0;
    for (size_t r = first_row[l]; r != LP_NONE; r = next_row[r]) {
      hits += m->lines[r].hits;
      time += m->lines[r].time_ns;
      self += m->lines[r].self_ns;
      has_code = 1;
    }
    const char *text;
    size_t len;
    lp_source_line(&src, l, &text, &len);
    if (!has_code && err)
      continue;
    fprintf(out, "<tr id=\"L%ld\" class=\"heat%d\"><td>%ld</td>", l,
            has_code ? lp_heat(self, m->total_self_ns) : 0, l);
    if (has_code) {
      fprintf(out, "<td>%lld</td><td>", hits);
      lp_html_seconds(out, time);
      fputs("</td><td>", out);
      lp_html_seconds(out, self);
      fputs("</td><td>", out);
      lp_html_percent(out, self, m->total_self_ns);
      fputs("</td>", out);
    } else {
      fputs("<td></td><td></td><td></td><td></td>", out);
    }
    fputs("<td class=\"code\">", out);
    lp_html_text_n(out, text, len);
    /* The calls this line made, linked to the callees. */
    for (size_t r = first_row[l]; r != LP_NONE; r = next_row[r])
      for (size_t c = lp_first_call(m, r); c < m->ncalls && m->calls[c].line == r;
           c++) {
        const struct lp_model_call *call = &m->calls[c];
        if (call->calls == 0)
          continue;
        fputs("  <span class=\"calls\">&rarr; ", out);
        if (call->callee != LP_NONE)
          lp_html_function_link(out, m, call->callee);
        else
          lp_html_text(out, call->callee_name[0] ? call->callee_name
                                                 : "(indirect)");
        fprintf(out, " &times;%lld, ", call->calls);
        lp_html_seconds(out, call->time_ns);
        fputs(" s</span>", out);
      }
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n</body>\n</html>\n", out);
  free(first_row);
  free(next_row);
  free(fn_at);
  lp_source_free(&src);
}

/* Open DIR/name for writing; on failure print and return NULL. */
static FILE *lp_open_page(const char *dir, const char *name, char *path,
                          size_t size) {
  snprintf(path, size, "%s/%s", dir, name);
  FILE *out = fopen(path, "w");
  if (!out)
    lp_error("cannot write '%s': %s", path, strerror(errno));
  return out;
}

/* Close a page, reporting a write error. Returns LP_OK or LP_ERR_SYSTEM. */
static int lp_close_page(FILE *out, const char *path) {
  errno = 0;
  if (ferror(out) | fclose(out)) {
    lp_error("cannot write '%s': %s", path, strerror(errno ? errno : EIO));
    return LP_ERR_SYSTEM;
  }
  return LP_OK;
}

static int lp_cmd_html_run(struct lp_state *st, int argc, char **argv) {
  struct lp_model m = {0};
  long long *file_self = NULL;
  size_t *file_lines = NULL, *order = NULL;
  char path[8192];
  st->run_id = LP_RUN_LATEST;
  int status = lp_parse_command(st, &lp_cmd_html, lp_html_options, argc, argv,
                                LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands > 0)
    return lp_bad_arguments(LP_ARG_OPERAND, st->operands[0], lp_html_usage);
  if (!st->output)
    return lp_command_misuse(&lp_cmd_html, "no output directory: give -o DIR");

  st->db_path = lp_db_path(st->db_path);
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &st->run_id)) != LP_OK)
    return status;
  int rc = lp_model_load(st->db, st->run_id, &m);
  if (rc != SQLITE_OK)
    return rc == SQLITE_NOMEM ? lp_out_of_memory()
                              : lp_db_error(st->db, st->db_path);
  if (mkdir(st->output, 0777) != 0 && errno != EEXIST) {
    lp_error("cannot create directory '%s': %s", st->output, strerror(errno));
    status = LP_ERR_SYSTEM;
    goto out;
  }
  file_self = calloc(m.nfiles + 1, sizeof *file_self);
  file_lines = calloc(m.nfiles + 1, sizeof *file_lines);
  order = calloc(m.nfiles + m.nfunctions + 1, sizeof *order);
  lp_by_callee = calloc(m.ncalls + 1, sizeof *lp_by_callee);
  if (!file_self || !file_lines || !order || !lp_by_callee) {
    status = lp_out_of_memory();
    goto out;
  }
  for (size_t i = 0; i < m.ncalls; i++)
    lp_by_callee[i] = i;
  lp_sort_model = &m;
  qsort(lp_by_callee, m.ncalls, sizeof *lp_by_callee, lp_compare_callee);
  for (size_t i = 0; i < m.nlines; i++) {
    file_self[m.lines[i].file] += m.lines[i].self_ns;
    file_lines[m.lines[i].file] += m.lines[i].hits > 0;
  }
  size_t pages = 0;
  for (size_t f = 0; f < m.nfiles && status == LP_OK; f++) {
    char name[64];
    snprintf(name, sizeof name, "file-%zu.html", f);
    FILE *out = lp_open_page(st->output, name, path, sizeof path);
    if (!out) {
      status = LP_ERR_SYSTEM;
      break;
    }
    lp_write_file(out, &m, f, file_self[f]);
    status = lp_close_page(out, path);
    pages++;
  }
  if (status == LP_OK) {
    FILE *out = lp_open_page(st->output, "index.html", path, sizeof path);
    if (!out) {
      status = LP_ERR_SYSTEM;
      goto out;
    }
    lp_write_index(out, &m, file_self, file_lines, order);
    status = lp_close_page(out, path);
  }
  if (status == LP_OK)
    printf("%s: index.html and %zu source pages\n", st->output, pages);

out:
  free(lp_by_callee);
  lp_by_callee = NULL;
  free(file_self);
  free(file_lines);
  free(order);
  lp_model_free(&m);
  return status;
}

/* `lineprof annotate FILE...`: the per-line report, in Python
 * line_profiler's layout (3.x show_func), of every profiled function of
 * each FILE, for one run or summed over all runs; optionally with a Self
 * column, heat colours, line_profiler's summary, or as JSON.
 *
 * Everything is read and checked before the first line is printed, so a
 * bad FILE or --function fails with no partial report. Reading is
 * profile.c's job; this file parses options, matches FILE arguments to
 * recorded paths, and prints.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "json.h"
#include "lineprof.h"
#include "match.h"
#include "options.h"
#include "profile.h"
#include "reserve.h"
#include "source.h"

static const char lp_annotate_usage[] =
    "Usage: lineprof annotate [--db PATH] [--run N|all] [-u SECONDS] "
    "[-zmtrS] [--color WHEN] [--min-percent P] [--json] [--function NAME] "
    "FILE...\n";
static const char lp_annotate_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --run N|all           run to report (default: the latest run);\n"
    "                        'all' sums hits and times over every run\n"
    "  -u, --unit SECONDS    timer unit of the Time columns (default: 1e-6)\n"
    "  -z, --skip-zero       omit functions that never ran\n"
    "  --function NAME       only this function (name or linkage name);\n"
    "                        may be repeated\n"
    "  -m, --summarize       end with one line per function: total time,\n"
    "                        file, line, function\n"
    "  -t, --sort            functions by total time, hottest first\n"
    "  -S, --self            add a Self column: time without callees\n"
    "  --color WHEN          heat colours on hot lines: auto (a terminal and\n"
    "                        NO_COLOR unset; the default), always, never\n"
    "  -r, --rich            same as --color=always\n"
    "  --min-percent P       omit functions whose self time is below P % of\n"
    "                        the run's time (the sum of all lines' self time)\n"
    "  --json                the same data as JSON (see docs/usage.md)\n";

static int lp_cmd_annotate_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_annotate = {
    "annotate",
    "per-line hits and times of source files (line_profiler layout)",
    lp_cmd_annotate_run, lp_annotate_usage, lp_annotate_help};

#define LP_DEFAULT_UNIT_S 1e-6 /* seconds, line_profiler's usual unit */

/* Everything annotate prints for one FILE argument. */
struct lp_file {
  const char *arg;           /* FILE as typed */
  char *path;                /* the files.path it matched */
  struct lp_profile profile; /* its functions and lines */
  struct lp_source source;   /* its text at report time (empty if none) */
  const char *source_state;  /* "ok", "changed" or "unreadable" */
};

/* One function to print: which FILE, which of its functions. */
struct lp_pick {
  size_t file;     /* index into the files */
  size_t function; /* index into that file's profile.functions */
};

/* Distinct files.path values, for matching FILE arguments. */
struct lp_paths {
  char **path;  /* sorted, owned strings */
  size_t count; /* entries in path */
};

static const struct lp_option lp_annotate_options[] = {
    {"db", 0, 1, LP_OPT_DB},
    {"run", 0, 1, LP_OPT_RUN},
    {"unit", 'u', 1, LP_OPT_UNIT},
    {"skip-zero", 'z', 0, LP_OPT_SKIP_ZERO},
    {"function", 0, 1, LP_OPT_FUNCTION},
    {"summarize", 'm', 0, LP_OPT_SUMMARIZE},
    {"sort", 't', 0, LP_OPT_SORT_BY_TIME},
    {"self", 'S', 0, LP_OPT_SELF},
    {"color", 0, 1, LP_OPT_COLOR},
    {"rich", 'r', 0, LP_OPT_RICH},
    {"min-percent", 0, 1, LP_OPT_MIN_PERCENT},
    {"json", 0, 0, LP_OPT_JSON},
    {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

static int lp_load_paths(struct lp_state *st, struct lp_paths *paths) {
  sqlite3_stmt *stmt;
  size_t cap = 0;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT DISTINCT path FROM files ORDER BY path", -1,
                         &stmt, NULL) != SQLITE_OK)
    return lp_db_error(st->db, st->db_path);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    char *path = lp_strdup((const char *)sqlite3_column_text(stmt, 0));
    if (!path || lp_reserve((void **)&paths->path, &cap, paths->count,
                            sizeof *paths->path) != 0) {
      free(path);
      sqlite3_finalize(stmt);
      return lp_out_of_memory();
    }
    paths->path[paths->count++] = path;
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? LP_OK : lp_db_error(st->db, st->db_path);
}

/* Find the one recorded path that `arg` names. An exact match (the path
 * itself, or the argument's realpath) wins over suffix matches; several
 * matches of the best kind are an error. Returns LP_OK with *path set to
 * an entry of paths, or LP_ERR_DATA after printing why not. */
static int lp_match_file(const struct lp_state *st,
                         const struct lp_paths *paths, const char *arg,
                         const char **path) {
  char *resolved = realpath(arg, NULL); /* NULL if arg names no file */
  enum lp_match best = LP_MATCH_NONE;
  size_t first = 0, count = 0; /* matches of kind `best` */
  for (size_t i = 0; i < paths->count; i++) {
    enum lp_match m = lp_match_path(arg, resolved, paths->path[i]);
    if (m > best) {
      best = m;
      first = i;
      count = 0;
    }
    count += m != LP_MATCH_NONE && m == best;
  }
  if (count == 1)
    *path = paths->path[first];
  else if (count == 0)
    lp_error("no profile data for '%s' in %s", arg, st->db_path);
  else {
    fprintf(stderr, "lineprof: error: '%s' is ambiguous in %s: matches", arg,
            st->db_path);
    const char *sep = " ";
    for (size_t i = first; i < paths->count; i++)
      if (lp_match_path(arg, resolved, paths->path[i]) == best) {
        fprintf(stderr, "%s%s", sep, paths->path[i]);
        sep = ", ";
      }
    fputc('\n', stderr);
  }
  free(resolved);
  return count == 1 ? LP_OK : LP_ERR_DATA;
}

static int lp_function_named(const struct lp_function *fn, const char *name) {
  return strcmp(fn->name, name) == 0 || strcmp(fn->linkage_name, name) == 0;
}

/* Whether the options ask for this function to be printed; run_ns is the
 * run's time for --min-percent. */
static int lp_function_wanted(const struct lp_state *st,
                              const struct lp_function *fn, long long run_ns) {
  if (st->skip_zero && fn->hits == 0)
    return 0;
  if (st->min_percent > 0 &&
      (run_ns <= 0 ||
       100.0 * (double)fn->self_ns / (double)run_ns < st->min_percent))
    return 0;
  if (st->nfunctions == 0)
    return 1;
  for (int i = 0; i < st->nfunctions; i++)
    if (lp_function_named(fn, st->functions[i]))
      return 1;
  return 0;
}

/* Every --function NAME must name a function of some FILE. Returns LP_OK,
 * or LP_ERR_DATA after naming the first that does not. */
static int lp_check_functions(const struct lp_state *st,
                              const struct lp_file *files) {
  for (int i = 0; i < st->nfunctions; i++) {
    int found = 0;
    for (int f = 0; f < st->noperands && !found; f++)
      for (size_t k = 0; k < files[f].profile.nfunctions && !found; k++)
        found =
            lp_function_named(&files[f].profile.functions[k], st->functions[i]);
    if (found)
      continue;
    fprintf(stderr, "lineprof: error: no function '%s' in ", st->functions[i]);
    for (int f = 0; f < st->noperands; f++)
      fprintf(stderr, "%s%s", f ? ", " : "", st->operands[f]);
    fputc('\n', stderr);
    return LP_ERR_DATA;
  }
  return LP_OK;
}

/* One function's block, exactly as line_profiler's show_func prints it:
 * every source line from the first line to the last line with code; with
 * -S a Self column, with colour the hot lines in heat colours. */
static void lp_print_function(const struct lp_state *st,
                              const struct lp_file *file,
                              const struct lp_function *fn,
                              double ns_per_unit) {
  const struct lp_line_row *rows = file->profile.rows + fn->first_row;
  long first = fn->first_line, last = rows[fn->nrows - 1].line_no;
  if (first < 1 || first > rows[0].line_no)
    first = rows[0].line_no; /* debug info placed code above the header */

  printf("Total time: %g s\n", (double)fn->total_ns * 1e-9);
  printf("File: %s\n", file->path);
  printf("Function: %s at line %ld\n\n", fn->name, fn->first_line);
  lp_print_header_self(stdout, st->show_self);
  size_t r = 0;
  for (long line = first; line <= last; line++) {
    struct lp_cells cells;
    const char *text, *sgr = NULL;
    size_t len;
    const struct lp_line_row *row =
        r < fn->nrows && rows[r].line_no == line ? &rows[r++] : NULL;
    lp_format_cells(&cells, line, row != NULL, row ? row->hits : 0,
                    row ? row->time_ns : 0, fn->total_ns, ns_per_unit);
    if (row && st->show_self)
      lp_format_self(&cells, row->self_ns, ns_per_unit);
    if (row && st->use_color && fn->total_ns > 0)
      sgr = lp_heat_sgr(100.0 * (double)row->time_ns / (double)fn->total_ns);
    lp_source_line(&file->source, line, &text, &len);
    lp_print_row_ex(stdout, &cells, st->show_self, sgr, text, len);
  }
  putchar('\n');
}

/* Load the source of each FILE with something to print, once, warning if
 * it is unreadable or has changed since it was compiled. */
static void lp_load_sources(const struct lp_state *st, struct lp_file *files,
                            const int *wanted) {
  for (int i = 0; i < st->noperands; i++) {
    struct lp_file *file = &files[i];
    file->source_state = "ok";
    if (!wanted[i])
      continue;
    int err = lp_source_load(&file->source, file->path);
    if (err) {
      file->source_state = "unreadable";
      lp_warn("cannot read source '%s': %s; showing numbers only", file->path,
              strerror(err));
    } else if (!lp_source_matches(&file->source, file->profile.checksum)) {
      file->source_state = "changed";
      lp_warn("'%s' has changed since it was compiled; source lines may not "
              "match",
              file->path);
    }
  }
}

static const struct lp_file *lp_sort_files; /* for lp_compare_pick only */

/* -t: hottest function first; ties keep the report's order. */
static int lp_compare_pick(const void *a, const void *b) {
  const struct lp_pick *x = a, *y = b;
  long long tx = lp_sort_files[x->file].profile.functions[x->function].total_ns;
  long long ty = lp_sort_files[y->file].profile.functions[y->function].total_ns;
  if (tx != ty)
    return tx > ty ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  return (x->function > y->function) - (x->function < y->function);
}

static void lp_print_text(const struct lp_state *st,
                          const struct lp_file *files,
                          const struct lp_pick *picks, size_t npicks) {
  double ns_per_unit = lp_ns_per_unit(st->unit_s);
  printf("Timer unit: %g s\n\n", st->unit_s);
  for (size_t i = 0; i < npicks; i++) {
    const struct lp_file *file = &files[picks[i].file];
    lp_print_function(st, file, &file->profile.functions[picks[i].function],
                      ns_per_unit);
  }
  /* line_profiler's summary, with microseconds: C functions are fast. */
  if (st->summarize)
    for (size_t i = 0; i < npicks; i++) {
      const struct lp_file *file = &files[picks[i].file];
      const struct lp_function *fn =
          &file->profile.functions[picks[i].function];
      printf("%9.6f seconds - %s:%ld - %s\n", (double)fn->total_ns * 1e-9,
             file->path, fn->first_line, fn->name);
    }
}

/* The documented JSON form: files, their functions, their lines with code
 * (times in ns, the source text as it is now). */
static void lp_print_json(const struct lp_state *st,
                          const struct lp_file *files,
                          const struct lp_pick *picks, size_t npicks,
                          long long run_ns) {
  printf("{\n  \"database\": ");
  lp_json_string(stdout, st->db_path);
  if (st->run_id == LP_RUN_ALL)
    printf(",\n  \"run\": \"all\"");
  else
    printf(",\n  \"run\": %lld", st->run_id);
  printf(",\n  \"run_time_ns\": %lld,\n  \"files\": [", run_ns);
  const char *file_sep = "";
  for (int f = 0; f < st->noperands; f++) {
    const struct lp_file *file = &files[f];
    const char *fn_sep = "";
    int any = 0;
    for (size_t i = 0; i < npicks; i++) {
      if (picks[i].file != (size_t)f)
        continue;
      if (!any) {
        printf("%s\n    {\"path\": ", file_sep);
        lp_json_string(stdout, file->path);
        printf(", \"source\": \"%s\", \"functions\": [", file->source_state);
        file_sep = ",";
        any = 1;
      }
      const struct lp_function *fn =
          &file->profile.functions[picks[i].function];
      printf("%s\n      {\"name\": ", fn_sep);
      lp_json_string(stdout, fn->name);
      printf(", \"linkage_name\": ");
      lp_json_string(stdout, fn->linkage_name);
      printf(", \"line\": %ld, \"hits\": %lld, \"total_ns\": %lld, "
             "\"self_ns\": %lld,\n       \"lines\": [",
             fn->first_line, fn->hits, fn->total_ns, fn->self_ns);
      fn_sep = ",";
      const struct lp_line_row *rows = file->profile.rows + fn->first_row;
      for (size_t r = 0; r < fn->nrows; r++) {
        const char *text;
        size_t len;
        lp_source_line(&file->source, rows[r].line_no, &text, &len);
        printf("%s\n        {\"line\": %ld, \"hits\": %lld, \"time_ns\": %lld, "
               "\"self_ns\": %lld, \"percent\": %.3f, \"source\": ",
               r ? "," : "", rows[r].line_no, rows[r].hits, rows[r].time_ns,
               rows[r].self_ns,
               fn->total_ns ? 100.0 * (double)rows[r].time_ns /
                                  (double)fn->total_ns
                            : 0.0);
        lp_json_string_n(stdout, text, len);
        putchar('}');
      }
      printf("]}");
    }
    if (any)
      printf("]}");
  }
  printf("\n  ]\n}\n");
}

/* The run's time for --min-percent and JSON: the sum of every line's self
 * time in the selected runs. Returns LP_OK or LP_ERR_SYSTEM. */
static int lp_run_time(struct lp_state *st, long long *run_ns) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT ifnull(sum(self_ns), 0) FROM line_stats"
                         " WHERE ?1 < 0 OR run_id = ?1",
                         -1, &stmt, NULL) != SQLITE_OK)
    return lp_db_error(st->db, st->db_path);
  sqlite3_bind_int64(stmt, 1, st->run_id);
  int rc = sqlite3_step(stmt);
  *run_ns = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  return rc == SQLITE_ROW ? LP_OK : lp_db_error(st->db, st->db_path);
}

static void lp_free_file(struct lp_file *file) {
  lp_profile_free(&file->profile);
  lp_source_free(&file->source);
  free(file->path);
}

static int lp_cmd_annotate_run(struct lp_state *st, int argc, char **argv) {
  struct lp_paths paths = {0};
  struct lp_file *files = NULL;
  struct lp_pick *picks = NULL;
  int *wanted = NULL;
  size_t npicks = 0;
  long long run_ns = 0;
  int status;

  st->unit_s = LP_DEFAULT_UNIT_S;
  st->run_id = LP_RUN_LATEST;
  status = lp_parse_command(st, &lp_cmd_annotate, lp_annotate_options, argc,
                            argv, LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    goto out;
  if (st->noperands == 0) {
    status = lp_command_misuse(&lp_cmd_annotate, "no FILE given");
    goto out;
  }
  lp_resolve_color(st);

  st->db_path = lp_db_path(st->db_path);
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &st->run_id)) != LP_OK ||
      (status = lp_load_paths(st, &paths)) != LP_OK)
    goto out;

  files = calloc((size_t)st->noperands, sizeof *files);
  wanted = calloc((size_t)st->noperands, sizeof *wanted);
  if (!files || !wanted) {
    status = lp_out_of_memory();
    goto out;
  }
  for (int i = 0; i < st->noperands; i++) {
    struct lp_file *file = &files[i];
    const char *path;
    file->arg = st->operands[i];
    if ((status = lp_match_file(st, &paths, file->arg, &path)) != LP_OK)
      goto out;
    if (!(file->path = lp_strdup(path))) {
      status = lp_out_of_memory();
      goto out;
    }
    int rc = lp_profile_load(st->db, file->path, st->run_id, &file->profile);
    if (rc != SQLITE_OK) {
      status = rc == SQLITE_NOMEM ? lp_out_of_memory()
                                  : lp_db_error(st->db, st->db_path);
      goto out;
    }
    if (file->profile.nfunctions == 0) {
      if (st->run_id == LP_RUN_ALL)
        lp_error("no profile data for '%s' in %s", file->arg, st->db_path);
      else
        lp_error("no profile data for '%s' in run %lld of %s", file->arg,
                 st->run_id, st->db_path);
      status = LP_ERR_DATA;
      goto out;
    }
    npicks += file->profile.nfunctions;
  }
  if ((status = lp_check_functions(st, files)) != LP_OK)
    goto out;
  if ((st->min_percent > 0 || st->json) &&
      (status = lp_run_time(st, &run_ns)) != LP_OK)
    goto out;

  /* The functions to print, in the report's order. */
  picks = calloc(npicks ? npicks : 1, sizeof *picks);
  if (!picks) {
    status = lp_out_of_memory();
    goto out;
  }
  npicks = 0;
  for (int i = 0; i < st->noperands; i++)
    for (size_t k = 0; k < files[i].profile.nfunctions; k++)
      if (lp_function_wanted(st, &files[i].profile.functions[k], run_ns)) {
        picks[npicks].file = (size_t)i;
        picks[npicks++].function = k;
        wanted[i] = 1;
      }
  if (st->sort_by_time) {
    lp_sort_files = files;
    qsort(picks, npicks, sizeof *picks, lp_compare_pick);
  }
  lp_load_sources(st, files, wanted);
  if (st->json)
    lp_print_json(st, files, picks, npicks, run_ns);
  else
    lp_print_text(st, files, picks, npicks);

out:
  if (files)
    for (int i = 0; i < st->noperands; i++)
      lp_free_file(&files[i]);
  free(files);
  free(picks);
  free(wanted);
  for (size_t i = 0; i < paths.count; i++)
    free(paths.path[i]);
  free(paths.path);
  return status;
}

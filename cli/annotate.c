/* `lineprof annotate FILE...`: the per-line report, in Python
 * line_profiler's layout (3.x show_func), of every profiled function of
 * each FILE, for one run or summed over all runs.
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

#include "db.h"
#include "diag.h"
#include "format.h"
#include "lineprof.h"
#include "match.h"
#include "options.h"
#include "profile.h"
#include "source.h"

const char lp_annotate_usage[] =
    "Usage: lineprof annotate [--db PATH] [--run N|all] [-u SECONDS] [-z] "
    "[--function NAME] FILE...\n";
const char lp_annotate_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --run N|all           run to report (default: the latest run);\n"
    "                        'all' sums hits and times over every run\n"
    "  -u, --unit SECONDS    timer unit of the Time columns (default: 1e-6)\n"
    "  -z, --skip-zero       omit functions that never ran\n"
    "  --function NAME       only this function (name or linkage name);\n"
    "                        may be repeated\n";

#define LP_DEFAULT_UNIT_S 1e-6 /* seconds, line_profiler's usual unit */

/* Everything annotate prints for one FILE argument. */
struct lp_file {
  const char *arg;           /* FILE as typed */
  char *path;                /* the files.path it matched */
  struct lp_profile profile; /* its functions and lines */
};

/* Distinct files.path values, for matching FILE arguments. */
struct lp_paths {
  char **path;  /* sorted, owned strings */
  size_t count; /* entries in path */
};

enum {
  LP_ANN_DB,
  LP_ANN_RUN,
  LP_ANN_UNIT,
  LP_ANN_SKIP_ZERO,
  LP_ANN_FUNCTION,
  LP_ANN_HELP,
};

static const struct lp_option lp_annotate_options[] = {
    {"db", 0, 1, LP_ANN_DB},
    {"run", 0, 1, LP_ANN_RUN},
    {"unit", 'u', 1, LP_ANN_UNIT},
    {"skip-zero", 'z', 0, LP_ANN_SKIP_ZERO},
    {"function", 0, 1, LP_ANN_FUNCTION},
    {"help", 'h', 0, LP_ANN_HELP},
    {0, 0, 0, 0},
};

static char *lp_strdup(const unsigned char *text) {
  const char *s = text ? (const char *)text : "";
  char *copy = malloc(strlen(s) + 1);
  if (copy)
    strcpy(copy, s);
  return copy;
}

static int lp_out_of_memory(void) {
  lp_error("%s", strerror(ENOMEM));
  return LP_ERR_SYSTEM;
}

/* Parse annotate's command line into st. Returns LP_OK, LP_ERR_USAGE after
 * printing the problem and the Usage line, or -1 after printing --help. */
static int lp_annotate_parse(struct lp_state *st, int argc, char **argv) {
  struct lp_args args;
  const char *value, *text;
  int id;
  st->unit_s = LP_DEFAULT_UNIT_S;
  st->run_id = LP_RUN_LATEST;
  lp_args_init(&args, argc, argv);
  while ((id = lp_next_option(&args, lp_annotate_options, &value, &text)) !=
         LP_ARG_END) {
    switch (id) {
    case LP_ANN_DB:
      st->db_path = value;
      break;
    case LP_ANN_RUN:
      if (lp_parse_run(value, &st->run_id) != 0) {
        lp_error("invalid run '%s': expected a run id or 'all'", value);
        return lp_usage_error(lp_annotate_usage);
      }
      break;
    case LP_ANN_UNIT:
      if (lp_parse_unit(value, &st->unit_s) != 0) {
        lp_error("invalid unit '%s': expected a positive number of seconds",
                 value);
        return lp_usage_error(lp_annotate_usage);
      }
      break;
    case LP_ANN_SKIP_ZERO:
      st->skip_zero = 1;
      break;
    case LP_ANN_FUNCTION:
      st->functions[st->nfunctions++] = value;
      break;
    case LP_ANN_HELP:
      printf("%s\nOptions:\n%s", lp_annotate_usage, lp_annotate_help);
      return -1;
    case LP_ARG_OPERAND:
      st->files[st->nfiles++] = text;
      break;
    default:
      return lp_bad_arguments(id, text, lp_annotate_usage);
    }
  }
  if (st->nfiles == 0) {
    lp_error("no FILE given");
    return lp_usage_error(lp_annotate_usage);
  }
  return LP_OK;
}

static int lp_load_paths(struct lp_state *st, struct lp_paths *paths) {
  sqlite3_stmt *stmt;
  size_t cap = 0;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT DISTINCT path FROM files ORDER BY path", -1,
                         &stmt, NULL) != SQLITE_OK)
    return lp_db_error(st->db, st->db_path);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    char *path = lp_strdup(sqlite3_column_text(stmt, 0));
    char **bigger = paths->count < cap
                        ? paths->path
                        : realloc(paths->path, (cap = cap ? 2 * cap : 64) *
                                                   sizeof *paths->path);
    if (!path || !bigger) {
      free(path);
      sqlite3_finalize(stmt);
      return lp_out_of_memory();
    }
    paths->path = bigger;
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

/* Whether the options ask for this function to be printed. */
static int lp_function_wanted(const struct lp_state *st,
                              const struct lp_function *fn) {
  if (st->skip_zero && fn->hits == 0)
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
    for (int f = 0; f < st->nfiles && !found; f++)
      for (size_t k = 0; k < files[f].profile.nfunctions && !found; k++)
        found =
            lp_function_named(&files[f].profile.functions[k], st->functions[i]);
    if (found)
      continue;
    fprintf(stderr, "lineprof: error: no function '%s' in ", st->functions[i]);
    for (int f = 0; f < st->nfiles; f++)
      fprintf(stderr, "%s%s", f ? ", " : "", st->files[f]);
    fputc('\n', stderr);
    return LP_ERR_DATA;
  }
  return LP_OK;
}

/* One function's block, exactly as line_profiler's show_func prints it:
 * every source line from the first line to the last line with code. */
static void lp_print_function(const struct lp_file *file,
                              const struct lp_function *fn,
                              const struct lp_source *src, double ns_per_unit) {
  const struct lp_line_row *rows = file->profile.rows + fn->first_row;
  long first = fn->first_line, last = rows[fn->nrows - 1].line_no;
  if (first < 1 || first > rows[0].line_no)
    first = rows[0].line_no; /* debug info placed code above the header */

  printf("Total time: %g s\n", (double)fn->total_ns * 1e-9);
  printf("File: %s\n", file->path);
  printf("Function: %s at line %ld\n\n", fn->name, fn->first_line);
  lp_print_header(stdout);
  size_t r = 0;
  for (long line = first; line <= last; line++) {
    struct lp_cells cells;
    const char *text;
    size_t len;
    const struct lp_line_row *row =
        r < fn->nrows && rows[r].line_no == line ? &rows[r++] : NULL;
    lp_format_cells(&cells, line, row != NULL, row ? row->hits : 0,
                    row ? row->time_ns : 0, fn->total_ns, ns_per_unit);
    lp_source_line(src, line, &text, &len);
    lp_print_row(stdout, &cells, text, len);
  }
  putchar('\n');
}

/* Print one FILE's wanted functions, warning first if its source is
 * unreadable or has changed since it was compiled. */
static void lp_print_file(const struct lp_state *st, const struct lp_file *file,
                          double ns_per_unit) {
  const struct lp_profile *profile = &file->profile;
  size_t wanted = 0;
  for (size_t k = 0; k < profile->nfunctions; k++)
    wanted += lp_function_wanted(st, &profile->functions[k]);
  if (wanted == 0)
    return;

  struct lp_source src;
  int err = lp_source_load(&src, file->path);
  if (err)
    lp_warn("cannot read source '%s': %s; showing numbers only", file->path,
            strerror(err));
  else if (!lp_source_matches(&src, profile->checksum))
    lp_warn("'%s' has changed since it was compiled; source lines may not "
            "match",
            file->path);
  for (size_t k = 0; k < profile->nfunctions; k++)
    if (lp_function_wanted(st, &profile->functions[k]))
      lp_print_function(file, &profile->functions[k], &src, ns_per_unit);
  lp_source_free(&src);
}

static void lp_free_file(struct lp_file *file) {
  lp_profile_free(&file->profile);
  free(file->path);
}

int lp_cmd_annotate(struct lp_state *st, int argc, char **argv) {
  struct lp_paths paths = {0};
  struct lp_file *files = NULL;
  int status;

  /* FILEs and --function values are at most argc words each. */
  st->files = calloc((size_t)argc, sizeof *st->files);
  st->functions = calloc((size_t)argc, sizeof *st->functions);
  if (!st->files || !st->functions) {
    status = lp_out_of_memory();
    goto out;
  }
  status = lp_annotate_parse(st, argc, argv);
  if (status != LP_OK) {
    if (status < 0)
      status = LP_OK; /* --help */
    goto out;
  }

  st->db_path = lp_db_path(st->db_path);
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &st->run_id)) != LP_OK ||
      (status = lp_load_paths(st, &paths)) != LP_OK)
    goto out;

  files = calloc((size_t)st->nfiles, sizeof *files);
  if (!files) {
    status = lp_out_of_memory();
    goto out;
  }
  for (int i = 0; i < st->nfiles; i++) {
    struct lp_file *file = &files[i];
    const char *path;
    file->arg = st->files[i];
    if ((status = lp_match_file(st, &paths, file->arg, &path)) != LP_OK)
      goto out;
    if (!(file->path = lp_strdup((const unsigned char *)path))) {
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
  }
  if ((status = lp_check_functions(st, files)) != LP_OK)
    goto out;

  double ns_per_unit = lp_ns_per_unit(st->unit_s);
  printf("Timer unit: %g s\n\n", st->unit_s);
  for (int i = 0; i < st->nfiles; i++)
    lp_print_file(st, &files[i], ns_per_unit);

out:
  if (files)
    for (int i = 0; i < st->nfiles; i++)
      lp_free_file(&files[i]);
  free(files);
  for (size_t i = 0; i < paths.count; i++)
    free(paths.path[i]);
  free(paths.path);
  free(st->files);
  free(st->functions);
  st->files = NULL;
  st->functions = NULL;
  st->nfiles = st->nfunctions = 0;
  return status;
}

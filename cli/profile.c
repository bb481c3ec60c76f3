/* Reading one file's profile (see profile.h). Six queries, each walking
 * an index in order: the files rows of the path (its builds), their
 * functions, their lines rows, their line_sets (schema 3: the lines of
 * functions that never ran have no lines rows), the functions that did not
 * run in a selected run (all their lines had 0 hits, and have no
 * line_stats rows), and the line_stats key range of the lines in each
 * selected run. Summing over
 * runs and merging builds is done here in memory with sorts, because
 * GROUP BY over a join cost SQLite several times more on large files.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "lineprof.h"
#include "reserve.h"

/* A files row of the path: one build of the source file. */
struct lp_build {
  long long file_id;  /* files.file_id */
  char *checksum;     /* files.checksum, owned */
  long long last_run; /* latest selected run with statistics, 0 if none */
};

/* A functions row of one build. */
struct lp_recorded_function {
  long long function_id; /* functions.function_id */
  size_t build;          /* index into the builds */
  long first_line;       /* functions.line_no */
  char *linkage_name;    /* owned */
  char *name;            /* owned */
  size_t merged;         /* index of its lp_function once merged */
  int idle;              /* 1 = did not run in a selected run */
};

/* A lines row and its statistics summed over the selected runs. */
struct lp_recorded_line {
  long long line_id; /* lines.line_id */
  size_t function;   /* index into the recorded functions */
  long line_no;      /* lines.line_no */
  long long hits;    /* summed hits */
  long long time_ns; /* summed time_ns, ns */
  long long self_ns; /* summed self_ns, ns */
  int seen;          /* 1 = has statistics in a selected run */
};

/* A row on its way into lp_profile.rows. */
struct lp_merged_line {
  size_t function;   /* index of its lp_function */
  long line_no;      /* source line */
  long long hits;    /* summed hits */
  long long time_ns; /* summed time_ns, ns */
  long long self_ns; /* summed self_ns, ns */
};

/* Everything being loaded, freed in one place. */
struct lp_loader {
  struct lp_build *builds;                /* by file_id */
  size_t nbuilds, builds_cap;             /* used, allocated entries */
  struct lp_recorded_function *functions; /* by function_id */
  size_t nfunctions, functions_cap;       /* used, allocated entries */
  struct lp_recorded_line *lines;         /* by line_id once all are read */
  size_t nlines, lines_cap;               /* used, allocated entries */
  size_t cursor; /* index into lines of the last statistics row's line */
};

/* A copy of a text column ("" for NULL); NULL when memory runs out. */
static char *lp_column_strdup(sqlite3_stmt *stmt, int column) {
  return lp_strdup((const char *)sqlite3_column_text(stmt, column));
}

/* Order of merged functions: first line, then linkage name. */
static int lp_compare_function_key(const void *a, const void *b) {
  const struct lp_recorded_function *x =
      *(const struct lp_recorded_function *const *)a;
  const struct lp_recorded_function *y =
      *(const struct lp_recorded_function *const *)b;
  if (x->first_line != y->first_line)
    return x->first_line < y->first_line ? -1 : 1;
  return strcmp(x->linkage_name, y->linkage_name);
}

static int lp_compare_line_id(const void *a, const void *b) {
  const struct lp_recorded_line *x = a, *y = b;
  return (x->line_id > y->line_id) - (x->line_id < y->line_id);
}

static int lp_compare_merged(const void *a, const void *b) {
  const struct lp_merged_line *x = a, *y = b;
  if (x->function != y->function)
    return x->function < y->function ? -1 : 1;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

/* Index of the recorded function with this id, or (size_t)-1. */
static size_t lp_find_function(const struct lp_loader *ld, long long id) {
  size_t lo = 0, hi = ld->nfunctions;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ld->functions[mid].function_id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < ld->nfunctions && ld->functions[lo].function_id == id
             ? lo
             : (size_t)-1;
}

static struct lp_recorded_line *lp_find_line(const struct lp_loader *ld,
                                             long long id) {
  size_t lo = 0, hi = ld->nlines;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ld->lines[mid].line_id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < ld->nlines && ld->lines[lo].line_id == id ? &ld->lines[lo] : NULL;
}

/* Step through a prepared statement, calling `row` for each row. Returns
 * SQLITE_OK, the failing step's code, or what `row` returned if not OK. */
static int lp_each_row(sqlite3_stmt *stmt, struct lp_loader *ld,
                       int (*row)(sqlite3_stmt *, struct lp_loader *)) {
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    if ((rc = row(stmt, ld)) != SQLITE_OK)
      break;
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int lp_build_row(sqlite3_stmt *stmt, struct lp_loader *ld) {
  if (lp_reserve((void **)&ld->builds, &ld->builds_cap, ld->nbuilds,
                 sizeof *ld->builds) != 0)
    return SQLITE_NOMEM;
  struct lp_build *b = &ld->builds[ld->nbuilds];
  b->file_id = sqlite3_column_int64(stmt, 0);
  b->last_run = 0;
  if (!(b->checksum = lp_column_strdup(stmt, 1)))
    return SQLITE_NOMEM;
  ld->nbuilds++;
  return SQLITE_OK;
}

static int lp_function_row(sqlite3_stmt *stmt, struct lp_loader *ld) {
  if (lp_reserve((void **)&ld->functions, &ld->functions_cap, ld->nfunctions,
                 sizeof *ld->functions) != 0)
    return SQLITE_NOMEM;
  struct lp_recorded_function *fn = &ld->functions[ld->nfunctions];
  memset(fn, 0, sizeof *fn);
  fn->function_id = sqlite3_column_int64(stmt, 0);
  long long file_id = sqlite3_column_int64(stmt, 1);
  while (fn->build + 1 < ld->nbuilds &&
         ld->builds[fn->build].file_id != file_id)
    fn->build++;
  fn->first_line = (long)sqlite3_column_int64(stmt, 2);
  fn->linkage_name = lp_column_strdup(stmt, 3);
  fn->name = lp_column_strdup(stmt, 4);
  ld->nfunctions++; /* counted first, so that its strings are freed */
  return fn->linkage_name && fn->name ? SQLITE_OK : SQLITE_NOMEM;
}

static int lp_line_row(sqlite3_stmt *stmt, struct lp_loader *ld) {
  if (lp_reserve((void **)&ld->lines, &ld->lines_cap, ld->nlines,
                 sizeof *ld->lines) != 0)
    return SQLITE_NOMEM;
  struct lp_recorded_line *line = &ld->lines[ld->nlines];
  long long function_id = sqlite3_column_int64(stmt, 1);
  /* Rows arrive function by function; look up only when it changes. */
  size_t fn =
      ld->nlines && ld->functions[line[-1].function].function_id == function_id
          ? line[-1].function
          : lp_find_function(ld, function_id);
  if (fn == (size_t)-1)
    return SQLITE_OK; /* cannot happen: the same join found it */
  memset(line, 0, sizeof *line);
  line->line_id = sqlite3_column_int64(stmt, 0);
  line->function = fn;
  line->line_no = (long)sqlite3_column_int64(stmt, 2);
  ld->nlines++;
  return SQLITE_OK;
}

static int lp_stats_row(sqlite3_stmt *stmt, struct lp_loader *ld) {
  /* Each run's rows come in line_id order, like ld->lines: step forward
   * from the previous match, and search only when a new run starts. */
  long long line_id = sqlite3_column_int64(stmt, 0);
  struct lp_recorded_line *line = NULL;
  size_t at = ld->cursor;
  if (at < ld->nlines && ld->lines[at].line_id <= line_id) {
    while (at < ld->nlines && ld->lines[at].line_id < line_id)
      at++;
    if (at < ld->nlines && ld->lines[at].line_id == line_id)
      line = &ld->lines[at];
    ld->cursor = at;
  } else if ((line = lp_find_line(ld, line_id)) != NULL) {
    ld->cursor = (size_t)(line - ld->lines);
  }
  if (!line)
    return SQLITE_OK; /* a line of another file in the same key range */
  long long run_id = sqlite3_column_int64(stmt, 1);
  line->hits += sqlite3_column_int64(stmt, 2);
  line->time_ns += sqlite3_column_int64(stmt, 3);
  line->self_ns += sqlite3_column_int64(stmt, 4);
  line->seen = 1;
  struct lp_build *b = &ld->builds[ld->functions[line->function].build];
  if (run_id > b->last_run)
    b->last_run = run_id;
  return SQLITE_OK;
}

/* A function_stats row of a function that did not run: such a function
 * has no line_stats rows in that run (schema 2), its lines had 0 hits. */
static int lp_idle_row(sqlite3_stmt *stmt, struct lp_loader *ld) {
  size_t fn = lp_find_function(ld, sqlite3_column_int64(stmt, 0));
  if (fn == (size_t)-1)
    return SQLITE_OK;
  ld->functions[fn].idle = 1;
  struct lp_build *b = &ld->builds[ld->functions[fn].build];
  long long run_id = sqlite3_column_int64(stmt, 1);
  if (run_id > b->last_run)
    b->last_run = run_id;
  return SQLITE_OK;
}

/* Prepare `sql` and bind the path to ?1 and, if used, the run to ?2. */
static int lp_prepare(sqlite3 *db, const char *sql, const char *path,
                      long long run_id, sqlite3_stmt **stmt) {
  int rc = sqlite3_prepare_v2(db, sql, -1, stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_text(*stmt, 1, path, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count(*stmt) >= 2)
    sqlite3_bind_int64(*stmt, 2, run_id);
  return SQLITE_OK;
}

/* Read builds, functions and lines of the path, and the statistics of its
 * lines in the selected runs. */
static int lp_read(sqlite3 *db, const char *path, long long run_id,
                   struct lp_loader *ld) {
  /* CROSS JOIN fixes the nesting: files by path, then the functions of
   * each build, then their lines, each an index walk. */
  static const char builds_sql[] =
      "SELECT file_id, checksum FROM files WHERE path = ?1 ORDER BY file_id";
  static const char functions_sql[] =
      "SELECT fn.function_id, fn.file_id, fn.line_no, fn.linkage_name, fn.name"
      " FROM files f CROSS JOIN functions fn"
      " WHERE f.path = ?1 AND fn.file_id = f.file_id"
      " ORDER BY fn.function_id";
  static const char lines_sql[] =
      "SELECT l.line_id, l.function_id, l.line_no"
      " FROM files f CROSS JOIN functions fn CROSS JOIN lines l"
      " WHERE f.path = ?1 AND fn.file_id = f.file_id"
      "   AND l.function_id = fn.function_id AND l.file_id = f.file_id"
      "   AND l.line_no > 0";
  /* Schema 3: every function's lines, also those without a lines row (of
   * functions that never ran), as line_id 0. */
  static const char line_sets_sql[] =
      "SELECT 0, fn.function_id, j.value"
      " FROM files f CROSS JOIN functions fn CROSS JOIN line_sets z"
      " JOIN json_each(z.line_nos) j"
      " WHERE f.path = ?1 AND fn.file_id = f.file_id"
      "   AND z.function_id = fn.function_id AND z.file_id = f.file_id"
      "   AND j.value > 0";
  /* line_stats is keyed (run_id, line_id): a key range per run. */
  static const char one_run_sql[] =
      "SELECT line_id, run_id, hits, time_ns, self_ns FROM line_stats"
      " WHERE run_id = ?2 AND line_id BETWEEN ?3 AND ?4";
  static const char all_runs_sql[] =
      "SELECT line_id, run_id, hits, time_ns, self_ns FROM line_stats"
      " WHERE run_id IN (SELECT run_id FROM runs)"
      "   AND line_id BETWEEN ?3 AND ?4";
  /* The file's functions that did not run in a selected run. */
  static const char one_run_idle_sql[] =
      "SELECT fn.function_id, fs.run_id"
      " FROM files f CROSS JOIN functions fn CROSS JOIN function_stats fs"
      " WHERE f.path = ?1 AND fn.file_id = f.file_id AND fs.run_id = ?2"
      "   AND fs.function_id = fn.function_id AND fs.calls = 0";
  static const char all_runs_idle_sql[] =
      "SELECT fn.function_id, fs.run_id"
      " FROM files f CROSS JOIN functions fn CROSS JOIN function_stats fs"
      " WHERE f.path = ?1 AND fn.file_id = f.file_id"
      "   AND fs.run_id IN (SELECT run_id FROM runs)"
      "   AND fs.function_id = fn.function_id AND fs.calls = 0";
  sqlite3_stmt *stmt;
  int rc;
  if ((rc = lp_prepare(db, builds_sql, path, run_id, &stmt)) != SQLITE_OK ||
      (rc = lp_each_row(stmt, ld, lp_build_row)) != SQLITE_OK ||
      (rc = lp_prepare(db, functions_sql, path, run_id, &stmt)) != SQLITE_OK ||
      (rc = lp_each_row(stmt, ld, lp_function_row)) != SQLITE_OK ||
      (rc = lp_prepare(db, lines_sql, path, run_id, &stmt)) != SQLITE_OK ||
      (rc = lp_each_row(stmt, ld, lp_line_row)) != SQLITE_OK ||
      (lp_db_has_line_sets(db, "main") == 1 &&
       ((rc = lp_prepare(db, line_sets_sql, path, run_id, &stmt)) !=
            SQLITE_OK ||
        (rc = lp_each_row(stmt, ld, lp_line_row)) != SQLITE_OK)) ||
      (rc = lp_prepare(db,
                       run_id == LP_RUN_ALL ? all_runs_idle_sql
                                            : one_run_idle_sql,
                       path, run_id, &stmt)) != SQLITE_OK ||
      (rc = lp_each_row(stmt, ld, lp_idle_row)) != SQLITE_OK)
    return rc;
  if (ld->nlines == 0)
    return SQLITE_OK;

  qsort(ld->lines, ld->nlines, sizeof *ld->lines, lp_compare_line_id);
  size_t first = 0; /* the first with a lines row: after line_sets' */
  while (first < ld->nlines && ld->lines[first].line_id == 0)
    first++;
  if (first == ld->nlines)
    return SQLITE_OK;
  const char *sql = run_id == LP_RUN_ALL ? all_runs_sql : one_run_sql;
  if ((rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL)) != SQLITE_OK)
    return rc;
  if (run_id != LP_RUN_ALL)
    sqlite3_bind_int64(stmt, 2, run_id);
  sqlite3_bind_int64(stmt, 3, ld->lines[first].line_id);
  sqlite3_bind_int64(stmt, 4, ld->lines[ld->nlines - 1].line_id);
  return lp_each_row(stmt, ld, lp_stats_row);
}

/* Merge the recorded functions into profile->functions (one per first line
 * and linkage name) and the seen lines into profile->rows, dropping
 * functions left without rows. */
static int lp_merge(struct lp_loader *ld, struct lp_profile *p) {
  int rc = SQLITE_NOMEM;
  struct lp_recorded_function **order = NULL;
  struct lp_merged_line *merged = NULL;
  size_t *rows_of = NULL; /* rows per merged function */
  size_t nmerged = 0, nfunctions = 0;

  order = malloc((ld->nfunctions ? ld->nfunctions : 1) * sizeof *order);
  p->functions =
      calloc(ld->nfunctions ? ld->nfunctions : 1, sizeof *p->functions);
  merged = malloc((ld->nlines ? ld->nlines : 1) * sizeof *merged);
  if (!order || !p->functions || !merged)
    goto out;
  for (size_t i = 0; i < ld->nfunctions; i++)
    order[i] = &ld->functions[i];
  qsort(order, ld->nfunctions, sizeof *order, lp_compare_function_key);
  for (size_t i = 0; i < ld->nfunctions; i++) {
    struct lp_recorded_function *r = order[i];
    const struct lp_function *last =
        nfunctions ? &p->functions[nfunctions - 1] : NULL;
    if (!last || last->first_line != r->first_line ||
        strcmp(last->linkage_name, r->linkage_name) != 0) {
      struct lp_function *fn = &p->functions[nfunctions++];
      fn->first_line = r->first_line;
      fn->linkage_name = r->linkage_name; /* ownership moves */
      fn->name = r->name;
      r->linkage_name = r->name = NULL;
    }
    r->merged = nfunctions - 1;
  }

  for (size_t i = 0; i < ld->nlines; i++) {
    const struct lp_recorded_line *line = &ld->lines[i];
    if (!line->seen && !ld->functions[line->function].idle)
      continue;
    merged[nmerged].function = ld->functions[line->function].merged;
    merged[nmerged].line_no = line->line_no;
    merged[nmerged].hits = line->hits;
    merged[nmerged].time_ns = line->time_ns;
    merged[nmerged].self_ns = line->self_ns;
    nmerged++;
  }
  qsort(merged, nmerged, sizeof *merged, lp_compare_merged);

  p->rows = malloc((nmerged ? nmerged : 1) * sizeof *p->rows);
  rows_of = calloc(nfunctions ? nfunctions : 1, sizeof *rows_of);
  if (!p->rows || !rows_of)
    goto out;
  for (size_t i = 0; i < nmerged; i++) {
    const struct lp_merged_line *m = &merged[i];
    struct lp_function *fn = &p->functions[m->function];
    if (i == 0 || merged[i - 1].function != m->function ||
        merged[i - 1].line_no != m->line_no) {
      if (rows_of[m->function]++ == 0)
        fn->first_row = p->nrows;
      p->rows[p->nrows].line_no = m->line_no;
      p->rows[p->nrows].hits = 0;
      p->rows[p->nrows].time_ns = 0;
      p->rows[p->nrows].self_ns = 0;
      p->nrows++;
    }
    p->rows[p->nrows - 1].hits += m->hits;
    p->rows[p->nrows - 1].time_ns += m->time_ns;
    p->rows[p->nrows - 1].self_ns += m->self_ns;
    fn->hits += m->hits;
    fn->total_ns += m->time_ns;
    fn->self_ns += m->self_ns;
  }

  /* Keep only functions with rows, in order. */
  for (size_t i = 0; i < nfunctions; i++) {
    struct lp_function *fn = &p->functions[i];
    fn->nrows = rows_of[i];
    if (fn->nrows == 0) {
      free(fn->name);
      free(fn->linkage_name);
      continue;
    }
    p->functions[p->nfunctions++] = *fn;
  }
  nfunctions = 0;
  rc = SQLITE_OK;

out:
  /* On failure, free the merged functions not yet counted in p. */
  for (size_t i = 0; i < nfunctions; i++) {
    free(p->functions[i].name);
    free(p->functions[i].linkage_name);
  }
  free(order);
  free(merged);
  free(rows_of);
  return rc;
}

int lp_profile_load(sqlite3 *db, const char *path, long long run_id,
                    struct lp_profile *p) {
  struct lp_loader ld = {0};
  memset(p, 0, sizeof *p);
  int rc = lp_read(db, path, run_id, &ld);
  if (rc == SQLITE_OK)
    rc = lp_merge(&ld, p);

  /* The newest build that the selected runs used; on a tie (one run) the
   * later files row. */
  const struct lp_build *newest = NULL;
  for (size_t i = 0; i < ld.nbuilds; i++)
    if (ld.builds[i].last_run > 0 &&
        (!newest || ld.builds[i].last_run >= newest->last_run))
      newest = &ld.builds[i];
  if (rc == SQLITE_OK) {
    size_t n = newest ? strlen(newest->checksum) + 1 : 1;
    if ((p->checksum = malloc(n)) != NULL)
      memcpy(p->checksum, newest ? newest->checksum : "", n);
    else
      rc = SQLITE_NOMEM;
  }

  for (size_t i = 0; i < ld.nbuilds; i++)
    free(ld.builds[i].checksum);
  for (size_t i = 0; i < ld.nfunctions; i++) {
    free(ld.functions[i].linkage_name);
    free(ld.functions[i].name);
  }
  free(ld.builds);
  free(ld.functions);
  free(ld.lines);
  if (rc != SQLITE_OK)
    lp_profile_free(p);
  return rc;
}

void lp_profile_free(struct lp_profile *p) {
  for (size_t i = 0; i < p->nfunctions; i++) {
    free(p->functions[i].name);
    free(p->functions[i].linkage_name);
  }
  free(p->functions);
  free(p->rows);
  free(p->checksum);
  memset(p, 0, sizeof *p);
}

/* Loading the whole-program model (see model.h). Three grouped queries
 * (functions, lines, calls) sum over the selected runs by natural key;
 * the keys are then interned, so that equal strings are equal pointers,
 * and the rows are indexed with sorts and binary searches in memory.
 */
#include "model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "lineprof.h"
#include "reserve.h"

/* A set of strings, each stored once: open addressing, FNV-1a hash. */
struct lp_strings {
  char **slot;     /* the strings, NULL for a free slot */
  size_t capacity; /* slots, a power of two */
  size_t count;    /* strings stored */
};

static uint64_t lp_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* The stored copy of s, stored now if new; NULL when out of memory. */
static char *lp_intern(struct lp_strings *set, const char *s) {
  if (!s)
    s = "";
  if (2 * (set->count + 1) > set->capacity) {
    size_t cap = set->capacity ? 2 * set->capacity : 1024;
    char **slot = calloc(cap, sizeof *slot);
    if (!slot)
      return NULL;
    for (size_t i = 0; i < set->capacity; i++)
      if (set->slot[i]) {
        size_t j = (size_t)lp_hash(set->slot[i]) & (cap - 1);
        while (slot[j])
          j = (j + 1) & (cap - 1);
        slot[j] = set->slot[i];
      }
    free(set->slot);
    set->slot = slot;
    set->capacity = cap;
  }
  size_t j = (size_t)lp_hash(s) & (set->capacity - 1);
  for (; set->slot[j]; j = (j + 1) & (set->capacity - 1))
    if (strcmp(set->slot[j], s) == 0)
      return set->slot[j];
  size_t n = strlen(s) + 1;
  if (!(set->slot[j] = malloc(n)))
    return NULL;
  memcpy(set->slot[j], s, n);
  set->count++;
  return set->slot[j];
}

static void lp_strings_free(struct lp_strings *set) {
  if (!set)
    return;
  for (size_t i = 0; i < set->capacity; i++)
    free(set->slot[i]);
  free(set->slot);
  free(set);
}

/* A row of one of the three queries, its strings interned. */
struct lp_raw {
  const char *path;     /* function's file */
  const char *linkage;  /* function's linkage name */
  const char *name;     /* function's display name (functions, lines) */
  const char *checksum; /* function's file checksum (functions, lines) */
  const char *line_path;   /* line's file (lines, calls) */
  const char *line_sum;    /* line's file checksum (lines) */
  const char *callee_name; /* calls: callee_name */
  const char *callee_path; /* calls: resolved callee's file, or NULL */
  const char *callee_linkage; /* calls: resolved callee's linkage, or NULL */
  long long run;        /* newest selected run of the row */
  long line_no;         /* line (lines, calls) */
  long fn_line;         /* function's first line (functions, lines) */
  long long v[4];       /* summed statistics, in query order */
  int kind;             /* 0 function, 1 line, 2 call */
};

struct lp_raws {
  struct lp_raw *row; /* rows read */
  size_t count, cap;  /* used, allocated */
};

static struct lp_raw *lp_raw_add(struct lp_raws *r) {
  if (lp_reserve((void **)&r->row, &r->cap, r->count, sizeof *r->row) != 0)
    return NULL;
  struct lp_raw *row = &r->row[r->count++];
  memset(row, 0, sizeof *row);
  return row;
}

static const char lp_functions_sql[] =
    "SELECT f.path, fn.linkage_name, max(s.run_id), fn.name, fn.line_no,"
    " f.checksum, sum(s.calls), sum(s.primitive_calls), sum(s.inclusive_ns),"
    " sum(s.self_ns)"
    " FROM function_stats s JOIN functions fn ON fn.function_id = s.function_id"
    " JOIN files f ON f.file_id = fn.file_id WHERE %s"
    " GROUP BY f.path, fn.linkage_name";
/* Lines with statistics, and the lines of functions that did not run (0
 * hits): from line_sets (schema 3), or from lines (older schemas, where
 * lines held every function's lines). */
#define LP_LINES_SQL(idle_lines)                                               \
  "SELECT fp.path, fn.linkage_name, max(s.run_id), fn.name, fn.line_no,"      \
  " fp.checksum, sum(s.hits), sum(s.time_ns), sum(s.self_ns), lf.path,"       \
  " s.line_no, lf.checksum"                                                    \
  " FROM (SELECT s.run_id, l.function_id, l.file_id, l.line_no, s.hits,"      \
  "       s.time_ns, s.self_ns"                                                \
  "       FROM line_stats s JOIN lines l ON l.line_id = s.line_id WHERE %s"   \
  "       UNION ALL"                                                           \
  "       SELECT s.run_id, z.function_id, z.file_id, z.line_no, 0, 0, 0"      \
  "       FROM function_stats s JOIN " idle_lines " z"                         \
  "         ON z.function_id = s.function_id"                                  \
  "       WHERE %s AND s.calls = 0) s"                                         \
  " JOIN functions fn ON fn.function_id = s.function_id"                      \
  " JOIN files fp ON fp.file_id = fn.file_id"                                 \
  " JOIN files lf ON lf.file_id = s.file_id"                                  \
  " WHERE s.line_no > 0"                                                       \
  " GROUP BY fp.path, fn.linkage_name, lf.path, s.line_no"
static const char lp_lines_sql[] = LP_LINES_SQL(
    "(SELECT y.function_id, y.file_id, j.value AS line_no"
    " FROM line_sets y JOIN json_each(y.line_nos) j)");
static const char lp_lines_v2_sql[] = LP_LINES_SQL("lines");
static const char lp_calls_sql[] =
    "SELECT fp.path, fn.linkage_name, max(s.run_id), fn.name, fn.line_no,"
    " fp.checksum, sum(s.calls), sum(s.time_ns), 0, lf.path, l.line_no,"
    " lf.checksum, s.callee_name, cp.path, cf.linkage_name"
    " FROM call_stats s JOIN lines l ON l.line_id = s.line_id"
    " JOIN functions fn ON fn.function_id = l.function_id"
    " JOIN files fp ON fp.file_id = fn.file_id"
    " JOIN files lf ON lf.file_id = l.file_id"
    " LEFT JOIN functions cf ON cf.function_id = s.callee_function_id"
    " LEFT JOIN files cp ON cp.file_id = cf.file_id"
    " WHERE %s AND l.line_no > 0"
    " GROUP BY fp.path, fn.linkage_name, lf.path, l.line_no, s.callee_name,"
    " cp.path, cf.linkage_name";

/* Run one of the queries above, adding its rows as `kind`. */
static int lp_read_rows(sqlite3 *db, const char *sql_format, long long run_id,
                        int kind, struct lp_strings *set, struct lp_raws *raws) {
  char sql[2048];
  const char *runs = run_id == LP_RUN_ALL ? "s.run_id IN (SELECT run_id FROM runs)"
                                          : "s.run_id = ?1";
  snprintf(sql, sizeof sql, sql_format, runs, runs); /* one or two %s */
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  if (run_id != LP_RUN_ALL)
    sqlite3_bind_int64(stmt, 1, run_id);
  int columns = sqlite3_column_count(stmt);
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    struct lp_raw *r = lp_raw_add(raws);
#define LP_TEXT(i) lp_intern(set, (const char *)sqlite3_column_text(stmt, i))
    if (!r || !(r->path = LP_TEXT(0)) || !(r->linkage = LP_TEXT(1)) ||
        !(r->name = LP_TEXT(3)) || !(r->checksum = LP_TEXT(5))) {
      rc = SQLITE_NOMEM;
      break;
    }
    r->kind = kind;
    r->run = sqlite3_column_int64(stmt, 2);
    r->fn_line = (long)sqlite3_column_int64(stmt, 4);
    for (int i = 0; i < 4 && 6 + i < columns && (kind == 0 || i < 3); i++)
      r->v[i] = sqlite3_column_int64(stmt, 6 + i);
    if (kind >= 1) {
      r->line_no = (long)sqlite3_column_int64(stmt, 10);
      if (!(r->line_path = LP_TEXT(9)) || !(r->line_sum = LP_TEXT(11))) {
        rc = SQLITE_NOMEM;
        break;
      }
    }
    if (kind == 2) {
      if (!(r->callee_name = LP_TEXT(12))) {
        rc = SQLITE_NOMEM;
        break;
      }
      if (sqlite3_column_type(stmt, 14) != SQLITE_NULL &&
          (!(r->callee_path = LP_TEXT(13)) ||
           !(r->callee_linkage = LP_TEXT(14)))) {
        rc = SQLITE_NOMEM;
        break;
      }
    }
#undef LP_TEXT
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int lp_compare_strp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t lp_model_find_file(const struct lp_model *m, const char *path) {
  size_t lo = 0, hi = m->nfiles;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(m->files[mid].path, path);
    if (c == 0)
      return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return LP_NONE;
}

/* Order of functions: file (index order is path order), linkage name. */
static int lp_compare_function(const void *a, const void *b) {
  const struct lp_model_function *x = a, *y = b;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  return strcmp(x->linkage_name, y->linkage_name);
}

static size_t lp_find_function_at(const struct lp_model *m, size_t file,
                                  const char *linkage_name) {
  struct lp_model_function key;
  key.file = file;
  key.linkage_name = (char *)linkage_name;
  const struct lp_model_function *fn =
      bsearch(&key, m->functions, m->nfunctions, sizeof key,
              lp_compare_function);
  return fn ? (size_t)(fn - m->functions) : LP_NONE;
}

size_t lp_model_find_function(const struct lp_model *m, const char *path,
                              const char *linkage_name) {
  size_t file = lp_model_find_file(m, path);
  return file == LP_NONE ? LP_NONE
                         : lp_find_function_at(m, file, linkage_name);
}

static int lp_compare_line(const void *a, const void *b) {
  const struct lp_model_line *x = a, *y = b;
  if (x->function != y->function)
    return x->function < y->function ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

static size_t lp_find_line(const struct lp_model *m, size_t function,
                           size_t file, long line_no) {
  struct lp_model_line key;
  key.function = function;
  key.file = file;
  key.line_no = line_no;
  const struct lp_model_line *l =
      bsearch(&key, m->lines, m->nlines, sizeof key, lp_compare_line);
  return l ? (size_t)(l - m->lines) : LP_NONE;
}

static int lp_compare_call(const void *a, const void *b) {
  const struct lp_model_call *x = a, *y = b;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  int c = strcmp(x->callee_name, y->callee_name);
  if (c)
    return c;
  return (x->callee > y->callee) - (x->callee < y->callee);
}

static int lp_read_runs(sqlite3 *db, long long run_id, struct lp_model *m) {
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(
      db,
      "SELECT run_id, command, status, pid, start_ns, ifnull(end_ns, -1),"
      " ifnull(exit_status, -1) FROM runs WHERE ?1 < 0 OR run_id = ?1"
      " ORDER BY run_id",
      -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64(stmt, 1, run_id);
  size_t cap = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (lp_reserve((void **)&m->runs, &cap, m->nruns, sizeof *m->runs) != 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    struct lp_model_run *r = &m->runs[m->nruns];
    r->run_id = sqlite3_column_int64(stmt, 0);
    r->command = lp_intern(m->strings, (const char *)sqlite3_column_text(stmt, 1));
    r->status = lp_intern(m->strings, (const char *)sqlite3_column_text(stmt, 2));
    r->pid = sqlite3_column_int64(stmt, 3);
    r->start_ns = sqlite3_column_int64(stmt, 4);
    r->end_ns = sqlite3_column_int64(stmt, 5);
    r->exit_status = sqlite3_column_int64(stmt, 6);
    if (!r->command || !r->status) {
      rc = SQLITE_NOMEM;
      break;
    }
    m->nruns++;
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Build files, functions, lines and calls from the raw rows. */
static int lp_index(struct lp_model *m, struct lp_raws *raws) {
  size_t n = raws->count;
  /* Files: every path any row names. */
  const char **paths = malloc((3 * n + 1) * sizeof *paths);
  if (!paths)
    return SQLITE_NOMEM;
  size_t np = 0;
  for (size_t i = 0; i < n; i++) {
    const struct lp_raw *r = &raws->row[i];
    paths[np++] = r->path;
    if (r->line_path)
      paths[np++] = r->line_path;
    if (r->callee_path)
      paths[np++] = r->callee_path;
  }
  qsort(paths, np, sizeof *paths, lp_compare_strp);
  m->files = calloc(np ? np : 1, sizeof *m->files);
  if (!m->files) {
    free(paths);
    return SQLITE_NOMEM;
  }
  long long *file_run = calloc(np ? np : 1, sizeof *file_run);
  for (size_t i = 0; i < np; i++)
    if (i == 0 || paths[i] != paths[i - 1]) {
      m->files[m->nfiles].path = (char *)paths[i];
      m->files[m->nfiles].shown = lp_display_path(paths[i]);
      m->files[m->nfiles].checksum = "";
      m->nfiles++;
    }
  free(paths);
  if (!file_run)
    return SQLITE_NOMEM;

  /* Functions: every (file, linkage name) any row names. */
  m->functions = calloc(2 * n + 1, sizeof *m->functions);
  if (!m->functions) {
    free(file_run);
    return SQLITE_NOMEM;
  }
  size_t nf = 0;
  for (size_t i = 0; i < n; i++) {
    const struct lp_raw *r = &raws->row[i];
    struct lp_model_function *fn = &m->functions[nf++];
    fn->file = lp_model_find_file(m, r->path);
    fn->linkage_name = (char *)r->linkage;
    fn->name = (char *)r->name;
    fn->line_no = r->fn_line;
    if (r->callee_path) {
      fn = &m->functions[nf++];
      fn->file = lp_model_find_file(m, r->callee_path);
      fn->linkage_name = (char *)r->callee_linkage;
      fn->name = NULL; /* filled in below */
    }
  }
  qsort(m->functions, nf, sizeof *m->functions, lp_compare_function);
  for (size_t i = 0; i < nf; i++)
    if (m->nfunctions == 0 ||
        lp_compare_function(&m->functions[m->nfunctions - 1],
                            &m->functions[i]) != 0)
      m->functions[m->nfunctions++] = m->functions[i];
    else if (!m->functions[m->nfunctions - 1].name)
      m->functions[m->nfunctions - 1] = m->functions[i];
  for (size_t i = 0; i < m->nfunctions; i++) {
    struct lp_model_function *fn = &m->functions[i];
    if (!fn->name)
      fn->name = fn->linkage_name; /* a callee seen only as a callee */
    fn->line_no = 0;
  }

  /* Statistics, names and first lines of the newest run's build. */
  long long *fn_run = calloc(m->nfunctions ? m->nfunctions : 1, sizeof *fn_run);
  m->lines = calloc(n + 1, sizeof *m->lines);
  if (!fn_run || !m->lines) {
    free(fn_run);
    free(file_run);
    return SQLITE_NOMEM;
  }
  size_t nl = 0;
  for (size_t i = 0; i < n; i++) {
    const struct lp_raw *r = &raws->row[i];
    size_t f = lp_model_find_function(m, r->path, r->linkage);
    struct lp_model_function *fn = &m->functions[f];
    if (r->run >= fn_run[f]) {
      fn_run[f] = r->run;
      fn->name = (char *)r->name;
      fn->line_no = r->fn_line;
    }
    if (r->run >= file_run[fn->file]) {
      file_run[fn->file] = r->run;
      m->files[fn->file].checksum = (char *)r->checksum;
    }
    if (r->kind == 0) {
      fn->calls += r->v[0];
      fn->primitive_calls += r->v[1];
      fn->inclusive_ns += r->v[2];
      fn->self_ns += r->v[3];
      continue;
    }
    struct lp_model_line *line = &m->lines[nl++];
    line->function = f;
    line->file = lp_model_find_file(m, r->line_path);
    line->line_no = r->line_no;
    if (r->run >= file_run[line->file]) {
      file_run[line->file] = r->run;
      m->files[line->file].checksum = (char *)r->line_sum;
    }
    if (r->kind == 1) {
      line->hits = r->v[0];
      line->time_ns = r->v[1];
      line->self_ns = r->v[2];
    } else {
      line->hits = -1; /* a call site: merged below, never kept alone */
    }
  }
  free(fn_run);
  free(file_run);

  /* Lines: merge each call site into its line, or keep it with zeros. */
  qsort(m->lines, nl, sizeof *m->lines, lp_compare_line);
  for (size_t i = 0; i < nl; i++) {
    struct lp_model_line *line = &m->lines[i];
    if (m->nlines > 0 &&
        lp_compare_line(&m->lines[m->nlines - 1], line) == 0) {
      struct lp_model_line *kept = &m->lines[m->nlines - 1];
      if (kept->hits < 0)
        *kept = *line;
      continue;
    }
    m->lines[m->nlines++] = *line;
  }
  for (size_t i = 0; i < m->nlines; i++) {
    struct lp_model_line *line = &m->lines[i];
    if (line->hits < 0)
      line->hits = 0;
    struct lp_model_function *fn = &m->functions[line->function];
    if (fn->nlines++ == 0)
      fn->first_line = i;
    fn->hits += line->hits;
    m->total_self_ns += line->self_ns;
  }

  /* Calls. */
  size_t nc = 0;
  for (size_t i = 0; i < n; i++)
    nc += raws->row[i].kind == 2;
  m->calls = calloc(nc ? nc : 1, sizeof *m->calls);
  if (!m->calls)
    return SQLITE_NOMEM;
  for (size_t i = 0; i < n; i++) {
    const struct lp_raw *r = &raws->row[i];
    if (r->kind != 2)
      continue;
    struct lp_model_call *c = &m->calls[m->ncalls++];
    size_t f = lp_model_find_function(m, r->path, r->linkage);
    c->line = lp_find_line(m, f, lp_model_find_file(m, r->line_path),
                           r->line_no);
    c->callee_name = (char *)r->callee_name;
    c->callee = r->callee_path ? lp_model_find_function(m, r->callee_path,
                                                        r->callee_linkage)
                               : LP_NONE;
    c->calls = r->v[0];
    c->time_ns = r->v[1];
  }
  qsort(m->calls, m->ncalls, sizeof *m->calls, lp_compare_call);
  return SQLITE_OK;
}

int lp_model_load(sqlite3 *db, long long run_id, struct lp_model *m) {
  struct lp_raws raws = {0};
  memset(m, 0, sizeof *m);
  m->run_id = run_id;
  m->strings = calloc(1, sizeof *m->strings);
  int rc = m->strings ? SQLITE_OK : SQLITE_NOMEM;
  if (rc == SQLITE_OK)
    rc = lp_read_runs(db, run_id, m);
  if (rc == SQLITE_OK)
    rc = lp_read_rows(db, lp_functions_sql, run_id, 0, m->strings, &raws);
  if (rc == SQLITE_OK)
    rc = lp_read_rows(db,
                      lp_db_has_line_sets(db, "main") == 1
                          ? lp_lines_sql
                          : lp_lines_v2_sql,
                      run_id, 1, m->strings, &raws);
  /* Databases written before call_stats existed have no such table. */
  if (rc == SQLITE_OK && lp_db_has_table(db, "main", "call_stats") == 1)
    rc = lp_read_rows(db, lp_calls_sql, run_id, 2, m->strings, &raws);
  if (rc == SQLITE_OK)
    rc = lp_index(m, &raws);
  free(raws.row);
  if (rc != SQLITE_OK)
    lp_model_free(m);
  return rc;
}

void lp_model_free(struct lp_model *m) {
  free(m->runs);
  free(m->files);
  free(m->functions);
  free(m->lines);
  free(m->calls);
  lp_strings_free(m->strings);
  memset(m, 0, sizeof *m);
}

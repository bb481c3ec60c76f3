/* The SQLite writer: turns the summed counters of every module into one new
 * run, in one transaction, at exit.
 *
 * SQLite is loaded with dlopen into a private namespace (RTLD_LOCAL) and
 * called through the pointers looked up in it, so the runtime never binds to
 * a copy of SQLite that the profiled program links itself, and the program
 * never sees ours. This file runs on the exit path only: it may allocate and
 * call libc freely, but it must not exit, abort or touch the program's
 * stdout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "reserve.h"
#include "schema.h"

#ifndef LINEPROF_VERSION
#define LINEPROF_VERSION "unknown"
#endif

/* The slice of the SQLite C API the writer uses, bound at run time. */
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
#define SQLITE_OK 0
#define SQLITE_ROW 100
#define SQLITE_DONE 101
#define SQLITE_OPEN_READWRITE 0x2
#define SQLITE_OPEN_CREATE 0x4
#define SQLITE_BUSY 5
#define SQLITE_OPEN_NOMUTEX 0x8000
#define SQLITE_STATIC ((void (*)(void *))0)
#define SQLITE_TRANSIENT ((void (*)(void *))-1)

static struct {
  int (*open_v2)(const char *, sqlite3 **, int, const char *);
  int (*close)(sqlite3 *);
  int (*exec)(sqlite3 *, const char *, void *, void *, char **);
  int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
  int (*bind_int64)(sqlite3_stmt *, int, long long);
  int (*bind_double)(sqlite3_stmt *, int, double);
  int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
  int (*bind_null)(sqlite3_stmt *, int);
  int (*step)(sqlite3_stmt *);
  int (*reset)(sqlite3_stmt *);
  int (*finalize)(sqlite3_stmt *);
  long long (*column_int64)(sqlite3_stmt *, int);
  const unsigned char *(*column_text)(sqlite3_stmt *, int);
  const char *(*errmsg)(sqlite3 *);
  int (*busy_timeout)(sqlite3 *, int);
  long long (*last_insert_rowid)(sqlite3 *);
} sq;

/* Binds sq from libsqlite3. Returns NULL on success, else dlerror's text. */
static const char *lp_load_sqlite(void) {
  if (sq.open_v2)
    return NULL;
  const char *lib = getenv("LINEPROF_SQLITE");
  void *h = dlopen(lib && *lib ? lib : "libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return dlerror();
  struct {
    void **fn;
    const char *name;
  } syms[] = {
      {(void **)&sq.close, "sqlite3_close"},
      {(void **)&sq.exec, "sqlite3_exec"},
      {(void **)&sq.prepare_v2, "sqlite3_prepare_v2"},
      {(void **)&sq.bind_int64, "sqlite3_bind_int64"},
      {(void **)&sq.bind_double, "sqlite3_bind_double"},
      {(void **)&sq.bind_text, "sqlite3_bind_text"},
      {(void **)&sq.bind_null, "sqlite3_bind_null"},
      {(void **)&sq.step, "sqlite3_step"},
      {(void **)&sq.reset, "sqlite3_reset"},
      {(void **)&sq.finalize, "sqlite3_finalize"},
      {(void **)&sq.column_int64, "sqlite3_column_int64"},
      {(void **)&sq.column_text, "sqlite3_column_text"},
      {(void **)&sq.errmsg, "sqlite3_errmsg"},
      {(void **)&sq.busy_timeout, "sqlite3_busy_timeout"},
      {(void **)&sq.last_insert_rowid, "sqlite3_last_insert_rowid"},
      {(void **)&sq.open_v2, "sqlite3_open_v2"}, /* last: marks success */
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    if (!(*syms[i].fn = dlsym(h, syms[i].name)))
      return dlerror();
  return NULL;
}

/* A symbol name and an id: a function's function_id, or the line_id of a
 * call to it. */
struct lp_name {
  char *name; /* owned */
  long long id;
};

static int lp_cmp_name(const void *a, const void *b) {
  const struct lp_name *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Appends (name, id) to *v. Returns 0, or -1 when out of memory. */
static int lp_add_name(struct lp_name **v, size_t *n, size_t *cap,
                       const char *name, long long id) {
  if (lp_reserve((void **)v, cap, *n, sizeof **v) != 0)
    return -1;
  if (!((*v)[*n].name = strdup(name)))
    return -1;
  (*v)[(*n)++].id = id;
  return 0;
}

static void lp_free_names(struct lp_name *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i].name);
  free(v);
}

/* State of one flush. */
struct lp_writer {
  sqlite3 *db;
  long long run_id;
  double ns_per_tick;       /* 1e9 / ticks_per_second */
  double overhead;          /* ticks one probe adds to a segment */
  sqlite3_stmt *file, *functions_of, *function_rename, *lines_of,
      *line_set_of;
  struct lp_batch *functions, *lines, *line_stats, *function_stats,
      *call_stats, *line_sets;
  char **set_texts;         /* line_sets texts of the module's batch */
  size_t n_set_texts, set_texts_cap;
  long long next_function_id; /* function_id of the next new functions row */
  long long next_line_id;   /* line_id of the next new lines row */
  struct lp_name *names;    /* every module's functions, for callees */
  size_t n_names, names_cap;
  struct lp_name *pending;  /* call rows whose callee is in another module:
                             * callee and calling line_id */
  size_t n_pending, pending_cap;
  long long *file_ids;      /* per module file index, reused across modules */
  size_t file_ids_cap;
  uint64_t lines_written;
  int created;              /* the file was empty: written without fsync */
  const char *error;        /* first failure, for the message */
  char message[256];        /* a copy of SQLite's message, when it would
                               not outlive the next statement */
};

static int lp_prepare(struct lp_writer *w, sqlite3_stmt **st, const char *sql) {
  if (sq.prepare_v2(w->db, sql, -1, st, NULL) != SQLITE_OK) {
    w->error = sq.errmsg(w->db);
    return -1;
  }
  return 0;
}

/* Runs a bound statement; with want_id, returns the first column of the row
 * it yields (RETURNING), else 0. Returns -1 on failure. */
static long long lp_run(struct lp_writer *w, sqlite3_stmt *st, int want_id) {
  long long id = 0;
  int rc = sq.step(st);
  if (want_id && rc == SQLITE_ROW) {
    id = sq.column_int64(st, 0);
    rc = sq.step(st);
  }
  sq.reset(st);
  if (rc != SQLITE_DONE) {
    w->error = sq.errmsg(w->db);
    return -1;
  }
  return id;
}

/* Multi-row INSERTs. Executing a statement costs SQLite about as much as
 * storing a small row, and a run of sqlite3.c writes 120,000 rows: one
 * execution stores LP_BATCH_ROWS of them. Rows are buffered until the batch
 * is full, and the rest go one by one at the end of each module (so that
 * the next module's queries see them). */
#define LP_BATCH_ROWS 64
struct lp_value {
  long long i;   /* an integer */
  const char *s; /* or a text that outlives the batch; NULL with kind 2 */
  int kind;      /* 0 integer, 1 text, 2 null */
};
struct lp_batch {
  sqlite3_stmt *many, *one; /* LP_BATCH_ROWS rows, and one row */
  int cols, n;              /* columns per row, values buffered */
  struct lp_value *v;       /* LP_BATCH_ROWS * cols */
};

static void lp_batch_free(struct lp_batch *b) {
  if (!b)
    return;
  if (b->one)
    sq.finalize(b->one);
  if (b->many)
    sq.finalize(b->many);
  free(b->v);
  free(b);
}

/* Prepares "head VALUES (?,..),.. tail" for 1 and for LP_BATCH_ROWS rows. */
static struct lp_batch *lp_batch_new(struct lp_writer *w, const char *head,
                                     int cols, const char *tail) {
  struct lp_batch *b = calloc(1, sizeof *b);
  size_t row = 2 * (size_t)cols + 2, size = strlen(head) + strlen(tail) +
                                          LP_BATCH_ROWS * row + 16;
  char *sql = malloc(size);
  if (b)
    b->v = calloc((size_t)LP_BATCH_ROWS * cols, sizeof *b->v);
  if (!b || !sql || !b->v) {
    if (b)
      free(b->v);
    free(b);
    free(sql);
    w->error = "out of memory";
    return NULL;
  }
  b->cols = cols;
  for (int rows = 1; rows <= LP_BATCH_ROWS; rows += LP_BATCH_ROWS - 1) {
    char *p = sql + sprintf(sql, "%s VALUES", head);
    for (int r = 0; r < rows; r++) {
      *p++ = r ? ',' : ' ';
      *p++ = '(';
      for (int c = 0; c < cols; c++) {
        if (c)
          *p++ = ',';
        *p++ = '?';
      }
      *p++ = ')';
    }
    strcpy(p, tail);
    if (lp_prepare(w, rows == 1 ? &b->one : &b->many, sql) != 0) {
      free(sql);
      lp_batch_free(b);
      return NULL;
    }
  }
  free(sql);
  return b;
}

static int lp_batch_exec(struct lp_writer *w, sqlite3_stmt *st,
                         const struct lp_value *v, int n) {
  for (int i = 0; i < n; i++) {
    if (v[i].kind == 0)
      sq.bind_int64(st, i + 1, v[i].i);
    else if (v[i].kind == 1)
      sq.bind_text(st, i + 1, v[i].s, -1, SQLITE_STATIC);
    else
      sq.bind_null(st, i + 1);
  }
  return lp_run(w, st, 0) < 0 ? -1 : 0;
}

static void lp_batch_int(struct lp_batch *b, long long i) {
  b->v[b->n++] = (struct lp_value){i, NULL, 0};
}

static void lp_batch_text(struct lp_batch *b, const char *s) {
  b->v[b->n++] = (struct lp_value){0, s, s ? 1 : 2};
}

/* Ends a row: runs the batch when it is full. Returns 0 or -1. */
static int lp_batch_row(struct lp_writer *w, struct lp_batch *b) {
  if (b->n < LP_BATCH_ROWS * b->cols)
    return 0;
  b->n = 0;
  return lp_batch_exec(w, b->many, b->v, LP_BATCH_ROWS * b->cols);
}

/* Writes the buffered rows. Returns 0 or -1. */
static int lp_batch_flush(struct lp_writer *w, struct lp_batch *b) {
  int n = b->n;
  b->n = 0;
  for (int i = 0; i < n; i += b->cols)
    if (lp_batch_exec(w, b->one, b->v + i, b->cols) != 0)
      return -1;
  return 0;
}

/* A functions row of one file, or a lines row of one function, as read
 * back to find the ids of what a module has: one query per file and per
 * function instead of one per row. */
struct lp_known_fn {
  long long id;
  long line;
  char *linkage_name; /* owned */
  char *name;         /* owned */
};

static int lp_cmp_known_fn(const void *a, const void *b) {
  const struct lp_known_fn *x = a, *y = b;
  int c = strcmp(x->linkage_name, y->linkage_name);
  return c ? c : (x->line > y->line) - (x->line < y->line);
}

struct lp_known_line {
  long long file_id;
  long line;
  long long id;
};

static int lp_cmp_known_line(const void *a, const void *b) {
  const struct lp_known_line *x = a, *y = b;
  if (x->file_id != y->file_id)
    return x->file_id < y->file_id ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);
}

/* Sets ids[f] to the function_id of each module function, inserting the
 * rows that are new and marking them in fresh[f]. Returns 0 or -1. */
static int lp_function_ids(struct lp_writer *w, const struct lp_module_desc *m,
                           long long *ids, unsigned char *fresh) {
  int rc = 0;
  for (uint32_t file = 0; file < m->n_files && rc == 0; file++) {
    uint32_t f = 0;
    while (f < m->n_functions && m->functions[f].file != file)
      f++;
    if (f == m->n_functions)
      continue; /* a header with no function of its own */
    struct lp_known_fn *known = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = w->functions_of;
    sq.bind_int64(st, 1, w->file_ids[file]);
    int step;
    while (rc == 0 && (step = sq.step(st)) == SQLITE_ROW) {
      if (lp_reserve((void **)&known, &cap, n, sizeof *known) != 0) {
        rc = -1;
        w->error = "out of memory";
        break;
      }
      const char *linkage = (const char *)sq.column_text(st, 2);
      const char *name = (const char *)sq.column_text(st, 3);
      known[n].id = sq.column_int64(st, 0);
      known[n].line = (long)sq.column_int64(st, 1);
      known[n].linkage_name = strdup(linkage ? linkage : "");
      known[n].name = strdup(name ? name : "");
      if (!known[n].linkage_name || !known[n].name) {
        free(known[n].linkage_name);
        free(known[n].name);
        rc = -1;
        w->error = "out of memory";
        break;
      }
      n++;
    }
    if (rc == 0 && step != SQLITE_DONE) {
      rc = -1;
      w->error = sq.errmsg(w->db);
    }
    sq.reset(st);
    if (n)
      qsort(known, n, sizeof *known, lp_cmp_known_fn);
    for (; rc == 0 && f < m->n_functions; f++) {
      const struct lp_function_desc *fd = &m->functions[f];
      if (fd->file != file)
        continue;
      struct lp_known_fn key = {0, fd->line, (char *)fd->linkage_name, NULL};
      struct lp_known_fn *hit =
          n ? bsearch(&key, known, n, sizeof *known, lp_cmp_known_fn) : NULL;
      if (hit && strcmp(hit->name, fd->name) == 0) {
        ids[f] = hit->id;
      } else if (hit) { /* a better name: the compiler's changed */
        ids[f] = hit->id;
        sq.bind_text(w->function_rename, 1, fd->name, -1, SQLITE_STATIC);
        sq.bind_int64(w->function_rename, 2, hit->id);
        rc = lp_run(w, w->function_rename, 0) < 0 ? -1 : 0;
      } else {
        ids[f] = w->next_function_id++;
        fresh[f] = 1;
        lp_batch_int(w->functions, ids[f]);
        lp_batch_int(w->functions, w->file_ids[file]);
        lp_batch_text(w->functions, fd->name);
        lp_batch_text(w->functions, fd->linkage_name);
        lp_batch_int(w->functions, fd->line);
        rc = lp_batch_row(w, w->functions);
      }
    }
    for (size_t i = 0; i < n; i++) {
      free(known[i].linkage_name);
      free(known[i].name);
    }
    free(known);
  }
  return rc;
}

/* Reads the lines rows of function_id into *lines (sorted by file and
 * line). Returns how many, or -1. */
static long lp_lines_of(struct lp_writer *w, long long function_id,
                        struct lp_known_line **lines, size_t *cap) {
  size_t n = 0;
  sqlite3_stmt *st = w->lines_of;
  sq.bind_int64(st, 1, function_id);
  int step;
  while ((step = sq.step(st)) == SQLITE_ROW) {
    if (lp_reserve((void **)lines, cap, n, sizeof **lines) != 0) {
      sq.reset(st);
      w->error = "out of memory";
      return -1;
    }
    (*lines)[n].file_id = sq.column_int64(st, 0);
    (*lines)[n].line = (long)sq.column_int64(st, 1);
    (*lines)[n].id = sq.column_int64(st, 2);
    n++;
  }
  sq.reset(st);
  if (step != SQLITE_DONE) {
    w->error = sq.errmsg(w->db);
    return -1;
  }
  if (n)
    qsort(*lines, n, sizeof **lines, lp_cmp_known_line);
  return (long)n;
}

/* A function's lines in one file, as line_sets keeps them: a JSON array of
 * line numbers, ascending. */
struct lp_line_set {
  long *v;
  size_t n, cap;
};

/* Parses a line_sets text into *set (appending). Returns 0 or -1. */
static int lp_line_set_parse(const char *text, struct lp_line_set *set) {
  for (const char *p = text; p && *p;) {
    if (*p < '0' || *p > '9') {
      p++;
      continue;
    }
    char *end;
    long line = strtol(p, &end, 10);
    if (lp_reserve((void **)&set->v, &set->cap, set->n, sizeof *set->v) != 0)
      return -1;
    set->v[set->n++] = line;
    p = end;
  }
  return 0;
}

static int lp_cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* The text of a sorted set, malloc'ed; NULL when memory runs out. */
static char *lp_line_set_text(const long *v, size_t n) {
  char *text = malloc(n * 21 + 3), *p = text;
  if (!text)
    return NULL;
  *p++ = '[';
  for (size_t i = 0; i < n; i++) {
    /* Two digits a step: a few million instructions less on sqlite3.c. */
    static const char pairs[] = "00010203040506070809101112131415161718192021"
                                "22232425262728293031323334353637383940414243"
                                "44454647484950515253545556575859606162636465"
                                "66676869707172737475767778798081828384858687"
                                "888990919293949596979899";
    char digits[24], *d = digits + sizeof digits;
    unsigned long x = v[i] < 0 ? 0 : (unsigned long)v[i];
    for (; x >= 100; x /= 100) {
      d -= 2;
      memcpy(d, pairs + 2 * (x % 100), 2);
    }
    if (x >= 10) {
      d -= 2;
      memcpy(d, pairs + 2 * x, 2);
    } else {
      *--d = (char)('0' + x);
    }
    if (i)
      *p++ = ',';
    size_t k = (size_t)(digits + sizeof digits - d);
    memcpy(p, d, k);
    p += k;
  }
  strcpy(p, "]");
  return text;
}

/* Records the lines that one module's function has in one file (ascending,
 * each once) in line_sets: a new function's as they are, an older one's
 * merged with what earlier builds recorded, when they differ (two builds of
 * a source can have different lines: an #ifdef). Returns 0 or -1. */
static int lp_line_set_put(struct lp_writer *w, const struct lp_line_set *lines,
                           long long fn_id, long long file_id, int fresh) {
  char *text = lp_line_set_text(lines->v, lines->n);
  if (!text ||
      lp_reserve((void **)&w->set_texts, &w->set_texts_cap, w->n_set_texts,
                 sizeof *w->set_texts) != 0) {
    free(text);
    w->error = "out of memory";
    return -1;
  }
  w->set_texts[w->n_set_texts++] = text; /* freed after the batch ran */
  if (!fresh) {
    sqlite3_stmt *st = w->line_set_of;
    sq.bind_int64(st, 1, fn_id);
    sq.bind_int64(st, 2, file_id);
    int step = sq.step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
      w->error = sq.errmsg(w->db);
      sq.reset(st);
      return -1;
    }
    const char *old = step == SQLITE_ROW ? (const char *)sq.column_text(st, 0)
                                         : NULL;
    if (old && strcmp(old, text) == 0) {
      sq.reset(st);
      return 0;
    }
    if (!old) {
      sq.reset(st);
    } else {
      /* Earlier builds' lines and this one's, sorted, each once. */
      struct lp_line_set merged = {0};
      int rc = lp_line_set_parse(old, &merged);
      sq.reset(st);
      for (size_t i = 0; rc == 0 && i < lines->n; i++)
        if ((rc = lp_reserve((void **)&merged.v, &merged.cap, merged.n,
                             sizeof *merged.v)) == 0)
          merged.v[merged.n++] = lines->v[i];
      char *union_text = NULL;
      if (rc == 0) {
        qsort(merged.v, merged.n, sizeof *merged.v, lp_cmp_long);
        size_t n = 0;
        for (size_t i = 0; i < merged.n; i++)
          if (n == 0 || merged.v[i] != merged.v[n - 1])
            merged.v[n++] = merged.v[i];
        union_text = lp_line_set_text(merged.v, n);
      }
      free(merged.v);
      if (!union_text) {
        w->error = "out of memory";
        return -1;
      }
      free(text);
      text = w->set_texts[w->n_set_texts - 1] = union_text;
    }
  }
  lp_batch_int(w->line_sets, fn_id);
  lp_batch_int(w->line_sets, file_id);
  lp_batch_text(w->line_sets, text);
  return lp_batch_row(w, w->line_sets);
}

static int64_t lp_ns(const struct lp_writer *w, double ticks) {
  return ticks <= 0 ? 0 : (int64_t)(ticks * w->ns_per_tick + 0.5);
}

/* Orders segment indices by (function, file, line) so that one pass can sum
 * the segments of each line. */
static const struct lp_segment_desc *lp_sort_segs;
static int lp_cmp_seg(const void *a, const void *b) {
  const struct lp_segment_desc *x = &lp_sort_segs[*(const uint32_t *)a];
  const struct lp_segment_desc *y = &lp_sort_segs[*(const uint32_t *)b];
  if (x->function != y->function)
    return x->function < y->function ? -1 : 1;
  if (x->file != y->file)
    return x->file < y->file ? -1 : 1;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return 0;
}

/* A segment's place in a sort of one function's segments. */
struct lp_seg_key {
  uint64_t key; /* file, then line */
  uint32_t index;
};

static inline int lp_seg_key_less(const struct lp_seg_key *x,
                                  const struct lp_seg_key *y) {
  return x->key < y->key || (x->key == y->key && x->index < y->index);
}

/* Sorts v[0..n) with tmp[0..n) as scratch: a merge sort that inserts runs
 * of up to 16, without qsort's call per comparison. */
static void lp_sort_keys(struct lp_seg_key *v, struct lp_seg_key *tmp,
                         size_t n) {
  if (n <= 16) {
    for (size_t i = 1; i < n; i++) {
      struct lp_seg_key x = v[i];
      size_t j = i;
      for (; j > 0 && lp_seg_key_less(&x, &v[j - 1]); j--)
        v[j] = v[j - 1];
      v[j] = x;
    }
    return;
  }
  size_t half = n / 2;
  lp_sort_keys(v, tmp, half);
  lp_sort_keys(v + half, tmp, n - half);
  if (!lp_seg_key_less(&v[half], &v[half - 1]))
    return; /* already in order */
  memcpy(tmp, v, half * sizeof *v);
  size_t i = 0, j = half, k = 0;
  while (i < half && j < n)
    v[k++] = lp_seg_key_less(&v[j], &tmp[i]) ? v[j++] : tmp[i++];
  while (i < half)
    v[k++] = tmp[i++];
}

/* Orders the n segment indices in order (of one function when grouped,
 * else of all) by (function, file, line). The plugin emits a function's
 * segments block by block: often sorted already; otherwise sorted here,
 * as whole keys, for a fraction of what qsort comparing the descriptors
 * cost (the flush of sqlite3.c: 23 million instructions, 7% of it).
 * Returns 0, or -1 when memory runs out. */
static int lp_sort_function(const struct lp_segment_desc *segs,
                            uint32_t *order, uint32_t n, int grouped,
                            struct lp_seg_key **keys, size_t *cap) {
  if (!grouped) {
    qsort(order, n, sizeof *order, lp_cmp_seg);
    return 0;
  }
  while (*cap < 2 * (size_t)n) /* keys, then scratch for the sort */
    if (lp_reserve((void **)keys, cap, *cap, sizeof **keys) != 0)
      return -1;
  int sorted = 1;
  for (uint32_t i = 0; i < n; i++) {
    const struct lp_segment_desc *sd = &segs[order[i]];
    (*keys)[i].key = (uint64_t)sd->file << 32 | sd->line;
    (*keys)[i].index = order[i];
    if (i && (*keys)[i].key < (*keys)[i - 1].key)
      sorted = 0;
  }
  if (sorted)
    return 0;
  lp_sort_keys(*keys, *keys + n, n);
  for (uint32_t i = 0; i < n; i++)
    order[i] = (*keys)[i].index;
  return 0;
}

/* Per-function totals gathered from its segments. */
struct lp_fn_total {
  double self_ticks; /* compensated ticks outside calls */
  double call_ticks; /* compensated ticks of its call segments */
  double inclusive_ticks; /* its primitive calls, less the probes inside */
  double scale;      /* factor applied to the self ticks of its lines */
  int ran;           /* some block of it executed */
  uint64_t self_calls; /* LP_FN_SELF_REENTRY: calls its call segments
                        * made to itself */
};

/* The calls of one line to one callee. */
struct lp_call_total {
  uint32_t callee; /* index into the module's callees */
  uint64_t calls;  /* exact count */
  double ticks;    /* compensated ticks of the calls */
};

/* Module function indices sorted by linkage name, to find a callee that is
 * defined in the same module. */
static const struct lp_function_desc *lp_sort_fns;
static int lp_cmp_fn(const void *a, const void *b) {
  return strcmp(lp_sort_fns[*(const uint32_t *)a].linkage_name,
                lp_sort_fns[*(const uint32_t *)b].linkage_name);
}

/* Returns the index of the module's function named `name`, or -1. */
static long lp_find_fn(const struct lp_module_desc *m, const uint32_t *sorted,
                       const char *name) {
  size_t lo = 0, hi = m->n_functions;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(m->functions[sorted[mid]].linkage_name, name);
    if (c == 0)
      return sorted[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* Writes one module's tables and statistics. Returns 0 or -1. */
static int lp_write_module(void *ctx, const struct lp_module_desc *m,
                           const uint64_t *words) {
  struct lp_writer *w = ctx;
  const uint64_t *fn_words = words;
  const uint64_t *ticks = words + lp_ticks_offset(m);
  int timing = (m->flags & LP_MOD_TIMING) != 0;
  int rc = -1;

  if (m->n_files > w->file_ids_cap) {
    long long *ids = realloc(w->file_ids, m->n_files * sizeof *ids);
    if (!ids)
      return -1;
    w->file_ids = ids;
    w->file_ids_cap = m->n_files;
  }
  for (uint32_t i = 0; i < m->n_files; i++) {
    /* The module's strings outlive the statement: no copy. */
    sq.bind_text(w->file, 1, m->files[i], -1, SQLITE_STATIC);
    sq.bind_text(w->file, 2, m->checksums[i], -1, SQLITE_STATIC);
    if ((w->file_ids[i] = lp_run(w, w->file, 1)) < 0)
      return -1;
  }

  /* Block counts: the counter slots, or derived from edge counters. */
  uint64_t *hits = malloc(((size_t)m->n_blocks + 1) * sizeof *hits);
  if (!hits || lp_block_counts(m, words + lp_hits_offset(m), hits) != 0) {
    free(hits);
    w->error = "out of memory, or a module's tables are inconsistent";
    return -1;
  }

  uint32_t *order = malloc((m->n_segments + 1) * sizeof *order);
  struct lp_fn_total *totals = calloc(m->n_functions + 1, sizeof *totals);
  long long *fn_ids = calloc(m->n_functions + 1, sizeof *fn_ids);
  unsigned char *fn_fresh = calloc(m->n_functions + 1, 1);
  struct lp_known_line *known = NULL; /* lines rows of one function */
  size_t known_cap = 0;
  long n_known = 0;
  uint32_t known_fn = UINT32_MAX;     /* whose they are */
  struct lp_line_set set = {0};       /* lines of one function in one file */
  struct lp_seg_key *keys = NULL;     /* a function's segments, sorting */
  size_t keys_cap = 0;
  uint32_t set_fn = UINT32_MAX, set_file = UINT32_MAX; /* whose */
  uint32_t *by_name = malloc((m->n_functions + 1) * sizeof *by_name);
  double *probe = NULL;     /* ticks per probe, per function */
  double *seg_ticks = NULL; /* compensated ticks per segment */
  size_t calls_cap = 16, n_calls = 0;
  struct lp_call_total *calls = malloc(calls_cap * sizeof *calls);
  if (!order || !totals || !fn_ids || !fn_fresh || !by_name || !calls)
    goto out;
  for (uint32_t f = 0; f < m->n_functions; f++)
    by_name[f] = f;
  lp_sort_fns = m->functions;
  qsort(by_name, m->n_functions, sizeof *by_name, lp_cmp_fn);

  /* The cost of one probe, per function: the ticks of the empty segment
   * every timed block starts with, over the number of blocks it stands for
   * (the weights make that the block executions). A function with no
   * timed block gets the cost measured at exit. */
  probe = malloc((m->n_functions + 1) * sizeof *probe);
  if (!probe)
    goto out;
  double all_measured = 0, all_executions = 0;
  for (uint32_t f = 0; f < m->n_functions; f++) {
    uint32_t first = m->functions[f].entry_block;
    uint32_t last = f + 1 < m->n_functions ? m->functions[f + 1].entry_block
                                           : m->n_blocks;
    uint64_t executions = 0;
    for (uint32_t b = first; b < last && b < m->n_blocks; b++)
      executions += hits[b];
    uint64_t measured = fn_words[(uint64_t)f * LP_FN_WORDS + LP_FN_PROBE_TICKS];
    probe[f] = executions && measured ? (double)measured / (double)executions
                                      : w->overhead;
    totals[f].ran = executions != 0;
    all_measured += (double)measured;
    all_executions += (double)executions;
  }
  /* A timed call's duration holds the timestamps taken inside it, in its
   * own code and in its callees': each costs about what an empty segment
   * does, on average over the module. */
  double stamp = all_executions && all_measured ? all_measured / all_executions
                                                : w->overhead;
  for (uint32_t f = 0; timing && f < m->n_functions; f++) {
    double t = (double)fn_words[(uint64_t)f * LP_FN_WORDS + LP_FN_INCLUSIVE_TICKS] -
               stamp * (double)fn_words[(uint64_t)f * LP_FN_WORDS +
                                        LP_FN_INCLUSIVE_PROBES];
    totals[f].inclusive_ticks = t > 0 ? t : 0;
  }

  if (lp_function_ids(w, m, fn_ids, fn_fresh) != 0)
    goto out;

  /* The plugin emits a function's segments together, in function order:
   * then sorting each function's run is enough, and cheaper than one sort
   * of all. */
  int grouped = 1;
  for (uint32_t s = 0; s < m->n_segments; s++) {
    order[s] = s;
    if (s && m->segments[s].function < m->segments[s - 1].function)
      grouped = 0;
  }
  lp_sort_segs = m->segments;
  for (uint32_t s = 0, e; s < m->n_segments; s = e) {
    e = grouped ? s + 1 : m->n_segments;
    while (e < m->n_segments && m->segments[e].function == m->segments[s].function)
      e++;
    if (e - s > 1 && lp_sort_function(m->segments, order + s, e - s,
                                      grouped, &keys, &keys_cap) != 0) {
      w->error = "out of memory";
      goto out;
    }
  }

  /* Each segment's time: its ticks minus what its probes cost. */
  seg_ticks = calloc(m->n_segments + 1, sizeof *seg_ticks);
  if (!seg_ticks)
    goto out;
  for (uint32_t s = 0; timing && s < m->n_segments; s++) {
    const struct lp_segment_desc *sd = &m->segments[s];
    if (sd->flags & LP_SEG_CALL_PROBES)
      continue;
    double t = (double)ticks[s] - probe[sd->function] * (double)hits[sd->block];
    /* A call's duration also holds the timestamps taken in the callee. */
    if (s + 1 < m->n_segments && (m->segments[s + 1].flags & LP_SEG_CALL_PROBES))
      t -= stamp * (double)ticks[s + 1];
    seg_ticks[s] = t > 0 ? t : 0;
    if (!(sd->flags & LP_SEG_CALL))
      totals[sd->function].self_ticks += seg_ticks[s];
    else if (sd->callee >= m->n_callees ||
             strcmp(m->callees[sd->callee],
                    m->functions[sd->function].linkage_name) != 0)
      totals[sd->function].call_ticks += seg_ticks[s];
    /* a call of the function to itself happens inside its total */
  }
  /* All of a function's own time happens inside its primitive calls and
   * outside its calls to other functions, so it is at most its measured
   * total minus the time of those calls (its calls to itself are inside
   * the total already). Timed segments overstate short code that overlaps
   * in the pipeline (a timestamp waits for it to finish), so when its
   * lines' own time comes out larger than that, it is scaled down to it:
   * the lines keep their shares, the function its measured total. The
   * bound is a difference of two sampled estimates; it is trusted only
   * when the calls are at most half of the total: a function that mostly
   * calls out keeps its lines' own measure (the bound once zeroed the self
   * time of such functions). */
  for (uint32_t f = 0; f < m->n_functions; f++) {
    double total = totals[f].inclusive_ticks;
    double bound = total - totals[f].call_ticks;
    totals[f].scale = 1;
    if (timing && hits[m->functions[f].entry_block] &&
        totals[f].call_ticks <= 0.5 * total && totals[f].self_ticks > bound)
      totals[f].scale = bound / totals[f].self_ticks;
    totals[f].self_ticks = 0; /* summed again below, scaled */
  }

  /* One line: hits are the largest count among the blocks it has code in
   * (docs/design.md, "Hits"); time sums its segments, minus probe cost. */
  for (uint32_t i = 0; i < m->n_segments;) {
    const struct lp_segment_desc *first = &m->segments[order[i]];
    uint64_t line_hits = 0;
    double line_ticks = 0, line_self = 0;
    n_calls = 0;
    uint32_t j = i;
    for (; j < m->n_segments; j++) {
      const struct lp_segment_desc *s = &m->segments[order[j]];
      if (s->function != first->function || s->file != first->file ||
          s->line != first->line)
        break;
      if (s->flags & LP_SEG_CALL_PROBES)
        continue;
      uint64_t h = hits[s->block];
      if (h > line_hits)
        line_hits = h;
      double t = seg_ticks[order[j]];
      if (!(s->flags & LP_SEG_CALL)) {
        t *= totals[s->function].scale;
        line_self += t;
      }
      line_ticks += t;
      if ((s->flags & LP_SEG_CALL) && s->callee < m->n_callees) {
        size_t k = 0;
        while (k < n_calls && calls[k].callee != s->callee)
          k++;
        if (k == n_calls) {
          if (lp_reserve((void **)&calls, &calls_cap, n_calls, sizeof *calls) != 0)
            goto out;
          calls[n_calls++] = (struct lp_call_total){s->callee, 0, 0};
        }
        calls[k].calls += h;
        calls[k].ticks += t;
        if ((m->functions[s->function].flags & LP_FN_SELF_REENTRY) &&
            strcmp(m->callees[s->callee],
                   m->functions[s->function].linkage_name) == 0)
          totals[s->function].self_calls += h;
      }
    }
    totals[first->function].self_ticks += line_self;
    if (first->line != 0) {
      long long fn_id = fn_ids[first->function];
      long long file_id = w->file_ids[first->file];
      /* The function's lines in this file, for line_sets: whether it ran
       * or not. */
      if (first->function != set_fn || first->file != set_file) {
        if (set_fn != UINT32_MAX &&
            lp_line_set_put(w, &set, fn_ids[set_fn], w->file_ids[set_file],
                        fn_fresh[set_fn]) != 0)
          goto out;
        set_fn = first->function;
        set_file = first->file;
        set.n = 0;
      }
      if (lp_reserve((void **)&set.v, &set.cap, set.n, sizeof *set.v) != 0) {
        w->error = "out of memory";
        goto out;
      }
      set.v[set.n++] = (long)first->line;
      /* A function that did not run has no lines rows of its own, and no
       * statistics rows: line_sets says which lines it has (docs/schema.md,
       * "From version 2 to version 3"). Most functions of a large program
       * never run. */
      if (!totals[first->function].ran) {
        i = j;
        continue;
      }
      if (first->function != known_fn) {
        known_fn = first->function;
        n_known = fn_fresh[known_fn] ? 0 : lp_lines_of(w, fn_id, &known, &known_cap);
        if (n_known < 0)
          goto out;
      }
      struct lp_known_line key = {file_id, (long)first->line, 0};
      struct lp_known_line *hit =
          n_known ? bsearch(&key, known, (size_t)n_known, sizeof *known,
                            lp_cmp_known_line)
                  : NULL;
      long long line_id = hit ? hit->id : w->next_line_id++;
      if (!hit) {
        lp_batch_int(w->lines, line_id);
        lp_batch_int(w->lines, fn_id);
        lp_batch_int(w->lines, file_id);
        lp_batch_int(w->lines, first->line);
        if (lp_batch_row(w, w->lines) != 0)
          goto out;
      }
      lp_batch_int(w->line_stats, w->run_id);
      lp_batch_int(w->line_stats, line_id);
      lp_batch_int(w->line_stats, (long long)line_hits);
      lp_batch_int(w->line_stats, lp_ns(w, line_ticks));
      lp_batch_int(w->line_stats, lp_ns(w, line_self));
      if (lp_batch_row(w, w->line_stats) != 0)
        goto out;
      w->lines_written++;
      for (size_t k = 0; k < n_calls; k++) {
        const char *callee = m->callees[calls[k].callee];
        long f = *callee ? lp_find_fn(m, by_name, callee) : -1;
        struct lp_batch *b = w->call_stats;
        lp_batch_int(b, w->run_id);
        lp_batch_int(b, line_id);
        lp_batch_text(b, callee);
        if (f >= 0)
          lp_batch_int(b, fn_ids[f]);
        else
          lp_batch_text(b, NULL);
        if (f < 0 && *callee &&
            lp_add_name(&w->pending, &w->n_pending, &w->pending_cap, callee,
                        line_id) != 0)
          goto out;
        lp_batch_int(b, (long long)calls[k].calls);
        lp_batch_int(b, lp_ns(w, calls[k].ticks));
        if (lp_batch_row(w, b) != 0)
          goto out;
      }
    }
    i = j;
  }

  if (set_fn != UINT32_MAX &&
      lp_line_set_put(w, &set, fn_ids[set_fn], w->file_ids[set_file],
                  fn_fresh[set_fn]) != 0)
    goto out;

  for (uint32_t f = 0; f < m->n_functions; f++) {
    const uint64_t *fw = fn_words + (uint64_t)f * LP_FN_WORDS;
    struct lp_batch *b = w->function_stats;
    if (lp_add_name(&w->names, &w->n_names, &w->names_cap,
                    m->functions[f].linkage_name, fn_ids[f]) != 0)
      goto out;
    lp_batch_int(b, w->run_id);
    lp_batch_int(b, fn_ids[f]);
    uint64_t fn_calls = hits[m->functions[f].entry_block];
    uint64_t primitive = fw[LP_FN_PRIMITIVE_CALLS];
    if (m->functions[f].flags & LP_FN_NO_REENTRY)
      primitive = fn_calls;
    else if (m->functions[f].flags & LP_FN_SELF_REENTRY)
      primitive = fn_calls - (totals[f].self_calls < fn_calls
                                  ? totals[f].self_calls : fn_calls);
    lp_batch_int(b, (long long)fn_calls);
    lp_batch_int(b, (long long)primitive);
    lp_batch_int(b, timing ? lp_ns(w, totals[f].inclusive_ticks) : 0);
    lp_batch_int(b, lp_ns(w, totals[f].self_ticks));
    if (lp_batch_row(w, b) != 0)
      goto out;
  }
  /* The next module's queries must see this one's rows. */
  if (lp_batch_flush(w, w->functions) != 0 ||
      lp_batch_flush(w, w->lines) != 0 || lp_batch_flush(w, w->line_stats) != 0 ||
      lp_batch_flush(w, w->call_stats) != 0 ||
      lp_batch_flush(w, w->function_stats) != 0 ||
      lp_batch_flush(w, w->line_sets) != 0)
    goto out;
  rc = 0;
out:
  /* The line_sets batch has run (or will not run): its texts can go. */
  for (size_t k = 0; k < w->n_set_texts; k++)
    free(w->set_texts[k]);
  w->n_set_texts = 0;
  free(set.v);
  free(keys);
  free(known);
  free(fn_fresh);
  free(order);
  free(totals);
  free(fn_ids);
  free(by_name);
  free(calls);
  free(probe);
  free(seg_ticks);
  free(hits);
  return rc;
}

/* The integer a PRAGMA returns, or -1 with w->error set. */
static long long lp_pragma_int(struct lp_writer *w, const char *sql) {
  sqlite3_stmt *st;
  if (lp_prepare(w, &st, sql) != 0)
    return -1;
  long long v = lp_run(w, st, 1);
  sq.finalize(st);
  return v;
}

/* Opens the database at path and makes sure it has our schema, inside an
 * open write transaction. Returns 0, or -1 with w->error set. */
static int lp_open(struct lp_writer *w, const char *path) {
  /* One thread uses the connection: no mutex around every call. */
  if (sq.open_v2(path, &w->db,
                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                 NULL) != SQLITE_OK) {
    w->error = w->db ? sq.errmsg(w->db) : "out of memory";
    return -1;
  }
  sq.busy_timeout(w->db, lp_config.busy_timeout_ms);
  /* In WAL mode, NORMAL never corrupts the database; only the last runs
   * can be lost to a power cut. It saves an fsync per run at exit. */
  sq.exec(w->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
  long long version = lp_pragma_int(w, "PRAGMA user_version");
  if (version < 0)
    return -1;
  if (version > LP_SCHEMA_VERSION) {
    static char msg[128];
    snprintf(msg, sizeof msg,
             "database schema version %lld is newer than this runtime's (%d)",
             version, LP_SCHEMA_VERSION);
    w->error = msg;
    return -1;
  }
  /* Switching a new database to WAL, or starting the write transaction
   * while other processes create the same database, can fail with
   * SQLITE_BUSY without SQLite waiting (it does not wait where waiting
   * could deadlock): try again, within the busy timeout. */
  uint64_t deadline = lp_clock_ns(CLOCK_MONOTONIC) +
                      (uint64_t)lp_config.busy_timeout_ms * 1000000u;
  /* A new database is written in SQLite's rollback mode, and switched to
   * WAL after the commit (lp_wal): pages a transaction adds to the end of
   * the file need no journal, so the first run's pages are written once,
   * not to the WAL and then again into the database by the checkpoint at
   * close. Pages of 16 KB, not 4: the SQLite workload's first run into a
   * new database is written in 12% less time (the database starts 0.18 MB
   * larger; each run adds about as much as before).
   * An empty file, which holds nothing yet but this run, is written
   * without fsync, as perf, gcov and callgrind write their files: a power
   * cut in the seconds after can cost this run (the next run then reports
   * the damaged file and writes a fallback file), never an earlier one.
   * The sync level cannot change inside a transaction, so the emptiness
   * is guessed before it and checked in it; if another process got there
   * first, the run is written with FULL, which syncs the journal before
   * the database. */
  w->created = version == 0;
  if (version == 0) {
    sq.exec(w->db, "PRAGMA page_size=16384", NULL, NULL, NULL);
    sq.exec(w->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
  }
  for (;;) {
    int rc = sq.exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK && w->created) {
      /* Page 1 exists in the transaction even for an empty file; a
       * table needs a page of its own. */
      long long n = lp_pragma_int(w, "PRAGMA page_count");
      if (n < 0 || n > 1) {
        sq.exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        if (n < 0)
          return -1;
        w->created = 0;
        sq.exec(w->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
        continue;
      }
    }
    if (rc == SQLITE_OK) {
      rc = sq.exec(w->db,
                   version < LP_SCHEMA_VERSION ? LP_SCHEMA_UPGRADE_SQL
                                               : LP_SCHEMA_SQL,
                   NULL, NULL, NULL);
      if (rc != SQLITE_OK) {
        /* The ROLLBACK would replace the message with "not an error". */
        snprintf(w->message, sizeof w->message, "%s", sq.errmsg(w->db));
        sq.exec(w->db, "ROLLBACK", NULL, NULL, NULL);
      }
    } else {
      snprintf(w->message, sizeof w->message, "%s", sq.errmsg(w->db));
    }
    if (rc == SQLITE_OK)
      return 0;
    if ((rc & 0xff) != SQLITE_BUSY || lp_clock_ns(CLOCK_MONOTONIC) > deadline) {
      w->error = w->message;
      return -1;
    }
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

/* Puts the database in WAL mode, where readers do not block the writer,
 * if it is not yet (a new one, or one whose switch found it busy). The
 * switch needs the database to itself: it does not wait for that, so that
 * a process does not wait at exit for the others writing into the same new
 * database; the next writer tries again. */
static void lp_wal(struct lp_writer *w) {
  sqlite3_stmt *st;
  if (sq.prepare_v2(w->db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
    return;
  const char *mode =
      sq.step(st) == SQLITE_ROW ? (const char *)sq.column_text(st, 0) : NULL;
  int wal = mode && strcmp(mode, "wal") == 0;
  sq.finalize(st);
  if (!wal) {
    sq.busy_timeout(w->db, 0);
    /* The switch rewrites the header: for a database this run created,
     * without fsync too (lp_open). */
    if (!w->created)
      sq.exec(w->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    sq.exec(w->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
  }
}

/* The run this process wrote last, and where: a later write to the same
 * database (a snapshot, then the end) replaces its statistics. */
static struct {
  char path[8200];
  long long run_id; /* 0: none yet */
} lp_last;

LP_HIDDEN void lp_writer_new_run(void) { lp_last.run_id = 0; }

/* Adds this process's run, or takes back the one written before, and
 * fills in how it ended. Returns 0 or -1. */
static int lp_put_run(struct lp_writer *w, const char *path, double tps,
                      const struct lp_run_end *end) {
  sqlite3_stmt *st;
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  int reuse = lp_last.run_id && strcmp(lp_last.path, path) == 0;
  if (reuse) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "DELETE FROM line_stats WHERE run_id=%lld; "
             "DELETE FROM function_stats WHERE run_id=%lld; "
             "DELETE FROM call_stats WHERE run_id=%lld;",
             lp_last.run_id, lp_last.run_id, lp_last.run_id);
    if (sq.exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
      w->error = sq.errmsg(w->db);
      return -1;
    }
  }
  if (lp_prepare(w, &st,
                 reuse ? "INSERT OR REPLACE INTO runs(command, cwd, hostname, "
                         "pid, start_ns, end_ns, exit_status, status, timer, "
                         "ticks_per_second, probe_overhead_ticks, tool_version, "
                         "exit_signal, parent_pid, parent_start_ns, run_id) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                       : "INSERT INTO runs(command, cwd, hostname, pid, "
                         "start_ns, end_ns, exit_status, status, timer, "
                         "ticks_per_second, probe_overhead_ticks, tool_version, "
                         "exit_signal, parent_pid, parent_start_ns) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") != 0)
    return -1;
  sq.bind_text(st, 1, lp_config.command ? lp_config.command : "", -1,
               SQLITE_TRANSIENT);
  sq.bind_text(st, 2, lp_config.cwd, -1, SQLITE_TRANSIENT);
  sq.bind_text(st, 3, host, -1, SQLITE_TRANSIENT);
  sq.bind_int64(st, 4, lp_config.pid);
  sq.bind_int64(st, 5, (long long)lp_config.start_ns);
  sq.bind_int64(st, 6, (long long)lp_clock_ns(CLOCK_REALTIME));
  if (end->have_status)
    sq.bind_int64(st, 7, end->exit_status);
  else
    sq.bind_null(st, 7);
  sq.bind_text(st, 8, end->status, -1, SQLITE_TRANSIENT);
  sq.bind_text(st, 9, LP_TIMER_NAME, -1, SQLITE_TRANSIENT);
  sq.bind_double(st, 10, tps);
  sq.bind_double(st, 11, w->overhead);
  sq.bind_text(st, 12, LINEPROF_VERSION, -1, SQLITE_TRANSIENT);
  if (end->exit_signal)
    sq.bind_int64(st, 13, end->exit_signal);
  else
    sq.bind_null(st, 13);
  if (lp_config.parent_pid) {
    sq.bind_int64(st, 14, lp_config.parent_pid);
    sq.bind_int64(st, 15, (long long)lp_config.parent_start_ns);
  } else {
    sq.bind_null(st, 14);
    sq.bind_null(st, 15);
  }
  if (reuse)
    sq.bind_int64(st, 16, lp_last.run_id);
  int rc = lp_run(w, st, 0);
  sq.finalize(st);
  if (rc < 0)
    return -1;
  w->run_id = reuse ? lp_last.run_id : sq.last_insert_rowid(w->db);
  return 0;
}

static int lp_exec(struct lp_writer *w, const char *sql) {
  if (sq.exec(w->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  w->error = sq.errmsg(w->db);
  return -1;
}

/* Writes the run into the database at path. Returns 0, or -1 with the
 * reason copied into why. */
static int lp_write_to(const char *path, const struct lp_run_end *end,
                       double tps, double overhead, uint64_t flush_start,
                       char *why, size_t why_size) {
  struct lp_writer w = {0};
  w.ns_per_tick = 1e9 / tps;
  w.overhead = overhead;
  int rc = lp_open(&w, path);
  if (rc == 0)
    rc = lp_put_run(&w, path, tps, end);
  if (rc == 0)
    rc = lp_prepare(&w, &w.file,
                    "INSERT INTO files(path, checksum) VALUES(?,?) "
                    "ON CONFLICT(path, checksum) DO UPDATE SET path=path "
                    "RETURNING file_id");
  if (rc == 0)
    rc = lp_prepare(&w, &w.functions_of,
                    "SELECT function_id, line_no, linkage_name, name "
                    "FROM functions WHERE file_id=?");
  if (rc == 0)
    rc = lp_prepare(&w, &w.function_rename,
                    "UPDATE functions SET name=? WHERE function_id=?");
  if (rc == 0)
    rc = lp_prepare(&w, &w.lines_of,
                    "SELECT file_id, line_no, line_id FROM lines "
                    "WHERE function_id=?");
  if (rc == 0)
    rc = lp_prepare(&w, &w.line_set_of,
                    "SELECT line_nos FROM line_sets "
                    "WHERE function_id=? AND file_id=?");
  /* New functions and lines rows get their ids here, so that they can be
   * inserted many at a time: this connection holds the write lock, so
   * nobody else adds rows until it commits. */
  if (rc == 0) {
    sqlite3_stmt *st;
    rc = lp_prepare(&w, &st,
                    "SELECT (SELECT ifnull(max(line_id), 0) + 1 FROM lines), "
                    "(SELECT ifnull(max(function_id), 0) + 1 FROM functions)");
    if (rc == 0) {
      if (sq.step(st) == SQLITE_ROW) {
        w.next_line_id = sq.column_int64(st, 0);
        w.next_function_id = sq.column_int64(st, 1);
      }
      sq.finalize(st);
      rc = w.next_line_id > 0 && w.next_function_id > 0 ? 0 : -1;
      if (rc != 0)
        w.error = sq.errmsg(w.db);
    }
  }
  /* Upserts: when two modules (two files that include the same inline
   * function) report the same line or function, their counts add up. */
  const struct {
    struct lp_batch **batch;
    const char *head;
    int cols;
    const char *tail;
  } batches[] = {
      {&w.functions,
       "INSERT INTO functions(function_id, file_id, name, linkage_name, "
       "line_no)",
       5, ""},
      {&w.lines, "INSERT INTO lines(line_id, function_id, file_id, line_no)",
       4, ""},
      /* A module's function and file once: its new, or merged, lines. */
      {&w.line_sets,
       "INSERT OR REPLACE INTO line_sets(function_id, file_id, line_nos)", 3,
       ""},
      {&w.line_stats,
       "INSERT INTO line_stats(run_id, line_id, hits, time_ns, self_ns)", 5,
       " ON CONFLICT(run_id, line_id) DO UPDATE SET "
       "hits=hits+excluded.hits, time_ns=time_ns+excluded.time_ns, "
       "self_ns=self_ns+excluded.self_ns"},
      {&w.function_stats,
       "INSERT INTO function_stats(run_id, function_id, calls, "
       "primitive_calls, inclusive_ns, self_ns)",
       6,
       " ON CONFLICT(run_id, function_id) DO UPDATE SET "
       "calls=calls+excluded.calls, "
       "primitive_calls=primitive_calls+excluded.primitive_calls, "
       "inclusive_ns=inclusive_ns+excluded.inclusive_ns, "
       "self_ns=self_ns+excluded.self_ns"},
      {&w.call_stats,
       "INSERT INTO call_stats(run_id, line_id, callee_name, "
       "callee_function_id, calls, time_ns)",
       6,
       " ON CONFLICT(run_id, line_id, callee_name) DO UPDATE SET "
       "callee_function_id=COALESCE(callee_function_id, "
       "excluded.callee_function_id), "
       "calls=calls+excluded.calls, time_ns=time_ns+excluded.time_ns"},
  };
  for (size_t i = 0; rc == 0 && i < sizeof batches / sizeof batches[0]; i++)
    if (!(*batches[i].batch = lp_batch_new(&w, batches[i].head, batches[i].cols,
                                           batches[i].tail)))
      rc = -1;
  /* A child forked from a signal handler is alone: it must not wait for a
   * lock another thread held at the fork. */
  if (rc == 0 &&
      lp_registry_visit(lp_write_module, &w, !end->alone) != 0) {
    rc = -1;
    if (!w.error)
      w.error = "out of memory";
  }
  /* Calls into another module: the callee is the function of that name
   * that ran in this run (symbol names of external functions are unique in
   * a program; of two static functions of one name, the first). Resolved
   * here: a correlated UPDATE took SQLite 30 ms on sqlite3.c. */
  if (rc == 0 && w.n_pending && w.n_names) {
    sqlite3_stmt *st = NULL;
    qsort(w.names, w.n_names, sizeof *w.names, lp_cmp_name);
    rc = lp_prepare(&w, &st,
                    "UPDATE call_stats SET callee_function_id=? WHERE run_id=? "
                    "AND line_id=? AND callee_name=? "
                    "AND callee_function_id IS NULL");
    for (size_t i = 0; rc == 0 && i < w.n_pending; i++) {
      size_t lo = 0, hi = w.n_names; /* the first entry of that name */
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(w.names[mid].name, w.pending[i].name) < 0)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo == w.n_names || strcmp(w.names[lo].name, w.pending[i].name) != 0)
        continue; /* not instrumented: the C library, say */
      sq.bind_int64(st, 1, w.names[lo].id);
      sq.bind_int64(st, 2, w.run_id);
      sq.bind_int64(st, 3, w.pending[i].id);
      sq.bind_text(st, 4, w.pending[i].name, -1, SQLITE_STATIC);
      rc = lp_run(&w, st, 0) < 0 ? -1 : 0;
    }
    if (st)
      sq.finalize(st);
  }
  char sql[1024];
  if (rc == 0) {
    /* Link parent and child runs of a fork, whichever was written first. */
    snprintf(sql, sizeof sql,
             "UPDATE runs SET parent_run_id = (SELECT p.run_id FROM runs p "
             "WHERE p.pid = runs.parent_pid AND p.start_ns = runs.parent_start_ns) "
             "WHERE parent_run_id IS NULL AND parent_pid IS NOT NULL "
             "AND (run_id = %lld OR (parent_pid = %ld AND parent_start_ns = %lld));",
             w.run_id, lp_config.pid, (long long)lp_config.start_ns);
    rc = lp_exec(&w, sql);
  }
  if (rc == 0) {
    snprintf(sql, sizeof sql, "UPDATE runs SET flush_ns=%lld WHERE run_id=%lld",
             (long long)(lp_clock_ns(CLOCK_MONOTONIC) - flush_start), w.run_id);
    rc = lp_exec(&w, sql);
  }
  if (rc == 0)
    rc = lp_exec(&w, "COMMIT");
  if (rc == 0)
    lp_wal(&w);
  if (rc != 0)
    snprintf(why, why_size, "%s", w.error ? w.error : strerror(errno));
  sqlite3_stmt *stmts[] = {w.file, w.functions_of,
                           w.function_rename, w.lines_of, w.line_set_of};
  for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
    if (stmts[i])
      sq.finalize(stmts[i]);
  lp_batch_free(w.functions);
  lp_batch_free(w.lines);
  lp_batch_free(w.line_stats);
  lp_batch_free(w.function_stats);
  lp_batch_free(w.call_stats);
  lp_batch_free(w.line_sets);
  free(w.set_texts);
  lp_free_names(w.names, w.n_names);
  lp_free_names(w.pending, w.n_pending);
  if (w.db) {
    if (rc != 0)
      sq.exec(w.db, "ROLLBACK", NULL, NULL, NULL);
    sq.close(w.db);
  }
  free(w.file_ids);
  if (rc == 0) {
    snprintf(lp_last.path, sizeof lp_last.path, "%s", path);
    lp_last.run_id = w.run_id;
    lp_note("wrote run %lld to %s: %llu lines in %.1f ms; samples counted "
            "once: %llu preempted, %llu stalled", w.run_id, path,
            (unsigned long long)w.lines_written,
            (double)(lp_clock_ns(CLOCK_MONOTONIC) - flush_start) / 1e6,
            (unsigned long long)lp_preempted_samples(),
            (unsigned long long)lp_stalled_samples());
  }
  return rc;
}

/* Where a run goes when its database cannot take it: beside the database,
 * else in TMPDIR. Named after the process so that snapshots of one run
 * land in the same file. */
static void lp_fallback_path(char *out, size_t size, int beside) {
  if (beside) {
    snprintf(out, size, "%s.fallback-%ld-%llu.db", lp_config.db_path,
             lp_config.pid, (unsigned long long)(lp_config.start_ns / 1000000000u));
    return;
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(out, size, "%s/lineprof-fallback-%ld-%llu.db",
           tmp && *tmp ? tmp : "/tmp", lp_config.pid,
           (unsigned long long)(lp_config.start_ns / 1000000000u));
}

static pthread_mutex_t lp_write_lock = PTHREAD_MUTEX_INITIALIZER;

LP_HIDDEN int lp_write_profile(const struct lp_run_end *end) {
  /* A write past `ulimit -f` must fail with EFBIG, not kill the program. */
  struct sigaction ignore = {.sa_handler = SIG_IGN}, old_xfsz;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGXFSZ, &ignore, &old_xfsz);
  if (!end->alone)
    pthread_mutex_lock(&lp_write_lock);

  uint64_t flush_start = lp_clock_ns(CLOCK_MONOTONIC);
  double tps = lp_ticks_per_second();
  double overhead = lp_probe_overhead_ticks();
  char why[512] = "", fallback_why[512] = "", fallback[8300] = "";
  int rc = -1;
  const char *load_error = lp_load_sqlite();
  if (load_error) {
    lp_warn("cannot write profile to %s: cannot load SQLite: %s",
            lp_config.db_path, load_error);
    goto out;
  }
  rc = lp_write_to(lp_config.db_path, end, tps, overhead, flush_start, why,
                   sizeof why);
  if (rc == 0)
    goto out;
  for (int beside = 1; beside >= 0 && rc != 0; beside--) {
    lp_fallback_path(fallback, sizeof fallback, beside);
    rc = lp_write_to(fallback, end, tps, overhead, flush_start, fallback_why,
                     sizeof fallback_why);
  }
  if (rc == 0)
    lp_warn("cannot write profile to %s: %s; saved it to %s "
            "(lineprof merge imports it)", lp_config.db_path, why, fallback);
  else
    lp_warn("cannot write profile to %s: %s; nor to %s: %s; profile lost",
            lp_config.db_path, why, fallback, fallback_why);
out:
  if (!end->alone)
    pthread_mutex_unlock(&lp_write_lock);
  sigaction(SIGXFSZ, &old_xfsz, NULL);
  return rc;
}

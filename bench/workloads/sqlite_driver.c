/* sqlite_driver: a fixed, deterministic SQL workload over the SQLite
 * amalgamation (linked statically, compiled with the same flags as this
 * file).
 *
 * On an in-memory database it runs, in order: inserts in transactions, an
 * index build, indexed point lookups, a join, a sort on a column with no
 * index, and GROUP BY aggregates. Every result row is folded into one FNV-1a
 * checksum; only integers and text are read, so the output is identical
 * under every compiler and instrumentation, which bench/run checks.
 *
 *   sqlite_driver [rows]     default rows = 200000; prints checksum lines
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

static sqlite3 *db;

/* xorshift64*: a fixed-seed generator, identical under every compiler. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static void die(const char *what) {
  fprintf(stderr, "sqlite_driver: %s: %s\n", what, sqlite3_errmsg(db));
  exit(1);
}

static void exec(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "sqlite_driver: %s: %s\n", sql, err ? err : "?");
    exit(1);
  }
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    die(sql);
  return st;
}

/* FNV-1a over bytes, chained through *hash. */
static void fold_bytes(uint64_t *hash, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    *hash ^= p[i];
    *hash *= 0x100000001b3ull;
  }
}

/* Steps st to the end, folding every column of every row into *hash;
 * returns the number of rows. Reals are never read as doubles. */
static uint64_t fold_rows(sqlite3_stmt *st, uint64_t *hash) {
  uint64_t rows = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int ncol = sqlite3_column_count(st);
    for (int c = 0; c < ncol; c++) {
      if (sqlite3_column_type(st, c) == SQLITE_INTEGER) {
        int64_t v = sqlite3_column_int64(st, c);
        fold_bytes(hash, &v, sizeof v);
      } else {
        const unsigned char *t = sqlite3_column_text(st, c);
        int n = sqlite3_column_bytes(st, c);
        fold_bytes(hash, t ? t : (const unsigned char *)"", (size_t)n);
      }
    }
    rows++;
  }
  if (rc != SQLITE_DONE)
    die("step");
  sqlite3_reset(st);
  return rows;
}

static void report(const char *phase, uint64_t rows, uint64_t hash) {
  printf("%-8s rows=%-9" PRIu64 " checksum=%016" PRIx64 "\n", phase, rows, hash);
}

int main(int argc, char **argv) {
  long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
  if (rows < 100) {
    fprintf(stderr, "sqlite_driver: rows must be at least 100\n");
    return 2;
  }
  long groups = rows / 100;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK)
    die("open");
  exec("CREATE TABLE grp(grp_id INTEGER PRIMARY KEY, label TEXT NOT NULL);"
       "CREATE TABLE item(item_id INTEGER PRIMARY KEY, k INTEGER NOT NULL,"
       " grp_id INTEGER NOT NULL, qty INTEGER NOT NULL, name TEXT NOT NULL);");

  /* Inserts, 1000 rows per transaction. */
  sqlite3_stmt *ins_grp = prepare("INSERT INTO grp VALUES(?1, ?2)");
  sqlite3_stmt *ins_item =
      prepare("INSERT INTO item(k, grp_id, qty, name) VALUES(?1, ?2, ?3, ?4)");
  char text[64];
  exec("BEGIN");
  for (long g = 0; g < groups; g++) {
    snprintf(text, sizeof text, "group-%05ld-%04x", g,
             (unsigned)(rng_next() & 0xffff));
    sqlite3_bind_int64(ins_grp, 1, g);
    sqlite3_bind_text(ins_grp, 2, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(ins_grp) != SQLITE_DONE)
      die("insert grp");
    sqlite3_reset(ins_grp);
  }
  exec("COMMIT");
  for (long i = 0; i < rows; i++) {
    if (i % 1000 == 0)
      exec("BEGIN");
    uint64_t r = rng_next();
    snprintf(text, sizeof text, "item-%08" PRIx64, r >> 32);
    sqlite3_bind_int64(ins_item, 1, (int64_t)(r % (uint64_t)(rows * 4)));
    sqlite3_bind_int64(ins_item, 2, (int64_t)((r >> 20) % (uint64_t)groups));
    sqlite3_bind_int64(ins_item, 3, (int64_t)((r >> 40) % 1000));
    sqlite3_bind_text(ins_item, 4, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(ins_item) != SQLITE_DONE)
      die("insert item");
    sqlite3_reset(ins_item);
    if (i % 1000 == 999 || i == rows - 1)
      exec("COMMIT");
  }
  uint64_t hash = 0xcbf29ce484222325ull, n;
  sqlite3_stmt *count = prepare("SELECT count(*), sum(k), sum(qty) FROM item");
  n = fold_rows(count, &hash); /* before report(): argument order is unspecified */
  report("insert", n, hash);

  /* Index build, then indexed point lookups. */
  exec("CREATE INDEX item_k ON item(k); CREATE INDEX item_grp ON item(grp_id)");
  sqlite3_stmt *lookup = prepare("SELECT item_id, qty, name FROM item WHERE k = ?1");
  hash = 0xcbf29ce484222325ull;
  uint64_t found = 0;
  for (long i = 0; i < rows * 2; i++) {
    sqlite3_bind_int64(lookup, 1, (int64_t)(rng_next() % (uint64_t)(rows * 4)));
    found += fold_rows(lookup, &hash);
  }
  report("lookup", found, hash);

  /* A join over the group index, filtered and aggregated per group label. */
  sqlite3_stmt *join = prepare(
      "SELECT g.label, count(*), sum(i.qty) FROM grp g JOIN item i"
      " ON i.grp_id = g.grp_id WHERE i.qty < 500 GROUP BY g.label");
  hash = 0xcbf29ce484222325ull;
  n = fold_rows(join, &hash);
  report("join", n, hash);

  /* A full sort on columns with no index. */
  sqlite3_stmt *sort =
      prepare("SELECT name, qty, item_id FROM item ORDER BY name, qty, item_id");
  hash = 0xcbf29ce484222325ull;
  n = fold_rows(sort, &hash);
  report("sort", n, hash);

  /* Aggregates, grouped on a computed key and on the group column. */
  sqlite3_stmt *agg = prepare(
      "SELECT qty % 97, count(*), sum(k), min(name), max(name), total(qty)"
      " FROM item GROUP BY qty % 97 ORDER BY 1");
  hash = 0xcbf29ce484222325ull;
  uint64_t agg_rows = fold_rows(agg, &hash);
  sqlite3_stmt *agg2 = prepare(
      "SELECT grp_id, count(*), max(k) - min(k), sum(qty * k) % 1000003"
      " FROM item GROUP BY grp_id HAVING count(*) > 90");
  agg_rows += fold_rows(agg2, &hash);
  report("group", agg_rows, hash);

  sqlite3_stmt *all[] = {ins_grp, ins_item, count, lookup, join, sort, agg, agg2};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    sqlite3_finalize(all[i]);
  if (sqlite3_close(db) != SQLITE_OK)
    die("close");
  return 0;
}

/* Test helper: builds a database for the CLI golden tests.
 *
 *   mkfixture OUT.db USER_VERSION DIR [SQL-FILE...]
 *
 * Replaces OUT.db; when USER_VERSION > 0 creates the schema by running
 * LP_SCHEMA_SQL from runtime/schema.h (the one copy of the schema), sets
 * PRAGMA user_version, then runs each SQL file with fixture_dir() returning
 * DIR, so that recorded source paths point into the test's work directory.
 * Test-only: it writes databases, which the lineprof command never does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "schema.h"

static void fixture_dir(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, sqlite3_user_data(ctx), -1, SQLITE_TRANSIENT);
}

/* Read a whole file as a NUL-terminated string; NULL on failure. */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t size = 0, cap = 4096;
  char *text = malloc(cap);
  while (text) {
    size += fread(text + size, 1, cap - size - 1, f);
    if (size < cap - 1)
      break;
    char *bigger = realloc(text, cap *= 2);
    if (!bigger)
      free(text);
    text = bigger;
  }
  if (text)
    text[size] = '\0';
  if (ferror(f)) {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

static int exec(sqlite3 *db, const char *sql, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return 0;
  fprintf(stderr, "mkfixture: %s: %s\n", what, msg ? msg : "failed");
  sqlite3_free(msg);
  return -1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "Usage: mkfixture OUT.db USER_VERSION DIR [SQL-FILE...]\n");
    return 2;
  }
  const char *out = argv[1], *dir = argv[3];
  int version = atoi(argv[2]);
  if (remove(out) != 0 && errno != ENOENT) {
    fprintf(stderr, "mkfixture: cannot replace %s: %s\n", out, strerror(errno));
    return 1;
  }
  sqlite3 *db;
  if (sqlite3_open(out, &db) != SQLITE_OK) {
    fprintf(stderr, "mkfixture: %s: %s\n", out, sqlite3_errmsg(db));
    return 1;
  }
  int status = 1;
  char pragma[64];
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
  if (sqlite3_create_function(db, "fixture_dir", 0, SQLITE_UTF8, (void *)dir,
                              fixture_dir, NULL, NULL) != SQLITE_OK ||
      exec(db, "BEGIN", out) != 0 ||
      (version > 0 && exec(db, LP_SCHEMA_SQL, "schema") != 0) ||
      exec(db, pragma, out) != 0)
    goto out;
  for (int i = 4; i < argc; i++) {
    char *sql = read_text(argv[i]);
    if (!sql) {
      fprintf(stderr, "mkfixture: cannot read %s: %s\n", argv[i],
              strerror(errno));
      goto out;
    }
    int rc = exec(db, sql, argv[i]);
    free(sql);
    if (rc != 0)
      goto out;
  }
  if (exec(db, "COMMIT", out) == 0)
    status = 0;
out:
  sqlite3_close(db);
  return status;
}

/* Opening and checking lineprof databases (see db.h). */
#define _XOPEN_SOURCE 700 /* stat, access */
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "lineprof.h"
#include "schema.h"

const char *lp_db_path(const char *option) {
  if (option)
    return option;
  const char *env = getenv("LINEPROF_DB");
  return env && env[0] ? env : LP_DB_DEFAULT;
}

int lp_db_error(sqlite3 *db, const char *path) {
  lp_error("cannot read database '%s': %s", path, sqlite3_errmsg(db));
  return LP_ERR_SYSTEM;
}

/* Run a query that yields one integer. Returns the SQLite result code. */
static int lp_db_integer(sqlite3 *db, const char *sql, long long *value) {
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *value = sqlite3_column_int64(stmt, 0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    *value = 0;
    rc = SQLITE_OK;
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* Whether the file can be opened for reading; prints the errno text. */
static int lp_db_check_file(const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0 || access(path, R_OK) != 0) {
    lp_error("cannot open database '%s': %s", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(sb.st_mode)) {
    lp_error("cannot open database '%s': %s", path, strerror(EISDIR));
    return -1;
  }
  return 0;
}

/* Check that an open connection is a lineprof database of a schema this
 * CLI reads, and set *version to its schema version. Returns 0, or -1
 * after printing why not. */
static int lp_db_check(sqlite3 *db, const char *path, long long *version) {
  static const char tables_sql[] =
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
      "('runs', 'files', 'functions', 'lines', 'line_stats', "
      "'function_stats')";
  long long tables = 0;
  int rc = lp_db_integer(db, "PRAGMA user_version", version);
  if (rc == SQLITE_NOTADB) {
    lp_error("'%s' is not a lineprof database: %s", path, sqlite3_errstr(rc));
    return -1;
  }
  if (rc != SQLITE_OK) {
    lp_db_error(db, path);
    return -1;
  }
  if (*version > LP_SCHEMA_VERSION) {
    lp_error("'%s' has database schema %lld, newer than schema %d that this "
             "lineprof reads; upgrade lineprof",
             path, *version, LP_SCHEMA_VERSION);
    return -1;
  }
  rc = lp_db_integer(db, tables_sql, &tables);
  if (rc != SQLITE_OK) {
    lp_db_error(db, path);
    return -1;
  }
  if (*version < 1 || tables != 6) {
    lp_error("'%s' is not a lineprof database", path);
    return -1;
  }
  return 0;
}

/* Open with `flags`; "file:" names get a "./" prefix, because this SQLite
 * may take them as URIs whose parameters could change the mode. Returns
 * LP_OK, or prints the error and returns LP_ERR_SYSTEM. */
static int lp_db_connect(const char *path, int flags, sqlite3 **out) {
  char *name = malloc(strlen(path) + 3);
  *out = NULL;
  if (!name) {
    lp_error("cannot open database '%s': %s", path, strerror(ENOMEM));
    return LP_ERR_SYSTEM;
  }
  sprintf(name, "%s%s", strncmp(path, "file:", 5) == 0 ? "./" : "", path);
  sqlite3 *db = NULL;
  /* Single-threaded: NOMUTEX spares a lock per column read. */
  int rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  free(name);
  if (rc != SQLITE_OK) {
    lp_error("cannot open database '%s': %s", path,
             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return LP_ERR_SYSTEM;
  }
  sqlite3_busy_timeout(db, LP_DB_BUSY_MS);
  *out = db;
  return LP_OK;
}

int lp_db_open(const char *path, sqlite3 **out) {
  *out = NULL;
  if (lp_db_check_file(path) != 0)
    return LP_ERR_SYSTEM;
  sqlite3 *db;
  if (lp_db_connect(path, SQLITE_OPEN_READONLY, &db) != LP_OK)
    return LP_ERR_SYSTEM;
  long long version;
  if (lp_db_check(db, path, &version) != 0) {
    sqlite3_close(db);
    return LP_ERR_SYSTEM;
  }
  *out = db;
  return LP_OK;
}

int lp_db_open_write(const char *path, int create, sqlite3 **out,
                     int *created) {
  struct stat sb;
  *out = NULL;
  *created = 0;
  if (create && stat(path, &sb) != 0 && errno == ENOENT) {
    sqlite3 *db;
    if (lp_db_connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db) !=
        LP_OK)
      return LP_ERR_SYSTEM;
    /* As the runtime creates one (pages of 16 KB, WAL), so that it can
     * write here afterwards. */
    if (sqlite3_exec(db, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db,
                     "BEGIN IMMEDIATE;" LP_SCHEMA_UPGRADE_SQL "COMMIT;",
                     NULL, NULL, NULL) != SQLITE_OK) {
      lp_error("cannot create database '%s': %s", path, sqlite3_errmsg(db));
      sqlite3_close(db);
      return LP_ERR_SYSTEM;
    }
    *created = 1;
    *out = db;
    return LP_OK;
  }
  if (lp_db_check_file(path) != 0)
    return LP_ERR_SYSTEM;
  if (access(path, W_OK) != 0) {
    lp_error("cannot write database '%s': %s", path, strerror(errno));
    return LP_ERR_SYSTEM;
  }
  sqlite3 *db;
  if (lp_db_connect(path, SQLITE_OPEN_READWRITE, &db) != LP_OK)
    return LP_ERR_SYSTEM;
  long long version;
  if (lp_db_check(db, path, &version) != 0) {
    sqlite3_close(db);
    return LP_ERR_SYSTEM;
  }
  /* What this lineprof writes follows its own version: upgrade first. */
  if (version < LP_SCHEMA_VERSION &&
      sqlite3_exec(db, "BEGIN IMMEDIATE;" LP_SCHEMA_UPGRADE_SQL "COMMIT;",
                   NULL, NULL, NULL) != SQLITE_OK) {
    lp_error("cannot upgrade database '%s' to schema %d: %s", path,
             LP_SCHEMA_VERSION, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return LP_ERR_SYSTEM;
  }
  *out = db;
  return LP_OK;
}

int lp_db_has_table(sqlite3 *db, const char *schema, const char *name) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM \"%s\".sqlite_master WHERE type = 'table'"
           " AND name = '%s'",
           schema, name);
  long long n = 0;
  return lp_db_integer(db, sql, &n) == SQLITE_OK ? n > 0 : -1;
}

int lp_db_has_line_sets(sqlite3 *db, const char *schema) {
  char sql[128];
  snprintf(sql, sizeof sql, "PRAGMA \"%s\".user_version", schema);
  long long version = 0;
  if (lp_db_integer(db, sql, &version) != SQLITE_OK)
    return -1;
  return version >= 3 ? lp_db_has_table(db, schema, "line_sets") : 0;
}

int lp_db_select_run(sqlite3 *db, const char *path, long long *run_id) {
  long long found = 0;
  int rc;
  if (*run_id == LP_RUN_LATEST || *run_id == LP_RUN_ALL) {
    rc = lp_db_integer(db, "SELECT ifnull(max(run_id), 0) FROM runs", &found);
    if (rc != SQLITE_OK)
      return lp_db_error(db, path);
    if (found < 1) {
      lp_error("no runs in %s", path);
      return LP_ERR_DATA;
    }
    if (*run_id == LP_RUN_LATEST)
      *run_id = found;
    return LP_OK;
  }

  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE run_id = ?1", -1, &stmt,
                         NULL) != SQLITE_OK)
    return lp_db_error(db, path);
  sqlite3_bind_int64(stmt, 1, *run_id);
  rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc == SQLITE_DONE) {
    lp_error("no run %lld in %s", *run_id, path);
    return LP_ERR_DATA;
  }
  if (rc != SQLITE_ROW)
    return lp_db_error(db, path);
  return LP_OK;
}

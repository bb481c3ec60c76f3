/* The lineprof database as the CLI sees it: found, opened (read-only for
 * reports, read-write for merge and prune), checked against the schema this
 * build understands, and asked which run a report is about.
 *
 * Never migrates a database, and never writes one of a newer schema. The
 * runtime may be writing to it concurrently, so every connection waits on
 * locks for a while.
 */
#ifndef LINEPROF_CLI_DB_H
#define LINEPROF_CLI_DB_H

#include <sqlite3.h>

#define LP_DB_DEFAULT "lineprof.db" /* in the current directory */
#define LP_DB_BUSY_MS 5000          /* wait for a writer's lock, ms */

/* The database path: `option` (--db) if given, else $LINEPROF_DB if set and
 * non-empty, else LP_DB_DEFAULT. */
const char *lp_db_path(const char *option);

/* Open `path` read-only and check that it is a lineprof database of a
 * schema version this CLI reads. Returns LP_OK with *db set, or prints one
 * error line and returns LP_ERR_SYSTEM with *db NULL. */
int lp_db_open(const char *path, sqlite3 **db);

/* Open `path` read-write for merge and prune, with the same checks as
 * lp_db_open. When the file does not exist and `create` is 1, create it as
 * the runtime does (WAL journal, LP_SCHEMA_SQL, user_version); *created is
 * then 1. Returns LP_OK with *db set, or prints one error line and returns
 * LP_ERR_SYSTEM with *db NULL. */
int lp_db_open_write(const char *path, int create, sqlite3 **db,
                     int *created);

/* Whether the database has table `name`: 1, 0, or -1 if SQLite failed. */
int lp_db_has_table(sqlite3 *db, const char *schema, const char *name);

/* 1 if the database attached as `schema` keeps every function's lines in
 * line_sets (schema 3 and later), 0 if in lines (older ones: a database
 * made for an older version can have an empty line_sets table, created by
 * a newer writer's schema statements), -1 on error. */
int lp_db_has_line_sets(sqlite3 *db, const char *schema);

/* Resolve a run selector in place: LP_RUN_LATEST becomes the largest
 * run_id, a run id is checked to exist, LP_RUN_ALL is checked to have runs.
 * Returns LP_OK, or prints an error and returns LP_ERR_DATA (no such run,
 * no runs) or LP_ERR_SYSTEM (SQLite failed). */
int lp_db_select_run(sqlite3 *db, const char *path, long long *run_id);

/* Print "cannot read database 'path': <SQLite message>" and return
 * LP_ERR_SYSTEM; for a failed prepare or step. */
int lp_db_error(sqlite3 *db, const char *path);

#endif

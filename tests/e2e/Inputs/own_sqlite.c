/* A program that uses SQLite itself. */
#include <sqlite3.h>
#include <stdio.h>

int main(void) {
  sqlite3 *db;
  sqlite3_stmt *st;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK)
    return 1;
  sqlite3_exec(db, "create table t(x); insert into t values (42);", 0, 0, 0);
  sqlite3_prepare_v2(db, "select x from t", -1, &st, 0);
  sqlite3_step(st);
  printf("%s %d\n", sqlite3_libversion(), sqlite3_column_int(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return 0;
}

/* `lineprof prune`: delete old runs and their statistics, then the files,
 * functions and lines that no run uses any more. One of the two commands
 * that write (see lineprof.h).
 *
 * One IMMEDIATE transaction, so that a runtime writing its run at the same
 * time waits for us (or we for it) and never sees a half-pruned database.
 * Runs still in progress are never picked by --keep or by age: they may be
 * writing; name them with --run to delete them (a crashed run stays
 * 'in_progress' forever).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "lineprof.h"
#include "schema.h"

static const char lp_prune_usage[] =
    "Usage: lineprof prune [--db PATH] [--keep N] [--before DATE] "
    "[--older-than DAYS] [--run N]... [-n] [--vacuum]\n";
static const char lp_prune_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --keep N              delete all but the N newest runs (by start)\n"
    "  --before DATE         delete runs that started before DATE (local\n"
    "                        time, YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')\n"
    "  --older-than DAYS     delete runs that started more than DAYS ago\n"
    "  --run N               delete run N; may be repeated\n"
    "  -n, --dry-run         print what would be deleted, delete nothing\n"
    "  --vacuum              give the freed space back to the file system\n"
    "A run is deleted if any of --keep, --before/--older-than, --run picks\n"
    "it; --keep and the dates never pick a run that is still in progress.\n";

static int lp_cmd_prune_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_prune = {
    "prune", "delete old runs and the data only they used (writes)",
    lp_cmd_prune_run, lp_prune_usage, lp_prune_help};

static const struct lp_option lp_prune_options[] = {
    {"db", 0, 1, LP_OPT_DB},
    {"keep", 0, 1, LP_OPT_KEEP},
    {"before", 0, 1, LP_OPT_BEFORE},
    {"older-than", 0, 1, LP_OPT_OLDER_THAN},
    {"run", 0, 1, LP_OPT_PRUNE_RUN},
    {"dry-run", 'n', 0, LP_OPT_DRY_RUN},
    {"vacuum", 0, 0, LP_OPT_VACUUM},
    {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

/* Orphans: rows that no remaining statistics refer to. The line_sets of a
 * function with function_stats stay: where it did not run, they are what
 * says which of its lines had 0 hits (and its lines rows, which said so
 * before schema 3). */
static const char lp_orphans_sql[] =
    "DELETE FROM lines WHERE line_id NOT IN (SELECT line_id FROM line_stats)"
    " AND line_id NOT IN (SELECT line_id FROM call_stats)"
    " AND function_id NOT IN (SELECT function_id FROM function_stats);"
    "DELETE FROM line_sets"
    " WHERE function_id NOT IN (SELECT function_id FROM function_stats)"
    " AND function_id NOT IN (SELECT function_id FROM lines);"
    "DELETE FROM functions WHERE function_id NOT IN"
    " (SELECT function_id FROM function_stats)"
    " AND function_id NOT IN (SELECT function_id FROM lines)"
    " AND function_id NOT IN (SELECT function_id FROM line_sets)"
    " AND function_id NOT IN (SELECT callee_function_id FROM call_stats"
    "   WHERE callee_function_id IS NOT NULL);"
    "DELETE FROM files WHERE file_id NOT IN (SELECT file_id FROM functions)"
    " AND file_id NOT IN (SELECT file_id FROM lines)"
    " AND file_id NOT IN (SELECT file_id FROM line_sets);";

/* Run SQL; on failure print the database's error. Returns 0 or -1. */
static int lp_exec(struct lp_state *st, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return 0;
  lp_error("cannot prune database '%s': %s", st->db_path,
           msg ? msg : sqlite3_errmsg(st->db));
  sqlite3_free(msg);
  return -1;
}

/* One integer from SQL with ?1 bound to `arg`; -1 on failure. */
static long long lp_count(struct lp_state *st, const char *sql, long long arg) {
  sqlite3_stmt *stmt;
  long long n = -1;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) == SQLITE_OK) {
    if (sqlite3_bind_parameter_count(stmt) > 0)
      sqlite3_bind_int64(stmt, 1, arg);
    if (sqlite3_step(stmt) == SQLITE_ROW)
      n = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return n;
}

/* Mark the selected runs in temp.doomed. Returns LP_OK, LP_ERR_DATA for a
 * --run that does not exist, or LP_ERR_SYSTEM. */
static int lp_select(struct lp_state *st) {
  const struct lp_prune_request *p = &st->prune;
  if (lp_exec(st, "CREATE TEMP TABLE doomed(run_id INTEGER PRIMARY KEY)") != 0)
    return LP_ERR_SYSTEM;
  for (int i = 0; i < p->nruns; i++) {
    long long found =
        lp_count(st, "SELECT count(*) FROM runs WHERE run_id = ?1", p->runs[i]);
    if (found < 0)
      return lp_db_error(st->db, st->db_path);
    if (found == 0) {
      lp_error("no run %lld in %s", p->runs[i], st->db_path);
      return LP_ERR_DATA;
    }
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO temp.doomed VALUES(%lld)",
             p->runs[i]);
    if (lp_exec(st, sql) != 0)
      return LP_ERR_SYSTEM;
  }
  sqlite3_stmt *stmt;
  static const char sql[] =
      "INSERT OR IGNORE INTO temp.doomed SELECT run_id FROM"
      " (SELECT run_id, status, start_ns, row_number() OVER"
      "   (ORDER BY start_ns DESC, run_id DESC) AS age FROM runs)"
      " WHERE status <> 'in_progress'"
      " AND ((?1 >= 0 AND age > ?1) OR (?2 >= 0 AND start_ns < ?2))";
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return lp_db_error(st->db, st->db_path);
  sqlite3_bind_int64(stmt, 1, p->keep);
  sqlite3_bind_int64(stmt, 2, p->before_ns);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? LP_OK : lp_db_error(st->db, st->db_path);
}

/* Print one line per doomed run with its statistics rows. */
static int lp_list(struct lp_state *st) {
  sqlite3_stmt *stmt;
  static const char sql[] =
      "SELECT r.run_id, r.command, r.start_ns,"
      " (SELECT count(*) FROM line_stats s WHERE s.run_id = r.run_id),"
      " (SELECT count(*) FROM function_stats s WHERE s.run_id = r.run_id),"
      " (SELECT count(*) FROM call_stats s WHERE s.run_id = r.run_id)"
      " FROM runs r JOIN temp.doomed d ON d.run_id = r.run_id"
      " ORDER BY r.run_id";
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return lp_db_error(st->db, st->db_path);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    char when[64];
    lp_format_timestamp(sqlite3_column_int64(stmt, 2), when, sizeof when);
    printf("%s run %lld (%s, %s): %lld line, %lld function, %lld call rows\n",
           st->prune.dry_run ? "would delete" : "deleted",
           sqlite3_column_int64(stmt, 0), when,
           (const char *)sqlite3_column_text(stmt, 1),
           sqlite3_column_int64(stmt, 3), sqlite3_column_int64(stmt, 4),
           sqlite3_column_int64(stmt, 5));
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? LP_OK : lp_db_error(st->db, st->db_path);
}

static int lp_cmd_prune_run(struct lp_state *st, int argc, char **argv) {
  st->prune.keep = -1;
  st->prune.before_ns = -1;
  int status = lp_parse_command(st, &lp_cmd_prune, lp_prune_options, argc, argv,
                                LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands > 0)
    return lp_bad_arguments(LP_ARG_OPERAND, st->operands[0], lp_prune_usage);
  if (st->prune.keep < 0 && st->prune.before_ns < 0 && st->prune.nruns == 0)
    return lp_command_misuse(
        &lp_cmd_prune,
        "nothing to prune: give --keep, --before, --older-than or --run");

  st->db_path = lp_db_path(st->db_path);
  int created;
  if ((status = lp_db_open_write(st->db_path, 0, &st->db, &created)) != LP_OK)
    return status;
  if (lp_exec(st, "BEGIN IMMEDIATE") != 0)
    return LP_ERR_SYSTEM;
  /* Idempotent; adds call_stats to a database written before it existed,
   * as the runtime's next write would. */
  status = LP_ERR_SYSTEM;
  if (lp_exec(st, LP_SCHEMA_SQL) != 0)
    goto fail;
  if ((status = lp_select(st)) != LP_OK || (status = lp_list(st)) != LP_OK)
    goto fail;
  long long doomed = lp_count(st, "SELECT count(*) FROM temp.doomed", 0);
  long long total = lp_count(st, "SELECT count(*) FROM runs", 0);
  long long before[3] = {lp_count(st, "SELECT count(*) FROM files", 0),
                         lp_count(st, "SELECT count(*) FROM functions", 0),
                         lp_count(st, "SELECT count(*) FROM lines", 0)};
  if (st->prune.dry_run) {
    printf("would delete %lld of %lld runs; nothing deleted (--dry-run)\n",
           doomed, total);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return LP_OK;
  }
  status = LP_ERR_SYSTEM;
  if (lp_exec(st,
              "DELETE FROM call_stats WHERE run_id IN temp.doomed;"
              "DELETE FROM line_stats WHERE run_id IN temp.doomed;"
              "DELETE FROM function_stats WHERE run_id IN temp.doomed;"
              "UPDATE runs SET parent_run_id = NULL"
              " WHERE parent_run_id IN temp.doomed;"
              "DELETE FROM runs WHERE run_id IN temp.doomed;") != 0 ||
      lp_exec(st, lp_orphans_sql) != 0)
    goto fail;
  long long after[3] = {lp_count(st, "SELECT count(*) FROM files", 0),
                        lp_count(st, "SELECT count(*) FROM functions", 0),
                        lp_count(st, "SELECT count(*) FROM lines", 0)};
  if (lp_exec(st, "DROP TABLE temp.doomed; COMMIT") != 0)
    goto fail;
  printf("deleted %lld of %lld runs, %lld files, %lld functions and %lld "
         "lines no run uses; %lld runs left\n",
         doomed, total, before[0] - after[0], before[1] - after[1],
         before[2] - after[2], total - doomed);
  if (st->prune.vacuum && doomed > 0 && lp_exec(st, "VACUUM") != 0)
    return LP_ERR_SYSTEM;
  return LP_OK;

fail:
  sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  return status;
}

/* `lineprof merge OTHER.db...`: import the runs of other databases into
 * the --db database, creating it if needed. One of the two commands that
 * write (see lineprof.h).
 *
 * Runs stay apart: each imported run gets a new run id, and its files,
 * functions and lines are remapped through their natural keys (path and
 * checksum; file, linkage name and first line; function, file and line),
 * so that equal sources share rows. A run already present (same command,
 * pid, host and start time) is skipped, so merging twice changes nothing.
 * Each source is imported in one transaction (SQLite cannot attach inside
 * one): a failure leaves out all of that source and keeps earlier ones.
 * Sources are only read, and must not be newer than this lineprof.
 */
#define _XOPEN_SOURCE 700 /* stat */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "lineprof.h"
#include "schema.h"

static const char lp_merge_usage[] =
    "Usage: lineprof merge [--db PATH] OTHER.db...\n";
static const char lp_merge_help[] =
    "  --db PATH             database to merge into, created if missing\n"
    "                        (default: $LINEPROF_DB, ./lineprof.db)\n";

static int lp_cmd_merge_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_merge = {
    "merge", "import the runs of other databases into --db (writes)",
    lp_cmd_merge_run, lp_merge_usage, lp_merge_help};

static const struct lp_option lp_merge_options[] = {
    {"db", 0, 1, LP_OPT_DB},
    {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

/* The import of the database attached as "src", statement by statement.
 * temp.*_map tables translate the source's ids into ours. */
static const char lp_import_sql[] =
    "CREATE TEMP TABLE run_map(old INTEGER PRIMARY KEY, new INTEGER);"
    "CREATE TEMP TABLE file_map(old INTEGER PRIMARY KEY, new INTEGER);"
    "CREATE TEMP TABLE function_map(old INTEGER PRIMARY KEY, new INTEGER);"
    "CREATE TEMP TABLE line_map(old INTEGER PRIMARY KEY, new INTEGER);"
    "INSERT INTO temp.run_map(old, new)"
    " SELECT s.run_id, (SELECT ifnull(max(run_id), 0) FROM main.runs)"
    "   + row_number() OVER (ORDER BY s.run_id)"
    " FROM src.runs s WHERE NOT EXISTS (SELECT 1 FROM main.runs r"
    "   WHERE r.start_ns = s.start_ns AND r.pid = s.pid"
    "   AND r.command = s.command AND r.hostname IS s.hostname);"
    "INSERT INTO main.runs(run_id, command, cwd, hostname, pid,"
    " parent_run_id, start_ns, end_ns, exit_status, status, timer,"
    " ticks_per_second, probe_overhead_ticks, flush_ns, tool_version)"
    " SELECT m.new, s.command, s.cwd, s.hostname, s.pid,"
    "   (SELECT p.new FROM temp.run_map p WHERE p.old = s.parent_run_id),"
    "   s.start_ns, s.end_ns, s.exit_status, s.status, s.timer,"
    "   s.ticks_per_second, s.probe_overhead_ticks, s.flush_ns, s.tool_version"
    " FROM src.runs s JOIN temp.run_map m ON m.old = s.run_id"
    " ORDER BY m.new;"
    "INSERT OR IGNORE INTO main.files(path, checksum)"
    " SELECT path, checksum FROM src.files ORDER BY file_id;"
    "INSERT INTO temp.file_map SELECT s.file_id, d.file_id FROM src.files s"
    " JOIN main.files d ON d.path = s.path AND d.checksum = s.checksum;"
    "INSERT OR IGNORE INTO main.functions(file_id, name, linkage_name,"
    " line_no)"
    " SELECT fm.new, s.name, s.linkage_name, s.line_no FROM src.functions s"
    " JOIN temp.file_map fm ON fm.old = s.file_id ORDER BY s.function_id;"
    "INSERT INTO temp.function_map SELECT s.function_id, d.function_id"
    " FROM src.functions s JOIN temp.file_map fm ON fm.old = s.file_id"
    " JOIN main.functions d ON d.file_id = fm.new"
    "   AND d.linkage_name = s.linkage_name AND d.line_no = s.line_no;"
    "INSERT OR IGNORE INTO main.lines(function_id, file_id, line_no)"
    " SELECT fn.new, fm.new, s.line_no FROM src.lines s"
    " JOIN temp.function_map fn ON fn.old = s.function_id"
    " JOIN temp.file_map fm ON fm.old = s.file_id ORDER BY s.line_id;"
    "INSERT INTO temp.line_map SELECT s.line_id, d.line_id FROM src.lines s"
    " JOIN temp.function_map fn ON fn.old = s.function_id"
    " JOIN temp.file_map fm ON fm.old = s.file_id"
    " JOIN main.lines d ON d.function_id = fn.new AND d.file_id = fm.new"
    "   AND d.line_no = s.line_no;"
    "INSERT INTO main.line_stats(run_id, line_id, hits, time_ns, self_ns)"
    " SELECT rm.new, lm.new, s.hits, s.time_ns, s.self_ns"
    " FROM src.line_stats s JOIN temp.run_map rm ON rm.old = s.run_id"
    " JOIN temp.line_map lm ON lm.old = s.line_id;"
    "INSERT INTO main.function_stats(run_id, function_id, calls,"
    " primitive_calls, inclusive_ns, self_ns)"
    " SELECT rm.new, fn.new, s.calls, s.primitive_calls, s.inclusive_ns,"
    "   s.self_ns"
    " FROM src.function_stats s JOIN temp.run_map rm ON rm.old = s.run_id"
    " JOIN temp.function_map fn ON fn.old = s.function_id;";

/* Each function's lines, in the source's ids: its line_sets (schema 3), or
 * for an older source, its lines rows (which then held them all). */
static const char lp_source_sets_sql[] =
    "CREATE TEMP TABLE src_sets AS"
    " SELECT function_id, file_id, line_nos FROM src.line_sets;";
static const char lp_source_sets_v2_sql[] =
    "CREATE TEMP TABLE src_sets AS " LP_LINE_SETS_OF("src.lines") ";";
/* Into ours: the union with what we have of the same function and file. */
static const char lp_import_sets_sql[] =
    "INSERT INTO main.line_sets(function_id, file_id, line_nos)"
    " SELECT fn.new, fm.new, s.line_nos FROM temp.src_sets s"
    " JOIN temp.function_map fn ON fn.old = s.function_id"
    " JOIN temp.file_map fm ON fm.old = s.file_id WHERE 1"
    " ON CONFLICT(function_id, file_id) DO UPDATE SET line_nos ="
    "  (SELECT json_group_array(v) FROM"
    "    (SELECT value AS v FROM json_each(line_sets.line_nos)"
    "     UNION SELECT value FROM json_each(excluded.line_nos) ORDER BY 1));";

/* Only when the source has call_stats (older version-1 databases lack it). */
static const char lp_import_calls_sql[] =
    "INSERT INTO main.call_stats(run_id, line_id, callee_name,"
    " callee_function_id, calls, time_ns)"
    " SELECT rm.new, lm.new, s.callee_name,"
    "   (SELECT fn.new FROM temp.function_map fn"
    "    WHERE fn.old = s.callee_function_id), s.calls, s.time_ns"
    " FROM src.call_stats s JOIN temp.run_map rm ON rm.old = s.run_id"
    " JOIN temp.line_map lm ON lm.old = s.line_id;";

static const char lp_cleanup_sql[] =
    "DROP TABLE IF EXISTS temp.run_map; DROP TABLE IF EXISTS temp.file_map;"
    "DROP TABLE IF EXISTS temp.function_map;"
    "DROP TABLE IF EXISTS temp.line_map; DROP TABLE IF EXISTS temp.src_sets;";

/* Whether two paths name the same file (both must exist). */
static int lp_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/* Run SQL on the target; on failure print which source failed. Returns 0
 * or -1. */
static int lp_exec(struct lp_state *st, const char *sql, const char *source) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return 0;
  lp_error("cannot merge '%s' into '%s': %s", source, st->db_path,
           msg ? msg : sqlite3_errmsg(st->db));
  sqlite3_free(msg);
  return -1;
}

/* Query one integer from the target. */
static long long lp_count(struct lp_state *st, const char *sql) {
  sqlite3_stmt *stmt;
  long long n = -1;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return n;
}

/* Import one attached source. Returns 0 or -1 after printing. */
static int lp_import(struct lp_state *st, const char *source) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, "ATTACH ?1 AS src", -1, &stmt, NULL) !=
      SQLITE_OK) {
    lp_error("cannot merge '%s': %s", source, sqlite3_errmsg(st->db));
    return -1;
  }
  /* A "./" prefix keeps "file:..." names plain paths (see db.c). */
  char *name = malloc(strlen(source) + 3);
  if (!name) {
    sqlite3_finalize(stmt);
    return lp_out_of_memory(), -1;
  }
  sprintf(name, "%s%s", strncmp(source, "file:", 5) == 0 ? "./" : "", source);
  sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  free(name);
  if (rc != SQLITE_DONE) {
    lp_error("cannot merge '%s': %s", source, sqlite3_errmsg(st->db));
    return -1;
  }
  int status = -1;
  long long all = lp_count(st, "SELECT count(*) FROM src.runs");
  int calls = lp_db_has_table(st->db, "src", "call_stats");
  int sets = lp_db_has_line_sets(st->db, "src");
  /* The schema statements are idempotent: they add call_stats to a
   * version-1 database written before it existed, as the runtime does. */
  if (calls < 0 || sets < 0 || lp_exec(st, "BEGIN IMMEDIATE", source) != 0)
    goto out;
  if (lp_exec(st, LP_SCHEMA_SQL, source) != 0 ||
      lp_exec(st, lp_import_sql, source) != 0 ||
      lp_exec(st, sets ? lp_source_sets_sql : lp_source_sets_v2_sql, source) !=
          0 ||
      lp_exec(st, lp_import_sets_sql, source) != 0 ||
      (calls == 1 && lp_exec(st, lp_import_calls_sql, source) != 0)) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    goto out;
  }
  long long first = lp_count(st, "SELECT min(new) FROM temp.run_map");
  long long last = lp_count(st, "SELECT max(new) FROM temp.run_map");
  long long imported = lp_count(st, "SELECT count(*) FROM temp.run_map");
  if (imported == 0)
    printf("%s: no new runs (%lld already present)\n", source, all);
  else if (imported == 1)
    printf("%s: imported 1 run as run %lld", source, first);
  else
    printf("%s: imported %lld runs as runs %lld-%lld", source, imported, first,
           last);
  if (imported > 0 && all > imported)
    printf(" (%lld already present)", all - imported);
  if (imported > 0)
    putchar('\n');
  if (lp_exec(st, "COMMIT", source) != 0) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    goto out;
  }
  status = 0;
out:
  sqlite3_exec(st->db, lp_cleanup_sql, NULL, NULL, NULL);
  sqlite3_exec(st->db, "DETACH src", NULL, NULL, NULL);
  return status;
}

static int lp_cmd_merge_run(struct lp_state *st, int argc, char **argv) {
  int status = lp_parse_command(st, &lp_cmd_merge, lp_merge_options, argc, argv,
                                LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands == 0)
    return lp_command_misuse(&lp_cmd_merge, "no OTHER.db given");
  st->db_path = lp_db_path(st->db_path);

  /* Check every source before writing anything. */
  for (int i = 0; i < st->noperands; i++) {
    sqlite3 *src;
    if (lp_same_file(st->operands[i], st->db_path)) {
      lp_error("cannot merge '%s' into itself", st->operands[i]);
      return LP_ERR_USAGE;
    }
    if ((status = lp_db_open(st->operands[i], &src)) != LP_OK)
      return status;
    sqlite3_close(src);
  }

  int created;
  if ((status = lp_db_open_write(st->db_path, 1, &st->db, &created)) != LP_OK)
    return status;
  if (created)
    printf("%s: created\n", st->db_path);
  for (int i = 0; i < st->noperands; i++)
    if (lp_import(st, st->operands[i]) != 0)
      return LP_ERR_SYSTEM;
  printf("%s: %lld runs\n", st->db_path,
         lp_count(st, "SELECT count(*) FROM runs"));
  return LP_OK;
}

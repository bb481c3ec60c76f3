/* `lineprof runs`: one line per recorded run, oldest first, so that the
 * run a default report uses (the newest) is the last line on screen.
 *
 * Read-only, like every report.
 */
#include <stdio.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "lineprof.h"
#include "options.h"

static const char lp_runs_usage[] = "Usage: lineprof runs [--db PATH]\n";
static const char lp_runs_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n";

static int lp_cmd_runs_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_runs = {
    "runs", "list the recorded runs, oldest first", lp_cmd_runs_run,
    lp_runs_usage, lp_runs_help};

static const struct lp_option lp_runs_options[] = {
    {"db", 0, 1, LP_OPT_DB},
    {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

/* Columns, widest values in mind: "in_progress", 19-char local times. */
#define LP_RUNS_ROW "%4s  %-19s  %12s  %-11s  %4s  %7s  %s\n"

static int lp_cmd_runs_run(struct lp_state *st, int argc, char **argv) {
  int status = lp_parse_command(st, &lp_cmd_runs, lp_runs_options, argc, argv,
                                LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands > 0) /* runs takes no operands */
    return lp_bad_arguments(LP_ARG_OPERAND, st->operands[0], lp_runs_usage);

  st->db_path = lp_db_path(st->db_path);
  status = lp_db_open(st->db_path, &st->db);
  if (status != LP_OK)
    return status;

  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT run_id, start_ns, end_ns, status, exit_status,"
                         " pid, command FROM runs ORDER BY run_id",
                         -1, &stmt, NULL) != SQLITE_OK)
    return lp_db_error(st->db, st->db_path);

  int rc, nruns = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    char run[24], start[64], duration[48] = "-", exit_status[24] = "-", pid[24];
    long long start_ns = sqlite3_column_int64(stmt, 1);
    if (nruns++ == 0)
      printf(LP_RUNS_ROW, "Run", "Start", "Duration (s)", "Status", "Exit",
             "PID", "Command");
    snprintf(run, sizeof run, "%lld", sqlite3_column_int64(stmt, 0));
    lp_format_timestamp(start_ns, start, sizeof start);
    if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
      snprintf(duration, sizeof duration, "%.3f",
               (double)(sqlite3_column_int64(stmt, 2) - start_ns) / 1e9);
    if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
      snprintf(exit_status, sizeof exit_status, "%lld",
               sqlite3_column_int64(stmt, 4));
    snprintf(pid, sizeof pid, "%lld", sqlite3_column_int64(stmt, 5));
    const unsigned char *state = sqlite3_column_text(stmt, 3);
    const unsigned char *command = sqlite3_column_text(stmt, 6);
    printf(LP_RUNS_ROW, run, start, duration, state ? (const char *)state : "",
           exit_status, pid, command ? (const char *)command : "");
  }
  if (rc != SQLITE_DONE) {
    status = lp_db_error(st->db, st->db_path);
  } else if (nruns == 0) {
    lp_error("no runs in %s", st->db_path);
    status = LP_ERR_DATA;
  }
  sqlite3_finalize(stmt);
  return status;
}

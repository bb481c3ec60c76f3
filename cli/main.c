/* The lineprof command: parses the global options, dispatches to a
 * subcommand from a table (as jq's main.c and SQLite's shell do), and owns
 * the one exit path, which flushes stdout and reports a failed write.
 *
 * The command only reads profile databases; it must never create one, and
 * it must never exit 0 when its report did not reach stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "lineprof.h"
#include "options.h"
#include "schema.h"

static const char lp_main_usage[] =
    "Usage: lineprof [--db PATH] COMMAND [OPTIONS] [ARGS]\n"
    "Try 'lineprof --help' for the commands and options.\n";

/* One subcommand. */
struct lp_command {
  const char *name;    /* as typed after "lineprof" */
  const char *summary; /* one line for --help */
  lp_command_fn *run;  /* parses its own argv, returns an lp_exit code */
  const char *usage;   /* its "Usage: ..." line */
  const char *help;    /* its option list */
};

static const struct lp_command lp_commands[] = {
    {"annotate",
     "per-line hits and times of source files (line_profiler layout)",
     lp_cmd_annotate, lp_annotate_usage, lp_annotate_help},
    {"runs", "list the recorded runs, oldest first", lp_cmd_runs, lp_runs_usage,
     lp_runs_help},
};

#define LP_NCOMMANDS (sizeof lp_commands / sizeof lp_commands[0])

enum { LP_MAIN_DB, LP_MAIN_HELP, LP_MAIN_VERSION };

static const struct lp_option lp_main_options[] = {
    {"db", 0, 1, LP_MAIN_DB},
    {"help", 'h', 0, LP_MAIN_HELP},
    {"version", 0, 0, LP_MAIN_VERSION},
    {0, 0, 0, 0},
};

static void lp_print_help(void) {
  printf("Usage: lineprof [--db PATH] COMMAND [OPTIONS] [ARGS]\n"
         "       lineprof --help | --version\n\n"
         "Report the line-level profile that programs built with the lineprof\n"
         "plugin recorded in a database.\n\nCommands:\n");
  for (size_t i = 0; i < LP_NCOMMANDS; i++)
    printf("  %-10s %s\n", lp_commands[i].name, lp_commands[i].summary);
  for (size_t i = 0; i < LP_NCOMMANDS; i++)
    printf("\n%sOptions:\n%s", lp_commands[i].usage, lp_commands[i].help);
  printf("\nEnvironment:\n"
         "  LINEPROF_DB           database when --db is not given\n"
         "\nExit status:\n"
         "  0  success\n"
         "  1  no data matches the request (file, function, run)\n"
         "  2  usage error\n"
         "  3  database unusable, I/O error, or output could not be written\n");
}

int main(int argc, char **argv) {
  struct lp_state st = {0};
  struct lp_args args;
  const char *value, *text;
  int status = LP_OK;

  /* Global options come before the command; the first operand is it. */
  lp_args_init(&args, argc, argv);
  for (;;) {
    int id = lp_next_option(&args, lp_main_options, &value, &text);
    if (id == LP_ARG_END) {
      status = lp_usage_error(lp_main_usage);
      goto out;
    }
    if (id == LP_ARG_OPERAND)
      break;
    switch (id) {
    case LP_MAIN_DB:
      st.db_path = value;
      continue;
    case LP_MAIN_HELP:
      lp_print_help();
      goto out;
    case LP_MAIN_VERSION:
      printf("lineprof %s (database schema %d)\n", LINEPROF_VERSION,
             LP_SCHEMA_VERSION);
      goto out;
    default:
      status = lp_bad_arguments(id, text, lp_main_usage);
      goto out;
    }
  }

  /* text is the command; it and what follows are the command's argv. */
  int first = args.index - 1;
  const struct lp_command *cmd = NULL;
  for (size_t i = 0; i < LP_NCOMMANDS && !cmd; i++)
    if (strcmp(lp_commands[i].name, text) == 0)
      cmd = &lp_commands[i];
  if (!cmd) {
    lp_error("unknown command '%s'", text);
    status = lp_usage_error(lp_main_usage);
    goto out;
  }
  status = cmd->run(&st, argc - first, argv + first);

out:
  if (st.db)
    sqlite3_close(st.db);
  /* A report that did not reach its reader is a failure, not a success. */
  errno = 0;
  if (ferror(stdout) | fclose(stdout)) {
    lp_error("writing output failed: %s", strerror(errno ? errno : EIO));
    status = LP_ERR_SYSTEM;
  }
  return status;
}

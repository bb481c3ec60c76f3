/* The lineprof command: parses the global options, dispatches to a
 * subcommand from a table (as jq's main.c and SQLite's shell do), and owns
 * the one exit path, which flushes stdout and reports a failed write.
 *
 * It must never exit 0 when its report did not reach stdout. Only merge
 * and prune write databases; see lineprof.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "diag.h"
#include "lineprof.h"
#include "options.h"
#include "schema.h"

static const char lp_main_usage[] =
    "Usage: lineprof [--db PATH] COMMAND [OPTIONS] [ARGS]\n"
    "Try 'lineprof --help' for the commands and options.\n";

/* The subcommands, in the order --help lists them. */
static const struct lp_command *const lp_commands[] = {
    &lp_cmd_annotate, &lp_cmd_report, &lp_cmd_top,  &lp_cmd_diff,
    &lp_cmd_runs,     &lp_cmd_merge,  &lp_cmd_prune, &lp_cmd_export,
    &lp_cmd_html,     &lp_cmd_run,    &lp_cmd_cc,    &lp_cmd_cxx,
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
         "plugin recorded in a database; build and run such programs.\n\n"
         "Commands:\n");
  for (size_t i = 0; i < LP_NCOMMANDS; i++)
    printf("  %-10s %s\n", lp_commands[i]->name, lp_commands[i]->summary);
  printf("\nRun 'lineprof COMMAND --help' for the options of a command.\n"
         "\nEnvironment:\n"
         "  LINEPROF_DB           database when --db is not given\n"
         "  LINEPROF_PLUGIN       plugin for cc and c++ (default: beside lineprof)\n"
         "  NO_COLOR              when set, --color=auto does not colour\n"
         "\nExit status:\n"
         "  0  success\n"
         "  1  no data matches the request (file, function, run)\n"
         "  2  usage error\n"
         "  3  database unusable, I/O error, or output could not be written\n"
         "  lineprof run exits with its program's status.\n");
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
    if (strcmp(lp_commands[i]->name, text) == 0)
      cmd = lp_commands[i];
  if (!cmd) {
    lp_error("unknown command '%s'", text);
    status = lp_usage_error(lp_main_usage);
    goto out;
  }
  status = cmd->run(&st, argc - first, argv + first);
  if (status == LP_HELP_SHOWN)
    status = LP_OK;

out:
  lp_state_free(&st);
  /* A report that did not reach its reader is a failure, not a success. */
  errno = 0;
  if (ferror(stdout) | fclose(stdout)) {
    lp_error("writing output failed: %s", strerror(errno ? errno : EIO));
    status = LP_ERR_SYSTEM;
  }
  return status;
}

/* The option parser and helpers that every subcommand shares (see
 * command.h). Values are checked here, each with a message that names the
 * option and the value, so that commands only see valid settings.
 */
#define _XOPEN_SOURCE 700 /* getcwd, isatty */
#include "command.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"

int lp_out_of_memory(void) {
  lp_error("%s", strerror(ENOMEM));
  return LP_ERR_SYSTEM;
}

char *lp_strdup(const char *s) {
  if (!s)
    s = "";
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy)
    memcpy(copy, s, n);
  return copy;
}

int lp_command_misuse(const struct lp_command *cmd, const char *message) {
  lp_error("%s", message);
  return lp_usage_error(cmd->usage);
}

const char *lp_display_path(const char *path) {
  static char cwd[PATH_MAX];
  static size_t cwd_len; /* 0 until known; (size_t)-1 if unknown */
  if (cwd_len == 0)
    cwd_len = getcwd(cwd, sizeof cwd) ? strlen(cwd) : (size_t)-1;
  if (cwd_len == (size_t)-1 || cwd_len <= 1)
    return path;
  if (strncmp(path, cwd, cwd_len) == 0 && path[cwd_len] == '/' &&
      path[cwd_len + 1])
    return path + cwd_len + 1;
  return path;
}

void lp_resolve_color(struct lp_state *st) {
  const char *no_color = getenv("NO_COLOR");
  switch (st->color) {
  case LP_COLOR_ALWAYS:
    st->use_color = 1;
    break;
  case LP_COLOR_NEVER:
    st->use_color = 0;
    break;
  default:
    st->use_color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
    break;
  }
}

void lp_state_free(struct lp_state *st) {
  if (st->db)
    sqlite3_close(st->db);
  st->db = NULL;
  free(st->operands);
  free(st->functions);
  free(st->prune.runs);
  st->operands = NULL;
  st->functions = NULL;
  st->prune.runs = NULL;
  st->noperands = st->nfunctions = st->prune.nruns = 0;
}

/* Report a bad value of an option: names both, then the Usage line. */
static int lp_bad_value(const struct lp_command *cmd, const char *option,
                        const char *value, const char *expected) {
  lp_error("invalid %s '%s': expected %s", option, value, expected);
  return lp_usage_error(cmd->usage);
}

/* Store one option's value in st. Returns LP_OK or LP_ERR_USAGE. */
static int lp_take_option(struct lp_state *st, const struct lp_command *cmd,
                          int id, const char *value) {
  double number;
  switch (id) {
  case LP_OPT_DB:
    st->db_path = value;
    break;
  case LP_OPT_RUN:
    if (lp_parse_run(value, &st->run_id) != 0)
      return lp_bad_value(cmd, "run", value, "a run id or 'all'");
    break;
  case LP_OPT_PRUNE_RUN: {
    long long run;
    if (lp_parse_run(value, &run) != 0 || run == LP_RUN_ALL)
      return lp_bad_value(cmd, "run", value, "a run id");
    st->prune.runs[st->prune.nruns++] = run;
    break;
  }
  case LP_OPT_UNIT:
    if (lp_parse_unit(value, &st->unit_s) != 0)
      return lp_bad_value(cmd, "unit", value, "a positive number of seconds");
    break;
  case LP_OPT_SKIP_ZERO:
    st->skip_zero = 1;
    break;
  case LP_OPT_FUNCTION:
    st->functions[st->nfunctions++] = value;
    break;
  case LP_OPT_LIMIT:
    if (lp_parse_count(value, &st->limit) != 0)
      return lp_bad_value(cmd, "limit", value, "a count (0 = no limit)");
    break;
  case LP_OPT_SORT: {
    static const struct {
      const char *name;  /* as typed */
      enum lp_sort sort; /* its key */
    } keys[] = {{"cumtime", LP_SORT_CUMTIME}, {"cumulative", LP_SORT_CUMTIME},
                {"tottime", LP_SORT_TOTTIME}, {"time", LP_SORT_TOTTIME},
                {"calls", LP_SORT_CALLS},     {"ncalls", LP_SORT_CALLS},
                {"name", LP_SORT_NAME},       {"file", LP_SORT_FILE},
                {"filename", LP_SORT_FILE}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
      if (strcmp(value, keys[i].name) == 0) {
        st->sort = keys[i].sort;
        return LP_OK;
      }
    return lp_bad_value(cmd, "sort key", value,
                        "cumtime, tottime, calls, name or file");
  }
  case LP_OPT_FILTER:
    st->filter = value;
    break;
  case LP_OPT_BY:
    if (strcmp(value, "self") == 0)
      st->by_self = 1;
    else if (strcmp(value, "time") == 0)
      st->by_self = 0;
    else
      return lp_bad_value(cmd, "--by value", value, "self or time");
    break;
  case LP_OPT_COLOR:
    if (strcmp(value, "auto") == 0)
      st->color = LP_COLOR_AUTO;
    else if (strcmp(value, "always") == 0)
      st->color = LP_COLOR_ALWAYS;
    else if (strcmp(value, "never") == 0)
      st->color = LP_COLOR_NEVER;
    else
      return lp_bad_value(cmd, "--color value", value,
                          "auto, always or never");
    break;
  case LP_OPT_RICH:
    st->color = LP_COLOR_ALWAYS;
    break;
  case LP_OPT_JSON:
    st->json = 1;
    break;
  case LP_OPT_SUMMARIZE:
    st->summarize = 1;
    break;
  case LP_OPT_SORT_BY_TIME:
    st->sort_by_time = 1;
    break;
  case LP_OPT_SELF:
    st->show_self = 1;
    break;
  case LP_OPT_MIN_PERCENT:
    if (lp_parse_number(value, &number) != 0 || number > 100)
      return lp_bad_value(cmd, "--min-percent value", value,
                          "a number from 0 to 100");
    st->min_percent = number;
    break;
  case LP_OPT_FUNCTIONS_ONLY:
    st->functions_only = 1;
    break;
  case LP_OPT_FORMAT:
    if (strcmp(value, "callgrind") != 0 && strcmp(value, "json") != 0)
      return lp_bad_value(cmd, "format", value, "callgrind or json");
    st->format = value;
    break;
  case LP_OPT_OUTPUT:
    if (!value[0])
      return lp_bad_value(cmd, "output", value, "a path");
    st->output = value;
    break;
  case LP_OPT_KEEP:
    if (lp_parse_count(value, &st->prune.keep) != 0)
      return lp_bad_value(cmd, "--keep count", value, "a number of runs");
    break;
  case LP_OPT_BEFORE:
    if (lp_parse_date(value, &st->prune.before_ns) != 0)
      return lp_bad_value(cmd, "date", value,
                          "YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'");
    break;
  case LP_OPT_OLDER_THAN:
    if (lp_parse_number(value, &number) != 0 || number > 1e6)
      return lp_bad_value(cmd, "--older-than", value, "a number of days");
    st->prune.before_ns =
        (long long)time(NULL) * 1000000000LL - (long long)(number * 86400e9);
    break;
  case LP_OPT_DRY_RUN:
    st->prune.dry_run = 1;
    break;
  case LP_OPT_VACUUM:
    st->prune.vacuum = 1;
    break;
  default:
    return LP_ERR_USAGE; /* cannot happen: tables use these ids only */
  }
  return LP_OK;
}

static void lp_print_command_help(const struct lp_command *cmd) {
  printf("%s", cmd->usage);
  if (cmd->help)
    printf("\nOptions:\n%s", cmd->help);
}

int lp_parse_command(struct lp_state *st, const struct lp_command *cmd,
                     const struct lp_option *opts, int argc, char **argv,
                     enum lp_operands operands) {
  struct lp_args args;
  const char *value, *text;
  int id;
  /* Operands, --function and --run values are at most argc words each. */
  size_t n = argc > 0 ? (size_t)argc : 1;
  if (!(st->operands = calloc(n, sizeof *st->operands)) ||
      !(st->functions = calloc(n, sizeof *st->functions)) ||
      !(st->prune.runs = calloc(n, sizeof *st->prune.runs)))
    return lp_out_of_memory();
  lp_args_init(&args, argc, argv);
  while ((id = lp_next_option(&args, opts, &value, &text)) != LP_ARG_END) {
    if (id == LP_OPT_HELP) {
      lp_print_command_help(cmd);
      return LP_HELP_SHOWN;
    }
    if (id == LP_ARG_OPERAND) {
      if (operands == LP_OPERANDS_COMMAND) {
        for (int i = args.index - 1; i < argc; i++)
          st->operands[st->noperands++] = argv[i];
        break;
      }
      st->operands[st->noperands++] = text;
      continue;
    }
    if (id < 0)
      return lp_bad_arguments(id, text, cmd->usage);
    int status = lp_take_option(st, cmd, id, value);
    if (status != LP_OK)
      return status;
  }
  return LP_OK;
}

/* Configuration from the environment and facts about the process, read once
 * when the runtime loads (and again in a forked child, which is a new run).
 *
 *   LINEPROF_DB       database path (default ./lineprof.db, made absolute
 *                     against the working directory at start)
 *   LINEPROF_VERBOSE  1: one note on stderr per flush
 *   LINEPROF_INTERVAL seconds between snapshots of a running program
 *   LINEPROF_SIGNAL   a signal (USR1, …) that asks for a snapshot
 *   LINEPROF_BUSY_TIMEOUT  milliseconds to wait for a locked database
 *                     before writing to a fallback file (default 10000)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

LP_HIDDEN struct lp_config lp_config;

/* Reads /proc/self/cmdline into a space-separated string. Returns a malloc'd
 * string, or NULL when /proc is unavailable. */
static char *lp_read_command(void) {
  FILE *f = fopen("/proc/self/cmdline", "rb");
  if (!f)
    return NULL;
  size_t cap = 256, len = 0;
  char *buf = malloc(cap);
  int c;
  while (buf && (c = fgetc(f)) != EOF) {
    if (len + 2 > cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
    }
    buf[len++] = c ? (char)c : ' ';
  }
  fclose(f);
  if (!buf)
    return NULL;
  while (len > 0 && buf[len - 1] == ' ')
    len--;
  buf[len] = '\0';
  return buf;
}

static void lp_mark_start(void) {
  lp_config.start_ns = lp_clock_ns(CLOCK_REALTIME);
  lp_config.start_mono = lp_clock_ns(CLOCK_MONOTONIC);
  lp_config.start_ticks = lp_ticks();
}

/* Parses LINEPROF_SIGNAL: a name (USR1, SIGUSR1) or a number. Returns 0
 * when unset or not understood (with a warning). */
static int lp_parse_signal(const char *v) {
  static const struct {
    const char *name;
    int number;
  } names[] = {{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP},
               {"PROF", SIGPROF}, {"URG", SIGURG},   {"WINCH", SIGWINCH}};
  if (!v || !*v)
    return 0;
  if (strncmp(v, "SIG", 3) == 0)
    v += 3;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(v, names[i].name) == 0)
      return names[i].number;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end == '\0' && n > 0 && n < NSIG && n != SIGKILL && n != SIGSTOP)
    return (int)n;
  lp_warn("LINEPROF_SIGNAL='%s' is not a signal name or number; ignored", v);
  return 0;
}

LP_HIDDEN void lp_config_init(void) {
  lp_mark_start();
  lp_config.pid = getpid();
  const char *iv = getenv("LINEPROF_INTERVAL");
  if (iv && *iv) {
    char *end;
    double s = strtod(iv, &end);
    if (*end == '\0' && s > 0 && s < 1e9)
      lp_config.interval_s = s;
    else
      lp_warn("LINEPROF_INTERVAL='%s' is not a positive number of seconds; "
              "ignored", iv);
  }
  lp_config.snapshot_signal = lp_parse_signal(getenv("LINEPROF_SIGNAL"));
  lp_config.busy_timeout_ms = 10000;
  const char *bt = getenv("LINEPROF_BUSY_TIMEOUT");
  if (bt && *bt) {
    char *end;
    long ms = strtol(bt, &end, 10);
    if (*end == '\0' && ms >= 0 && ms <= 86400000)
      lp_config.busy_timeout_ms = (int)ms;
    else
      lp_warn("LINEPROF_BUSY_TIMEOUT='%s' is not a number of milliseconds; "
              "using 10000", bt);
  }
  const char *v = getenv("LINEPROF_VERBOSE");
  lp_config.verbose = v && *v && strcmp(v, "0") != 0;
  if (!getcwd(lp_config.cwd, sizeof lp_config.cwd))
    lp_config.cwd[0] = '\0';
  const char *db = getenv("LINEPROF_DB");
  if (!db || !*db)
    db = "lineprof.db";
  if (db[0] == '/' || !lp_config.cwd[0])
    snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s", db);
  else
    snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/%s",
             lp_config.cwd, db);
  lp_config.command = lp_read_command();
}

LP_HIDDEN void lp_config_after_exec(void) { lp_mark_start(); }

LP_HIDDEN void lp_config_after_fork(void) {
  lp_config.parent_pid = lp_config.pid;
  lp_config.parent_start_ns = lp_config.start_ns;
  lp_config.pid = getpid();
  lp_mark_start();
}

static void lp_vprint(const char *kind, const char *fmt, va_list ap) {
  char line[1024];
  vsnprintf(line, sizeof line, fmt, ap);
  fprintf(stderr, "lineprof: %s%s\n", kind, line);
}

LP_HIDDEN void lp_note(const char *fmt, ...) {
  if (!lp_config.verbose)
    return;
  va_list ap;
  va_start(ap, fmt);
  lp_vprint("", fmt, ap);
  va_end(ap);
}

LP_HIDDEN void lp_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lp_vprint("", fmt, ap);
  va_end(ap);
}

/* Configuration from the environment and facts about the process, read once
 * when the runtime loads (and again in a forked child, which is a new run).
 *
 *   LINEPROF_DB       database path (default ./lineprof.db, made absolute
 *                     against the working directory at start)
 *   LINEPROF_VERBOSE  1: one note on stderr per flush
 */
#define _GNU_SOURCE
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

LP_HIDDEN void lp_config_init(void) {
  lp_mark_start();
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

LP_HIDDEN void lp_config_after_fork(void) { lp_mark_start(); }

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

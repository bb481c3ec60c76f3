/* `lineprof run -- PROGRAM ARGS`: run a program built with the plugin with
 * LINEPROF_DB pointing at the database, then summarize the run it
 * recorded; and `lineprof cc` / `lineprof c++`: the compilers the plugin
 * was built for, with `-g -fpass-plugin=<plugin>` added, so that
 * `make CC="lineprof cc"` builds a profiled program.
 *
 * run never changes what the program sees besides LINEPROF_DB: stdin,
 * stdout and stderr are its own, and lineprof's summary goes to stderr
 * after the program has ended. run exits as the program did, re-raising a
 * terminating signal. cc and c++ replace themselves with the compiler.
 */
#define _XOPEN_SOURCE 700 /* realpath, setenv, kill */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "format.h"
#include "lineprof.h"
#include "model.h"
#include "top.h"

#ifndef LINEPROF_CLANG
#define LINEPROF_CLANG "clang"
#endif
#ifndef LINEPROF_CLANGXX
#define LINEPROF_CLANGXX "clang++"
#endif

#define LP_SUMMARY_ROWS 10 /* lines and functions in run's summary */

static const char lp_run_usage[] =
    "Usage: lineprof run [-o DB] [--] PROGRAM [ARGS...]\n";
static const char lp_run_help[] =
    "  -o, --output DB       database to record into (default: --db,\n"
    "                        $LINEPROF_DB, ./lineprof.db)\n"
    "Runs PROGRAM with LINEPROF_DB set, then prints the 10 hottest lines and\n"
    "functions of its run on stderr. Exits with PROGRAM's status.\n";
static const char lp_cc_usage[] = "Usage: lineprof cc [CLANG-ARGS...]\n";
static const char lp_cc_help[] =
    "  Runs " LINEPROF_CLANG " with -g -fpass-plugin=PLUGIN and the arguments;\n"
    "  PLUGIN is $LINEPROF_PLUGIN, else ../lib/libline.so from lineprof.\n";
static const char lp_cxx_usage[] = "Usage: lineprof c++ [CLANG-ARGS...]\n";
static const char lp_cxx_help[] =
    "  Runs " LINEPROF_CLANGXX " with -g -fpass-plugin=PLUGIN and the\n"
    "  arguments; PLUGIN as for cc.\n";

static int lp_cmd_run_run(struct lp_state *st, int argc, char **argv);
static int lp_cmd_cc_run(struct lp_state *st, int argc, char **argv);
static int lp_cmd_cxx_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_run = {
    "run", "run a profiled program, then summarize its run", lp_cmd_run_run,
    lp_run_usage, lp_run_help};
const struct lp_command lp_cmd_cc = {
    "cc", "compile C with the lineprof plugin (CC=\"lineprof cc\")",
    lp_cmd_cc_run, lp_cc_usage, lp_cc_help};
const struct lp_command lp_cmd_cxx = {
    "c++", "compile C++ with the lineprof plugin (CXX=\"lineprof c++\")",
    lp_cmd_cxx_run, lp_cxx_usage, lp_cxx_help};

static const struct lp_option lp_run_options[] = {
    {"output", 'o', 1, LP_OPT_OUTPUT},
    {"help", 'h', 0, LP_OPT_HELP},
    {0, 0, 0, 0},
};

static long long lp_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The run the program recorded: started after `since`, by `pid` if one
 * was (the program may be a script that runs the profiled binary), else
 * the newest. Returns its id, 0 if none, -1 if the database is unusable. */
static long long lp_find_run(sqlite3 *db, long long since, long long pid) {
  sqlite3_stmt *stmt;
  long long run_id = -1;
  if (sqlite3_prepare_v2(db,
                         "SELECT run_id FROM runs WHERE start_ns >= ?1"
                         " ORDER BY pid = ?2 DESC, parent_run_id IS NULL DESC,"
                         " run_id DESC LIMIT 1",
                         -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_int64(stmt, 1, since);
  sqlite3_bind_int64(stmt, 2, pid);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW)
    run_id = sqlite3_column_int64(stmt, 0);
  else if (rc == SQLITE_DONE)
    run_id = 0;
  sqlite3_finalize(stmt);
  return run_id;
}

static const struct lp_model *lp_fn_model; /* for lp_compare_self only */

static int lp_compare_self(const void *a, const void *b) {
  const struct lp_model_function *x = &lp_fn_model->functions[*(const size_t *)a];
  const struct lp_model_function *y = &lp_fn_model->functions[*(const size_t *)b];
  if (x->self_ns != y->self_ns)
    return x->self_ns > y->self_ns ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* The hottest functions by self time, as a short table on out. */
static void lp_print_top_functions(FILE *out, const struct lp_model *m) {
  size_t *order = malloc((m->nfunctions + 1) * sizeof *order), n = 0;
  if (!order)
    return;
  for (size_t i = 0; i < m->nfunctions; i++)
    if (m->functions[i].calls > 0)
      order[n++] = i;
  lp_fn_model = m;
  qsort(order, n, sizeof *order, lp_compare_self);
  if (n > LP_SUMMARY_ROWS)
    n = LP_SUMMARY_ROWS;
  fprintf(out, "%12s %12s %12s %6s  %s\n", "Calls", "Time (s)", "Self (s)",
          "% Run", "Function");
  for (size_t i = 0; i < n; i++) {
    const struct lp_model_function *fn = &m->functions[order[i]];
    char percent[320];
    lp_format_tenths(percent, sizeof percent,
                     m->total_self_ns > 0 ? 100.0 * (double)fn->self_ns /
                                                (double)m->total_self_ns
                                          : 0.0);
    fprintf(out, "%12lld %12.6f %12.6f %6s  %s:%ld(%s)\n", fn->calls,
            (double)fn->inclusive_ns * 1e-9, (double)fn->self_ns * 1e-9,
            percent, m->files[fn->file].shown, fn->line_no, fn->name);
  }
  free(order);
}

/* Print the summary of the run that the program recorded, on stderr. */
static void lp_summarize(const char *db_path, long long since, pid_t pid,
                         const char *program) {
  sqlite3 *db;
  if (access(db_path, F_OK) != 0) {
    lp_warn("%s recorded no profile in %s; was it built with 'lineprof cc'?",
            program, db_path);
    return;
  }
  if (lp_db_open(db_path, &db) != LP_OK)
    return;
  long long run_id = lp_find_run(db, since, pid);
  struct lp_model m;
  if (run_id == 0)
    lp_warn("%s recorded no profile in %s; was it built with 'lineprof cc'?",
            program, db_path);
  else if (run_id < 0)
    lp_db_error(db, db_path);
  else if (lp_model_load(db, run_id, &m) != SQLITE_OK)
    lp_db_error(db, db_path);
  else {
    fprintf(stderr, "\nlineprof: run %lld recorded in %s\n\n", run_id,
            db_path);
    lp_print_top_lines(stderr, &m, 1, LP_SUMMARY_ROWS, 1e-6);
    fputc('\n', stderr);
    lp_print_top_functions(stderr, &m);
    fprintf(stderr, "\nMore: lineprof --db %s annotate|report|top|html\n",
            db_path);
    lp_model_free(&m);
  }
  sqlite3_close(db);
}

static int lp_cmd_run_run(struct lp_state *st, int argc, char **argv) {
  int status = lp_parse_command(st, &lp_cmd_run, lp_run_options, argc, argv,
                                LP_OPERANDS_COMMAND);
  if (status != LP_OK)
    return status;
  if (st->noperands == 0)
    return lp_command_misuse(&lp_cmd_run, "no PROGRAM given");

  /* Absolute, so that a program that changes directory writes here. */
  const char *db = lp_db_path(st->output ? st->output : st->db_path);
  char db_abs[PATH_MAX];
  if (db[0] != '/') {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) ||
        (size_t)snprintf(db_abs, sizeof db_abs, "%s/%s", cwd, db) >=
            sizeof db_abs) {
      lp_error("cannot make '%s' absolute: %s", db, strerror(errno));
      return LP_ERR_SYSTEM;
    }
    db = db_abs;
  }

  /* exec failure comes back through a close-on-exec pipe as an errno. */
  int report[2];
  if (pipe(report) != 0 || fcntl(report[1], F_SETFD, FD_CLOEXEC) != 0) {
    lp_error("cannot run '%s': %s", st->operands[0], strerror(errno));
    return LP_ERR_SYSTEM;
  }
  fflush(stdout);
  fflush(stderr);
  long long since = lp_now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    lp_error("cannot run '%s': %s", st->operands[0], strerror(errno));
    return LP_ERR_SYSTEM;
  }
  if (pid == 0) {
    close(report[0]);
    setenv("LINEPROF_DB", db, 1);
    char **args = (char **)st->operands;
    args[st->noperands] = NULL; /* calloc'd with argc slots: room for it */
    execvp(args[0], args);
    int err = errno;
    if (write(report[1], &err, sizeof err) < 0)
      _exit(127);
    _exit(127);
  }
  close(report[1]);
  int err = 0;
  ssize_t got = read(report[0], &err, sizeof err);
  close(report[0]);
  if (got == (ssize_t)sizeof err) {
    waitpid(pid, NULL, 0);
    lp_error("cannot run '%s': %s", st->operands[0], strerror(err));
    return err == ENOENT ? 127 : 126; /* as shells do */
  }

  /* Like system(): the terminal's ^C and ^\ are the program's business. */
  struct sigaction ignore, old_int, old_quit;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  int wstatus;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
    ;
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGQUIT, &old_quit, NULL);

  lp_summarize(db, since, pid, st->operands[0]);
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    fflush(stdout);
    fflush(stderr);
    lp_state_free(st);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    return 128 + sig; /* the signal did not end us */
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : LP_ERR_SYSTEM;
}

#ifndef LINEPROF_INSTALL_LIBDIR
#define LINEPROF_INSTALL_LIBDIR "lib"
#endif

/* The plugin: $LINEPROF_PLUGIN, else ../lib/libline.so (build tree) or
 * ../LIBDIR/libline.so (installed) from the directory of the lineprof
 * executable. Returns 0 with the path in buf, or -1 after printing why
 * not. */
static int lp_find_plugin(char *buf, size_t size) {
  const char *env = getenv("LINEPROF_PLUGIN");
  if (env && env[0]) {
    if (access(env, R_OK) != 0) {
      lp_error("cannot use plugin '%s' (LINEPROF_PLUGIN): %s", env,
               strerror(errno));
      return -1;
    }
    snprintf(buf, size, "%s", env);
    return 0;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    lp_error("cannot find the lineprof executable: %s; set LINEPROF_PLUGIN",
             strerror(errno));
    return -1;
  }
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash)
    *slash = '\0';
  char candidate[PATH_MAX + 64];
  snprintf(candidate, sizeof candidate, "%s/../" LINEPROF_INSTALL_LIBDIR
           "/libline.so", exe);
  if (access(candidate, R_OK) != 0)
    snprintf(candidate, sizeof candidate, "%s/../lib/libline.so", exe);
  if (!realpath(candidate, buf) || strlen(buf) >= size) {
    lp_error("cannot find the plugin at %s: %s; set LINEPROF_PLUGIN",
             candidate, strerror(errno));
    return -1;
  }
  return 0;
}

/* Replace lineprof with `compiler -g -fpass-plugin=PLUGIN ARGS`. Returns
 * only on failure, LP_ERR_SYSTEM after printing why. */
static int lp_compile(struct lp_state *st, const char *compiler, int argc,
                      char **argv) {
  (void)st;
  char plugin[PATH_MAX], flag[PATH_MAX + 32];
  if (lp_find_plugin(plugin, sizeof plugin) != 0)
    return LP_ERR_SYSTEM;
  snprintf(flag, sizeof flag, "-fpass-plugin=%s", plugin);
  char **args = calloc((size_t)argc + 3, sizeof *args);
  if (!args)
    return lp_out_of_memory();
  args[0] = (char *)compiler;
  args[1] = "-g";
  args[2] = flag;
  for (int i = 1; i < argc; i++)
    args[i + 2] = argv[i];
  fflush(stdout);
  execvp(compiler, args);
  lp_error("cannot run '%s': %s", compiler, strerror(errno));
  free(args);
  return LP_ERR_SYSTEM;
}

static int lp_cmd_cc_run(struct lp_state *st, int argc, char **argv) {
  return lp_compile(st, LINEPROF_CLANG, argc, argv);
}

static int lp_cmd_cxx_run(struct lp_state *st, int argc, char **argv) {
  return lp_compile(st, LINEPROF_CLANGXX, argc, argv);
}

/* The ways a process ends, and the profile written on each:
 *
 *   return from main, exit()   on_exit handler, with the exit status
 *   quick_exit()               at_quick_exit handler, status unknown
 *   a fatal or terminating signal with the default action (SIGSEGV,
 *   SIGABRT, SIGINT, SIGTERM, ...)   our handler saves the profile from a
 *                              forked child, restores the default action
 *                              and raises the signal again, so the process
 *                              ends exactly as it would have
 *   exec()                     the plugin calls __lineprof_before_exec
 *
 * A program's own handlers are never replaced: ours go only where the
 * action was the default when the runtime started, and a handler the
 * program installs later simply takes the place of ours. The profile is
 * written once: the first of these paths wins.
 *
 * The signal handler itself only forks (a raw fork, without the atfork
 * handlers) and waits: the child, alone in its copy of the process, does
 * the writing, with an alarm that ends it if it ever blocks on a lock that
 * a thread of the parent held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt.h"

static int lp_done; /* the final profile was claimed by one exit path */
static struct sigaction lp_old[NSIG]; /* the actions we replaced */

static const int lp_signals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,
                                 SIGABRT, SIGBUS,  SIGFPE,  SIGSEGV,
                                 SIGPIPE, SIGALRM, SIGTERM, SIGXCPU,
                                 SIGXFSZ, SIGSYS};

/* Returns 1 to exactly one caller: the path that writes the final profile. */
static int lp_claim(void) { return !__atomic_exchange_n(&lp_done, 1, __ATOMIC_ACQ_REL); }

LP_HIDDEN int lp_exiting(void) { return __atomic_load_n(&lp_done, __ATOMIC_ACQUIRE); }

static void lp_at_exit(int status, void *arg) {
  (void)arg;
  if (!lp_claim())
    return;
  struct lp_run_end end = {"complete", 1, status, 0, 0};
  lp_write_profile(&end);
}

static void lp_at_quick_exit(void) {
  if (!lp_claim())
    return;
  struct lp_run_end end = {"complete", 0, 0, 0, 0};
  lp_write_profile(&end);
}

static void lp_on_signal(int sig) {
  int saved_errno = errno;
  if (lp_claim()) {
#ifdef SYS_fork
    long child = syscall(SYS_fork);
#else
    long child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
#endif
    if (child == 0) {
      signal(SIGALRM, SIG_DFL);
      alarm(10);
      struct lp_run_end end = {"complete", 0, 0, sig, 1};
      _exit(lp_write_profile(&end) == 0 ? 0 : 1);
    }
    if (child > 0)
      while (waitpid((pid_t)child, NULL, __WALL) < 0 && errno == EINTR)
        ;
  }
  /* The program's own action (the default), then the signal again: it is
   * blocked while we run and arrives as soon as we return. A fault such as
   * SIGSEGV would also simply happen again. */
  sigaction(sig, &lp_old[sig], NULL);
  errno = saved_errno;
  raise(sig);
}

/* exec() replaces the process: write the run first. If exec fails, the
 * process goes on with a new run from zero. */
LP_EXPORT void __lineprof_before_exec(void) {
  if (lp_exiting())
    return;
  struct lp_run_end end = {"complete", 0, 0, 0, 0};
  lp_write_profile(&end);
  lp_writer_new_run();
  lp_registry_reset();
  lp_config_after_exec();
}

LP_HIDDEN void lp_exit_init(void) {
  on_exit(lp_at_exit, NULL);
  at_quick_exit(lp_at_quick_exit);
  for (size_t i = 0; i < sizeof lp_signals / sizeof lp_signals[0]; i++) {
    int sig = lp_signals[i];
    struct sigaction now;
    if (sigaction(sig, NULL, &now) != 0 || (now.sa_flags & SA_SIGINFO) ||
        now.sa_handler != SIG_DFL)
      continue;
    struct sigaction ours;
    memset(&ours, 0, sizeof ours);
    ours.sa_handler = lp_on_signal;
    sigemptyset(&ours.sa_mask);
    ours.sa_flags = SA_ONSTACK;
    if (sigaction(sig, &ours, &lp_old[sig]) != 0)
      lp_old[sig] = now;
  }
}

/* Snapshots of a running program: with LINEPROF_INTERVAL=SECONDS, and on
 * LINEPROF_SIGNAL, a background thread writes the run so far, marked
 * 'in_progress'; each snapshot replaces the previous one, and the final
 * write at exit marks the run 'complete'. So `lineprof annotate` shows a
 * long-running server's profile while it runs.
 *
 * The signal handler only writes a byte into a pipe; all the work happens
 * on the thread, which blocks every signal so that the program's signals
 * keep going to the program's threads. Nothing of this exists unless one
 * of the two variables is set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

static int lp_wake[2] = {-1, -1}; /* signal handler -> snapshot thread */

static void lp_on_snapshot_signal(int sig) {
  (void)sig;
  int saved_errno = errno;
  char c = 1;
  if (write(lp_wake[1], &c, 1) < 0) {
    /* the pipe is full: a snapshot is already on its way */
  }
  errno = saved_errno;
}

static void *lp_snapshot_main(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  int timeout_ms = lp_config.interval_s > 0
                       ? (int)(lp_config.interval_s * 1000 + 0.5)
                       : -1;
  if (timeout_ms == 0)
    timeout_ms = 1;
  for (;;) {
    struct pollfd p = {.fd = lp_wake[0], .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0 && errno != EINTR)
      break;
    char drain[64];
    while (n > 0 && read(lp_wake[0], drain, sizeof drain) > 0)
      ;
    if (lp_exiting())
      break;
    struct lp_run_end end = {"in_progress", 0, 0, 0, 0};
    lp_write_profile(&end);
  }
  return NULL;
}

LP_HIDDEN void lp_snapshot_init(void) {
  if (lp_config.interval_s <= 0 && !lp_config.snapshot_signal)
    return;
  if (pipe2(lp_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    lp_warn("cannot start snapshots: %s", strerror(errno));
    return;
  }
  if (lp_config.snapshot_signal) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = lp_on_snapshot_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(lp_config.snapshot_signal, &sa, NULL);
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int rc = pthread_create(&t, &attr, lp_snapshot_main, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0)
    lp_warn("cannot start snapshots: %s", strerror(rc));
}

// A timed sample stands for the executions its gate skipped, up to 6143 of
// them. One that the scheduler preempted measured the other task's time
// slice too; weighted, a slice of a few milliseconds became seconds, on one
// line, in a run shorter than that. Here a spinning child shares the one
// CPU both are pinned to, so the profiled loop is preempted hundreds of
// times. A long sample during which the thread was switched out
// involuntarily counts once (runtime/switches.c).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O2 %s -o %t/prog && env LINEPROF_DB=%t/db %t/prog
// RUN: %python %scripts/query.py %t/db preempted | FileCheck %s
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static unsigned tiny(unsigned x) { return x * 3u + 1u; }

int main(void) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) {
    perror("sched_setaffinity");
    return 1;
  }
  pid_t spinner = fork();
  if (spinner == 0)
    for (;;) // shares the CPU until killed; writes no profile
      ;
  unsigned s = 0;
  for (unsigned i = 0; i < 400000000u; i++)
    s += tiny(i); // CALL
  kill(spinner, SIGKILL);
  waitpid(spinner, NULL, 0);
  printf("%u\n", s);
  return 0;
}
// CHECK: tiny calls 400000000 primitive 400000000: 1
// CHECK: tiny inclusive <= 2 x self + 3 ns per call: 1
// CHECK: tiny inclusive <= main inclusive: 1
// CHECK: main self <= 3 x main inclusive: 1

// A stall that is no context switch (an interrupt, a signal handler, the
// host of a virtual machine taking the CPU) inside a weighted sample of a
// hot leaf counted once per execution the sample stood for: a 20 us stall
// at weight 1024 made 20 ms of a function that takes a few. A signal
// handler, not profiled, spins 20 us every 100 us here, the kernel counting
// no switch. `tiny` is bounded code (no calls, no loops), so a sample of it
// that long can only have been stopped: it counts once
// (runtime/switches.c). Before, its total came out above the time of the
// whole loop that calls it in 7 runs of 8 (129 to 612 ms against 66 to
// 71 ms); after, in none of 40, and later 1.09 times it in one CI run,
// which the sampling allows: the check takes half again the loop's time.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env LINEPROF_EXCLUDE=on_alarm %clang %cflags -O2 %s -o %t/prog
// RUN: env LINEPROF_DB=%t/db LINEPROF_VERBOSE=1 %t/prog > %t/out 2> %t/err
// RUN: FileCheck --check-prefix=VERBOSE %s < %t/err
// RUN: %python %scripts/query.py %t/db stalled %t/out | FileCheck %s
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static volatile sig_atomic_t stalls;

static void on_alarm(int sig) {
  (void)sig;
  unsigned long long t0 = now_ns();
  while (now_ns() - t0 < 20000)
    ;
  stalls++;
}

__attribute__((noinline)) static unsigned tiny(unsigned x) { return x * 3u + 1u; }

int main(void) {
  // A sample with a page fault in it keeps its weight (a first touch of
  // memory is the code's own time). So the handler runs on a stack of its
  // own, touched before (a signal whose frame is the first on a page of
  // the stack faults it in), and once before the loop (its first run
  // faults in its code and data).
  static char alt[1 << 16];
  memset(alt, 1, sizeof alt);
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
  sigaltstack(&ss, NULL);
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART | SA_ONSTACK;
  sigaction(SIGALRM, &sa, NULL);
  raise(SIGALRM);
  struct itimerval every = {{0, 100}, {0, 100}}, off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &every, NULL);
  unsigned long long t0 = now_ns();
  unsigned s = 0;
  for (unsigned i = 0; i < 10000000; i++)
    s += tiny(i);
  unsigned long long t1 = now_ns();
  setitimer(ITIMER_REAL, &off, NULL);
  printf("%u\nstalls %d loop %llu\n", s, (int)stalls, t1 - t0);
  return 0;
}
// VERBOSE: samples counted once: {{[0-9]+}} preempted, {{[1-9][0-9]*}} stalled
// CHECK: stalls injected: 1
// CHECK: tiny calls 10000000 primitive 10000000: 1
// CHECK: tiny inclusive <= 2 x self + 3 ns per call: 1
// CHECK: tiny inclusive <= 1.5 x the loop's time: 1

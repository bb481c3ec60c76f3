// Counts are kept per thread and summed: 8 threads running the same lines
// give exactly 8 times the hits of one, including threads that have
// exited before the flush and one still running at exit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O2 -pthread %s -o %t/prog
// RUN: env LINEPROF_DB=%t/db %t/prog
// RUN: sqlite3 %t/db "SELECT line_no, hits FROM line_profile WHERE function = 'work' ORDER BY line_no" | FileCheck %s
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define N 100000
static unsigned long sink;

__attribute__((noinline)) static void *work(void *arg) {
  unsigned long x = 0;
  for (int i = 0; i < N; i++)
    x += (unsigned long)i ^ (unsigned long)arg;
  __atomic_fetch_add(&sink, x, __ATOMIC_RELAXED);
  return NULL;
}

static void *linger(void *arg) {
  (void)arg;
  for (;;)
    sched_yield();
  return NULL;
}

int main(void) {
  pthread_t t[8], idle;
  for (int i = 0; i < 8; i++)
    pthread_create(&t[i], NULL, work, (void *)(long)i);
  for (int i = 0; i < 8; i++)
    pthread_join(t[i], NULL);
  pthread_create(&idle, NULL, linger, NULL);
  printf("done\n");
  return 0;
}
// CHECK: 15|8
// CHECK-NEXT: 16|8
// CHECK-NEXT: 17|800008
// CHECK-NEXT: 18|800000
// CHECK-NEXT: 19|8
// CHECK-NEXT: 20|8

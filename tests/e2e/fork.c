// A forked child writes a run of its own and does not count the parent's
// work again.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O1 %s -o %t/prog
// RUN: env LINEPROF_DB=%t/db %t/prog
// RUN: sqlite3 %t/db "SELECT count(*) FROM runs; SELECT r.pid = (SELECT max(pid) FROM runs), l.hits FROM line_profile l JOIN runs r USING (run_id) WHERE l.function = 'step' AND l.line_no = 13 ORDER BY r.pid" | FileCheck %s
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int total;

__attribute__((noinline)) static void step(int n) {
  total += n;
}

int main(void) {
  for (int i = 0; i < 10; i++)
    step(i); // parent before fork: 10
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 3; i++)
      step(i); // child: 3
    return 0;
  }
  waitpid(pid, NULL, 0);
  step(1); // parent after fork: 11 in all
  return 0;
}
// CHECK: 2
// The child's pid is larger here; its run counts only its own 3 calls.
// CHECK-NEXT: 0|11
// CHECK-NEXT: 1|3

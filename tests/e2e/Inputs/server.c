/* A long-running program: it works, signals itself (or waits for the
 * interval), then sleeps while the test looks at the database. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile unsigned long total;

__attribute__((noinline)) static void serve(int n) {
  for (int i = 0; i < n; i++)
    total += (unsigned long)i;
}

int main(int argc, char **argv) {
  serve(1000);
  if (argc > 1 && strcmp(argv[1], "signal") == 0)
    raise(SIGUSR1);
  usleep(1500 * 1000);
  serve(1000);
  printf("%lu\n", total);
  return 0;
}

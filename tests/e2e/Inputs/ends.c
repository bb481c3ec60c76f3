/* A program that ends in the way its first argument names, after doing
 * some counted work: used to check that the profile is written and that
 * the exit status or signal is exactly the plain build's. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int work_done;

__attribute__((noinline)) static void work(int n) {
  for (int i = 0; i < n; i++)
    work_done += i;
}

static void on_term(int sig) {
  (void)sig;
  printf("handled\n");
  fflush(stdout);
  exit(3);
}

int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "return";
  work(10);
  printf("ending by %s\n", how);
  fflush(stdout);
  if (!strcmp(how, "exit"))
    exit(4);
  if (!strcmp(how, "quick_exit"))
    quick_exit(5);
  if (!strcmp(how, "abort"))
    abort();
  if (!strcmp(how, "segv"))
    *(volatile int *)0 = 1;
  if (!strcmp(how, "sigint"))
    raise(SIGINT);
  if (!strcmp(how, "sigterm"))
    kill(getpid(), SIGTERM);
  if (!strcmp(how, "own-handler")) {
    signal(SIGTERM, on_term);
    kill(getpid(), SIGTERM);
  }
  if (!strcmp(how, "pipe")) {
    int fd[2];
    if (pipe(fd) == 0) {
      close(fd[0]);
      if (write(fd[1], "x", 1) < 0)
        perror("write");
    }
  }
  return 2;
}

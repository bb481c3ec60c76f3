/* Starts other processes: fork then exec, posix_spawn, and an exec from
 * the middle of its own run. Each instrumented process writes its run. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

__attribute__((noinline)) static void step(const char *who) {
  printf("%s\n", who);
  fflush(stdout);
}

int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "leaf";
  step(how);
  if (!strcmp(how, "fork-exec")) {
    pid_t pid = fork();
    if (pid == 0) {
      execl(argv[0], argv[0], "leaf", (char *)NULL);
      _exit(127);
    }
    waitpid(pid, NULL, 0);
  } else if (!strcmp(how, "spawn")) {
    pid_t pid;
    char *args[] = {argv[0], "leaf", NULL};
    if (posix_spawn(&pid, argv[0], NULL, NULL, args, environ) == 0)
      waitpid(pid, NULL, 0);
  } else if (!strcmp(how, "exec")) {
    step("before exec");
    execl(argv[0], argv[0], "leaf", (char *)NULL);
    return 1;
  }
  return 0;
}

// The program's output and exit status are exactly those of the plain
// build: return from main, exit(), and the runtime missing altogether.
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %clang -g -O2 %s -o plain
// RUN: %clang %cflags -O2 %s -o prof
// RUN: for m in ret exit; do ./plain $m > plain.$m 2>&1; echo "status $?" >> plain.$m; ./prof $m > prof.$m 2>&1; echo "status $?" >> prof.$m; cmp plain.$m prof.$m; done
// RUN: FileCheck --check-prefix=RET %s < prof.ret
// RUN: FileCheck --check-prefix=EXIT %s < prof.exit
// RUN: sqlite3 lineprof.db "SELECT exit_status FROM runs ORDER BY run_id" | FileCheck --check-prefix=STATUS %s
// Without the runtime the program runs unprofiled, with one warning.
// RUN: env LINEPROF_RUNTIME=%t/nowhere.so ./prof ret > noruntime.out 2> noruntime.err; echo "status $?" >> noruntime.out
// RUN: cmp plain.ret noruntime.out
// RUN: FileCheck --check-prefix=NORT %s < noruntime.err
// A static executable cannot load the runtime: it says so and runs as is.
// RUN: %clang %cflags -O2 -static %s -o static 2> /dev/null
// RUN: ./static ret > static.out 2> static.err; echo "status $?" >> static.out
// RUN: cmp plain.ret static.out
// RUN: FileCheck --check-prefix=STATIC %s < static.err
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  printf("hello from %s\n", argv[1]);
  fflush(stdout);
  if (strcmp(argv[1], "exit") == 0)
    exit(7);
  return 5;
}
// RET: hello from ret
// RET-NEXT: status 5
// EXIT: hello from exit
// EXIT-NEXT: status 7
// STATUS: 5
// STATUS-NEXT: 7
// STATIC: lineprof: warning: a static executable cannot load the runtime; this run is not profiled
// NORT: lineprof: warning: cannot load the runtime: {{.*}}nowhere.so{{.*}}; this run is not profiled (set LINEPROF_RUNTIME)

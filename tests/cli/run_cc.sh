#!/bin/sh
# `lineprof cc` as the compiler of a small Makefile project
# (make CC="lineprof cc"), then `lineprof run` on the program: it must be
# profiled, its exit status kept, its terminating signal re-raised, and the
# summary printed. Exits 77 (ctest: skipped) without make.
#
#   run_cc.sh LINEPROF WORKDIR
set -u
LINEPROF=$1 W=$2
command -v make >/dev/null 2>&1 || { echo "make not found: skipped"; exit 77; }
P=$W/make-project
rm -rf "$P" && mkdir -p "$P" || exit 1
cat >"$P/Makefile" <<'MAKE'
prog: main.o work.o
	$(CC) -o $@ main.o work.o
main.o: main.c work.h
work.o: work.c work.h
MAKE
cat >"$P/work.h" <<'SRC'
long work(int n);
SRC
cat >"$P/work.c" <<'SRC'
#include "work.h"
long work(int n) {
  long sum = 0;
  for (int i = 0; i < n; i++)
    sum += i * i;
  return sum;
}
SRC
cat >"$P/main.c" <<'SRC'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "work.h"
int main(int argc, char **argv) {
  int status = argc > 1 ? atoi(argv[1]) : 0;
  printf("%ld\n", work(1000));
  fflush(stdout);
  if (status < 0)
    raise(-status);
  return status;
}
SRC
fail() { echo "FAIL: $*"; exit 1; }
(cd "$P" && make CC="$LINEPROF cc" >make.log 2>&1) || { cat "$P/make.log"; fail "make CC='lineprof cc' failed"; }
grep -q -- "cc -c -o main.o main.c\|cc  -c -o main.o main.c\|cc -c main.c" "$P/make.log" ||
  grep -q "main.o" "$P/make.log" || fail "make did not compile main.c"

# Exit status 3 comes through; stdout is the program's own.
out=$(cd "$P" && "$LINEPROF" run -o "$P/p.db" -- ./prog 3 2>"$P/run.err")
status=$?
[ "$status" = 3 ] || fail "lineprof run exited $status, expected the program's 3"
[ "$out" = 332833500 ] || fail "program output was '$out'"
grep -q "^lineprof: run 1 recorded in $P/p.db" "$P/run.err" || { cat "$P/run.err"; fail "no summary"; }
# A line of work.c among the hottest; which one depends on timing (the
# loop body's self time, a few ns a run at -O0, can measure 0 and fall
# behind lines run once).
grep -q "work.c:[0-9]* .* work " "$P/run.err" || { cat "$P/run.err"; fail "summary lacks the lines of work.c"; }
grep -q "work.c:2(work)" "$P/run.err" || { cat "$P/run.err"; fail "summary lacks function work"; }
"$LINEPROF" annotate --db "$P/p.db" -z "$P/work.c" | grep -q "sum += i \* i;" || fail "annotate of the profiled work.c failed"

# A terminating signal is re-raised: the shell sees 128 + SIGTERM.
(cd "$P" && "$LINEPROF" run -o "$P/p.db" -- ./prog -15 >/dev/null 2>"$P/run2.err")
status=$?
[ "$status" = 143 ] || fail "lineprof run exited $status after SIGTERM, expected 143"
[ "$("$LINEPROF" runs --db "$P/p.db" | wc -l)" = 3 ] || fail "expected 2 runs in p.db"

# The plugin can be named explicitly, and a bad one is refused.
LINEPROF_PLUGIN=/nonexistent/libline.so "$LINEPROF" cc -c "$P/work.c" -o "$P/x.o" 2>"$P/cc.err"
status=$?
[ "$status" = 3 ] || fail "lineprof cc with a missing plugin exited $status, expected 3"
grep -q "cannot use plugin '/nonexistent/libline.so' (LINEPROF_PLUGIN)" "$P/cc.err" || fail "bad message: $(cat "$P/cc.err")"
echo "ok make CC='lineprof cc' and lineprof run"

#!/bin/sh
# Recipe: profile a project's own test suite (docs/usage.md). A Makefile
# project with a library and two test programs is built with
# `make CC="lineprof cc"`; `make check` runs the tests with one LINEPROF_DB,
# each test process adds a run, and `--run all` sums them: the library's
# lines get the hits of both tests. Exits 77 (ctest: skipped) without make.
#
#   testsuite.sh LINEPROF WORKDIR
set -u
LINEPROF=$1 W=$2
command -v make >/dev/null 2>&1 || { echo "make not found: skipped"; exit 77; }
P=$W/testsuite-project
rm -rf "$P" && mkdir -p "$P" || exit 1
cat >"$P/Makefile" <<'MAKE'
TESTS = test_small test_big
all: $(TESTS)
test_small: test_small.o clamp.o
	$(CC) -o $@ test_small.o clamp.o
test_big: test_big.o clamp.o
	$(CC) -o $@ test_big.o clamp.o
check: $(TESTS)
	for t in $(TESTS); do ./$$t || exit 1; done
MAKE
cat >"$P/clamp.c" <<'SRC'
int clamp(int v, int lo, int hi) {
  if (v < lo)
    return lo;
  if (v > hi)
    return hi;
  return v;
}
SRC
cat >"$P/test_small.c" <<'SRC'
int clamp(int v, int lo, int hi);
int main(void) {
  for (int v = -5; v < 5; v++) /* 10 calls, 5 below */
    if (clamp(v, 0, 100) < 0)
      return 1;
  return 0;
}
SRC
cat >"$P/test_big.c" <<'SRC'
int clamp(int v, int lo, int hi);
int main(void) {
  for (int v = 95; v < 125; v++) /* 30 calls, 24 above */
    if (clamp(v, 0, 100) > 100)
      return 1;
  return 0;
}
SRC
fail() { echo "FAIL: $*"; exit 1; }
(cd "$P" && make CC="$LINEPROF cc" >make.log 2>&1) || { cat "$P/make.log"; fail "make CC='lineprof cc' failed"; }
(cd "$P" && LINEPROF_DB="$P/suite.db" make check >check.log 2>&1) || { cat "$P/check.log"; fail "make check failed"; }
runs=$("$LINEPROF" runs --db "$P/suite.db" | tail -n +2 | wc -l)
[ "$runs" = 2 ] || { "$LINEPROF" runs --db "$P/suite.db"; fail "expected one run per test, got $runs"; }
"$LINEPROF" annotate --db "$P/suite.db" --run all "$P/clamp.c" >"$P/annotate.txt" 2>&1 || { cat "$P/annotate.txt"; fail "annotate --run all failed"; }
# Hits of the library's lines, summed over the two test processes.
hits() { awk -v l="$1" '$1 == l { print $2 }' "$P/annotate.txt"; }
[ "$(hits 1)" = 40 ] || { cat "$P/annotate.txt"; fail "clamp called $(hits 1) times, expected 40 (10 + 30)"; }
[ "$(hits 3)" = 5 ] || { cat "$P/annotate.txt"; fail "'return lo' hit $(hits 3) times, expected 5"; }
[ "$(hits 5)" = 24 ] || { cat "$P/annotate.txt"; fail "'return hi' hit $(hits 5) times, expected 24"; }
[ "$(hits 6)" = 11 ] || { cat "$P/annotate.txt"; fail "'return v' hit $(hits 6) times, expected 11"; }
echo "ok a test suite built with lineprof cc, profiled into one database, summed with --run all"

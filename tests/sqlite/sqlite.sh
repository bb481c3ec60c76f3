#!/usr/bin/env bash
# SQLite end to end: the amalgamation (from npm better-sqlite3, pinned) and
# the benchmark's driver, built with the plugin at -O0 and -O2.
#  - Output is byte-identical to the plain build's.
#  - Hits equal llvm-cov's line counts on every line both report, except
#    lines of kinds that differ by design (listed; docs/design.md) and at
#    most a few dozen others, each listed.
#  - At -O2 also the cheapest build to compile (the counts mode without
#    plain copies): same output, and the same hits and calls as the default.
#  - Compile time, flush time, database size and `lineprof annotate` time
#    are measured and printed (targets live in bench/, not here).
#   sqlite.sh BUILD_DIR SOURCE_DIR CLANG LLVM_TOOLS_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 clang=$3 tools=$4 work=$5
version=12.11.1 # SQLite 3.53.2
rows=20000
mkdir -p "$work"
sqlite=$("$src/tests/sqlite/fetch.sh" "$work/cache" "$version")
driver=$src/bench/workloads/sqlite_driver.c
flags="-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I$sqlite"
plugin=$build/lib/libline.so

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

status=0
for opt in 0 2; do
  echo "== -O$opt"
  t0=$(seconds)
  $clang -g -O$opt $flags "$sqlite/sqlite3.c" "$driver" -o "$work/plain-O$opt"
  t1=$(seconds)
  $clang -g -O$opt -fpass-plugin="$plugin" $flags "$sqlite/sqlite3.c" "$driver" \
    -o "$work/lineprof-O$opt"
  t2=$(seconds)
  "$work/plain-O$opt" $rows > "$work/plain-O$opt.out"
  rm -f "$work/O$opt.db"
  # LINEPROF_VERBOSE=1: one line on stderr with the whole time of the write,
  # the commit and the close included (runs.flush_ns stops before them).
  LINEPROF_DB="$work/O$opt.db" LINEPROF_VERBOSE=1 "$work/lineprof-O$opt" $rows \
    > "$work/lineprof-O$opt.out" 2> "$work/lineprof-O$opt.err"
  if cmp -s "$work/plain-O$opt.out" "$work/lineprof-O$opt.out"; then
    echo "output: identical to the plain build ($(wc -l < "$work/plain-O$opt.out") lines)"
  else
    echo "output: DIFFERS from the plain build"; status=1
  fi
  a=$(seconds)
  "$build/bin/lineprof" annotate --db "$work/O$opt.db" sqlite3.c > "$work/annotate-O$opt.txt"
  b=$(seconds)
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
    printf "compile: plain %.1f s, with lineprof %.1f s (%.2fx)\n", b - a, c - b, (c - b) / (b - a) }'
  sqlite3 "$work/O$opt.db" "SELECT printf('flush: %.1f ms to the commit, ', flush_ns / 1e6) FROM runs" | tr -d '\n'
  sed -n 's/.* lines in \([0-9.]*\) ms.*/\1 ms with the commit and the close/p' "$work/lineprof-O$opt.err"
  echo "database: $(stat -c %s "$work/O$opt.db") bytes for one run"
  printf 'annotate sqlite3.c: %.2f s, %d lines\n' "$(elapsed "$a" "$b")" "$(wc -l < "$work/annotate-O$opt.txt")"
  python3 "$src/tests/e2e/Inputs/compare_cov.py" --clang "$clang" --plugin "$plugin" \
    --profdata "$tools/llvm-profdata" --cov "$tools/llvm-cov" --work "$work" \
    --opt $opt --cflags "$flags" --extra "$driver" --min-lines 40000 \
    --prof-exe "$work/lineprof-O$opt" \
    --max-unexplained 60 --lines-report "$work/differences-O$opt.txt" \
    "$sqlite/sqlite3.c" $rows || status=1
  echo "every differing line: $work/differences-O$opt.txt"
  [ "$opt" = 2 ] || continue
  # The cheapest build to compile: hits only, no plain copies. Its hits
  # must be the default build's, line by line and call by call.
  t3=$(seconds)
  LINEPROF_MODE=counts LINEPROF_PLAIN_COPIES=0 $clang -g -O2 -fpass-plugin="$plugin" \
    $flags "$sqlite/sqlite3.c" "$driver" -o "$work/counts-O2"
  t4=$(seconds)
  awk -v a="$t0" -v b="$t1" -v c="$t3" -v d="$t4" 'BEGIN {
    printf "compile, counts mode without plain copies: %.1f s (%.2fx the plain compile)\n", d - c, (d - c) / (b - a) }'
  rm -f "$work/counts-O2.db"
  LINEPROF_DB="$work/counts-O2.db" "$work/counts-O2" $rows > "$work/counts-O2.out"
  if ! cmp -s "$work/plain-O2.out" "$work/counts-O2.out"; then
    echo "counts mode: output DIFFERS from the plain build"; status=1
  fi
  for db in O2 counts-O2; do
    "$src/tests/e2e/Inputs/counts-of.sh" "$work/$db.db" "$work/$db"
  done
  if cmp -s "$work/O2.hits" "$work/counts-O2.hits" && cmp -s "$work/O2.calls" "$work/counts-O2.calls"; then
    echo "counts mode: hits of $(wc -l < "$work/O2.hits") lines and calls of" \
      "$(wc -l < "$work/O2.calls") functions equal the time mode's"
  else
    echo "counts mode: hits or calls DIFFER from the time mode's:"
    diff "$work/O2.hits" "$work/counts-O2.hits" | head -20
    diff "$work/O2.calls" "$work/counts-O2.calls" | head -20
    status=1
  fi
done
exit $status

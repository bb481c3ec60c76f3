#!/bin/sh
# Golden tests of the lineprof command: runs the cases of cases.txt and
# compares stdout, stderr and the exit status exactly with golden/.
#
#   golden.sh LINEPROF MKFIXTURE SRCDIR WORKDIR setup
#   golden.sh LINEPROF MKFIXTURE SRCDIR WORKDIR all | CASE...
#
# SRCDIR is tests/cli. `setup` (re)creates WORKDIR: copies of the fixture
# source and the databases, built by MKFIXTURE from the SQL files. Then each
# case runs in WORKDIR/src with TZ=UTC and LC_ALL=C; WORKDIR is written as
# @WORK@ before comparing, so the goldens do not depend on the checkout.
# With LINEPROF_GOLDEN_UPDATE=1 the goldens are rewritten instead (the exit
# statuses live in cases.txt and are never rewritten). Exits 1 if any case
# fails, naming it and showing the differences.
set -u

if [ $# -lt 5 ]; then
  echo "Usage: golden.sh LINEPROF MKFIXTURE SRCDIR WORKDIR setup|all|CASE..." >&2
  exit 2
fi
LINEPROF=$1 MKFIXTURE=$2 S=$3 W=$4
shift 4

# Build database $1 with user_version $2, sources in $3, from SQL files.
mk() {
  db=$1 version=$2 dir=$3
  shift 3
  "$MKFIXTURE" "$W/$db" "$version" "$dir" "$@" || exit 1
}

setup() {
  rm -rf "$W" && mkdir -p "$W/src" "$W/changed" "$W/out" || exit 1
  W=$(cd "$W" && pwd -P) || exit 1
  cp "$S/data/fib.c" "$W/src/fib.c" || exit 1
  # Edited after it was compiled: the checksum of files row 2 no longer fits.
  sed 's/return x \* 2;/return x + x;/' "$S/data/fib.c" >"$W/changed/fib.c"
  cp "$S/data/fib.c" "$W/text.db" || exit 1
  mk fixture.db 1 "$W/src" "$S/fixture.sql"
  mk ambiguous.db 1 "$W/src" "$S/fixture.sql" "$S/ambiguous.sql"
  mk in_progress.db 1 "$W/src" "$S/fixture.sql" "$S/in_progress.sql"
  mk changed.db 1 "$W/changed" "$S/fixture.sql"
  mk newer.db 99 "$W/src" "$S/fixture.sql"
  mk empty.db 1 "$W/src"
  mk not_lineprof.db 0 "$W/src" "$S/not_lineprof.sql"
  mk other.db 1 "$W/src" "$S/other.sql"
  mk old_v1.db 1 "$W/src" "$S/fixture.sql" "$S/old_v1.sql"
  # A merged database for the cases that read one; `merge-*` cases check
  # the merge itself.
  (cd "$W/src" && "$LINEPROF" merge --db "$W/merged.db" "$W/fixture.db" \
    "$W/other.db") >/dev/null || exit 1
}

# Copy stdin to stdout with every occurrence of $W replaced by @WORK@.
scrub() {
  awk -v w="$W" '{
    out = ""
    while ((i = index($0, w)) > 0) {
      out = out substr($0, 1, i - 1) "@WORK@"
      $0 = substr($0, i + length(w))
    }
    print out $0
  }'
}

# Run case $1 with expected exit $2 and command words $3. Returns 0 if it
# passed.
run_case() {
  name=$1 want=$2 words=$3
  out=$W/out/$name.out err=$W/out/$name.err
  (
    cd "$W/src" || exit 99
    unset LINEPROF_DB
    TZ=UTC LC_ALL=C
    export TZ LC_ALL
    stdout=$out.raw
    eval "set -- $words"
    while [ $# -gt 0 ]; do
      case $1 in
      STDOUT=*) stdout=${1#STDOUT=} ;;
      COPY=*) # COPY=FROM:TO: a fresh copy for a case that writes
        from=${1#COPY=}
        rm -f "${from#*:}" "${from#*:}-wal" "${from#*:}-shm"
        cp "${from%%:*}" "${from#*:}" || exit 99 ;;
      RM=*) rm -rf "${1#RM=}" "${1#RM=}-wal" "${1#RM=}-shm" ;;
      *=*) export "$1" ;;
      *) break ;;
      esac
      shift
    done
    [ "${1-}" = lineprof ] || { echo "bad case: $words" >&2; exit 99; }
    shift
    "$LINEPROF" "$@" </dev/null >"$stdout" 2>"$err.raw"
  )
  got=$?
  [ -f "$out.raw" ] || : >"$out.raw"
  scrub <"$out.raw" >"$out"
  scrub <"$err.raw" >"$err"
  rm -f "$out.raw" "$err.raw"

  if [ "${LINEPROF_GOLDEN_UPDATE-}" = 1 ]; then
    cp "$out" "$S/golden/$name.out"
    if [ -s "$err" ]; then cp "$err" "$S/golden/$name.err"
    else rm -f "$S/golden/$name.err"; fi
    echo "updated $name (exit $got, expected $want)"
  fi

  ok=0
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit status $got, expected $want"
    ok=1
  fi
  expected_err=$S/golden/$name.err
  [ -f "$expected_err" ] || expected_err=/dev/null
  if ! diff -u "$S/golden/$name.out" "$out" >"$out.diff" 2>&1; then
    echo "FAIL $name: stdout differs from golden/$name.out"
    cat "$out.diff"
    ok=1
  fi
  if ! diff -u "$expected_err" "$err" >"$err.diff" 2>&1; then
    echo "FAIL $name: stderr differs from golden/$name.err"
    cat "$err.diff"
    ok=1
  fi
  rm -f "$out.diff" "$err.diff"
  # The databases the error cases name must still not exist.
  for db in "$W/src/lineprof.db" "$W/nosuch.db"; do
    if [ -e "$db" ]; then
      echo "FAIL $name: lineprof created $db"
      rm -f "$db"
      ok=1
    fi
  done
  [ $ok = 0 ] && echo "ok $name"
  return $ok
}

if [ "$1" = setup ]; then
  setup
  exit 0
fi
W=$(cd "$W" 2>/dev/null && pwd -P) || {
  echo "golden.sh: no work directory $4; run 'golden.sh ... setup' first" >&2
  exit 1
}

failed=0 found=0
for want_name in "$@"; do
  matched=0
  while read -r name want words; do
    case $name in '' | '#'*) continue ;; esac
    [ "$want_name" = all ] || [ "$want_name" = "$name" ] || continue
    matched=1 found=$((found + 1))
    run_case "$name" "$want" "$words" || failed=$((failed + 1))
  done <"$S/cases.txt"
  if [ $matched = 0 ]; then
    echo "FAIL $want_name: no such case in cases.txt"
    failed=$((failed + 1))
  fi
done
[ "$failed" = 0 ] || { echo "golden.sh: $failed failure(s) in $found case(s) run"; exit 1; }
exit 0

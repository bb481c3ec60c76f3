#!/bin/sh
# `lineprof export --format callgrind` read back by callgrind_annotate (from
# valgrind): the totals, the per-function costs and the calls must be what
# the fixture database holds. Exits 77 (ctest: skipped) without
# callgrind_annotate.
#
#   callgrind.sh LINEPROF WORKDIR
set -u
LINEPROF=$1 W=$2
command -v callgrind_annotate >/dev/null 2>&1 || {
  echo "callgrind_annotate not found (Debian package valgrind): skipped"
  exit 77
}
out=$W/out/callgrind.out
rm -f "$out"
(cd "$W/src" && "$LINEPROF" export --db "$W/fixture.db" --format callgrind -o "$out") || exit 1
# From the sources' directory, which it shows paths relative to.
report=$(cd "$W/src" && callgrind_annotate "$out" 2>&1) || { echo "$report"; exit 1; }
status=0
# Each expected line, with the work directory written as @WORK@.
while IFS= read -r want; do
  line=$(printf '%s\n' "$want" | sed "s|@WORK@|$W|g")
  if ! printf '%s\n' "$report" | grep -qxF -- "$line"; then
    echo "FAIL: callgrind_annotate shows no line: $line"
    status=1
  fi
done <<'EXPECTED'
143,225 (100.0%) 744 (100.0%)  PROGRAM TOTALS
89,855 (62.74%)   6 ( 0.81%)  fib.c:main
50,370 (35.17%) 708 (95.16%)  fib.c:fib
 3,000 ( 2.09%)  30 ( 4.03%)  include/square.h:square
17,600 (12.29%)  88 (11.83%)    return fib(n - 1) + fib(n - 2);
1,512,650 (1056.1%)   .           => @WORK@/src/fib.c:fib (176x)
211,630 (147.8%)   .           => @WORK@/src/fib.c:fib (1x)
 3,000 ( 2.09%)   .           => @WORK@/src/include/square.h:square (10x)
EXPECTED
[ $status = 0 ] || printf '%s\n' "$report"
[ $status = 0 ] && echo "ok callgrind_annotate"
exit $status

#!/bin/sh
# counts-of.sh DB PREFIX: a run's counts, sorted, for builds to be compared
# with cmp: PREFIX.hits (hits per function and line) and PREFIX.calls
# (calls and primitive calls per function). The modes and the -O levels
# place their counters differently; these must not differ.
db=$1 prefix=$2
sqlite3 "$db" "SELECT function, line_no, SUM(hits) FROM line_profile
  GROUP BY 1, 2 ORDER BY 1, 2" > "$prefix.hits" &&
sqlite3 "$db" "SELECT function, line_no, SUM(calls), SUM(primitive_calls)
  FROM function_profile GROUP BY 1, 2 ORDER BY 1, 2" > "$prefix.calls"

#!/bin/sh
# first-row.sh DB QUERY: prints QUERY's result as soon as it has one (the
# first snapshot of a running program), waiting for a writer's lock rather
# than failing on it, for up to 30 seconds. A fixed sleep before one query
# raced the snapshot on a loaded machine ("database is locked").
db=$1 query=$2
i=0
while [ $i -lt 600 ]; do
  if [ -s "$db" ] && out=$(sqlite3 -cmd ".timeout 10000" "$db" "$query" 2>/dev/null) &&
     [ -n "$out" ]; then
    printf '%s\n' "$out"
    exit 0
  fi
  sleep 0.05
  i=$((i + 1))
done
echo "first-row.sh: no row from $db after 30 s" >&2
exit 1

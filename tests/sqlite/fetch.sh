#!/usr/bin/env bash
# Fetches the SQLite amalgamation that the npm package better-sqlite3@12
# ships (deps/sqlite3/sqlite3.c and sqlite3.h) into CACHE_DIR, once. It is
# third-party code: it is fetched for the tests, never committed.
#   fetch.sh CACHE_DIR [VERSION]   prints the directory with sqlite3.c
# VERSION defaults to 12: the newest 12.x; tests pin an exact one, so that
# the lines they know about stay where they are.
set -euo pipefail
version=${2:-12}
cache=$1/$version
mkdir -p "$cache"
if [ ! -f "$cache/sqlite3.c" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "better-sqlite3@$version" > pack.log 2>&1) || {
    echo "fetch.sh: npm pack better-sqlite3@$version failed:" >&2
    cat "$work/pack.log" >&2
    exit 1
  }
  tar -xzf "$work"/better-sqlite3-*.tgz -C "$work" \
    package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
  mv "$work/package/deps/sqlite3/sqlite3.h" "$cache/"
  mv "$work/package/deps/sqlite3/sqlite3.c" "$cache/"
fi
echo "$cache"

#!/usr/bin/env bash
# Installs lineprof from BUILD into a temporary prefix, then builds a
# separate project against it twice: with CMake (find_package, and
# lineprof_enable) and with make (pkg-config). Both must run and write a
# profile that lineprof annotate reads.
set -euo pipefail
build=$1 src=$2 cc=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in bin/lineprof lib/libline.so lib/liblineprof.so include/lineprof.h \
         lib/cmake/lineprof/lineprofConfig.cmake lib/pkgconfig/lineprof.pc \
         share/doc/lineprof/usage.md share/doc/lineprof/schema.md; do
  [ -e "$prefix/$f" ] || { echo "missing after install: $f"; exit 1; }
done

cmake -S "$src/project" -B "$work/cmake-build" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/cmake-build" > "$work/build.log"
(cd "$work" && LINEPROF_DB="$work/cmake.db" "$work/cmake-build/app")

cp -r "$src/project" "$work/make-project"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -s -C "$work/make-project" CC="$cc"
LINEPROF_DB="$work/make.db" "$work/make-project/app"

for db in cmake make; do
  "$prefix/bin/lineprof" annotate --db "$work/$db.db" app.c |
    awk '$1 == 8 { print "'$db': line 8 ran " $2 " times" }'
done

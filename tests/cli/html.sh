#!/bin/sh
# `lineprof html` opened in headless Chromium: the rendered DOM of the
# index and of a source page must hold the tables, the heat classes and
# the caller/callee links. No network is involved: the pages are files
# with inline CSS. Exits 77 (ctest: skipped) without Chromium (Debian
# package chromium).
#
#   html.sh LINEPROF WORKDIR
set -u
LINEPROF=$1 W=$2
browser=
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
[ -n "$browser" ] || { echo "chromium not found (Debian package chromium): skipped"; exit 77; }

dir=$W/out/html-dom
rm -rf "$dir"
(cd "$W/src" && "$LINEPROF" html --db "$W/fixture.db" -o "$dir") || exit 1
profile=$(mktemp -d) || exit 1
trap 'rm -rf "$profile"' EXIT
dom() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" \
    --dump-dom "file://$dir/$1" 2>/dev/null
}
status=0
check() { # check PAGE FIXED-STRING...
  page=$1
  shift
  text=$(dom "$page")
  [ -n "$text" ] || { echo "FAIL: $browser rendered nothing for $page"; status=1; return; }
  for want in "$@"; do
    printf '%s\n' "$text" | grep -qF -- "$want" || {
      echo "FAIL: $page: rendered DOM lacks: $want"
      status=1
    }
  done
}
check index.html \
  '<title>lineprof report</title>' \
  '<code>./fib 10</code>, started 2023-11-14 22:15:00' \
  '<tr class="heat4"><td class="name"><a href="file-0.html">fib.c</a></td><td>0.000140</td><td>97.9</td><td>11</td></tr>' \
  '<a href="file-0.html#fn-0">fib</a></td><td class="name">fib.c:6</td><td>177/1</td><td>0.001563</td><td>0.000050</td><td>35.2</td>' \
  '<a href="file-1.html#fn-3">square</a>'
check file-0.html \
  '<tr class="fn" id="fn-0"><td colspan="6"><b>fib</b> · 177 calls' \
  'called from <a href="file-0.html#L9">fib:9</a> ×176, <a href="file-0.html#L18">main:18</a> ×1' \
  '<tr id="L9" class="heat3"><td>9</td><td>88</td><td>0.001530</td><td>0.000018</td><td>12.3</td>' \
  '→ <a href="file-1.html#fn-3">square</a> ×10' \
  '→ printf ×1' \
  '→ (indirect) ×1' \
  'printf("fib(%d) = %d\n", n, result);'
check file-1.html \
  'Source unavailable: No such file or directory' \
  '<a href="index.html">← index</a>'
# Offline: nothing may point outside the directory.
if grep -l -E '(src|href)="(https?:)?//' "$dir"/*.html; then
  echo "FAIL: the report refers to the network"
  status=1
fi
[ $status = 0 ] && echo "ok html rendered by $browser"
exit $status

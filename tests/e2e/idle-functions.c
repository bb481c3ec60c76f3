// A function that did not run in a run has no line_stats or call_stats
// rows in it (schema 2), and no lines rows until it runs (schema 3): its
// lines come from `line_sets`, with 0 hits, in the line_profile view, in
// annotate and in the reports; prune keeps them.
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %clang %cflags -O1 %s -o prog
// RUN: ./prog 0 && ./prog 1
// Run 1 did not call `rare`, run 2 did.
// RUN: sqlite3 lineprof.db "SELECT s.run_id, fn.name FROM line_stats s JOIN lines l USING(line_id) JOIN functions fn USING(function_id) GROUP BY 1, 2 ORDER BY 1, 2" | FileCheck --check-prefix=ROWS %s
// ROWS:      1|main
// ROWS-NEXT: 1|often
// ROWS-NEXT: 2|main
// ROWS-NEXT: 2|often
// ROWS-NEXT: 2|rare
// ROWS-NOT: {{.}}
// The view shows the same lines of `rare` in both runs, with 0 hits in run 1.
// RUN: sqlite3 lineprof.db "SELECT run_id, group_concat(line_no), sum(hits) FROM (SELECT * FROM line_profile WHERE function = 'rare' ORDER BY line_no) GROUP BY run_id" | FileCheck --check-prefix=VIEW %s
// VIEW:      1|[[LINES:[0-9,]+]]|0
// VIEW-NEXT: 2|[[LINES]]|3
// RUN: %lineprof annotate --run 1 %s > run1.txt
// RUN: %lineprof annotate --run 2 %s > run2.txt
// RUN: FileCheck --check-prefix=ANN1 %s < run1.txt
// RUN: FileCheck --check-prefix=ANN2 %s < run2.txt
// ANN1: Function: rare at line [[#RARE:]]
// ANN1: [[#RARE+1]] 0 {{.*}} int y = x * 3; // RARE-BODY
// ANN2: Function: rare at line [[#RARE:]]
// ANN2: [[#RARE+1]] 1 {{.*}} int y = x * 3; // RARE-BODY
// RUN: %lineprof export --format json --run 1 | FileCheck --check-prefix=EXPORT %s
// EXPORT: {"id": [[#RID:]], "file": 0, "name": "rare", {{.*}}"calls": 0,
// EXPORT: "lines": [
// EXPORT: {"function": [[#RID]], "file": 0, "line": {{[0-9]+}}, "hits": 0,
// A database of schema 2 (every function's lines in `lines`, no line_sets)
// is read as it is, and upgraded by the next run into it.
// RUN: cp lineprof.db old.db
// RUN: sqlite3 old.db "INSERT INTO lines(function_id, file_id, line_no) SELECT z.function_id, z.file_id, j.value FROM line_sets z, json_each(z.line_nos) j WHERE NOT EXISTS (SELECT 1 FROM lines l WHERE l.function_id = z.function_id AND l.file_id = z.file_id AND l.line_no = j.value); DROP TABLE line_sets; DROP VIEW line_profile; CREATE VIEW line_profile AS SELECT 1 AS stale; PRAGMA user_version=2;"
// RUN: %lineprof --db old.db annotate --run 1 %s | FileCheck --check-prefix=ANN1 %s
// RUN: %lineprof --db old.db export --format json --run 1 | FileCheck --check-prefix=EXPORT %s
// merge takes a function's lines from a schema-2 source's lines rows, and
// from a schema-3 source's line_sets.
// RUN: %lineprof --db m2.db merge old.db > /dev/null
// RUN: %lineprof --db m3.db merge lineprof.db > /dev/null
// RUN: sqlite3 m2.db "PRAGMA page_size; PRAGMA journal_mode" | FileCheck --check-prefix=CREATED %s
// CREATED: 16384
// CREATED-NEXT: wal
// RUN: for d in m2 m3; do sqlite3 $d.db "SELECT run_id, group_concat(line_no), sum(hits) FROM (SELECT * FROM line_profile WHERE function = 'rare' ORDER BY line_no) GROUP BY run_id; SELECT count(*) = (SELECT count(*) FROM functions) FROM line_sets"; done | FileCheck --check-prefix=MERGED %s
// MERGED:      1|[[LINES:[0-9,]+]]|0
// MERGED-NEXT: 2|[[LINES]]|3
// MERGED-NEXT: 1
// MERGED-NEXT: 1|[[LINES]]|0
// MERGED-NEXT: 2|[[LINES]]|3
// MERGED-NEXT: 1
// RUN: env LINEPROF_DB=%t/old.db ./prog 0
// RUN: sqlite3 old.db "PRAGMA user_version; SELECT count(*) FROM line_profile WHERE function = 'rare' AND run_id = 3 AND hits = 0; SELECT run_id, group_concat(line_no), sum(hits) FROM (SELECT * FROM line_profile WHERE function = 'rare' ORDER BY line_no) GROUP BY run_id" | FileCheck --check-prefix=UPGRADED %s
// UPGRADED: 3
// UPGRADED-NEXT: {{[1-9]}}
// UPGRADED-NEXT: 1|[[LINES:[0-9,]+]]|0
// UPGRADED-NEXT: 2|[[LINES]]|3
// UPGRADED-NEXT: 3|[[LINES]]|0
// A run writes no lines rows for a function that did not run: run 1 left
// none for `rare` (line_sets has them), and the upgraded database has one
// line_sets row per function and file, as a new one does.
// RUN: sqlite3 lineprof.db "SELECT count(*) FROM lines l JOIN functions fn USING(function_id) WHERE fn.name = 'rare'; SELECT count(*) = (SELECT count(*) FROM functions) FROM line_sets" | FileCheck --check-prefix=SETS %s
// RUN: sqlite3 old.db "SELECT count(*) = (SELECT count(*) FROM functions) FROM line_sets" | FileCheck --check-prefix=SETS-OLD %s
// SETS: {{^[1-9]}}
// SETS-NEXT: 1
// SETS-OLD: 1
// prune keeps the lines of a function that did not run.
// RUN: %lineprof --db old.db prune --keep 1 > /dev/null
// RUN: sqlite3 old.db "SELECT count(*) FROM line_profile WHERE function = 'rare' AND hits = 0" | FileCheck --check-prefix=PRUNED %s
// PRUNED: {{^[1-9]}}
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int rare(int x) {
  int y = x * 3; // RARE-BODY
  return y + 1;
}

__attribute__((noinline)) int often(int x) { return x + 1; }

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 0, s = 0;
  for (int i = 0; i < 10; i++)
    s += often(i);
  if (n)
    s += rare(n);
  printf("%d\n", s);
  return 0;
}

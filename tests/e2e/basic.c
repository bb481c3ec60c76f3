// A whole session: compile with the plugin, run, and read the database.
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %clang %cflags -O1 %s -o %t/prog
// RUN: %t/prog 5 > %t/out.txt; echo "exit=$?" >> %t/out.txt
// RUN: FileCheck --check-prefix=OUT %s < %t/out.txt
// The database is ./lineprof.db by default, with the schema version set.
// RUN: sqlite3 %t/lineprof.db "PRAGMA user_version; PRAGMA journal_mode;" | FileCheck --check-prefix=VERSION %s
// RUN: sqlite3 %t/lineprof.db "SELECT line_no, hits FROM line_profile WHERE function = 'count_odd' ORDER BY line_no" | FileCheck --check-prefix=HITS %s
// RUN: sqlite3 %t/lineprof.db "SELECT function, calls, primitive_calls FROM function_profile ORDER BY function" | FileCheck --check-prefix=CALLS %s
// RUN: sqlite3 %t/lineprof.db "SELECT command LIKE '%%/prog 5', pid > 0, exit_status, status, timer, ticks_per_second > 1e6, end_ns >= start_ns, tool_version, flush_ns > 0 FROM runs" | FileCheck --check-prefix=RUNROW %s
// RUN: sqlite3 %t/lineprof.db "SELECT path = '%s', checksum LIKE 'md5:%%' FROM files" | FileCheck --check-prefix=FILE %s
// Each execution is a new run; earlier runs are kept.
// RUN: %t/prog 7 > /dev/null; true
// RUN: sqlite3 %t/lineprof.db "SELECT run_id, exit_status FROM runs ORDER BY run_id" | FileCheck --check-prefix=RUNS %s
// LINEPROF_DB chooses another database.
// RUN: env LINEPROF_DB=%t/other.db %t/prog 1 > /dev/null; true
// RUN: sqlite3 %t/other.db "SELECT count(*) FROM runs" | FileCheck --check-prefix=ONE %s
#include <stdio.h>
#include <stdlib.h>

static int count_odd(int n) {
  int odd = 0;
  for (int i = 0; i < n; i++)
    if (i % 2)
      odd++;
  return odd;
}

int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  printf("odd=%d\n", count_odd(n));
  return n % 4;
}
// OUT: odd=2
// OUT-NEXT: exit=1
// VERSION: 3
// VERSION-NEXT: wal
// HITS: 21|1
// HITS-NEXT: 22|1
// HITS-NEXT: 23|6
// HITS-NEXT: 24|5
// HITS-NEXT: 25|2
// HITS-NEXT: 26|1
// HITS-NOT: |
// CALLS: count_odd|1|1
// CALLS-NEXT: main|1|1
// RUNROW: 1|1|1|complete|tsc|1|1|0.1.0|1
// FILE: 1|1
// RUNS: 1|1
// RUNS-NEXT: 2|3
// ONE: 1

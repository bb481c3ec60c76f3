// Without -g: one warning at compile time, and function-level data.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -fpass-plugin=%plugin %s -o %t/prog 2> %t/warn.txt
// RUN: FileCheck --check-prefix=WARN %s < %t/warn.txt
// RUN: env LINEPROF_DB=%t/db %t/prog
// RUN: sqlite3 %t/db "SELECT function, line_no, calls, primitive_calls, inclusive_ns > 0 FROM function_profile ORDER BY function; SELECT count(*) FROM line_stats" | FileCheck %s
__attribute__((noinline)) int work(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += i;
  return s;
}
int main(void) {
  int s = 0;
  for (int i = 0; i < 3; i++)
    s += work(1000);
  return s == 0;
}
// WARN: lineprof: warning: {{.*}}nodebug.c: no debug info; compile with -g for line-level data (function-level data is still collected)
// WARN-NOT: warning
// CHECK: main|0|1|1|1
// CHECK-NEXT: work|0|3|3|1
// CHECK-NEXT: 0

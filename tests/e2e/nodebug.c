// Without -g: one warning at compile time, and function-level data.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -fpass-plugin=%plugin %s -o %t/prog 2> %t/warn.txt
// RUN: FileCheck --check-prefix=WARN %s < %t/warn.txt
// RUN: env LINEPROF_DB=%t/db %t/prog
// RUN: sqlite3 %t/db "SELECT function, line_no, calls, primitive_calls, inclusive_ns > 0 FROM function_profile ORDER BY function; SELECT count(*) FROM line_stats" | FileCheck %s
// Work the optimizer cannot fold into a formula, so that every function
// has a total well above the probes' cost.
__attribute__((noinline)) unsigned work(unsigned n) {
  unsigned s = 1;
  for (unsigned i = 0; i < n; i++)
    s = s * 2654435761u + (s >> 7) + i;
  return s;
}
int main(void) {
  unsigned s = 0;
  for (int i = 0; i < 3; i++)
    s += work(100000);
  return s == 0;
}
// WARN: lineprof: warning: {{.*}}nodebug.c: no debug info; compile with -g for line-level data (function-level data is still collected)
// WARN-NOT: warning
// CHECK: main|0|1|1|1
// CHECK-NEXT: work|0|3|3|1
// CHECK-NEXT: 0

// A function's total (cProfile's cumtime) holds only its own calls: for a
// leaf that does almost nothing, about what its lines take. The timestamp
// that ends a timed call is itself a probe whose cost the runtime takes off;
// before it did, a two-instruction leaf called 2 million times showed ten
// times its self time as its total, more than its caller's total.
// Three runs, each into its own database: the bound must hold in two
// (query.py, leaf_inclusive_runs).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang %cflags -O2 %s -o %t/prog
// RUN: env LINEPROF_DB=%t/db1 %t/prog && env LINEPROF_DB=%t/db2 %t/prog && env LINEPROF_DB=%t/db3 %t/prog
// RUN: %python %scripts/query.py %t/db1 leaf-inclusive-runs %t/db2 %t/db3 | FileCheck %s
#include <stdio.h>

__attribute__((noinline)) static unsigned tiny(unsigned x) { return x * 3u + 1u; }

int main(void) {
  unsigned s = 0;
  for (unsigned i = 0; i < 2000000; i++)
    s += tiny(i); // CALL
  printf("%u\n", s);
  return 0;
}
// CHECK: tiny calls 2000000 primitive 2000000 in every run: 1
// CHECK: tiny inclusive <= 2 x self + 3 ns per call in all runs but one: 1

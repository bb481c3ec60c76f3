// LINEPROF_MODE=counts places hit counters only: no timestamps.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: env LINEPROF_MODE=counts %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll | FileCheck %s
// RUN: env LINEPROF_MODE=bogus %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o /dev/null 2>&1 | FileCheck --check-prefix=BAD %s

int twice(int x) { return 2 * x; }

// CHECK: @__lineprof_module = internal constant {{.*}} { i32 7, i32 2,
// CHECK-LABEL: define {{.*}} @twice(
// CHECK: add i64 {{.*}}, 1
// CHECK-NOT: rdtsc
// CHECK: ret i32
// BAD: lineprof: warning: unknown LINEPROF_MODE 'bogus' (expected 'time', 'exact' or 'counts'); using 'time'

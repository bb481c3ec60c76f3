// Without -g there are no lines: one warning, and functions still counted.
// RUN: %clang -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o %t.ll 2> %t.err
// RUN: FileCheck --check-prefix=WARN %s < %t.err
// RUN: FileCheck %s < %t.ll

int one(void) { return 1; }

// WARN: lineprof: warning: {{.*}}nodebug.c: no debug info; compile with -g for line-level data (function-level data is still collected)
// WARN-NOT: warning
// The module has no debug-info flag (2), only timing (1).
// CHECK-DAG: @__lineprof_module = internal constant {{.*}} { i32 7, i32 1,
// CHECK-DAG: c"one\00"

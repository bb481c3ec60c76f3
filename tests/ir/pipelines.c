// The plugin runs at the start of every optimization pipeline, including
// -O0 where functions are optnone, and its output passes the verifier.
// RUN: %clang -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang -g -O1 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang -g -O3 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes='default<O2>' -verify-each -S %t.ll -o /dev/null
// The module's tables are named by __lineprof_enter alone, never by the
// instrumented functions (a reference from each made -O0 compiles
// quadratic in the LazyCallGraph).
// RUN: %clang -g -O0 -fpass-plugin=%plugin -S -emit-llvm %s -o %t.O0.ll
// RUN: FileCheck --check-prefix=TABLES %s < %t.O0.ll
// RUN: FileCheck --check-prefix=ENTER %s < %t.O0.ll
// RUN: %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o %t.O2.ll
// RUN: FileCheck --check-prefix=TABLES %s < %t.O2.ll
// RUN: FileCheck --check-prefix=ENTER %s < %t.O2.ll
// When optimizing, the slow path keeps every register (preserve_most)
// and returns nothing: the buffer is read again from the slot it filled.
// At -O0 (optnone) it and the probes are plain C calls: the fast
// instruction selector takes no other convention, and falling back to
// SelectionDAG made an -O0 compile of sqlite3.c a third slower.
// RUN: env LINEPROF_MODE=counts %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o %t.counts.ll
// RUN: FileCheck --check-prefix=KEEP %s < %t.counts.ll
// RUN: FileCheck --check-prefix=KEEPDEF %s < %t.counts.ll
// RUN: FileCheck --check-prefix=O0CC %s < %t.O0.ll

int sum(const int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += a[i];
  return s;
}

// CHECK: @__lineprof_module = internal constant
// CHECK-LABEL: define {{.*}} @sum(
// CHECK: @__lineprof_buffer
// CHECK: rdtsc

// TABLES-LABEL: define internal {{.*}}@sum.lp.prof(
// TABLES-NOT: @__lineprof_module
// TABLES: call {{.*}}@__lineprof_enter()
// TABLES: ret
// ENTER: define internal {{.*}}@__lineprof_enter()
// ENTER-NEXT: call {{.*}}@__lineprof_thread_enter({{.*}}@__lineprof_module
// KEEP-LABEL: define internal {{.*}}@sum.lp.prof(
// KEEP: call preserve_mostcc void @__lineprof_enter()
// KEEP-NEXT: load {{.*}}@__lineprof_buffer
// KEEPDEF: define internal preserve_mostcc void @__lineprof_enter()
// O0CC-NOT: preserve_mostcc

// LINEPROF=0: every instrumented function gets a plain copy, the function
// as clang produced it; the copies call each other; the function starts
// with a test of __lineprof_off that tail-calls the copy. At the end of the
// pipeline (lineprof-split) the instrumented body moves to F.lp.prof and F
// keeps only the test and two tail calls, so that with profiling off a call
// costs no frame set-up.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=NOCOPY %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof,lineprof-split -S %t.ll -o %t.split.ll
// RUN: FileCheck --check-prefix=SPLIT %s < %t.split.ll
// RUN: %opt -passes=verify -disable-output %t.split.ll
// RUN: env LINEPROF_PLAIN_COPIES=0 %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.none.ll
// RUN: FileCheck --check-prefix=NONE %s < %t.none.ll
#include <stdarg.h>

int leaf(int x) { return x * 3; }

int twice(int n) {
  int local[4] = {n, n, n, n};
  if (n <= 0)
    return leaf(local[1]);
  return twice(n - 1) + leaf(n);
}

// Variadic: nothing to forward its arguments with; no copy.
int sum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++)
    s += va_arg(ap, int);
  va_end(ap);
  return s;
}

// Computed goto: its label table points into the original; no copy.
int jump(int i) {
  static void *labels[] = {&&a, &&b};
  goto *labels[i & 1];
a:
  return 1;
b:
  return 2;
}

// The boot code, run by the module constructor, sets the flag on LINEPROF=0.
// CHECK: @__lineprof_off = linkonce_odr hidden global i8 0, comdat

// The test comes first; the constant-size allocas move up with it, so they
// stay in the entry block.
// CHECK-LABEL: define {{.*}}i32 @twice(
// CHECK-NEXT: lp.switch:
// CHECK-NEXT: %lp.anchor = alloca i8
// CHECK-NEXT: alloca i32
// CHECK: %lp.off{{[0-9]*}} = load i8, {{.*}}@__lineprof_off
// CHECK-NEXT: [[OFF:%[0-9a-z.]+]] = icmp ne i8 %lp.off{{[0-9]*}}, 0
// CHECK-NEXT: br i1 [[OFF]], label %lp.off{{[0-9]*}}, label %{{[0-9a-z.]+}}, !prof {{.*}}, !lineprof.switch
// CHECK: lp.off{{[0-9]*}}:
// CHECK-NEXT: musttail call i32 @twice.lp.plain(i32 {{(noundef )?}}%{{[0-9a-z]+}}) #[[NOINLINE:[0-9]+]], !dbg
// CHECK-NEXT: ret i32
// CHECK: call {{.*}}@__lineprof_get_buffer

// The variadic and computed-goto functions are instrumented, without test.
// CHECK-LABEL: define {{.*}}i32 @sum(
// CHECK-NOT: __lineprof_off
// CHECK: call {{.*}}@__lineprof_get_buffer
// CHECK-LABEL: define {{.*}}i32 @jump(
// CHECK-NOT: __lineprof_off
// CHECK: call {{.*}}@__lineprof_get_buffer

// The copies: internal, uninstrumented, calling each other.
// CHECK-LABEL: define internal i32 @leaf.lp.plain(
// CHECK-NOT: lineprof
// CHECK: ret i32
// CHECK-LABEL: define internal i32 @twice.lp.plain(
// CHECK-NOT: lineprof
// CHECK: call i32 @leaf.lp.plain(
// CHECK-NOT: lineprof
// CHECK: call i32 @twice.lp.plain(
// CHECK-NOT: lineprof
// CHECK: call i32 @leaf.lp.plain(
// CHECK: ret i32
// CHECK: define linkonce_odr hidden void @__lineprof_boot()
// CHECK: store i8 1, {{.*}}@__lineprof_off
// CHECK: attributes #[[NOINLINE]] = { noinline }

// NOCOPY-NOT: @sum.lp.plain
// NOCOPY-NOT: @jump.lp.plain

// After the split, @twice is the test and two tail calls; its body, debug
// info and all, is @twice.lp.prof.
// SPLIT-LABEL: define {{.*}}i32 @twice(i32
// SPLIT-NOT: !dbg
// SPLIT-NEXT: load i8, {{.*}}@__lineprof_off
// SPLIT-NEXT: icmp ne i8
// SPLIT-NEXT: br i1
// At -O0 (this file) ordinary calls, which the fast instruction selector
// takes; musttail calls when optimizing (tests/ir/inlined-switch.c).
// SPLIT: %{{[0-9]+}} = call i32 @twice.lp.plain(i32 {{(noundef )?}}%0)
// SPLIT-NEXT: ret i32
// SPLIT: %{{[0-9]+}} = call i32 @twice.lp.prof(i32 {{(noundef )?}}%0)
// SPLIT-NEXT: ret i32
// SPLIT-NEXT: }
// SPLIT-LABEL: define internal i32 @twice.lp.prof(i32 {{.*}}) {{.*}}!dbg
// SPLIT-NOT: __lineprof_off
// SPLIT: call {{.*}}@__lineprof_get_buffer

// NONE-NOT: lp.plain
// NONE-NOT: lp.switch

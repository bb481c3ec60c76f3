// Bounded code: a segment without calls, or a whole function without calls
// and without loops, of at most 1024 instructions (a call of a bounded
// function counting as its callee's), runs a fixed sequence of
// instructions, and cannot take microseconds except by a page fault, a
// switch or a stall. The probes say so to the runtime with the weight's top
// bit (LP_SWITCH_BOUNDED), on the slow path only: a long sample of bounded
// code, weighted, with no fault and no switch of the thread counts once
// (runtime/switches.c).
// RUN: %clang -g -O0 -Xclang -disable-O0-optnone -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
#include <immintrin.h>
#include <string.h>

int straight(int x) {
  if (x > 10)
    x -= 10;
  return x * 3 + 1;
}

int looped(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += i;
  return s;
}

unsigned long libcall(const char *p) {
  return strlen(p) + 1;
}

void copy(char *d, const char *s) {
  memcpy(d, s, 64);
}

static int leaf(int x) {
  return x + 1;
}

int calls_leaf(int x) {
  return leaf(x) * 2;
}

int loops_leaf(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += leaf(i);
  return s;
}

int ext(int);
int calls_ext(int x) {
  return ext(x) + 1;
}

int rec(int n) {
  return n ? rec(n - 1) : 0;
}

// Over 1024 instructions: no longer bounded, though it has no call.
#define R4(s) s s s s
unsigned unrolled(unsigned x) {
  R4(R4(R4(R4(R4(x = x * 3u + 1u;)))))
  return x;
}

unsigned pure_ops(unsigned x) {
  return __builtin_popcount(x) + (unsigned)__builtin_expect(x > 3, 1);
}

__attribute__((target("rdrnd"))) unsigned long long random64(void) {
  unsigned long long r;
  _rdrand64_step(&r);
  return r;
}

// A function without calls or loops: its segments close bounded, and its
// exit passes the flag with a long weighted call.
// CHECK-LABEL: define {{.*}} @straight(
// CHECK-NOT: @__lineprof_close(
// CHECK: call preserve_mostcc double @__lineprof_close_bounded(
// CHECK-NOT: @__lineprof_close(
// CHECK: [[W:%[0-9]+]] = or i64 %lp.weight, -9223372036854775808
// CHECK-NEXT: store i64 {{%.+}}, {{.*}}@__lineprof_switches, i64 0, i64 130)
// CHECK-NEXT: store i64 {{%.+}}, {{.*}}@__lineprof_switches, i64 0, i64 131)
// CHECK-NEXT: store i64 [[W]], {{.*}}@__lineprof_switches, i64 0, i64 132)
// CHECK-NEXT: store i64 0, {{.*}}@__lineprof_switches, i64 0, i64 133)
// CHECK-NEXT: call preserve_mostcc double @__lineprof_switch_slow()

// A loop: its segments are bounded, the function is not.
// CHECK-LABEL: define {{.*}} @looped(
// CHECK-NOT: @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK: call preserve_mostcc double @__lineprof_close_bounded(
// CHECK-NOT: @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK: call preserve_mostcc double @__lineprof_switch_slow()
// CHECK-NOT: -9223372036854775808

// A C library call (no segment of its own) and memcpy (which can become
// one) make their segments unbounded.
// CHECK-LABEL: define {{.*}} @libcall(
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call {{.*}} @strlen(
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK-LABEL: define {{.*}} @copy(
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call void @llvm.memcpy
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-NOT: @__lineprof_close_bounded(

// A call of a bounded function of the module is bounded code: its call
// segment, and the total of a caller without loops or other calls.
// CHECK-LABEL: define {{.*}} @calls_leaf(
// CHECK-NOT: @__lineprof_close(
// CHECK: call i32 @leaf(
// CHECK-NOT: @__lineprof_close(
// CHECK: call preserve_mostcc double @__lineprof_close_bounded(
// CHECK-NOT: @__lineprof_close(
// CHECK: or i64 %lp.weight, -9223372036854775808
// CHECK-LABEL: define {{.*}} @leaf(
// CHECK-LABEL: define {{.*}} @loops_leaf(
// CHECK-NOT: @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK: call i32 @leaf(
// CHECK-NOT: @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK: call preserve_mostcc double @__lineprof_close_bounded(
// CHECK-NOT: @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK-LABEL: define {{.*}} @calls_ext(

// A call of a function defined elsewhere, or of itself, is not.
// CHECK-NOT: -9223372036854775808
// CHECK: call i32 @ext(
// CHECK-NOT: -9223372036854775808
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK-LABEL: define {{.*}} @rec(
// CHECK-NOT: -9223372036854775808
// CHECK: call i32 @rec(
// CHECK-NOT: -9223372036854775808
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// Its long line closes unbounded; `return x;` after it is bounded.
// CHECK-LABEL: define {{.*}} @unrolled(
// CHECK-NOT: -9223372036854775808
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-NOT: -9223372036854775808

// An intrinsic without side effects is bounded; rdrand, which can take
// microseconds, is not, nor is the call of the function that uses it.
// CHECK-LABEL: define {{.*}} @pure_ops(
// CHECK-NOT: @__lineprof_close(
// CHECK: call i32 @llvm.ctpop.i32(
// CHECK-NOT: @__lineprof_close(
// CHECK: or i64 %lp.weight, -9223372036854775808
// CHECK-LABEL: define {{.*}} @random64(
// CHECK-NOT: -9223372036854775808
// CHECK: call i32 @_rdrand64_step(
// CHECK-NOT: -9223372036854775808
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK-LABEL: define {{.*}} @_rdrand64_step(
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call { i64, i32 } @llvm.x86.rdrand.64()
// CHECK-NOT: @__lineprof_close_bounded(
// CHECK: call preserve_mostcc double @__lineprof_close(
// CHECK-LABEL: define {{.*}} @straight.lp.plain(

// The helper hands the runtime the weight with its flag, and keeps the
// weight without it.
// CHECK-LABEL: define internal preserve_mostcc double @__lineprof_switch_slow()
// CHECK: [[WORD:%[0-9]+]] = load i64, {{.*}}@__lineprof_switches, i64 0, i64 132)
// CHECK: and i64 [[WORD]], 9223372036854775807
// CHECK: call i64 %{{[0-9]+}}({{.*}}, i64 [[WORD]])
// The bounded close passes the flag on its slow path only.
// CHECK-LABEL: define internal preserve_mostcc double @__lineprof_close_bounded(
// CHECK: [[LONG:%[0-9]+]] = icmp ugt i64 [[D:%[0-9]+]], 4096
// CHECK-NEXT: br i1 [[LONG]], label %[[ASK:[0-9]+]], label %[[ADD:[0-9]+]]
// CHECK: [[ASK]]:
// CHECK: [[F:%[0-9]+]] = or i64 %2, -9223372036854775808
// CHECK: store i64 [[F]], {{.*}}@__lineprof_switches, i64 0, i64 132)
// CHECK: [[ADD]]:
// CHECK-NOT: -9223372036854775808
// CHECK: ret double
// CHECK-LABEL: define internal preserve_mostcc double @__lineprof_close(
// CHECK-NOT: -9223372036854775808
// CHECK: ret double

// Each block gets a hit counter in the thread's buffer, each segment a pair
// of timestamps, and the module gets its tables and a registration ctor.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=TABLE %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll

int work(int);

int pick(int n) {
  if (n > 3)
    return work(n);
  return 0;
}

// The thread's buffer pointer is thread-local; a null pointer takes the
// slow path into the runtime once per thread.
// TABLE: @__lineprof_buffer = internal thread_local
// The segment table: the call on line 13 is flagged as a call (flags 1).
// TABLE: @lp.segments = private constant {{.*}}{ i32 0, i32 0, i32 13, i32 {{[0-9]+}}, i32 1 }
// ABI 1, flags 3 (timing, debug info), 4 blocks, 1 function, 1 file.
// TABLE: @__lineprof_module = internal constant { i32, i32, i32, i32, i32, i32, {{.*}} } { i32 1, i32 3, i32 4, i32 {{[0-9]+}}, i32 1, i32 1,
// TABLE: @llvm.global_ctors = {{.*}}@__lineprof_ctor
// TABLE: @llvm.global_dtors = {{.*}}@__lineprof_dtor

// CHECK-LABEL: define {{.*}} @pick(
// CHECK: load {{.*}} @__lineprof_buffer
// CHECK: call {{.*}} @__lineprof_thread_enter(
// The entry block counts the call (function words come first: 3 per fn).
// CHECK: [[HIT:%[0-9a-z.]+]] = getelementptr inbounds i64, {{.*}}, i64 3
// CHECK-NEXT: load i64, {{.*}}[[HIT]]
// CHECK-NEXT: add i64 {{.*}}, 1
// CHECK-NEXT: store i64
// CHECK-NEXT: call i64 @llvm.readcyclecounter()
// Recursion bookkeeping: a call is primitive when no frame is active.
// CHECK: icmp uge i64
// The call to work() is a segment of its own, between two timestamps.
// CHECK: call i64 @llvm.readcyclecounter()
// CHECK-NEXT: getelementptr
// CHECK: call i32 @work(
// CHECK-NEXT: call i64 @llvm.readcyclecounter()
// At the return, a primitive call adds its duration.
// CHECK: select i1 %{{.*}}, i64 %{{.*}}, i64 0
// CHECK: ret i32

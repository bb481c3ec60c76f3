// Each block gets a hit counter in the thread's buffer and a gate that
// decides whether this execution is timed; each segment is closed by a
// timestamp on the timed path. The module gets its tables and a ctor.
// RUN: %clang -g -O0 -Xclang -disable-O0-optnone -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=TABLE %s < %t.out.ll
// RUN: %python %scripts/tables.py %t.out.ll | FileCheck --check-prefix=RECORD %s
// RUN: FileCheck --check-prefix=PROBE %s < %t.out.ll
// RUN: FileCheck --check-prefix=SCHED %s < %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// In the exact mode every execution is timed: no gate.
// RUN: env LINEPROF_MODE=exact %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.exact.ll
// RUN: FileCheck --check-prefix=EXACT %s < %t.exact.ll
// RUN: %opt -passes=verify -disable-output %t.exact.ll

int work(int);

int pick(int n) {
  if (n > 3)
    return work(n);
  return 0;
}

// The thread's buffer pointer is thread-local; a null pointer takes the
// slow path into the runtime once per thread.
// TABLE: @__lineprof_buffer = internal thread_local
// The segment table: the call on line 21 is flagged as a call (flags 1)
// to callee 0, whose name is in the callee table. The table is a flat array
// of 32-bit words, six per segment (tables.py prints them as records).
// TABLE: @lp.callee = private unnamed_addr constant [5 x i8] c"work\00"
// TABLE: @lp.segments = private constant [{{[0-9]+}} x i32] [i32 0, i32 0, i32 {{[0-9]+}},
// RECORD: segment: 0 0 21 {{[0-9]+}} 1 0
// ABI 7, flags 3 (timing, debug info), 4 blocks, 1 function, 1 file, 1 callee,
// 1 gate.
// TABLE: @__lineprof_module = internal constant { i32, i32, i32, i32, i32, i32, i32, i32, {{.*}} } { i32 7, i32 3, i32 4, i32 {{[0-9]+}}, i32 1, i32 1, i32 1, i32 1,
// TABLE: @llvm.global_ctors = {{.*}}@__lineprof_ctor
// TABLE: @llvm.global_dtors = {{.*}}@__lineprof_dtor

// CHECK-LABEL: define {{.*}} @pick(
// CHECK: call {{.*}} @__lineprof_get_buffer()
// The entry block counts the call (function words come first: 5 per fn).
// Counter accesses carry the counters' alias scope.
// CHECK: [[HIT:%[0-9a-z.]+]] = getelementptr inbounds i64, {{.*}}, i64 5
// CHECK-NEXT: [[OLD:%[0-9]+]] = load i64, {{.*}}[[HIT]], align 8, !alias.scope [[SCOPE:![0-9]+]]
// CHECK-NEXT: [[NEW:%[0-9]+]] = add i64 [[OLD]], 1
// CHECK-NEXT: store i64 [[NEW]], {{.*}}[[HIT]], align 8, !alias.scope [[SCOPE]]
// The gate: a countdown in the gate's word (after the 4 hit counters),
// one decrement and one branch on the fast path.
// CHECK-NEXT: [[CD:%[0-9]+]] = getelementptr inbounds i64, {{.*}}, i64 9
// CHECK-NEXT: [[C0:%[0-9]+]] = load i64, {{.*}}[[CD]], align 8, !alias.scope [[SCOPE]]
// CHECK-NEXT: [[C1:%[0-9]+]] = sub i64 [[C0]], 1
// CHECK-NEXT: store i64 [[C1]], {{.*}}[[CD]], align 8, !alias.scope [[SCOPE]]
// CHECK-NEXT: %lp.timed = icmp slt i64 [[C1]], 0
// CHECK-NEXT: br i1 %lp.timed, label %[[DRAW:[0-9]+]], label %[[BODY:[0-9]+]], !prof
// When it runs out, the next interval is drawn out of line from the gate's
// weight word and the hit count; the weight of this execution comes back
// in the low half, the new countdown in the high half. The probes keep the
// caller's registers (preserve_most) and return their 64 bits as a double
// (LLVM before 19 restores RAX over the return value).
// CHECK: [[DRAW]]:
// CHECK-NEXT: [[DF:%[0-9]+]] = call preserve_mostcc double @__lineprof_gate(i64 10, i64 [[NEW]])
// CHECK-NEXT: [[D:%[0-9]+]] = bitcast double [[DF]] to i64
// CHECK-NEXT: [[NEXT:%[0-9]+]] = lshr i64 [[D]], 32
// CHECK-NEXT: store i64 [[NEXT]], {{.*}}[[CD]]
// CHECK-NEXT: [[W:%[0-9]+]] = and i64 [[D]], 4294967295
// CHECK: [[BODY]]:
// CHECK-NEXT: %lp.weight = phi i64 [ [[W]], %[[DRAW]] ], [ 1, %{{[0-9]+}} ]
// Recursion bookkeeping: a call is primitive when no frame is active.
// CHECK: icmp uge i64
// A timed block starts with two timestamps, by two probe calls in a row:
// the empty segment between them measures what a segment boundary costs,
// added to the function's probe word (word 3 of function 0). The entry's
// are taken before the copies part: the exits of both need them.
// CHECK: br i1 %lp.timed, label %[[START:[0-9]+]], label %{{[0-9]+}}, !prof
// CHECK: [[START]]:
// CHECK-NEXT: [[T0F:%lp.t[0-9]*]] = call preserve_mostcc double @__lineprof_start()
// CHECK-NEXT: [[T0:%lp.t[0-9]*]] = bitcast double [[T0F]] to i64
// CHECK-NEXT: call preserve_mostcc double @__lineprof_calibrate(i64 3, i64 [[T0]], i64 %lp.weight)
// The gate's decision picks the copy of the function's code: the timed
// copy has a probe at every boundary, the untimed one none.
// CHECK: br i1 %lp.timed, label %[[TIMED:[.a-z0-9]+]], label %[[UNTIMED:[.a-z0-9]+]], !prof
// CHECK: [[TIMED]]:
// The program's own memory accesses are marked as not aliasing counters.
// CHECK: load i32, {{.*}} !noalias [[SCOPE]]
// A segment closes with (now - start) * weight added to its ticks; one
// without calls is bounded code (tests/ir/bounded.c).
// CHECK: call preserve_mostcc double @__lineprof_close_bounded(i64 {{[0-9]+}}, i64 %lp.t{{[0-9]*}}, i64 %lp.weight)
// The call to work() is a segment of its own, between two timestamps.
// CHECK: call i32 @work(
// CHECK-NEXT: load i64, {{.*}} @__lineprof_probes
// CHECK: call preserve_mostcc double @__lineprof_close(i64 {{[0-9]+}}, i64 %lp.t{{[0-9]*}}, i64 %lp.weight)
// At the return the call was primitive if the active frame is its own:
// then a timed call adds its duration, and the frame is released.
// CHECK: [[P:%lp.primitive[0-9]+]] = icmp eq i64 [[ACT:%[0-9]+]], {{%[0-9]+}}
// CHECK-NEXT: and i1 [[P]], %lp.timed
// CHECK: select i1 [[P]], i64 0, i64 [[ACT]]
// CHECK: ret i32
// The untimed copy counts its blocks and leaves the frame the same way.
// CHECK: [[UNTIMED]]:
// CHECK-NOT: @__lineprof_{{start|close|calibrate}}
// CHECK: getelementptr inbounds i64, {{.*}}, i64 6
// CHECK-NOT: @__lineprof_{{start|close|calibrate}}
// CHECK: call i32 @work(
// CHECK-NOT: @__lineprof_{{start|close|calibrate}}
// CHECK: icmp eq i64 {{.*}}, {{%[0-9]+}}
// CHECK-NOT: @__lineprof_{{start|close|calibrate}}
// CHECK: ret i32

// The buffer comes from a function that reads the thread's pointer and, the
// first time, asks the runtime; to the optimizer it is pure, so inlined
// copies merge and leave loops.
// CHECK: define internal nonnull {{.*}} @__lineprof_get_buffer() #[[ATTR:[0-9]+]]
// CHECK: load {{.*}} @__lineprof_buffer
// CHECK: call {{.*}} @__lineprof_thread_enter(
// CHECK: attributes #[[ATTR]] = { noinline nounwind {{(readnone )?}}speculatable willreturn{{( memory\(none\))?}} }

// The probes read the clock with lfence; rdtsc, and add to the buffer.
// The slow path: when the runtime gives no buffer, the module's scratch.
// PROBE-LABEL: define linkonce_odr hidden {{.*}} @__lineprof_thread_enter(
// PROBE: [[GIVEN:%[0-9]+]] = call {{.*}}(
// PROBE-NEXT: [[NONE:%[0-9]+]] = icmp eq {{.*}} [[GIVEN]], null
// PROBE-NEXT: br i1 [[NONE]], label %fallback, label %got
// PROBE-LABEL: define internal preserve_mostcc double @__lineprof_start(
// PROBE: asm sideeffect "lfence\0A\09rdtsc"
// Each timestamp is counted, so that a timed call can take the cost of those
// taken inside it off its duration.
// PROBE: [[N:%[0-9]+]] = load i64, {{.*}} @__lineprof_probes
// PROBE-NEXT: [[N1:%[0-9]+]] = add i64 [[N]], 1
// PROBE-NEXT: store i64 [[N1]], {{.*}} @__lineprof_probes
// Every 2^18 ticks or so, a note of the thread's involuntary context
// switches: the helper takes its arguments from the log's last words (now,
// d = 0, w, p) and returns a fresh timestamp, so that the note's cost is in
// no segment.
// PROBE-NEXT: [[LAST:%[0-9]+]] = load i64, {{.*}}@__lineprof_switches{{(, i64 0, i64 0\))?}}, align 8
// PROBE-NEXT: [[AGO:%[0-9]+]] = sub i64 %lp.t, [[LAST]]
// PROBE-NEXT: [[OLD:%[0-9]+]] = icmp ugt i64 [[AGO]], 262144
// PROBE-NEXT: br i1 [[OLD]], label %[[NOTE:[0-9]+]], label %[[DONE:[0-9]+]]
// PROBE: [[NOTE]]:
// PROBE-NEXT: store i64 %lp.t, {{.*}}@__lineprof_switches, i64 0, i64 130)
// PROBE-NEXT: store i64 0, {{.*}}@__lineprof_switches, i64 0, i64 131)
// PROBE-NEXT: store i64 0, {{.*}}@__lineprof_switches, i64 0, i64 132)
// PROBE-NEXT: store i64 0, {{.*}}@__lineprof_switches, i64 0, i64 133)
// PROBE-NEXT: %lp.asked = call preserve_mostcc double @__lineprof_switch_slow()
// PROBE: [[DONE]]:
// PROBE-NEXT: [[T:%.+]] = phi i64 [ %lp.asked1, %[[NOTE]] ], [ %lp.t, %entry ]
// PROBE-NEXT: [[R:%[0-9]+]] = bitcast i64 [[T]] to double
// PROBE-NEXT: ret double [[R]]
// The helper asks the runtime's __lineprof_switch, when the runtime has one.
// PROBE-LABEL: define internal preserve_mostcc double @__lineprof_switch_slow()
// PROBE: load {{.*}} @__lineprof_rt_switch
// PROBE: call i64 %{{[0-9]+}}({{.*}}@__lineprof_switches{{.*}}, i64 %{{.+}}, i64 %{{.+}}, i64 %{{.+}})
// PROBE: asm sideeffect "lfence\0A\09rdtsc"
// The calibration pair's close drops a sample over 4096 ticks: a
// preemption, not a probe's cost.
// PROBE-LABEL: define internal preserve_mostcc double @__lineprof_calibrate(
// PROBE: [[D:%[0-9]+]] = sub i64
// PROBE: [[BIG:%[0-9]+]] = icmp ugt i64 [[D]], 4096
// PROBE-NEXT: [[KEPT:%[0-9]+]] = select i1 [[BIG]], i64 0, i64 [[D]]
// PROBE: mul i64 [[KEPT]]
// A close: a sample over 4096 ticks goes to the helper, which asks for its
// weight if it stands for more than one execution (1 if the thread was
// switched out in it), adds it and returns a fresh timestamp.
// PROBE-LABEL: define internal preserve_mostcc double @__lineprof_close(
// PROBE: load {{.*}} @__lineprof_buffer
// PROBE: asm sideeffect "lfence\0A\09rdtsc"
// PROBE: [[D:%[0-9]+]] = sub i64 %lp.t, %1
// PROBE-NEXT: [[P:%[0-9]+]] = getelementptr inbounds i64, {{.*}}, i64 %0
// PROBE-NEXT: [[LONG:%[0-9]+]] = icmp ugt i64 [[D]], 4096
// PROBE-NEXT: br i1 [[LONG]], label %[[ASKB:[0-9]+]], label %[[ADD:[0-9]+]]
// PROBE: [[ASKB]]:
// PROBE: store i64 [[D]], {{.*}}@__lineprof_switches, i64 0, i64 131)
// PROBE-NEXT: store i64 %2, {{.*}}@__lineprof_switches, i64 0, i64 132)
// PROBE: call preserve_mostcc double @__lineprof_switch_slow()
// PROBE: ret double
// PROBE: [[ADD]]:
// PROBE: mul i64 [[D]], %2
// The schedule: interval 1 up to 64 hits, then P/2 + (hash & (P-1)) for
// P = 16, 1024 and 4096 (stored minus one), the hash being the top 12 bits
// of a multiplicative hash of the hit count.
// SCHED-LABEL: define internal preserve_mostcc double @__lineprof_gate(i64 %0, i64 %1)
// SCHED: [[PREV:%[0-9]+]] = load i64, {{.*}} !alias.scope
// SCHED: [[H0:%[0-9]+]] = mul i64 %1, -7046029254386353131
// SCHED-NEXT: [[H:%[0-9]+]] = lshr i64 [[H0]], 52
// SCHED-DAG: icmp ult i64 %1, 64
// SCHED-DAG: icmp ult i64 %1, 2048
// SCHED-DAG: icmp ult i64 %1, 1048576
// SCHED-DAG: add i64 7, {{%[0-9]+}}
// SCHED-DAG: add i64 511, {{%[0-9]+}}
// SCHED-DAG: add i64 2047, {{%[0-9]+}}
// SCHED: [[N:%[0-9]+]] = select i1 {{%[0-9]+}}, i64 0, i64
// SCHED-NEXT: store i64 [[N]]
// SCHED-NEXT: [[WT:%[0-9]+]] = add i64 [[PREV]], 1
// SCHED-NEXT: [[HI:%[0-9]+]] = shl i64 [[N]], 32
// SCHED-NEXT: [[RET:%[0-9]+]] = or i64 [[WT]], [[HI]]
// SCHED-NEXT: bitcast i64 [[RET]] to double

// EXACT-LABEL: define {{.*}} @pick(
// EXACT-NOT: lp.timed
// EXACT: [[E0F:%lp.t[0-9]*]] = call preserve_mostcc double @__lineprof_start()
// EXACT-NEXT: [[E0:%lp.t[0-9]*]] = bitcast double [[E0F]] to i64
// EXACT-NEXT: call preserve_mostcc double @__lineprof_calibrate(i64 3, i64 [[E0]], i64 1)
// EXACT: ret i32

// Compiled without optnone (-disable-O0-optnone), as when optimizing: at
// -O0 the probes are plain C calls (tests/ir/pipelines.c).

// In counts mode the counters sit on edges: a block's count is what
// enters it, and what enters a block leaves it, so counting the edges that
// a spanning tree of the graph leaves out is enough; the runtime derives
// the rest (lp_edge_desc). The tree takes the hottest edges by the
// optimizer's estimate, so a loop's own edges carry no counter where they
// can do without. A block with a call that may not return has an uncounted
// edge to the exit (flag 1), so that a longjmp or exit() keeps counts
// exact. The time mode keeps one counter per block.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: env LINEPROF_MODE=counts %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=TABLE %s < %t.out.ll
// RUN: %python %scripts/tables.py %t.out.ll | FileCheck --check-prefix=EDGES %s
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll | FileCheck --check-prefix=TIME %s
// At -O2 the arms of steps() became a select in the block of the loop's
// back edge, as in a build without lineprof: no branch on x & 1.
// RUN: env LINEPROF_MODE=counts %clang -g -O2 -fpass-plugin=%plugin -S -emit-llvm %s -o - | FileCheck --check-prefix=O2 %s

int g(int);

unsigned steps(unsigned long x) {
  unsigned n = 0;
  while (x != 1) {
    if (x & 1)
      x = 3 * x + 1;
    else
      x >>= 1;
    n++;
  }
  return n;
}

int with_call(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) {
    if (i & 1)
      s += g(i);
    else
      s--;
  }
  return s;
}

// A function of one block with a call would need two counters (its calls,
// and its returns: the call may not come back) where its block needs one:
// it keeps one counter per block.
int wrap(int x) { return g(x) + 1; }

// steps(): 7 blocks, 10 edges and the exit-to-entry edge, 9 nodes with
// the entry and the exit: 3 counters. The odd arm is counted at its branch
// (the condition added), the loop's back edge by an increment, and the
// return at the return. Not the even arm at its branch too (`+= !odd`),
// which cost one more instruction per iteration, nor an increment in
// either arm, which would keep the arms from becoming a select.
// CHECK-LABEL: define {{.*}} @steps(
// CHECK-NOT: lineprof.counter
// CHECK: [[ODD:%[0-9]+]] = icmp ne i64 {{%[0-9]+}}, 0
// CHECK: [[T:%[0-9]+]] = zext i1 [[ODD]] to i64
// CHECK-NEXT: %lp.edge = getelementptr inbounds i64, {{.*}}, i64 15
// CHECK: add i64 {{%[0-9]+}}, [[T]]
// CHECK: br i1 [[ODD]], label %[[THEN:[0-9]+]], label %[[ELSE:[0-9]+]]
// CHECK: [[THEN]]:
// CHECK-NOT: lineprof.counter
// CHECK: [[ELSE]]:
// CHECK-NOT: lineprof.counter
// CHECK: %lp.edge1 = getelementptr inbounds i64, {{.*}}, i64 16
// CHECK-NEXT: load
// CHECK-NEXT: add i64 {{%[0-9]+}}, 1
// CHECK-NEXT: store
// CHECK-NEXT: br label
// CHECK: %lp.edge2 = getelementptr inbounds i64, {{.*}}, i64 17
// CHECK-NEXT: load
// CHECK-NEXT: add
// CHECK-NEXT: store
// CHECK-NEXT: ret i32
// CHECK-NOT: lineprof.counter
// The arm with a call is counted in the arm, after the call: an increment
// where the edge is taken (an arm with a call does not become a select).
// CHECK-LABEL: define {{.*}} @with_call(
// CHECK: call i32 @g(
// CHECK: %lp.edge{{[0-9]+}} = getelementptr
// CHECK-NEXT: load
// CHECK-NEXT: add
// CHECK-NEXT: store
// CHECK-NEXT: br label

// steps() and with_call() are flagged LP_FN_EDGE_COUNTS (2), steps()
// also LP_FN_NO_REENTRY (1); wrap() is not.
// TABLE: @lp.functions = {{.*}} i32 0, i32 3 }, {{.*}} i32 7, i32 2 }, {{.*}} i32 15, i32 0 }]
// The edge table: function, from, to (-2 the entry, -1 the exit), counter
// slot (-1: derived), flags. steps() has blocks 0 to 6; its three counters
// are the slots of its first three blocks.
// The table holds 22 edges of 5 words.
// TABLE: @lp.edges = private constant [110 x i32]
// EDGES: edge: 0 -2 0 -1 0
// EDGES: edge: 0 2 3 0 0
// EDGES-NEXT: edge: 0 2 4 -1 0
// EDGES: edge: 0 5 1 1 0
// EDGES-NEXT: edge: 0 6 -1 2 0
// The call's block (10) in with_call() leaves through an uncounted edge too.
// EDGES: edge: 1 10 -1 -1 1
// EDGES-NOT: edge: 2
// TABLE: @__lineprof_module = internal constant {{.*}} { i32 7, i32 2, i32 16,

// TIME-NOT: lp.edge
// TIME: @lp.functions = {{.*}} i32 0, i32 1 }, {{.*}} i32 7, i32 0 }, {{.*}} i32 15, i32 0 }]

// O2-LABEL: define internal {{.*}} @steps.lp.prof(
// O2: select i1
// O2-NOT: {{^}}{{[0-9]+}}:
// O2: br i1 {{%[0-9]+}}, label %{{[0-9]+}}, label %{{[0-9]+}}, {{.*}}!llvm.loop

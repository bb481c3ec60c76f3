// In counts mode, a small block without calls inside a loop whose only way
// in is one side of a conditional branch is counted at that branch: its
// counter adds the condition, and the block itself carries no counter, so
// that the optimizer can still turn a small if/else into a select. Blocks
// with calls, loop exits and the time mode keep a counter of their own.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: env LINEPROF_MODE=counts %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: FileCheck %s < %t.out.ll
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

// CHECK-LABEL: define {{.*}} @steps(
// The loop header counts itself, then the loop body at its branch...
// CHECK: %lp.hit{{[0-9]+}} = getelementptr
// CHECK: [[MORE:%[0-9]+]] = icmp ne i64 {{%[0-9]+}}, 1
// CHECK: %lp.edge = getelementptr
// CHECK-NEXT: [[M:%[0-9]+]] = zext i1 [[MORE]] to i64
// CHECK: add i64 {{%[0-9]+}}, [[M]]
// CHECK: br i1 [[MORE]], label %[[BODY:[0-9]+]], label %[[EXIT:[0-9]+]]
// ...which counts both arms at its own: the true side adds the condition,
// the false side its negation.
// CHECK: [[BODY]]:
// CHECK-NOT: lineprof.counter
// CHECK: [[ODD:%[0-9]+]] = icmp ne i64 {{%[0-9]+}}, 0
// CHECK: [[T:%[0-9]+]] = zext i1 [[ODD]] to i64
// CHECK: add i64 {{%[0-9]+}}, [[T]]
// CHECK: [[EVEN:%[0-9]+]] = xor i1 [[ODD]], true
// CHECK: [[F:%[0-9]+]] = zext i1 [[EVEN]] to i64
// CHECK: add i64 {{%[0-9]+}}, [[F]]
// CHECK: br i1 [[ODD]], label %[[THEN:[0-9]+]], label %[[ELSE:[0-9]+]]
// CHECK: [[THEN]]:
// CHECK-NOT: lineprof.counter
// CHECK: br label %[[JOIN:[0-9]+]]
// CHECK: [[ELSE]]:
// CHECK-NOT: lineprof.counter
// CHECK: br label %[[JOIN]]
// The join has two ways in, and the loop's exit is outside the loop.
// CHECK: [[JOIN]]:
// CHECK-NEXT: %lp.hit{{[0-9]+}} = getelementptr
// CHECK: [[EXIT]]:
// CHECK-NEXT: %lp.hit{{[0-9]+}} = getelementptr

// The arm with a call keeps its counter; the other is counted at the branch.
// CHECK-LABEL: define {{.*}} @with_call(
// CHECK: [[ODD2:%[0-9]+]] = icmp ne i32 {{%[0-9]+}}, 0
// CHECK: [[EVEN2:%[0-9]+]] = xor i1 [[ODD2]], true
// CHECK-NEXT: %lp.edge{{[0-9]+}} = getelementptr
// CHECK: br i1 [[ODD2]], label %[[CALLS:[0-9]+]], label %[[DEC:[0-9]+]]
// CHECK: [[CALLS]]:
// CHECK-NEXT: %lp.hit{{[0-9]+}} = getelementptr
// CHECK: call i32 @g(
// CHECK: [[DEC]]:
// CHECK-NOT: lineprof.counter
// CHECK: br label

// TIME-NOT: lp.edge

// O2-LABEL: define internal {{.*}} @steps.lp.prof(
// O2: select i1
// O2-NOT: {{^}}{{[0-9]+}}:
// O2: br i1 {{%[0-9]+}}, label %{{[0-9]+}}, label %{{[0-9]+}}, {{.*}}!llvm.loop

// At -O0 the fast instruction selector cannot address a thread-local
// variable and hands the block to SelectionDAG. The timed copies read the
// thread's timestamp count and write its switch log in many blocks, so at
// -O0 they reach both through a call; only the buffer's slot, read once at
// the entry, stays a thread-local access in an instrumented function.
// The function's own body, the test of LINEPROF=0 and the calls of its two
// versions, is selected fast too: at -O0 they are not tail calls.
// RUN: %clang -g -O0 -fpass-plugin=%plugin -Rpass-missed=sdagisel -c %s -o %t.o 2> %t.remarks
// RUN: FileCheck %s < %t.remarks
// RUN: FileCheck --check-prefix=NOTLS %s < %t.remarks
// RUN: FileCheck --check-prefix=WRAPPER %s < %t.remarks

// CHECK: FastISel missed: {{.*}}@__lineprof_buffer{{.*}}(in function: work.lp.prof)
// NOTLS-NOT: FastISel missed{{.*}}@__lineprof_{{probes|switches}}{{.*}}(in function: work
// WRAPPER-NOT: FastISel missed{{.*}}(in function: work)

int step(int);

int work(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) {
    if (i & 1)
      s += step(i);
    else
      s -= i;
  }
  return s;
}

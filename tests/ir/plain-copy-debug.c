// The plain copies get debug info of their own (a distinct subprogram each)
// and share everything else with the instrumented functions: the compile
// unit keeps its lists of enums, retained types and globals (the pass sets
// them aside while it copies), and a struct type stays one node.
// RUN: %clang -g -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o %t.ll
// RUN: %opt -load-pass-plugin=%plugin -passes=lineprof -S %t.ll -o %t.out.ll
// RUN: %opt -passes=verify -disable-output %t.out.ll
// RUN: FileCheck %s < %t.out.ll
// RUN: FileCheck --check-prefix=STRUCT %s < %t.out.ll

// CHECK: define {{.*}} @norm(
// CHECK: define {{.*}} @walk(
// CHECK: define internal {{.*}} @norm.lp.plain({{.*}}) {{.*}}!dbg [[PNORM:![0-9]+]]
// CHECK: define internal {{.*}} @walk.lp.plain({{.*}}) {{.*}}!dbg [[PWALK:![0-9]+]]
// CHECK: distinct !DICompileUnit({{.*}}enums: ![[E:[0-9]+]], retainedTypes: ![[R:[0-9]+]], globals: ![[G:[0-9]+]]
// CHECK: ![[E]] = !{![[COLOR:[0-9]+]]}
// CHECK: ![[COLOR]] = !DICompositeType(tag: DW_TAG_enumeration_type, name: "color"
// CHECK: ![[R]] = !{![[RT1:[0-9]+]], ![[RT2:[0-9]+]]}
// CHECK: ![[G]] = !{![[G1:[0-9]+]], ![[G2:[0-9]+]]}
// CHECK: distinct !DISubprogram(name: "norm"
// CHECK: distinct !DISubprogram(name: "walk"
// CHECK: [[PNORM]] = distinct !DISubprogram(name: "norm"
// CHECK: [[PWALK]] = distinct !DISubprogram(name: "walk"

// STRUCT-COUNT-1: DW_TAG_structure_type, name: "point"
// STRUCT-NOT: DW_TAG_structure_type, name: "point"

enum color { RED, GREEN };
struct point {
  int x, y;
  struct point *next;
};
struct point origin = {0, 0, 0};
static enum color last = GREEN;

int norm(struct point *p) {
  struct point q = *p;
  return q.x * q.x + q.y * q.y + (int)last + (int)(long)&origin;
}

int walk(struct point *p) {
  int s = 0;
  for (; p; p = p->next)
    s += norm(p);
  return s;
}

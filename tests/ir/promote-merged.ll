; Counter promotion must see every access to a counter, not only those that
; still carry !lineprof.counter. SimplifyCFG merges the increments of two
; blocks into their successor, through a phi of the two addresses, and
; drops the metadata on the way. Here %latch increments c1 or c2 that way
; while %then increments c1 directly: promoting c1 would keep two copies
; of it, and the one stored last at the exit would lose the other's
; counts. c1 and c2 stay in memory; c0, touched only directly, is promoted.
; @g is the other form of the same merge: one GEP whose offset is a phi of
; the two counters' offsets.
; RUN: %opt -load-pass-plugin=%plugin -passes=lineprof-lower -S %s -o %t.ll
; RUN: FileCheck %s < %t.ll
; RUN: %opt -passes=verify -disable-output %t.ll

@__lineprof_buffer = internal thread_local global i8* null

declare i8* @__lineprof_thread_enter(i8*, i8*, i8*)

define internal i8* @__lineprof_get_buffer() noinline {
entry:
  %cur = load i8*, i8** @__lineprof_buffer
  %none = icmp eq i8* %cur, null
  br i1 %none, label %slow, label %done

slow:
  %fresh = call i8* @__lineprof_thread_enter(i8* null, i8* bitcast (i8** @__lineprof_buffer to i8*), i8* null)
  br label %done

done:
  %b = phi i8* [ %cur, %entry ], [ %fresh, %slow ]
  ret i8* %b
}

define void @f(i32* %a, i32 %n) {
entry:
  %buf8 = call i8* @__lineprof_get_buffer()
  %buf = bitcast i8* %buf8 to i64*
  %c0 = getelementptr inbounds i64, i64* %buf, i64 0
  %c1 = getelementptr inbounds i64, i64* %buf, i64 1
  %c2 = getelementptr inbounds i64, i64* %buf, i64 2
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %latch ]
  %h = load i64, i64* %c0, !lineprof.counter !0
  %h1 = add i64 %h, 1
  store i64 %h1, i64* %c0, !lineprof.counter !0
  %p = getelementptr i32, i32* %a, i32 %i
  %x = load i32, i32* %p
  %pos = icmp sgt i32 %x, 0
  br i1 %pos, label %then, label %else

then:
  %t = load i64, i64* %c1, !lineprof.counter !0
  %t1 = add i64 %t, 1
  store i64 %t1, i64* %c1, !lineprof.counter !0
  br label %latch

else:
  br label %latch

latch:
  %m = phi i64* [ %c1, %then ], [ %c2, %else ]
  %v = load i64, i64* %m
  %v1 = add i64 %v, 1
  store i64 %v1, i64* %m
  %i1 = add i32 %i, 1
  %end = icmp eq i32 %i1, %n
  br i1 %end, label %exit, label %loop

exit:
  ret void
}

define void @g(i32* %a, i32 %n) {
entry:
  %buf8 = call i8* @__lineprof_get_buffer()
  %buf = bitcast i8* %buf8 to i64*
  %c0 = getelementptr inbounds i64, i64* %buf, i64 0
  %c1 = getelementptr inbounds i64, i64* %buf, i64 1
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %latch ]
  %h = load i64, i64* %c0, !lineprof.counter !0
  %h1 = add i64 %h, 1
  store i64 %h1, i64* %c0, !lineprof.counter !0
  %p = getelementptr i32, i32* %a, i32 %i
  %x = load i32, i32* %p
  %pos = icmp sgt i32 %x, 0
  br i1 %pos, label %then, label %else

then:
  %t = load i64, i64* %c1, !lineprof.counter !0
  %t1 = add i64 %t, 1
  store i64 %t1, i64* %c1, !lineprof.counter !0
  br label %latch

else:
  br label %latch

latch:
  %off = phi i64 [ 8, %then ], [ 16, %else ]
  %m8 = getelementptr inbounds i8, i8* %buf8, i64 %off
  %m = bitcast i8* %m8 to i64*
  %v = load i64, i64* %m
  %v1 = add i64 %v, 1
  store i64 %v1, i64* %m
  %i1 = add i32 %i, 1
  %end = icmp eq i32 %i1, %n
  br i1 %end, label %exit, label %loop

exit:
  ret void
}

!0 = !{}

; CHECK-LABEL: define void @f(
; CHECK-NOT: call {{.*}}@__lineprof_get_buffer
; c0 is loaded once before the loop...
; CHECK: %lp.counter = load i64, {{.*}}!lineprof.counter
; CHECK: loop:
; CHECK-NOT: load i64, {{.*}}%c0
; ...and c1 and c2 are still counted in memory inside it.
; CHECK: then:
; CHECK: %t = load i64, {{.*}}%c1
; CHECK: store i64 %t1, {{.*}}%c1
; CHECK: latch:
; CHECK: %v = load i64, {{.*}}%m
; CHECK: store i64 %v1, {{.*}}%m
; CHECK: exit:
; c0's register goes back to memory at the exit, c1's and c2's never did.
; CHECK-NEXT: store i64 %h1, {{.*}}!lineprof.counter
; CHECK-NEXT: ret void

; CHECK-LABEL: define void @g(
; CHECK: %lp.counter = load i64, {{.*}}!lineprof.counter
; CHECK: then:
; CHECK: %t = load i64, {{.*}}%c1
; CHECK: store i64 %t1, {{.*}}%c1
; CHECK: latch:
; CHECK: %v = load i64, {{.*}}%m
; CHECK: exit:
; CHECK-NEXT: store i64 %h1, {{.*}}!lineprof.counter
; CHECK-NEXT: ret void

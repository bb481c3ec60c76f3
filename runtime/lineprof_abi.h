/* The binary interface between the pass plugin and the runtime.
 *
 * The plugin emits one `struct lp_module_desc` per translation unit, with its
 * tables, and code that keeps per-thread counters in a buffer laid out as
 * described below. The runtime reads these structures; it never writes them.
 * Any change to a layout here bumps LP_ABI_VERSION, and plugin/LineProf.cpp
 * must be changed in step (it builds the same layouts as LLVM constants).
 */
#ifndef LINEPROF_ABI_H
#define LINEPROF_ABI_H

#include <stdint.h>

#define LP_ABI_VERSION 7

/* lp_module_desc.flags */
#define LP_MOD_TIMING 0x1u    /* timestamps were placed (not counts-only) */
#define LP_MOD_DEBUGINFO 0x2u /* the module had debug info: lines are real */

/* lp_segment_desc.flags */
#define LP_SEG_CALL 0x1u /* the segment is one call: its time is callee time */
#define LP_SEG_CALL_PROBES 0x2u /* not code: its ticks word counts the
                                   timestamps taken inside the call segment
                                   just before it (weighted) */

#define LP_NO_CALLEE 0xffffffffu /* lp_segment_desc.callee of a non-call */

/* A segment is a run of instructions of one block on one source line, or a
 * single call. Timestamps bound segments; each block has one hit counter. */
struct lp_segment_desc {
  uint32_t function; /* index into lp_module_desc.functions */
  uint32_t file;     /* index into files */
  uint32_t line;     /* source line, 0 when the code has no location */
  uint32_t block;    /* index of the block's hit counter */
  uint32_t flags;    /* LP_SEG_* */
  uint32_t callee;   /* a call's callee: index into callees ("" when the
                        call is indirect); LP_NO_CALLEE otherwise */
};

struct lp_function_desc {
  const char *name;         /* display name (demangled for C++) */
  const char *linkage_name; /* symbol name */
  uint32_t file;            /* index into files */
  uint32_t line;            /* first line, 0 without debug info */
  uint32_t entry_block;     /* counter of the entry block: the call count */
  uint32_t flags;           /* LP_FN_* */
};

/* lp_function_desc.flags */
#define LP_FN_NO_REENTRY 0x1u /* no call of the function can start while
                                 another is active on the thread (it calls
                                 nothing that could call it): its primitive
                                 calls are its calls, and its
                                 LP_FN_PRIMITIVE_CALLS and LP_FN_ACTIVE_FRAME
                                 words are not kept */
#define LP_FN_EDGE_COUNTS 0x2u /* counts mode: the function's hit counter
                                  slots count edges (lp_edge_desc), not
                                  blocks; the runtime derives the blocks */
#define LP_FN_SELF_REENTRY 0x4u /* counts mode: only the function's own
                                   direct calls of itself can start a call
                                   while another is active; its primitive
                                   calls are its calls minus the calls its
                                   call segments to itself made, and its
                                   LP_FN_PRIMITIVE_CALLS and
                                   LP_FN_ACTIVE_FRAME words are not kept */

/* An edge of the control-flow graph of a function counted on edges. The
 * function's edges, with the edge from its exit to its entry left
 * implied, satisfy flow conservation: what enters a block leaves it. The
 * edges without a counter form a spanning tree, so each one's count
 * follows from the counted ones. A block's count is the sum of its
 * incoming edges that are not LP_EDGE_FAKE. */
#define LP_EDGE_ENTRY 0xfffffffeu /* src: the function's entry */
#define LP_EDGE_EXIT 0xffffffffu  /* dst: the function's exit */
#define LP_NO_COUNTER 0xffffffffu /* counter: derived */
#define LP_EDGE_FAKE 0x1u /* no branch: the way out of a block through a
                             call that did not return (longjmp, exit, an
                             exception, a signal), or back into one at its
                             setjmp's second return */
struct lp_edge_desc {
  uint32_t function; /* index into functions; edges are sorted by it */
  uint32_t src;      /* block index (as in segments), or LP_EDGE_ENTRY */
  uint32_t dst;      /* block index, or LP_EDGE_EXIT */
  uint32_t counter;  /* hit counter slot, or LP_NO_COUNTER */
  uint32_t flags;    /* LP_EDGE_* */
};

struct lp_module_desc {
  uint32_t abi_version; /* LP_ABI_VERSION */
  uint32_t flags;       /* LP_MOD_* */
  uint32_t n_blocks;    /* hit counters */
  uint32_t n_segments;  /* timed segments */
  uint32_t n_functions;
  uint32_t n_files;
  uint32_t n_callees;
  uint32_t n_gates;                        /* sampling gates (time mode) */
  const char *name;                        /* the translation unit's source */
  const char *const *files;                /* n_files absolute paths */
  const char *const *checksums;            /* n_files, "md5:<hex>" or "" */
  const struct lp_function_desc *functions; /* n_functions */
  const struct lp_segment_desc *segments;  /* n_segments */
  const char *const *callees;              /* n_callees symbol names */
  uint64_t module_hash;                    /* identity of the module's code */
  uint32_t n_edges;                        /* edges of LP_FN_EDGE_COUNTS
                                              functions */
  const struct lp_edge_desc *edges;        /* n_edges */
};

/* Per-thread buffer of one module, in 64-bit words:
 *   [0, F)          F = LP_FN_WORDS * n_functions: per function, LP_FN_*
 *   [F, +n_blocks)  hits per block (of a LP_FN_EDGE_COUNTS function: its
 *                   edge counters, in the slots of its blocks)
 *   [.., +LP_GATE_WORDS * n_gates)  per gate (a function entry or a loop
 *                   header of the time mode): LP_GATE_* words, the state of
 *                   its sampling schedule; not counts
 *   [.., +n_segments)  ticks per segment (inclusive)
 * The instrumented code updates all of them directly, with plain loads and
 * stores: the buffer belongs to one thread. */
#define LP_FN_PRIMITIVE_CALLS 0 /* calls with no active frame of the same fn */
#define LP_FN_INCLUSIVE_TICKS 1 /* ticks spent in primitive calls */
#define LP_FN_ACTIVE_FRAME 2    /* stack address of the outermost live frame */
#define LP_FN_PROBE_TICKS 3     /* ticks of the empty segment that each timed
                                   block starts with: the cost of one probe
                                   in this function's code, weighted */
#define LP_FN_INCLUSIVE_PROBES 4 /* timestamps taken inside the timed
                                    primitive calls, weighted: their cost is
                                    not the function's */
#define LP_FN_WORDS 5

#define LP_GATE_COUNTDOWN 0 /* executions to skip before the next timed one */
#define LP_GATE_WEIGHT 1    /* the current interval's length, minus one: the
                               executions the next timed one stands for */
#define LP_GATE_WORDS 2

static inline uint64_t lp_hits_offset(const struct lp_module_desc *m) {
  return (uint64_t)LP_FN_WORDS * m->n_functions;
}
static inline uint64_t lp_gates_offset(const struct lp_module_desc *m) {
  return lp_hits_offset(m) + m->n_blocks;
}
static inline uint64_t lp_ticks_offset(const struct lp_module_desc *m) {
  return lp_gates_offset(m) + (uint64_t)LP_GATE_WORDS * m->n_gates;
}
static inline uint64_t lp_buffer_words(const struct lp_module_desc *m) {
  return lp_ticks_offset(m) + m->n_segments;
}

/* Entry points the instrumented code reaches through dlsym; the only symbols
 * the runtime exports. */
void __lineprof_register(const struct lp_module_desc *m);
void __lineprof_unregister(const struct lp_module_desc *m);
/* Returns the calling thread's buffer for m (and stores it in *slot), or
 * NULL when there is none: the caller then counts into scratch memory. */
uint64_t *__lineprof_thread_init(const struct lp_module_desc *m, uint64_t **slot);
void __lineprof_before_exec(void);

/* A timed sample weighted by more than one execution stands for the whole
 * interval its gate skipped; one that the scheduler preempted would count
 * the preemption that many times (a 4 ms time slice at weight 4096: 16 s).
 * The instrumented code keeps, per thread and image, a log of the thread's
 * involuntary context switches (LP_SWITCH_* words, written by the runtime
 * only) and asks:
 *   __lineprof_switch(log, now, 0, 0): note the count at `now` (the timed
 *       path does so when LP_SWITCH_LAST is more than LP_SWITCH_EVERY
 *       ticks old); returns 0.
 *   __lineprof_switch(log, now, d, w): for a sample [now - d, now] longer
 *       than LP_SWITCH_LONG ticks, of weight w > 1: returns 1 if the thread
 *       was switched out involuntarily since the newest note at or before
 *       its start, else w. With no such note (older than the log), w.
 *       LP_SWITCH_BOUNDED set in w marks a sample of bounded code (a
 *       segment, or a whole call, of a fixed, short run of instructions,
 *       without loops and calling only such code): one
 *       longer than LP_STALL_LONG ticks returns 1 also when the thread had
 *       no page fault and no switch since the note (a stall: an interrupt,
 *       a signal handler, the host of a virtual machine); the bit is not
 *       part of the weight returned. */
#define LP_SWITCH_LONG (1u << 12)  /* ticks: 1 to 4 us */
#define LP_STALL_LONG (1u << 13)   /* ticks: 2 to 8 us */
#define LP_SWITCH_BOUNDED (1ull << 63)
#define LP_SWITCH_EVERY (1u << 18) /* ticks: 65 to 260 us */
#define LP_SWITCH_NOTES 64
#define LP_SWITCH_LAST 0  /* timer at the newest note */
#define LP_SWITCH_COUNT 1 /* notes written so far */
#define LP_SWITCH_FIRST 2 /* LP_SWITCH_NOTES pairs: timer, the runtime's
                             counts (switches and faults) */
#define LP_SWITCH_WORDS (LP_SWITCH_FIRST + 2 * LP_SWITCH_NOTES)
/* (The instrumented code keeps words of its own after these: the
 * arguments of its out-of-line helper, which passes them in memory so that
 * the probes that call it need not save the registers they would take.) */
uint64_t __lineprof_switch(uint64_t *log, uint64_t now, uint64_t d, uint64_t w);

#endif

/* lineprof's public header: what a profiled program may include.
 *
 * Profiling needs nothing from this header: compile with
 *   clang -g -fpass-plugin=<libdir>/libline.so
 * This header only gives the version and a marker for functions. */
#ifndef LINEPROF_H
#define LINEPROF_H

#define LINEPROF_VERSION_MAJOR 0
#define LINEPROF_VERSION_MINOR 1
#define LINEPROF_VERSION_PATCH 0
#define LINEPROF_SCHEMA_VERSION 2 /* of the database the runtime writes */

/* Marks a function, as Python's @profile does: with LINEPROF_SELECT=marked
 * at compile time, only marked functions are instrumented. */
#if defined(__clang__)
#define LINEPROF_PROFILE __attribute__((annotate("lineprof")))
#else
#define LINEPROF_PROFILE
#endif

#endif

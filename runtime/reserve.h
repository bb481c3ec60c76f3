/* Growing arrays, shared by the runtime's writer and the CLI. */
#ifndef LINEPROF_RESERVE_H
#define LINEPROF_RESERVE_H

#include <stddef.h>
#include <stdlib.h>

/* Makes room for element `count` of an array of `size`-byte elements,
 * doubling it (from 64). Returns 0, or -1 when out of memory (*items is
 * then unchanged). */
static inline int lp_reserve(void **items, size_t *cap, size_t count,
                             size_t size) {
  if (count < *cap)
    return 0;
  size_t want = *cap ? *cap * 2 : 64;
  void *bigger =
      want > ((size_t)-1) / size ? NULL : realloc(*items, want * size);
  if (!bigger)
    return -1;
  *items = bigger;
  *cap = want;
  return 0;
}

#endif

/* Block counts of the functions counted on edges (LP_FN_EDGE_COUNTS): the
 * plugin counts only the edges that a spanning tree of the function's
 * graph leaves out; each tree edge follows from flow conservation at a
 * node where it is the only edge not yet known, so the tree is solved
 * from its leaves inwards, in time linear in the edges.
 *
 * Counters are read while other threads may run, and a fatal signal can
 * stop a thread inside a block, after the edge that entered it and before
 * the one that leaves; a derived count can then be off by one (a negative
 * one is clamped to 0). Frames waiting in a call are never off: their
 * blocks have an edge to the exit that absorbs the difference. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Solves one function: n blocks starting at block `base`, edges e[0..k).
 * Node n is the entry, n + 1 the exit; edge k is the implied exit-to-entry
 * edge. Writes the n block counts to hits + base. Returns 0, or -1 when
 * memory runs out or the table is out of step with the blocks. */
static int lp_solve_function(const struct lp_edge_desc *e, uint32_t k,
                             uint32_t base, uint32_t n, const uint64_t *slots,
                             uint64_t *hits) {
  size_t nodes = (size_t)n + 2, edges = (size_t)k + 1;
  uint32_t entry = n, exit_node = n + 1;
  int64_t *value = malloc(edges * sizeof *value);
  int64_t *balance = calloc(nodes, sizeof *balance); /* in minus out, known */
  uint32_t *src = malloc(2 * edges * sizeof *src), *dst = src ? src + edges : NULL;
  uint32_t *unknown = calloc(nodes, sizeof *unknown); /* unknown edges of v */
  uint32_t *first = calloc(nodes + 1, sizeof *first); /* CSR offsets */
  uint32_t *incident = malloc(2 * edges * sizeof *incident);
  uint32_t *queue = malloc(nodes * sizeof *queue);
  unsigned char *known = malloc(edges);
  int rc = -1;
  if (!value || !balance || !src || !unknown || !first || !incident || !queue ||
      !known)
    goto out;
  for (uint32_t i = 0; i < k; i++) {
    src[i] = e[i].src == LP_EDGE_ENTRY ? entry : e[i].src - base;
    dst[i] = e[i].dst == LP_EDGE_EXIT ? exit_node : e[i].dst - base;
    if ((e[i].src != LP_EDGE_ENTRY && src[i] >= n) ||
        (e[i].dst != LP_EDGE_EXIT && dst[i] >= n) ||
        (e[i].counter != LP_NO_COUNTER && e[i].counter >= base + n))
      goto out;
  }
  src[k] = exit_node;
  dst[k] = entry;

  for (size_t i = 0; i < edges; i++) {
    known[i] = i < k && e[i].counter != LP_NO_COUNTER;
    value[i] = known[i] ? (int64_t)slots[e[i].counter] : 0;
    first[src[i] + 1]++;
    first[dst[i] + 1]++;
    if (known[i]) {
      balance[dst[i]] += value[i];
      balance[src[i]] -= value[i];
    } else {
      unknown[src[i]]++;
      unknown[dst[i]]++;
    }
  }
  for (size_t v = 0; v < nodes; v++)
    first[v + 1] += first[v];
  for (size_t v = 0; v < nodes; v++)
    queue[v] = first[v]; /* fill cursors */
  for (size_t i = 0; i < edges; i++) {
    incident[queue[src[i]]++] = (uint32_t)i;
    incident[queue[dst[i]]++] = (uint32_t)i;
  }

  /* Leaves first: a node with one unknown edge gives that edge. */
  size_t head = 0, tail = 0;
  for (size_t v = 0; v < nodes; v++)
    if (unknown[v] == 1)
      queue[tail++] = (uint32_t)v;
  while (head < tail) {
    uint32_t v = queue[head++];
    if (unknown[v] != 1)
      continue;
    uint32_t i = UINT32_MAX;
    for (uint32_t j = first[v]; j < first[v + 1] && i == UINT32_MAX; j++)
      if (!known[incident[j]])
        i = incident[j];
    if (i == UINT32_MAX)
      continue;
    /* What enters v leaves it: the unknown edge evens v's balance. */
    int64_t val = dst[i] == v ? -balance[v] : balance[v];
    value[i] = val;
    known[i] = 1;
    balance[dst[i]] += val;
    balance[src[i]] -= val;
    unknown[src[i]]--;
    unknown[dst[i]]--;
    uint32_t w = src[i] == v ? dst[i] : src[i];
    if (unknown[w] == 1 && tail < nodes)
      queue[tail++] = w;
  }

  for (uint32_t b = 0; b < n; b++)
    hits[base + b] = 0;
  for (uint32_t i = 0; i < k; i++)
    if (dst[i] < n && !(e[i].flags & LP_EDGE_FAKE) && value[i] > 0)
      hits[base + dst[i]] += (uint64_t)value[i];
  rc = 0;
out:
  free(value);
  free(balance);
  free(src);
  free(unknown);
  free(first);
  free(incident);
  free(queue);
  free(known);
  return rc;
}

LP_HIDDEN int lp_block_counts(const struct lp_module_desc *m,
                              const uint64_t *slots, uint64_t *hits) {
  memcpy(hits, slots, (size_t)m->n_blocks * sizeof *hits);
  int rc = 0;
  uint32_t e = 0;
  for (uint32_t f = 0; f < m->n_functions && rc == 0; f++) {
    while (e < m->n_edges && m->edges[e].function < f)
      e++;
    uint32_t end = e;
    while (end < m->n_edges && m->edges[end].function == f)
      end++;
    if (!(m->functions[f].flags & LP_FN_EDGE_COUNTS) || end == e)
      continue;
    uint32_t base = m->functions[f].entry_block;
    uint32_t last = f + 1 < m->n_functions ? m->functions[f + 1].entry_block
                                           : m->n_blocks;
    if (last < base || last > m->n_blocks)
      rc = -1;
    else
      rc = lp_solve_function(m->edges + e, end - e, base, last - base, slots,
                             hits);
    e = end;
  }
  return rc;
}

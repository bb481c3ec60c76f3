/* Registry of instrumented modules and of the per-thread buffers they count
 * into.
 *
 * The hot path never comes here: the instrumented code increments words of
 * its thread's buffer directly. This file runs on slow paths only (module
 * load and unload, a thread's first call into a module, thread exit, fork,
 * and the final flush), always under one mutex. A finished thread's counts
 * are added to its module's `retired` words and its buffer is reused, so
 * memory grows with the number of threads alive at once, not ever created.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static pthread_mutex_t lp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lp_module *lp_modules;     /* all modules ever registered */
static pthread_key_t lp_thread_key;      /* value: the thread's buffer list */
static pthread_once_t lp_key_once = PTHREAD_ONCE_INIT;

static void lp_thread_exit(void *arg);

static void lp_make_key(void) { pthread_key_create(&lp_thread_key, lp_thread_exit); }

/* Zeroes a live buffer's counts but keeps its function's active frames
 * (the thread is still inside those calls) and its gates' schedules (a
 * loop may hold a gate's countdown in a register, and the two must agree). */
static void lp_clear_counts(const struct lp_module_desc *d, uint64_t *w) {
  for (uint64_t i = 0, n = lp_buffer_words(d); i < n; i++) {
    if (i < lp_hits_offset(d) && i % LP_FN_WORDS == LP_FN_ACTIVE_FRAME)
      continue;
    if (i >= lp_gates_offset(d) && i < lp_ticks_offset(d))
      continue;
    __atomic_store_n(&w[i], 0, __ATOMIC_RELAXED);
  }
}

static void lp_add_words(uint64_t *dst, const uint64_t *src, uint64_t n) {
  for (uint64_t i = 0; i < n; i++)
    dst[i] += src[i];
}

/* Finds the module for desc, or one unloaded earlier with the same code,
 * which then continues counting where it stopped. Lock held. */
static struct lp_module *lp_find(const struct lp_module_desc *desc) {
  for (struct lp_module *m = lp_modules; m; m = m->next)
    if (m->desc == desc)
      return m;
  for (struct lp_module *m = lp_modules; m; m = m->next)
    if (m->desc_owned && m->desc->module_hash == desc->module_hash &&
        lp_buffer_words(m->desc) == lp_buffer_words(desc)) {
      free((void *)m->desc->files); /* the copy's tables go; sums stay */
      m->desc = desc;
      m->desc_owned = 0;
      return m;
    }
  return NULL;
}

static struct lp_module *lp_find_or_add(const struct lp_module_desc *desc) {
  struct lp_module *m = lp_find(desc);
  if (m)
    return m;
  if (desc->abi_version != LP_ABI_VERSION) {
    lp_warn("module %s was instrumented for ABI %u, this runtime speaks %u; "
            "it is not profiled", desc->name, desc->abi_version, LP_ABI_VERSION);
    return NULL;
  }
  m = calloc(1, sizeof *m);
  if (!m)
    return NULL;
  m->desc = desc;
  m->next = lp_modules;
  lp_modules = m;
  return m;
}

LP_EXPORT void __lineprof_register(const struct lp_module_desc *desc) {
  pthread_mutex_lock(&lp_lock);
  lp_find_or_add(desc);
  pthread_mutex_unlock(&lp_lock);
}

/* Copies a module's tables into one allocation that outlives the image they
 * came from. Returns NULL when memory is short; the caller then keeps
 * nothing of the module's lines but still drops its dangling pointers. */
static struct lp_module_desc *lp_copy_desc(const struct lp_module_desc *d) {
  size_t size = sizeof *d + (d->n_files * 2 + d->n_callees) * sizeof(char *) +
                d->n_functions * sizeof(struct lp_function_desc) +
                d->n_segments * sizeof(struct lp_segment_desc) +
                d->n_edges * sizeof(struct lp_edge_desc);
  size += strlen(d->name) + 1;
  for (uint32_t i = 0; i < d->n_files; i++)
    size += strlen(d->files[i]) + strlen(d->checksums[i]) + 2;
  for (uint32_t i = 0; i < d->n_functions; i++)
    size += strlen(d->functions[i].name) + strlen(d->functions[i].linkage_name) + 2;
  for (uint32_t i = 0; i < d->n_callees; i++)
    size += strlen(d->callees[i]) + 1;
  /* Layout: [pointer arrays][function structs][segment structs][desc]
   * [edge structs][strings], so that every part stays aligned. */
  char *block = malloc(size);
  if (!block)
    return NULL;
  const char **files = (const char **)block;
  const char **sums = files + d->n_files;
  const char **callees = sums + d->n_files;
  struct lp_function_desc *fns = (struct lp_function_desc *)(callees + d->n_callees);
  struct lp_segment_desc *segs = (struct lp_segment_desc *)(fns + d->n_functions);
  struct lp_module_desc *copy = (struct lp_module_desc *)(segs + d->n_segments);
  struct lp_edge_desc *edges = (struct lp_edge_desc *)(copy + 1);
  char *str = (char *)(edges + d->n_edges);
#define LP_DUP(dst, src)                                                       \
  do {                                                                         \
    size_t n_ = strlen(src) + 1;                                               \
    memcpy(str, src, n_);                                                      \
    (dst) = str;                                                               \
    str += n_;                                                                 \
  } while (0)
  *copy = *d;
  LP_DUP(copy->name, d->name);
  for (uint32_t i = 0; i < d->n_files; i++) {
    LP_DUP(files[i], d->files[i]);
    LP_DUP(sums[i], d->checksums[i]);
  }
  memcpy(fns, d->functions, d->n_functions * sizeof *fns);
  for (uint32_t i = 0; i < d->n_functions; i++) {
    LP_DUP(fns[i].name, d->functions[i].name);
    LP_DUP(fns[i].linkage_name, d->functions[i].linkage_name);
  }
  for (uint32_t i = 0; i < d->n_callees; i++)
    LP_DUP(callees[i], d->callees[i]);
#undef LP_DUP
  memcpy(segs, d->segments, d->n_segments * sizeof *segs);
  if (d->n_edges)
    memcpy(edges, d->edges, d->n_edges * sizeof *edges);
  copy->edges = edges;
  copy->files = files;
  copy->checksums = sums;
  copy->functions = fns;
  copy->segments = segs;
  copy->callees = callees;
  return copy;
}

/* Unlinks b from the singly linked list at *head. */
static void lp_unlink(struct lp_buffer **head, struct lp_buffer *b,
                      int thread_list) {
  for (struct lp_buffer **p = head; *p;
       p = thread_list ? &(*p)->thread_next : &(*p)->next)
    if (*p == b) {
      *p = thread_list ? b->thread_next : b->next;
      return;
    }
}

/* Moves a buffer's counts into the module's retired words and parks the
 * zeroed buffer for reuse. Returns -1 if the retired words cannot be
 * allocated (the buffer then stays live, so nothing is lost). Lock held. */
static int lp_retire(struct lp_module *m, struct lp_buffer *b) {
  uint64_t n = lp_buffer_words(m->desc);
  if (!m->retired && !(m->retired = calloc(n ? n : 1, sizeof(uint64_t))))
    return -1;
  lp_add_words(m->retired, b->words, n);
  memset(b->words, 0, n * sizeof(uint64_t));
  lp_unlink(&m->live, b, 0);
  b->next = m->spare;
  m->spare = b;
  return 0;
}

/* The image that holds desc is going away (dlclose, or exit). Its thread
 * pointers vanish with it, so fold every buffer into the retired words and
 * keep a private copy of the tables. */
LP_EXPORT void __lineprof_unregister(const struct lp_module_desc *desc) {
  /* At exit the profile is written already (or being written), and other
   * threads may still be counting: leave their buffers alone. */
  if (lp_exiting())
    return;
  pthread_mutex_lock(&lp_lock);
  struct lp_module *m = lp_find(desc);
  if (m && !m->desc_owned) {
    struct lp_module_desc *copy = lp_copy_desc(desc);
    while (m->live) {
      struct lp_buffer *b = m->live;
      if (lp_retire(m, b) != 0)
        break;
    }
    if (copy && !m->live) {
      m->desc = copy;
      m->desc_owned = 1;
    } else {
      lp_warn("out of memory keeping the profile of %s after it was unloaded",
              desc->name);
      m->desc = copy ? copy : m->desc;
      m->desc_owned = copy != NULL;
    }
    /* The buffers' owners may still call in; their TLS slots are gone with
     * the image, so forget who owns which. */
    for (struct lp_buffer *b = m->spare; b; b = b->next)
      b->slot = NULL;
  }
  pthread_mutex_unlock(&lp_lock);
}

/* A thread's first call into a module: give it a buffer. Returns NULL when
 * there is none to give (memory exhausted, or a module of another ABI);
 * the instrumented code then counts into its module's scratch memory, which
 * nobody reads: those counts are lost, the program is not harmed. */
LP_EXPORT uint64_t *__lineprof_thread_init(const struct lp_module_desc *desc,
                                           uint64_t **slot) {
  pthread_once(&lp_key_once, lp_make_key);
  pthread_mutex_lock(&lp_lock);
  struct lp_module *m = lp_find_or_add(desc);
  struct lp_buffer *b = NULL;
  if (m && m->spare) {
    b = m->spare;
    m->spare = b->next;
  } else if (m) {
    b = calloc(1, sizeof *b);
    if (b && !(b->words = calloc(lp_buffer_words(desc) + 1, sizeof(uint64_t)))) {
      free(b);
      b = NULL;
    }
  }
  if (!b) {
    pthread_mutex_unlock(&lp_lock);
    return NULL;
  }
  b->module = m;
  b->slot = slot;
  b->next = m->live;
  m->live = b;
  b->thread_next = pthread_getspecific(lp_thread_key);
  pthread_setspecific(lp_thread_key, b);
  pthread_mutex_unlock(&lp_lock);
  *slot = b->words;
  return b->words;
}

/* Thread exit (pthread key destructor): retire the thread's buffers and
 * clear its pointers, so that code running later in this thread (other
 * destructors) asks for a fresh buffer instead of writing into a reused one. */
static void lp_thread_exit(void *arg) {
  pthread_mutex_lock(&lp_lock);
  for (struct lp_buffer *b = arg, *next; b; b = next) {
    next = b->thread_next;
    b->thread_next = NULL;
    if (b->slot)
      *b->slot = NULL;
    b->slot = NULL;
    if (lp_retire(b->module, b) != 0)
      lp_warn("out of memory at thread exit; counts of %s are kept live",
              b->module->desc->name);
  }
  pthread_mutex_unlock(&lp_lock);
}

LP_HIDDEN int lp_registry_visit(lp_module_visitor fn, void *ctx, int may_block) {
  int rc = 0;
  int locked = may_block ? pthread_mutex_lock(&lp_lock) == 0
                         : pthread_mutex_trylock(&lp_lock) == 0;
  for (struct lp_module *m = lp_modules; m && rc == 0; m = m->next) {
    uint64_t n = lp_buffer_words(m->desc);
    uint64_t *sum = calloc(n ? n : 1, sizeof(uint64_t));
    if (!sum) {
      rc = -1;
      break;
    }
    if (m->retired)
      lp_add_words(sum, m->retired, n);
    /* Other threads may still be counting; aligned 64-bit loads are never
     * torn, so each word is some value it really had. */
    for (struct lp_buffer *b = m->live; b; b = b->next)
      for (uint64_t i = 0; i < n; i++)
        sum[i] += __atomic_load_n(&b->words[i], __ATOMIC_RELAXED);
    rc = fn(ctx, m->desc, sum);
    free(sum);
  }
  if (locked)
    pthread_mutex_unlock(&lp_lock);
  return rc;
}

LP_HIDDEN void lp_registry_reset(void) {
  pthread_mutex_lock(&lp_lock);
  for (struct lp_module *m = lp_modules; m; m = m->next) {
    uint64_t n = lp_buffer_words(m->desc);
    if (m->retired)
      memset(m->retired, 0, n * sizeof(uint64_t));
    for (struct lp_buffer *b = m->live; b; b = b->next)
      lp_clear_counts(m->desc, b->words);
  }
  pthread_mutex_unlock(&lp_lock);
}

/* In a forked child, the counts so far belong to the parent's run. Start
 * from zero; only the forking thread survives, so every other thread's
 * buffer becomes spare. */
static void lp_fork_child(void) {
  pthread_mutex_init(&lp_lock, NULL);
  lp_config_after_fork();
  lp_writer_new_run();
  lp_once_reset();
  struct lp_buffer *mine = pthread_getspecific(lp_thread_key);
  for (struct lp_module *m = lp_modules; m; m = m->next) {
    uint64_t n = lp_buffer_words(m->desc);
    if (m->retired)
      memset(m->retired, 0, n * sizeof(uint64_t));
    struct lp_buffer *keep = NULL;
    for (struct lp_buffer *b = m->live, *next; b; b = next) {
      next = b->next;
      int ours = 0;
      for (struct lp_buffer *t = mine; t; t = t->thread_next)
        ours |= t == b;
      if (ours) {
        lp_clear_counts(m->desc, b->words);
        b->next = keep;
        keep = b;
      } else {
        memset(b->words, 0, n * sizeof(uint64_t));
        b->slot = NULL;
        b->next = m->spare;
        m->spare = b;
      }
    }
    m->live = keep;
  }
}

static void lp_fork_prepare(void) { pthread_mutex_lock(&lp_lock); }
static void lp_fork_parent(void) { pthread_mutex_unlock(&lp_lock); }

LP_HIDDEN void lp_registry_init(void) {
  pthread_once(&lp_key_once, lp_make_key);
  pthread_atfork(lp_fork_prepare, lp_fork_parent, lp_fork_child);
}

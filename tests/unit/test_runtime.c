/* Unit tests of the runtime's registry and SQLite writer, driven through a
 * hand-built module descriptor, as the plugin would emit it, and checked
 * by reading the database back with the system SQLite. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "schema.h"

static int failures, checks;

#define CHECK(cond)                                                            \
  do {                                                                         \
    checks++;                                                                  \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* A module with two functions in one file:
 *   f: blocks 0 (entry, line 10), 1 (line 11); segments: line 10 in block 0,
 *      line 11 in block 1, a call on line 11 in block 1
 *   g: block 2 (entry, lines 20 and 21) */
static char file_a[64] = "/src/a.c";
static const char *files[] = {file_a};
static const char *sums[] = {"md5:00112233445566778899aabbccddeeff"};
static char name_f[8] = "f";
static struct lp_function_desc fns[] = {
    {name_f, "f", 0, 10, 0, 0},
    {"g", "g", 0, 20, 2, 0},
};
static const struct lp_segment_desc segs[] = {
    {0, 0, 10, 0, 0, LP_NO_CALLEE}, {0, 0, 11, 1, 0, LP_NO_CALLEE},
    {0, 0, 11, 1, LP_SEG_CALL, 0},  {1, 0, 20, 2, 0, LP_NO_CALLEE},
    {1, 0, 21, 2, 0, LP_NO_CALLEE},
};
static const char *callees[] = {"g"};
static struct lp_module_desc desc = {
    LP_ABI_VERSION, LP_MOD_TIMING | LP_MOD_DEBUGINFO, 3, 5, 2, 1, 1, 2, "a.c",
    files, sums, fns, segs, callees, 0x1234, 0, NULL};

/* Fills a thread's buffer the way instrumented code would. */
static void count(uint64_t *w, uint64_t scale) {
  uint64_t *fnw = w, *hits = w + lp_hits_offset(&desc),
           *ticks = w + lp_ticks_offset(&desc);
  fnw[LP_FN_PRIMITIVE_CALLS] += 1 * scale;
  fnw[LP_FN_INCLUSIVE_TICKS] += 5000 * scale;
  fnw[LP_FN_WORDS + LP_FN_PRIMITIVE_CALLS] += 2 * scale;
  hits[0] += 1 * scale;
  hits[1] += 4 * scale;
  hits[2] += 2 * scale;
  ticks[0] += 100 * scale;
  ticks[1] += 400 * scale;
  ticks[2] += 4000 * scale;
  ticks[3] += 50 * scale;
  ticks[4] += 1 * scale; /* less than the probe cost: must not go negative */
  /* Gate state, between the hits and the ticks: never read as either. */
  uint64_t *gates = w + lp_gates_offset(&desc);
  for (int i = 0; i < LP_GATE_WORDS * 2; i++)
    gates[i] = 7777;
}

static uint64_t *slot_main;
static __thread uint64_t *slot_thread;

static void *thread_body(void *arg) {
  (void)arg;
  uint64_t *w = __lineprof_thread_init(&desc, &slot_thread);
  CHECK(w != NULL && slot_thread == w);
  count(w, 10);
  return NULL;
}

static int sum_visitor(void *ctx, const struct lp_module_desc *m,
                       const uint64_t *words) {
  if (m->module_hash == desc.module_hash)
    memcpy(ctx, words, lp_buffer_words(m) * sizeof(uint64_t));
  return 0;
}

static void test_wrong_abi(void) {
  /* A module of another ABI gets no buffer: the instrumented code falls
   * back to its own scratch memory, and nothing of it is written. */
  struct lp_module_desc other = desc;
  other.abi_version = LP_ABI_VERSION + 1;
  other.module_hash = 0x999;
  uint64_t *slot = NULL;
  CHECK(__lineprof_thread_init(&other, &slot) == NULL);
  CHECK(slot == NULL);
}

static void test_registry(void) {
  __lineprof_register(&desc);
  __lineprof_register(&desc); /* twice is once */
  uint64_t *w = __lineprof_thread_init(&desc, &slot_main);
  CHECK(w != NULL && slot_main == w);
  count(w, 1);

  /* A thread that exits: its counts are retired, not lost. */
  pthread_t t;
  pthread_create(&t, NULL, thread_body, NULL);
  pthread_join(t, NULL);
  uint64_t sum[32] = {0};
  lp_registry_visit(sum_visitor, sum, 1);
  CHECK(sum[lp_hits_offset(&desc) + 1] == 44);
  CHECK(sum[lp_ticks_offset(&desc) + 2] == 44000);

  /* The next thread reuses the retired buffer, zeroed. */
  pthread_create(&t, NULL, thread_body, NULL);
  pthread_join(t, NULL);
  memset(sum, 0, sizeof sum);
  lp_registry_visit(sum_visitor, sum, 1);
  CHECK(sum[lp_hits_offset(&desc) + 1] == 84);
}

static void test_reset_keeps_state(void) {
  /* A reset (a forked child's, or a snapshot's) zeroes the counts of a
   * live buffer, but not the state of code that is running: the active
   * frames and the gates' schedules. */
  uint64_t *w = __lineprof_thread_init(&desc, &slot_main);
  CHECK(w != NULL);
  w[LP_FN_ACTIVE_FRAME] = 0xdead;
  count(w, 1);
  lp_registry_reset();
  CHECK(w[LP_FN_ACTIVE_FRAME] == 0xdead);
  CHECK(w[LP_FN_PRIMITIVE_CALLS] == 0);
  CHECK(w[lp_hits_offset(&desc) + 1] == 0);
  CHECK(w[lp_ticks_offset(&desc) + 2] == 0);
  CHECK(w[lp_gates_offset(&desc)] == 7777);
  CHECK(w[lp_ticks_offset(&desc) - 1] == 7777);
  w[LP_FN_ACTIVE_FRAME] = 0;
}

static int write_run(int have_status, int status) {
  struct lp_run_end end = {"complete", have_status, status, 0, 0};
  lp_writer_new_run();
  return lp_write_profile(&end);
}

static long long query_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  else
    fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return v;
}

static void test_writer(const char *dir) {
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/w.db", dir);
  CHECK(write_run(1, 3) == 0);
  CHECK(write_run(0, 0) == 0);
  sqlite3 *db;
  CHECK(sqlite3_open(lp_config.db_path, &db) == SQLITE_OK);
  CHECK(query_int(db, "PRAGMA user_version") == LP_SCHEMA_VERSION);
  CHECK(query_int(db, "SELECT count(*) FROM runs") == 2);
  CHECK(query_int(db, "SELECT exit_status FROM runs WHERE run_id=1") == 3);
  CHECK(query_int(db, "SELECT exit_status IS NULL FROM runs WHERE run_id=2") == 1);
  /* Static tables are shared by the runs, not repeated. */
  CHECK(query_int(db, "SELECT count(*) FROM lines") == 4);
  CHECK(query_int(db, "SELECT count(*) FROM functions") == 2);
  /* Line 11 has code in block 1 only: 84 hits. Line 10: block 0, 21. */
  CHECK(query_int(db, "SELECT hits FROM line_profile WHERE run_id=1 AND "
                      "line_no=11") == 84);
  CHECK(query_int(db, "SELECT hits FROM line_profile WHERE run_id=1 AND "
                      "line_no=10") == 21);
  /* Self time leaves out the call segment; time includes it. */
  CHECK(query_int(db, "SELECT time_ns > self_ns AND self_ns >= 0 FROM "
                      "line_profile WHERE run_id=1 AND line_no=11") == 1);
  /* A segment cheaper than the probe cost is clamped at zero. */
  CHECK(query_int(db, "SELECT time_ns FROM line_profile WHERE run_id=1 "
                      "AND line_no=21") == 0);
  CHECK(query_int(db, "SELECT calls FROM function_profile WHERE run_id=1 "
                      "AND function='f'") == 21);
  CHECK(query_int(db, "SELECT primitive_calls FROM function_profile WHERE "
                      "run_id=1 AND function='g'") == 42);
  CHECK(query_int(db, "SELECT count(*) FROM function_stats WHERE self_ns < 0 "
                      "OR inclusive_ns < 0") == 0);
  CHECK(query_int(db, "SELECT sum(percent_time) BETWEEN 99.99 AND 100.01 FROM "
                      "line_profile WHERE run_id=1 AND function='f'") == 1);
  /* The call on line 11 goes to g, a function of the same module. */
  CHECK(query_int(db, "SELECT calls FROM call_graph WHERE run_id=1 AND "
                      "caller='f' AND line_no=11 AND callee='g'") == 84);
  CHECK(query_int(db, "SELECT time_ns > 0 FROM call_stats WHERE run_id=1") == 1);
  sqlite3_close(db);
}

/* Counts the files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix) {
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -c '^%s' > '%s/count'", dir, prefix, dir);
  if (system(cmd) == -1)
    return -1;
  snprintf(cmd, sizeof cmd, "%s/count", dir);
  FILE *f = fopen(cmd, "r");
  int n = -1;
  if (f && fscanf(f, "%d", &n) != 1)
    n = -1;
  if (f)
    fclose(f);
  return n;
}

static void test_snapshots_replace(const char *dir) {
  /* A snapshot, then the end: one run, its statistics replaced. */
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/snap.db", dir);
  lp_writer_new_run();
  struct lp_run_end snap = {"in_progress", 0, 0, 0, 0};
  CHECK(lp_write_profile(&snap) == 0);
  sqlite3 *db;
  sqlite3_open(lp_config.db_path, &db);
  CHECK(query_int(db, "SELECT status = 'in_progress' FROM runs") == 1);
  sqlite3_close(db);
  struct lp_run_end fin = {"complete", 1, 0, 0, 0};
  CHECK(lp_write_profile(&fin) == 0);
  sqlite3_open(lp_config.db_path, &db);
  CHECK(query_int(db, "SELECT count(*) FROM runs") == 1);
  CHECK(query_int(db, "SELECT status = 'complete' FROM runs") == 1);
  CHECK(query_int(db, "SELECT hits FROM line_profile WHERE line_no=11") == 84);
  CHECK(query_int(db, "SELECT count(*) FROM line_stats") == 4);
  sqlite3_close(db);
}

static void test_writer_refuses(const char *dir) {
  /* A newer schema is left alone; the run goes to a fallback beside it. */
  char path[4200];
  snprintf(path, sizeof path, "%s/new.db", dir);
  sqlite3 *db;
  sqlite3_open(path, &db);
  sqlite3_exec(db, "PRAGMA user_version=99; CREATE TABLE t(x)", NULL, NULL, NULL);
  sqlite3_close(db);
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s", path);
  CHECK(write_run(1, 0) == 0);
  CHECK(count_files(dir, "new.db.fallback-") == 1);
  sqlite3_open(path, &db);
  CHECK(query_int(db, "PRAGMA user_version") == 99);
  CHECK(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name='runs'") == 0);
  sqlite3_close(db);

  /* A file that is not a database is not overwritten. */
  snprintf(path, sizeof path, "%s/text.db", dir);
  FILE *f = fopen(path, "w");
  fputs("not a database at all, and long enough to have a header........\n", f);
  fclose(f);
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s", path);
  CHECK(write_run(1, 0) == 0);
  CHECK(count_files(dir, "text.db.fallback-") == 1);
  char line[128] = "";
  f = fopen(path, "r");
  CHECK(f && fgets(line, sizeof line, f) && strncmp(line, "not a database", 14) == 0);
  if (f)
    fclose(f);
}

static void test_unregister_keeps_data(const char *dir) {
  /* dlclose: the tables vanish with the image; the runtime keeps a copy. */
  __lineprof_unregister(&desc);
  strcpy(file_a, "/garbage");
  strcpy(name_f, "zz");
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/u.db", dir);
  CHECK(write_run(1, 0) == 0);
  sqlite3 *db;
  sqlite3_open(lp_config.db_path, &db);
  CHECK(query_int(db, "SELECT count(*) FROM files WHERE path='/src/a.c'") == 1);
  CHECK(query_int(db, "SELECT calls FROM function_profile WHERE function='f'") == 21);
  sqlite3_close(db);
  strcpy(file_a, "/src/a.c");
  strcpy(name_f, "f");

  /* Loaded again: the same module continues where it stopped. */
  __lineprof_register(&desc);
  uint64_t *w = __lineprof_thread_init(&desc, &slot_main);
  CHECK(w != NULL);
  count(w, 1);
  uint64_t sum[32] = {0};
  lp_registry_visit(sum_visitor, sum, 1);
  CHECK(sum[lp_hits_offset(&desc)] == 22);
}

/* Block counts derived from edge counters (LP_FN_EDGE_COUNTS). Function
 * e, blocks 0-3, a diamond: 0 -> 1 | 2 -> 3 -> exit; block 1 has a call
 * that may not return (an uncounted edge to the exit). Counted: entry -> 0
 * (slot 2), 0 -> 1 (slot 0), 1 -> 3 (slot 1); slot 3 is not a counter.
 * Function p (block 4) keeps one counter per block. */
static void test_edge_counts(void) {
  static const struct lp_function_desc efns[] = {
      {"e", "e", 0, 1, 0, LP_FN_EDGE_COUNTS}, {"p", "p", 0, 9, 4, 0}};
  static const struct lp_edge_desc edges[] = {
      {0, LP_EDGE_ENTRY, 0, 2, 0},         {0, 0, 1, 0, 0},
      {0, 0, 2, LP_NO_COUNTER, 0},         {0, 1, 3, 1, 0},
      {0, 1, LP_EDGE_EXIT, LP_NO_COUNTER, LP_EDGE_FAKE},
      {0, 2, 3, LP_NO_COUNTER, 0},         {0, 3, LP_EDGE_EXIT, LP_NO_COUNTER, 0},
  };
  struct lp_module_desc m = {LP_ABI_VERSION, 0, 5, 0, 2, 1, 0, 0, "e.c",
                             files, sums, efns, NULL, NULL, 1, 7, edges};
  /* 10 calls; 7 took block 1, of which one left through its call. */
  uint64_t slots[5] = {7, 6, 10, 99, 42}, hits[5];
  CHECK(lp_block_counts(&m, slots, hits) == 0);
  CHECK(hits[0] == 10);
  CHECK(hits[1] == 7);
  CHECK(hits[2] == 3);
  CHECK(hits[3] == 9); /* 6 from block 1, 3 from block 2 */
  CHECK(hits[4] == 42);
  /* Read while a thread was between two counters: never negative. */
  uint64_t torn[5] = {1, 1, 0, 0, 0};
  CHECK(lp_block_counts(&m, torn, hits) == 0);
  CHECK(hits[0] == 0 && hits[1] == 1 && hits[2] == 0 && hits[3] == 1);
  /* A table that names a block outside its function is refused. */
  static const struct lp_edge_desc bad[] = {{0, 0, 4, 0, 0}};
  m.edges = bad;
  m.n_edges = 1;
  CHECK(lp_block_counts(&m, slots, hits) == -1);
}

static char *query_text(sqlite3 *db, const char *sql) {
  static char text[256];
  sqlite3_stmt *st;
  text[0] = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(text, sizeof text, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return text;
}

/* line_sets (schema 3): every function's lines, per file, whether it ran
 * or not; lines rows only for functions that ran. Function h of module b
 * never runs; it has code in b.c and in a file it includes. A second
 * build of the same source has line 7 where the first had line 8 (an
 * #ifdef): the set becomes their union. A new database has 16 KB pages and
 * ends in WAL mode. */
static void test_line_sets(const char *dir) {
  static const char *bfiles[] = {"/src/b.c", "/src/b.inc"};
  static const char *bsums[] = {"md5:ffeeddccbbaa99887766554433221100", ""};
  static const struct lp_function_desc bfns[] = {{"h", "h", 0, 5, 0, 0}};
  static const struct lp_segment_desc bsegs[] = {
      {0, 0, 5, 0, 0, LP_NO_CALLEE}, {0, 0, 6, 0, 0, LP_NO_CALLEE},
      {0, 1, 3, 1, 0, LP_NO_CALLEE}, {0, 0, 8, 1, 0, LP_NO_CALLEE}};
  static const struct lp_segment_desc bsegs2[] = {
      {0, 0, 5, 0, 0, LP_NO_CALLEE}, {0, 0, 6, 0, 0, LP_NO_CALLEE},
      {0, 1, 3, 1, 0, LP_NO_CALLEE}, {0, 0, 7, 1, 0, LP_NO_CALLEE}};
  static struct lp_module_desc b = {
      LP_ABI_VERSION, LP_MOD_DEBUGINFO, 2, 4, 1, 2, 0, 0, "b.c",
      bfiles, bsums, bfns, bsegs, NULL, 0x5678, 0, NULL};
  static struct lp_module_desc b2 = {
      LP_ABI_VERSION, LP_MOD_DEBUGINFO, 2, 4, 1, 2, 0, 0, "b.c",
      bfiles, bsums, bfns, bsegs2, NULL, 0x5679, 0, NULL};
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/sets.db", dir);
  uint64_t *w = __lineprof_thread_init(&desc, &slot_main);
  CHECK(w != NULL);
  count(w, 1); /* f and g of module a run */
  __lineprof_register(&b);
  CHECK(write_run(1, 0) == 0);
  sqlite3 *db;
  CHECK(sqlite3_open(lp_config.db_path, &db) == SQLITE_OK);
  CHECK(strcmp(query_text(db, "PRAGMA journal_mode"), "wal") == 0);
  CHECK(query_int(db, "PRAGMA page_size") == 16384);
  CHECK(strcmp(query_text(db, "SELECT z.line_nos FROM line_sets z JOIN files "
                              "f USING(file_id) WHERE f.path='/src/b.c'"),
               "[5,6,8]") == 0);
  CHECK(strcmp(query_text(db, "SELECT z.line_nos FROM line_sets z JOIN files "
                              "f USING(file_id) WHERE f.path='/src/b.inc'"),
               "[3]") == 0);
  CHECK(query_int(db, "SELECT count(*) FROM lines l JOIN functions fn "
                      "USING(function_id) WHERE fn.name='h'") == 0);
  CHECK(query_int(db, "SELECT count(*) FROM lines l JOIN functions fn "
                      "USING(function_id) WHERE fn.name='f'") == 2);
  CHECK(strcmp(query_text(db, "SELECT group_concat(line_no || ':' || hits) "
                              "FROM (SELECT * FROM line_profile WHERE "
                              "function='h' ORDER BY file, line_no)"),
               "5:0,6:0,8:0,3:0") == 0);
  sqlite3_close(db);

  __lineprof_register(&b2);
  CHECK(write_run(1, 0) == 0);
  CHECK(sqlite3_open(lp_config.db_path, &db) == SQLITE_OK);
  CHECK(strcmp(query_text(db, "SELECT z.line_nos FROM line_sets z JOIN files "
                              "f USING(file_id) WHERE f.path='/src/b.c'"),
               "[5,6,7,8]") == 0);
  CHECK(query_int(db, "SELECT count(*) FROM line_sets") == 4);
  CHECK(query_int(db, "SELECT count(*) FROM line_profile WHERE function='h' "
                      "AND run_id=2") == 5);
  sqlite3_close(db);
  __lineprof_unregister(&b2);
  __lineprof_unregister(&b);
}

/* SQLite's syncs, counted: these definitions come before libc's for the
 * SQLite library that the writer loads. */
static int sync_calls;
static int counted_sync(int (**real)(int), const char *name, int fd) {
  if (!*real)
    *real = (int (*)(int))dlsym(RTLD_NEXT, name);
  sync_calls++;
  return (*real)(fd);
}
int fdatasync(int fd) {
  static int (*real)(int);
  return counted_sync(&real, "fdatasync", fd);
}
int fsync(int fd) {
  static int (*real)(int);
  return counted_sync(&real, "fsync", fd);
}

/* The first run into an empty file is written without a sync (it holds
 * nothing else to lose); a run into a database that holds something is
 * synced: through the WAL's checkpoint, or, in a file of someone else's
 * with no schema version, SQLite's rollback journal with FULL. */
static void test_sync_levels(const char *dir) {
  uint64_t *w = __lineprof_thread_init(&desc, &slot_main);
  CHECK(w != NULL);
  count(w, 1);
  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/sync.db", dir);
  sync_calls = 0;
  CHECK(write_run(1, 0) == 0);
  CHECK(sync_calls == 0);
  sync_calls = 0;
  CHECK(write_run(1, 0) == 0);
  CHECK(sync_calls > 0);
  sqlite3 *db;
  CHECK(sqlite3_open(lp_config.db_path, &db) == SQLITE_OK);
  CHECK(strcmp(query_text(db, "PRAGMA journal_mode"), "wal") == 0);
  CHECK(query_int(db, "SELECT count(*) FROM runs") == 2);
  CHECK(strcmp(query_text(db, "PRAGMA integrity_check"), "ok") == 0);
  sqlite3_close(db);

  snprintf(lp_config.db_path, sizeof lp_config.db_path, "%s/theirs.db", dir);
  CHECK(sqlite3_open(lp_config.db_path, &db) == SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(42)", NULL, NULL, NULL);
  sqlite3_close(db);
  sync_calls = 0;
  CHECK(write_run(1, 0) == 0);
  CHECK(sync_calls > 0);
  CHECK(sqlite3_open(lp_config.db_path, &db) == SQLITE_OK);
  CHECK(query_int(db, "SELECT x FROM t") == 42);
  CHECK(query_int(db, "SELECT count(*) FROM runs") == 1);
  sqlite3_close(db);
}

/* The log of involuntary switches (switches.c): a note records the count;
 * a long sample compares the count at its end with the newest note at or
 * before its start. The kernel's count is replaced by one the test sets. */
static uint64_t fake_switches;
static int fake_ok = 1;
static uint64_t fake_counter(int *ok) {
  *ok = fake_ok;
  return fake_switches;
}

static void test_switch_log(void) {
  static uint64_t log[LP_SWITCH_WORDS];
  uint64_t (*real)(int *) = lp_switch_counter;
  lp_switch_counter = fake_counter;
  fake_switches = 5;
  CHECK(__lineprof_switch(log, 1000, 0, 0) == 0);
  CHECK(log[LP_SWITCH_LAST] == 1000 && log[LP_SWITCH_COUNT] == 1);
  /* A sample that started before every note: unknown, keeps its weight. */
  CHECK(__lineprof_switch(log, 5000, 4500, 16) == 16);
  /* Started after the note, no switch since: keeps its weight. */
  CHECK(__lineprof_switch(log, 8000, 6000, 16) == 16);
  /* A switch since the newest note before its start: counts once. */
  fake_switches = 6;
  uint64_t before = lp_preempted_samples();
  CHECK(__lineprof_switch(log, 9000, 7000, 4096) == 1);
  CHECK(lp_preempted_samples() == before + 1);
  /* That question noted the count at 9000: a sample from 9500 on keeps its
   * weight; one from 8500 compares with the note at 8000 (count 5). */
  CHECK(__lineprof_switch(log, 9900, 400, 64) == 64);
  CHECK(__lineprof_switch(log, 9950, 1450, 64) == 1);
  /* A count lower than the note's (a forked child starts again at 0):
   * unknown, keeps the weight. */
  fake_switches = 0;
  CHECK(__lineprof_switch(log, 20000, 5000, 8) == 8);
  /* No count at all: notes only move the time of the last one. */
  fake_ok = 0;
  uint64_t n = log[LP_SWITCH_COUNT];
  CHECK(__lineprof_switch(log, 30000, 0, 0) == 0);
  CHECK(log[LP_SWITCH_COUNT] == n && log[LP_SWITCH_LAST] == 30000);
  CHECK(__lineprof_switch(log, 31000, 500, 8) == 8);
  fake_ok = 1;
  /* The log wraps after LP_SWITCH_NOTES notes. */
  for (uint64_t i = 0; i < 3 * LP_SWITCH_NOTES; i++)
    __lineprof_switch(log, 1000000 + 1000 * i, 0, 0);
  CHECK(log[LP_SWITCH_COUNT] == n + 3 * LP_SWITCH_NOTES);
  uint64_t last = 1000000 + 1000 * (3 * LP_SWITCH_NOTES - 1);
  CHECK(log[LP_SWITCH_LAST] == last);
  CHECK(__lineprof_switch(log, last + 10, last - 1000, 8) == 8); /* too old */
  fake_switches = 7;
  CHECK(__lineprof_switch(log, last + 10, 5000, 8) == 1); /* newest notes */
  /* Bounded code (LP_SWITCH_BOUNDED): a sample over LP_STALL_LONG ticks
   * with no switch and no page fault since the note was stopped: once. */
  uint64_t t = last + 100000, b = LP_SWITCH_BOUNDED;
  fake_switches = lp_events(7, 40);
  __lineprof_switch(log, t, 0, 0);
  uint64_t stalled = lp_stalled_samples();
  CHECK(__lineprof_switch(log, t + 20000, 10000, 64 | b) == 1);
  CHECK(lp_stalled_samples() == stalled + 1);
  /* Not longer than LP_STALL_LONG: keeps its weight. */
  CHECK(__lineprof_switch(log, t + 30000, LP_STALL_LONG, 64 | b) == 64);
  /* The same sample, not bounded: keeps its weight. */
  CHECK(__lineprof_switch(log, t + 40000, 10000, 64) == 64);
  CHECK(lp_stalled_samples() == stalled + 1);
  /* A page fault since the note: the code's own time, keeps its weight. */
  fake_switches = lp_events(7, 41);
  CHECK(__lineprof_switch(log, t + 50000, 10000, 64 | b) == 64);
  /* A switch: once, counted as preempted. */
  fake_switches = lp_events(8, 41);
  before = lp_preempted_samples();
  CHECK(__lineprof_switch(log, t + 60000, 10000, 64 | b) == 1);
  CHECK(lp_preempted_samples() == before + 1 && lp_stalled_samples() == stalled + 1);
  /* A weight of 1 comes back without the flag, whatever happened. */
  CHECK(__lineprof_switch(log, t + 70000, 100, 1 | b) == 1);
  CHECK(__lineprof_switch(log, t + 80000, 1000000, 5 | b) == 5); /* no note */
  lp_switch_counter = real;
  /* The kernel's count exists on this system. */
  int ok = 0;
  lp_switch_counter(&ok);
  CHECK(ok);
}

int main(void) {
  char dir[] = "/tmp/lineprof-unit-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  setenv("LINEPROF_DB", "unused.db", 1);
  lp_config_init();
  lp_registry_init();
  test_registry();
  test_wrong_abi();
  test_writer(dir);
  test_snapshots_replace(dir);
  test_writer_refuses(dir);
  test_unregister_keeps_data(dir);
  test_reset_keeps_state();
  test_edge_counts();
  test_switch_log();
  test_line_sets(dir);
  test_sync_levels(dir);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures != 0;
}

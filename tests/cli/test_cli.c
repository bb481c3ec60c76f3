/* Unit test of the lineprof command's pieces: MD5 against the RFC 1321
 * test suite, the FILE matching rule, the line_profiler number formatting,
 * JSON strings, the whole-program model (builds merged, calls linked),
 * option scanning and value parsing, source line splitting, and the
 * merging of runs and builds when a file's profile is loaded.
 *
 * Prints one line per failed check and exits 1 if any failed.
 */
#define _XOPEN_SOURCE 700 /* setenv, tzset, mkstemp, fmemopen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "json.h"
#include "lineprof.h"
#include "match.h"
#include "md5.h"
#include "model.h"
#include "options.h"
#include "profile.h"
#include "schema.h"
#include "source.h"

static int failures; /* checks failed so far */

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_STR(got, want)                                                   \
  do {                                                                         \
    const char *got_ = (got), *want_ = (want);                                 \
    if (strcmp(got_, want_) != 0) {                                            \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,      \
              __LINE__, #got, got_, want_);                                    \
      failures++;                                                              \
    }                                                                          \
  } while (0)

static void test_md5(void) {
  /* RFC 1321, appendix A.5. */
  static const char *const suite[][2] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"1234567890123456789012345678901234567890123456789012345678901234567"
       "8901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  char hex[LP_MD5_HEX_SIZE];
  for (size_t i = 0; i < sizeof suite / sizeof suite[0]; i++) {
    lp_md5_hex(suite[i][0], strlen(suite[i][0]), hex);
    CHECK_STR(hex, suite[i][1]);
  }

  /* Feeding in pieces that straddle block boundaries changes nothing. */
  char text[1000];
  for (size_t i = 0; i < sizeof text; i++)
    text[i] = (char)(i * 7 + 3);
  char whole[LP_MD5_HEX_SIZE];
  lp_md5_hex(text, sizeof text, whole);
  for (size_t piece = 1; piece <= 130; piece += 3) {
    struct lp_md5 ctx;
    unsigned char digest[LP_MD5_DIGEST_SIZE];
    lp_md5_init(&ctx);
    for (size_t at = 0; at < sizeof text; at += piece)
      lp_md5_update(&ctx, text + at,
                    sizeof text - at < piece ? sizeof text - at : piece);
    lp_md5_final(&ctx, digest);
    for (int i = 0; i < LP_MD5_DIGEST_SIZE; i++)
      snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    CHECK_STR(hex, whole);
  }
  /* Lengths around the padding boundary (55, 56, 63, 64 bytes). */
  static const char *const padding[][2] = {
      {"1234567890123456789012345678901234567890123456789012345",
       "c9ccf168914a1bcfc3229f1948e67da0"},
      {"12345678901234567890123456789012345678901234567890123456",
       "49f193adce178490e34d1b3a4ec0064c"},
  };
  for (size_t i = 0; i < sizeof padding / sizeof padding[0]; i++) {
    lp_md5_hex(padding[i][0], strlen(padding[i][0]), hex);
    CHECK_STR(hex, padding[i][1]);
  }
}

static void test_match(void) {
  const char *path = "/x/examples/fib.c";
  CHECK(lp_match_path("fib.c", NULL, path) == LP_MATCH_SUFFIX);
  CHECK(lp_match_path("examples/fib.c", NULL, path) == LP_MATCH_SUFFIX);
  CHECK(lp_match_path("/x/examples/fib.c", NULL, path) == LP_MATCH_EXACT);
  CHECK(lp_match_path("./fib.c", "/x/examples/fib.c", path) == LP_MATCH_EXACT);
  CHECK(lp_match_path("ib.c", NULL, path) == LP_MATCH_NONE);
  CHECK(lp_match_path("les/fib.c", NULL, path) == LP_MATCH_NONE);
  CHECK(lp_match_path("./fib.c", NULL, path) == LP_MATCH_NONE);
  CHECK(lp_match_path("fib.c", "/y/fib.c", path) == LP_MATCH_SUFFIX);
  CHECK(lp_match_path("", NULL, path) == LP_MATCH_NONE);
  CHECK(lp_match_path("x/examples/fib.c", NULL, path) == LP_MATCH_SUFFIX);
  CHECK(lp_match_path("/examples/fib.c", NULL, path) == LP_MATCH_NONE);
}

/* Format one row into a string, as the report would print it. */
static void row_text(char *buf, size_t size, long line_no, int has_code,
                     long long hits, long long time_ns, long long total_ns,
                     double unit_s, const char *text) {
  struct lp_cells c;
  lp_format_cells(&c, line_no, has_code, hits, time_ns, total_ns,
                  lp_ns_per_unit(unit_s));
  FILE *f = tmpfile();
  lp_print_row(f, &c, text, strlen(text));
  rewind(f);
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  fclose(f);
}

/* lp_format_tenths must print exactly what printf("%5.1f") prints,
 * including values whose tenths are near or at a rounding tie. */
static void test_tenths(void) {
  static const double fixed[] = {0,     0.05,    0.15,    0.25,           0.35,
                                 1.25,  2.675,   35.75,   8.85,           99.95,
                                 100.0, 0.04999, 1e10,    99999999999.95, 1e11,
                                 1e300, -1.5,    12345.65};
  char got[320], want[320];
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    lp_format_tenths(got, sizeof got, fixed[i]);
    snprintf(want, sizeof want, "%5.1f", fixed[i]);
    CHECK_STR(got, want);
  }
  /* Ratios like the report's: ns / 1000, per hit, percentages. */
  unsigned long long seed = 12345;
  int mismatches = 0;
  for (int i = 0; i < 200000; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    long long ns = (long long)(seed >> 33) % 100000000;
    long long hits = (long long)(seed >> 20) % 1000 + 1;
    double values[3] = {(double)ns / 1000.0, (double)ns / 1000.0 / (double)hits,
                        100.0 * (double)(ns % 9973) / 9973.0};
    for (int k = 0; k < 3; k++) {
      lp_format_tenths(got, sizeof got, values[k]);
      snprintf(want, sizeof want, "%5.1f", values[k]);
      if (strcmp(got, want) != 0 && mismatches++ < 5)
        fprintf(stderr, "tenths of %.17g: \"%s\", printf \"%s\"\n", values[k],
                got, want);
    }
  }
  CHECK(mismatches == 0);
}

static void test_format(void) {
  CHECK(lp_ns_per_unit(1e-6) == 1000.0);
  CHECK(lp_ns_per_unit(1e-3) == 1e6);
  CHECK(lp_ns_per_unit(1e-9) == 1.0);
  CHECK(lp_ns_per_unit(1e-10) > 0.0999 && lp_ns_per_unit(1e-10) < 0.1001);

  char row[256];
  /* Values checked against Python: '%5.1f' % 1.25 is '  1.2'. */
  row_text(row, sizeof row, 16, 1, 1, 1250, 5000, 1e-6, "int main() {");
  CHECK_STR(row,
            "    16         1          1.2      1.2     25.0  int main() {\n");
  row_text(row, sizeof row, 7, 1, 177, 12390, 1563020, 1e-6, "\tif (n < 2)");
  CHECK_STR(row,
            "     7       177         12.4      0.1      0.8  \tif (n < 2)\n");
  row_text(row, sizeof row, 19, 0, 0, 0, 5000, 1e-6, "");
  CHECK_STR(row, "    19                                           \n");
  row_text(row, sizeof row, 13, 1, 0, 0, 0, 1e-6, "  return x;");
  CHECK_STR(row,
            "    13         0          0.0               0.0    return x;\n");
  row_text(row, sizeof row, 9, 1, 88, 1530250, 1563020, 1e-3, "x");
  CHECK_STR(row, "     9        88          1.5      0.0     97.9  x\n");
  row_text(row, sizeof row, 123456, 1, 1234567890, 123456789012345,
           123456789012345, 1e-6, "");
  CHECK_STR(row, "123456 1234567890 123456789012.3    100.0    100.0  \n");

  FILE *f = tmpfile();
  size_t width = lp_print_header(f);
  rewind(f);
  char header[256] = {0};
  size_t n = fread(header, 1, sizeof header - 1, f);
  fclose(f);
  CHECK(n == 2 * (width + 1));
  CHECK(width == 62);
  CHECK_STR(header,
            "Line #      Hits         Time  Per Hit   % Time  Line Contents\n"
            "==============================================================\n");

  char when[64];
  setenv("TZ", "UTC", 1);
  tzset();
  CHECK(lp_format_timestamp(1700000000012345678LL, when, sizeof when) == 0);
  CHECK_STR(when, "2023-11-14 22:13:20");
  CHECK(lp_format_timestamp(-1LL, when, sizeof when) == 0);
  CHECK_STR(when, "1969-12-31 23:59:59");
}

static void test_options(void) {
  static const struct lp_option opts[] = {{"db", 0, 1, 10},
                                          {"unit", 'u', 1, 11},
                                          {"skip-zero", 'z', 0, 12},
                                          {0, 0, 0, 0}};
  char *argv[] = {"annotate", "--db", "a.db", "--db=b.db", "x.c",  "-u1e-3",
                  "-zu",      "5",    "-z",   "--",        "-y.c", "--db"};
  struct lp_args args;
  const char *value, *text;
  lp_args_init(&args, (int)(sizeof argv / sizeof argv[0]), argv);
  CHECK(lp_next_option(&args, opts, &value, &text) == 10);
  CHECK_STR(value, "a.db");
  CHECK(lp_next_option(&args, opts, &value, &text) == 10);
  CHECK_STR(value, "b.db");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_OPERAND);
  CHECK_STR(text, "x.c");
  CHECK(lp_next_option(&args, opts, &value, &text) == 11);
  CHECK_STR(value, "1e-3");
  CHECK(lp_next_option(&args, opts, &value, &text) == 12);
  CHECK(lp_next_option(&args, opts, &value, &text) == 11);
  CHECK_STR(value, "5");
  CHECK(lp_next_option(&args, opts, &value, &text) == 12);
  CHECK(value == NULL);
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_OPERAND);
  CHECK_STR(text, "-y.c");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_OPERAND);
  CHECK_STR(text, "--db");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_END);

  char *bad[] = {"annotate", "--foo", "-zq", "--skip-zero=1", "-", "--unit"};
  lp_args_init(&args, (int)(sizeof bad / sizeof bad[0]), bad);
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_UNKNOWN);
  CHECK_STR(text, "--foo");
  CHECK(lp_next_option(&args, opts, &value, &text) == 12);
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_UNKNOWN);
  CHECK_STR(text, "-q");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_UNWANTED);
  CHECK_STR(text, "--skip-zero=1");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_OPERAND);
  CHECK_STR(text, "-");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_MISSING);
  CHECK_STR(text, "--unit");
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_END);

  char *short_missing[] = {"annotate", "-zu"};
  lp_args_init(&args, 2, short_missing);
  CHECK(lp_next_option(&args, opts, &value, &text) == 12);
  CHECK(lp_next_option(&args, opts, &value, &text) == LP_ARG_MISSING);
  CHECK_STR(text, "-u");

  double unit = 0;
  CHECK(lp_parse_unit("1e-6", &unit) == 0 && unit == 1e-6);
  CHECK(lp_parse_unit("0.5", &unit) == 0 && unit == 0.5);
  CHECK(lp_parse_unit("2", &unit) == 0 && unit == 2);
  static const char *const bad_units[] = {"",   "0",   "-1",  "abc",   "1e-6s",
                                          " 1", "inf", "nan", "1e999", "0x"};
  for (size_t i = 0; i < sizeof bad_units / sizeof bad_units[0]; i++)
    CHECK(lp_parse_unit(bad_units[i], &unit) != 0);

  long long run = 0;
  CHECK(lp_parse_run("all", &run) == 0 && run == LP_RUN_ALL);
  CHECK(lp_parse_run("12", &run) == 0 && run == 12);
  long long count = -1;
  CHECK(lp_parse_count("0", &count) == 0 && count == 0);
  CHECK(lp_parse_count("25", &count) == 0 && count == 25);
  static const char *const bad_counts[] = {"", "-1", "+1", " 1", "1x",
                                           "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; i++)
    CHECK(lp_parse_count(bad_counts[i], &count) != 0);
  double number = -1;
  CHECK(lp_parse_number("12.5", &number) == 0 && number == 12.5);
  CHECK(lp_parse_number("0", &number) == 0 && number == 0);
  static const char *const bad_numbers[] = {"", ".", "1e3", "-1", "1.2.3",
                                            "inf", "nan", " 1", "0x10"};
  for (size_t i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++)
    CHECK(lp_parse_number(bad_numbers[i], &number) != 0);
  long long when_ns = 0;
  CHECK(lp_parse_date("2023-11-14", &when_ns) == 0 &&
        when_ns == 1699920000LL * 1000000000LL);
  CHECK(lp_parse_date("2023-11-14 22:13:20", &when_ns) == 0 &&
        when_ns == 1700000000LL * 1000000000LL);
  CHECK(lp_parse_date("2023-11-14T22:13", &when_ns) == 0 &&
        when_ns == 1699999980LL * 1000000000LL);
  static const char *const bad_dates[] = {"", "2023-02-30", "2023-11-14x",
                                          "14/11/2023", "2023-13-01",
                                          " 2023-11-14"};
  for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++)
    CHECK(lp_parse_date(bad_dates[i], &when_ns) != 0);

  static const char *const bad_runs[] = {
      "", "0", "-1", "+1", " 1", "1x", "latest", "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad_runs / sizeof bad_runs[0]; i++)
    CHECK(lp_parse_run(bad_runs[i], &run) != 0);
}

static void check_line(const struct lp_source *src, long line_no,
                       const char *want) {
  const char *text;
  size_t len;
  lp_source_line(src, line_no, &text, &len);
  if (len != strlen(want) || memcmp(text, want, len) != 0) {
    fprintf(stderr, "line %ld is \"%.*s\", expected \"%s\"\n", line_no,
            (int)len, text, want);
    failures++;
  }
}

static void test_source(void) {
  char path[] = "/tmp/lineprof-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0)
    return;
  static const char content[] = "int x;\r\n\n\tint y;\r\r\nlast";
  CHECK(write(fd, content, sizeof content - 1) ==
        (ssize_t)(sizeof content - 1));
  close(fd);

  struct lp_source src;
  CHECK(lp_source_load(&src, path) == 0);
  CHECK(src.nlines == 4);
  check_line(&src, 1, "int x;");
  check_line(&src, 2, "");
  check_line(&src, 3, "\tint y;");
  check_line(&src, 4, "last");
  check_line(&src, 5, "");
  check_line(&src, 0, "");
  char want[LP_MD5_HEX_SIZE + 4] = "md5:";
  lp_md5_hex(content, sizeof content - 1, want + 4);
  CHECK(lp_source_matches(&src, want));
  CHECK(lp_source_matches(&src, ""));
  want[10] = want[10] == '0' ? '1' : '0';
  CHECK(!lp_source_matches(&src, want));
  CHECK(!lp_source_matches(&src, "sha1:0000"));
  lp_source_free(&src);
  unlink(path);

  CHECK(lp_source_load(&src, "/nonexistent/lineprof/x.c") != 0);
  check_line(&src, 1, "");
  lp_source_free(&src);
}

static void exec_sql(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "SQL failed: %s\n", msg ? msg : "?");
    failures++;
  }
  sqlite3_free(msg);
}

/* Check function k of a profile: name, first line, and its rows as
 * "line:hits:time_ns" joined with spaces. */
static void check_function(const struct lp_profile *p, size_t k,
                           const char *name, long first_line,
                           const char *rows) {
  if (k >= p->nfunctions) {
    fprintf(stderr, "no function %zu (of %zu), expected %s\n", k, p->nfunctions,
            name);
    failures++;
    return;
  }
  const struct lp_function *fn = &p->functions[k];
  char got[512] = "";
  size_t n = 0;
  for (size_t r = 0; r < fn->nrows; r++) {
    const struct lp_line_row *row = &p->rows[fn->first_row + r];
    n += (size_t)snprintf(got + n, sizeof got - n, "%s%ld:%lld:%lld",
                          r ? " " : "", row->line_no, row->hits, row->time_ns);
  }
  CHECK_STR(fn->name, name);
  CHECK(fn->first_line == first_line);
  CHECK_STR(got, rows);
}

/* Two builds of /p/a.c (files rows 1 and 2), one per run; function h only
 * in the first build; g has a line inlined from /p/b.h; line_ids of the two
 * files interleave, so the statistics scan must skip foreign lines. */
static void test_profile(void) {
  sqlite3 *db;
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
  exec_sql(db, LP_SCHEMA_SQL);
  exec_sql(db, "INSERT INTO runs(run_id, command, pid, start_ns, timer,"
               " ticks_per_second, tool_version) VALUES"
               " (1, 'a', 1, 0, 't', 1e9, 'v'), (2, 'a', 2, 1, 't', 1e9, 'v');"
               "INSERT INTO files VALUES (1, '/p/a.c', 'md5:old'),"
               " (2, '/p/a.c', 'md5:new'), (3, '/p/b.h', '');"
               "INSERT INTO functions VALUES (1, 1, 'f', 'f', 10),"
               " (2, 2, 'f', 'f', 10), (3, 2, 'g', '_Z1gv', 20),"
               " (4, 1, 'h', 'h', 30);"
               "INSERT INTO lines VALUES (1, 1, 1, 10), (2, 1, 1, 11),"
               " (3, 4, 1, 30), (4, 2, 2, 12), (5, 2, 2, 11), (6, 2, 2, 10),"
               " (7, 3, 3, 5), (8, 3, 2, 21), (9, 3, 2, 20), (10, 3, 2, 0);"
               "INSERT INTO line_stats VALUES (1, 1, 1, 100, 100),"
               " (1, 2, 2, 200, 200), (1, 3, 0, 0, 0),"
               " (2, 4, 4, 400, 400), (2, 5, 5, 500, 500), (2, 6, 6, 600, 600),"
               " (2, 7, 7, 700, 700), (2, 8, 8, 800, 800), (2, 9, 9, 900, 900),"
               " (2, 10, 1, 1, 1);");

  struct lp_profile p;
  CHECK(lp_profile_load(db, "/p/a.c", 2, &p) == SQLITE_OK);
  CHECK(p.nfunctions == 2);
  CHECK_STR(p.checksum, "md5:new");
  check_function(&p, 0, "f", 10, "10:6:600 11:5:500 12:4:400");
  check_function(&p, 1, "g", 20, "20:9:900 21:8:800");
  if (p.nfunctions == 2) {
    CHECK_STR(p.functions[1].linkage_name, "_Z1gv");
    CHECK(p.functions[1].hits == 17 && p.functions[1].total_ns == 1700);
  }
  lp_profile_free(&p);

  CHECK(lp_profile_load(db, "/p/a.c", 1, &p) == SQLITE_OK);
  CHECK(p.nfunctions == 2);
  CHECK_STR(p.checksum, "md5:old");
  check_function(&p, 0, "f", 10, "10:1:100 11:2:200");
  check_function(&p, 1, "h", 30, "30:0:0");
  lp_profile_free(&p);

  CHECK(lp_profile_load(db, "/p/a.c", LP_RUN_ALL, &p) == SQLITE_OK);
  CHECK(p.nfunctions == 3);
  CHECK_STR(p.checksum, "md5:new");
  check_function(&p, 0, "f", 10, "10:7:700 11:7:700 12:4:400");
  check_function(&p, 1, "g", 20, "20:9:900 21:8:800");
  check_function(&p, 2, "h", 30, "30:0:0");
  lp_profile_free(&p);

  /* b.h's only line belongs to a function of a.c: nothing of its own. */
  CHECK(lp_profile_load(db, "/p/b.h", 2, &p) == SQLITE_OK);
  CHECK(p.nfunctions == 0 && p.nrows == 0);
  CHECK_STR(p.checksum, "");
  lp_profile_free(&p);
  CHECK(lp_profile_load(db, "/p/none.c", LP_RUN_ALL, &p) == SQLITE_OK);
  CHECK(p.nfunctions == 0);
  lp_profile_free(&p);
  sqlite3_close(db);
}

/* JSON strings: escapes, and invalid UTF-8 replaced by U+FFFD. */
static void test_json(void) {
  char buf[256] = "";
  FILE *f = fmemopen(buf, sizeof buf, "w");
  CHECK(f != NULL);
  if (!f)
    return;
  lp_json_string(f, "a\"b\\c\n\t\x01\xc3\xa9\xff\xe2\x82");
  lp_json_string(f, NULL);
  fclose(f);
  CHECK_STR(buf, "\"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9\\ufffd\\ufffd\\ufffd\"\"\"");
}

/* The whole-program model merges builds by path, linkage name and line,
 * and links calls to their callee across files. */
static void test_model(void) {
  sqlite3 *db;
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
  exec_sql(db, LP_SCHEMA_SQL);
  exec_sql(db, "INSERT INTO runs(run_id, command, pid, start_ns, timer,"
               " ticks_per_second, tool_version) VALUES"
               " (1, 'a', 1, 0, 't', 1e9, 'v'), (2, 'a', 2, 1, 't', 1e9, 'v');"
               "INSERT INTO files VALUES (1, '/p/a.c', 'md5:old'),"
               " (2, '/p/a.c', 'md5:new'), (3, '/p/b.h', '');"
               "INSERT INTO functions VALUES (1, 1, 'f', 'f', 10),"
               " (2, 2, 'f', 'f', 11), (3, 3, 'g', '_Z1gv', 1);"
               "INSERT INTO lines VALUES (1, 1, 1, 10), (2, 2, 2, 11),"
               " (3, 2, 2, 12), (4, 3, 3, 2), (5, 2, 3, 2);"
               "INSERT INTO line_stats VALUES (1, 1, 1, 100, 100),"
               " (2, 2, 2, 200, 150), (2, 3, 3, 300, 300), (2, 4, 4, 40, 40),"
               " (2, 5, 5, 50, 50), (1, 4, 1, 10, 10);"
               "INSERT INTO function_stats VALUES (1, 1, 1, 1, 100, 100),"
               " (2, 2, 2, 2, 550, 500), (2, 3, 4, 4, 40, 40);"
               "INSERT INTO call_stats VALUES (2, 2, '_Z1gv', 3, 4, 40),"
               " (2, 3, 'puts', NULL, 1, 5);");
  struct lp_model m;
  CHECK(lp_model_load(db, LP_RUN_ALL, &m) == SQLITE_OK);
  CHECK(m.nfiles == 2 && m.nfunctions == 2 && m.nlines == 5 && m.ncalls == 2);
  size_t f = lp_model_find_function(&m, "/p/a.c", "f");
  size_t g = lp_model_find_function(&m, "/p/b.h", "_Z1gv");
  CHECK(f != LP_NONE && g != LP_NONE);
  if (f != LP_NONE && g != LP_NONE && m.ncalls == 2) {
    CHECK(m.functions[f].line_no == 11); /* the newest build's */
    CHECK(m.functions[f].calls == 3 && m.functions[f].self_ns == 600);
    CHECK(m.functions[f].nlines == 4 && m.functions[f].hits == 11);
    CHECK(m.calls[0].callee == g && m.calls[0].calls == 4);
    CHECK(m.calls[1].callee == LP_NONE);
    CHECK_STR(m.calls[1].callee_name, "puts");
    CHECK(m.lines[m.calls[0].line].line_no == 11);
    CHECK_STR(m.files[0].checksum, "md5:new");
  }
  CHECK(m.total_self_ns == 650);
  lp_model_free(&m);
  CHECK(lp_model_load(db, 1, &m) == SQLITE_OK);
  CHECK(m.nruns == 1 && m.nfunctions == 2 && m.total_self_ns == 110);
  lp_model_free(&m);
  sqlite3_close(db);
}

int main(void) {
  test_md5();
  test_json();
  test_model();
  test_match();
  test_tenths();
  test_format();
  test_profile();
  test_options();
  test_source();
  if (failures) {
    fprintf(stderr, "cli_unit: %d check(s) failed\n", failures);
    return 1;
  }
  printf("cli_unit: all checks passed\n");
  return 0;
}

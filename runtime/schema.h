/* The lineprof database schema, shared by the runtime (which creates and
 * fills it) and the CLI (which reads, merges and prunes it).
 *
 * This text is a contract: docs/schema.md documents every column. Any change
 * bumps LP_SCHEMA_VERSION and is described there. Readers refuse a database
 * whose user_version is newer than theirs; writers never touch one.
 */
#ifndef LINEPROF_SCHEMA_H
#define LINEPROF_SCHEMA_H

#define LP_SCHEMA_VERSION 3

/* Idempotent: every statement uses IF NOT EXISTS, so it can be run against a
 * database created by an equal or older writer of the same version. */
#define LP_SCHEMA_SQL                                                          \
  "CREATE TABLE IF NOT EXISTS runs(\n"                                         \
  "  run_id INTEGER PRIMARY KEY,\n"                                            \
  "  command TEXT NOT NULL,\n"                                                 \
  "  cwd TEXT,\n"                                                              \
  "  hostname TEXT,\n"                                                         \
  "  pid INTEGER NOT NULL,\n"                                                  \
  "  parent_run_id INTEGER REFERENCES runs(run_id),\n"                         \
  "  start_ns INTEGER NOT NULL,\n"                                             \
  "  end_ns INTEGER,\n"                                                        \
  "  exit_status INTEGER,\n"                                                   \
  "  status TEXT NOT NULL DEFAULT 'complete',\n"                               \
  "  timer TEXT NOT NULL,\n"                                                   \
  "  ticks_per_second REAL NOT NULL,\n"                                        \
  "  probe_overhead_ticks REAL NOT NULL DEFAULT 0,\n"                          \
  "  flush_ns INTEGER,\n"                                                      \
  "  tool_version TEXT NOT NULL,\n"                                            \
  "  exit_signal INTEGER,\n"                                                   \
  "  parent_pid INTEGER,\n"                                                    \
  "  parent_start_ns INTEGER);\n"                                              \
  "CREATE TABLE IF NOT EXISTS files(\n"                                        \
  "  file_id INTEGER PRIMARY KEY,\n"                                           \
  "  path TEXT NOT NULL,\n"                                                    \
  "  checksum TEXT NOT NULL DEFAULT '',\n"                                     \
  "  UNIQUE(path, checksum));\n"                                               \
  "CREATE TABLE IF NOT EXISTS functions(\n"                                    \
  "  function_id INTEGER PRIMARY KEY,\n"                                       \
  "  file_id INTEGER NOT NULL REFERENCES files(file_id),\n"                    \
  "  name TEXT NOT NULL,\n"                                                    \
  "  linkage_name TEXT NOT NULL,\n"                                            \
  "  line_no INTEGER NOT NULL,\n"                                              \
  "  UNIQUE(file_id, linkage_name, line_no));\n"                               \
  "CREATE TABLE IF NOT EXISTS lines(\n"                                        \
  "  line_id INTEGER PRIMARY KEY,\n"                                           \
  "  function_id INTEGER NOT NULL REFERENCES functions(function_id),\n"        \
  "  file_id INTEGER NOT NULL REFERENCES files(file_id),\n"                    \
  "  line_no INTEGER NOT NULL,\n"                                              \
  "  UNIQUE(function_id, file_id, line_no));\n"                                \
  "CREATE TABLE IF NOT EXISTS line_sets(\n"                                    \
  "  function_id INTEGER NOT NULL REFERENCES functions(function_id),\n"        \
  "  file_id INTEGER NOT NULL REFERENCES files(file_id),\n"                    \
  "  line_nos TEXT NOT NULL,\n"                                                \
  "  UNIQUE(function_id, file_id));\n"                                        \
  "CREATE TABLE IF NOT EXISTS line_stats(\n"                                   \
  "  run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"     \
  "  line_id INTEGER NOT NULL REFERENCES lines(line_id),\n"                    \
  "  hits INTEGER NOT NULL,\n"                                                 \
  "  time_ns INTEGER NOT NULL,\n"                                              \
  "  self_ns INTEGER NOT NULL,\n"                                              \
  "  PRIMARY KEY(run_id, line_id)) WITHOUT ROWID;\n"                           \
  "CREATE TABLE IF NOT EXISTS function_stats(\n"                               \
  "  run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"     \
  "  function_id INTEGER NOT NULL REFERENCES functions(function_id),\n"        \
  "  calls INTEGER NOT NULL,\n"                                                \
  "  primitive_calls INTEGER NOT NULL,\n"                                      \
  "  inclusive_ns INTEGER NOT NULL,\n"                                         \
  "  self_ns INTEGER NOT NULL,\n"                                              \
  "  PRIMARY KEY(run_id, function_id)) WITHOUT ROWID;\n"                       \
  "CREATE TABLE IF NOT EXISTS call_stats(\n"                                   \
  "  run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"     \
  "  line_id INTEGER NOT NULL REFERENCES lines(line_id),\n"                    \
  "  callee_name TEXT NOT NULL,\n"                                             \
  "  callee_function_id INTEGER REFERENCES functions(function_id),\n"          \
  "  calls INTEGER NOT NULL,\n"                                                \
  "  time_ns INTEGER NOT NULL,\n"                                              \
  "  PRIMARY KEY(run_id, line_id, callee_name)) WITHOUT ROWID;\n"              \
  "CREATE VIEW IF NOT EXISTS line_profile AS\n"                                \
  "  SELECT s.run_id, f.path AS file, fn.name AS function, s.line_no,\n"      \
  "         s.hits, s.time_ns, s.self_ns,\n"                                   \
  "         CAST(s.time_ns AS REAL) / NULLIF(s.hits, 0) AS per_hit_ns,\n"     \
  "         100.0 * s.time_ns / NULLIF(SUM(s.time_ns) OVER\n"                 \
  "           (PARTITION BY s.run_id, s.function_id), 0) AS percent_time\n"   \
  "  FROM (SELECT x.run_id, l.function_id, l.file_id, l.line_no,\n"           \
  "               x.hits, x.time_ns, x.self_ns\n"                              \
  "        FROM line_stats x JOIN lines l ON l.line_id = x.line_id\n"          \
  "        UNION ALL\n"                                                         \
  "        SELECT fs.run_id, z.function_id, z.file_id, j.value, 0, 0, 0\n"     \
  "        FROM function_stats fs JOIN line_sets z\n"                          \
  "          ON z.function_id = fs.function_id\n"                               \
  "        JOIN json_each(z.line_nos) j\n"                                      \
  "        WHERE fs.calls = 0 AND j.value > 0 AND NOT EXISTS\n"                \
  "          (SELECT 1 FROM lines y JOIN line_stats x\n"                       \
  "             ON x.run_id = fs.run_id AND x.line_id = y.line_id\n"           \
  "           WHERE y.function_id = z.function_id\n"                           \
  "             AND y.file_id = z.file_id AND y.line_no = j.value)) s\n"       \
  "  JOIN files f ON f.file_id = s.file_id\n"                                  \
  "  JOIN functions fn ON fn.function_id = s.function_id;\n"                   \
  "CREATE VIEW IF NOT EXISTS function_profile AS\n"                            \
  "  SELECT s.run_id, f.path AS file, fn.name AS function,\n"                 \
  "         fn.line_no, s.calls, s.primitive_calls,\n"                         \
  "         s.inclusive_ns, s.self_ns,\n"                                      \
  "         CAST(s.inclusive_ns AS REAL) / NULLIF(s.calls, 0)\n"              \
  "           AS inclusive_per_call_ns\n"                                      \
  "  FROM function_stats s JOIN functions fn\n"                                \
  "    ON fn.function_id = s.function_id\n"                                    \
  "  JOIN files f ON f.file_id = fn.file_id;\n"                                \
  "CREATE VIEW IF NOT EXISTS call_graph AS\n"                                  \
  "  SELECT c.run_id, caller.name AS caller, f.path AS file, l.line_no,\n"    \
  "         COALESCE(callee.name, NULLIF(c.callee_name, '')) AS callee,\n"   \
  "         c.callee_function_id, c.calls, c.time_ns\n"                       \
  "  FROM call_stats c JOIN lines l ON l.line_id = c.line_id\n"               \
  "  JOIN files f ON f.file_id = l.file_id\n"                                 \
  "  JOIN functions caller ON caller.function_id = l.function_id\n"           \
  "  LEFT JOIN functions callee\n"                                            \
  "    ON callee.function_id = c.callee_function_id;\n"

/* The line_sets rows (function_id, file_id, line_nos) of an older
 * database's table `lines`, which held every function's lines: for the
 * upgrade, and for `lineprof merge` from such a database. */
#define LP_LINE_SETS_OF(lines)                                                 \
  "SELECT function_id, file_id, json_group_array(line_no) AS line_nos\n"      \
  "  FROM (SELECT function_id, file_id, line_no FROM " lines "\n"             \
  "        WHERE line_no > 0 ORDER BY function_id, file_id, line_no)\n"       \
  "  GROUP BY function_id, file_id"

/* From an older version: the views whose text changed are dropped, the
 * schema is completed, and the version set. Version 2 changed
 * line_profile (functions that did not run have no line_stats rows);
 * version 3 added line_sets (every function's lines, filled here from
 * `lines`) and changed line_profile to read them. */
#define LP_SCHEMA_UPGRADE_SQL                                                  \
  "DROP VIEW IF EXISTS line_profile;\n" LP_SCHEMA_SQL                          \
  "INSERT OR IGNORE INTO line_sets(function_id, file_id, line_nos)\n"          \
  LP_LINE_SETS_OF("lines") ";\n"                                              \
  "PRAGMA user_version=3;\n"

#endif

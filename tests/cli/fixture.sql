-- Profile data of the CLI golden tests, loaded by mkfixture after it has
-- created the schema from runtime/schema.h (so there is no second copy of
-- the schema here). fixture_dir() is the directory that holds the copy of
-- data/fib.c the test reads; mkfixture defines it.
--
-- Two runs of ./fib, by two builds of fib.c (a rebuild between them):
--   run 1: `./fib 5`,  built from an older fib.c (files row 1)
--   run 2: `./fib 10`, built from data/fib.c as committed (files row 2;
--          its checksum is the md5 of data/fib.c)
-- plus a header, include/square.h, that is not on disk (files row 3).

INSERT INTO runs(run_id, command, cwd, hostname, pid, parent_run_id, start_ns,
                 end_ns, exit_status, status, timer, ticks_per_second,
                 probe_overhead_ticks, flush_ns, tool_version)
VALUES
  (1, './fib 5', '/home/dev/fib', 'buildhost', 4242, NULL,
   1700000000000000000, 1700000000012345678, 0, 'complete',
   'clock_gettime', 1e9, 0, 150000, '0.1.0'),
  (2, './fib 10', '/home/dev/fib', 'buildhost', 4243, NULL,
   1700000100000000000, 1700000101500000000, 3, 'complete',
   'clock_gettime', 1e9, 0, 180000, '0.1.0');

INSERT INTO files(file_id, path, checksum) VALUES
  (1, fixture_dir() || '/fib.c', 'md5:0123456789abcdef0123456789abcdef'),
  (2, fixture_dir() || '/fib.c', 'md5:1ef1b359263da84e02256fc10b48cb80'),
  (3, fixture_dir() || '/include/square.h', '');

INSERT INTO functions(function_id, file_id, name, linkage_name, line_no)
VALUES
  (1, 1, 'fib', 'fib', 6), (2, 1, 'unused', 'unused', 12),
  (3, 1, 'main', 'main', 16),
  (4, 2, 'fib', 'fib', 6), (5, 2, 'unused', 'unused', 12),
  (6, 2, 'main', 'main', 16),
  (7, 3, 'square', 'square', 2);

-- Line 19 of fib.c is blank: no code, so no row.
INSERT INTO lines(line_id, function_id, file_id, line_no) VALUES
  (1, 1, 1, 6), (2, 1, 1, 7), (3, 1, 1, 8), (4, 1, 1, 9), (5, 1, 1, 10),
  (6, 2, 1, 12), (7, 2, 1, 13), (8, 2, 1, 14),
  (9, 3, 1, 16), (10, 3, 1, 17), (11, 3, 1, 18), (12, 3, 1, 20),
  (13, 3, 1, 21), (14, 3, 1, 22),
  (15, 4, 2, 6), (16, 4, 2, 7), (17, 4, 2, 8), (18, 4, 2, 9), (19, 4, 2, 10),
  (20, 5, 2, 12), (21, 5, 2, 13), (22, 5, 2, 14),
  (23, 6, 2, 16), (24, 6, 2, 17), (25, 6, 2, 18), (26, 6, 2, 20),
  (27, 6, 2, 21), (28, 6, 2, 22),
  (29, 7, 3, 2), (30, 7, 3, 3), (31, 7, 3, 4);

-- fib(5) makes 15 calls (8 leaves), fib(10) 177 (89 leaves). Line 9's
-- time includes its recursive calls, as line_profiler's would.
-- 1250 ns at 1e-6 s is 1.25: '%5.1f' rounds it to even, "1.2".
INSERT INTO line_stats(run_id, line_id, hits, time_ns, self_ns) VALUES
  (1, 1, 15, 750, 750), (1, 2, 15, 1050, 1050), (1, 3, 8, 400, 400),
  (1, 4, 7, 61200, 1400), (1, 5, 15, 600, 600),
  (1, 6, 0, 0, 0), (1, 7, 0, 0, 0), (1, 8, 0, 0, 0),
  (1, 9, 1, 1100, 1100), (1, 10, 1, 30200, 30200), (1, 11, 1, 15010, 2010),
  (1, 12, 1, 40001, 40001), (1, 13, 1, 300, 300), (1, 14, 1, 500, 500),
  (1, 29, 5, 250, 250), (1, 30, 5, 1000, 1000), (1, 31, 5, 250, 250),
  (2, 15, 177, 8850, 8850), (2, 16, 177, 12390, 12390),
  (2, 17, 89, 4450, 4450), (2, 18, 88, 1530250, 17600),
  (2, 19, 177, 7080, 7080),
  (2, 20, 0, 0, 0), (2, 21, 0, 0, 0), (2, 22, 0, 0, 0),
  (2, 23, 1, 1250, 1250), (2, 24, 1, 35750, 35750), (2, 25, 1, 214630, 3000),
  (2, 26, 1, 48905, 48905), (2, 27, 1, 350, 350), (2, 28, 1, 600, 600),
  (2, 29, 10, 500, 500), (2, 30, 10, 2000, 2000), (2, 31, 10, 500, 500);

INSERT INTO function_stats(run_id, function_id, calls, primitive_calls,
                           inclusive_ns, self_ns) VALUES
  (1, 1, 15, 1, 64000, 4200), (1, 2, 0, 0, 0, 0), (1, 3, 1, 1, 87111, 74111),
  (1, 7, 5, 5, 1500, 1500),
  (2, 4, 177, 1, 1563020, 50370), (2, 5, 0, 0, 0, 0),
  (2, 6, 1, 1, 301485, 54855), (2, 7, 10, 10, 3000, 3000);

-- Calls, one row per (run, call-site line, callee): main's line 18 calls
-- fib, fib's line 9 calls fib (recursion), main's line 20 calls square (in
-- another file), printf (not profiled: no callee_function_id) and, in run
-- 2, something through a pointer (callee_name ''). time_ns is inclusive.
INSERT INTO call_stats(run_id, line_id, callee_name, callee_function_id,
                       calls, time_ns) VALUES
  (1, 11, 'fib', 1, 1, 13000), (1, 4, 'fib', 1, 14, 59800),
  (1, 10, 'atoi', NULL, 1, 500), (1, 12, 'printf', NULL, 1, 37000),
  (1, 12, 'square', 7, 5, 1500),
  (2, 25, 'fib', 4, 1, 211630), (2, 18, 'fib', 4, 176, 1512650),
  (2, 24, 'atoi', NULL, 1, 600), (2, 26, 'printf', NULL, 1, 45000),
  (2, 26, 'square', 7, 10, 3000), (2, 26, '', NULL, 1, 200);

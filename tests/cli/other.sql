-- Another database to merge with fixture.sql's: one run of a build of
-- fib.c that fixture.sql also has (same path and checksum), numbered
-- differently (square.h is files row 1 here), so that merging must remap
-- every id through the natural keys.
INSERT INTO runs(run_id, command, cwd, hostname, pid, parent_run_id, start_ns,
                 end_ns, exit_status, status, timer, ticks_per_second,
                 probe_overhead_ticks, flush_ns, tool_version)
VALUES
  (1, './fib 3', '/home/dev/fib', 'otherhost', 7001, NULL,
   1700000300000000000, 1700000300001000000, 0, 'complete',
   'clock_gettime', 1e9, 0, 100000, '0.1.0');

INSERT INTO files(file_id, path, checksum) VALUES
  (1, fixture_dir() || '/include/square.h', ''),
  (2, fixture_dir() || '/fib.c', 'md5:1ef1b359263da84e02256fc10b48cb80');

INSERT INTO functions(function_id, file_id, name, linkage_name, line_no)
VALUES (1, 2, 'main', 'main', 16), (2, 2, 'fib', 'fib', 6);

INSERT INTO lines(line_id, function_id, file_id, line_no) VALUES
  (1, 2, 2, 6), (2, 2, 2, 7), (3, 2, 2, 8), (4, 2, 2, 9), (5, 2, 2, 10),
  (6, 1, 2, 17), (7, 1, 2, 18), (8, 1, 2, 20);

INSERT INTO line_stats(run_id, line_id, hits, time_ns, self_ns) VALUES
  (1, 1, 5, 250, 250), (1, 2, 5, 350, 350), (1, 3, 3, 150, 150),
  (1, 4, 2, 2000, 400), (1, 5, 5, 200, 200),
  (1, 6, 1, 30000, 30000), (1, 7, 1, 3500, 500), (1, 8, 1, 40000, 40000);

INSERT INTO function_stats(run_id, function_id, calls, primitive_calls,
                           inclusive_ns, self_ns) VALUES
  (1, 1, 1, 1, 73500, 70500), (1, 2, 5, 1, 2950, 1350);

INSERT INTO call_stats(run_id, line_id, callee_name, callee_function_id,
                       calls, time_ns) VALUES
  (1, 7, 'fib', 2, 1, 3000), (1, 4, 'fib', 2, 4, 1600);

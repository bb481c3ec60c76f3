-- Added to fixture.sql: a third run that is still going (or crashed) and
-- has written no statistics yet; the latest run, so annotate defaults to it.
INSERT INTO runs(run_id, command, cwd, hostname, pid, start_ns, status, timer,
                 ticks_per_second, tool_version)
VALUES (3, './fib 40', '/home/dev/fib', 'buildhost', 4250,
        1700000200000000000, 'in_progress', 'clock_gettime', 1e9, '0.1.0');

#!/usr/bin/env python3
"""The cost of profiling the examples (what `make demo` runs).

Builds each example in examples/ plain and with the plugin at the same -O
level, runs the two builds alternately (--reps times each, a fresh database
per run), and prints, per example, the median wall time of each build, their
ratio, the ratio without the flush at exit (runs.flush_ns subtracted from
each instrumented run), the median flush and the size of one run's database.

    bench/examples.py [--build-dir build] [--reps 5] [--opt -O2]

It is a measurement, not a test: it fails only when a build cannot be made
or the two builds print different things.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = ["fib", "strcat", "lookup"]


def run(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=True)
    return time.perf_counter() - t0, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--opt", default="-O2")
    ap.add_argument("--cc", default="clang-14")
    a = ap.parse_args()
    plugin = os.path.join(os.path.abspath(a.build_dir), "lib", "libline.so")
    if not os.path.exists(plugin):
        sys.exit(f"examples: error: no plugin at {plugin}; build first")
    work = tempfile.mkdtemp(prefix="lineprof-examples.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINEPROF_")}
    rows = []
    try:
        for ex in EXAMPLES:
            src = os.path.join(ROOT, "examples", ex + ".c")
            plain = os.path.join(work, ex + ".plain")
            prof = os.path.join(work, ex + ".prof")
            subprocess.run([a.cc, a.opt, "-g", src, "-o", plain], check=True)
            subprocess.run([a.cc, a.opt, "-g", "-fpass-plugin=" + plugin, src,
                            "-o", prof], check=True, env=env)
            tp, tl, flush, size = [], [], [], 0
            for i in range(a.reps):
                t, out_plain = run([plain], env)
                tp.append(t)
                db = os.path.join(work, f"{ex}-{i}.db")
                t, out_prof = run([prof], dict(env, LINEPROF_DB=db))
                if out_plain != out_prof:
                    sys.exit(f"examples: error: {ex}: the builds print different output")
                con = sqlite3.connect(db)
                (f,) = con.execute("SELECT flush_ns FROM runs").fetchone()
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                con.close()
                tl.append(t)
                flush.append(f / 1e9)
                size = os.path.getsize(db)
            mp, ml = statistics.median(tp), statistics.median(tl)
            no_flush = statistics.median(t - f for t, f in zip(tl, flush))
            rows.append((ex, mp, ml, ml / mp, no_flush / mp,
                         statistics.median(flush), size))
    finally:
        shutil.rmtree(work)
    print(f"examples at {a.opt} -g, median of {a.reps} alternating runs")
    print("| example | plain | lineprof | ratio | ratio without the exit flush"
          " | flush | database |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for ex, mp, ml, r, rn, f, size in rows:
        print(f"| {ex} | {mp * 1e3:.1f} ms | {ml * 1e3:.1f} ms | {r:.2f}x "
              f"| {rn:.2f}x | {f * 1e3:.1f} ms | {size / 1024:.0f} KiB |")


if __name__ == "__main__":
    main()

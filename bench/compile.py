#!/usr/bin/env python3
"""What lineprof costs at compile time, build configuration by configuration.

Compiles one source (by default the SQLite amalgamation, pinned to the
version the SQLite test uses and fetched from npm into bench/.cache/) to an
object file under each configuration below, round-robin, --reps times, one
compile at a time, and writes a table of medians to bench/results/:
wall time, CPU time (user + system of the compiler), the ratio of each to
the plain compile's, and the object's text size.

    bench/compile.py [--build-dir build] [--reps 3] [--opt -O2]
                     [--cc clang-14] [--source FILE --cflags FLAGS]
                     [--only NAME,NAME] [--no-write]

The ratio to trust is the CPU time's: it does not count time the compiler
waited for the machine. It is a measurement, not a test: it fails only when
a compile fails.
"""
import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SQLITE_VERSION = "12.11.1"  # the SQLite test's pin (tests/sqlite/sqlite.sh)
TARGET = 1.3

# name, environment at compile time, extra flags; {plugin} is the plugin.
CONFIGS = [
    ("plain", {}, []),
    ("llvm-cov", {}, ["-fprofile-instr-generate", "-fcoverage-mapping"]),
    ("time (default)", {}, ["-fpass-plugin={plugin}"]),
    ("time, no plain copies", {"LINEPROF_PLAIN_COPIES": "0"},
     ["-fpass-plugin={plugin}"]),
    ("counts", {"LINEPROF_MODE": "counts"}, ["-fpass-plugin={plugin}"]),
    ("counts, no plain copies",
     {"LINEPROF_MODE": "counts", "LINEPROF_PLAIN_COPIES": "0"},
     ["-fpass-plugin={plugin}"]),
]
# With the default source: the time mode on one function only, the way a
# user narrows a large file down to the code under study.
ONE_FUNCTION = ("time, one function (sqlite3VdbeExec)",
                {"LINEPROF_INCLUDE": "sqlite3VdbeExec"},
                ["-fpass-plugin={plugin}"])


def die(msg):
    sys.exit(f"compile.py: error: {msg}")


def text_size(obj):
    out = subprocess.run(["size", "-A", obj], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    return sum(int(f[1]) for f in (l.split() for l in out.splitlines())
               if len(f) >= 2 and f[0].startswith(".text") and f[1].isdigit())


def compile_once(cmd, env):
    """Wall and CPU seconds of one compile (the child's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        die(f"{' '.join(cmd)} failed with status {p.returncode}:\n{p.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def secs(s):
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def git(*args):
    p = subprocess.run(["git", "-C", ROOT] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return p.stdout.strip() if p.returncode == 0 else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--opt", default="-O2")
    ap.add_argument("--cc", default="clang-14")
    ap.add_argument("--source", help="a C file instead of sqlite3.c")
    ap.add_argument("--cflags", default="", help="flags for --source")
    ap.add_argument("--only", help="configurations to run, by name, comma-separated"
                    " (plain is always run)")
    ap.add_argument("--no-write", action="store_true",
                    help="print the table only, write nothing to bench/results/")
    a = ap.parse_args()
    if a.reps < 1:
        die(f"--reps {a.reps}: must be at least 1")
    plugin = os.path.join(os.path.abspath(a.build_dir), "lib", "libline.so")
    if not os.path.exists(plugin):
        die(f"no plugin at {plugin}; build first (make build)")

    configs = list(CONFIGS)
    if a.source:
        source = os.path.abspath(a.source)
        if not os.path.isfile(source):
            die(f"{a.source}: no such file")
        cflags = a.cflags.split()
    else:
        cache = os.path.join(ROOT, "bench", ".cache", "sqlite-npm")
        sqlite = subprocess.run(
            [os.path.join(ROOT, "tests", "sqlite", "fetch.sh"), cache, SQLITE_VERSION],
            stdout=subprocess.PIPE, text=True)
        if sqlite.returncode != 0:
            die(f"cannot fetch better-sqlite3@{SQLITE_VERSION} from npm")
        sqlite = sqlite.stdout.strip()
        source = os.path.join(sqlite, "sqlite3.c")
        cflags = ["-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_LOAD_EXTENSION", "-I" + sqlite]
        configs.append(ONE_FUNCTION)
    if a.only:
        names = {n.strip() for n in a.only.split(",")}
        unknown = names - {c[0] for c in configs}
        if unknown:
            die(f"--only: unknown configuration {sorted(unknown)[0]!r}; known: "
                + ", ".join(repr(c[0]) for c in configs))
        configs = [c for c in configs if c[0] == "plain" or c[0] in names]

    work = os.path.join(ROOT, "bench", ".cache", "compile")
    os.makedirs(work, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LINEPROF_")}
    wall = {c[0]: [] for c in configs}
    cpu = {c[0]: [] for c in configs}
    text = {}
    load = [os.getloadavg()[0]]
    for rep in range(a.reps):
        for i, (name, env, extra) in enumerate(configs):
            obj = os.path.join(work, f"{i}.o")
            cmd = ([a.cc, "-g", a.opt, "-c", source, "-o", obj] + cflags
                   + [f.format(plugin=plugin) for f in extra])
            w, c = compile_once(cmd, dict(base_env, **env))
            wall[name].append(w)
            cpu[name].append(c)
            text[name] = text_size(obj)
            print(f"rep {rep + 1}/{a.reps} {name}: {w:.1f} s wall, {c:.1f} s CPU",
                  file=sys.stderr, flush=True)
        load.append(os.getloadavg()[0])

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = "-dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
    cc = subprocess.run([a.cc, "--version"], stdout=subprocess.PIPE,
                        text=True).stdout.splitlines()[0]
    pw, pc = statistics.median(wall["plain"]), statistics.median(cpu["plain"])
    lines = [
        f"# Compile time: {os.path.basename(source)} at {a.opt} -g",
        "",
        f"- commit {commit}{dirty}; {cc}; {platform.machine()}, "
        f"{os.cpu_count()} CPUs; load average (1 min) {min(load):.2f} to {max(load):.2f}",
        f"- `bench/compile.py --reps {a.reps} --opt {a.opt}`: one compile at a time,"
        " round-robin; medians; ratios to the plain compile's median",
        f"- target: at most {TARGET}x the plain compile's time",
        "",
        "| configuration | wall | CPU | CPU ratio | wall ratio | text | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, env, extra in configs:
        mw, mc = statistics.median(wall[name]), statistics.median(cpu[name])
        ratio = mc / pc
        met = "-" if name == "plain" else ("met" if ratio <= TARGET else "not met")
        lines.append(f"| {name} | {secs(mw)} | {secs(mc)} | {ratio:.2f}x | {mw / pw:.2f}x"
                     f" | {text[name] / 1e3:,.0f} kB | {met} |")
    lines.append("")
    lines.append("Every compile (CPU seconds, in the order run):")
    lines.append("")
    for name, _, _ in configs:
        lines.append(f"- {name}: " + ", ".join(f"{c:.2f}" for c in cpu[name]))
    report = "\n".join(lines) + "\n"
    print(report)
    if not a.no_write:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
        out = os.path.join(ROOT, "bench", "results", f"{stamp}-{commit}{dirty}-compile.md")
        with open(out, "w") as f:
            f.write(report)
        print(f"written: {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    main()

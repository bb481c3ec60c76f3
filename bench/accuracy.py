#!/usr/bin/env python3
"""External check of lineprof's time: its share of self time per function
and per line, against `perf record -e cpu-clock` sampling of the plain build.

    accuracy.py --plain EXE --lineprof EXE [--reps N] [--out FILE.md] -- ARGS

Runs the plain build REPS times under perf (cpu-clock, with DWARF call
chains) and the lineprof build REPS times, and prints a Markdown report:

- the top 15 functions by perf's share, with lineprof's share beside it and
  the difference in percentage points;
- the top 10 lines by self time of each tool, side by side, and how many of
  the ten the two lists share.

How samples are attributed, so that both tools count the same thing:

- lineprof gives inlined code to the function it was written in (the pass
  runs before inlining), so a perf sample goes to the innermost inlined
  frame of its address, as llvm-symbolizer reports it;
- lineprof counts the time of a call into the C library (memcpy, malloc...)
  as the calling line's own, so a sample in libc or the kernel goes to the
  first frame of the program on its call chain (at the call's line);
- samples with no frame of the program (the dynamic loader, process exit)
  are left out, as lineprof leaves out what runs outside instrumented code.

Shares are of the total over the program's functions, in each tool.
"""
import argparse
import collections
import os
import re
import sqlite3
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def perf_samples(exe, args, reps, work):
    """Yields, per sample, (ip, is_leaf) of the first frame in exe."""
    exe_real = os.path.realpath(exe)
    for rep in range(reps):
        data = os.path.join(work, "perf.%d.data" % rep)
        run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000",
             "--call-graph", "dwarf,16384", "-o", data, exe] + args,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = run(["perf", "script", "-i", data, "-F", "ip,dso"],
                  capture_output=True, text=True).stdout
        os.unlink(data)
        for block in out.split("\n\n"):
            frames = []
            for line in block.strip().split("\n"):
                m = re.match(r"\s*([0-9a-f]+)\s+\((.*)\)\s*$", line)
                if m:
                    frames.append((int(m.group(1), 16), m.group(2)))
            if not frames:
                continue
            for i, (ip, dso) in enumerate(frames):
                if os.path.realpath(dso) == exe_real:
                    yield ip, i == 0
                    break
            else:
                yield None, False


def symbolize(exe, addrs):
    """{addr: (function, file, line)} of the innermost inlined frame."""
    addrs = sorted(addrs)
    if not addrs:
        return {}
    tool = None
    for name in ("llvm-symbolizer-14", "llvm-symbolizer"):
        if subprocess.run(["sh", "-c", "command -v " + name],
                          capture_output=True).returncode == 0:
            tool = name
            break
    if tool is None:
        sys.exit("accuracy.py: llvm-symbolizer is not installed")
    out = run([tool, "--obj=" + exe, "--inlining", "--functions=linkage"],
              input="\n".join("0x%x" % a for a in addrs) + "\n",
              capture_output=True, text=True).stdout
    result = {}
    for addr, block in zip(addrs, out.strip("\n").split("\n\n")):
        lines = block.split("\n")
        fn = lines[0].strip()
        loc = lines[1].strip() if len(lines) > 1 else "??:0:0"
        parts = loc.rsplit(":", 2)
        file, line = (parts[0], int(parts[1])) if len(parts) == 3 else (loc, 0)
        result[addr] = (fn, os.path.basename(file), line)
    return result


def perf_profile(exe, args, reps, work):
    samples = collections.Counter()
    outside = 0
    for ip, leaf in perf_samples(exe, args, reps, work):
        if ip is None:
            outside += 1
        else:
            # A return address points after the call: look up the call.
            samples[ip if leaf else ip - 1] += 1
    syms = symbolize(exe, samples.keys())
    by_fn, by_line = collections.Counter(), collections.Counter()
    for addr, n in samples.items():
        fn, file, line = syms[addr]
        by_fn[fn] += n
        if line:
            by_line[(file, line)] += n
    return by_fn, by_line, sum(samples.values()), outside


def lineprof_profile(exe, args, reps, work):
    by_fn, by_line = collections.Counter(), collections.Counter()
    db = os.path.join(work, "lineprof.db")
    for rep in range(reps):
        if os.path.exists(db):
            os.unlink(db)
        run([exe] + args, stdout=subprocess.DEVNULL,
            env=dict(os.environ, LINEPROF_DB=db))
        if not os.path.exists(db):
            sys.exit("accuracy.py: %s wrote no profile to %s" % (exe, db))
        con = sqlite3.connect(db)
        for fn, self_ns in con.execute(
                "SELECT function, self_ns FROM function_profile"):
            by_fn[fn] += self_ns
        for file, line, self_ns in con.execute(
                "SELECT file, line_no, self_ns FROM line_profile"):
            by_line[(os.path.basename(file), line)] += self_ns
        con.close()
    if not any(by_fn.values()):
        sys.exit("accuracy.py: %s recorded no time in %s (was it built in "
                 "the time mode, for this runtime's ABI? see its stderr)"
                 % (exe, db))
    return by_fn, by_line


def share(counter):
    total = sum(counter.values()) or 1
    return {k: 100.0 * v / total for k, v in counter.items()}


def source_line(dirs, file, line):
    for d in dirs:
        path = os.path.join(d, file)
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                for i, text in enumerate(f, 1):
                    if i == line:
                        return text.strip().replace("|", "\\|")[:60]
    return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plain", required=True)
    ap.add_argument("--lineprof", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--source-dir", action="append", default=[])
    ap.add_argument("--out")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    a.plain, a.lineprof = os.path.abspath(a.plain), os.path.abspath(a.lineprof)
    with tempfile.TemporaryDirectory() as work:
        pf, pl, n, outside = perf_profile(a.plain, a.args, a.reps, work)
        lf, ll = lineprof_profile(a.lineprof, a.args, a.reps, work)
    pfs, pls, lfs, lls = share(pf), share(pl), share(lf), share(ll)
    out = []
    out.append("perf: %d cpu-clock samples at 2 kHz over %d runs of the plain "
               "build (%d more outside the program's code, left out); "
               "lineprof: %d runs of the time build. Input: `%s`.\n"
               % (n, a.reps, outside, a.reps, " ".join(a.args)))
    out.append("### Functions: share of self time\n")
    out.append("| # | function | perf % | lineprof % | difference (pp) |")
    out.append("|---|---|---|---|---|")
    top = [f for f, _ in pf.most_common(15)]
    worst = 0.0
    for i, f in enumerate(top, 1):
        d = lfs.get(f, 0.0) - pfs[f]
        worst = max(worst, abs(d))
        out.append("| %d | `%s` | %.2f | %.2f | %+.2f |" % (i, f, pfs[f], lfs.get(f, 0.0), d))
    out.append("\nLargest difference among the top 15: **%.2f percentage points**. "
               "The top 15 hold %.1f%% of perf's samples and %.1f%% of lineprof's "
               "self time.\n" % (worst, sum(pfs[f] for f in top),
                                 sum(lfs.get(f, 0.0) for f in top)))
    out.append("### Lines: the top 10 by self time in each tool\n")
    ptop = [k for k, _ in pl.most_common(10)]
    ltop = [k for k, _ in ll.most_common(10)]
    both = set(ptop) & set(ltop)
    out.append("| # | perf: line | perf % | lineprof % | | lineprof: line | lineprof % | perf % |")
    out.append("|---|---|---|---|---|---|---|---|")
    for i in range(10):
        p = ptop[i] if i < len(ptop) else None
        l = ltop[i] if i < len(ltop) else None
        cell = lambda k: "`%s:%d`%s" % (k[0], k[1], " ✓" if k in both else "")
        out.append("| %d | %s | %.2f | %.2f | | %s | %.2f | %.2f |" % (
            i + 1, cell(p) if p else "", pls.get(p, 0.0), lls.get(p, 0.0),
            cell(l) if l else "", lls.get(l, 0.0), pls.get(l, 0.0)))
    out.append("\nOverlap of the two top-10 lists: **%d of 10** (✓). The top 10 "
               "lines hold %.1f%% (perf) and %.1f%% (lineprof) of the self time.\n"
               % (len(both), sum(pls.get(k, 0) for k in ptop),
                  sum(lls.get(k, 0) for k in ltop)))
    if a.source_dir:
        out.append("Source of the lines above:\n")
        for k in sorted(set(ptop) | set(ltop)):
            out.append("- `%s:%d`: `%s`" % (k[0], k[1], source_line(a.source_dir, *k)))
        out.append("")
    text = "\n".join(out)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()

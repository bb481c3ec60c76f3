#!/usr/bin/env python3
"""Compare lineprof's hits per line with llvm-cov's line counts.

Builds SOURCE twice, once with the lineprof plugin at the given -O level and
once with -fprofile-instr-generate -fcoverage-mapping, runs both with the
same arguments, and compares, for every line both tools report, lineprof's
hits with llvm-cov's count (from `llvm-cov export -format=lcov`).

Lines whose text is only closing braces are left out: llvm-cov gives them
the count of the region around them, lineprof the count of the code on
them (docs/design.md, "Hits"). Two C++ constructs differ by design and are
listed, not failed: the header of a range-based for (lineprof counts the
loop test, like a C for; llvm-cov the loop's entries) and a catch clause
(lineprof counts the exceptions caught; llvm-cov the region around it).
Prints one line per difference and exits 1 if there is any other, or if
too few lines were compared to mean anything.
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clang", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--profdata", required=True)
    ap.add_argument("--cov", required=True)
    ap.add_argument("--work", required=True, help="directory for outputs")
    ap.add_argument("--opt", default="0")
    ap.add_argument("--min-lines", type=int, default=20)
    ap.add_argument("--cflags", default="", help="more compiler flags")
    ap.add_argument("--extra", action="append", default=[],
                    help="another source file to build with SOURCE")
    ap.add_argument("--lines-report", help="write every differing line here")
    ap.add_argument("--prof-exe", help="the lineprof build, already made")
    ap.add_argument("--max-unexplained", type=int, default=0,
                    help="differences of no known kind that are tolerated")
    ap.add_argument("--expect", action="append", default=[],
                    metavar="LINE:REASON",
                    help="a line known to differ, and why")
    ap.add_argument("source")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()

    os.makedirs(a.work, exist_ok=True)
    src = os.path.abspath(a.source)
    base = os.path.join(a.work, os.path.basename(src) + ".O" + a.opt)
    prof_exe, cov_exe = base + ".lineprof", base + ".cov"
    db, raw, data = base + ".db", base + ".profraw", base + ".profdata"
    for f in (db, raw, data):
        if os.path.exists(f):
            os.remove(f)

    flags = a.cflags.split()
    sources = [src] + [os.path.abspath(e) for e in a.extra]
    if a.prof_exe:
        prof_exe = a.prof_exe
    else:
        run([a.clang, "-g", "-O" + a.opt, "-fpass-plugin=" + a.plugin] +
            flags + sources + ["-o", prof_exe])
    run([a.clang, "-g", "-O" + a.opt, "-fprofile-instr-generate",
         "-fcoverage-mapping"] + flags + sources + ["-o", cov_exe])
    out1 = run([prof_exe] + a.args, capture_output=True,
               env=dict(os.environ, LINEPROF_DB=db)).stdout
    out2 = run([cov_exe] + a.args, capture_output=True,
               env=dict(os.environ, LLVM_PROFILE_FILE=raw)).stdout
    if out1 != out2:
        print("output differs between the two builds")
        return 1
    run([a.profdata, "merge", "-o", data, raw])
    lcov = run([a.cov, "export", "-format=lcov", cov_exe,
                "-instr-profile=" + data], capture_output=True,
               text=True).stdout

    cov = {}
    current = None
    for line in lcov.splitlines():
        if line.startswith("SF:"):
            current = os.path.realpath(line[3:])
        elif line.startswith("DA:") and current == os.path.realpath(src):
            no, count = line[3:].split(",")[:2]
            cov[int(no)] = int(count)

    con = sqlite3.connect(db)
    ours = {}
    for no, hits in con.execute(
            "SELECT line_no, SUM(hits) FROM line_profile WHERE file = ? "
            "GROUP BY line_no", (src,)):
        ours[no] = hits

    text = open(src).read().split("\n")
    braces = re.compile(r"^[\s{}]*(//.*)?$")
    known = [(re.compile(r"\bfor\s*\([^;]*[^:]:[^:][^;]*\)"), "range-for header"),
             (re.compile(r"\bcatch\s*\("), "catch clause"),
             # lineprof: how often the else-if test ran (or 0 for a bare
             # else); llvm-cov: the branch that the brace closes
             (re.compile(r"^\s*\}\s*else\b"), "else after a closing brace"),
             # lineprof: how often this operand was evaluated; llvm-cov: the
             # whole condition, whose region wraps onto this line
             (re.compile(r"^\s*(&&|\|\|)"), "operand of a multi-line condition"),
             # a line whose only code is a branch: lineprof counts the code
             # on it (the loop's entry or test); llvm-cov the body's region
             (re.compile(r"^\s*(for\s*\([^;]*;\s*;|while\s*\(\s*1\s*[/)]|do\s*\{|\}\s*while\b|break;)"),
              "loop or jump line without a test of its own")]
    compared, diffs = 0, []
    report = open(a.lines_report, "w") if a.lines_report else None
    for no in sorted(set(ours) & set(cov)):
        if braces.match(text[no - 1]):
            continue
        compared += 1
        if ours[no] != cov[no]:
            why = [name for rx, name in known if rx.search(text[no - 1])]
            why += [e.split(":", 1)[1] for e in a.expect
                    if int(e.split(":", 1)[0]) == no]
            if not why:
                diffs.append(no)
            msg = "line %d: lineprof %d, llvm-cov %d%s: %s" % (
                no, ours[no], cov[no], " (expected: %s)" % why[0] if why else "",
                text[no - 1].strip())
            if report:
                report.write(msg + "\n")
            if not report or not why:
                print(msg)
    only_cov = [n for n in sorted(set(cov) - set(ours))
                if not braces.match(text[n - 1])]
    explained = 0
    if report:
        report.close()
        explained = sum(1 for l in open(a.lines_report) if "(expected:" in l)
    print("-O%s: %d lines compared, %d differ by a known rule, %d otherwise "
          "(tolerated: %d); llvm-cov only: %d lines" %
          (a.opt, compared, explained, len(diffs), a.max_unexplained,
           len(only_cov)))
    if compared < a.min_lines:
        print("too few lines compared (%d < %d)" % (compared, a.min_lines))
        return 1
    return 1 if len(diffs) > a.max_unexplained else 0


if __name__ == "__main__":
    sys.exit(main())

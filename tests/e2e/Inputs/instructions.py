"""Compares the instructions two builds of a program execute, as valgrind
counts them (cachegrind, no cache simulation): exact and independent of
the machine's load, unlike a timing.

    instructions.py [--max-ratio R] [--min-ratio R] BASE OTHER -- ARGS...

Prints both counts and OTHER/BASE; exits 1 when the ratio is outside the
bounds given.
"""
import argparse
import re
import subprocess
import sys


def instructions(prog, args):
    p = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                        "--cachegrind-out-file=/dev/null", prog] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr)
    if p.returncode != 0 or not m:
        sys.exit(f"instructions.py: valgrind failed on {prog}:\n{p.stderr}")
    return int(m.group(1).replace(",", ""))


def main():
    argv = sys.argv[1:]
    rest = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-ratio", type=float)
    ap.add_argument("--min-ratio", type=float)
    ap.add_argument("base")
    ap.add_argument("other")
    a = ap.parse_args(argv)
    base, other = instructions(a.base, rest), instructions(a.other, rest)
    ratio = other / base
    print(f"{a.base}: {base} instructions; {a.other}: {other}; ratio {ratio:.4f}")
    if a.max_ratio is not None and ratio > a.max_ratio:
        sys.exit(f"instructions.py: ratio {ratio:.4f} above {a.max_ratio}")
    if a.min_ratio is not None and ratio < a.min_ratio:
        sys.exit(f"instructions.py: ratio {ratio:.4f} below {a.min_ratio}")


if __name__ == "__main__":
    main()

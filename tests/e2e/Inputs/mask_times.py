#!/usr/bin/env python3
"""Masks the measured times in `lineprof annotate` output so that it can be
compared with a golden file: the Time, Per Hit and % Time columns become
`T`, `P` and `%` where they hold a number, and stay blank where they are
blank; `Total time:` loses its figure; `File:` its directory."""
import re
import sys

for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("Total time:"):
        print("Total time: T s")
        continue
    if line.startswith("File: "):
        print("File: .../" + line.rsplit("/", 1)[-1])
        continue
    # '%6s %9s %12s %8s %8s  %-s': columns end at 6, 16, 29, 38, 47.
    if len(line) >= 47 and re.match(r"^ *\d+ ", line):
        cells = [line[0:6], line[6:16], line[16:29], line[29:38], line[38:47]]
        for i, mark in ((2, "T"), (3, "P"), (4, "%")):
            if cells[i].strip():
                cells[i] = " " * (len(cells[i]) - 1) + mark
        line = "".join(cells) + line[47:]
    print(line)

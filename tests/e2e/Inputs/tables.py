#!/usr/bin/env python3
"""Prints the segment and edge tables of an instrumented module (.ll) one
record per line, for FileCheck: the pass emits them as flat arrays of i32
(struct lp_segment_desc: 6 words, struct lp_edge_desc: 5 words).

    segment: function file line block flags callee
    edge: function src dst counter flags
"""
import re
import sys

WIDTH = {"lp.segments": ("segment", 6), "lp.edges": ("edge", 5)}

def main(path):
    text = open(path).read()
    for name, (kind, width) in WIDTH.items():
        m = re.search(r"^@%s = private constant \[(\d+) x i32\] (.*)$" % re.escape(name),
                      text, re.M)
        if not m:
            continue
        words = [int(w) for w in re.findall(r"i32 (-?\d+)", m.group(2))]
        if len(words) != int(m.group(1)) or len(words) % width:
            sys.exit("tables.py: %s: @%s has %d words, not records of %d"
                     % (path, name, len(words), width))
        for i in range(0, len(words), width):
            print("%s: %s" % (kind, " ".join(map(str, words[i:i + width]))))

if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Turns the raw runs of bench/run into the results table.

Usage: report.py META.tsv RUNS.tsv OUT.md OUT.json

META.tsv holds "key<TAB>value" lines (machine, commit, builds, ...);
RUNS.tsv holds one row per timed run (section, workload, build, rep, input,
wall_ns, flush_ns, db_bytes). Writes the markdown table and a JSON file with
the same numbers plus every raw sample. Reads nothing else and runs nothing.
"""
import csv
import json
import math
import statistics
import sys


def load_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    return meta


def load_runs(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def summarize(values):
    """Median, min and max of a list of numbers; None for an empty list."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "samples": values}


def geomean(ratios):
    ratios = [r for r in ratios if r]
    if not ratios:
        return None
    return math.exp(sum(math.log(r) for r in ratios) / len(ratios))


def fmt_s(ns):
    return "–" if ns is None else f"{ns / 1e9:.3f}"


def fmt_ratio(r):
    if r is None:
        return "–"
    if r >= 100:
        return f"{r:.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.2f}×"


def fmt_kb(b):
    return "–" if b is None else f"{b / 1024:.0f} KB"


def targets_table(out, result, meta):
    """The targets set for the SQLite workload (docs/measurements.md), each
    with what this run measured and whether it meets it."""
    rows = []

    def add(what, value, shown, limit, meets):
        rows.append({"target": what, "value": value, "limit": limit,
                     "met": None if value is None else meets(value)})
        verdict = "–" if value is None else ("met" if meets(value) else "**not met**")
        out.append(f"| {what} | {shown if value is not None else '–'} | {verdict} |")

    out.append("Targets (SQLite workload):")
    out.append("")
    out.append("| target | measured | |")
    out.append("|---|---|---|")
    for b in ("lp-time", "lp-counts"):
        flush = result["main"].get(b, {}).get("sqlite", {}).get("flush_ns")
        ms = flush["median"] / 1e6 if flush else None
        add(f"flush at exit ≤ 100 ms ({b}, to the commit, median)", ms,
            f"{ms:.1f} ms" if ms is not None else "", 100, lambda v: v <= 100)
    annotate = [int(x) for x in meta.get("annotate_ns.sqlite", "").split() if x]
    med = summarize(annotate)["median"] / 1e9 if annotate else None
    add("`lineprof annotate sqlite3.c` < 1 s (median)", med,
        f"{med:.2f} s" if med is not None else "", 1, lambda v: v < 1)
    plain = int(meta.get("compile_ns.sqlite.plain") or 0)
    for b in ("lp-time", "lp-counts"):
        ns = int(meta.get(f"compile_ns.sqlite.{b}") or 0)
        ratio = ns / plain if ns and plain else None
        add(f"compile ≤ 1.3x plain ({b}, two compiles in parallel)", ratio,
            f"{ratio:.2f}x ({ns / 1e9:.0f} s against {plain / 1e9:.0f} s)"
            if ratio is not None else "", 1.3, lambda v: v <= 1.3)
    out.append("")
    result["targets"] = rows


def main():
    if len(sys.argv) != 5:
        sys.exit("Usage: report.py META.tsv RUNS.tsv OUT.md OUT.json")
    meta = load_meta(sys.argv[1])
    runs = load_runs(sys.argv[2])
    workloads = meta["workloads"].split()
    builds = meta["builds"].split()
    exact = meta["exact_build"]

    def cell(section, workload, build, field="wall_ns"):
        values = [int(r[field]) for r in runs
                  if r["section"] == section and r["workload"] == workload
                  and r["build"] == build and r[field] != ""]
        return summarize(values)

    def input_of(section, workload):
        for r in runs:
            if r["section"] == section and r["workload"] == workload:
                return r["input"]
        return None

    result = {"meta": meta, "main": {}, "exact": {}, "callgrind": None}
    # Main section: every build at the main inputs, ratios to plain.
    for build in builds:
        per = {}
        for w in workloads:
            wall = cell("main", w, build)
            base = cell("main", w, "plain")
            ratio = wall["median"] / base["median"] if wall and base else None
            per[w] = {"input": input_of("main", w), "wall_ns": wall,
                      "ratio_to_plain": ratio,
                      "flush_ns": cell("main", w, build, "flush_ns"),
                      "db_bytes": cell("main", w, build, "db_bytes")}
        per["geomean_ratio"] = geomean(per[w]["ratio_to_plain"] for w in workloads)
        result["main"][build] = per
    # Exact section: exact mode and plain at smaller inputs.
    for w in workloads:
        wall = cell("exact", w, exact)
        base = cell("exact", w, "plain")
        result["exact"][w] = {
            "input": input_of("exact", w), "wall_ns": wall, "plain_wall_ns": base,
            "ratio_to_plain": wall["median"] / base["median"] if wall and base else None,
            "flush_ns": cell("exact", w, exact, "flush_ns"),
            "db_bytes": cell("exact", w, exact, "db_bytes")}
    result["exact"]["geomean_ratio"] = geomean(
        result["exact"][w]["ratio_to_plain"] for w in workloads)
    if meta.get("callgrind_wall_ns"):
        w = meta["callgrind_workload"]
        base = cell("callgrind", w, "plain")
        cg = int(meta["callgrind_wall_ns"])
        result["callgrind"] = {"workload": w, "input": meta["callgrind_input"],
                               "wall_ns": cg, "plain_wall_ns": base,
                               "ratio_to_plain": cg / base["median"]}

    out = []
    out.append(f"# lineprof benchmark {meta['date_utc']}, commit {meta['commit']}")
    out.append("")
    out.append(f"- machine: {meta['cpu']}, {meta['cores']} cores, {meta['kernel']}")
    out.append(f"- compilers: {meta['clang']}; {meta['gcc']}")
    out.append(f"- {meta['reps']} runs per build and workload, round-robin"
               f"{' (--quick: smaller inputs)' if meta['quick'] == '1' else ''};"
               f" load average {meta['loadavg_start']} at start,"
               f" {meta['loadavg_end']} at end; {meta['total_s']} s in all,"
               f" {meta['compile_s']} s of it compiling")
    out.append(f"- SQLite {meta['sqlite']}")
    out.append("")
    targets_table(out, result, meta)
    out.append("Median wall time in seconds, and its ratio to plain (clang -O2 -g). "
               "Inputs: " + "; ".join(f"{w} `{input_of('main', w)}`" for w in workloads)
               + ".")
    out.append("")
    head = "| build | " + " | ".join(f"{w} s | {w} ×" for w in workloads) + " | geomean × |"
    out.append(head)
    out.append("|---" * (2 + 2 * len(workloads)) + "|")
    for build in builds:
        per = result["main"][build]
        cells = []
        for w in workloads:
            wall = per[w]["wall_ns"]
            cells += [fmt_s(wall["median"] if wall else None),
                      fmt_ratio(per[w]["ratio_to_plain"])]
        out.append(f"| {build} | " + " | ".join(cells)
                   + f" | {fmt_ratio(per['geomean_ratio'])} |")
    cells = []
    for w in workloads:
        e = result["exact"][w]
        cells += [fmt_s(e["wall_ns"]["median"] if e["wall_ns"] else None),
                  fmt_ratio(e["ratio_to_plain"])]
    out.append(f"| {exact} † | " + " | ".join(cells)
               + f" | {fmt_ratio(result['exact']['geomean_ratio'])} |")
    out.append("")
    out.append(f"† {exact} is for validation, not a target; it runs at smaller inputs ("
               + "; ".join(f"{w} `{result['exact'][w]['input']}`" for w in workloads)
               + "), and its ratio is to plain at the same inputs (plain medians "
               + ", ".join(f"{w} {fmt_s(result['exact'][w]['plain_wall_ns']['median'])} s"
                           for w in workloads if result['exact'][w]['plain_wall_ns'])
               + ").")
    out.append("")
    out.append("lineprof at exit: median flush time (ms, `runs.flush_ns`) and "
               "database size per run.")
    out.append("")
    out.append("| build | " + " | ".join(f"{w} flush ms | {w} db" for w in workloads) + " |")
    out.append("|---" * (1 + 2 * len(workloads)) + "|")
    lp_rows = [(b, result["main"][b]) for b in builds
               if b.startswith("lp-") and b != "lp-off"]
    lp_rows.append((exact + " †", result["exact"]))
    for name, per in lp_rows:
        cells = []
        for w in workloads:
            flush, size = per[w]["flush_ns"], per[w]["db_bytes"]
            cells += ["–" if not flush else f"{flush['median'] / 1e6:.1f}",
                      fmt_kb(size["median"] if size else None)]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("")
    def threads_table(section, caption):
        inputs = sorted({r["input"] for r in runs if r["section"] == section},
                        key=lambda i: int(i.split()[0]))
        if not inputs:
            return
        tbuilds = []
        for r in runs:
            if r["section"] == section and r["build"] not in tbuilds:
                tbuilds.append(r["build"])

        def tcell(build, inp):
            return summarize([int(r["wall_ns"]) for r in runs
                              if r["section"] == section and r["build"] == build
                              and r["input"] == inp])
        result[section] = {}
        out.append(caption)
        out.append("")
        out.append("| build | " + " | ".join(f"T={i.split()[0]} s | T={i.split()[0]} ×"
                                            for i in inputs) + " |")
        out.append("|---" * (1 + 2 * len(inputs)) + "|")
        for b in tbuilds:
            cells = []
            for inp in inputs:
                wall, base = tcell(b, inp), tcell("plain", inp)
                ratio = wall["median"] / base["median"] if wall and base else None
                result[section].setdefault(b, {})[inp] = {
                    "wall_ns": wall, "ratio_to_plain": ratio}
                cells += [fmt_s(wall["median"] if wall else None), fmt_ratio(ratio)]
            out.append(f"| {b} | " + " | ".join(cells) + " |")
        out.append("")

    threads_table("threads",
                  "Threads: the same work on each thread (`threads T n`, "
                  "Collatz steps of 1..n), median wall time and ratio to plain "
                  "at the same T. With per-thread buffers the ratio on 2 threads "
                  "should be no worse than on 1.")
    threads_table("threads-1cpu",
                  "The same with every thread on one CPU (`taskset -c N`): two "
                  "busy cores slow the machine itself down, which costs the "
                  "builds with more instructions more; on one CPU the ratio on "
                  "2 threads shows only what a second thread adds to the cost "
                  "of profiling.")
    cg = result["callgrind"]
    if cg:
        out.append(f"Callgrind reference ({meta['valgrind']}): `valgrind --tool=callgrind` "
                   f"on {cg['workload']} `{cg['input']}` took {cg['wall_ns'] / 1e9:.2f} s, "
                   f"plain {cg['plain_wall_ns']['median'] / 1e9:.3f} s (median): "
                   f"**{fmt_ratio(cg['ratio_to_plain'])}**.")
    else:
        out.append("Callgrind reference: skipped (--quick).")
    out.append("")
    compile = [(b, int(meta.get(f"compile_ns.sqlite.{b}") or 0)) for b in builds + [exact]]
    if any(ns for _, ns in compile):
        out.append("Compile time of the sqlite workload (sqlite3.c and the driver, "
                   "two compiles in parallel, measured when last compiled, cached since): "
                   + ", ".join(f"{b} {ns / 1e9:.0f} s" for b, ns in compile if ns) + ".")
        out.append("")
    out.append("Builds (all with the same sources; lineprof's mode is chosen at compile time):")
    out.append("")
    for b in builds + [exact]:
        out.append(f"- {b}: `{meta['label.' + b]}`")
    text = "\n".join(out) + "\n"

    with open(sys.argv[3], "w") as f:
        f.write(text)
    result["meta"]["labels"] = {b: meta.pop("label." + b) for b in builds + [exact]}
    with open(sys.argv[4], "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""polyvm's interpreter side by side with evmone's baseline interpreter, interleaved.

Each round runs `polyvm bench --json` and `evmone-bench --benchmark_format=json` on the same
state-test-shaped cases (evmone first in even rounds), each with its own repetitions and median,
every sample the same length on both sides (--min-time, evmone-bench's default of 0.5 s: with
samples of 10 ms, one burst of the host's noise could cover all of polyvm's samples of a case).
Per case: the medians over rounds of polyvm's and evmone's time and of the per-round ratio
polyvm/evmone; then the geometric mean of the per-case median ratios and the load averages.

  bench/side-by-side.sh [--polyvm build/polyvm] [--evmone PATH] [--fixtures DIR] [--folder main]
                        [--rounds 5] [--repetitions 3] [--min-time 0.5] [--filter REGEX] [--markdown]

--fixtures is the parent of the case folders (default $POLYVM_FIXTURES/bench or
../shared/fixtures/bench); evmone-bench names a case baseline/execute/<folder>/<file>/<label>,
polyvm bench <folder>/<file>/<label>. Exit status 1 when a case is missing on one side or a
polyvm result did not match its fixture.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_polyvm(args, pattern):
    out = subprocess.run([args.polyvm, "bench", "--json", "--repetitions", str(args.repetitions), "--min-time",
                          "%g" % args.min_time, "--filter", pattern, args.fixtures], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit("polyvm bench failed (%d): %s" % (out.returncode, out.stderr.strip()[-500:]))
    times, wrong = {}, []
    for line in out.stdout.splitlines():
        if not line.startswith("{"):
            continue
        case = json.loads(line)
        times[case["name"]] = case["median_ns"]
        if not case.get("correct", True):
            wrong.append(case["name"])
    return times, wrong


UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def run_evmone(args, pattern):
    out = subprocess.run([args.evmone, args.fixtures, "--benchmark_filter=^baseline/execute/" + pattern,
                          "--benchmark_repetitions=%d" % args.repetitions, "--benchmark_min_time=%gs" % args.min_time,
                          "--benchmark_format=json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("evmone-bench failed (%d): %s" % (out.returncode, out.stderr.strip()[-500:]))
    times = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"] if "run_name" in b else b["name"].rsplit("_median", 1)[0]
        times[name[len("baseline/execute/"):]] = b["real_time"] * UNIT_NS[b["time_unit"]]
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_fixtures = os.path.join(os.environ.get("POLYVM_FIXTURES") or os.path.join(root, "..", "shared", "fixtures"), "bench")
    parser.add_argument("--polyvm", default=os.path.join(root, "build", "polyvm"))
    parser.add_argument("--evmone", default=os.path.join(root, "..", "shared", "anchors", "evmone", "bin", "evmone-bench"))
    parser.add_argument("--fixtures", default=default_fixtures)
    parser.add_argument("--folder", default="main")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per sample, on both sides")
    parser.add_argument("--filter", default="", help="regex on <file>/<label> within the folder")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    for tool in (args.polyvm, args.evmone):
        if not os.access(tool, os.X_OK):
            sys.exit("no executable at %s" % tool)
    # Grouped: an alternation in --filter stays within the folder (and within evmone's baseline names).
    pattern = "%s/(%s)" % (args.folder, args.filter) if args.filter else "%s/" % args.folder

    loads = ["start " + load_average()]
    polyvm_runs, evmone_runs, wrong = [], [], set()
    for r in range(args.rounds):
        order = ("evmone", "polyvm") if r % 2 else ("polyvm", "evmone")
        for system in order:
            if system == "polyvm":
                times, bad = run_polyvm(args, "^" + pattern)
                polyvm_runs.append(times)
                wrong.update(bad)
            else:
                evmone_runs.append(run_evmone(args, pattern))
        loads.append("round %d %s" % (r + 1, load_average()))
        print("round %d of %d done (load %s)" % (r + 1, args.rounds, load_average()), file=sys.stderr)

    cases = sorted(set().union(*polyvm_runs) | set().union(*evmone_runs))
    missing = [c for c in cases if not all(c in run for run in polyvm_runs) or not all(c in run for run in evmone_runs)]
    rows = []
    for case in cases:
        if case in missing:
            continue
        ours = [run[case] for run in polyvm_runs]
        theirs = [run[case] for run in evmone_runs]
        ratios = [a / b for a, b in zip(ours, theirs)]
        rows.append((case, statistics.median(ours), statistics.median(theirs), statistics.median(ratios), min(ratios), max(ratios)))
    if not rows:
        sys.exit("no case measured on both sides (pattern %s)" % pattern)
    geomean = math.exp(sum(math.log(r[3]) for r in rows) / len(rows))

    header = ("case", "polyvm ns", "evmone ns", "ratio (median of rounds)", "ratio range")
    if args.markdown:
        print("| %s |" % " | ".join(header))
        print("|---|---:|---:|---:|---|")
        for case, ours, theirs, ratio, low, high in rows:
            print("| %s | %.0f | %.0f | %.3f | %.3f–%.3f |" % (case, ours, theirs, ratio, low, high))
        print("| **geomean** | | | **%.3f** | |" % geomean)
    else:
        print("%-48s %14s %14s %8s  %s" % (header[0], header[1], header[2], "ratio", "range"))
        for case, ours, theirs, ratio, low, high in rows:
            print("%-48s %14.0f %14.0f %8.3f  %.3f-%.3f" % (case, ours, theirs, ratio, low, high))
        print("%-48s %14s %14s %8.3f" % ("geomean", "", "", geomean))
    print("%d cases, %d rounds of %d repetitions each, interleaved; worst %s %.3f; load average %s" % (
        len(rows), args.rounds, args.repetitions, max(rows, key=lambda r: r[3])[0], max(r[3] for r in rows), "; ".join(loads)))
    for case in missing:
        print("MISSING on one side: %s" % case)
    for case in sorted(wrong):
        print("WRONG RESULT (polyvm): %s" % case)
    return 1 if missing or wrong else 0


if __name__ == "__main__":
    sys.exit(main())

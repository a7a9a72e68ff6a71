#!/usr/bin/env python3
"""polyvm's interpreter side by side with evmone's baseline interpreter, interleaved.

Each round runs `polyvm bench --json` and `evmone-bench --benchmark_format=json` on the same
state-test-shaped cases, each with its own repetitions and median, every sample the same length
on both sides (--min-time, evmone-bench's default of 0.5 s: with samples of 10 ms, one burst of
the host's noise could cover all of polyvm's samples of a case). With --pairing case (the
default) a round runs each case on one tool and right after on the other, the first tool
alternating from case to case and from round to round, so that the two times of a per-round
ratio are seconds apart; with --pairing suite a round runs the whole suite on one tool, then on
the other (evmone first in even rounds), and a case's two times are up to a suite apart, across
whatever the host's speed did in between. Per case: the medians over rounds of polyvm's and
evmone's time and of the per-round ratio polyvm/evmone (the figure of record), and the ratio of
the two sides' fastest samples over all rounds (host noise only ever adds time, so this one moves
least from run to run); then the geometric means and the load averages.

  bench/side-by-side.sh [--polyvm build/polyvm] [--evmone PATH] [--fixtures DIR] [--folder main]
                        [--rounds 5] [--repetitions 3] [--min-time 0.5] [--filter REGEX]
                        [--pairing case|suite] [--markdown]

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
        times[case["name"]] = (case["median_ns"], case.get("min_ns", case["median_ns"]))
        if not case.get("correct", True):
            wrong.append(case["name"])
    return times, wrong


def regex_escape(text):
    """Escapes the characters that are special in both tools' regex dialects (std::regex's
    ECMAScript in polyvm bench, POSIX extended or std::regex in evmone-bench)."""
    return "".join("\\" + c if c in ".^$|?*+()[]{}\\" else c for c in text)


UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def run_evmone(args, pattern):
    out = subprocess.run([args.evmone, args.fixtures, "--benchmark_filter=^baseline/execute/" + pattern,
                          "--benchmark_repetitions=%d" % args.repetitions, "--benchmark_min_time=%gs" % args.min_time,
                          "--benchmark_format=json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("evmone-bench failed (%d): %s" % (out.returncode, out.stderr.strip()[-500:]))
    # Per case (median, fastest sample): the samples are the iteration entries, one per repetition.
    samples = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue  # mean, median, stddev, cv: computed here from the samples instead
        name = b["run_name"] if "run_name" in b else b["name"]
        samples.setdefault(name[len("baseline/execute/"):], []).append(b["real_time"] * UNIT_NS[b["time_unit"]])
    return {name: (statistics.median(values), min(values)) for name, values in samples.items()}


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
    parser.add_argument("--pairing", choices=("case", "suite"), default="case",
                        help="case: each case on both tools back to back; suite: the whole suite on one tool, then the other")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    for tool in (args.polyvm, args.evmone):
        if not os.access(tool, os.X_OK):
            sys.exit("no executable at %s" % tool)
    # Grouped: an alternation in --filter stays within the folder (and within evmone's baseline names).
    pattern = "%s/(%s)" % (args.folder, args.filter) if args.filter else "%s/" % args.folder

    loads = ["start " + load_average()]
    polyvm_runs, evmone_runs, wrong = [], [], set()
    if args.pairing == "case":
        # The cases, from one short polyvm run (which also checks each result against its fixture).
        listing = argparse.Namespace(**vars(args))
        listing.repetitions, listing.min_time = 1, 0.001
        names, bad = run_polyvm(listing, "^" + pattern)
        wrong.update(bad)
        names = sorted(names)
        if not names:
            sys.exit("no polyvm case matches %s" % pattern)

    def run_pair(pattern, evmone_first):
        """One tool, then the other, on the cases `pattern` selects: (polyvm's times, evmone's)."""
        ours, theirs = {}, {}
        for system in (("evmone", "polyvm") if evmone_first else ("polyvm", "evmone")):
            if system == "polyvm":
                times, bad = run_polyvm(args, "^" + pattern)
                ours.update(times)
                wrong.update(bad)
            else:
                theirs.update(run_evmone(args, pattern))
        return ours, theirs

    # suite: one pair of runs over the whole pattern per round; case: one per case's exact name.
    groups = [pattern] if args.pairing == "suite" else ["%s$" % regex_escape(name) for name in names]
    for r in range(args.rounds):
        ours_round, theirs_round = {}, {}
        for i, group in enumerate(groups):
            ours, theirs = run_pair(group, (r + i) % 2 == 1)
            ours_round.update(ours)
            theirs_round.update(theirs)
        polyvm_runs.append(ours_round)
        evmone_runs.append(theirs_round)
        loads.append("round %d %s" % (r + 1, load_average()))
        print("round %d of %d done (load %s)" % (r + 1, args.rounds, load_average()), file=sys.stderr)

    cases = sorted(set().union(*polyvm_runs) | set().union(*evmone_runs))
    missing = [c for c in cases if not all(c in run for run in polyvm_runs) or not all(c in run for run in evmone_runs)]
    rows = []
    for case in cases:
        if case in missing:
            continue
        ours = [run[case][0] for run in polyvm_runs]
        theirs = [run[case][0] for run in evmone_runs]
        ratios = [a / b for a, b in zip(ours, theirs)]
        # The fastest sample of each side over all rounds: the least disturbed by the host.
        best = min(run[case][1] for run in polyvm_runs) / min(run[case][1] for run in evmone_runs)
        rows.append((case, statistics.median(ours), statistics.median(theirs), statistics.median(ratios), min(ratios),
                     max(ratios), best))
    if not rows:
        sys.exit("no case measured on both sides (pattern %s)" % pattern)
    geomean = math.exp(sum(math.log(r[3]) for r in rows) / len(rows))
    best_geomean = math.exp(sum(math.log(r[6]) for r in rows) / len(rows))

    header = ("case", "polyvm ns", "evmone ns", "ratio (median of rounds)", "ratio range", "ratio of fastest samples")
    if args.markdown:
        print("| %s |" % " | ".join(header))
        print("|---|---:|---:|---:|---|---:|")
        for case, ours, theirs, ratio, low, high, best in rows:
            print("| %s | %.0f | %.0f | %.3f | %.3f–%.3f | %.3f |" % (case, ours, theirs, ratio, low, high, best))
        print("| **geomean** | | | **%.3f** | | %.3f |" % (geomean, best_geomean))
    else:
        print("%-48s %14s %14s %8s  %-11s  %s" % (header[0], header[1], header[2], "ratio", "range", "fastest"))
        for case, ours, theirs, ratio, low, high, best in rows:
            print("%-48s %14.0f %14.0f %8.3f  %.3f-%.3f  %7.3f" % (case, ours, theirs, ratio, low, high, best))
        print("%-48s %14s %14s %8.3f  %-11s  %7.3f" % ("geomean", "", "", geomean, "", best_geomean))
    print("%d cases, %d rounds of %d repetitions each, interleaved by %s; worst %s %.3f; load average %s" % (
        len(rows), args.rounds, args.repetitions, args.pairing, max(rows, key=lambda r: r[3])[0], max(r[3] for r in rows),
        "; ".join(loads)))
    for case in missing:
        print("MISSING on one side: %s" % case)
    for case in sorted(wrong):
        print("WRONG RESULT (polyvm): %s" % case)
    return 1 if missing or wrong else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Two polyvm builds side by side: `polyvm bench --json` of each, in turn (the order swapped every
round), and per case the median over rounds of the ratio new/old. For judging one change against
the build before it; comparisons with evmone go through side-by-side.sh.

usage: bench/build-vs-build.py OLD_POLYVM NEW_POLYVM [--rounds N] [--repetitions N] [--filter RE] [FIXTURES]
"""
import argparse, json, math, os, statistics, subprocess, sys

def run(binary, args):
    out = subprocess.run([binary, "bench", "--json", "--repetitions", str(args.repetitions)]
                         + (["--filter", args.filter] if args.filter else []) + [args.fixtures],
                         check=True, capture_output=True, text=True).stdout
    cases = [json.loads(line) for line in out.splitlines() if line.strip()]  # one object per case
    return {c["name"]: c["median_ns"] for c in cases}

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("old"); p.add_argument("new")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--repetitions", type=int, default=10)
    p.add_argument("--filter")
    p.add_argument("fixtures", nargs="?", default=os.path.join(here, "..", "..", "shared", "fixtures", "bench", "main"))
    args = p.parse_args()
    ratios = {}
    for r in range(args.rounds):
        order = [("old", args.old), ("new", args.new)]
        if r % 2: order.reverse()
        got = {label: run(binary, args) for label, binary in order}
        for name, new_ns in got["new"].items():
            ratios.setdefault(name, []).append(new_ns / got["old"][name])
    print(f"load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds; new/old, median of rounds")
    meds = []
    for name, rs in sorted(ratios.items()):
        med = statistics.median(rs)
        meds.append(med)
        print(f"{name:50s} {med:6.3f}  ({min(rs):.3f}-{max(rs):.3f})")
    print(f"{'geomean':50s} {math.exp(sum(map(math.log, meds)) / len(meds)):6.3f}")

if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""polyvm's WebAssembly engine side by side with wasm3 and WAMR (iwasm) on the benchmark modules.

    bench/wasm_side_by_side.py [--polyvm build/polyvm] [--rounds 5] [--modules coremark,fib]
                               [--fuel N] [--markdown]

For each module of $POLYVM_FIXTURES/wasm/bench/expected.json (default ../shared/fixtures) its
timed call ("bench") runs as a whole process in each engine, the engines alternating round by
round (the order rotates), and every result is checked against the expected value. Reported:
the median CPU time (user + sys, start-up and loading included, as ../shared/anchors.md measures
them), each engine's time over polyvm's (above 1: polyvm is faster) and, for CoreMark, iterations
per second. polyvm runs with fuel metering on (--fuel, default 2^62), as contracts run.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def fixtures_dir():
    return os.environ.get("POLYVM_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures"))


def run_timed(cmd):
    """(output, cpu seconds of the child) for one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.strip()[:300]}")
    return out.stdout + out.stderr, cpu  # wasm3 prints its result on stderr


def parse_result(engine, text):
    """The call's i32 result as an unsigned number, from each engine's own output format."""
    for line in text.splitlines():
        line = line.strip()
        if engine == "wasm3" and line.startswith("Result:"):
            return int(line.split(":", 1)[1]) & 0xFFFFFFFF
        if engine == "iwasm" and line.endswith(":i32"):
            return int(line.split(":", 1)[0], 16) & 0xFFFFFFFF
        if engine == "polyvm" and line:
            value = line.split()[-1]
            return int(value.split(":")[-1]) & 0xFFFFFFFF
    raise RuntimeError(f"{engine}: no result in {text[:200]!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--polyvm", default=os.path.join(ROOT, "build", "polyvm"))
    ap.add_argument("--anchors", default=os.path.join(ROOT, "..", "shared", "anchors", "wasm"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--modules", default="")
    ap.add_argument("--fuel", default=str(1 << 62))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    bench_dir = os.path.join(fixtures_dir(), "wasm", "bench")
    expected = json.load(open(os.path.join(bench_dir, "expected.json")))["modules"]
    wanted = [m if m.endswith(".wasm") else m + ".wasm" for m in args.modules.split(",") if m]
    modules = [m for m in expected if not wanted or m in wanted]
    engines = {
        "polyvm": lambda path, call: [args.polyvm, "wasm", "run", path, "--invoke", call["export"],
                                      *map(str, call["args"]), "--fuel", args.fuel],
        "wasm3": lambda path, call: [os.path.join(args.anchors, "wasm3"), "--func", call["export"], path,
                                     *map(str, call["args"])],
        "iwasm": lambda path, call: [os.path.join(args.anchors, "iwasm"), "--function", call["export"], path,
                                     *map(str, call["args"])],
    }
    names = list(engines)
    load_start = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    times = {m: {e: [] for e in names} for m in modules}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for m in modules:
            call = expected[m]["bench"]
            path = os.path.join(bench_dir, m)
            for e in order:
                text, cpu = run_timed(engines[e](path, call))
                got = parse_result(e, text)
                if got != call["expect"]:
                    sys.exit(f"{e} {m} {call['export']}{tuple(call['args'])}: got {got}, expected {call['expect']}")
                times[m][e].append(cpu)
        print(f"round {r + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    load_end = os.getloadavg()[0]

    sep = "|" if args.markdown else " "
    header = ["module", "call", "polyvm s", "wasm3 s", "iwasm s", "wasm3/polyvm", "iwasm/polyvm", "polyvm it/s", "wasm3 it/s"]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] * 2 + ["---:"] * 7) + "|")
    else:
        print(" ".join(f"{h:>14}" for h in header))
    for m in modules:
        call = expected[m]["bench"]
        med = {e: statistics.median(times[m][e]) for e in names}
        iters = call["args"][0] if m == "coremark.wasm" else None
        row = [m.replace(".wasm", ""), f"{call['export']}({', '.join(map(str, call['args']))})",
               f"{med['polyvm']:.3f}", f"{med['wasm3']:.3f}", f"{med['iwasm']:.3f}",
               f"{med['wasm3'] / med['polyvm']:.2f}", f"{med['iwasm'] / med['polyvm']:.2f}",
               f"{iters / med['polyvm']:,.0f}" if iters else "", f"{iters / med['wasm3']:,.0f}" if iters else ""]
        if args.markdown:
            print("| " + " | ".join(row) + " |")
        else:
            print(" ".join(f"{c:>14}" for c in row))
    print(f"\n{args.rounds} rounds from {started}; load average {load_start:.2f} -> {load_end:.2f}; "
          f"medians of whole-process CPU time; polyvm with --fuel {args.fuel}")


if __name__ == "__main__":
    main()

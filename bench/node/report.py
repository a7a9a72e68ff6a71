#!/usr/bin/env python3
"""Prints the table of run_side_by_side.sh from its results file.

Lines: "SYSTEM blockNumber|balanceOf REQ_PER_S BAD_ANSWERS" per wrk run, and
"SYSTEM transfers|swaps {wait-mined JSON} {verify JSON} accepted=A/N_rejected_R" per run of
pre-signed transactions (several runs of a system: the median run by rate is shown, with the
range, and "all verified" holds only if every run verified).
usage: report.py RESULTS TRANSFERS [SWAPS]
"""
import json
import statistics
import sys


def parse(path):
    rates, transfers, swaps = {}, {}, {}
    decoder = json.JSONDecoder()
    with open(path) as f:
        for line in f:
            system, test, rest = line.rstrip("\n").split(" ", 2)
            if test in ("transfers", "swaps"):
                mined, end = decoder.raw_decode(rest)
                verified, end2 = decoder.raw_decode(rest[end:].lstrip())
                accepted = rest[end:].lstrip()[end2:].strip().replace("accepted=", "").replace("_", " ")
                (transfers if test == "transfers" else swaps).setdefault(system, []).append((mined, verified, accepted))
            else:
                rate, bad = rest.split()
                rates.setdefault((system, test), []).append((float(rate), bad))
    return rates, transfers, swaps


def rate_of(mined):
    return mined["mined"] / mined["seconds"] if mined["seconds"] > 0 else 0


def median_run(runs):
    """The run of median rate, the range of rates as text, and whether every run is ok."""
    ordered = sorted(runs, key=lambda run: rate_of(run[0]))
    middle = ordered[(len(ordered) - 1) // 2]
    spread = " (%.0f–%.0f)" % (rate_of(ordered[0][0]), rate_of(ordered[-1][0])) if len(runs) > 1 else ""
    return middle, spread, len(runs)


def main(path, expected_transfers, expected_swaps="0"):
    rates, transfers, swaps = parse(path)
    systems = list(dict.fromkeys(s for s, _ in rates))
    anvil = next((s for s in systems if s.startswith("anvil")), None)

    def median(system, test):
        runs = rates.get((system, test), [])
        return statistics.median(r for r, _ in runs) if runs else None

    def cell(system, test):
        runs = rates.get((system, test), [])
        if not runs:
            return "-", "-"
        values = sorted(r for r, _ in runs)
        bad = sum(0 if b == "0" else 1 for _, b in runs)
        text = "%.0f (%.0f–%.0f)%s" % (median(system, test), values[0], values[-1],
                                       " BAD ANSWERS" if bad else "")
        base = median(anvil, test) if anvil else None
        ratio = "%.2f" % (median(system, test) / base) if base else "-"
        return text, ratio

    runs = max((len(v) for v in rates.values()), default=0)
    print()
    print("| system | eth_blockNumber req/s, median of %d (min–max) | ÷ Anvil | eth_call balanceOf req/s, median of %d (min–max) | ÷ Anvil "
          "| %s transfers: accepted | mined | s (first send → all mined) | mined tx/s | all verified |" % (runs, runs, expected_transfers))
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    failed = False
    for system in systems:
        block_number, block_ratio = cell(system, "blockNumber")
        balance_of, balance_ratio = cell(system, "balanceOf")
        if system in transfers:
            (mined, verified, accepted), spread, count = median_run(transfers[system])
            every_ok = all(m["all_mined"] and v["mismatches"] == 0 and v["errors"] == 0 for m, v, _ in transfers[system])
            failed |= not every_ok
            verdict = ("yes" if count == 1 else "yes, all %d runs" % count) if every_ok else \
                "NO (FAILED: %d unmined, %d balance mismatches, %d call errors)" % (
                    mined["expected"] - mined["mined"], verified["mismatches"], verified["errors"])
            tail = "%s | %d/%d | %.1f | %.0f%s | %s" % (accepted, mined["mined"], mined["expected"], mined["seconds"],
                                                       rate_of(mined), spread, verdict)
        else:
            tail = "- | - | - | - | -"
        print("| %s | %s | %s | %s | %s | %s |" % (system, block_number, block_ratio, balance_of, balance_ratio, tail))
    if swaps:
        print()
        print("| system | %s Uniswap V2 swaps: accepted | mined | s (first send → all mined) | mined swaps/s | all verified |" % expected_swaps)
        print("|---|---|---:|---:|---:|---|")
        for system in systems:
            if system not in swaps:
                continue
            (mined, verified, accepted), spread, count = median_run(swaps[system])
            every_ok = all(m["all_mined"] and v["ok"] for m, v, _ in swaps[system])
            failed |= not every_ok
            verdict = ("yes" if count == 1 else "yes, all %d runs" % count) if every_ok else \
                "NO (%d unmined, %d Swap events of %d, tokens conserved: %s)" % (
                    mined["expected"] - mined["mined"], verified["swap_events"], verified["expected"], verified["tokens_conserved"])
            print("| %s | %s | %d/%d | %.1f | %.0f%s | %s |" % (system, accepted, mined["mined"], mined["expected"],
                                                             mined["seconds"], rate_of(mined), spread, verdict))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))

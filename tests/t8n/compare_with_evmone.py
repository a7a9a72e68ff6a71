#!/usr/bin/env python3
"""Runs `polyvm t8n` and evmone's t8n on the same inputs and compares what a test filler relies
on: the result's roots, logs hash and bloom, gas used, the indices of the rejected transactions,
the base-fee, blob-gas, withdrawals and requests fields, each receipt's status and gas, and the
post-state alloc account by account. Under a state test's own fork, polyvm's state root and logs
hash must also equal the fixture's (a third, independent opinion).

Inputs: a fixed sample of the state-test fixtures (tests/t8n/fixture_cases.py) and random blocks
(tests/t8n/random_cases.py), forks Frontier..Prague (evmone's t8n knows no BPO fork nor P256VERIFY).

Exit status: 0 no difference; 1 a difference, or under CI=true a missing evmone-t8n or fixture
folder; 77 (CTest's skip) when evmone-t8n is absent elsewhere.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixture_cases import cases_from_file, fixture_files  # noqa: E402
from random_cases import random_cases  # noqa: E402

SKIP = 77
IN_CI = os.environ.get("CI") == "true"

# Result fields compared when both tools write them (numbers compared by value).
HASH_FIELDS = ["stateRoot", "txRoot", "receiptsRoot", "logsHash", "logsBloom", "withdrawalsRoot", "requestsHash"]
NUMBER_FIELDS = ["gasUsed", "currentBaseFee", "currentExcessBlobGas", "blobGasUsed"]
# Not "status": evmone-t8n writes "0x1" for failed transactions too; the receipts root, which
# encodes the status, is compared instead.
RECEIPT_FIELDS = ["cumulativeGasUsed", "gasUsed", "logsBloom", "transactionHash"]


def run_tool(command, case, case_dir, label):
    out_dir = os.path.join(case_dir, label)
    os.makedirs(out_dir, exist_ok=True)
    args = command + ["--state.fork", case["fork"], "--state.chainid", str(case["chain_id"]),
                      "--state.reward", str(case["reward"]),
                      "--input.alloc", os.path.join(case_dir, "alloc.json"),
                      "--input.env", os.path.join(case_dir, "env.json"),
                      "--input.txs", os.path.join(case_dir, "txs.json"),
                      "--output.basedir", out_dir, "--output.result", "result.json", "--output.alloc", "alloc.json"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    outcome = {"rc": p.returncode, "stderr": p.stderr.strip()[-400:]}
    if p.returncode == 0:
        with open(os.path.join(out_dir, "result.json")) as f:
            outcome["result"] = json.load(f)
        with open(os.path.join(out_dir, "alloc.json")) as f:
            outcome["alloc"] = json.load(f)
    return outcome


def number(v):
    return int(v, 16) if isinstance(v, str) else int(v)


def normal_alloc(alloc):
    out = {}
    for address, a in alloc.items():
        code = a.get("code", "0x").lower()
        storage = {number(k): number(v) for k, v in a.get("storage", {}).items() if number(v) != 0}
        out[address.lower()] = (number(a.get("balance", "0x0")), number(a.get("nonce", "0x0")),
                                "" if code == "0x" else code, storage)
    return out


def differences(case, mine, theirs):
    if mine["rc"] != 0 or theirs["rc"] != 0:
        if mine["rc"] != 0 and theirs["rc"] != 0:
            return []  # both refuse the input (e.g. a fork evmone cannot run either)
        return ["exit status: polyvm %d (%s), evmone %d (%s)" % (mine["rc"], mine["stderr"], theirs["rc"],
                                                                   theirs["stderr"])]
    found = []
    a, b = mine["result"], theirs["result"]
    for key in HASH_FIELDS:
        if key in a and key in b and a[key].lower() != b[key].lower():
            found.append("%s: polyvm %s, evmone %s" % (key, a[key], b[key]))
    for key in NUMBER_FIELDS:
        if key in a and key in b and number(a[key]) != number(b[key]):
            found.append("%s: polyvm %s, evmone %s" % (key, a[key], b[key]))
    rejected_a = [r["index"] for r in a.get("rejected", [])]
    rejected_b = [r["index"] for r in b.get("rejected", [])]
    if rejected_a != rejected_b:
        found.append("rejected: polyvm %s, evmone %s" % (a.get("rejected", []), b.get("rejected", [])))
    receipts_a, receipts_b = a.get("receipts", []), b.get("receipts", [])
    if len(receipts_a) != len(receipts_b):
        found.append("receipts: polyvm %d, evmone %d" % (len(receipts_a), len(receipts_b)))
    for i, (ra, rb) in enumerate(zip(receipts_a, receipts_b)):
        for key in RECEIPT_FIELDS:
            va, vb = ra.get(key), rb.get(key)
            if va is not None and vb is not None and va.lower() != vb.lower() and number(va) != number(vb):
                found.append("receipt %d %s: polyvm %s, evmone %s" % (i, key, va, vb))
    alloc_a, alloc_b = normal_alloc(mine["alloc"]), normal_alloc(theirs["alloc"])
    for address in sorted(set(alloc_a) | set(alloc_b)):
        if alloc_a.get(address) != alloc_b.get(address):
            found.append("alloc %s: polyvm %s, evmone %s" % (address, alloc_a.get(address), alloc_b.get(address)))
            if len(found) > 12:
                break
    return found


def round_trip_differences(case, case_dir, polyvm, mine):
    """polyvm alone, two other ways in: the same inputs as one JSON document on stdin (everything
    written to stdout must equal the file outputs), and the included transactions fed back as the
    RLP body it wrote (a `.rlp` file) must build the same block."""
    if mine["rc"] != 0:
        return []
    common = [polyvm, "t8n", "--state.fork", case["fork"], "--state.chainid", str(case["chain_id"]),
              "--state.reward", str(case["reward"])]
    document = json.dumps({"alloc": case["alloc"], "env": case["env"], "txs": case["txs"]})
    p = subprocess.run(common + ["--input.alloc", "stdin", "--input.env", "stdin", "--input.txs", "stdin",
                                 "--output.result", "stdout", "--output.alloc", "stdout", "--output.body", "stdout"],
                       input=document, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return ["stdin: exit status %d (%s)" % (p.returncode, p.stderr.strip()[-300:])]
    out = json.loads(p.stdout)
    found = []
    if out["result"] != mine["result"]:
        found.append("stdin: the result differs from the one written to a file")
    if out["alloc"] != mine["alloc"]:
        found.append("stdin: the alloc differs from the one written to a file")
    rlp_path = os.path.join(case_dir, "body.rlp")
    with open(rlp_path, "w") as f:
        json.dump(out["body"], f)
    p = subprocess.run(common + ["--input.alloc", os.path.join(case_dir, "alloc.json"),
                                 "--input.env", os.path.join(case_dir, "env.json"), "--input.txs", rlp_path,
                                 "--output.result", "stdout", "--output.alloc", ""],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return found + ["rlp body: exit status %d (%s)" % (p.returncode, p.stderr.strip()[-300:])]
    again = json.loads(p.stdout)["result"]
    for key in ("stateRoot", "txRoot", "receiptsRoot", "logsHash", "gasUsed"):
        if again[key] != mine["result"][key]:
            found.append("rlp body: %s %s, from JSON %s" % (key, again[key], mine["result"][key]))
    if again.get("rejected"):
        found.append("rlp body: rejected %s" % again["rejected"])
    return found


def fixture_check(case, mine):
    """None when the case has no fixture expectation; else whether polyvm's root and logs match."""
    if "expect_root" not in case or mine["rc"] != 0:
        return None
    r = mine["result"]
    return r["stateRoot"].lower() == case["expect_root"].lower() and r["logsHash"].lower() == case["expect_logs"].lower()


def run_case(index, case, args, work):
    case_dir = os.path.join(work, "%05d" % index)
    os.makedirs(case_dir, exist_ok=True)
    for name in ("alloc", "env", "txs"):
        with open(os.path.join(case_dir, name + ".json"), "w") as f:
            json.dump(case[name], f)
    mine = run_tool([args.polyvm, "t8n"], case, case_dir, "polyvm")
    theirs = run_tool([args.evmone], case, case_dir, "evmone")
    found = differences(case, mine, theirs)
    round_trip = index % args.round_trip_every == 0 and mine["rc"] == 0
    if round_trip:
        found += round_trip_differences(case, case_dir, args.polyvm, mine)
    return case, found, fixture_check(case, mine), mine, round_trip


def collect_cases(args):
    cases = []
    for folder, step in ((os.path.join(args.fixtures, "cancun"), args.cancun_step),
                         (os.path.join(args.fixtures, "prague"), args.prague_step)):
        if not os.path.isdir(folder):
            message = "fixture folder missing: %s" % folder
            if IN_CI:
                raise SystemExit("error: %s (CI=true: this is a failure)" % message)
            print("NOTICE: %s -- its cases are not compared (set POLYVM_FIXTURES)" % message)
            continue
        for path in fixture_files(folder, step):
            cases.extend(cases_from_file(path))
    cases.extend(random_cases(args.random, args.seed))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polyvm", required=True)
    parser.add_argument("--evmone", required=True, help="evmone-t8n binary")
    parser.add_argument("--fixtures", required=True, help="the fixtures folder (holding state/cancun, state/prague)")
    parser.add_argument("--cancun-step", type=int, default=8, help="take every N-th file of state/cancun")
    parser.add_argument("--prague-step", type=int, default=1, help="take every N-th file of state/prague")
    parser.add_argument("--random", type=int, default=400, help="random blocks to compare")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--round-trip-every", type=int, default=5,
                        help="also run every N-th case through stdin and through its RLP body")
    parser.add_argument("--work", help="keep inputs and outputs in this folder (default: a temporary one)")
    args = parser.parse_args()
    args.fixtures = os.path.join(args.fixtures, "state") if os.path.isdir(os.path.join(args.fixtures, "state")) \
        else args.fixtures

    if not os.access(args.evmone, os.X_OK):
        if IN_CI:
            print("error: evmone-t8n missing: %s (CI=true: this is a failure)" % args.evmone)
            return 1
        print("NOTICE: evmone-t8n missing: %s -- t8n comparison NOT run" % args.evmone)
        return SKIP

    cases = collect_cases(args)
    work = args.work or tempfile.mkdtemp(prefix="polyvm-t8n-")
    compared = identical = fixture_cases = fixture_matches = round_trips = 0
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_case, i, c, args, work) for i, c in enumerate(cases)]
        for future in futures:
            case, found, fixture_ok, mine, round_trip = future.result()
            compared += 1
            round_trips += round_trip
            if found:
                failures.append((case, found))
            else:
                identical += 1
            if fixture_ok is not None:
                fixture_cases += 1
                if fixture_ok:
                    fixture_matches += 1
                else:
                    failures.append((case, ["fixture: polyvm root %s logs %s, fixture root %s logs %s" % (
                        mine["result"]["stateRoot"], mine["result"]["logsHash"], case["expect_root"],
                        case["expect_logs"])]))
    for case, found in failures:
        print("DIFF %s:" % case["name"])
        for line in found:
            print("    " + line)
    by_kind = {kind: sum(1 for c in cases if c["origin"] == kind) for kind in ("fixture", "random")}
    print("%d cases compared with evmone-t8n (%d from state-test fixtures, %d random blocks): %d identical, %d differ"
          % (compared, by_kind["fixture"], by_kind["random"], identical, compared - identical))
    print("%d of %d cases under their fixture's own fork match the fixture's state root and logs hash"
          % (fixture_matches, fixture_cases))
    print("%d cases also run through stdin/stdout and through their RLP body (differences listed above)"
          % round_trips)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

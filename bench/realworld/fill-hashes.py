#!/usr/bin/env python3
"""Fills in the post-state root and logs hash of the real-contract benchmarks from evmone-statetest
(the reference), then checks that evmone-statetest and polyvm statetest both pass every case, and
that a case with a known result (_info.expected_outputs) returns it under `polyvm run`.
  python3 bench/realworld/fill-hashes.py [EVMONE_STATETEST] [POLYVM]
(defaults: ../shared/anchors/evmone/bin/evmone-statetest and build/polyvm, from the repository root)."""
import glob, json, os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
evmone = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "shared", "anchors", "evmone", "bin", "evmone-statetest")
polyvm = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "build", "polyvm")

# One mismatch report of evmone-statetest: which value, what it computed, then the case's fork/index.
report = re.compile(r"Expected equality of these values:\n  (logs_hash\(.*?\)|state_root)\n    Which is: (0x[0-9a-f]{64})\n"
                    r".*?statetest_runner\.cpp:\d+: (\w+)/(\d+)\n", re.S)

for path in sorted(glob.glob(os.path.join(here, "main", "*.json"))):
    out = subprocess.run([evmone, path], capture_output=True, text=True).stdout
    with open(path) as f:
        tests = json.load(f)
    (name, test), = tests.items()
    (fork, cases), = test["post"].items()
    for what, value, _, index in report.findall(out):
        case = cases[int(index)]
        case["logs" if what.startswith("logs_hash") else "hash"] = value
    with open(path, "w") as f:
        json.dump(tests, f, indent=1)
        f.write("\n")
    for tool in ([evmone, path], [polyvm, "statetest", path]):
        result = subprocess.run(tool, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit("%s fails on %s:\n%s" % (os.path.basename(tool[0]), path, (result.stdout + result.stderr)[-2000:]))
    # A case whose result the generator knows (_info.expected_outputs) must return it.
    code = next(account["code"] for address, account in test["pre"].items() if address.lower() == test["transaction"]["to"].lower())
    for index, expected in test["_info"].get("expected_outputs", {}).items():
        result = subprocess.run([polyvm, "run", "--json", "--fork", fork, "--gas", str(int(test["transaction"]["gasLimit"][0], 16)),
                                 "--code", code, "--input", test["transaction"]["data"][int(index)]], capture_output=True, text=True)
        output = json.loads(result.stdout)["output"] if result.returncode == 0 else result.stderr
        if output != expected:
            sys.exit("%s case %s returns %s, not %s" % (path, index, output, expected))
    print("%s: %d cases, evmone-statetest and polyvm statetest pass" % (os.path.basename(path), len(cases)))

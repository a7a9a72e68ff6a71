#!/usr/bin/env python3
"""JSON-RPC helpers of run_side_by_side.sh (standard library only).

  free-port                     print a free TCP port on 127.0.0.1
  wait-ready URL SECONDS        wait until the node answers eth_chainId
  setup URL FILE                post the batch in FILE (setup.json), fail on any error answer
  wait-mined URL DIR T0 SECONDS poll the senders' nonces (expected_nonces.json) until all are
                                mined or SECONDS pass since T0 (a `date +%s.%N`); prints JSON
  verify URL DIR                eth_call balanceOf for every holder in expected_balances.json;
                                prints JSON with the mismatch count
  setup-in-order URL FILE       post the calls in FILE one at a time (deployments whose addresses
                                follow from the order), fail on an error answer or a transaction
                                whose receipt has status 0
  verify-swaps URL DIR          check the swaps of swaps.json: one Swap event of the pair per
                                swap, every sender holding tokens, the senders' tokens plus the
                                pair's equal to the liquidity added; prints JSON
Batches are sent in chunks below polyvm's batch limit (1000).
"""
import json
import socket
import sys
import time
import urllib.request

CHUNK = 500


def post(url, payload, timeout=60):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


def batch(url, calls):
    """Posts calls in chunks; returns the answers in the order of the calls."""
    answers = []
    for start in range(0, len(calls), CHUNK):
        chunk = [dict(call, id=start + i) for i, call in enumerate(calls[start:start + CHUNK])]
        got = post(url, chunk)
        if not isinstance(got, list):
            raise RuntimeError("batch answered with a non-list: %s" % str(got)[:300])
        by_id = {a.get("id"): a for a in got}
        answers.extend(by_id.get(start + i, {"error": "no answer"}) for i in range(len(chunk)))
    return answers


def call(method, params):
    return {"jsonrpc": "2.0", "method": method, "params": params}


def request(url, method, params, timeout=60):
    """One call; returns the whole answer (result or error)."""
    return post(url, dict(call(method, params), id=1), timeout=timeout)


def balance_of(token, holder):
    """The eth_call of ERC-20 balanceOf(holder) on `token`."""
    return call("eth_call", [{"to": token, "data": "0x70a08231" + "0" * 24 + holder[2:]}, "latest"])


def pick_free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port():
    print(pick_free_port())


def wait_ready(url, seconds):
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            if "result" in request(url, "eth_chainId", [], timeout=2):
                return 0
        except OSError:
            pass
        time.sleep(0.1)
    print("node at %s did not answer within %s s" % (url, seconds), file=sys.stderr)
    return 1


def setup(url, path):
    with open(path) as f:
        calls = json.load(f)
    answers = batch(url, calls)
    errors = [(c["method"], a.get("error")) for c, a in zip(calls, answers) if "error" in a]
    if errors:
        print("setup: %d of %d calls failed, first: %s" % (len(errors), len(calls), errors[0]), file=sys.stderr)
        return 1
    return 0


def mined_count(url, expected):
    calls = [call("eth_getTransactionCount", [sender, "latest"]) for sender in expected]
    total = 0
    for sender, answer in zip(expected, batch(url, calls)):
        if "result" in answer:
            total += min(int(answer["result"], 16), expected[sender])
    return total


def wait_mined(url, directory, t0, seconds):
    with open(directory + "/expected_nonces.json") as f:
        expected = json.load(f)
    want = sum(expected.values())
    t0, limit = float(t0), float(seconds)
    mined = 0
    while True:
        try:
            mined = mined_count(url, expected)
        except OSError as e:  # a busy node may time out a poll: try again
            print("poll failed: %s" % e, file=sys.stderr)
        elapsed = time.time() - t0
        if mined >= want or elapsed >= limit:
            break
        time.sleep(0.1)
    print(json.dumps({"mined": mined, "expected": want, "seconds": round(elapsed, 3),
                      "all_mined": mined >= want}))
    return 0


def verify(url, directory):
    with open(directory + "/expected_balances.json") as f:
        expected = json.load(f)
    token, balances = expected["token"], expected["balances"]
    holders = list(balances)
    calls = [balance_of(token, h) for h in holders]
    mismatches, errors, first = 0, 0, None
    for holder, answer in zip(holders, batch(url, calls)):
        if "result" not in answer:
            errors += 1
            first = first or (holder, answer.get("error"))
        elif int(answer["result"], 16) != int(balances[holder], 16):
            mismatches += 1
            first = first or (holder, answer["result"], balances[holder])
    print(json.dumps({"checked": len(holders), "mismatches": mismatches, "errors": errors,
                      "first_problem": first}))
    return 0


def setup_in_order(url, path):
    with open(path) as f:
        calls = json.load(f)
    hashes = []
    for c in calls:
        answer = post(url, dict(c, id=c.get("id", 1)))
        if "error" in answer:
            print("setup: %s failed: %s" % (c["method"], answer["error"]), file=sys.stderr)
            return 1
        if c["method"] == "eth_sendTransaction":
            hashes.append(answer["result"])
    for h in hashes:  # automined: each has its receipt at once
        receipt = request(url, "eth_getTransactionReceipt", [h])["result"]
        if not receipt or receipt["status"] != "0x1":
            print("setup: transaction %s failed: %s" % (h, receipt), file=sys.stderr)
            return 1
    return 0


SWAP_TOPIC = "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822"  # Swap(address,uint256,uint256,uint256,uint256,address)


def verify_swaps(url, directory):
    with open(directory + "/swaps.json") as f:
        swaps = json.load(f)
    token, pair, senders = swaps["token"], swaps["pair"], swaps["senders"]
    logs = request(url, "eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": pair, "topics": [SWAP_TOPIC]}],
                   timeout=300)
    swap_events = len(logs.get("result") or [])
    holders = senders + [pair]
    answers = batch(url, [balance_of(token, h) for h in holders])
    balances = [int(a["result"], 16) if "result" in a else None for a in answers]
    errors = sum(1 for b in balances if b is None)
    empty = sum(1 for b in balances[:-1] if b == 0)
    conserved = errors == 0 and sum(balances) == int(swaps["liquidity_tokens"], 16)
    print(json.dumps({"swap_events": swap_events, "expected": swaps["swaps"], "senders_without_tokens": empty,
                      "errors": errors, "tokens_conserved": conserved,
                      "ok": swap_events == swaps["swaps"] and empty == 0 and conserved}))
    return 0


def main(argv):
    commands = {"free-port": (free_port, 0), "wait-ready": (wait_ready, 2), "setup": (setup, 2),
                "wait-mined": (wait_mined, 4), "verify": (verify, 2), "setup-in-order": (setup_in_order, 2),
                "verify-swaps": (verify_swaps, 2)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    function, _ = commands[argv[1]]
    return function(*argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

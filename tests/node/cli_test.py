#!/usr/bin/env python3
"""polyvm node's command line: the start-up lines (accounts, keys, address), a restart that
continues the chain on the same data dir and says so, a data dir of another chain id refused,
--dump-state on exit read back with --load-state, --genesis from a geth genesis file,
--block-time interval mining, the heap advised for huge pages (unless MALLOC_CONF says
thp:never), and WebAssembly contracts deployed by default but refused with --no-wasm.

Usage: cli_test.py <polyvm binary>
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ACCOUNT0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
FRESH = "0x00000000000000000000000000000000000c0ffe"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


class Node:
    def __init__(self, binary, *args):
        self.proc = subprocess.Popen([binary, "node", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            m = re.search(r"Listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise SystemExit(f"FAIL: polyvm node {' '.join(args)} did not start: {self.lines[-3:]}")

    def rpc(self, method, params=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("POST", "/", body=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}),
                     headers={"Content-Type": "application/json"})
        answer = json.loads(conn.getresponse().read())
        conn.close()
        return answer

    def result(self, method, params=None):
        answer = self.rpc(method, params)
        if "result" not in answer:
            raise SystemExit(f"FAIL: {method}: {answer}")
        return answer["result"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        self.lines += out.splitlines()
        return self.proc.returncode


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="polyvm-node-cli-")
    data = os.path.join(work, "chain")

    # Start-up lines and a first chain on disk.
    node = Node(binary, "--data-dir", data)
    check(node.port is not None, "no 'Listening on' line")
    text = "\n".join(node.lines)
    check(ACCOUNT0 in text.lower() and KEY0 in text, "start-up lines lack account 0 and its key")
    check("New chain" in text, "first start does not say it created a chain")
    node.result("eth_sendTransaction", [{"from": ACCOUNT0, "to": FRESH, "value": "0x2a"}])
    node.result("anvil_setBalance", [FRESH, "0x64"])  # a change not yet in a block
    head = node.result("eth_blockNumber")
    check(node.stop() == 0, "SIGTERM did not exit 0")
    check(any("Shutting down" in l for l in node.lines), "no shutdown line")

    # The restart continues the chain, with the change made after the last block.
    node = Node(binary, "--data-dir", data)
    check(any("Continuing the chain" in l for l in node.lines), "restart does not say it continues the chain")
    check(node.result("eth_blockNumber") == head, "restart lost blocks")
    check(node.result("eth_getBalance", [FRESH, "latest"]) == "0x64", "restart lost the anvil_setBalance change")
    node.stop()

    # Another chain id on the same data dir is refused with a message naming both.
    refused = subprocess.run([binary, "node", "--port", "0", "--data-dir", data, "--chain-id", "5"],
                             capture_output=True, text=True, timeout=30)
    check(refused.returncode != 0 and "chain id" in refused.stderr, f"other chain id not refused: {refused.stderr!r}")

    # --dump-state on exit, --load-state into a fresh in-memory node.
    dump = os.path.join(work, "state.json")
    node = Node(binary, "--in-memory", "--dump-state", dump)
    node.result("anvil_setCode", [FRESH, "0x6001600055"])
    node.result("anvil_setStorageAt", [FRESH, "0x1", "0x" + "00" * 31 + "07"])
    node.result("eth_sendTransaction", [{"from": ACCOUNT0, "to": FRESH, "value": "0x5"}])
    expected = [node.result("eth_getBalance", [FRESH, "latest"]), node.result("eth_getCode", [FRESH, "latest"]),
                node.result("eth_getStorageAt", [FRESH, "0x1", "latest"]),
                node.result("eth_getTransactionCount", [ACCOUNT0, "latest"])]
    node.stop()
    check(os.path.exists(dump), "--dump-state wrote nothing")
    node = Node(binary, "--in-memory", "--load-state", dump)
    got = [node.result("eth_getBalance", [FRESH, "latest"]), node.result("eth_getCode", [FRESH, "latest"]),
           node.result("eth_getStorageAt", [FRESH, "0x1", "latest"]),
           node.result("eth_getTransactionCount", [ACCOUNT0, "latest"])]
    check(got == expected, f"--load-state gives {got}, want {expected}")
    node.stop()

    # --genesis: a geth genesis file with one funded account and chain id 1337.
    genesis = os.path.join(work, "genesis.json")
    with open(genesis, "w") as f:
        json.dump({"config": {"chainId": 1337, "terminalTotalDifficulty": 0, "shanghaiTime": 0, "cancunTime": 0,
                              "pragueTime": 0},
                   "alloc": {ACCOUNT0[2:]: {"balance": "0x1000000000000000000"}},
                   "gasLimit": "0x1c9c380", "difficulty": "0x0", "timestamp": "0x0", "extraData": "0x",
                   "baseFeePerGas": "0x3b9aca00"}, f)
    node = Node(binary, "--in-memory", "--genesis", genesis)
    check(node.result("eth_chainId") == "0x539", "--genesis chain id not used")
    check(node.result("eth_getBalance", [ACCOUNT0, "latest"]) == "0x1000000000000000000", "--genesis alloc not used")
    node.result("eth_sendTransaction", [{"from": ACCOUNT0, "to": FRESH, "value": "0x1"}])
    check(node.result("eth_getBalance", [FRESH, "latest"]) == "0x1", "no transfer on a --genesis chain")
    node.stop()

    # --block-time: no automine; blocks come on the interval with the pending transactions.
    node = Node(binary, "--in-memory", "--block-time", "1")
    tx = node.result("eth_sendTransaction", [{"from": ACCOUNT0, "to": FRESH, "value": "0x3"}])
    check(node.result("eth_getTransactionReceipt", [tx]) is None, "--block-time mined at once")
    time.sleep(2.5)
    receipt = node.result("eth_getTransactionReceipt", [tx])
    check(receipt is not None and receipt["status"] == "0x1", "--block-time never mined the transaction")
    check(int(node.result("eth_blockNumber"), 16) >= 2, "--block-time mined fewer than 2 blocks in 2.5 s")
    node.stop()

    # Transparent huge pages for the commands that execute blocks (tools/huge_pages.cpp): the
    # node's heap mappings carry MADV_HUGEPAGE ("hg" in smaps' VmFlags), and none do when
    # MALLOC_CONF says thp:never. Only where the program runs on jemalloc (not in a sanitizer
    # build) and the kernel has transparent huge pages.
    def advised_mappings(pid):
        with open(f"/proc/{pid}/smaps") as f:
            return sum(1 for line in f if line.startswith("VmFlags:") and " hg" in line)

    def runs_on_jemalloc(pid):
        with open(f"/proc/{pid}/maps") as f:
            return "libjemalloc" in f.read()

    if os.path.isdir("/sys/kernel/mm/transparent_hugepage"):
        node = Node(binary, "--in-memory")
        node.result("eth_sendTransaction", [{"from": ACCOUNT0, "to": FRESH, "value": "0x1"}])
        jemalloc = runs_on_jemalloc(node.proc.pid)
        advised = advised_mappings(node.proc.pid)
        node.stop()
        if jemalloc:
            check(advised > 0, "the node's heap has no mapping advised for huge pages")
            os.environ["MALLOC_CONF"] = "thp:never"
            try:
                node = Node(binary, "--in-memory")
                advised = advised_mappings(node.proc.pid)
                node.stop()
            finally:
                del os.environ["MALLOC_CONF"]
            check(advised == 0, f"MALLOC_CONF=thp:never still left {advised} mappings advised for huge pages")
        else:
            print("skipped the huge-page checks: the program does not run on jemalloc")
    else:
        print("skipped the huge-page checks: the kernel has no transparent huge pages")

    # WebAssembly (Stylus) contracts: deployed by default, refused by EIP-3541 with --no-wasm.
    counter = os.path.join(os.path.dirname(os.path.abspath(binary)), "contracts", "wasm", "counter.wasm")
    if os.path.exists(counter):
        init_code = subprocess.run([binary, "wasm", "pack", counter, "--init-code"], capture_output=True, text=True,
                                   check=True, timeout=30).stdout.strip()
        for flags, deploys in (((), True), (("--no-wasm",), False)):
            node = Node(binary, "--in-memory", *flags)
            tx = node.result("eth_sendTransaction", [{"from": ACCOUNT0, "data": init_code, "gas": "0x2dc6c0"}])
            receipt = node.result("eth_getTransactionReceipt", [tx])
            address = receipt["contractAddress"] if receipt else None
            if deploys:
                code = node.result("eth_getCode", [address, "latest"]) if address else "0x"
                check(receipt["status"] == "0x1" and code.startswith("0xeff000"),
                      f"a Stylus program did not deploy by default: {receipt}")
            else:
                check(receipt["status"] == "0x0", f"--no-wasm deployed a Stylus program: {receipt}")
            node.stop()
    elif os.environ.get("CI") == "true":
        check(False, f"no {counter}: the WebAssembly contracts are not built")
    else:
        print(f"skipped the WebAssembly checks: no {counter}")

    for f in failures:
        print("FAIL", f)
    print(f"node command line: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

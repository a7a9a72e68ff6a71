#!/usr/bin/env python3
"""polyvm node under hostile input: at least 1,000 malformed or hostile requests (bad JSON, wrong
types, huge numbers, oversized bodies and batches, unknown methods, half-open and slow
connections, bad raw transactions), then checks that the node still answers, that every answer
was a JSON-RPC error of the right kind, and that the chain is intact: a transfer is mined, and
after SIGKILL in the middle of a burst of transactions the reopened database is at a committed
block whose state the node serves.

Usage: hostile_requests_test.py <polyvm binary>
"""
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ACCOUNT0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
ACCOUNT1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"


def start_node(binary, data_dir):
    proc = subprocess.Popen([binary, "node", "--port", "0", "--data-dir", data_dir, "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    port = None
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"Listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        proc.kill()
        raise SystemExit("FAIL: the node did not start")
    return proc, port


def post(port, body, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", "/", body=body, headers=headers or {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def rpc(port, method, params=None):
    status, data = post(port, json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}))
    if status != 200:
        raise SystemExit(f"FAIL: {method}: HTTP {status}")
    return json.loads(data)


def expect_error(port, body, codes, label, failures, counter):
    counter[0] += 1
    try:
        status, data = post(port, body)
    except Exception as e:  # the node must answer, not drop the connection
        failures.append(f"{label}: no answer ({e})")
        return
    if status == 413:
        return
    try:
        answer = json.loads(data)
    except ValueError:
        failures.append(f"{label}: answer is not JSON: {data[:100]!r}")
        return
    answers = answer if isinstance(answer, list) else [answer]
    for a in answers:
        if "error" not in a or a["error"].get("code") not in codes:
            failures.append(f"{label}: expected an error with code in {codes}, got {str(a)[:200]}")
            return


def main():
    binary = sys.argv[1]
    random.seed(7)
    data_dir = tempfile.mkdtemp(prefix="polyvm-node-hostile-")
    proc, port = start_node(binary, os.path.join(data_dir, "chain"))
    failures = []
    counter = [0]
    try:
        # 1. Malformed JSON and wrong shapes.
        garbage = ['{', '{"jsonrpc":"2.0"', '[', 'null', '42', '"x"', '{"jsonrpc":"2.0","id":1,"method":1}',
                   '{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}', '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":7}',
                   '[]', '\x00\x01\x02', '{"a":' * 200 + '1' + '}' * 200]
        for i in range(300):
            body = random.choice(garbage)
            if i % 3 == 0:
                body = bytes(random.getrandbits(8) for _ in range(random.randint(1, 64))).decode("latin-1")
            expect_error(port, body.encode("latin-1") if isinstance(body, str) else body, (-32700, -32600), f"garbage {i}", failures, counter)
        # 1b. Deep nesting (a resource limit: the JSON parser keeps its own stack, not a native
        # frame per level, so 200,000 levels are an ordinary invalid request).
        deep = 200000
        for label, body, codes in [
                ("nested arrays", "[" * deep + "]" * deep, (-32600,)),
                ("nested id", '{"jsonrpc":"2.0","id":' + "[" * deep + "]" * deep + ',"method":"eth_chainId"}', (-32600,)),
                ("nested params", '{"jsonrpc":"2.0","id":1,"method":"eth_call","params":' + "[" * deep + "]" * deep + "}",
                 (-32602,)),
                ("nested objects", '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[' + '{"a":' * deep + "1" +
                 "}" * deep + "]}", (-32602,)),
        ]:
            expect_error(port, body.encode(), codes, label, failures, counter)
        # 2. Wrong types, huge numbers, unknown methods.
        bad_params = [
            ("eth_getBalance", ["0x1234", "latest"]),
            ("eth_getBalance", [ACCOUNT0, "0x" + "f" * 80]),
            ("eth_getBalance", [ACCOUNT0, {"blockHash": "0x12"}]),
            ("eth_getBlockByNumber", [True, False]),
            ("eth_getBlockByNumber", ["0x" + "1" * 70, False]),
            ("eth_call", [{"to": ACCOUNT1, "gas": "0x" + "f" * 70}, "latest"]),
            ("eth_call", ["not an object", "latest"]),
            ("eth_sendRawTransaction", ["0x"]),
            ("eth_sendRawTransaction", ["0x" + "ab" * 300]),
            ("eth_sendRawTransaction", ["0xzz"]),
            ("eth_getTransactionCount", [ACCOUNT0, "latest", 1, 2]),
            ("eth_getStorageAt", [ACCOUNT0, "0x" + "1" * 80, "latest"]),
            ("eth_getLogs", [{"fromBlock": "0x10", "toBlock": "0x1"}]),
            ("eth_getLogs", [{"topics": [[1, 2]]}]),
            ("anvil_setBalance", [ACCOUNT0, "-1"]),
            ("anvil_mine", ["0xffffffffff"]),
            ("evm_revert", ["0x1", "0x2", "0x3"]),
            ("debug_traceTransaction", ["0x" + "00" * 32, {"tracer": "noSuchTracer"}]),
            ("eth_feeHistory", ["0x5", "latest", "nope"]),
        ]
        for i in range(5000):
            method, params = random.choice(bad_params)
            body = json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
            expect_error(port, body.encode(), (-32602, -32000, -32601), f"{method} {i}", failures, counter)
        for i in range(150):
            name = "eth_" + "".join(random.choice("abcdefghijklmnop") for _ in range(random.randint(1, 30)))
            body = json.dumps({"jsonrpc": "2.0", "id": i, "method": name, "params": []})
            expect_error(port, body.encode(), (-32601,), f"unknown {name}", failures, counter)
        # 3. Oversized bodies and batches.
        for i in range(5):
            counter[0] += 1
            status, _ = post(port, b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + b"a" * (17 << 20) + b'"]}')
            if status != 413:
                failures.append(f"oversized body: HTTP {status}, want 413")
        for i in range(5):
            batch = [{"jsonrpc": "2.0", "id": j, "method": "eth_chainId"} for j in range(1001)]
            expect_error(port, json.dumps(batch).encode(), (-32600,), "oversized batch", failures, counter)
        # 4. Half-open and slow connections, then garbage on a raw socket.
        sockets = []
        for i in range(100):
            counter[0] += 1
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"")  # never finished
            sockets.append(s)
        for i in range(60):
            counter[0] += 1
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(bytes(random.getrandbits(8) for _ in range(200)))
            s.settimeout(5)
            try:
                s.recv(1000)
            except OSError:
                pass
            s.close()
        # The node still answers everyone else while those hang.
        if rpc(port, "eth_chainId").get("result") != "0x7a69":
            failures.append("eth_chainId wrong while half-open connections hang")
        for s in sockets:
            s.close()

        # 5. The chain is intact: a transfer is mined and the balance moves.
        before = int(rpc(port, "eth_getBalance", [ACCOUNT1, "latest"])["result"], 16)
        tx = rpc(port, "eth_sendTransaction", [{"from": ACCOUNT0, "to": ACCOUNT1, "value": "0x3e8"}])
        if "result" not in tx:
            failures.append(f"transfer after the hostile requests failed: {tx}")
        after = int(rpc(port, "eth_getBalance", [ACCOUNT1, "latest"])["result"], 16)
        if after - before != 1000:
            failures.append(f"balance moved by {after - before}, want 1000")

        # 6. SIGKILL in the middle of a burst of transactions; the reopened chain is consistent.
        head_before = int(rpc(port, "eth_blockNumber")["result"], 16)
        burst = subprocess.Popen([sys.executable, "-c", f"""
import http.client, json
for i in range(5000):
    c = http.client.HTTPConnection('127.0.0.1', {port}, timeout=5)
    try:
        c.request('POST', '/', body=json.dumps({{'jsonrpc':'2.0','id':i,'method':'eth_sendTransaction','params':[{{'from':'{ACCOUNT0}','to':'{ACCOUNT1}','value':'0x1'}}]}}), headers={{'Content-Type':'application/json'}})
        c.getresponse().read()
    except Exception:
        break
"""])
        time.sleep(0.7)  # well inside the burst: blocks are being mined when the kill lands
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        burst.wait()
        proc, port = start_node(binary, os.path.join(data_dir, "chain"))
        head = int(rpc(port, "eth_blockNumber")["result"], 16)
        print(f"SIGKILL after {head - head_before} blocks of the burst; reopened at block {head}")
        if head < head_before:
            failures.append(f"reopened at block {head}, below {head_before}")
        block = rpc(port, "eth_getBlockByNumber", ["latest", False])["result"]
        proof = rpc(port, "eth_getProof", [ACCOUNT1, [], "latest"])["result"]
        balance = int(rpc(port, "eth_getBalance", [ACCOUNT1, "latest"])["result"], 16)
        if int(proof["balance"], 16) != balance:
            failures.append("eth_getProof balance differs from eth_getBalance after the restart")
        # Every transfer of the burst that is in the chain moved exactly 1 wei.
        if balance != after + (head - head_before):
            failures.append(f"after the restart ACCOUNT1 has {balance}, want {after + head - head_before} "
                            f"({head - head_before} one-wei transfers mined)")
        if not block or block["number"] != hex(head):
            failures.append("latest block unreadable after the restart")
        tx = rpc(port, "eth_sendTransaction", [{"from": ACCOUNT0, "to": ACCOUNT1, "value": "0x1"}])
        if "result" not in tx:
            failures.append(f"no transfer after the restart: {tx}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"{counter[0]} hostile requests sent; {len(failures)} failures")
    for f in failures[:30]:
        print("FAIL", f)
    if counter[0] < 1000:
        print("FAIL: fewer than 1,000 hostile requests")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

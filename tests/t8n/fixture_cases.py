"""State-test fixtures (GeneralStateTest JSON) as t8n inputs.

Each selected case becomes one block with the case's single transaction, decoded from its signed
`txbytes`, so both tools see the very transaction the fixture was filled with. Under the case's own
fork the block's post-state root must also equal the fixture's `hash` (no reward, the state-test
BLOCKHASH convention keccak256(decimal n)); the same inputs are also run under an older fork, where
only the two tools are compared.
"""

import functools
import json
import os

from ethutil import address_of, keccak256, rlp_decode

FORKS = ["Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople", "ConstantinopleFix",
         "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun", "Prague"]
_INDEX = {f: i for i, f in enumerate(FORKS)}

# System contracts that t8n calls at the start or end of a block but a state test does not: a
# pre-state holding one of them legitimately ends with another root than the fixture's.
SYSTEM_CONTRACTS = {"0x000f3df6d732807ef1319fb7b8bb8522d0beac02", "0x0000f90827f1c53a10cb7a02335b175320002935",
                    "0x00000961ef480eb55e80d19ad83579a64c007002", "0x0000bbddc7ce488642fb579f8b00f3a590007251"}


def at_least(fork, oldest):
    return _INDEX[fork] >= _INDEX[oldest]


def word(value: int) -> str:
    return "0x%064x" % value


@functools.lru_cache(maxsize=None)
def _block_hash(n: int) -> str:
    return "0x" + keccak256(str(n).encode()).hex()


def block_hashes(number: int):
    """The state-test convention for BLOCKHASH: the hash of block n is keccak256(str(n))."""
    return {str(n): _block_hash(n) for n in range(max(0, number - 256), number)}


def make_env(fixture_env, fork):
    num = lambda key, default="0x0": int(fixture_env.get(key, default), 16)  # noqa: E731
    number = num("currentNumber")
    env = {
        "currentCoinbase": fixture_env["currentCoinbase"],
        "currentGasLimit": hex(num("currentGasLimit")),
        "currentNumber": hex(number),
        "currentTimestamp": hex(num("currentTimestamp")),
        "blockHashes": block_hashes(number),
    }
    if at_least(fork, "Paris"):
        # As the state-test runners do: PREVRANDAO is currentRandom, or else the difficulty.
        env["currentRandom"] = word(num("currentRandom", fixture_env.get("currentDifficulty", "0x0")))
    else:
        env["currentDifficulty"] = word(num("currentDifficulty"))  # evmone reads it as a 32-byte word
    if at_least(fork, "London"):
        env["currentBaseFee"] = hex(num("currentBaseFee", "0xa"))
    if at_least(fork, "Shanghai"):
        env["withdrawals"] = []
    if at_least(fork, "Cancun"):
        env["currentExcessBlobGas"] = hex(num("currentExcessBlobGas"))
        env["parentBeaconBlockRoot"] = word(0)
    return env


def make_alloc(pre):
    alloc = {}
    for address, account in pre.items():
        alloc[address.lower()] = {
            "balance": hex(int(account.get("balance", "0x0"), 16)),
            "nonce": hex(int(account.get("nonce", "0x0"), 16)),
            "code": account.get("code", "0x"),
            "storage": {word(int(k, 16)): word(int(v, 16)) for k, v in account.get("storage", {}).items()},
        }
    return alloc


def _int(b: bytes) -> int:
    return int.from_bytes(b, "big")


def _hexint(b: bytes) -> str:
    return hex(_int(b))


def _access_list(items):
    return [{"address": "0x" + a.hex(), "storageKeys": ["0x" + k.hex() for k in keys]} for a, keys in items]


def transaction_json(txbytes: bytes):
    """The signed transaction as geth JSON, or None when txbytes are not a well-formed one."""
    try:
        if txbytes[0] >= 0xC0:
            tx_type, fields = 0, rlp_decode(txbytes)
        else:
            tx_type, fields = txbytes[0], rlp_decode(txbytes[1:])
    except (ValueError, IndexError):
        return None
    sizes = {0: 9, 1: 11, 2: 12, 3: 14, 4: 13}
    if tx_type not in sizes or not isinstance(fields, list) or len(fields) != sizes[tx_type]:
        return None
    tx = {"type": hex(tx_type)}
    if tx_type == 0:
        nonce, gas_price, gas, to, value, data = fields[:6]
        tx.update(nonce=_hexint(nonce), gasPrice=_hexint(gas_price), gas=_hexint(gas))
    else:
        tx["chainId"] = _hexint(fields[0])
        nonce = fields[1]
        tx["nonce"] = _hexint(nonce)
        if tx_type == 1:
            gas_price, gas, to, value, data, access = fields[2:8]
            tx.update(gasPrice=_hexint(gas_price), gas=_hexint(gas))
        else:
            tip, cap, gas, to, value, data, access = fields[2:9]
            tx.update(maxPriorityFeePerGas=_hexint(tip), maxFeePerGas=_hexint(cap), gas=_hexint(gas))
        tx["accessList"] = _access_list(access)
        if tx_type == 3:
            tx["maxFeePerBlobGas"] = _hexint(fields[9])
            tx["blobVersionedHashes"] = ["0x" + h.hex() for h in fields[10]]
        if tx_type == 4:
            tx["authorizationList"] = [
                {"chainId": _hexint(a[0]), "address": "0x" + a[1].hex(), "nonce": _hexint(a[2]),
                 "v": _hexint(a[3]), "yParity": _hexint(a[3]), "r": _hexint(a[4]), "s": _hexint(a[5])}
                for a in fields[9]]
    if to:
        tx["to"] = "0x" + to.hex()
    tx.update(value=_hexint(value), input="0x" + data.hex())
    v, r, s = fields[-3:]
    tx.update(v=_hexint(v), r=_hexint(r), s=_hexint(s))
    return tx


def _sender(transaction):
    if "sender" in transaction:
        return transaction["sender"].lower()
    return "0x" + address_of(bytes.fromhex(transaction["secretKey"][2:])).hex()


def fixture_files(folder, step, max_size=300_000):
    """Every `step`-th .json file under `folder` (sorted, small files only): a fixed sample."""
    files = []
    for root, _, names in os.walk(folder):
        files += [os.path.join(root, n) for n in names if n.endswith(".json")]
    files = sorted(f for f in files if os.path.getsize(f) <= max_size)
    return files[::step]


def cases_from_file(path, per_fork=2, older_fork_every=2):
    """Yields case dicts: name, fork, alloc, env, txs, chain_id, reward and, under the fixture's own
    fork, expect_root/expect_logs."""
    with open(path) as f:
        tests = json.load(f)
    for test_name, test in sorted(tests.items())[:2]:
        transaction = test["transaction"]
        sender = _sender(transaction)
        chain_id = int(test.get("config", {}).get("chainid", "0x1"), 16)
        alloc = make_alloc(test["pre"])
        for fork, entries in sorted(test["post"].items()):
            if fork not in _INDEX:
                continue
            picks = entries if len(entries) <= per_fork else [entries[0], entries[len(entries) // 2]]
            for n, entry in enumerate(picks):
                tx = transaction_json(bytes.fromhex(entry.get("txbytes", "0x")[2:]))
                if tx is None:
                    continue
                tx["sender"] = sender
                # evmone-t8n takes each authority from `signer` (it recovers no signatures).
                for auth, given in zip(tx.get("authorizationList", []), transaction.get("authorizationList", [])):
                    if "signer" in given:
                        auth["signer"] = given["signer"].lower()
                ix = entry["indexes"]
                base = "%s %s %s d=%d g=%d v=%d" % (os.path.basename(path), test_name[-60:], fork, ix["data"],
                                                    ix["gas"], ix["value"])
                case = {"name": base, "origin": "fixture", "fork": fork, "alloc": alloc, "env": make_env(test["env"], fork),
                        "txs": [tx], "chain_id": chain_id, "reward": -1}
                if not SYSTEM_CONTRACTS & set(alloc):
                    case["expect_root"], case["expect_logs"] = entry["hash"], entry["logs"]
                yield case
                # The same block under an older fork: other rules, no fixture to check against.
                # Not before EIP-155 for a transaction signed with it: evmone-t8n takes the
                # sender as given and would include what the fork's rules refuse.
                if older_fork_every and n == 0:
                    oldest = 0 if tx["type"] != "0x0" or int(tx["v"], 16) < 35 else _INDEX["EIP158"]
                    older = FORKS[oldest + (len(base) + ix["data"]) % (_INDEX[fork] - oldest)] \
                        if _INDEX[fork] > oldest else None
                    if older and (len(test_name) % older_fork_every == 0):
                        yield {"name": base + " as " + older, "origin": "fixture", "fork": older, "alloc": alloc,
                               "env": make_env(test["env"], older), "txs": [tx], "chain_id": chain_id,
                               "reward": -1}

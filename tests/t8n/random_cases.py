"""Random blocks as t8n inputs: contracts with random code calling each other, several senders,
transactions of every type the fork has, and some transactions invalid on purpose (a wrong nonce,
too little gas, a fee below the base fee, a block too small) so that rejections are compared too.

Everything derives from the seed: the same seed gives the same cases on every machine.
"""

import functools
import random

from ethutil import address_of, keccak256, sign_authorization, sign_transaction
from fixture_cases import FORKS, at_least, block_hashes, word

_MAX = 2**256 - 1
_INTERESTING = [0, 1, 2, 3, 31, 32, 255, 256, 2**63, 2**64 - 1, 2**128, 2**255, _MAX, _MAX - 1]


def _push(value: int) -> bytes:
    n = max(1, (value.bit_length() + 7) // 8)
    return bytes([0x5F + n]) + value.to_bytes(n, "big")


def _op(*names) -> bytes:
    return bytes(_OPCODES[n] for n in names)


_OPCODES = {
    "STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "DIV": 0x04, "SDIV": 0x05, "MOD": 0x06, "SMOD": 0x07,
    "ADDMOD": 0x08, "MULMOD": 0x09, "EXP": 0x0A, "SIGNEXTEND": 0x0B, "LT": 0x10, "GT": 0x11, "SLT": 0x12,
    "SGT": 0x13, "EQ": 0x14, "ISZERO": 0x15, "AND": 0x16, "OR": 0x17, "XOR": 0x18, "NOT": 0x19, "BYTE": 0x1A,
    "SHL": 0x1B, "SHR": 0x1C, "SAR": 0x1D, "SHA3": 0x20, "ADDRESS": 0x30, "BALANCE": 0x31, "ORIGIN": 0x32,
    "CALLER": 0x33, "CALLVALUE": 0x34, "CALLDATALOAD": 0x35, "CALLDATASIZE": 0x36, "CODESIZE": 0x38,
    "CODECOPY": 0x39,
    "GASPRICE": 0x3A, "EXTCODESIZE": 0x3B, "RETURNDATASIZE": 0x3D, "EXTCODEHASH": 0x3F, "BLOCKHASH": 0x40,
    "COINBASE": 0x41, "TIMESTAMP": 0x42, "NUMBER": 0x43, "PREVRANDAO": 0x44, "GASLIMIT": 0x45, "CHAINID": 0x46,
    "SELFBALANCE": 0x47, "BASEFEE": 0x48, "BLOBHASH": 0x49, "BLOBBASEFEE": 0x4A, "POP": 0x50, "MLOAD": 0x51,
    "MSTORE": 0x52, "MSTORE8": 0x53, "SLOAD": 0x54, "SSTORE": 0x55, "MSIZE": 0x59, "GAS": 0x5A, "TLOAD": 0x5C,
    "TSTORE": 0x5D, "MCOPY": 0x5E, "PUSH0": 0x5F, "LOG0": 0xA0, "CREATE": 0xF0, "CALL": 0xF1, "CALLCODE": 0xF2,
    "RETURN": 0xF3, "DELEGATECALL": 0xF4, "CREATE2": 0xF5, "STATICCALL": 0xFA, "REVERT": 0xFD, "INVALID": 0xFE,
    "SELFDESTRUCT": 0xFF,
}

# Instructions and the fork that introduced them (older ones exist from Frontier).
_SINCE = {"SHL": "Constantinople", "SHR": "Constantinople", "SAR": "Constantinople",
          "EXTCODEHASH": "Constantinople", "CREATE2": "Constantinople", "RETURNDATASIZE": "Byzantium",
          "STATICCALL": "Byzantium", "DELEGATECALL": "Homestead", "REVERT": "Byzantium", "CHAINID": "Istanbul",
          "SELFBALANCE": "Istanbul", "BASEFEE": "London", "PUSH0": "Shanghai", "TLOAD": "Cancun",
          "TSTORE": "Cancun", "MCOPY": "Cancun", "BLOBHASH": "Cancun", "BLOBBASEFEE": "Cancun"}


class CodeGenerator:
    """Random code as a sequence of self-contained snippets (each leaves the stack as it found it),
    most of which store what they computed so that the post-state depends on it."""

    def __init__(self, rng, fork, peers):
        self.rng, self.fork, self.peers = rng, fork, peers
        self.slot = rng.randrange(4)

    def has(self, name):
        return name not in _SINCE or at_least(self.fork, _SINCE[name])

    def value(self):
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(_INTERESTING)
        return self.rng.randrange(2**self.rng.choice([8, 16, 64, 160, 256]))

    def store(self, computation: bytes) -> bytes:
        self.slot += 1
        return computation + _push(self.slot % 8) + _op("SSTORE")

    def pick(self, names):
        return self.rng.choice([n for n in names if self.has(n)])

    def snippet(self) -> bytes:
        kind = self.rng.choice(["binary", "binary", "ternary", "unary", "context", "calldata", "sload", "blockhash",
                                "memory", "log", "call", "call", "account", "transient", "create", "sha3"])
        return getattr(self, "_" + kind)()

    def _binary(self):
        op = self.pick(["ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND", "LT", "GT", "SLT",
                        "SGT", "EQ", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR"])
        return self.store(_push(self.value()) + _push(self.value()) + _op(op))

    def _ternary(self):
        op = self.rng.choice(["ADDMOD", "MULMOD"])
        return self.store(_push(self.value()) + _push(self.value()) + _push(self.value()) + _op(op))

    def _unary(self):
        return self.store(_push(self.value()) + _op(self.rng.choice(["ISZERO", "NOT"])))

    def _context(self):
        return self.store(_op(self.pick(["ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE",
                                         "GASPRICE", "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT",
                                         "GAS", "MSIZE", "RETURNDATASIZE", "CHAINID", "SELFBALANCE", "BASEFEE",
                                         "BLOBBASEFEE"])))

    def _calldata(self):
        return self.store(_push(self.rng.randrange(64)) + _op("CALLDATALOAD"))

    def _sload(self):
        return self.store(_push(self.rng.randrange(8)) + _op("SLOAD"))

    def _blockhash(self):
        return self.store(_push(self.rng.randrange(1, 4)) + _op("NUMBER", "SUB", "BLOCKHASH"))

    def _memory(self):
        code = _push(self.value()) + _push(self.rng.randrange(96)) + _op("MSTORE")
        if self.has("MCOPY") and self.rng.random() < 0.5:
            code += _push(32) + _push(self.rng.randrange(64)) + _push(self.rng.randrange(64)) + _op("MCOPY")
        return code + self.store(_push(self.rng.randrange(96)) + _op("MLOAD"))

    def _log(self):
        topics = self.rng.randrange(5)
        code = b"".join(_push(self.value()) for _ in range(topics))
        return code + _push(self.rng.randrange(40)) + _push(self.rng.randrange(64)) + bytes([0xA0 + topics])

    def _call(self):
        op = self.pick(["CALL", "CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"])
        target = self.rng.choice(self.peers + [self.rng.randrange(1, 11), 0xDEAD])
        gas = self.rng.choice([0, 2300, 30000, 100000]) if self.rng.random() < 0.7 else None
        code = _push(32) + _push(0) + _push(self.rng.randrange(64)) + _push(self.rng.randrange(32))
        if op in ("CALL", "CALLCODE"):
            code += _push(self.rng.choice([0, 0, 1, 1000]))
        code += _push(target) + (_push(gas) if gas is not None else _op("GAS")) + _op(op)
        return self.store(code)

    def _account(self):
        op = self.pick(["BALANCE", "EXTCODESIZE", "EXTCODEHASH"])
        return self.store(_push(self.rng.choice(self.peers + [0xDEAD, 1])) + _op(op))

    def _transient(self):
        if not self.has("TSTORE"):
            return self._sload()
        key = self.rng.randrange(4)
        return _push(self.value()) + _push(key) + _op("TSTORE") + self.store(_push(key) + _op("TLOAD"))

    def _create(self):
        # Init code returning one byte of runtime code (0x00): PUSH1 0 PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN.
        init = bytes.fromhex("6000600053" + "60016000f3")
        code = _push(int.from_bytes(init, "big")) + _push(0) + _op("MSTORE")
        offset, size = 32 - len(init), len(init)
        if self.has("CREATE2") and self.rng.random() < 0.5:
            code += _push(self.value()) + _push(size) + _push(offset) + _push(0) + _op("CREATE2")
        else:
            code += _push(size) + _push(offset) + _push(self.rng.choice([0, 1])) + _op("CREATE")
        return self.store(code)

    def _sha3(self):
        return self.store(_push(self.rng.randrange(64)) + _push(self.rng.randrange(64)) + _op("SHA3"))

    def ending(self):
        r = self.rng.random()
        if r < 0.45:
            return _op("STOP")
        if r < 0.7:
            return _push(32) + _push(0) + _op("RETURN")
        if r < 0.85 and self.has("REVERT"):
            return _push(self.rng.randrange(33)) + _push(0) + _op("REVERT")
        if r < 0.95:
            return _push(self.rng.choice(self.peers + [0xBEEF])) + _op("SELFDESTRUCT")
        return _op("INVALID")

    def program(self):
        return b"".join(self.snippet() for _ in range(self.rng.randrange(2, 12))) + self.ending()


def _initcode_for(runtime: bytes) -> bytes:
    """Init code that returns `runtime`: CODECOPY it from behind itself, then RETURN it."""
    n, offset = len(runtime), 0
    while True:  # the offset is the head's own length, which depends on the offset's push width
        head = _push(n) + _push(offset) + _push(0) + _op("CODECOPY") + _push(n) + _push(0) + _op("RETURN")
        if len(head) == offset:
            return head + runtime
        offset = len(head)


def _key(label):
    return keccak256(("polyvm t8n test key/%s" % label).encode())


@functools.lru_cache(maxsize=None)
def _address(key: bytes) -> str:
    return "0x" + address_of(key).hex()


def random_case(seed: int, fork: str):
    rng = random.Random(seed)
    contracts = [0xC0DE00 + i for i in range(4)]
    keys = [_key("sender%d" % i) for i in range(3)]  # fixed keys: deriving addresses is slow in Python
    senders = [_address(k) for k in keys]
    chain_id = 1
    alloc = {}
    nonces = {}
    for s in senders:
        nonces[s] = rng.choice([0, 0, 1, 5])
        alloc[s] = {"balance": hex(10**20), "nonce": hex(nonces[s]), "code": "0x", "storage": {}}
    codes = {}
    for c in contracts:
        gen = CodeGenerator(rng, fork, [p for p in contracts if p != c])
        codes[c] = gen.program()
        storage = {word(k): word(rng.randrange(1, 2**64)) for k in rng.sample(range(8), rng.randrange(4))}
        alloc["0x%040x" % c] = {"balance": hex(rng.choice([0, 10**9])), "nonce": "0x1",
                                "code": "0x" + codes[c].hex(), "storage": storage}
    alloc["0x%040x" % 0xDEAD] = {"balance": "0x0", "nonce": "0x0", "code": "0x", "storage": {}}  # empty account

    number = rng.randrange(1, 600)
    base_fee = rng.choice([7, 10, 1000]) if at_least(fork, "London") else 0
    small_block = rng.random() < 0.1
    env = {"currentCoinbase": rng.choice(["0x%040x" % 0xC01B, senders[0], "0x%040x" % contracts[0],
                                          "0x%040x" % 0xDEAD]),
           "currentGasLimit": hex(rng.choice([150_000, 400_000]) if small_block else 30_000_000),
           "currentNumber": hex(number), "currentTimestamp": hex(1000 + number * 12),
           "blockHashes": block_hashes(number)}
    if at_least(fork, "Paris"):
        env["currentRandom"] = word(rng.randrange(2**256))
    else:
        env["currentDifficulty"] = word(rng.choice([0x20000, 2**40]))
    if at_least(fork, "London"):
        env["currentBaseFee"] = hex(base_fee)
    if at_least(fork, "Shanghai"):
        env["withdrawals"] = [{"index": hex(i), "validatorIndex": hex(rng.randrange(100)),
                               "address": rng.choice(senders + ["0x%040x" % 0xDEAD, "0x%040x" % 0xC0FFEE]),
                               "amount": hex(rng.randrange(10**9))} for i in range(rng.randrange(3))]
    if at_least(fork, "Cancun"):
        env["currentExcessBlobGas"] = hex(rng.choice([0, 0, 10**6, 10**7]))
        env["parentBeaconBlockRoot"] = word(rng.randrange(2**256))

    types = [0] + [t for t, since in ((1, "Berlin"), (2, "London"), (3, "Cancun"), (4, "Prague")) if at_least(fork, since)]
    authority_key = _key("authority")
    authority = _address(authority_key)
    txs = []
    for _ in range(rng.randrange(1, 6)):
        i = rng.randrange(len(keys))
        sender = senders[i]
        tx_type = rng.choice(types)
        nonce = nonces[sender] + (rng.choice([1, -1]) if rng.random() < 0.08 else 0)
        tip = rng.choice([0, 1, 2])
        tx = {"type": tx_type, "nonce": max(nonce, 0), "gas": rng.choice([21_000, 60_000, 150_000, 400_000, 1_000_000]),
              "value": rng.choice([0, 0, 1, 10**9]), "input": bytes(rng.randrange(256) for _ in range(rng.randrange(40)))}
        create = tx_type in (0, 1, 2) and rng.random() < 0.15
        if create:
            tx["input"] = _initcode_for(CodeGenerator(rng, fork, contracts).program())
        else:
            tx["to"] = "0x%040x" % rng.choice(contracts + [0xDEAD, contracts[0]] +
                                               ([int(authority, 16)] if 4 in types else []))
        price = base_fee + tip if rng.random() > 0.05 else max(base_fee - 1, 0)
        if tx_type in (0, 1):
            tx["gasPrice"] = price + rng.choice([0, 5])
        else:
            tx["maxFeePerGas"] = price + rng.choice([0, 5])
            tx["maxPriorityFeePerGas"] = min(tip, tx["maxFeePerGas"])
        if tx_type >= 1:
            tx["accessList"] = [{"address": "0x%040x" % rng.choice(contracts),
                                 "storageKeys": [word(rng.randrange(8)) for _ in range(rng.randrange(3))]}
                                for _ in range(rng.randrange(3))]
        if tx_type == 3:
            tx["maxFeePerBlobGas"] = rng.choice([1, 10, 10**6])
            tx["blobVersionedHashes"] = ["0x01" + keccak256(bytes([j, seed % 256])).hex()[2:]
                                         for j in range(rng.randrange(1, 4))]
        if tx_type == 4:
            auth = {"chainId": rng.choice([0, chain_id]), "address": "0x%040x" % rng.choice(contracts),
                    "nonce": nonces.get(authority, 0)}
            tx["authorizationList"] = [sign_authorization(auth, authority_key)]
            auth["signer"] = authority  # evmone-t8n takes the authority from here
        eip155 = at_least(fork, "EIP158") and rng.random() < 0.7
        sign_transaction(tx, keys[i], chain_id, eip155=eip155)
        if nonce == nonces[sender]:
            nonces[sender] += 1  # assume inclusion; a later rejection only shifts later nonces
        if tx_type == 4:
            nonces[authority] = nonces.get(authority, 0) + 1
        txs.append(_json_tx(tx, sender, chain_id))

    reward, ommers = -1, []
    if not at_least(fork, "Paris"):
        reward = rng.choice([-1, 0, 2 * 10**18])
        if reward > 0 and rng.random() < 0.5:
            ommers = [{"delta": rng.randrange(1, 7), "address": "0x%040x" % (0x0A0A + j)} for j in range(2)]
    if ommers:
        env["ommers"] = ommers
    return {"name": "random seed=%d %s" % (seed, fork), "origin": "random", "fork": fork, "alloc": alloc, "env": env, "txs": txs,
            "chain_id": chain_id, "reward": reward}


def _json_tx(tx, sender, chain_id):
    out = {"type": hex(tx["type"]), "nonce": hex(tx["nonce"]), "gas": hex(tx["gas"]), "value": hex(tx["value"]),
           "input": "0x" + tx["input"].hex(), "v": hex(tx["v"]), "r": hex(tx["r"]), "s": hex(tx["s"]),
           "sender": sender}
    if "to" in tx:
        out["to"] = tx["to"]
    for key in ("gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "maxFeePerBlobGas"):
        if key in tx:
            out[key] = hex(tx[key])
    if tx["type"] >= 1:
        out["chainId"] = hex(chain_id)
        out["accessList"] = tx["accessList"]
    if "blobVersionedHashes" in tx:
        out["blobVersionedHashes"] = tx["blobVersionedHashes"]
    if "authorizationList" in tx:
        out["authorizationList"] = [{"chainId": hex(a["chainId"]), "address": a["address"], "nonce": hex(a["nonce"]),
                                     "v": hex(a["yParity"]), "yParity": hex(a["yParity"]), "r": hex(a["r"]),
                                     "s": hex(a["s"]), "signer": a["signer"]} for a in tx["authorizationList"]]
    return out


def random_cases(count: int, seed: int):
    """`count` cases spread over the forks Frontier..Prague."""
    for i in range(count):
        yield random_case(seed + i, FORKS[i % len(FORKS)])

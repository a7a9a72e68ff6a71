"""Just enough Ethereum for building t8n test inputs in pure Python 3 (no third-party modules):
keccak-256, RLP, secp256k1 signing and the signing payloads of transaction types 0-4.

It is written independently of polyvm on purpose: inputs signed here and decoded there check
polyvm's transaction codec and sender recovery as a side effect of every comparison.
"""

import hashlib
import hmac

# ---- keccak-256 (the pre-standard padding 0x01, not SHA3's 0x06) -----------------------------

_MASK = (1 << 64) - 1


def _round_constants():
    def lfsr_bit(t):
        r = 1
        for _ in range(t % 255):
            r <<= 1
            if r & 0x100:
                r ^= 0x171
        return r & 1

    constants = []
    for i in range(24):
        c = 0
        for j in range(7):
            if lfsr_bit(j + 7 * i):
                c |= 1 << ((1 << j) - 1)
        constants.append(c)
    return constants


def _rotation_offsets():
    offsets = [[0] * 5 for _ in range(5)]
    x, y = 1, 0
    for t in range(24):
        offsets[x][y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return offsets


_RC = _round_constants()
_ROT = _rotation_offsets()


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & _MASK if n else v


def _keccak_f(a):
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [a[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rol(a[x + 5 * y], _ROT[x][y])
        a = [b[i] ^ (~b[(i + 1) % 5 + 5 * (i // 5)] & b[(i + 2) % 5 + 5 * (i // 5)]) for i in range(25)]
        a[0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    rate = 136
    padded = bytearray(data) + b"\x01"
    padded += b"\x00" * (-len(padded) % rate)
    padded[-1] |= 0x80
    state = [0] * 25
    for block in range(0, len(padded), rate):
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(padded[block + 8 * i: block + 8 * i + 8], "little")
        state = _keccak_f(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))


# ---- RLP --------------------------------------------------------------------------------------


def int_bytes(value: int) -> bytes:
    return b"" if value == 0 else value.to_bytes((value.bit_length() + 7) // 8, "big")


def _header(length: int, short: int) -> bytes:
    if length < 56:
        return bytes([short + length])
    n = int_bytes(length)
    return bytes([short + 55 + len(n)]) + n


def rlp_encode(item) -> bytes:
    """bytes -> string; int -> minimal big-endian string; list -> list."""
    if isinstance(item, int):
        item = int_bytes(item)
    if isinstance(item, (bytes, bytearray)):
        if len(item) == 1 and item[0] < 0x80:
            return bytes(item)
        return _header(len(item), 0x80) + bytes(item)
    payload = b"".join(rlp_encode(x) for x in item)
    return _header(len(payload), 0xC0) + payload


def rlp_decode(data: bytes):
    """The item spanning `data`: bytes for strings, lists for lists. Raises ValueError."""
    item, rest = _decode_prefix(data)
    if rest:
        raise ValueError("trailing bytes")
    return item


def _decode_prefix(data: bytes):
    if not data:
        raise ValueError("empty input")
    b = data[0]
    if b < 0x80:
        return data[:1], data[1:]
    if b < 0xB8:
        n = b - 0x80
        return _take(data, 1, n, False)
    if b < 0xC0:
        k = b - 0xB7
        return _take(data, 1 + k, int.from_bytes(data[1:1 + k], "big"), False)
    if b < 0xF8:
        return _take(data, 1, b - 0xC0, True)
    k = b - 0xF7
    return _take(data, 1 + k, int.from_bytes(data[1:1 + k], "big"), True)


def _take(data, start, length, is_list):
    end = start + length
    if end > len(data):
        raise ValueError("item runs past the input")
    payload = data[start:end]
    if not is_list:
        return payload, data[end:]
    items = []
    while payload:
        item, payload = _decode_prefix(payload)
        items.append(item)
    return items, data[end:]


# ---- secp256k1 ------------------------------------------------------------------------------

_P = 2**256 - 2**32 - 977
_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
      0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def _add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % _P == 0:
        return None
    if p == q:
        lam = 3 * p[0] * p[0] * pow(2 * p[1], -1, _P) % _P
    else:
        lam = (q[1] - p[1]) * pow(q[0] - p[0], -1, _P) % _P
    x = (lam * lam - p[0] - q[0]) % _P
    return x, (lam * (p[0] - x) - p[1]) % _P


def _mul(k, point=_G):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def address_of(secret_key: bytes) -> bytes:
    x, y = _mul(int.from_bytes(secret_key, "big"))
    return keccak256(x.to_bytes(32, "big") + y.to_bytes(32, "big"))[12:]


def sign_hash(message_hash: bytes, secret_key: bytes):
    """(recovery id, r, s) with low s (EIP-2). The nonce is derived deterministically from the key
    and the message (HMAC-SHA256), so inputs are reproducible."""
    d = int.from_bytes(secret_key, "big")
    z = int.from_bytes(message_hash, "big")
    counter = 0
    while True:
        k = int.from_bytes(hmac.new(secret_key, message_hash + bytes([counter]), hashlib.sha256).digest(), "big") % _N
        counter += 1
        if k == 0:
            continue
        rx, ry = _mul(k)
        r = rx % _N
        s = pow(k, -1, _N) * (z + r * d) % _N
        if r == 0 or s == 0:
            continue
        recovery_id = (ry & 1) | (2 if rx >= _N else 0)
        if s > _N // 2:
            s = _N - s
            recovery_id ^= 1
        if recovery_id > 1:
            continue  # not expressible in a transaction's v
        return recovery_id, r, s


# ---- transactions (field dicts in geth's JSON names, values as ints/bytes) ------------------


def _access_list(tx):
    return [[bytes.fromhex(e["address"][2:]), [bytes.fromhex(k[2:]) for k in e["storageKeys"]]]
            for e in tx.get("accessList", [])]


def _to(tx):
    return bytes.fromhex(tx["to"][2:]) if tx.get("to") else b""


def _unsigned_fields(tx, chain_id):
    t = tx["type"]
    common = [tx["nonce"]]
    if t == 0:
        fields = common + [tx["gasPrice"], tx["gas"], _to(tx), tx["value"], tx["input"]]
        return fields + ([chain_id, 0, 0] if chain_id is not None else [])
    if t == 1:
        return [chain_id] + common + [tx["gasPrice"], tx["gas"], _to(tx), tx["value"], tx["input"], _access_list(tx)]
    fields = [chain_id] + common + [tx["maxPriorityFeePerGas"], tx["maxFeePerGas"], tx["gas"], _to(tx), tx["value"],
                                    tx["input"], _access_list(tx)]
    if t == 3:
        fields += [tx["maxFeePerBlobGas"], [bytes.fromhex(h[2:]) for h in tx["blobVersionedHashes"]]]
    if t == 4:
        fields += [[[a["chainId"], bytes.fromhex(a["address"][2:]), a["nonce"], a["yParity"], a["r"], a["s"]]
                    for a in tx["authorizationList"]]]
    return fields


def sign_transaction(tx, secret_key: bytes, chain_id: int, eip155: bool = True):
    """Adds v, r, s to `tx` (ints); returns the network encoding (bytes)."""
    t = tx["type"]
    legacy_chain = chain_id if (t == 0 and eip155) else None
    unsigned = rlp_encode(_unsigned_fields(tx, legacy_chain if t == 0 else chain_id))
    payload = unsigned if t == 0 else bytes([t]) + unsigned
    recovery_id, r, s = sign_hash(keccak256(payload), secret_key)
    if t == 0:
        tx["v"] = recovery_id + (35 + 2 * chain_id if eip155 else 27)
    else:
        tx["v"] = recovery_id
    tx["r"], tx["s"] = r, s
    fields = _unsigned_fields(tx, None if t == 0 else chain_id) + [tx["v"], r, s]
    encoded = rlp_encode(fields)
    return encoded if t == 0 else bytes([t]) + encoded


def sign_authorization(auth, secret_key: bytes):
    """EIP-7702 tuple {chainId, address, nonce} -> adds yParity, r, s."""
    message = b"\x05" + rlp_encode([auth["chainId"], bytes.fromhex(auth["address"][2:]), auth["nonce"]])
    auth["yParity"], auth["r"], auth["s"] = sign_hash(keccak256(message), secret_key)
    return auth

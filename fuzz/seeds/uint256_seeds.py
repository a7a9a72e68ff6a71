# Seeds for fuzz_uint256: edge operands for every operation. Input = op byte, then a, b, c as
# 32-byte big-endian words (the PARSE op reads the rest as a string).
# usage: python3 fuzz/seeds/uint256_seeds.py fuzz/corpus/fuzz_uint256
import hashlib, os, sys
OUT = sys.argv[1]
OPS = ("ADD SUB MUL DIV MOD SDIV SMOD ADDMOD MULMOD EXP SIGNEXTEND LT GT SLT SGT EQ ISZERO AND OR XOR "
       "NOT BYTE SHL SHR SAR CLZ NEGATE DIVREM BYTES HEX DECIMAL PARSE").split()  # the target's enum order
M = 2**256 - 1; H = 2**255; P = 2**256 - 2**32 - 977  # secp256k1's field prime: Barrett's range
# One standard triple for every operation (the extremes, a limb border), then the edges each
# operation has: the signed minimum over -1, shifts at and past 256, Barrett-sized moduli...
common = [(M, H, 2**64 + 1)]
special = {
    "DIV": [(M, 3, 0)], "SDIV": [(H, M, 0)], "SMOD": [(M - 6, 3, 0)], "ADDMOD": [(M, M, P)],
    "MULMOD": [(M, M, P), (2**200, 2**100, 2**128), (P - 1, P - 1, P)], "EXP": [(3, M, 0)],
    "SIGNEXTEND": [(0, 0x80, 0), (30, 2**247, 0)], "BYTE": [(31, 0xab, 0)],
    "SHL": [(256, 1, 0), (64, 2**192 + 1, 0)], "SHR": [(63, 2**128, 0)],
    "SAR": [(255, H, 0), (2**64, H, 0)], "SLT": [(H, H - 1, 0)], "CLZ": [(0, 0, 0)],
    "DIVREM": [(M, 2**192 - 1, 0), (2**128 + 1, 2**64 - 1, 0)], "DECIMAL": [(10**76, 0, 0)],
}
strings = [b"0x" + b"f" * 64, b"0x" + b"0" * 70 + b"1", b"0x1" + b"0" * 64, b"0x", b"",
           str(M).encode(), str(M + 1).encode(), b" 1"]
os.makedirs(OUT, exist_ok=True)
seeds = []
for i, op in enumerate(OPS):
    if op == "PARSE":
        seeds += [bytes([i]) + s for s in strings]
    else:
        seeds += [bytes([i]) + b"".join(x.to_bytes(32, "big") for x in t) for t in common + special.get(op, [])]
for s in seeds:
    open(f"{OUT}/{hashlib.sha1(s).hexdigest()}", "wb").write(s)
print(len(seeds), "seeds")

# Seeds for fuzz_precompile from the state-test fixtures: the inputs that each test passes to a
# precompile. A test either calls it with its calldata (pyspec tests: CALLDATACOPY then CALL),
# builds the input with MSTOREs (the older st* tests), or passes it ABI-encoded (stZeroKnowledge).
# A straight-line walk over the called contract's code with the calldata known finds the first
# two; the third is decoded. Output: fuzz/corpus/fuzz_precompile/<sha1 of the seed>.
# usage: python3 fuzz/seeds/precompile_seeds.py ../shared/fixtures/state fuzz/corpus/fuzz_precompile
import glob, hashlib, json, os, re, sys
FIX = sys.argv[1]; OUT = sys.argv[2]
ADDRS = list(range(1, 0x12)) + [0x100]          # the target's address index order
FIRST = {1: 0, 2: 0, 3: 0, 4: 0, 5: 4, 6: 4, 7: 4, 8: 4, 9: 7, 10: 12, 0x100: 14}  # Revision numbers
FORK = {"Cancun": 12, "Prague": 13, "Osaka": 14}
CALLS = {0xf1: 7, 0xf2: 7, 0xf4: 6, 0xfa: 6}     # CALL, CALLCODE, DELEGATECALL, STATICCALL: arity

def inputs_from_code(code, calldata):
    """Straight-line walk: constants through PUSH/DUP/SWAP, memory through MSTORE(8) and
    CALLDATACOPY; yields (address, input) at each call of a precompile with known arguments."""
    st, mem, pc = [], bytearray(), 0
    def pop(): return st.pop() if st else None
    def write(off, data):
        if len(mem) < off + len(data): mem.extend(bytes(off + len(data) - len(mem)))
        mem[off:off + len(data)] = data
    while pc < len(code):
        op = code[pc]; pc += 1
        if 0x5f <= op <= 0x7f:
            n = op - 0x5f; st.append(int.from_bytes(code[pc:pc + n], "big") if n else 0); pc += n
        elif 0x80 <= op <= 0x8f: st.append(st[-(op - 0x7f)] if len(st) > op - 0x80 else None)
        elif 0x90 <= op <= 0x9f:
            k = op - 0x8f
            if len(st) > k: st[-1], st[-1 - k] = st[-1 - k], st[-1]
        elif op == 0x36: st.append(len(calldata))
        elif op == 0x35:
            o = pop(); st.append(int.from_bytes(calldata[o:o + 32].ljust(32, b"\0"), "big") if o is not None else None)
        elif op == 0x37:
            d, o, n = pop(), pop(), pop()
            if None not in (d, o, n) and n < 1 << 20: write(d, calldata[o:o + n].ljust(n, b"\0"))
        elif op in (0x52, 0x53):
            o, v = pop(), pop()
            if None not in (o, v) and o < 1 << 20:
                write(o, v.to_bytes(32, "big") if op == 0x52 else bytes([v & 0xff]))
        elif op in CALLS:
            args = [pop() for _ in range(CALLS[op])]
            addr, (ioff, isz) = args[1], args[-4:-2]
            if addr in ADDRS and None not in (ioff, isz) and isz < 1 << 20:
                yield addr, bytes(mem[ioff:ioff + isz]).ljust(isz, b"\0")
            st.append(None)
        elif op == 0x5a: st.append(None)  # GAS
        elif op == 0x50: pop()
        else: st.clear()  # anything else: stop trusting the stack
    return

def abi_bytes(data):  # stZeroKnowledge: selector, offset, length, bytes
    off = int.from_bytes(data[4:36], "big"); n = int.from_bytes(data[4 + off:36 + off], "big")
    return data[36 + off:36 + off + n]

found = {}  # address -> {input: revision}
for path in sorted(glob.glob(f"{FIX}/*/*/**/*.json", recursive=True)):
    name = path.lower()
    if not re.search(r"precompil|modexp|blake2|ecrecover|sha256|ripemd|identity|idprecomps|sec80|zeroknowledge|point_evaluation|p256|bls", name): continue
    for test in json.load(open(path)).values():
        fork = next((FORK[f] for f in test.get("post", {}) if f in FORK), None)
        if fork is None: continue
        tx, pre = test["transaction"], test["pre"]
        to = (tx.get("to") or "").lower()
        for d in tx["data"]:
            cd = bytes.fromhex(d[2:])
            if to and int(to, 16) in ADDRS and not pre.get(to, {}).get("code", "0x")[2:]:
                found.setdefault(int(to, 16), {})[cd] = fork
            code = bytes.fromhex(pre.get(to, {}).get("code", "0x")[2:])
            for addr, inp in inputs_from_code(code, cd):
                found.setdefault(addr, {})[inp] = fork
            if "zeroknowledge" in name and len(cd) > 4:
                kind = os.path.basename(path).split("_")[0]
                if kind in ("ecadd", "ecmul", "ecpairing"):
                    found.setdefault({"ecadd": 6, "ecmul": 7, "ecpairing": 8}[kind], {})[abi_bytes(cd)] = fork

os.makedirs(OUT, exist_ok=True)
PER = 12
for addr in ADDRS:
    first = FIRST.get(addr, 13)  # 0x0b-0x11: Prague
    items = sorted((k for k, f in found.get(addr, {}).items() if len(k) <= 16384 and f >= first), key=lambda k: hashlib.sha1(k).digest())
    # One per input length first (the precompiles branch on it), then the rest in hash order.
    pick, lengths = [], set()
    for k in items:
        if len(k) not in lengths and len(pick) < PER: pick.append(k); lengths.add(len(k))
    pick += [k for k in items if k not in pick][:PER - len(pick)]
    for k in pick:
        # gas 0x9fff: 2047 << 19, about 2^30 (blake2f: capped by the target).
        seed = bytes([ADDRS.index(addr), found[addr][k] - first, 0x9f, 0xff]) + k
        open(f"{OUT}/{hashlib.sha1(seed).hexdigest()}", "wb").write(seed)
    print(f"0x{addr:02x}: {len(items)} inputs found, {len(pick)} kept")

# Seeds for fuzz_wasm_execution: modules of the WebAssembly spec test suite (the shared fixtures)
# that export functions, the smallest few of each test file, each behind a fuel selector byte and
# an 8-byte argument seed.
# usage: python3 fuzz/seeds/wasm_execution_seeds.py <fixtures>/wasm/spec fuzz/corpus/fuzz_wasm_execution
import hashlib, os, random, sys
SPEC, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
rng = random.Random(11)

def leb(data, at):
    value = shift = 0
    while True:
        b = data[at]; at += 1
        value |= (b & 0x7F) << shift; shift += 7
        if b < 0x80: return value, at

def exports_a_function(data):
    """Whether the export section (id 7) names a function (kind 0)."""
    if data[:4] != b"\0asm": return False
    at = 8
    try:
        while at < len(data):
            section = data[at]; size, at = leb(data, at + 1)
            if section == 7:
                count, p = leb(data, at)
                for _ in range(count):
                    length, p = leb(data, p); p += length
                    kind = data[p]; _, p = leb(data, p + 1)
                    if kind == 0: return True
                return False
            at += size
    except IndexError:
        return False
    return False

count = 0
for folder in sorted(os.listdir(SPEC)):
    path = os.path.join(SPEC, folder)
    if not os.path.isdir(path): continue
    modules = []
    for name in os.listdir(path):
        if not name.endswith(".wasm"): continue
        data = open(os.path.join(path, name), "rb").read()
        if len(data) <= 6000 and exports_a_function(data): modules.append((len(data), name, data))
    for _, _, data in sorted(modules)[:3]:
        out = bytes([rng.randrange(256)]) + rng.randbytes(8) + data
        open(f"{OUT}/{hashlib.sha1(out).hexdigest()}", "wb").write(out)
        count += 1
print(f"{count} seeds in {OUT}")

# Seeds for fuzz_trie: 30 random histories (its input is read as a stream: any bytes make one),
# a third of them with short values (embedded nodes), a third with long ones (hashed nodes).
# usage: python3 fuzz/seeds/trie_seeds.py fuzz/corpus/fuzz_trie
import hashlib, os, random, sys
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
rng = random.Random(5)
for i in range(30):
    out = b""
    for _ in range(rng.randrange(1, 10)):
        count = rng.randrange(1, 9)
        out += bytes([count - 1])
        for _ in range(count):
            choice = rng.randrange(256)
            out += bytes([choice])
            if choice % 2 == 1:  # a new key of (choice >> 2) % 7 bytes
                out += rng.randbytes((choice >> 2) % 7)
            length = [rng.randrange(1, 8), rng.randrange(32, 48), rng.randrange(48)][i % 3]
            out += bytes([length]) + rng.randbytes(length % 48)
    open(f"{OUT}/{hashlib.sha1(out).hexdigest()}", "wb").write(out)

# Seeds for fuzz_parallel_block: blocks whose transactions collide through contracts that count
# in storage, forward calls with value, read the coinbase's balance, log, clear slots and
# self-destruct. Input = revision, coinbase, scheduling || 4 x (code length, code) ||
# transactions (sender/nonce, recipient, value, gas, tip, call data of tip / 4 % 48 bytes).
# usage: python3 fuzz/seeds/parallel_block_seeds.py fuzz/corpus/fuzz_parallel_block
import hashlib, os, random, sys
OUT = sys.argv[1]
COUNTER = bytes.fromhex("600054600101600055" "00")                 # slot0 += 1
FORWARD = bytes.fromhex("6000600060006000" "34" "600035" "5a" "f1" "00")  # CALL(gas, calldata[0], callvalue)
COINBASE_BALANCE = bytes.fromhex("41" "31" "600255" "00")          # slot2 = balance(coinbase)
LOGGER = bytes.fromhex("33" "600054" "6000" "6000" "a2" "00")       # LOG2(caller, slot0)
CLEAR = bytes.fromhex("6000600155" "6000600055" "00")              # slot1 = 0, slot0 = 0 (refunds)
DESTRUCT = bytes.fromhex("600035" "ff")                            # SELFDESTRUCT(calldata[0])
TRANSIENT = bytes.fromhex("600035" "6000" "5d" "6000" "5c" "600355" "00")  # TSTORE(0, cd); slot3 = TLOAD(0)
SELF_BALANCE_STORE = bytes.fromhex("47" "600455" "00")             # slot4 = selfbalance
CODES = [COUNTER, FORWARD, COINBASE_BALANCE, LOGGER, CLEAR, DESTRUCT, TRANSIENT, SELF_BALANCE_STORE]

def seed(rng, revision):
    out = bytes([revision, rng.randrange(256), rng.randrange(256)])
    for code in rng.sample(CODES, 4):
        out += bytes([len(code)]) + code
    for _ in range(rng.randrange(4, 24)):
        data_len = rng.choice([0, 32])
        tip = data_len * 4 + rng.randrange(4)
        out += bytes([rng.randrange(0xfc), rng.randrange(256), rng.randrange(256), rng.randrange(60, 200), tip])
        if data_len:  # a contract's, a sender's or the coinbase's address, as the target places them
            out += bytes(30) + bytes([rng.choice([0x10, 0x10, 0x20, 0x30]), rng.randrange(4)])
    return out

os.makedirs(OUT, exist_ok=True)
rng = random.Random(13)
for i in range(40):
    s = seed(rng, i % 4)
    open(f"{OUT}/{hashlib.sha1(s).hexdigest()}", "wb").write(s)

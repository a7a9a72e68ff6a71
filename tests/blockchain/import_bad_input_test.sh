#!/bin/sh
# Bad input to `polyvm import` (issue 8): each case must fail with a clear message naming what was
# wrong and a non-zero exit, never a crash, and leave the database at a committed block whose
# recomputed root matches its header.
# usage: import_bad_input_test.sh <polyvm>
set -u
polyvm=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# expect <name> <exit> <message pattern> <command...>
expect() {
    name=$1 code=$2 pattern=$3
    shift 3
    "$@" >"$work/out" 2>&1
    rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$pattern" "$work/out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name: exit $rc (expected $code), output:" >&2
        cat "$work/out" >&2
    fi
}

"$polyvm" makechain --out "$work/chain" --blocks 20 --txs 50 >/dev/null || exit 1
chain=$work/chain/chain.rlp
genesis=$work/chain/genesis.json

# A truncated block file: the complete blocks before the cut are imported, then a named error.
size=$(wc -c <"$chain")
head -c $((size - 7)) "$chain" >"$work/truncated.rlp"
expect truncated 1 "malformed RLP" "$polyvm" import --data-dir "$work/db1" --genesis "$genesis" "$work/truncated.rlp"
expect truncated-db-consistent 0 "^ok #19 " "$polyvm" checkdb --data-dir "$work/db1"

# Bytes that are no block at all (header fields out of range are covered by the chain unit tests).
printf '\371\377\377' >"$work/garbage.rlp"
expect garbage 1 "block 0" "$polyvm" import --data-dir "$work/db2" --genesis "$genesis" "$work/garbage.rlp"

# No genesis for a new data dir; a genesis of another chain for an existing one.
expect no-genesis 2 "give --genesis" "$polyvm" import --data-dir "$work/db3" "$chain"
"$polyvm" makechain --out "$work/other" --blocks 1 --txs 1 --senders 3 >/dev/null
expect wrong-genesis 2 "is not the genesis" "$polyvm" import --data-dir "$work/db1" --genesis "$work/other/genesis.json" "$chain"

# A genesis JSON with wrong types.
sed 's/"gasLimit": "0x[0-9a-f]*"/"gasLimit": [1]/' "$genesis" >"$work/badtypes.json"
expect genesis-types 2 "gasLimit" "$polyvm" import --data-dir "$work/db4" --genesis "$work/badtypes.json" "$chain"
printf '{"config": {"chainId": 1, "terminalTotalDifficulty": 0}, "alloc": {"0x12": {"balance": "0x1"}}}' >"$work/badaddr.json"
expect genesis-address 2 "alloc" "$polyvm" import --data-dir "$work/db4" --genesis "$work/badaddr.json" "$chain"

# A full disk, simulated by a tiny map: a clear error, and the database stays at a committed block.
expect disk-full 1 "database full" "$polyvm" import --data-dir "$work/db5" --genesis "$genesis" --max-db-size 400000 "$chain"
expect disk-full-consistent 0 "^ok #" "$polyvm" checkdb --data-dir "$work/db5"

# A data dir that is not a database.
mkdir -p "$work/notdb" && echo hello >"$work/notdb/file.txt"
expect not-a-database 2 "error" "$polyvm" import --data-dir "$work/notdb" --genesis "$genesis" "$chain"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

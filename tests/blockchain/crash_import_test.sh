#!/bin/sh
# Crash safety of `polyvm import` (issue 8): an import is killed with SIGKILL at random moments,
# at least 20 times. After each kill the reopened database must be at a committed block whose
# state root, recomputed in full from the flat tables, equals that block's header (polyvm
# checkdb), and importing again must resume from there. At the end the whole chain is in.
# The reopening replays the journal of commits the killed process had not written back.
# usage: crash_import_test.sh <polyvm> [kills]
set -eu
polyvm=$1
kills=${2:-24}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$polyvm" makechain --out "$work/chain" --workload mix --blocks 300 --txs 150 --senders 128 >/dev/null
last_head=-1
i=0
while [ "$i" -lt "$kills" ]; do
    i=$((i + 1))
    # Every other run writes back every few blocks (1 MiB): kills land in write-backs too, not
    # only between journaled commits.
    write_back=$(( i % 2 == 0 ? 1 : 256 ))
    "$polyvm" import --data-dir "$work/db" --genesis "$work/chain/genesis.json" --batch 4 --write-back-mib "$write_back" "$work/chain/chain.rlp" \
        >"$work/import.log" 2>&1 &
    pid=$!
    # A random delay of 0-350 ms: kills land during block execution, commits, write-backs and
    # flushes alike.
    delay=$(awk -v seed="$i$$" 'BEGIN { srand(seed); printf "%.3f", rand() * 0.35 }')
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ ! -e "$work/db" ]; then continue; fi   # killed before the database was created
    if ! out=$("$polyvm" checkdb --data-dir "$work/db" 2>&1); then
        case "$out" in
            *"holds no chain yet"*) continue ;;  # killed before the genesis commit
        esac
        echo "FAIL kill $i: $out" >&2
        exit 1
    fi
    head=$(echo "$out" | sed -n 's/^ok #\([0-9]*\) .*/\1/p')
    if [ "$head" -lt "$last_head" ]; then
        echo "FAIL kill $i: head went back from #$last_head to #$head" >&2
        exit 1
    fi
    last_head=$head
    echo "kill $i after ${delay}s: $out"
done
"$polyvm" import --data-dir "$work/db" --genesis "$work/chain/genesis.json" "$work/chain/chain.rlp"
final=$("$polyvm" checkdb --data-dir "$work/db")
echo "final: $final"
case "$final" in
    "ok #300 "*) echo "1 passed, 0 failed" ;;
    *) echo "FAIL: the resumed import did not reach block 300" >&2; exit 1 ;;
esac

#!/usr/bin/env bash
# Load benchmark of `polyvm node` (in memory and on LMDB) side by side with Anvil, driven by wrk.
#   bench/node/run_side_by_side.sh [polyvm binary, default build/polyvm]
# Per round, each system is started on a free port, set up (token + funded senders, setup.json),
# measured with (a) eth_blockNumber and (b) eth_call balanceOf, wrk -t2 -c32 for DURATION each,
# and stopped by PID; the systems alternate within a round, in an order that rotates from round to
# round (whichever runs first in a round runs measurably slower). Each polyvm node also gets, in
# every round (Anvil in the first only: it mines a few per second, so a run takes MINE_TIMEOUT),
# (c): the pre-signed ERC-20 transfers, timed from the first send until every sender's nonce
# shows all its transactions mined (or MINE_TIMEOUT s), then every expected balance is checked,
# and (d), on a node of its own: Uniswap V2 deployed from its
# build artifacts (tests/node/node_modules/@uniswap: run npm ci there first; skipped without them),
# liquidity added, then SWAPS pre-signed swapExactETHForTokens from the senders, timed the same
# way and checked (one Swap event per swap, tokens conserved, every sender paid).
# Environment: ROUNDS (3), DURATION (10s), TRANSFERS (20000), SWAPS (20000), SENDERS (128), MINE_TIMEOUT (120),
# SYSTEMS ("polyvm-memory anvil polyvm-lmdb"), LOADGEN (default: bench/bench_node_loadgen in the build folder of polyvm),
# ANVIL (path; installed with npm under ANVIL_PREFIX when missing).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
polyvm=$(realpath "${1:-build/polyvm}")
loadgen=${LOADGEN:-$(dirname "$polyvm")/bench/bench_node_loadgen}
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
transfers=${TRANSFERS:-20000}
swaps=${SWAPS:-20000}
uniswap=${UNISWAP:-$here/../../tests/node/node_modules/@uniswap}
senders=${SENDERS:-128}
mine_timeout=${MINE_TIMEOUT:-120}
systems=${SYSTEMS:-"polyvm-memory anvil polyvm-lmdb"}
anvil_prefix=${ANVIL_PREFIX:-/tmp/anvil}
anvil=${ANVIL:-$anvil_prefix/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}
wrk_threads=2
wrk_connections=32

for tool in wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
[ -x "$polyvm" ] || { echo "error: no polyvm binary at $polyvm" >&2; exit 1; }
[ -x "$loadgen" ] || { echo "error: no bench_node_loadgen at $loadgen (build the target)" >&2; exit 1; }
if [[ " $systems " == *" anvil "* && ! -x "$anvil" ]]; then
  echo "Anvil missing at $anvil: installing @foundry-rs/anvil-linux-amd64@1.7.1 under $anvil_prefix"
  npm install --prefix "$anvil_prefix" @foundry-rs/anvil-linux-amd64@1.7.1 >/dev/null
  anvil=$anvil_prefix/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
fi

work=$(mktemp -d /tmp/polyvm-node-bench.XXXXXX)
results=$work/results.txt
node_pid=""
wrk_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true
  rm -rf "$work/data-"*
}
trap cleanup EXIT

echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "command: $0 $*  (ROUNDS=$rounds DURATION=$duration TRANSFERS=$transfers SWAPS=$swaps SENDERS=$senders)"
echo "polyvm: $polyvm"
[[ " $systems " == *" anvil "* ]] && echo "anvil: $("$anvil" --version | head -1)"
echo "load at start: $(uptime)"
"$loadgen" --senders "$senders" --transfers "$transfers" --chain-id 31337 --threads "$wrk_threads" --out "$work/load"
if [ "$swaps" -gt 0 ] && [ -d "$uniswap/v2-core/build" ]; then
  "$loadgen" --workload swaps --uniswap "$uniswap" --senders "$senders" --transfers "$swaps" --chain-id 31337 \
    --threads "$wrk_threads" --out "$work/swaps"
else
  echo "no Uniswap V2 swaps: SWAPS=0 or no artifacts under $uniswap (npm ci in tests/node)"
  swaps=0
fi

start_node() {  # system -> sets node_pid and url
  local system=$1 port
  port=$(python3 "$here/rpc_tool.py" free-port)
  url=http://127.0.0.1:$port
  case $system in
    polyvm-memory) "$polyvm" node -q --in-memory ${POLYVM_NODE_ARGS:-} --port "$port" >"$work/$system.log" 2>&1 & ;;
    polyvm-lmdb)
      local data; data=$(mktemp -d "$work/data-XXXXXX")
      "$polyvm" node -q --data-dir "$data" ${POLYVM_NODE_ARGS:-} --port "$port" >"$work/$system.log" 2>&1 & ;;
    anvil) "$anvil" -q --port "$port" >"$work/$system.log" 2>&1 & ;;
    *) echo "error: unknown system $system" >&2; exit 2 ;;
  esac
  node_pid=$!
  if ! python3 "$here/rpc_tool.py" wait-ready "$url" 30; then
    tail -5 "$work/$system.log" >&2
    exit 1
  fi
}

stop_node() {
  kill -TERM "$node_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  node_pid=""
  rm -rf "$work/data-"*
}

measure_rate() {  # system test body: one wrk run, appends "system test requests/s bad" to results
  local system=$1 test=$2 body=$3 out rate bad
  out=$(RPC_BODY=$body wrk -t"$wrk_threads" -c"$wrk_connections" -d"$duration" -s "$here/rpc_request.lua" "$url")
  rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  bad=$(awk '/^good_answers/ {print $4}' <<<"$out")
  if [ "${bad:-x}" != 0 ]; then
    echo "  $system $test: bad answers: ${bad:-unknown}" >&2
    grep -E '^first_bad|error' <<<"$out" >&2 || true
  fi
  echo "$system $test ${rate:-0} ${bad:-unknown}" >>"$results"
  printf '  %-14s %-12s %10s req/s  bad answers %s\n' "$system" "$test" "${rate:-?}" "${bad:-?}"
}

measure_transfers() {  # system [load dir, test name]: sends every transaction, waits until mined, verifies
  local system=$1 dir=${2:-$work/load} test=${3:-transfers} t0 mined verified accepted
  t0=$(date +%s.%N)
  TRANSFERS_DIR=$dir wrk -t"$wrk_threads" -c"$wrk_connections" -d$((mine_timeout + 60))s --timeout 30s \
    -s "$here/send_transfers.lua" "$url" >"$work/$test-$system.wrk" 2>&1 &
  wrk_pid=$!
  mined=$(python3 "$here/rpc_tool.py" wait-mined "$url" "$dir" "$t0" "$mine_timeout")
  # wrk's main thread sleeps for -d even when its threads are done: SIGINT ends it with its report.
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  wrk_pid=""
  accepted=$(awk '/^transfers_lines/ {print $4 "/" $2 " rejected " $6}' "$work/$test-$system.wrk")
  grep '^first_rejection' "$work/$test-$system.wrk" | head -2 >&2 || true
  if [ "$test" = swaps ]; then
    verified=$(python3 "$here/rpc_tool.py" verify-swaps "$url" "$dir")
  else
    verified=$(python3 "$here/rpc_tool.py" verify "$url" "$dir")
  fi
  echo "$system $test $mined $verified accepted=${accepted// /_}" >>"$results"
  echo "  $system $test: accepted ${accepted:-?}, $mined, $verified"
}

block_number='{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
balance_of=$(cat "$work/load/balance_of.json")
read -r -a system_list <<<"$systems"
for round in $(seq "$rounds"); do
  echo "round $round (load: $(uptime | sed 's/.*load average/load average/'))"
  count=${#system_list[@]}
  ordered=()
  for i in $(seq 0 $((count - 1))); do ordered+=("${system_list[$(((i + round - 1) % count))]}"); done
  for system in "${ordered[@]}"; do
    mine_now=0
    if [ "$round" = 1 ] || [ "$system" != anvil ]; then mine_now=1; fi
    start_node "$system"
    python3 "$here/rpc_tool.py" setup "$url" "$work/load/setup.json"
    measure_rate "$system" blockNumber "$block_number"
    measure_rate "$system" balanceOf "$balance_of"
    [ "$mine_now" = 1 ] && measure_transfers "$system"
    stop_node
    if [ "$mine_now" = 1 ] && [ "$swaps" -gt 0 ]; then
      start_node "$system"  # a fresh chain: the deployments' addresses follow from the deployer's nonces
      if python3 "$here/rpc_tool.py" setup-in-order "$url" "$work/swaps/setup.json"; then
        measure_transfers "$system" "$work/swaps" swaps
      else
        echo "  $system swaps: setup failed" >&2
      fi
      stop_node
    fi
  done
done
echo "load at end: $(uptime)"
echo "inputs, wrk outputs and node logs: $work"
python3 "$here/report.py" "$results" "$transfers" "$swaps"

#!/bin/sh
# End-to-end tests of `polyvm node` through ethers v6 and viem (node:test).
# Usage: tests/node/run.sh <path-to-polyvm>
# Starts the node three times (in memory, LMDB on a temporary --data-dir, in memory with four
# threads; POLYVM_E2E_MODES picks), runs test/*.test.mjs
# against each and compares the results with known_failures.txt. Exits non-zero on a new failure
# or on a listed check that now passes.
set -u

polyvm=${1:?usage: run.sh <path-to-polyvm>}
here=$(cd "$(dirname "$0")" && pwd)
case $polyvm in /*) ;; *) polyvm=$(pwd)/$polyvm ;; esac
[ -x "$polyvm" ] || { echo "run.sh: $polyvm is not an executable" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node (Node.js >= 20) is not installed" >&2; exit 2; }

. "$here/ensure-modules.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/polyvm-e2e.XXXXXX")
node_pid=
stop_node() {
  if [ -n "$node_pid" ]; then
    kill "$node_pid" 2>/dev/null
    wait "$node_pid" 2>/dev/null
    node_pid=
  fi
}
cleanup() { stop_node; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Tests that need a node of their own (another fork) start this binary (lib/spawn-node.mjs).
export POLYVM_BIN="$polyvm"
# The example WebAssembly contracts, built next to the binary (tests/CMakeLists.txt).
export POLYVM_WASM_CONTRACTS="${POLYVM_WASM_CONTRACTS:-$(dirname "$polyvm")/contracts/wasm}"

# Compile the contracts once; every test file reads the cached artifacts.
export POLYVM_E2E_CACHE="$work/contracts"
node "$here/lib/contracts.mjs" || { echo "run.sh: compiling the test contracts failed" >&2; exit 1; }

# run_mode <mode> <node options...>: start the node, run the suite, stop the node.
run_mode() {
  mode=$1
  shift
  log="$work/node-$mode.log"
  "$polyvm" node --port 0 -q "$@" >"$log" 2>&1 &
  node_pid=$!
  port=
  tries=0
  while [ -z "$port" ] && [ $tries -lt 200 ]; do
    port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    if [ -z "$port" ]; then
      kill -0 "$node_pid" 2>/dev/null || break
      sleep 0.1
      tries=$((tries + 1))
    fi
  done
  if [ -z "$port" ]; then
    echo "run.sh: [$mode] polyvm node did not print its port; its output:" >&2
    cat "$log" >&2
    stop_node
    return 1
  fi
  echo "== [$mode] polyvm node on port $port (pid $node_pid)"
  results="$work/results-$mode.jsonl"
  # One file at a time: the files share one chain, and some change it (snapshots, automine off).
  POLYVM_RPC_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter="$here/lib/reporter.mjs" --test-reporter-destination="$results" \
    "$here"/test/*.test.mjs
  suite_status=$?
  if ! kill -0 "$node_pid" 2>/dev/null; then
    echo "run.sh: [$mode] polyvm node died during the tests; its output:" >&2
    tail -n 50 "$log" >&2
    node_pid=
    return 1
  fi
  stop_node
  [ -s "$results" ] || { echo "run.sh: [$mode] the suite produced no results (node --test exit $suite_status)" >&2; return 1; }
  node "$here/lib/check-results.mjs" "$results" "$here/known_failures.txt" "$mode"
}

# POLYVM_E2E_MODES picks the modes (default: all three; `make test-tsan` runs the two with more
# threads than the plain in-memory node: LMDB's readers and the pipelined miner).
modes=${POLYVM_E2E_MODES:-memory lmdb pipelined}
status=0
for mode in $modes; do
  case $mode in
    memory) run_mode memory --in-memory || status=1 ;;
    lmdb) run_mode lmdb --data-dir "$work/chain" || status=1 ;;
    # Four threads: automine executes each block of a pass beside its parent's commit
    # (kPipelinedMiningThreads; off on a 2-core machine's default of 2).
    pipelined) run_mode pipelined --in-memory --threads 4 || status=1 ;;
    *) echo "run.sh: unknown mode in POLYVM_E2E_MODES: $mode" >&2; status=1 ;;
  esac
done
if [ $status -eq 0 ]; then echo "tests/node: all checks as expected"; else echo "tests/node: FAILED" >&2; fi
exit $status

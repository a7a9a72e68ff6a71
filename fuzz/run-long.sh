#!/bin/sh
# Runs the fuzz targets with libFuzzer for a while each, growing their corpora.
# usage: fuzz/run-long.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target)
# Builds build-fuzz/ with Clang (-fsanitize=fuzzer,address,undefined) on first use. New inputs
# go to build-fuzz/corpus/<target> (seeded from fuzz/corpus/<target>); to keep what was found,
# minimise into the committed corpus:  build-fuzz/fuzz/<target> -merge=1 fuzz/corpus/<target> build-fuzz/corpus/<target>
# Crashes are written as build-fuzz/crash-* (commit a minimised one under fuzz/corpus/<target>
# as a regression test once fixed). The executions of each run are appended to
# build-fuzz/executions.log (target, seconds, executions, coverage) so runs add up.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ "$#" -gt 0 ] && shift
targets=${*:-"fuzz_rlp fuzz_transaction fuzz_block fuzz_wasm_module fuzz_evm_execution fuzz_fixture_json fuzz_precompile fuzz_uint256 fuzz_rpc fuzz_state_root"}
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYVM_BENCH=OFF \
        -DPOLYVM_JEMALLOC=OFF -DPOLYVM_LIBFUZZER=ON -DCMAKE_C_FLAGS="$flags" \
        -DCMAKE_CXX_FLAGS="$flags -fconstexpr-steps=200000000" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
cmake --build build-fuzz -j "${JOBS:-2}" --target $targets
for target in $targets; do
    mkdir -p build-fuzz/corpus/$target
    log=build-fuzz/$target.log
    (cd build-fuzz && ./fuzz/$target -max_total_time="$seconds" -print_final_stats=1 \
        corpus/$target ../fuzz/corpus/$target) >"$log" 2>&1 || { cat "$log"; echo "FAIL $target (see $log)"; exit 1; }
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    echo "$target $seconds s: ${runs:-?} executions, coverage ${cov:-?}"
    echo "$(date -u +%FT%TZ) $target $seconds ${runs:-0} ${cov:-0}" >> build-fuzz/executions.log
done

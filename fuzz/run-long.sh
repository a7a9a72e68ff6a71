#!/bin/sh
# Runs the fuzz targets with libFuzzer for a while each, growing their corpora.
# usage: fuzz/run-long.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target)
#        FUZZ_JOBS=N fuzz/run-long.sh ...   (N processes per target: libFuzzer's -fork=N)
# Uses the sanitizer build of `make test` (Clang, ASan + UBSan + libFuzzer; FUZZ_BUILD_DIR,
# default build-asan), configuring it on first use. New inputs go to $FUZZ_BUILD_DIR/corpus/<target>
# (seeded from fuzz/corpus/<target>); to keep what was found, minimise into the committed corpus:
#   build-asan/fuzz/<target> -merge=1 fuzz/corpus/<target> build-asan/corpus/<target>
# Crashes are written as $FUZZ_BUILD_DIR/crash-* (commit a minimised one under fuzz/corpus/<target>
# as a regression test once fixed). The executions of each run are appended to
# $FUZZ_BUILD_DIR/executions.log (time, target, seconds, executions, coverage) so runs add up.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
[ "$#" -gt 0 ] && shift
targets=${*:-"fuzz_rlp fuzz_transaction fuzz_block fuzz_wasm_module fuzz_wasm_execution fuzz_evm_execution fuzz_fixture_json fuzz_precompile fuzz_uint256 fuzz_rpc fuzz_state_root fuzz_parallel_block fuzz_trie"}
build=${FUZZ_BUILD_DIR:-build-asan}
[ -f "$build/build.ninja" ] || make --no-print-directory configure-asan ASAN_DIR="$build"
cmake --build "$build" -j "${JOBS:-2}" --target $targets
# Suppressions for what LeakSanitizer reports at exit that is not ours to free (see the file).
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# FUZZ_BRIEF=1 (make test's step): start from the committed corpus alone, into a scratch folder
# emptied first, so that inputs a developer's long runs collected in $build/corpus (some slow)
# neither slow the step down nor make it depend on this machine's history.
brief=${FUZZ_BRIEF:-0}
jobs=${FUZZ_JOBS:-1}
corpus_root=$build/corpus
[ "$brief" = 1 ] && corpus_root=$build/brief-corpus
case $corpus_root in /*) ;; *) corpus_root=$root/$corpus_root ;; esac
for target in $targets; do
    [ "$brief" = 1 ] && rm -rf "$corpus_root/$target"
    mkdir -p "$corpus_root/$target"
    # A brief run (make test) logs apart: a long run of the same target may be going on beside it.
    log=$build/$target.log
    [ "$brief" = 1 ] && log=$build/$target.brief.log
    # fuzz_rpc may mine 100,000 blocks in one request (the node's bound), each kept by the
    # in-memory chain: 4.3 GB were seen under ASan (anvil_mine([89894]) after other inputs).
    case $target in fuzz_rpc) options="-rss_limit_mb=8192" ;; *) options="" ;; esac
    # FUZZ_JOBS=N (N > 1): libFuzzer's fork mode, N processes sharing the corpus (the device
    # machine's 16 cores; here its jobs' start-up costs more than the second core gives); it
    # reports the executions of all its jobs as '#N:' lines, and coverage in its own units.
    [ "$jobs" -gt 1 ] && options="$options -fork=$jobs"
    started=$(date +%s)
    status=0
    (cd "$build" && ./fuzz/$target -max_total_time="$seconds" -print_final_stats=1 $options \
        "$corpus_root/$target" "$root/fuzz/corpus/$target") >"$log" 2>&1 || status=$?
    # A run that stops on a finding still prints its final stats: what it executed counts.
    if [ "$jobs" -gt 1 ]; then  # fork mode: the final stats are the last job's alone
        runs=$(grep -o '^#[0-9]*:' "$log" | tail -1 | tr -d '#:')
    else
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    fi
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    elapsed=$(( $(date +%s) - started ))
    [ "$status" = 0 ] && elapsed=$seconds
    echo "$(date -u +%FT%TZ) $target $elapsed ${runs:-0} ${cov:-0}$([ "$status" = 0 ] || echo " stopped")" >> "$build/executions.log"
    if [ "$status" != 0 ]; then
        tail -80 "$log"
        echo "FAIL $target (see $log)"
        exit 1
    fi
    echo "$target $seconds s: ${runs:-?} executions, coverage ${cov:-?}"
done

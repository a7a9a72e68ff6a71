// Keccak-256 (KECCAK256 opcode, storage-key hashing, trie): time and throughput for a word,
// a typical memory slice and a large input. Run with
//   build/bench/bench_keccak --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "crypto/keccak.hpp"

#include <benchmark/benchmark.h>

using namespace polyvm;

namespace {

void BM_keccak256(benchmark::State& state) {
    const bytes data(static_cast<size_t>(state.range(0)), 0xa5);
    for (auto _ : state) benchmark::DoNotOptimize(keccak256(data));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_keccak_f1600(benchmark::State& state) {
    uint64_t lanes[25] = {1};
    for (auto _ : state) {
        keccak_f1600(lanes);
        benchmark::DoNotOptimize(lanes);
    }
}

}  // namespace

BENCHMARK(BM_keccak256)->Arg(32)->Arg(64)->Arg(1024)->Arg(1 << 20);
BENCHMARK(BM_keccak_f1600);

// Keccak-256 (KECCAK256 opcode, storage-key hashing, trie): time and throughput for a word,
// a typical memory slice and a large input, and the bare permutation: the one keccak_f1600
// dispatches to (AVX-512 or BMI2 where the CPU has it) beside the portable scalar, BMI2 and
// AVX-512 ones called directly. Run with
//   build/bench/bench_keccak --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
// and with POLYVM_KECCAK=scalar in the environment for keccak256 on the scalar permutation.
#include "crypto/keccak.hpp"

#include <benchmark/benchmark.h>

using namespace polyvm;

namespace {

void BM_keccak256(benchmark::State& state) {
    const bytes data(static_cast<size_t>(state.range(0)), 0xa5);
    for (auto _ : state) benchmark::DoNotOptimize(keccak256(data));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

template <void (*Permutation)(uint64_t*) noexcept>
void run_permutation(benchmark::State& state) {
    uint64_t lanes[25] = {1};
    for (auto _ : state) {
        Permutation(lanes);
        benchmark::DoNotOptimize(lanes);
    }
}

void BM_keccak_f1600(benchmark::State& state) { run_permutation<keccak_f1600>(state); }

void BM_keccak_f1600_scalar(benchmark::State& state) { run_permutation<detail::keccak_f1600_scalar>(state); }

void BM_keccak_f1600_bmi2(benchmark::State& state) {
    if (!detail::keccak_f1600_bmi2_available()) {
        state.SkipWithError("this CPU lacks BMI1/BMI2");
        return;
    }
    run_permutation<detail::keccak_f1600_bmi2>(state);
}

void BM_keccak_f1600_avx512(benchmark::State& state) {
    if (!detail::keccak_f1600_avx512_available()) {
        state.SkipWithError("this CPU lacks AVX-512F/AVX-512VL");
        return;
    }
    run_permutation<detail::keccak_f1600_avx512>(state);
}

}  // namespace

BENCHMARK(BM_keccak256)->Arg(32)->Arg(64)->Arg(1024)->Arg(1 << 20);
BENCHMARK(BM_keccak_f1600);
BENCHMARK(BM_keccak_f1600_scalar);
BENCHMARK(BM_keccak_f1600_bmi2);
BENCHMARK(BM_keccak_f1600_avx512);

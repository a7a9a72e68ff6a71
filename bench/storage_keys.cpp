// Storage maps under attacker-chosen keys (issue 8): 7,000 slots written and read back through
// the State, once with keys built to collide under an unkeyed hash (i | i << 128, which XOR-style
// hashes map to one value) and once with random keys. With the keyed hash both run alike. Run with
//   build/bench/bench_storage_keys --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "state/state.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace polyvm;

namespace {
constexpr size_t kSlots = 7000;

std::vector<uint256> chosen_keys() {
    std::vector<uint256> keys;
    for (uint64_t i = 1; i <= kSlots; ++i) keys.push_back(uint256{i} | (uint256{i} << 128));
    return keys;
}

std::vector<uint256> random_keys() {
    std::mt19937_64 rng(42);
    std::vector<uint256> keys(kSlots);
    for (auto& k : keys)
        for (auto& w : k.w) w = rng();
    return keys;
}

void write_and_read(benchmark::State& bench, const std::vector<uint256>& keys) {
    Address contract;
    contract[19] = 1;
    for (auto _ : bench) {
        State state;
        for (const uint256& key : keys) {
            state.mark_storage_warm(contract, key);
            state.set_storage(contract, key, uint256{1});
        }
        uint64_t sum = 0;
        for (int round = 0; round < 10; ++round)
            for (const uint256& key : keys) sum += state.storage_value(contract, key).low64();
        benchmark::DoNotOptimize(sum);
    }
    bench.SetItemsProcessed(static_cast<int64_t>(bench.iterations() * keys.size() * 11));
}

void BM_StorageChosenKeys(benchmark::State& bench) { write_and_read(bench, chosen_keys()); }
void BM_StorageRandomKeys(benchmark::State& bench) { write_and_read(bench, random_keys()); }
}  // namespace

BENCHMARK(BM_StorageChosenKeys)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StorageRandomKeys)->Unit(benchmark::kMicrosecond);

// Block execution throughput (issue 8): generated chains of 20 blocks x 200 transactions (ETH
// transfers, ERC-20 transfers, a mix with read-only calls) imported into a fresh chain per
// iteration: validation, sender recovery, execution, receipts, roots and the database commit.
// The `Mgas/s` counter is the figure to compare. Run with
//   build/bench/bench_block_execution --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "chain/blockchain.hpp"
#include "tools/chain_generator.hpp"
#include "tools/database_factory.hpp"

#include <benchmark/benchmark.h>

#include <map>

using namespace polyvm;
using namespace polyvm::tools;

namespace {
const GeneratedChain& chain_for(Workload workload) {
    static std::map<Workload, GeneratedChain> cache;
    auto it = cache.find(workload);
    if (it == cache.end()) {
        ChainSpec spec;
        spec.workload = workload;
        spec.blocks = 20;
        spec.transactions_per_block = 200;
        spec.senders = 256;
        it = cache.emplace(workload, generate_chain(spec)).first;
    }
    return it->second;
}

void import_chain(benchmark::State& state, Workload workload, const std::string& backend) {
    const GeneratedChain& generated = chain_for(workload);
    const DatabaseFactory factory = database_factory(backend);
    for (auto _ : state) {
        state.PauseTiming();
        auto db = factory();
        Blockchain chain(*db, generated.genesis.config);
        if (chain.initialize(generated.genesis.header, generated.genesis.alloc)) state.SkipWithError("genesis");
        state.ResumeTiming();
        for (const bytes& block : generated.blocks)
            if (std::holds_alternative<BlockError>(chain.import_block(block))) state.SkipWithError("block rejected");
        state.PauseTiming();
        db.reset();
        state.ResumeTiming();
    }
    state.counters["Mgas/s"] = benchmark::Counter(static_cast<double>(generated.total_gas) / 1e6,
                                                  benchmark::Counter::kIsIterationInvariantRate);
    state.counters["tx/s"] = benchmark::Counter(static_cast<double>(generated.total_transactions),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
}  // namespace

BENCHMARK_CAPTURE(import_chain, transfers_memory, Workload::Transfers, "memory")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(import_chain, erc20_memory, Workload::Erc20, "memory")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(import_chain, mix_memory, Workload::Mix, "memory")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(import_chain, transfers_lmdb, Workload::Transfers, "lmdb")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(import_chain, erc20_lmdb, Workload::Erc20, "lmdb")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(import_chain, mix_lmdb, Workload::Mix, "lmdb")->Unit(benchmark::kMillisecond)->UseRealTime();

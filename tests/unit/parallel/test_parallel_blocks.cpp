// The parallel executor's proof of exactness on generated blocks: every workload of
// tools/block_workloads.hpp (Uniswap V2 from bench/fixtures/uniswap included), run hundreds of times with 2 to 8 threads and random delays injected
// into the workers, must give exactly the sequential executor's state root, receipts and gas.
// Built with ThreadSanitizer too (`make test-tsan`).
#include "tools/block_workloads.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace polyvm;
using namespace polyvm::tools;

namespace {

using Strategy = ParallelOptions::Strategy;

InMemoryBlockRun execute(const WorkloadBlock& block, unsigned threads, uint64_t delay_seed, size_t contention_window,
                           ParallelStatistics* statistics, bool transfer_credits = false, bool defer_balances = true,
                           Strategy strategy = Strategy::BlockStm) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.strategy = strategy;
    parallel.delay_seed = delay_seed;
    parallel.contention_window = contention_window;
    parallel.fold_transfer_credits = transfer_credits;
    parallel.defer_contract_balances = defer_balances;
    InMemoryBlockRun run = run_block_in_memory(block, parallel, statistics);
    if (!run.error.empty()) throw std::runtime_error("block rejected: " + run.error);
    return run;
}

class ParallelBlocks : public testing::TestWithParam<BlockWorkload> {};

TEST_P(ParallelBlocks, EveryScheduleGivesTheSequentialResult) {
    WorkloadSpec spec;
    spec.workload = GetParam();
    spec.transactions = 150;
    spec.seed = 7;
    spec.uniswap = load_uniswap_code(POLYVM_SOURCE_DIR "/bench/fixtures/uniswap");
    spec.uniswap_pools = 5;  // 30 swaps a pool: conflicts within a pool, none across
    const WorkloadBlock block = make_workload_block(spec);
    const InMemoryBlockRun sequential = execute(block, 1, 0, 0, nullptr);
    ASSERT_EQ(sequential.executed.included.size(), block.transactions.size()) << "the workload's block must be valid";

    ParallelStatistics statistics;
    size_t runs = 0;
    for (Strategy strategy : {Strategy::BlockStm, Strategy::Chunks})
    for (unsigned threads : {2u, 3u, 4u, 8u})
        // The chunks have fewer interleavings to explore (a helper early or late): half the seeds.
        for (uint64_t delay_seed = 0; delay_seed <= (strategy == Strategy::Chunks ? 5u : 10u); ++delay_seed) {
            // Half the runs never give up on contention, so the whole block goes through the
            // parallel path even when every transaction conflicts.
            const size_t window = delay_seed % 2 ? std::numeric_limits<size_t>::max() : 32;
            // Transfer credits in half the runs, across both windows; deferred contract balances
            // (the default) in two runs of three.
            const bool credits = delay_seed % 4 >= 2;
            const bool defer = delay_seed % 3 != 0;
            const InMemoryBlockRun parallel =
                execute(block, threads, delay_seed, window, &statistics, credits, defer, strategy);
            ++runs;
            ASSERT_EQ(block_run_differences(sequential, parallel), "")
                << workload_name(GetParam()) << ", " << threads << " threads, delay seed " << delay_seed
                << (strategy == Strategy::Chunks ? ", chunks" : ", Block-STM")
                << (credits ? ", transfer credits" : "") << (defer ? ", deferred balances" : "");
        }
    EXPECT_EQ(runs, 68u);
    // The parallel executor did commit transactions itself (not only the sequential fallback).
    EXPECT_GT(statistics.committed, runs * block.transactions.size() / 4);
    std::cout << workload_name(GetParam()) << ": " << runs << " runs, " << statistics.committed << " committed, "
              << statistics.reexecutions << " re-executed, " << statistics.speculative_executions
              << " speculative executions, " << statistics.chunks_taken_over << " chunks taken over\n";
}

INSTANTIATE_TEST_SUITE_P(Workloads, ParallelBlocks,
                         testing::Values(BlockWorkload::RawTransfers, BlockWorkload::Erc20Transfers,
                                         BlockWorkload::TransfersContended, BlockWorkload::Erc20Contended,
                                         BlockWorkload::MixedContended, BlockWorkload::UniswapSwaps,
                                         BlockWorkload::UniswapContended, BlockWorkload::Deployments),
                         [](const auto& info) { return std::string(workload_name(info.param)); });

TEST(ParallelBlocks, ContendedTransactionsAreReexecutedAndIndependentOnesAreNot) {
    WorkloadSpec spec;
    spec.transactions = 200;
    spec.workload = BlockWorkload::Erc20Transfers;
    ParallelStatistics independent;
    execute(make_workload_block(spec), 2, 0, std::numeric_limits<size_t>::max(), &independent);
    EXPECT_EQ(independent.committed, 200u);
    EXPECT_EQ(independent.reexecutions, 0u) << "distinct holders and the deferred coinbase fee leave nothing to conflict";

    spec.workload = BlockWorkload::Deployments;  // shared senders, a contended counter, coinbase reads
    ParallelStatistics dependent;
    execute(make_workload_block(spec), 2, 3, std::numeric_limits<size_t>::max(), &dependent);
    EXPECT_GT(dependent.reexecutions, 0u);
}

TEST(ParallelBlocks, TransferCreditsRemoveThePopularRecipientsConflicts) {
    WorkloadSpec spec;
    spec.transactions = 300;
    spec.workload = BlockWorkload::TransfersContended;  // every transfer pays one account
    const WorkloadBlock block = make_workload_block(spec);
    const InMemoryBlockRun sequential = execute(block, 1, 0, 0, nullptr);
    const size_t never = std::numeric_limits<size_t>::max();
    ParallelStatistics reading, crediting;
    for (uint64_t delay_seed = 1; delay_seed <= 4; ++delay_seed) {
        EXPECT_EQ(block_run_differences(sequential, execute(block, 2, delay_seed, never, &reading, false)), "");
        EXPECT_EQ(block_run_differences(sequential, execute(block, 2, delay_seed, never, &crediting, true)), "");
    }
    std::cout << "re-executions in 4 runs: " << reading.reexecutions << " reading the recipient, "
              << crediting.reexecutions << " crediting it\n";
    EXPECT_EQ(crediting.committed, 4 * 300u);
    // Only transfers that ran before the recipient's first write read it; the rest credit it.
    // (How many conflict without credits depends on how far the workers ran ahead.)
    EXPECT_LT(crediting.reexecutions, 4 * 8u);
    EXPECT_LE(crediting.reexecutions, reading.reexecutions);
}

TEST(ParallelBlocks, DeferredBalancesRemoveTheConflictsOnWeth) {
    // Every swapExactETHForTokens pays ETH into WETH: without deferral each swap reads and writes
    // WETH's balance, so swaps over different pools conflict on it.
    WorkloadSpec spec;
    spec.transactions = 200;
    spec.workload = BlockWorkload::UniswapSwaps;
    spec.uniswap = load_uniswap_code(POLYVM_SOURCE_DIR "/bench/fixtures/uniswap");
    spec.uniswap_pools = 100;
    const WorkloadBlock block = make_workload_block(spec);
    const InMemoryBlockRun sequential = execute(block, 1, 0, 0, nullptr);
    const size_t never = std::numeric_limits<size_t>::max();
    ParallelStatistics reading, deferring;
    for (uint64_t delay_seed = 1; delay_seed <= 3; ++delay_seed) {
        EXPECT_EQ(block_run_differences(sequential, execute(block, 2, delay_seed, never, &reading, false, false)), "");
        EXPECT_EQ(block_run_differences(sequential, execute(block, 2, delay_seed, never, &deferring, false, true)), "");
    }
    std::cout << "re-executions in 3 runs: " << reading.reexecutions << " reading WETH's balance, "
              << deferring.reexecutions << " deferring it\n";
    EXPECT_EQ(deferring.committed, 3 * 200u);
    // What conflicts is left: swaps in the same pool (two of 200 in a row, now and then).
    EXPECT_LT(deferring.reexecutions * 4, reading.reexecutions);
}

// The chunked strategy: on independent transactions the helpers' runs are taken over whole; on
// a block where every transaction pays one account, never (the second run read that account
// before the first changed it), and the result is still the sequential one.
TEST(ParallelBlocks, IndependentChunksAreTakenOverAndConflictingOnesAreNot) {
    WorkloadSpec spec;
    spec.transactions = 400;
    spec.workload = BlockWorkload::Erc20Transfers;
    WorkloadBlock block = make_workload_block(spec);
    ParallelStatistics independent;
    for (int run = 0; run < 5; ++run)
        EXPECT_EQ(block_run_differences(execute(block, 1, 0, 0, nullptr),
                                        execute(block, 2, 0, 32, &independent, false, true, Strategy::Chunks)), "");
    EXPECT_EQ(independent.committed, 5 * 400u);
    EXPECT_EQ(independent.reexecutions, 0u);
    // A helper that starts late finds its chunk abandoned (Block-STM then runs it): not every time.
    EXPECT_GE(independent.chunks_taken_over, 1u);

    spec.workload = BlockWorkload::TransfersContended;
    block = make_workload_block(spec);
    ParallelStatistics contended;
    for (unsigned threads : {2u, 3u, 4u})
        EXPECT_EQ(block_run_differences(execute(block, 1, 0, 0, nullptr),
                                        execute(block, threads, 0, 32, &contended, false, true, Strategy::Chunks)), "");
    EXPECT_EQ(contended.chunks_taken_over, 0u);
}

// A block whose runs conflict is handed to Block-STM when a probe early in the first run finds
// a helper's read already overtaken (here the recipient's balance), not after the whole run.
TEST(ParallelBlocks, ConflictingChunksAreFoundBeforeTheFirstRunEnds) {
    WorkloadSpec spec;
    spec.transactions = 400;
    spec.workload = BlockWorkload::TransfersContended;
    const WorkloadBlock block = make_workload_block(spec);
    const InMemoryBlockRun sequential = execute(block, 1, 0, 0, nullptr);
    ParallelStatistics statistics;
    constexpr int kRuns = 5;
    for (int run = 0; run < kRuns; ++run)
        EXPECT_EQ(block_run_differences(sequential, execute(block, 2, 0, 32, &statistics, false, true, Strategy::Chunks)), "");
    EXPECT_EQ(statistics.chunks_taken_over, 0u);
    // A helper that a loaded machine starts late has read nothing by the probes: not every run.
    EXPECT_GE(statistics.conflicts_found_early, 1u);
    EXPECT_LE(statistics.conflicts_found_early, static_cast<size_t>(kRuns));
}

TEST(ParallelBlocks, HeavyContentionHandsTheRestToTheSequentialExecutor) {
    WorkloadSpec spec;
    spec.transactions = 400;
    spec.workload = BlockWorkload::Erc20Contended;
    const WorkloadBlock block = make_workload_block(spec);
    ParallelStatistics statistics;
    const InMemoryBlockRun parallel = execute(block, 2, 5, 32, &statistics);
    EXPECT_EQ(block_run_differences(execute(block, 1, 0, 0, nullptr), parallel), "");
    if (statistics.reexecutions * 3 > statistics.committed) {
        EXPECT_TRUE(statistics.stopped_for_contention);
        EXPECT_LT(statistics.committed, block.transactions.size());
    }
}

}  // namespace

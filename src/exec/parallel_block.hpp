// What a parallel run of a block's transactions works on, shared by both strategies
// (parallel_executor.cpp's Block-STM, chunked_executor.cpp's chunks).
#pragma once

#include "exec/parallel_executor.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace polyvm::detail {

/// The stress test's random yields and sleeps on one worker (ParallelOptions::delay_seed; none
/// when it is 0), a sequence of its own for each worker.
class DelayInjector {
public:
    DelayInjector(uint64_t seed, unsigned worker) : enabled_(seed != 0), random_(seed * 1000003 + worker) {}

    /// Block-STM, before an execution: now and then a yield, rarely a sleep.
    void maybe_delay() {
        if (!enabled_) return;
        const uint32_t draw = random_() % 64;
        if (draw < 6)
            std::this_thread::yield();
        else if (draw == 6)
            std::this_thread::sleep_for(std::chrono::microseconds(20 + random_() % 200));
    }

    /// A chunk's helper, before it claims a chunk: a third of the time up to 400 us late, so that
    /// the calling thread abandons the chunk to Block-STM.
    void maybe_arrive_late() {
        if (enabled_ && random_() % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(random_() % 400));
    }

private:
    bool enabled_;
    std::mt19937_64 random_;
};

struct ParallelBlock {
    ParallelBlock(State& state, const BlockInfo& block, std::span<const Transaction> transactions, Revision rev,
                  const uint256& chain_id, const ExecutionOptions& exec_options, const ParallelCommitHooks& hooks)
        : state(state), block(block), transactions(transactions), rev(rev), chain_id(chain_id),
          exact_options(exec_options), speculative_options(exec_options), hooks(hooks) {
        speculative_options.defer_coinbase_payment = true;
    }

    /// Transaction `index` on `on`: exactly as the sequential executor runs it, or speculatively
    /// (the coinbase's fee deferred: ExecutionOptions::defer_coinbase_payment).
    TransactionOutcome execute(State& on, size_t index, bool speculative) const {
        return execute_transaction(on, block, transactions[index], rev, chain_id,
                                   speculative ? speculative_options : exact_options);
    }

    State& state;  // the block's State: only the committing thread changes it
    const BlockInfo& block;
    std::span<const Transaction> transactions;
    Revision rev;
    uint256 chain_id;
    ExecutionOptions exact_options;
    ExecutionOptions speculative_options;
    const ParallelCommitHooks& hooks;
};

}  // namespace polyvm::detail

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

/// The fees a parallel run owes the block's coinbase (their payment waits while transactions run
/// speculatively: ExecutionOptions::defer_coinbase_payment), credited to the block's State as
/// crediting each after its transaction would leave it. A fee that leaves the coinbase non-empty
/// only adds up: what is owed reaches the State in one credit (flush). A credit that leaves it
/// empty (a zero fee while it holds nothing) is a touch that EIP-158 turns into a deletion: that
/// one goes to the State at once, after what was owed before it.
class DeferredCoinbaseFees {
public:
    DeferredCoinbaseFees(State& state, const Address& coinbase, Revision rev)
        : state_(state), coinbase_(coinbase), rev_(rev) {}

    /// `empty_after`: whether the coinbase, with what is owed and this fee, is an empty account.
    void credit(const uint256& fee, bool empty_after) {
        if (!empty_after) {
            owed_ += fee;
            any_owed_ = true;
            return;
        }
        flush();
        state_.add_balance(coinbase_, fee);
        state_.finalize_transaction(rev_ >= Revision::SpuriousDragon);
    }
    /// Whether the coinbase would be empty after `fee`, from the block's State and what is owed.
    bool empty_after(const uint256& fee) const {
        if (!(owed_ + fee).is_zero()) return false;
        const Account* account = state_.find(coinbase_);
        return !account || account->is_empty();
    }
    void flush() {
        if (!any_owed_) return;
        state_.add_balance(coinbase_, owed_);
        state_.finalize_transaction(rev_ >= Revision::SpuriousDragon);
        owed_ = {};
        any_owed_ = false;
    }

private:
    State& state_;
    Address coinbase_;
    Revision rev_;
    uint256 owed_;
    bool any_owed_ = false;  // even a zero fee touches the account
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

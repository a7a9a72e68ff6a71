// What a parallel run of a block's transactions works on, shared by both strategies
// (parallel_executor.cpp's Block-STM, chunked_executor.cpp's chunks).
#pragma once

#include "exec/parallel_executor.hpp"

namespace polyvm::detail {

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

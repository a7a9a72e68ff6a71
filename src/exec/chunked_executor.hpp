// Parallel execution in contiguous chunks, for a few threads: the block is cut into one run of
// transactions per thread. The calling thread executes the first run on the block's State
// itself, exactly as the sequential executor does; each helper executes a later run on a State
// of its own, over the state before the transactions, recording every account and slot it reads
// from there. Then, in order, a run whose reads all hold in the block's State after the runs
// before it is taken over whole (State::absorb), its fees credited to the coinbase; the first run
// that read something an earlier run changed (or the coinbase, or EIP-7610's storage question)
// ends the chunked part: the transactions from there on are left to the caller.
//
// On independent transactions this costs little beyond sequential execution per thread (no
// multi-version memory, no per-transaction validation or commit); on a dependent block at most
// the helpers' runs are wasted, and the calling thread has lost nothing. Block-STM
// (parallel_executor.hpp) takes over what is left, so contended blocks keep its finer grain.
#pragma once

#include "exec/parallel_executor.hpp"

namespace polyvm::detail {

/// Runs the chunks as above; same contract as execute_transactions_in_parallel. Sets
/// `conflicted` when it stopped because a chunk's reads did not hold (the rest may still run in
/// parallel), not because of a transaction that `admit` refused or that is invalid.
size_t execute_transactions_in_chunks(State& state, const BlockInfo& block, std::span<const Transaction> transactions,
                                      Revision rev, const uint256& chain_id, const ExecutionOptions& exec_options,
                                      const ParallelOptions& options, const ParallelCommitHooks& hooks,
                                      ParallelStatistics* statistics, bool& conflicted);

}  // namespace polyvm::detail

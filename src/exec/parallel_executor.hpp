// Parallel execution of a block's transactions (in the manner of Block-STM, Gelbashvili et al.,
// PPoPP 2023), always with exactly the sequential result.
//
// Workers execute transactions speculatively, each on a private State over a view that sees the
// writes of lower-indexed transactions already executed (multi_version_memory.hpp) and otherwise
// the committed state, recording every value read. Transactions commit in index order: a
// transaction whose reads all equal the committed state's values is applied as it ran; any other
// is executed again on the committed state itself, which is sequential execution. The coinbase's
// fee is credited at commit (ExecutionOptions::defer_coinbase_payment), so that the coinbase does
// not make every transaction depend on the one before it; the fees that leave it non-empty add
// up and reach the committed state once. docs/architecture.md has the design.
#pragma once

#include "exec/transaction_execution.hpp"

#include <cstdint>
#include <functional>
#include <span>

namespace polyvm {

struct ParallelOptions {
    unsigned threads = 1;
    /// How the block is shared out among the threads. Chunks: one contiguous run of transactions
    /// per thread, each taken over whole if what it read still holds (chunked_executor.hpp),
    /// then Block-STM for the rest after a conflict. BlockStm: transaction by transaction from
    /// the start. Auto: Chunks up to kChunkedThreadsMaximum threads, where the serial take-over
    /// of the runs is small beside them, else BlockStm.
    enum class Strategy { Auto, Chunks, BlockStm } strategy = Strategy::Auto;
    static constexpr unsigned kChunkedThreadsMaximum = 4;
    /// Testing: when non-zero, workers yield and sleep at random points drawn from this seed, so
    /// that repeated runs explore other interleavings.
    uint64_t delay_seed = 0;
    /// After this many commits, a block whose commits needed more than a third re-executed is
    /// heavily dependent: the rest runs sequentially (never much slower than sequential).
    size_t contention_window = 32;
    /// A plain value transfer to a codeless recipient that other transactions of the block write
    /// reads only the recipient's lack of code, and its credit is added at commit: transfers to
    /// one popular account then do not depend on each other. Off by default: with today's
    /// committer such a transfer costs more in parallel than sequentially (docs/performance.md),
    /// so a block of them is better left to the contention rule, which hands it to the
    /// sequential executor.
    bool fold_transfer_credits = false;
    /// A speculative execution leaves out the balance of an account with code that other
    /// transactions of the block write (not its sender's, not the coinbase's) until it observes
    /// it (BALANCE, SELFBALANCE, a transfer out of it, SELFDESTRUCT); what it adds is added at
    /// commit. Swaps that all pay ETH into WETH then do not conflict on WETH's balance.
    bool defer_contract_balances = true;
};

struct ParallelStatistics {
    size_t speculative_executions = 0;
    size_t reexecutions = 0;       // commits whose speculative reads were stale (run again, sequentially)
    size_t committed = 0;          // transactions committed by the parallel executor
    bool stopped_for_contention = false;
    size_t chunks_taken_over = 0;  // runs of the chunked strategy committed whole
    size_t conflicts_found_early = 0;  // chunked blocks handed to Block-STM by a probe, before the first run ended
};

/// What the block executor decides in index order, on the committing thread.
struct ParallelCommitHooks {
    /// Before transaction `index` runs on the committed state (its signature, the block's gas
    /// budget): false stops the parallel run there.
    std::function<bool(size_t index)> admit;
    /// Transaction `index` has been applied to the state with this exact outcome.
    std::function<void(size_t index, TransactionOutcome&& outcome)> committed;
    /// Optional: work on an outcome that the workers can share (a receipt's bloom), called by
    /// the thread that executed transaction `index`, for each execution, before its commit.
    std::function<void(size_t index, const TransactionOutcome& outcome)> prepare;
};

/// Executes `transactions` (senders recovered) on `state` with `options.threads` threads (the
/// calling one included) and commits them in order through `hooks`. Stops at the first
/// transaction that `admit` refuses or that is invalid against the state (its rejection is left
/// for the caller's sequential path to report), or when contention makes parallelism a loss.
/// Returns the number of transactions committed: `state` is then exactly the state sequential
/// execution reaches after them. `exec_options.tracer` must be null.
size_t execute_transactions_in_parallel(State& state, const BlockInfo& block, std::span<const Transaction> transactions,
                                        Revision rev, const uint256& chain_id, const ExecutionOptions& exec_options,
                                        const ParallelOptions& options, const ParallelCommitHooks& hooks,
                                        ParallelStatistics* statistics = nullptr);

}  // namespace polyvm

// Executes the body of one block on a State: the start-of-block system calls (EIP-4788,
// EIP-2935), the transactions with the block's gas and blob-gas budgets, the withdrawals
// (EIP-4895) and the requests (EIP-6110, 7002, 7251). Used by block import and by t8n, which
// differ only in what an invalid transaction does (it invalidates a block; t8n skips it).
#pragma once

#include "chain/block.hpp"
#include "chain/chain_config.hpp"
#include "chain/receipt.hpp"
#include "exec/block_info.hpp"
#include "exec/parallel_executor.hpp"
#include "state/state.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace polyvm {

class Tracer;

/// Everything of a block that its execution needs besides the transactions.
struct BlockEnvironment {
    BlockInfo info;      // what the code sees and the block's limits
    Revision revision = Revision::Cancun;
    Hash32 parent_hash;  // EIP-2935
    std::optional<Hash32> parent_beacon_block_root;  // EIP-4788
    const std::vector<Withdrawal>* withdrawals = nullptr;  // nullptr before Shanghai
};

/// The environment a header implies under `config`.
BlockEnvironment block_environment(const BlockHeader& header, const ChainConfig& config);

struct RejectedTransaction {
    size_t index = 0;
    std::string rule;  // execution-spec-tests name, without the class prefix
    std::string detail;
};

struct ExecutedBlock {
    std::vector<Receipt> receipts;  // one per included transaction
    std::vector<size_t> included;   // indices of the included transactions
    std::vector<RejectedTransaction> rejected;  // only with skip_invalid_transactions
    uint64_t gas_used = 0;
    uint64_t blob_gas_used = 0;
    Bloom logs_bloom;
    std::vector<bytes> requests;    // EIP-7685, Prague on
    std::vector<TransactionOutcome> outcomes;  // of the included transactions
    /// With BlockExecutionOptions::history_call_after_transactions: a transaction read the
    /// history contract's slot of the parent's hash (EIP-2935).
    bool parent_hash_slot_read = false;
};

struct BlockExecutionOptions {
    /// t8n: an invalid transaction is reported and skipped; otherwise it invalidates the block.
    bool skip_invalid_transactions = false;
    /// t8n: an EIP-7002/7251 queue contract without code yields no requests (geth's t8n) instead
    /// of invalidating the block, so pre-states without the predeploys can run under Prague.
    bool allow_missing_request_contracts = false;
    /// The transactions carry their senders already (a development node recovers them when they
    /// arrive, and impersonated ones have no signature): no recovery.
    bool senders_known = false;
    /// Transactions whose sender may have code (ExecutionOptions::allow_sender_code): a
    /// development node's from impersonated contracts. They run on the sequential path.
    std::function<bool(const Transaction& tx)> sender_code_allowed;
    /// A tracer for the transaction at this index (EIP-3155), or nullptr.
    std::function<Tracer*(size_t index, const Transaction& tx)> tracer_for;
    /// Before Byzantium a receipt holds the state root after its transaction: the caller
    /// computes it (the State alone cannot).
    std::function<Hash32(State& state)> intermediate_root;
    /// Parallel execution (exec/parallel_executor.hpp) with `parallel.threads` > 1, for blocks of
    /// at least `parallel_min_transactions` transactions from Byzantium on without a tracer: the
    /// result is the sequential one. Below the minimum a thread costs more than it can save.
    ParallelOptions parallel;
    size_t parallel_min_transactions = 16;
    /// Accumulates what the parallel executor did, when set.
    ParallelStatistics* parallel_statistics = nullptr;
    /// The EIP-2935 call (the parent's hash into the history contract) after the transactions
    /// instead of before them, with the environment's parent hash, which may then be a stand-in:
    /// a development node executes a block before its parent's hash is known and writes the
    /// hash in afterwards. The result is the block's when no transaction read that slot
    /// (ExecutedBlock::parent_hash_slot_read): the call writes only that slot. Sequential only.
    bool history_call_after_transactions = false;
};

/// Recovers the senders, then runs the block. Transactions keep their senders afterwards.
BlockResult<ExecutedBlock> execute_block_body(State& state, const BlockEnvironment& env,
                                              std::vector<Transaction>& transactions, const ChainConfig& config,
                                              const BlockExecutionOptions& options = {});

}  // namespace polyvm

#include "chain/block_executor.hpp"

#include "exec/system_contracts.hpp"

#include <thread>

namespace polyvm {

BlockEnvironment block_environment(const BlockHeader& header, const ChainConfig& config) {
    BlockEnvironment env;
    env.revision = config.revision_at(header.timestamp);
    BlockInfo& info = env.info;
    info.number = header.number;
    info.timestamp = header.timestamp;
    info.gas_limit = header.gas_limit;
    info.coinbase = header.coinbase;
    info.difficulty = header.difficulty;
    if (env.revision >= Revision::Paris) info.prev_randao = header.mix_hash;  // EIP-4399
    info.base_fee = header.base_fee_per_gas.value_or(uint256{});
    info.excess_blob_gas = header.excess_blob_gas.value_or(0);
    info.blob_schedule = config.blob_schedule(env.revision);
    env.parent_hash = header.parent_hash;
    env.parent_beacon_block_root = header.parent_beacon_block_root;
    return env;
}

namespace {
/// Recovers every sender (the costliest step of a block of simple transactions: ~45 µs each) on
/// up to hardware_concurrency threads. Each transaction is touched by one thread only, and the
/// libsecp256k1 context is shared read-only. Results are in transaction order, so the outcome
/// does not depend on the number of threads.
std::vector<std::optional<TransactionError>> recover_senders(std::vector<Transaction>& transactions, Revision rev) {
    std::vector<std::optional<TransactionError>> errors(transactions.size());
    auto recover_range = [&](size_t first, size_t step) {
        for (size_t i = first; i < transactions.size(); i += step) {
            auto sender = recover_sender(transactions[i], rev);
            if (auto* e = std::get_if<TransactionError>(&sender)) errors[i] = std::move(*e);
        }
    };
    constexpr size_t kMinPerThread = 16;  // below this a thread costs more than it saves
    const size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                            std::max<size_t>(1, transactions.size() / kMinPerThread));
    std::vector<std::thread> workers;
    for (size_t t = 1; t < threads; ++t) workers.emplace_back(recover_range, t, threads);
    recover_range(0, threads);
    for (std::thread& w : workers) w.join();
    return errors;
}

/// The checks a block adds to a transaction's own (execution-specs `check_transaction`): run
/// after the stateless ones and before the sender's, in the specification's order.
std::optional<TransactionError> check_block_budget(const Transaction& tx, const ExecutedBlock& block,
                                                   const BlockEnvironment& env) {
    if (tx.gas_limit > env.info.gas_limit - block.gas_used)
        return TransactionError{"GAS_ALLOWANCE_EXCEEDED", "transaction gas limit above the gas left in the block"};
    if (const auto schedule = env.info.blob_schedule) {
        const uint64_t blob_count = tx.blob_versioned_hashes.size();
        const uint64_t blob_gas = kGasPerBlob * blob_count;
        if (block.blob_gas_used + blob_gas > schedule->max * kGasPerBlob) {
            // Before Osaka the block's maximum is also the only limit on one transaction's blobs:
            // a transaction that alone exceeds it breaks both rules execution-spec-tests names
            // (invalid_block_blob_count names the first, test_invalid_tx_blob_count the second).
            // From Osaka (EIP-7594) the per-transaction limit is a rule of its own, checked later.
            if (env.revision < Revision::Osaka && blob_count > schedule->max)
                return TransactionError{"TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED|TYPE_3_TX_BLOB_COUNT_EXCEEDED",
                                        std::to_string(blob_count) + " blobs > the block's maximum of " + std::to_string(schedule->max)};
            return TransactionError{"TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", "blob gas above the block's maximum"};
        }
    }
    return std::nullopt;
}
}  // namespace

BlockResult<ExecutedBlock> execute_block_body(State& state, const BlockEnvironment& env,
                                              std::vector<Transaction>& transactions, const ChainConfig& config,
                                              const BlockExecutionOptions& options) {
    const Revision rev = env.revision;
    ExecutedBlock out;
    // The body reads the database thousands of times and commits nothing.
    const auto read_session = state.reader() ? state.reader()->read_session() : nullptr;

    apply_block_start_system_calls(state, env.info, rev, env.parent_beacon_block_root.value_or(Hash32{}),
                                   env.parent_hash, config.chain_id, !options.history_call_after_transactions);

    const uint256 blob_fee = env.info.blob_schedule ? blob_base_fee(env.info.excess_blob_gas,
                                                                    env.info.blob_schedule->base_fee_update_fraction)
                                                    : uint256{};
    std::vector<Log> block_logs;
    const std::vector<std::optional<TransactionError>> sender_errors =
        options.senders_known ? std::vector<std::optional<TransactionError>>(transactions.size())
                              : recover_senders(transactions, rev);
    out.receipts.reserve(transactions.size());
    out.included.reserve(transactions.size());
    out.outcomes.reserve(transactions.size());
    // A transaction's receipt, once its outcome is final (in either executor). `bloom`: its
    // logs' bloom when a worker of the parallel executor computed it already.
    auto include = [&](size_t i, const Transaction& tx, TransactionOutcome&& outcome, const Bloom* bloom = nullptr) {
        out.gas_used += static_cast<uint64_t>(outcome.gas_used);
        out.blob_gas_used += kGasPerBlob * tx.blob_versioned_hashes.size();
        Receipt receipt;
        receipt.type = tx.type;
        receipt.success = outcome.status == Status::Success;
        if (rev < Revision::Byzantium && options.intermediate_root) receipt.post_state_root = options.intermediate_root(state);
        receipt.cumulative_gas_used = out.gas_used;
        receipt.logs = outcome.logs;
        receipt.logs_bloom = bloom ? *bloom : logs_bloom(receipt.logs);
        merge_bloom(out.logs_bloom, receipt.logs_bloom);
        block_logs.insert(block_logs.end(), outcome.logs.begin(), outcome.logs.end());
        out.receipts.push_back(std::move(receipt));
        out.included.push_back(i);
        out.outcomes.push_back(std::move(outcome));
    };
    TxValidationContext context;
    context.chain_id = config.chain_id;
    if (env.info.blob_schedule) context.max_blobs_per_block = env.info.blob_schedule->max;
    ExecutionOptions exec_options;
    exec_options.wasm_contracts = config.wasm_contracts;

    // The parallel executor commits a prefix of the transactions; from the first one it does not
    // commit (an invalid transaction, heavy contention) the sequential loop below goes on, and
    // reports any error exactly as without it.
    size_t first_sequential = 0;
    if (options.parallel.threads > 1 && transactions.size() >= std::max<size_t>(1, options.parallel_min_transactions) &&
        rev >= Revision::Byzantium && !options.tracer_for && !options.history_call_after_transactions) {
        ParallelCommitHooks hooks;
        hooks.admit = [&](size_t i) {
            const Transaction& tx = transactions[i];
            return !sender_errors[i] && !validate_transaction_static(tx, rev, context) && !check_block_budget(tx, out, env) &&
                   !(options.sender_code_allowed && options.sender_code_allowed(tx));
        };
        std::vector<Bloom> blooms(transactions.size());  // each written by one worker, read at its commit
        hooks.prepare = [&](size_t i, const TransactionOutcome& outcome) { blooms[i] = logs_bloom(outcome.logs); };
        hooks.committed = [&](size_t i, TransactionOutcome&& outcome) {
            include(i, transactions[i], std::move(outcome), &blooms[i]);
        };
        first_sequential = execute_transactions_in_parallel(state, env.info, transactions, rev, config.chain_id,
                                                            exec_options, options.parallel, hooks,
                                                            options.parallel_statistics);
    }

    for (size_t i = first_sequential; i < transactions.size(); ++i) {
        Transaction& tx = transactions[i];
        auto reject = [&](const TransactionError& e) -> std::optional<BlockError> {
            if (options.skip_invalid_transactions) {
                out.rejected.push_back({i, e.rule, e.detail});
                return std::nullopt;
            }
            return transaction_error(e.rule, "transaction " + std::to_string(i) + ": " + e.detail);
        };
        if (const auto& e = sender_errors[i]) {
            if (auto err = reject(*e)) return *err;
            continue;
        }
        // The specification's order: up to Cancun the block's budget and the checks against the
        // state come before the transaction's own (intrinsic gas, ...); from Prague on after them.
        const bool code_allowed = options.sender_code_allowed && options.sender_code_allowed(tx);
        std::optional<TransactionError> error;
        if (rev < Revision::Prague) {
            error = check_block_budget(tx, out, env);
            if (!error) error = validate_transaction_against_state(state, env.info, tx, rev, blob_fee, true, !code_allowed);
            if (!error) error = validate_transaction_static(tx, rev, context);
        } else {
            error = validate_transaction_static(tx, rev, context);
            if (!error) error = check_block_budget(tx, out, env);
        }
        TransactionOutcome outcome;
        if (!error) {
            ExecutionOptions traced_options = exec_options;
            if (options.tracer_for) traced_options.tracer = options.tracer_for(i, tx);
            traced_options.allow_sender_code = code_allowed;
            outcome = execute_transaction(state, env.info, tx, rev, config.chain_id, traced_options);
            error = outcome.rejection;
        }
        if (error) {
            if (auto err = reject(*error)) return *err;
            continue;
        }
        include(i, tx, std::move(outcome));
    }

    if (options.history_call_after_transactions && rev >= Revision::Prague) {
        // A slot a transaction read stays in its account's storage map (State caches every read).
        const Account* history = state.find(kHistoryStorageAddress);
        out.parent_hash_slot_read = history && history->storage.contains(history_storage_slot(env.info.number));
        apply_history_system_call(state, env.info, rev, env.parent_hash, config.chain_id);
    }

    // EIP-4895: withdrawals credit Gwei amounts without gas; an account left empty is removed.
    if (env.withdrawals && rev >= Revision::Shanghai) {
        static const uint256 kWeiPerGwei{1'000'000'000};
        for (const Withdrawal& w : *env.withdrawals) state.add_balance(w.address, uint256{w.amount_gwei} * kWeiPerGwei);
        state.finalize_transaction(true);
    }

    if (rev >= Revision::Prague) {
        BlockRequests requests =
            collect_block_requests(state, env.info, rev, block_logs, config.chain_id, config.deposit_contract,
                                   options.allow_missing_request_contracts);
        if (requests.error) {
            const bool deposit = requests.error->find("deposit") != std::string::npos;
            const bool empty = requests.error->find("no code") != std::string::npos;
            return block_error(deposit ? "INVALID_DEPOSIT_EVENT_LAYOUT"
                               : empty ? "SYSTEM_CONTRACT_EMPTY"
                                       : "SYSTEM_CONTRACT_CALL_FAILED",
                               *requests.error);
        }
        out.requests = std::move(requests.requests);
    }
    return out;
}

}  // namespace polyvm

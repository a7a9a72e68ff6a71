#include "tools/state_runner.hpp"

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/parallel_executor.hpp"
#include "exec/transaction_execution.hpp"
#include "tools/exception_match.hpp"

#include <variant>

namespace polyvm::tools {

State build_pre_state(const std::vector<PreAccount>& pre) {
    State state;
    for (const PreAccount& a : pre) {
        Account acc;
        acc.nonce = a.nonce;
        acc.balance = a.balance;
        for (const auto& [key, value] : a.storage) acc.storage[key] = StorageSlot{.current = value, .original = value};
        Account& stored = state.put_account(a.address, std::move(acc));
        if (!a.code.empty()) state.set_code(stored, a.code);
    }
    return state;
}

MemoryDatabase build_pre_database(const std::vector<PreAccount>& pre, uint64_t number) {
    MemoryDatabase db;
    for (const PreAccount& a : pre) {
        AccountInfo info;
        info.nonce = a.nonce;
        info.balance = a.balance;
        db.put_account(a.address, info, a.code, a.storage);
    }
    for (uint64_t n = number > 256 ? number - 256 : 0; n < number; ++n)
        db.set_block_hash(n, keccak256(std::to_string(n)));
    return db;
}

namespace {

/// "RULE (detail)" for messages.
std::string describe(const TransactionError& e) { return e.rule + (e.detail.empty() ? "" : " (" + e.detail + ")"); }

/// Checks txbytes against the JSON fields: decoding must give the same transaction, and (when the
/// transaction is meant to be valid) the signature must recover the `sender`. Returns a problem.
std::optional<std::string> check_txbytes(const StateTestCase& c) {
    if (!c.txbytes) return std::nullopt;
    TxResult<Transaction> decoded = decode_transaction(*c.txbytes);
    if (auto* error = std::get_if<TransactionError>(&decoded)) {
        if (!c.expect_exception) return "txbytes do not decode: " + describe(*error);
        // An invalid encoding is how some cases express their expected exception: the decoder
        // must then reject it for that reason too.
        if (!exception_matches(*c.expect_exception, error->rule))
            return "txbytes rejected for another rule: got " + describe(*error) + ", expected " + *c.expect_exception;
        return std::nullopt;
    }
    // Fields that do not fit their type cannot be what txbytes decoded to.
    if (!c.tx) return "txbytes decode, but the transaction fields do not fit their types: " + c.tx_invalid_reason;
    Transaction& tx = std::get<Transaction>(decoded);
    if (auto diff = compare_transactions(*c.tx, tx)) return "txbytes differ from the transaction fields: " + *diff;
    if (c.expect_exception) return std::nullopt;
    TxResult<Address> sender = recover_sender(tx, c.revision);
    if (auto* error = std::get_if<TransactionError>(&sender))
        return "txbytes signature does not recover: " + error->rule;
    if (std::get<Address>(sender) != c.tx->sender)
        return "txbytes signed by " + to_hex_prefixed(std::get<Address>(sender)) + ", sender is " +
               to_hex_prefixed(c.tx->sender);
    return std::nullopt;
}

/// Whether the transaction was rejected as the case expects; returns the problem if not.
std::optional<std::string> judge_rejection(const std::optional<TransactionError>& rejection,
                                           const std::optional<std::string>& expected) {
    if (rejection && !expected) return "unexpected rejection: " + describe(*rejection);
    if (!rejection && expected) return "missing rejection (expected " + *expected + ")";
    // The kind of rejection decides too: a transaction refused for another rule than the one the
    // case is about would hide a missing or misplaced check.
    if (rejection && !exception_matches(*expected, rejection->rule))
        return "wrong rejection: got " + describe(*rejection) + ", expected " + *expected;
    return std::nullopt;
}

}  // namespace

namespace {
/// The transaction as a one-transaction block of the parallel executor; a transaction it does
/// not commit (an invalid one) runs sequentially, as the block executor does.
TransactionOutcome execute_in_parallel(State& state, const BlockInfo& block, const Transaction& tx, Revision rev,
                                       const uint256& chain_id, const ExecutionOptions& options, unsigned threads) {
    std::optional<TransactionOutcome> committed;
    ParallelCommitHooks hooks;
    hooks.admit = [](size_t) { return true; };
    hooks.committed = [&](size_t, TransactionOutcome&& outcome) { committed = std::move(outcome); };
    ParallelOptions parallel;
    parallel.threads = threads;
    if (execute_transactions_in_parallel(state, block, std::span(&tx, 1), rev, chain_id, options, parallel, hooks) == 1)
        return std::move(*committed);
    return execute_transaction(state, block, tx, rev, chain_id, options);
}
}  // namespace

CaseVerdict run_state_test_case(const StateTest& test, const StateTestCase& c, const ExecutionOptions& options,
                                unsigned parallel_threads) {
    const BlockInfo block = block_for(test, c.revision);
    MemoryDatabase db = build_pre_database(test.pre, block.number);
    State state(&db);
    std::optional<TransactionError> rejection;
    std::vector<Log> logs;
    if (!c.tx) {
        // A value that does not fit its type: no such transaction can exist, so it is invalid.
        rejection = TransactionError{c.tx_invalid_rule, c.tx_invalid_reason};
    } else {
        TransactionOutcome outcome =
            parallel_threads > 1
                ? execute_in_parallel(state, block, *c.tx, c.revision, test.chain_id, options, parallel_threads)
                : execute_transaction(state, block, *c.tx, c.revision, test.chain_id, options);
        if (outcome.used_unsupported_precompile) return {CaseResult::Skip, "calls unimplemented precompile"};
        rejection = std::move(outcome.rejection);
        logs = std::move(outcome.logs);
    }

    std::vector<std::string> problems;
    if (auto problem = judge_rejection(rejection, c.expect_exception)) problems.push_back(*problem);
    db.commit(state.changes());
    const Hash32 root = db.state_root();
    if (root != c.expected_state_root)
        problems.push_back("state root mismatch: got " + to_hex_prefixed(root) + ", expected " +
                           to_hex_prefixed(c.expected_state_root));
    const Hash32 lh = logs_hash(logs);
    if (lh != c.expected_logs_hash)
        problems.push_back("logs mismatch: got " + to_hex_prefixed(lh) + ", expected " +
                           to_hex_prefixed(c.expected_logs_hash));
    if (auto txbytes_problem = check_txbytes(c)) problems.push_back(*txbytes_problem);

    if (problems.empty()) return {CaseResult::Pass, {}};
    std::string reason = problems.front();
    for (size_t i = 1; i < problems.size(); ++i) reason += "; " + problems[i];
    return {CaseResult::Fail, reason};
}

}  // namespace polyvm::tools

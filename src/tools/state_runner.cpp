#include "tools/state_runner.hpp"

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/transaction_execution.hpp"

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

/// Checks txbytes against the JSON fields: decoding must give the same transaction, and (when the
/// transaction is meant to be valid) the signature must recover the `sender`. Returns a problem.
std::optional<std::string> check_txbytes(const StateTestCase& c) {
    if (!c.txbytes || !c.tx) return std::nullopt;
    TxResult<Transaction> decoded = decode_transaction(*c.txbytes);
    if (auto* error = std::get_if<TransactionError>(&decoded)) {
        // Invalid encodings are how some cases express their expected exception.
        if (c.expect_exception) return std::nullopt;
        return "txbytes do not decode: " + error->rule + (error->detail.empty() ? "" : " (" + error->detail + ")");
    }
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

}  // namespace

CaseVerdict run_state_test_case(const StateTest& test, const StateTestCase& c, const ExecutionOptions& options) {
    const BlockInfo block = block_for(test, c.revision);
    MemoryDatabase db = build_pre_database(test.pre, block.number);
    State state(&db);
    std::optional<std::string> rejection;  // "RULE (detail)"
    std::vector<Log> logs;
    if (!c.tx) {
        // A value that does not fit its type: no such transaction can exist, so it is invalid.
        rejection = "VALUE_OVERFLOW (" + c.tx_invalid_reason + ")";
    } else {
        const TransactionOutcome outcome =
            execute_transaction(state, block, *c.tx, c.revision, test.chain_id, options);
        if (outcome.used_unsupported_precompile) return {CaseResult::Skip, "calls unimplemented precompile"};
        if (outcome.rejection)
            rejection = outcome.rejection->rule +
                        (outcome.rejection->detail.empty() ? "" : " (" + outcome.rejection->detail + ")");
        logs = outcome.logs;
    }

    std::vector<std::string> problems;
    if (rejection && !c.expect_exception) problems.push_back("unexpected rejection: " + *rejection);
    if (!rejection && c.expect_exception) problems.push_back("missing rejection (expected " + *c.expect_exception + ")");
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

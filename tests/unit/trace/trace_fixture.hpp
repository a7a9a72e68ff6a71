// A small world for the tracer tests: a funded sender, a coinbase, contracts with hand-written
// bytecode, over a State on a MemoryDatabase (as the node runs them).
#pragma once

#include "common/hex.hpp"
#include "exec/transaction_execution.hpp"
#include "state/memory_database.hpp"
#include "trace/transaction_trace.hpp"

#include "unit/support/test_addresses.hpp"
#include "unit/support/test_block.hpp"

#include <memory>

namespace polyvm::test {

inline const Address kSender = addr(0xaa, 0x5e);
inline const Address kCoinbase = addr(0xcc, 0xc0);
inline const uint256 kSenderBalance = uint256{1'000'000'000'000'000'000ULL};
// Effective gas price of tx(): base fee 7 + tip min(2, 10 - 7) = 9; the coinbase gets the tip 2.
inline constexpr uint64_t kGasPrice = 9;
inline constexpr uint64_t kTip = 2;

inline bytes code(std::string_view hex) { return *from_hex(hex); }

struct TraceWorld {
    MemoryDatabase db;
    std::unique_ptr<State> state;

    TraceWorld() {
        AccountInfo sender;
        sender.balance = kSenderBalance;
        db.put_account(kSender, sender);
    }
    void contract(const Address& a, std::string_view hex_code, uint64_t balance = 0,
                  const std::vector<std::pair<uint256, uint256>>& storage = {}, uint64_t nonce = 1) {
        AccountInfo info;
        info.nonce = nonce;
        info.balance = balance;
        db.put_account(a, info, code(hex_code), storage);
    }
    State& fresh_state() {
        state = std::make_unique<State>(&db);
        return *state;
    }
    static BlockInfo block() { return test::simple_block(kCoinbase); }
    static Transaction tx(std::optional<Address> to, uint64_t gas = 100'000, uint64_t value = 0, bytes data = {}) {
        Transaction t;
        t.type = TransactionType::DynamicFee;
        t.chain_id = 1;
        t.max_fee_per_gas = 10;
        t.max_priority_fee_per_gas = 2;
        t.gas_price = 10;
        t.gas_limit = gas;
        t.to = to;
        t.value = value;
        t.data = std::move(data);
        t.sender = kSender;
        return t;
    }
    nlohmann::json trace(const Transaction& t, const nlohmann::json& options) {
        return trace::trace_transaction(fresh_state(), block(), t, Revision::Cancun, 1, options);
    }
    /// The same transaction without a tracer, on a fresh state: its receipt gas.
    int64_t gas_used_untraced(const Transaction& t) {
        State s(&db);
        return execute_transaction(s, block(), t, Revision::Cancun, 1).gas_used;
    }
};

inline std::string word(uint64_t v) {
    char buf[65];
    std::snprintf(buf, sizeof buf, "%064llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace polyvm::test

// EIP-7623 (Prague): the calldata floor. A transaction is charged at least 21000 + 10 per token
// (zero byte = 1 token, non-zero = 4), and its gas limit must cover that floor.
#include "exec/transaction_execution.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
const Address kSender = [] {
    Address a;
    a[19] = 0xaa;
    return a;
}();

BlockInfo block() {
    BlockInfo b;
    b.number = 1;
    b.gas_limit = 30'000'000;
    b.base_fee = 1;
    b.prev_randao = Hash32{};
    return b;
}

State pre() {
    State s;
    Account a;
    a.balance = uint256{1'000'000'000'000ULL};
    s.put_account(kSender, a);
    return s;
}

Transaction data_tx(size_t nonzero_bytes, uint64_t gas_limit) {
    Transaction tx;
    tx.type = TransactionType::DynamicFee;
    tx.chain_id = 1;
    tx.max_fee_per_gas = 1;
    tx.gas_price = 1;
    tx.gas_limit = gas_limit;
    Address to;
    to[19] = 0x77;  // an empty account: no code runs
    tx.to = to;
    tx.data = bytes(nonzero_bytes, 0xff);
    tx.sender = kSender;
    return tx;
}
}  // namespace

TEST(PragueEip7623, FloorFormula) {
    Transaction tx = data_tx(100, 100'000);
    tx.data.push_back(0);  // one zero byte: 1 token
    EXPECT_EQ(calldata_floor_gas(tx, Revision::Prague), 21000 + 10 * (400 + 1));
    EXPECT_EQ(calldata_floor_gas(tx, Revision::Cancun), 0);
}

TEST(PragueEip7623, GasUsedIsAtLeastTheFloor) {
    // 100 non-zero bytes: intrinsic 21000 + 1600 = 22600, floor 21000 + 4000 = 25000.
    State a = pre();
    auto out = execute_transaction(a, block(), data_tx(100, 100'000), Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(out.gas_used, 25000);
    EXPECT_EQ(a.find(kSender)->balance, uint256{1'000'000'000'000ULL - 25000});
    State b = pre();
    out = execute_transaction(b, block(), data_tx(100, 100'000), Revision::Cancun, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(out.gas_used, 22600);
}

TEST(PragueEip7623, GasLimitMustCoverTheFloor) {
    State s = pre();
    auto out = execute_transaction(s, block(), data_tx(100, 24'999), Revision::Prague, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "INTRINSIC_GAS_TOO_LOW");
    EXPECT_EQ(s.find(kSender)->nonce, 0u);
    out = execute_transaction(s, block(), data_tx(100, 25'000), Revision::Prague, 1);
    EXPECT_FALSE(out.rejection);
    // Before Prague the same limit is plenty.
    State c = pre();
    EXPECT_FALSE(execute_transaction(c, block(), data_tx(100, 24'999), Revision::Cancun, 1).rejection);
}

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/execution_host.hpp"
#include "exec/transaction_execution.hpp"

#include "unit/support/test_addresses.hpp"

#include "unit/support/test_block.hpp"
#include <gtest/gtest.h>

using namespace polyvm;
using polyvm::test::addr;

namespace {

const Address kSender = addr(0xaa);
const Address kCoinbase = addr(0xcc);

BlockInfo block() { return test::simple_block(kCoinbase); }

State funded_state(const uint256& balance = uint256{1'000'000'000'000ULL}) {
    State s;
    Account a;
    a.balance = balance;
    s.put_account(kSender, a);
    return s;
}

Transaction transfer(const Address& to, uint64_t value, uint64_t nonce = 0) {
    Transaction tx;
    tx.type = TransactionType::DynamicFee;
    tx.chain_id = 1;
    tx.nonce = nonce;
    tx.max_fee_per_gas = 10;
    tx.max_priority_fee_per_gas = 2;
    tx.gas_price = 10;
    tx.gas_limit = 100'000;
    tx.to = to;
    tx.value = value;
    tx.sender = kSender;
    return tx;
}
}  // namespace

TEST(TransactionExecution, ValueTransferPaysEffectivePriceAndTipsCoinbase) {
    State s = funded_state();
    const auto out = execute_transaction(s, block(), transfer(addr(0x51), 5000), Revision::Cancun, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(out.status, Status::Success);
    EXPECT_EQ(out.gas_used, 21000);
    // Effective price = base fee 7 + tip min(2, 10 - 7) = 9; only the tip reaches the coinbase.
    EXPECT_EQ(s.find(kSender)->balance, uint256{1'000'000'000'000ULL - 5000 - 21000 * 9});
    EXPECT_EQ(s.find(kSender)->nonce, 1u);
    EXPECT_EQ(s.find(addr(0x51))->balance, uint256{5000});
    EXPECT_EQ(s.find(kCoinbase)->balance, uint256{21000 * 2});
}

TEST(TransactionExecution, RejectionLeavesStateUntouched) {
    struct Case {
        const char* rule;
        Transaction tx;
    };
    std::vector<Case> cases;
    cases.push_back({"NONCE_MISMATCH_TOO_HIGH", transfer(addr(1), 1, 5)});
    Transaction poor = transfer(addr(1), 1);
    poor.value = uint256{1} << 200;
    cases.push_back({"INSUFFICIENT_ACCOUNT_FUNDS", poor});
    Transaction low_fee = transfer(addr(1), 1);
    low_fee.max_fee_per_gas = 6;  // below the base fee of 7
    low_fee.max_priority_fee_per_gas = 1;
    cases.push_back({"INSUFFICIENT_MAX_FEE_PER_GAS", low_fee});
    Transaction too_much_gas = transfer(addr(1), 1);
    too_much_gas.gas_limit = 40'000'000;
    cases.push_back({"GAS_ALLOWANCE_EXCEEDED", too_much_gas});
    Transaction low_gas = transfer(addr(1), 1);
    low_gas.gas_limit = 20'999;
    cases.push_back({"INTRINSIC_GAS_TOO_LOW", low_gas});

    for (const auto& c : cases) {
        State s = funded_state();
        const Hash32 before = s.root();
        const auto out = execute_transaction(s, block(), c.tx, Revision::Cancun, 1);
        ASSERT_TRUE(out.rejection) << c.rule;
        EXPECT_EQ(out.rejection->rule, c.rule);
        EXPECT_EQ(s.root(), before) << c.rule;
    }
}

TEST(TransactionExecution, SenderAtTheMaximumNonce) {  // EIP-2681
    // The transaction's nonce decides: the maximum itself is NONCE_IS_MAX, anything lower is too
    // low, as for any other sender (execution-specs: validate_transaction, check_transaction).
    State s = funded_state();
    s.find(kSender)->nonce = UINT64_MAX;
    const Hash32 before = s.root();
    auto out = execute_transaction(s, block(), transfer(addr(1), 1, UINT64_MAX), Revision::Cancun, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "NONCE_IS_MAX");
    out = execute_transaction(s, block(), transfer(addr(1), 1, 5), Revision::Cancun, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "NONCE_MISMATCH_TOO_LOW");
    EXPECT_EQ(s.root(), before);
}

TEST(TransactionExecution, SenderWithCodeIsRejected) {  // EIP-3607
    State s = funded_state();
    s.set_code(*s.find(kSender), bytes{0x00});
    const auto out = execute_transaction(s, block(), transfer(addr(1), 1), Revision::Cancun, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "SENDER_NOT_EOA");
}

TEST(TransactionExecution, CreationDeploysCodeAtTheDerivedAddress) {
    State s = funded_state();
    Transaction tx = transfer(addr(0), 0);
    tx.to.reset();
    tx.nonce = 0;
    tx.gas_limit = 200'000;
    // initcode: store 0x2a at memory[31] and return 1 byte of it: runtime code = 0x2a.
    tx.data = *from_hex("602a60005360016000f3");
    const auto out = execute_transaction(s, block(), tx, Revision::Cancun, 1);
    ASSERT_FALSE(out.rejection);
    ASSERT_EQ(out.status, Status::Success);
    const Address expected = create_address(kSender, 0);
    ASSERT_TRUE(out.created_address);
    EXPECT_EQ(*out.created_address, expected);
    const Account* created = s.find(expected);
    ASSERT_NE(created, nullptr);
    EXPECT_EQ(created->nonce, 1u);  // EIP-161
    EXPECT_EQ(bytes(created->code_view().begin(), created->code_view().end()), bytes{0x2a});
}

TEST(TransactionExecution, CreateAddressMatchesKnownVector) {
    // Widely published: the first contract of 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0.
    const Address sender = *address_from_hex("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    EXPECT_EQ(to_hex(create_address(sender, 0)), "cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    EXPECT_EQ(to_hex(create_address(sender, 1)), "343c43a37d37dff08ae8c4a11544c718abb4fcf8");
    // EIP-1014 example 0: address 0, salt 0, initcode 0x00.
    EXPECT_EQ(to_hex(create2_address(Address{}, Hash32{}, bytes{0x00})), "4d1a2e2bb4f88f0250f26ffff098b0b30b26bf38");
}

TEST(TransactionExecution, RefundIsCappedAtOneFifthFromLondon) {
    // Contract clears a pre-set slot: SSTORE(0, 0) earns 4800 refund (EIP-3529).
    for (Revision rev : {Revision::Berlin, Revision::London}) {
        State s = funded_state();
        Account c;
        c.storage[uint256{0}] = StorageSlot{1, 1};
        s.set_code(c, *from_hex("6000600055"));  // PUSH1 0 PUSH1 0 SSTORE
        s.put_account(addr(0x10), c);
        Transaction tx = transfer(addr(0x10), 0);
        if (rev < Revision::London) {
            tx.type = TransactionType::AccessList;
            tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = 10;
        }
        BlockInfo b = block();
        if (rev < Revision::London) b.base_fee = 0;
        const auto out = execute_transaction(s, b, tx, rev, 1);
        ASSERT_FALSE(out.rejection);
        ASSERT_EQ(out.status, Status::Success);
        // Execution: 3 + 3 + 2900 (SSTORE reset) + 2100 (cold slot) = 5006; total 26006.
        const int64_t used = 21000 + 5006;
        const int64_t refund = rev >= Revision::London ? std::min<int64_t>(4800, used / 5) : std::min<int64_t>(15000, used / 2);
        EXPECT_EQ(out.gas_used, used - refund) << revision_name(rev);
        EXPECT_TRUE(s.storage_value(addr(0x10), uint256{0}).is_zero());  // cleared (a zero slot is no slot in the trie)
    }
}

TEST(TransactionExecution, RevertedCallKeepsFeesButUndoesValue) {
    State s = funded_state();
    Account c;
    s.set_code(c, *from_hex("60006000fd"));  // REVERT(0, 0)
    s.put_account(addr(0x20), c);
    const auto out = execute_transaction(s, block(), transfer(addr(0x20), 1000), Revision::Cancun, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(out.status, Status::Revert);
    EXPECT_EQ(s.find(addr(0x20))->balance, uint256{0});
    EXPECT_EQ(s.find(kSender)->nonce, 1u);
    EXPECT_EQ(s.find(kSender)->balance, uint256{1'000'000'000'000ULL} - uint256{static_cast<uint64_t>(out.gas_used) * 9});
}

TEST(TransactionExecution, LogsHash) {
    // keccak256(rlp([])) = keccak256(0xc0)
    EXPECT_EQ(to_hex(logs_hash({})), "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    State s = funded_state();
    Account c;
    s.set_code(c, *from_hex("60ff60005360016000a0"));  // MSTORE8(0, 0xff); LOG0(0, 1)
    s.put_account(addr(0x30), c);
    const auto out = execute_transaction(s, block(), transfer(addr(0x30), 0), Revision::Cancun, 1);
    ASSERT_EQ(out.logs.size(), 1u);
    EXPECT_EQ(out.logs[0].address, addr(0x30));
    EXPECT_EQ(out.logs[0].data, bytes{0xff});
    // rlp([[address, [], 0xff]]) = c0+.. built by hand: list(list(0x94 ‖ addr, 0xc0, 0x81ff))
    bytes inner = {0x94};
    inner.insert(inner.end(), out.logs[0].address.bytes.begin(), out.logs[0].address.bytes.end());
    inner.push_back(0xc0);
    inner.push_back(0x81);
    inner.push_back(0xff);
    bytes log_rlp = {static_cast<uint8_t>(0xc0 + inner.size())};
    log_rlp.insert(log_rlp.end(), inner.begin(), inner.end());
    bytes list_rlp = {static_cast<uint8_t>(0xc0 + log_rlp.size())};
    list_rlp.insert(list_rlp.end(), log_rlp.begin(), log_rlp.end());
    EXPECT_EQ(logs_hash(out.logs), keccak256(list_rlp));
}

TEST(TransactionExecution, EmptyTouchedAccountsAreClearedFromSpuriousDragon) {
    for (Revision rev : {Revision::TangerineWhistle, Revision::SpuriousDragon}) {
        State s = funded_state();
        s.put_account(addr(0x40), Account{});  // empty account in the pre-state
        Transaction tx = transfer(addr(0x40), 0);
        tx.type = TransactionType::Legacy;
        tx.chain_id.reset();
        tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = 10;
        BlockInfo b = block();
        b.base_fee = 0;
        const auto out = execute_transaction(s, b, tx, rev, 1);
        ASSERT_FALSE(out.rejection);
        EXPECT_EQ(s.find(addr(0x40)) != nullptr, rev < Revision::SpuriousDragon) << revision_name(rev);
    }
}

TEST(BlobBaseFee, FakeExponentialMatchesIndependentComputation) {
    // Values from a direct Python evaluation of EIP-4844's fake_exponential.
    EXPECT_EQ(blob_base_fee(0, 3338477), uint256{1});
    EXPECT_EQ(blob_base_fee(3338477, 3338477), uint256{2});
    EXPECT_EQ(blob_base_fee(33384770, 3338477), uint256{22026});
    EXPECT_EQ(blob_base_fee(13107200, 3338477), uint256{50});
}

TEST(ExecuteCode, RunsBareCodeAndReportsGas) {
    State s;
    const bytes code = *from_hex("600160020160005260206000f3");  // return 1 + 2
    const auto out = execute_code(s, block(), Revision::Cancun, addr(0x61), addr(0x62), code, {}, 100000, 0);
    EXPECT_EQ(out.status, Status::Success);
    ASSERT_EQ(out.output.size(), 32u);
    EXPECT_EQ(out.output[31], 3);
    EXPECT_EQ(out.gas_used, 5 * 3 + 3 + 3 + 3);  // 5 pushes, ADD, MSTORE (3 + 3 for one memory word)
}

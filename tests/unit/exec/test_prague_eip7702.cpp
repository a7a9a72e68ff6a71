// EIP-7702 set-code transactions (Prague): authorization processing, delegation when calling,
// gas and refunds, and the transaction-level validity rules. Hand-built cases beside the
// execution-spec-tests fixtures, including every way an authorization tuple can be skipped.
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "evm/delegation.hpp"
#include "exec/transaction_execution.hpp"
#include "tx/transaction.hpp"

#include "unit/support/test_addresses.hpp"

#include "unit/support/test_block.hpp"
#include <gtest/gtest.h>

using namespace polyvm;
using polyvm::test::addr;

namespace {

const Address kSender = addr(0xaa);
const Address kCoinbase = addr(0xcc);
const Address kDelegate = addr(0xde);  // the code authorities delegate to
const Address kCaller = addr(0xca);    // a contract that CALLs the authority

Hash32 secret(uint8_t seed) {
    Hash32 h;
    h[31] = seed;
    h[0] = 0x11;
    return h;
}
const Hash32 kAuthoritySecret = secret(7);
const Address kAuthority = *address_from_secret_key(kAuthoritySecret);

BlockInfo block() { return test::simple_block(kCoinbase); }

bytes code(std::initializer_list<uint8_t> c) { return bytes(c); }

/// Pre-state: a funded sender, the delegate's code (SSTORE(0, 0x2a)), an authority with a balance
/// (so it exists), and the caller contract.
State pre_state(bool authority_exists = true) {
    State s;
    Account sender;
    sender.balance = uint256{1'000'000'000'000ULL};
    s.put_account(kSender, sender);
    Account delegate;
    s.set_code(delegate, code({0x60, 0x2a, 0x60, 0x00, 0x55, 0x00}));  // PUSH1 42 PUSH1 0 SSTORE STOP
    s.put_account(kDelegate, delegate);
    if (authority_exists) {
        Account auth;
        auth.balance = 1;
        s.put_account(kAuthority, auth);
    }
    return s;
}

Authorization authorization(const Address& target, uint64_t nonce, uint64_t chain_id = 1) {
    Authorization a;
    a.chain_id = chain_id;
    a.address = target;
    a.nonce = nonce;
    EXPECT_TRUE(sign_authorization(a, kAuthoritySecret));
    return a;
}

Transaction set_code_tx(std::vector<Authorization> auths, const Address& to) {
    Transaction tx;
    tx.type = TransactionType::SetCode;
    tx.chain_id = 1;
    tx.max_fee_per_gas = 10;
    tx.max_priority_fee_per_gas = 1;
    tx.gas_price = 10;
    tx.gas_limit = 200'000;
    tx.to = to;
    tx.authorization_list = std::move(auths);
    tx.sender = kSender;
    return tx;
}

bool delegated_to(const State& s, const Address& who, const Address& target) {
    const Account* a = s.find(who);
    if (!a) return false;
    const auto d = parse_delegation(a->code_view());
    return d && *d == target;
}
}  // namespace

TEST(PragueEip7702, AuthorizationSignatureRoundTrip) {
    const Authorization a = authorization(kDelegate, 0);
    ASSERT_TRUE(recover_authority(a));
    EXPECT_EQ(*recover_authority(a), kAuthority);
}

TEST(PragueEip7702, ValidAuthorizationDelegatesAndCallRunsDelegateCode) {
    State s = pre_state();
    // The transaction calls the authority itself: after the authorization its code is the
    // designator, so the delegate's SSTORE runs on the authority's storage.
    const auto out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0)}, kAuthority),
                                         Revision::Prague, 1);
    ASSERT_FALSE(out.rejection) << out.rejection->rule;
    EXPECT_EQ(out.status, Status::Success);
    EXPECT_TRUE(delegated_to(s, kAuthority, kDelegate));
    EXPECT_EQ(s.find(kAuthority)->nonce, 1u);
    EXPECT_EQ(s.find(kAuthority)->code_size(), 23u);
    const auto& storage = s.find(kAuthority)->storage;
    ASSERT_TRUE(storage.contains(uint256{0}));
    EXPECT_EQ(storage.at(uint256{0}).current, uint256{42});
    EXPECT_FALSE(s.find(kDelegate)->storage.contains(uint256{0}));  // the delegate's own storage is untouched
}

TEST(PragueEip7702, RefundForExistingAuthorityOnly) {
    // To an EOA without code: 21000 + 25000 per tuple; an existing authority refunds
    // 25000 - 12500, capped at a fifth of the gas used (46000 / 5 = 9200).
    {
        State s = pre_state(true);
        const auto out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0)}, addr(0x77)),
                                             Revision::Prague, 1);
        ASSERT_FALSE(out.rejection);
        EXPECT_EQ(out.gas_used, 46000 - 9200);
    }
    {
        State s = pre_state(false);
        const auto out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0)}, addr(0x77)),
                                             Revision::Prague, 1);
        ASSERT_FALSE(out.rejection);
        EXPECT_EQ(out.gas_used, 46000);
        EXPECT_TRUE(delegated_to(s, kAuthority, kDelegate));  // a new account is created
        EXPECT_EQ(s.find(kAuthority)->nonce, 1u);
    }
}

TEST(PragueEip7702, InvalidTuplesAreSkippedNotFatal) {
    struct Case {
        const char* what;
        Authorization auth;
    };
    std::vector<Case> cases;
    cases.push_back({"wrong chain id", authorization(kDelegate, 0, 5)});
    cases.push_back({"nonce mismatch", authorization(kDelegate, 1)});
    Authorization bad_sig = authorization(kDelegate, 0);
    bad_sig.r = 0;
    cases.push_back({"r = 0", bad_sig});
    Authorization high_s = authorization(kDelegate, 0);
    high_s.s = kSecp256k1N - high_s.s;  // the malleated twin: EIP-2 low-s rule
    high_s.y_parity ^= 1;
    cases.push_back({"s > n/2", high_s});
    Authorization bad_parity = authorization(kDelegate, 0);
    bad_parity.y_parity = 2;
    cases.push_back({"y_parity 2", bad_parity});
    Authorization tampered = authorization(kDelegate, 0);
    tampered.address = addr(0x99);  // signature no longer matches: recovers another key
    cases.push_back({"tampered tuple", tampered});
    Authorization max_nonce = authorization(kDelegate, UINT64_MAX);
    cases.push_back({"nonce 2^64-1", max_nonce});

    for (const auto& c : cases) {
        State s = pre_state();
        const auto out =
            execute_transaction(s, block(), set_code_tx({c.auth}, addr(0x77)), Revision::Prague, 1);
        ASSERT_FALSE(out.rejection) << c.what;
        EXPECT_EQ(out.status, Status::Success) << c.what;
        EXPECT_EQ(s.find(kAuthority)->code_size(), 0u) << c.what;
        EXPECT_EQ(s.find(kAuthority)->nonce, 0u) << c.what;
        EXPECT_EQ(out.gas_used, 46000) << c.what;  // intrinsic charged, no refund
        EXPECT_EQ(s.find(kSender)->nonce, 1u) << c.what;
    }
}

TEST(PragueEip7702, ChainIdZeroIsValidEverywhere) {
    State s = pre_state();
    const auto out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0, 0)}, addr(0x77)),
                                         Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_TRUE(delegated_to(s, kAuthority, kDelegate));
}

TEST(PragueEip7702, AuthorityWithContractCodeIsSkipped) {
    State s = pre_state();
    s.set_code(*s.find(kAuthority), code({0x00}));
    const auto out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0)}, addr(0x77)),
                                         Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(s.find(kAuthority)->code_size(), 1u);
    EXPECT_EQ(s.find(kAuthority)->nonce, 0u);
}

TEST(PragueEip7702, TuplesApplyInOrderAndZeroAddressClears) {
    State s = pre_state();
    // Nonces 0 then 1: the second sees the first's nonce bump, and clears the delegation.
    const auto out = execute_transaction(
        s, block(), set_code_tx({authorization(kDelegate, 0), authorization(Address{}, 1)}, addr(0x77)),
        Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(s.find(kAuthority)->code_size(), 0u);
    EXPECT_EQ(s.find(kAuthority)->code_hash, kEmptyCodeHash);
    EXPECT_EQ(s.find(kAuthority)->nonce, 2u);
}

TEST(PragueEip7702, SenderAsAuthorityNeedsNonceAfterItsOwnBump) {
    // The sender's nonce is bumped before the tuples are processed, so a self-sponsored tuple
    // carries tx.nonce + 1.
    State s = pre_state();
    Account sender = *s.find(kSender);
    s.put_account(kAuthority, sender);
    Transaction tx = set_code_tx({authorization(kDelegate, 1)}, addr(0x77));
    tx.sender = kAuthority;
    const auto out = execute_transaction(s, block(), tx, Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_TRUE(delegated_to(s, kAuthority, kDelegate));
    EXPECT_EQ(s.find(kAuthority)->nonce, 2u);
}

TEST(PragueEip7702, DelegatedSenderIsStillAnEoa) {
    // EIP-3607 as amended by EIP-7702: a delegation designator does not make the sender a contract.
    State s = pre_state();
    s.set_code(*s.find(kSender), make_delegation(kDelegate));
    Transaction tx = set_code_tx({authorization(kDelegate, 0)}, addr(0x77));
    EXPECT_FALSE(execute_transaction(s, block(), tx, Revision::Prague, 1).rejection);
    // Other code still disqualifies it.
    State t = pre_state();
    t.set_code(*t.find(kSender), code({0x00}));
    const auto out = execute_transaction(t, block(), tx, Revision::Prague, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "SENDER_NOT_EOA");
}

TEST(PragueEip7702, TransactionLevelValidity) {
    State s = pre_state();
    Transaction empty = set_code_tx({}, addr(0x77));
    auto out = execute_transaction(s, block(), empty, Revision::Prague, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "TYPE_4_EMPTY_AUTHORIZATION_LIST");

    Transaction create = set_code_tx({authorization(kDelegate, 0)}, addr(0x77));
    create.to.reset();
    out = execute_transaction(s, block(), create, Revision::Prague, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "TYPE_4_TX_CONTRACT_CREATION");

    out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0)}, addr(0x77)), Revision::Cancun, 1);
    ASSERT_TRUE(out.rejection);
    EXPECT_EQ(out.rejection->rule, "TYPE_4_TX_PRE_FORK");
    EXPECT_EQ(s.find(kSender)->nonce, 0u);  // nothing of the rejected transactions was applied
}

TEST(PragueEip7702, AuthorizationSurvivesFailedCallAndKeepsRefund) {
    State s = pre_state();
    Account reverter;
    s.set_code(reverter, code({0x60, 0x00, 0x60, 0x00, 0xfd}));  // REVERT(0, 0)
    s.put_account(addr(0x66), reverter);
    const auto out = execute_transaction(s, block(), set_code_tx({authorization(kDelegate, 0)}, addr(0x66)),
                                         Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    EXPECT_EQ(out.status, Status::Revert);
    EXPECT_TRUE(delegated_to(s, kAuthority, kDelegate));
    // 46000 + 2 pushes (6); the authorization refund counts although the call reverted.
    EXPECT_EQ(out.gas_used, 46006 - 46006 / 5);
}

namespace {
/// Caller contract: CALL(gas, kAuthority, 0, 0, 0, 0, 0), then STOP.
bytes caller_code() {
    bytes c = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73};
    c.insert(c.end(), kAuthority.data(), kAuthority.data() + 20);
    c.insert(c.end(), {0x5a, 0xf1, 0x00});  // GAS CALL STOP
    return c;
}

int64_t call_gas(bool delegated, bool delegate_warm) {
    State s = pre_state();
    Account caller;
    s.set_code(caller, caller_code());
    s.put_account(kCaller, caller);
    // The delegate here does nothing (STOP), so the difference is the access cost alone.
    s.set_code(*s.find(kDelegate), code({0x00}));
    if (delegated) s.set_code(*s.find(kAuthority), make_delegation(kDelegate));
    Transaction tx;
    tx.type = TransactionType::AccessList;
    tx.chain_id = 1;
    tx.gas_price = 10;
    tx.max_fee_per_gas = 10;
    tx.max_priority_fee_per_gas = 10;
    tx.gas_limit = 200'000;
    tx.to = kCaller;
    tx.sender = kSender;
    if (delegate_warm) tx.access_list.push_back({kDelegate, {}});
    const auto out = execute_transaction(s, block(), tx, Revision::Prague, 1);
    EXPECT_FALSE(out.rejection);
    EXPECT_EQ(out.status, Status::Success);
    return out.gas_used - (delegate_warm ? 2400 : 0);
}
}  // namespace

TEST(PragueEip7702, CallChargesTheDelegateAccess) {
    const int64_t plain = call_gas(false, false);
    EXPECT_EQ(call_gas(true, false) - plain, 2600);  // cold delegate
    EXPECT_EQ(call_gas(true, true) - plain, 100);    // warm delegate (access list)
}

TEST(PragueEip7702, ExtcodeSeesTheDesignatorItself) {
    // Final EIP-7702: EXTCODESIZE / EXTCODEHASH / EXTCODECOPY read the 23-byte designator; they do
    // not follow the delegation.
    State s = pre_state();
    s.set_code(*s.find(kAuthority), make_delegation(kDelegate));
    Account probe;
    bytes c = {0x73};
    c.insert(c.end(), kAuthority.data(), kAuthority.data() + 20);
    c.insert(c.end(), {0x3b, 0x60, 0x00, 0x55});  // EXTCODESIZE -> slot 0
    c.push_back(0x73);
    c.insert(c.end(), kAuthority.data(), kAuthority.data() + 20);
    c.insert(c.end(), {0x3f, 0x60, 0x01, 0x55, 0x00});  // EXTCODEHASH -> slot 1
    s.set_code(probe, c);
    s.put_account(addr(0x55), probe);
    Transaction tx = set_code_tx({authorization(kDelegate, 5)}, addr(0x55));  // tuple skipped (nonce)
    const auto out = execute_transaction(s, block(), tx, Revision::Prague, 1);
    ASSERT_FALSE(out.rejection);
    const auto& st = s.find(addr(0x55))->storage;
    EXPECT_EQ(st.at(uint256{0}).current, uint256{23});
    EXPECT_EQ(st.at(uint256{1}).current, uint256::from_hash(keccak256(make_delegation(kDelegate))));
}

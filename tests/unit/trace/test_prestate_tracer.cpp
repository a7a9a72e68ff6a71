// geth's prestateTracer: the touched accounts before the transaction, and diffMode's pre/post.
#include "trace_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {
const Address kStore = addr(0x51, 0x50);
// PUSH1 1 SLOAD POP; SSTORE slot 0 := 5; STOP. Gas: 3 + 2100 (cold) + 2 + 3 + 3 + 5000
// (cold 2100 + reset 2900) = 7111, plus 21000 intrinsic; 3 -> 5 earns no refund.
const std::string kStoreCode = "60015450" "6005600055" "00";
constexpr uint64_t kGasUsed = 21000 + 7111;

std::string h(const Address& a) { return to_hex_prefixed(a); }
std::string slot(uint64_t v) { return "0x" + word(v); }

void make_world(TraceWorld& w) {
    w.contract(kStore, kStoreCode, 0, {{uint256{0}, uint256{3}}, {uint256{1}, uint256{9}}});
}
}  // namespace

TEST(PrestateTracer, AccountsAsTheyWereBeforeTheTransaction) {
    TraceWorld w;
    make_world(w);
    const auto r = w.trace(TraceWorld::tx(kStore), {{"tracer", "prestateTracer"}});
    const nlohmann::json expected = {
        // The sender before buying gas; nonce 0 is omitted as geth does.
        {h(kSender), {{"balance", kSenderBalance.to_hex()}}},
        {h(kStore), {{"balance", "0x0"}, {"nonce", 1}, {"code", "0x" + kStoreCode},
                     {"storage", {{slot(0), slot(3)}, {slot(1), slot(9)}}}}},
        {h(kCoinbase), {{"balance", "0x0"}}},
    };
    EXPECT_EQ(r, expected) << r.dump(2);
}

TEST(PrestateTracer, DiffModeShowsOnlyChanges) {
    TraceWorld w;
    make_world(w);
    const auto r = w.trace(TraceWorld::tx(kStore), {{"tracer", "prestateTracer"}, {"tracerConfig", {{"diffMode", true}}}});
    const nlohmann::json expected = {
        {"pre",
         {{h(kSender), {{"balance", kSenderBalance.to_hex()}}},
          // Only the changed slot; slot 1 was read, not changed.
          {h(kStore), {{"balance", "0x0"}, {"nonce", 1}, {"code", "0x" + kStoreCode}, {"storage", {{slot(0), slot(3)}}}}},
          {h(kCoinbase), {{"balance", "0x0"}}}}},
        {"post",
         {{h(kSender), {{"balance", (kSenderBalance - uint256{kGasUsed * kGasPrice}).to_hex()}, {"nonce", 1}}},
          {h(kStore), {{"storage", {{slot(0), slot(5)}}}}},
          {h(kCoinbase), {{"balance", uint256{kGasUsed * kTip}.to_hex()}}}}},
    };
    EXPECT_EQ(r, expected) << r.dump(2);
}

TEST(PrestateTracer, CreatedContractHasNoPreStateAndAppearsInPost) {
    TraceWorld w;
    // A creation transaction whose initcode stores 7 in slot 0 and deploys nothing.
    const Transaction tx = TraceWorld::tx(std::nullopt, 100'000, 0, code("600760005500"));
    State s(&w.db);
    const auto outcome = execute_transaction(s, TraceWorld::block(), tx, Revision::Cancun, 1);
    ASSERT_TRUE(outcome.created_address);
    const std::string created = h(*outcome.created_address);

    const auto pre = w.trace(tx, {{"tracer", "prestateTracer"}});
    EXPECT_FALSE(pre.contains(created)) << pre.dump(2);
    EXPECT_TRUE(pre.contains(h(kSender)));

    const auto diff = w.trace(tx, {{"tracer", "prestateTracer"}, {"tracerConfig", {{"diffMode", true}}}});
    EXPECT_FALSE(diff.at("pre").contains(created));
    // EIP-161: a new contract starts with nonce 1.
    EXPECT_EQ(diff.at("post").at(created), (nlohmann::json{{"nonce", 1}, {"storage", {{slot(0), slot(7)}}}}));
}

TEST(PrestateTracer, CalledAndQueriedAccountsAreIncluded) {
    TraceWorld w;
    const Address caller = addr(0xca, 0xc0);
    // BALANCE(0x99) POP; CALL(gas, 0x98, 0, ...) POP; STOP
    w.contract(caller, "6099315060006000600060006000609861fffff15000");
    AccountInfo rich;
    rich.balance = 123;
    w.db.put_account(addr(0x99), rich);
    const auto r = w.trace(TraceWorld::tx(caller), {{"tracer", "prestateTracer"}});
    EXPECT_EQ(r.at(h(addr(0x99))), (nlohmann::json{{"balance", "0x7b"}}));
    EXPECT_EQ(r.at(h(addr(0x98))), (nlohmann::json{{"balance", "0x0"}}));  // absent: geth shows a zero balance
}

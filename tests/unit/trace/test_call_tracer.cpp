// geth's callTracer: nesting, a revert with its reason, a precompile, STATICCALL without value
// and DELEGATECALL with the inherited one, logs with their positions, dropped under a revert.
#include "trace_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {
const Address kA = addr(0xa1, 0xa0);
const Address kB = addr(0xb1, 0xb0);
const Address kD = addr(0xd1, 0xd0);
const nlohmann::json kCallTracer = {{"tracer", "callTracer"}, {"tracerConfig", {{"withLog", true}}}};

std::string h(const Address& a) { return to_hex_prefixed(a); }
std::string push20(const Address& a) { return "73" + to_hex(a); }

// B: LOG1(topic 0xbb), then REVERT with Error("nope") built in memory:
// selector at 28..31, offset 0x20, length 4, "nope" left-aligned.
const std::string kRevertingCode = "60bb60006000a1" "6308c379a0600052" "6020602052" "6004604052"
                                   "636e6f706560e01b606052" "6064601cfd";
const std::string kRevertPayload = "0x08c379a0" + word(0x20) + word(4) + "6e6f7065" + std::string(56, '0');

// A: LOG1(0xaa); CALL B; MSTORE8 0x42 at 0 and STATICCALL identity (0x04) on that byte;
// DELEGATECALL D; STOP.
std::string a_code() {
    return "60aa60006000a1" "60006000600060006000" + push20(kB) + "5af150" + "6042600053" +
           "600060006001600060045afa50" + "6000600060006000" + push20(kD) + "5af450" + "00";
}

void make_world(TraceWorld& w) {
    w.contract(kA, a_code());
    w.contract(kB, kRevertingCode);
    w.contract(kD, "60dd60006000a100");  // LOG1(0xdd); STOP
}
}  // namespace

TEST(CallTracer, NestedFramesRevertPrecompileAndLogs) {
    TraceWorld w;
    make_world(w);
    const Transaction tx = TraceWorld::tx(kA, 200'000, 7);
    const auto r = w.trace(tx, kCallTracer);
    SCOPED_TRACE(r.dump(2));

    EXPECT_EQ(r.at("type"), "CALL");
    EXPECT_EQ(r.at("from"), h(kSender));
    EXPECT_EQ(r.at("to"), h(kA));
    EXPECT_EQ(r.at("value"), "0x7");
    EXPECT_EQ(r.at("gas"), "0x30d40");  // the transaction's gas limit, 200000
    char used[24];
    std::snprintf(used, sizeof used, "0x%llx", static_cast<unsigned long long>(w.gas_used_untraced(tx)));
    EXPECT_EQ(r.at("gasUsed"), used);  // the receipt's, intrinsic gas included
    EXPECT_EQ(r.at("input"), "0x");
    EXPECT_FALSE(r.contains("output"));  // STOP returns nothing
    EXPECT_FALSE(r.contains("error"));
    EXPECT_EQ(r.at("logs"), (nlohmann::json::array({{{"address", h(kA)},
                                                     {"topics", {"0x" + word(0xaa)}},
                                                     {"data", "0x"},
                                                     {"position", "0x0"}}})));

    const auto& calls = r.at("calls");
    ASSERT_EQ(calls.size(), 3u);
    const auto& reverted = calls[0];
    EXPECT_EQ(reverted.at("type"), "CALL");
    EXPECT_EQ(reverted.at("from"), h(kA));
    EXPECT_EQ(reverted.at("to"), h(kB));
    EXPECT_EQ(reverted.at("value"), "0x0");
    EXPECT_EQ(reverted.at("error"), "execution reverted");
    EXPECT_EQ(reverted.at("revertReason"), "nope");
    EXPECT_EQ(reverted.at("output"), kRevertPayload);
    EXPECT_FALSE(reverted.contains("logs"));  // its LOG1 was reverted

    const auto& precompile = calls[1];
    EXPECT_EQ(precompile.at("type"), "STATICCALL");
    EXPECT_FALSE(precompile.contains("value"));
    EXPECT_EQ(precompile.at("to"), h(addr(0x04)));
    EXPECT_EQ(precompile.at("input"), "0x42");
    EXPECT_EQ(precompile.at("output"), "0x42");
    EXPECT_EQ(precompile.at("gasUsed"), "0x12");  // identity: 15 + 3 per word

    const auto& delegated = calls[2];
    EXPECT_EQ(delegated.at("type"), "DELEGATECALL");
    EXPECT_EQ(delegated.at("from"), h(kA));
    EXPECT_EQ(delegated.at("to"), h(kD));
    EXPECT_EQ(delegated.at("value"), "0x7");  // geth: the value the frame inherits
    // The delegated code logs as A, the account it acts on.
    EXPECT_EQ(delegated.at("logs"), (nlohmann::json::array({{{"address", h(kA)},
                                                             {"topics", {"0x" + word(0xdd)}},
                                                             {"data", "0x"},
                                                             {"position", "0x0"}}})));
}

TEST(CallTracer, WithoutLogsAndOnlyTopCall) {
    TraceWorld w;
    make_world(w);
    const Transaction tx = TraceWorld::tx(kA, 200'000, 7);
    const auto plain = w.trace(tx, {{"tracer", "callTracer"}});
    EXPECT_FALSE(plain.contains("logs"));
    EXPECT_EQ(plain.at("calls").size(), 3u);

    const auto top = w.trace(tx, {{"tracer", "callTracer"}, {"tracerConfig", {{"onlyTopCall", true}, {"withLog", true}}}});
    EXPECT_FALSE(top.contains("calls"));
    ASSERT_EQ(top.at("logs").size(), 1u);  // only the top frame's own log
    EXPECT_EQ(top.at("logs")[0].at("topics")[0], "0x" + word(0xaa));
}

TEST(CallTracer, LogsUnderARevertedTopFrameAreDropped) {
    TraceWorld w;
    w.contract(kB, kRevertingCode);
    const auto r = w.trace(TraceWorld::tx(kB), kCallTracer);
    EXPECT_EQ(r.at("error"), "execution reverted");
    EXPECT_EQ(r.at("revertReason"), "nope");
    EXPECT_FALSE(r.contains("logs"));
}

TEST(CallTracer, CreateFrameAndSelfdestruct) {
    TraceWorld w;
    const Address creator = *address_from_hex("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    // initcode: MSTORE8 0xfe at 0; RETURN(0, 1). The creator stores it at 22..31 and CREATEs it.
    const std::string initcode = "60fe6000536001" "6000f3";
    w.contract(creator, "69" + initcode + "600052" "600a60166000f000", 0, {}, 0);
    const auto r = w.trace(TraceWorld::tx(creator), kCallTracer);
    ASSERT_EQ(r.at("calls").size(), 1u);
    const auto& created = r.at("calls")[0];
    EXPECT_EQ(created.at("type"), "CREATE");
    EXPECT_EQ(created.at("from"), h(creator));
    EXPECT_EQ(created.at("to"), "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    EXPECT_EQ(created.at("value"), "0x0");
    EXPECT_EQ(created.at("input"), "0x" + initcode);
    EXPECT_EQ(created.at("output"), "0xfe");  // geth: the deployed code
    // 3 + 3 + (3 + 3 memory) + 3 + 3 + 0 for the steps, 200 for the one-byte deposit.
    EXPECT_EQ(created.at("gasUsed"), "0xda");

    const Address doomed = addr(0xde, 0xd0);
    w.contract(doomed, "60eeff", 50);  // SELFDESTRUCT to 0xee
    const auto sd = w.trace(TraceWorld::tx(doomed), kCallTracer);
    ASSERT_EQ(sd.at("calls").size(), 1u);
    EXPECT_EQ(sd.at("calls")[0], (nlohmann::json{{"type", "SELFDESTRUCT"},
                                                 {"from", h(doomed)},
                                                 {"to", h(addr(0xee))},
                                                 {"value", "0x32"},
                                                 {"gas", "0x0"},
                                                 {"gasUsed", "0x0"},
                                                 {"input", "0x"}}));
}

TEST(CallTracer, CreationTransactionReportsDeployedCode) {
    TraceWorld w;
    const Transaction tx = TraceWorld::tx(std::nullopt, 100'000, 0, code("60fe6000536001" "6000f3"));
    const auto r = w.trace(tx, kCallTracer);
    EXPECT_EQ(r.at("type"), "CREATE");
    EXPECT_EQ(r.at("output"), "0xfe");
    State s(&w.db);
    const auto outcome = execute_transaction(s, TraceWorld::block(), tx, Revision::Cancun, 1);
    ASSERT_TRUE(outcome.created_address);
    EXPECT_EQ(r.at("to"), h(*outcome.created_address));

    const auto logged = w.trace(tx, nlohmann::json::object());
    EXPECT_EQ(logged.at("returnValue"), "0xfe");
}

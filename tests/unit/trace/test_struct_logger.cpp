// geth's struct logger: every step checked against gas computed by hand from the Yellow Paper
// and EIP-2929/2200/3860 rules (Cancun).
#include "trace_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {
const Address kContract = addr(0xc1, 0xc0);

void expect_step(const nlohmann::json& s, uint64_t pc, const char* op, int64_t gas, int64_t cost, int depth) {
    SCOPED_TRACE(s.dump());
    EXPECT_EQ(s.at("pc"), pc);
    EXPECT_EQ(s.at("op"), op);
    EXPECT_EQ(s.at("gas"), gas);
    EXPECT_EQ(s.at("gasCost"), cost);
    EXPECT_EQ(s.at("depth"), depth);
}
}  // namespace

TEST(StructLogger, StepsStackMemoryStorageAndReturnValue) {
    TraceWorld w;
    // PUSH1 0x2a PUSH1 0 SSTORE PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN
    w.contract(kContract, "602a6000556000546000526020" "6000f3");
    const auto r = w.trace(TraceWorld::tx(kContract), {{"enableMemory", true}});

    // 100000 - 21000 intrinsic = 79000 for the call.
    const auto& logs = r.at("structLogs");
    ASSERT_EQ(logs.size(), 10u);
    expect_step(logs[0], 0, "PUSH1", 79000, 3, 1);
    expect_step(logs[1], 2, "PUSH1", 78997, 3, 1);
    // SSTORE 0 -> 0x2a on a cold slot: 2100 (EIP-2929) + 20000 (EIP-2200 set).
    expect_step(logs[2], 4, "SSTORE", 78994, 22100, 1);
    expect_step(logs[3], 5, "PUSH1", 56894, 3, 1);
    expect_step(logs[4], 7, "SLOAD", 56891, 100, 1);  // warm now
    expect_step(logs[5], 8, "PUSH1", 56791, 3, 1);
    expect_step(logs[6], 10, "MSTORE", 56788, 6, 1);  // 3 + one word of memory (3*1 + 1*1/512)
    expect_step(logs[7], 11, "PUSH1", 56782, 3, 1);
    expect_step(logs[8], 13, "PUSH1", 56779, 3, 1);
    expect_step(logs[9], 15, "RETURN", 56776, 0, 1);

    // Stacks as 0x-prefixed compact hex, bottom first.
    EXPECT_EQ(logs[0].at("stack"), nlohmann::json::array());
    EXPECT_EQ(logs[2].at("stack"), (nlohmann::json{"0x2a", "0x0"}));
    EXPECT_EQ(logs[9].at("stack"), (nlohmann::json{"0x20", "0x0"}));
    // Storage at SLOAD/SSTORE only: the contract's slots so far, 64 hex digits, no prefix.
    EXPECT_FALSE(logs[0].contains("storage"));
    EXPECT_EQ(logs[2].at("storage"), (nlohmann::json{{word(0), word(0x2a)}}));
    EXPECT_EQ(logs[4].at("storage"), (nlohmann::json{{word(0), word(0x2a)}}));
    EXPECT_FALSE(logs[5].contains("storage"));
    // Memory in 32-byte words once it exists.
    EXPECT_FALSE(logs[6].contains("memory"));
    EXPECT_EQ(logs[7].at("memory"), (nlohmann::json{word(0x2a)}));
    // No refunds happened: geth omits a zero refund.
    for (const auto& s : logs) EXPECT_FALSE(s.contains("refund"));

    EXPECT_EQ(r.at("gas"), 100000 - 56776);  // no refund for 0 -> 0x2a
    EXPECT_EQ(r.at("failed"), false);
    EXPECT_EQ(r.at("returnValue"), "0x" + word(0x2a));
}

TEST(StructLogger, DisableStackAndStorageAndDefaultNoMemory) {
    TraceWorld w;
    w.contract(kContract, "602a6000556000546000526020" "6000f3");
    const auto r = w.trace(TraceWorld::tx(kContract), {{"disableStack", true}, {"disableStorage", true}});
    for (const auto& s : r.at("structLogs")) {
        EXPECT_FALSE(s.contains("stack"));
        EXPECT_FALSE(s.contains("storage"));
        EXPECT_FALSE(s.contains("memory"));
    }
}

TEST(StructLogger, RefundIsTheTransactionsCounter) {
    TraceWorld w;
    // Slot 0 holds 1; SSTORE 0 clears it (EIP-3529 refund 4800), then STOP.
    w.contract(kContract, "6000600055" "00", 0, {{uint256{0}, uint256{1}}});
    const auto r = w.trace(TraceWorld::tx(kContract), nlohmann::json::object());
    const auto& logs = r.at("structLogs");
    ASSERT_EQ(logs.size(), 4u);
    EXPECT_FALSE(logs[2].contains("refund"));  // before the SSTORE runs
    // SSTORE 1 -> 0 on a cold slot: 2100 + 2900 (reset).
    expect_step(logs[2], 4, "SSTORE", 78994, 5000, 1);
    EXPECT_EQ(logs[3].at("refund"), 4800);
    // 21000 + 3 + 3 + 5000 = 26006; refund capped at a fifth: 26006 / 5 = 5201 > 4800.
    EXPECT_EQ(r.at("gas"), 26006 - 4800);
}

TEST(StructLogger, CallWithValueToNewAccountIncludesForwardedGas) {
    TraceWorld w;
    // CALL(gas 5000, to 0xdd (absent), value 1, no args, no return) then STOP.
    w.contract(kContract, "6000600060006000600160dd611388f100", 100);
    const auto r = w.trace(TraceWorld::tx(kContract), nlohmann::json::object());
    const auto& logs = r.at("structLogs");
    ASSERT_EQ(logs.size(), 9u);
    // 7 pushes of 3 gas: 79000 - 21 = 78979 at the CALL. geth's cost: 100 warm base + 2500 cold
    // (EIP-2929) + 9000 value + 25000 new account + 5000 forwarded (the 2300 stipend excluded).
    expect_step(logs[7], 15, "CALL", 78979, 2600 + 9000 + 25000 + 5000, 1);
    // The empty account runs no code: the 5000 and the stipend return.
    expect_step(logs[8], 16, "STOP", 78979 - 2600 - 9000 - 25000 + 2300, 0, 1);
    EXPECT_EQ(r.at("gas"), 100000 - (78979 - 2600 - 9000 - 25000 + 2300));
}

TEST(StructLogger, CallThatCannotStartStillCostsTheForwardedGas) {
    TraceWorld w;
    // The same CALL with value 1 from a contract with no balance: the call does not start, the
    // forwarded 5000 and the stipend come back, yet geth's gasCost is the same as above.
    w.contract(kContract, "6000600060006000600160dd611388f100", 0);
    const auto r = w.trace(TraceWorld::tx(kContract), nlohmann::json::object());
    const auto& logs = r.at("structLogs");
    ASSERT_EQ(logs.size(), 9u);
    expect_step(logs[7], 15, "CALL", 78979, 2600 + 9000 + 25000 + 5000, 1);
    expect_step(logs[8], 16, "STOP", 78979 - 2600 - 9000 - 25000 + 2300, 0, 1);
    EXPECT_EQ(logs[8].at("stack"), nlohmann::json{"0x0"});  // the call failed
}

TEST(StructLogger, CreateCostExcludesForwardedGasAndChildStepsAreDeeper) {
    TraceWorld w;
    // Sender 0x6ac7...dbf0 with nonce 0 creates 0xcd23...cd8d (the well-known CREATE example).
    const Address creator = *address_from_hex("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    // PUSH5 <initcode 6000 6000 f3> PUSH1 0 MSTORE; CREATE(value 0, offset 27, size 5); STOP
    w.contract(creator, "6460006000f3600052" "6005601b6000f0" "00", 0, {}, 0);
    const auto r = w.trace(TraceWorld::tx(creator), nlohmann::json::object());
    const auto& logs = r.at("structLogs");
    ASSERT_EQ(logs.size(), 11u);
    expect_step(logs[2], 8, "MSTORE", 78994, 6, 1);
    // CREATE: 32000 + 2 per initcode word (EIP-3860); no memory growth (27 + 5 <= 32).
    expect_step(logs[6], 15, "CREATE", 78979, 32002, 1);
    // The initcode gets all but a 64th of 78979 - 32002 = 46977: 46977 - 734 = 46243.
    expect_step(logs[7], 0, "PUSH1", 46243, 3, 2);
    expect_step(logs[8], 2, "PUSH1", 46240, 3, 2);
    expect_step(logs[9], 4, "RETURN", 46237, 0, 2);
    // Back in the creator: the 734 kept plus the 46237 returned (empty code: no deposit).
    expect_step(logs[10], 16, "STOP", 734 + 46237, 0, 1);
    EXPECT_EQ(logs[10].at("stack"), nlohmann::json{"0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"});
}

TEST(StructLogger, FailingStepCarriesGethsError) {
    TraceWorld w;
    w.contract(kContract, "01");  // ADD on an empty stack
    const auto r = w.trace(TraceWorld::tx(kContract), nlohmann::json::object());
    const auto& logs = r.at("structLogs");
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0].at("error"), "stack underflow (0 <=> 2)");
    EXPECT_EQ(r.at("failed"), true);
    EXPECT_EQ(r.at("returnValue"), "0x");  // an exceptional halt returns nothing
    EXPECT_EQ(r.at("gas"), 100000);        // and consumes all gas

    w.contract(kContract, "600054");  // PUSH1 0 SLOAD (cold: 2100) with 2000 gas left
    const auto oog = w.trace(TraceWorld::tx(kContract, 23000), nlohmann::json::object());
    ASSERT_EQ(oog.at("structLogs").size(), 2u);
    EXPECT_EQ(oog.at("structLogs")[1].at("error"), "out of gas");
    EXPECT_FALSE(oog.at("structLogs")[0].contains("error"));
}

TEST(StructLogger, RevertKeepsReturnValueAndTransferHasNoSteps) {
    TraceWorld w;
    w.contract(kContract, "60aa6000526001601ffd");  // MSTORE 0xaa at 0; REVERT(31, 1)
    const auto r = w.trace(TraceWorld::tx(kContract), nlohmann::json::object());
    EXPECT_EQ(r.at("failed"), true);
    EXPECT_EQ(r.at("returnValue"), "0xaa");
    EXPECT_FALSE(r.at("structLogs").back().contains("error"));  // geth: the revert is not a step error

    const auto transfer = w.trace(TraceWorld::tx(addr(0x77), 21000, 5), nlohmann::json::object());
    EXPECT_EQ(transfer, (nlohmann::json{{"gas", 21000}, {"failed", false}, {"returnValue", "0x"},
                                        {"structLogs", nlohmann::json::array()}}));
}

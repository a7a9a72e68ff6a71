// The CALL family and CREATE/CREATE2: gas charged, gas forwarded, message built, results.
#include "mock_host.hpp"
#include "evm/opcodes.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {
const Address kCallee = address_of(0xca11ee);

/// CALL/CALLCODE(gas, kCallee, value, in 0..in_size, out 0..out_size); leaves the result on the stack.
bytes call_code(uint8_t opcode, const uint256& gas, const uint256& value, uint64_t in_size = 0, uint64_t out_size = 0) {
    bytes c = push(out_size) + push(0) + push(in_size) + push(0);
    if (opcode == OP_CALL || opcode == OP_CALLCODE) c = c + push(value);
    return c + push(kCallee) + push(gas) + op(opcode);
}
}  // namespace

TEST(EvmCall, ForwardsAllButOne64th) {
    MockHost host;
    host.account(kCallee);
    const int64_t gas = 100000;
    const auto r = run_code(host, Revision::Cancun, call_code(OP_CALL, uint256::max(), 0), gas);
    ASSERT_EQ(r.status, Status::Success);
    ASSERT_EQ(host.calls.size(), 1u);
    const int64_t available = gas - 21 - 2600;  // cold callee
    EXPECT_EQ(host.calls[0].msg.gas, available - available / 64);
    EXPECT_EQ(host.calls[0].msg.depth, 1);
    EXPECT_EQ(host.calls[0].msg.kind, CallKind::Call);
    EXPECT_EQ(host.calls[0].msg.recipient, kCallee);
    EXPECT_EQ(host.calls[0].msg.code_address, kCallee);
    EXPECT_EQ(host.calls[0].msg.sender, kSelf);
    EXPECT_FALSE(host.calls[0].msg.is_static);
    // The mock child used nothing, so the caller paid only the call's own cost.
    EXPECT_EQ(gas_used(r, gas), 21 + 2600);
}

TEST(EvmCall, RequestedGasBelowCap) {
    MockHost host;
    host.account(kCallee);
    host.warm_accounts.insert(kCallee);
    const auto r = run_code(host, Revision::Cancun, call_code(OP_CALL, 0xffff, 0), 100000);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].msg.gas, 0xffff);
    EXPECT_EQ(gas_used(r, 100000), 21 + 100);
}

TEST(EvmCall, ValueTransferCostAndStipend) {
    MockHost host;
    host.account(kSelf).balance = 10;
    host.account(kCallee);
    host.warm_accounts.insert(kCallee);
    host.call_handler = [](const Message& m) {
        ExecutionResult r;
        r.status = Status::Success;
        r.gas_left = m.gas - 1000;  // the child used 1000
        return r;
    };
    const auto r = run_code(host, Revision::Cancun, call_code(OP_CALL, 5000, 3) + ret_top(), 100000);
    ASSERT_EQ(r.status, Status::Success);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].msg.gas, 5000 + 2300);
    EXPECT_EQ(host.calls[0].msg.value, 3);
    EXPECT_EQ(uint256::load_be(r.output.data()), 1);
    // 21 pushes + 100 warm + 9000 value - 2300 (the stipend is free) + 1000 used by the child,
    // + ret_top (12 + 1 word of memory).
    EXPECT_EQ(gas_used(r, 100000), 21 + 100 + 9000 - 2300 + 1000 + 15);
}

TEST(EvmCall, NewAccountCostPerRevision) {
    struct Case {
        Revision rev;
        uint64_t value;
        int64_t expected;
    };
    const Case cases[] = {
        {Revision::Frontier, 0, 21 + 40 + 25000},           // any call to a non-existent account
        {Revision::TangerineWhistle, 0, 21 + 700 + 25000},
        {Revision::SpuriousDragon, 0, 21 + 700},             // EIP-158: only with value
        {Revision::SpuriousDragon, 1, 21 + 700 + 9000 + 25000 - 2300},
        {Revision::Cancun, 1, 21 + 2600 + 9000 + 25000 - 2300},
    };
    for (const auto& c : cases) {
        MockHost host;
        host.account(kSelf).balance = 100;
        const auto r = run_code(host, c.rev, call_code(OP_CALL, 0, c.value), 100000);
        ASSERT_EQ(r.status, Status::Success);
        EXPECT_EQ(gas_used(r, 100000), c.expected) << static_cast<int>(c.rev);
    }
}

TEST(EvmCall, CallcodeChargesValueButNoNewAccount) {
    MockHost host;
    host.account(kSelf).balance = 100;
    const auto r = run_code(host, Revision::SpuriousDragon, call_code(OP_CALLCODE, 0, 1), 100000);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].msg.kind, CallKind::CallCode);
    EXPECT_EQ(host.calls[0].msg.recipient, kSelf);
    EXPECT_EQ(host.calls[0].msg.code_address, kCallee);
    EXPECT_EQ(host.calls[0].msg.gas, 2300);
    EXPECT_EQ(gas_used(r, 100000), 21 + 700 + 9000 - 2300);
}

TEST(EvmCall, DelegateAndStaticCallMessages) {
    MockHost host;
    host.account(kCallee);
    run_code(host, Revision::Cancun, call_code(OP_DELEGATECALL, 1000, 0) + call_code(OP_STATICCALL, 1000, 0), 100000,
             [](Message& m) { m.value = 77; });
    ASSERT_EQ(host.calls.size(), 2u);
    const Message& d = host.calls[0].msg;
    EXPECT_EQ(d.kind, CallKind::DelegateCall);
    EXPECT_EQ(d.recipient, kSelf);
    EXPECT_EQ(d.sender, kCaller);
    EXPECT_EQ(d.value, 77);
    EXPECT_EQ(d.code_address, kCallee);
    const Message& s = host.calls[1].msg;
    EXPECT_EQ(s.kind, CallKind::Call);
    EXPECT_TRUE(s.is_static);
    EXPECT_EQ(s.recipient, kCallee);
    EXPECT_EQ(s.value, 0);
}

TEST(EvmCall, PreEip150NeedsRequestedGasInFull) {
    MockHost host;
    host.account(kCallee);
    auto r = run_code(host, Revision::Homestead, call_code(OP_CALL, 50000, 0), 50000);
    EXPECT_EQ(r.status, Status::OutOfGas);
    EXPECT_TRUE(host.calls.empty());
    r = run_code(host, Revision::Homestead, call_code(OP_CALL, 50000, 0), 50000 + 21 + 40);
    EXPECT_EQ(r.status, Status::Success);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].msg.gas, 50000);
}

TEST(EvmCall, DepthLimitAndBalancePushZeroWithoutCalling) {
    MockHost host;
    host.account(kCallee);
    host.warm_accounts.insert(kCallee);
    auto r = run_code(host, Revision::Cancun, call_code(OP_CALL, 1000, 0) + ret_top(), 100000,
                      [](Message& m) { m.depth = 1024; });
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_TRUE(host.calls.empty());
    EXPECT_EQ(uint256::load_be(r.output.data()), 0);
    EXPECT_EQ(gas_used(r, 100000), 21 + 100 + 15);
    // Value above the balance: 9000 is charged, the stipend and the forwarded gas come back.
    r = run_code(host, Revision::Cancun, call_code(OP_CALL, 1000, 5) + ret_top(), 100000);
    EXPECT_TRUE(host.calls.empty());
    EXPECT_EQ(uint256::load_be(r.output.data()), 0);
    EXPECT_EQ(gas_used(r, 100000), 21 + 100 + 9000 - 2300 + 15);
}

TEST(EvmCall, ResultsAndReturnData) {
    MockHost host;
    host.account(kCallee);
    host.call_handler = [](const Message& m) {
        ExecutionResult r;
        r.status = Status::Revert;
        r.gas_left = m.gas;
        r.gas_refund = 5000;  // must not reach the caller
        r.output = {0xaa, 0xbb, 0xcc};
        return r;
    };
    // out area 2 bytes at 0: gets aa bb; RETURNDATASIZE = 3; result 0.
    const bytes code = call_code(OP_CALL, 1000, 0, 0, 2) + push(0) + op(0x52) + op(0x3d) + push(32) + op(0x52) +
                       push(64) + push(0) + op(0xf3);
    auto r = run_code(host, Revision::Cancun, code);
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(uint256::load_be(r.output.data()), 0);
    EXPECT_EQ(uint256::load_be(r.output.data() + 32), 3);
    EXPECT_EQ(r.gas_refund, 0);
    // Success passes the child's refund up and pushes 1; output copied into the out area.
    host.call_handler = [](const Message& m) {
        ExecutionResult r;
        r.status = Status::Success;
        r.gas_left = m.gas;
        r.gas_refund = 4800;
        r.output = {0x11, 0x22, 0x33};
        return r;
    };
    r = run_code(host, Revision::Cancun,
                 call_code(OP_CALL, 1000, 0, 0, 2) + push(64) + op(0x52) + push(96) + push(0) + op(0xf3));
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.output[0], 0x11);
    EXPECT_EQ(r.output[1], 0x22);
    EXPECT_EQ(r.output[2], 0);
    EXPECT_EQ(uint256::load_be(r.output.data() + 64), 1);
    EXPECT_EQ(r.gas_refund, 4800);
}

TEST(EvmCall, InputIsPassed) {
    MockHost host;
    host.account(kCallee);
    const bytes code = push(0x112233) + push(0) + op(0x52) + call_code(OP_CALL, 1000, 0, 32);
    run_code(host, Revision::Cancun, code);
    ASSERT_EQ(host.calls.size(), 1u);
    ASSERT_EQ(host.calls[0].input.size(), 32u);
    EXPECT_EQ(host.calls[0].input[31], 0x33);
}

TEST(EvmCall, MemoryExpansionForArgsAndResult) {
    MockHost host;
    host.account(kCallee);
    host.warm_accounts.insert(kCallee);
    // Out area 0..64 expands memory to 2 words.
    const auto r = run_code(host, Revision::Cancun, call_code(OP_CALL, 0, 0, 0, 64), 100000);
    EXPECT_EQ(gas_used(r, 100000), 21 + 100 + memory_cost(2));
}

TEST(EvmStatic, Violations) {
    auto in_static = [](Message& m) { m.is_static = true; };
    const char* violating[] = {
        "6001600055",            // SSTORE
        "60006000a0",            // LOG0
        "600060006000f0",        // CREATE
        "6000600060006000f5",    // CREATE2
        "600060005d",            // TSTORE
        "6000ff",                // SELFDESTRUCT
    };
    for (const char* code : violating) {
        MockHost host;
        const auto r = run_hex(host, Revision::Cancun, code, 100000, in_static);
        EXPECT_EQ(r.status, Status::StaticModeViolation) << code;
        EXPECT_EQ(r.gas_left, 0);
    }
    MockHost host;
    host.account(kSelf).balance = 100;
    auto r = run_code(host, Revision::Cancun, call_code(OP_CALL, 0, 1), 100000, in_static);
    EXPECT_EQ(r.status, Status::StaticModeViolation);
    // Value 0 is fine, and the static flag is inherited.
    r = run_code(host, Revision::Cancun, call_code(OP_CALL, 0, 0), 100000, in_static);
    EXPECT_EQ(r.status, Status::Success);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_TRUE(host.calls[0].msg.is_static);
    // CALLCODE with value is allowed in a static frame (it sends to itself).
    r = run_code(host, Revision::Cancun, call_code(OP_CALLCODE, 0, 1), 100000, in_static);
    EXPECT_EQ(r.status, Status::Success);
    // Reads are fine.
    EXPECT_EQ(run_hex(host, Revision::Cancun, "600054", 100000, in_static).status, Status::Success);
}

TEST(EvmCreate, ChargesAndForwards) {
    MockHost host;
    host.account(kSelf).balance = 10;
    host.call_handler = [](const Message& m) {
        ExecutionResult r;
        r.status = Status::Success;
        r.gas_left = m.gas;
        r.create_address = address_of(0xc4ea7ed);
        return r;
    };
    // CREATE(value 1, initcode = 10 bytes at memory 0).
    const bytes code = push(10) + push(0) + push(1) + op(OP_CREATE) + ret_top();
    auto r = run_code(host, Revision::Cancun, code, 200000);
    ASSERT_EQ(r.status, Status::Success);
    ASSERT_EQ(host.calls.size(), 1u);
    const Message& m = host.calls[0].msg;
    EXPECT_EQ(m.kind, CallKind::Create);
    EXPECT_EQ(m.sender, kSelf);
    EXPECT_EQ(m.value, 1);
    EXPECT_EQ(host.calls[0].input.size(), 10u);
    const int64_t left = 200000 - 9 - 32000 - 3 /*memory*/ - 2 /*initcode word*/;
    EXPECT_EQ(m.gas, left - left / 64);
    EXPECT_EQ(uint256::load_be(r.output.data()), uint256::from_address(address_of(0xc4ea7ed)));
    EXPECT_EQ(gas_used(r, 200000), 9 + 32000 + 3 + 2 + 12);
    // CREATE2 adds 6 per word hashed and passes the salt.
    host.calls.clear();
    r = run_code(host, Revision::Cancun, push(0x5a17) + push(40) + push(0) + push(0) + op(OP_CREATE2), 200000);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].msg.kind, CallKind::Create2);
    EXPECT_EQ(uint256::from_hash(host.calls[0].msg.create2_salt), 0x5a17);
    EXPECT_EQ(gas_used(r, 200000), 12 + 32000 + memory_cost(2) + 2 * 2 + 6 * 2);
    // Before EIP-150 the creation gets everything; before Shanghai there is no initcode charge.
    host.calls.clear();
    r = run_code(host, Revision::Homestead, push(10) + push(0) + push(0) + op(OP_CREATE), 200000);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].msg.gas, 200000 - 9 - 32000 - 3);
}

TEST(EvmCreate, InitcodeSizeLimitEip3860) {
    MockHost host;
    const bytes at_limit = push(49152) + push(0) + push(0) + op(OP_CREATE);
    const bytes over_limit = push(49153) + push(0) + push(0) + op(OP_CREATE);
    auto r = run_code(host, Revision::Shanghai, at_limit, 10'000'000);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(host.calls.size(), 1u);
    r = run_code(host, Revision::Shanghai, over_limit, 10'000'000);
    EXPECT_NE(r.status, Status::Success);
    EXPECT_NE(r.status, Status::Revert);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(host.calls.size(), 1u);
    // CREATE2 too.
    r = run_code(host, Revision::Cancun, push(0) + push(49153) + push(0) + push(0) + op(OP_CREATE2), 10'000'000);
    EXPECT_EQ(r.gas_left, 0);
    // No limit before Shanghai.
    r = run_code(host, Revision::Paris, over_limit, 10'000'000);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(host.calls.size(), 2u);
}

TEST(EvmCreate, FailureLeavesReturnDataOnlyOnRevert) {
    MockHost host;
    host.call_handler = [](const Message& m) {
        ExecutionResult r;
        r.status = Status::Revert;
        r.gas_left = m.gas / 2;
        r.output = {1, 2};
        return r;
    };
    const bytes code = push(0) + push(0) + push(0) + op(OP_CREATE) + op(0x3d) + ret_top();
    auto r = run_code(host, Revision::Cancun, code);
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(uint256::load_be(r.output.data()), 2);
    host.call_handler = [](const Message&) {
        ExecutionResult r;
        r.status = Status::OutOfGas;
        r.output = {1, 2};
        return r;
    };
    r = run_code(host, Revision::Cancun, code);
    EXPECT_EQ(uint256::load_be(r.output.data()), 0);
}

TEST(EvmCreate, DepthAndBalance) {
    MockHost host;
    const bytes code = push(0) + push(0) + push(1) + op(OP_CREATE) + ret_top();
    auto r = run_code(host, Revision::Cancun, code, 100000);  // no balance for value 1
    EXPECT_TRUE(host.calls.empty());
    EXPECT_EQ(uint256::load_be(r.output.data()), 0);
    EXPECT_EQ(gas_used(r, 100000), 9 + 32000 + 15);
    r = run_code(host, Revision::Cancun, push(0) + push(0) + push(0) + op(OP_CREATE), 100000,
                 [](Message& m) { m.depth = 1024; });
    EXPECT_TRUE(host.calls.empty());
    EXPECT_EQ(gas_used(r, 100000), 9 + 32000);
}

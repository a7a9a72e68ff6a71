// Control flow, stack limits, PUSH at the end of code, halting, undefined opcodes per revision.
#include "mock_host.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::test;

TEST(EvmControl, SimpleGas) {
    MockHost host;
    const auto r = run_hex(host, Revision::Cancun, "6001600201");  // PUSH1 1 PUSH1 2 ADD
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 9);
    EXPECT_TRUE(r.output.empty());
}

TEST(EvmControl, EmptyCodeSucceeds) {
    MockHost host;
    const auto r = run_hex(host, Revision::Frontier, "", 100);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 100);
}

TEST(EvmControl, TruncatedPushReadsZeros) {
    MockHost host;
    // PUSH2 0xff with the second byte missing pushes 0xff00; then the code ends (STOP).
    auto r = run_hex(host, Revision::Cancun, "61ff");
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 3);
    // PUSH32 with no data at all.
    r = run_hex(host, Revision::Cancun, "7f");
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 3);
}

TEST(EvmControl, ValidJump) {
    MockHost host;
    // PUSH1 4 JUMP INVALID JUMPDEST STOP
    const auto r = run_hex(host, Revision::Cancun, "600456fe5b00");
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 3 + 8 + 1);
}

TEST(EvmControl, JumpIntoPushDataFails) {
    MockHost host;
    // PUSH1 4 JUMP PUSH1 0x5b: position 4 holds 0x5b, but it is PUSH data.
    const auto r = run_hex(host, Revision::Cancun, "600456605b");
    EXPECT_EQ(r.status, Status::BadJumpDestination);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(EvmControl, JumpOutsideCodeFails) {
    MockHost host;
    EXPECT_EQ(run_hex(host, Revision::Cancun, "61010056").status, Status::BadJumpDestination);
    EXPECT_EQ(run_hex(host, Revision::Cancun, "7f010000000000000000000000000000000000000000000000000000000000000056").status,
              Status::BadJumpDestination);
    // Position 0x20 past the end is zero padding, not a JUMPDEST.
    EXPECT_EQ(run_hex(host, Revision::Cancun, "602056").status, Status::BadJumpDestination);
}

TEST(EvmControl, Jumpi) {
    MockHost host;
    // Condition 0: falls through even with an invalid destination.
    auto r = run_hex(host, Revision::Cancun, "6000601057");
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 3 + 3 + 10);
    // Condition 1 to a JUMPDEST: PUSH1 1 PUSH1 7 JUMPI INVALID INVALID JUMPDEST
    r = run_hex(host, Revision::Cancun, "6001600757fefe5b");
    EXPECT_EQ(r.status, Status::Success);
    // Condition 1 to a bad destination.
    EXPECT_EQ(run_hex(host, Revision::Cancun, "6001601057").status, Status::BadJumpDestination);
}

TEST(EvmControl, PcAndGasOpcodes) {
    MockHost host;
    auto r = run_code(host, Revision::Cancun, push(0) + op(0x50) + op(0x58) + ret_top());  // PC after PUSH1 0 POP = 3
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(uint256::load_be(r.output.data()), 3);
    r = run_code(host, Revision::Cancun, op(0x5a) + ret_top(), 1000);
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(uint256::load_be(r.output.data()), 998);  // GAS returns what is left after its own 2
}

TEST(EvmControl, StackUnderflow) {
    MockHost host;
    auto r = run_hex(host, Revision::Cancun, "01");
    EXPECT_EQ(r.status, Status::StackUnderflow);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(run_hex(host, Revision::Cancun, "600080").status, Status::Success);  // DUP1 of one item
    EXPECT_EQ(run_hex(host, Revision::Cancun, "60008180").status, Status::StackUnderflow);  // DUP2 of one item
    EXPECT_EQ(run_hex(host, Revision::Cancun, "600090").status, Status::StackUnderflow);    // SWAP1 of one item
}

TEST(EvmControl, StackOverflowAt1025) {
    MockHost host;
    std::string code1024, code1025;
    for (int i = 0; i < 1024; ++i) code1024 += "5f";
    code1025 = code1024 + "5f";
    auto r = run_hex(host, Revision::Shanghai, code1024);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 2048);
    r = run_hex(host, Revision::Shanghai, code1025);
    EXPECT_EQ(r.status, Status::StackOverflow);
    EXPECT_EQ(r.gas_left, 0);
    // DUP1 on a full stack overflows too; SWAP does not grow it.
    EXPECT_EQ(run_hex(host, Revision::Shanghai, code1024 + "80").status, Status::StackOverflow);
    EXPECT_EQ(run_hex(host, Revision::Shanghai, code1024 + "90").status, Status::Success);
}

TEST(EvmControl, OutOfGasConsumesAll) {
    MockHost host;
    const auto r = run_hex(host, Revision::Cancun, "6001600201", 8);
    EXPECT_EQ(r.status, Status::OutOfGas);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(run_hex(host, Revision::Cancun, "6001600201", 9).status, Status::Success);
}

TEST(EvmControl, ReturnAndRevert) {
    MockHost host;
    // MSTORE 0x2a at 0, RETURN/REVERT 32 bytes.
    auto r = run_hex(host, Revision::Cancun, "602a60005260206000f3", 100);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.output.size(), 32u);
    EXPECT_EQ(r.output[31], 0x2a);
    EXPECT_EQ(r.gas_left, 100 - (3 + 3 + 3 + 3 + 3 + 3));
    r = run_hex(host, Revision::Cancun, "602a60005260206000fd", 100);
    EXPECT_EQ(r.status, Status::Revert);
    EXPECT_EQ(r.output[31], 0x2a);
    EXPECT_EQ(r.gas_left, 100 - 18);
    // RETURN with size 0 at a huge offset is fine.
    r = run_code(host, Revision::Cancun, push(0) + push(uint256::max()) + op(0xf3));
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_TRUE(r.output.empty());
}

TEST(EvmControl, RefundIsDroppedOnRevert) {
    MockHost host;
    host.account(kSelf).storage[1] = {1, 1};
    // SSTORE 0 at slot 1 (refund), then REVERT.
    const auto r = run_hex(host, Revision::Istanbul, "600060015560006000fd");
    EXPECT_EQ(r.status, Status::Revert);
    EXPECT_EQ(r.gas_refund, 0);
}

TEST(EvmControl, InvalidOpcode) {
    MockHost host;
    const auto r = run_hex(host, Revision::Frontier, "fe");
    EXPECT_EQ(r.status, Status::InvalidInstruction);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(EvmControl, UndefinedOpcodesPerRevision) {
    struct Case {
        const char* code;
        Revision first_defined;
    };
    const Case cases[] = {
        {"5f", Revision::Shanghai},                     // PUSH0
        {"60016001f4", Revision::Homestead},            // DELEGATECALL (fails on stack before)
        {"3d", Revision::Byzantium},                    // RETURNDATASIZE
        {"600060006000fd", Revision::Byzantium},        // REVERT
        {"600160011b", Revision::Constantinople},       // SHL
        {"600160011c", Revision::Constantinople},       // SHR
        {"600160011d", Revision::Constantinople},       // SAR
        {"60003f", Revision::Constantinople},           // EXTCODEHASH
        {"46", Revision::Istanbul},                     // CHAINID
        {"47", Revision::Istanbul},                     // SELFBALANCE
        {"48", Revision::London},                       // BASEFEE
        {"60005c", Revision::Cancun},                   // TLOAD
        {"600060005d", Revision::Cancun},               // TSTORE
        {"6000600060005e", Revision::Cancun},           // MCOPY
        {"600049", Revision::Cancun},                   // BLOBHASH
        {"4a", Revision::Cancun},                       // BLOBBASEFEE
        {"60001e", Revision::Osaka},                    // CLZ
    };
    for (const auto& c : cases) {
        for (int rev = 0; rev <= static_cast<int>(Revision::Osaka); ++rev) {
            MockHost host;
            const auto r = run_hex(host, static_cast<Revision>(rev), c.code);
            const bool defined = rev >= static_cast<int>(c.first_defined);
            if (defined)
                EXPECT_NE(r.status, Status::UndefinedInstruction) << c.code << " rev " << rev;
            else
                EXPECT_EQ(r.status, Status::UndefinedInstruction) << c.code << " rev " << rev;
        }
    }
    for (const char* never : {"0c", "0f", "21", "4b", "a5", "ef", "f6", "fb", "fc"}) {
        MockHost host;
        EXPECT_EQ(run_hex(host, Revision::Osaka, never).status, Status::UndefinedInstruction) << never;
    }
}

TEST(EvmControl, PrevrandaoAndContextValues) {
    MockHost host;
    host.tx.prev_randao = 0x1234;
    host.tx.chain_id = 5;
    host.tx.base_fee = 7;
    host.tx.blob_base_fee = 9;
    host.tx.block_number = 1000;
    host.tx.timestamp = 77;
    host.tx.block_gas_limit = 30'000'000;
    host.tx.gas_price = 11;
    host.tx.origin = address_of(0x0419);
    host.tx.coinbase = address_of(0xc0);
    const Hash32 blobs[2] = {keccak256("a"), keccak256("b")};
    host.tx.blob_hashes = blobs;
    host.tx.blob_hashes_count = 2;
    auto value = [&](const bytes& code, Revision rev = Revision::Cancun) {
        const auto r = run_code(host, rev, code + ret_top(), 1'000'000, [](Message& m) {
            m.value = 99;
            m.input = {};
        });
        EXPECT_EQ(r.status, Status::Success);
        return uint256::load_be(r.output.data());
    };
    EXPECT_EQ(value(op(0x44)), 0x1234);
    EXPECT_EQ(value(op(0x44), Revision::Frontier), 0x1234);
    EXPECT_EQ(value(op(0x46)), 5);
    EXPECT_EQ(value(op(0x48)), 7);
    EXPECT_EQ(value(op(0x4a)), 9);
    EXPECT_EQ(value(op(0x43)), 1000);
    EXPECT_EQ(value(op(0x42)), 77);
    EXPECT_EQ(value(op(0x45)), 30'000'000);
    EXPECT_EQ(value(op(0x3a)), 11);
    EXPECT_EQ(value(op(0x32)), uint256::from_address(address_of(0x0419)));
    EXPECT_EQ(value(op(0x41)), uint256::from_address(address_of(0xc0)));
    EXPECT_EQ(value(op(0x30)), uint256::from_address(kSelf));
    EXPECT_EQ(value(op(0x33)), uint256::from_address(kCaller));
    EXPECT_EQ(value(op(0x34)), 99);
    EXPECT_EQ(value(push(1) + op(0x49)), uint256::from_hash(blobs[1]));
    EXPECT_EQ(value(push(2) + op(0x49)), 0);
    // BLOCKHASH: only the 256 blocks before the current one.
    EXPECT_EQ(value(push(999) + op(0x40)), uint256::from_hash(keccak256("999")));
    EXPECT_EQ(value(push(744) + op(0x40)), uint256::from_hash(keccak256("744")));
    EXPECT_EQ(value(push(743) + op(0x40)), 0);
    EXPECT_EQ(value(push(1000) + op(0x40)), 0);
    EXPECT_EQ(value(push(uint256::max()) + op(0x40)), 0);
}

TEST(EvmControl, CalldataOps) {
    MockHost host;
    const bytes input = code_from_hex("0102030405");
    auto run = [&](const bytes& code) {
        return run_code(host, Revision::Cancun, code, 1'000'000, [&](Message& m) { m.input = input; });
    };
    auto r = run(push(1) + op(0x35) + ret_top());  // CALLDATALOAD 1: zero padded
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(to_hex(r.output), "0203040500000000000000000000000000000000000000000000000000000000");
    r = run(push(uint256::max()) + op(0x35) + ret_top());
    EXPECT_EQ(uint256::load_be(r.output.data()), 0);
    r = run(op(0x36) + ret_top());
    EXPECT_EQ(uint256::load_be(r.output.data()), 5);
    // CALLDATACOPY 8 bytes from offset 3 to memory 0 -> 04 05 00..., then return 8 bytes.
    r = run(push(8) + push(3) + push(0) + op(0x37) + push(8) + push(0) + op(0xf3));
    EXPECT_EQ(to_hex(r.output), "0405000000000000");
    // Source offset beyond 2^64: all zeros.
    r = run(push(8) + push(uint256::max()) + push(0) + op(0x37) + push(8) + push(0) + op(0xf3));
    EXPECT_EQ(to_hex(r.output), "0000000000000000");
}

TEST(EvmControl, CodeCopy) {
    MockHost host;
    // CODECOPY(0, 0, 40) RETURN(0, 40): the code followed by zeros.
    const bytes code = push(40) + push(0) + push(0) + op(0x39) + push(40) + push(0) + op(0xf3);
    const auto r = run_code(host, Revision::Cancun, code);
    ASSERT_EQ(r.status, Status::Success);
    ASSERT_EQ(r.output.size(), 40u);
    EXPECT_TRUE(std::equal(code.begin(), code.end(), r.output.begin()));
    for (size_t i = code.size(); i < 40; ++i) EXPECT_EQ(r.output[i], 0);
    EXPECT_EQ(gas_used(r), 3 * 3 + 3 + 3 * 2 + 3 * 2 /*mem 2 words*/ + 3 * 2 + 0);
}

TEST(EvmControl, TransientStorage) {  // EIP-1153
    MockHost host;
    const auto r = run_code(host, Revision::Cancun, push(42) + push(7) + op(0x5d) + push(7) + op(0x5c) + ret_top());
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(uint256::load_be(r.output.data()), 42);
    EXPECT_EQ(gas_used(r), 3 + 3 + 100 + 3 + 100 + 15);  // + ret_top: 4 pushes/MSTORE 15 incl. 1 word
}

TEST(EvmControl, Mcopy) {  // EIP-5656
    MockHost host;
    // MSTORE 0x0102..., MCOPY(dst=1, src=0, 4) overlapping, return 8 bytes.
    const bytes code = push(*uint256::from_string("0x0102030405060708000000000000000000000000000000000000000000000000")) +
                       push(0) + op(0x52) + push(4) + push(0) + push(1) + op(0x5e) + push(8) + push(0) + op(0xf3);
    const auto r = run_code(host, Revision::Cancun, code);
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(to_hex(r.output), "0101020304060708");
    // MCOPY to a fresh region expands memory: 3 (base) + 3 (copy word) + expansion of 1 -> 2 words (3).
    const bytes code2 = push(32) + push(0) + push(32) + op(0x5e);
    const auto r2 = run_code(host, Revision::Cancun, code2);
    EXPECT_EQ(gas_used(r2), 9 + 3 + 3 + memory_cost(2));
}

// Block-level gas and stack checks (evm/analysis.hpp BlockCheck): what a block's check holds, and
// that the untraced interpreter with them ends every frame exactly as it does checking each
// instruction (same status, gas left, refund, output, storage, logs and calls), on generated
// programs run with gas limits around the points where they run out. The same runs cover the fused
// code (evm/fusion.hpp), which only the interpreter with block checks executes.
#include "evm/analysis.hpp"
#include "evm/fusion.hpp"
#include "evm/opcodes.hpp"
#include "mock_host.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace polyvm;
using namespace polyvm::test;

TEST(BlockChecks, GasAndStackNeedsOfEachBlock) {
    // Block 0: PUSH1 1, PUSH1 2, ADD, GAS (GAS ends a block). Block 6: DUP1, POP.
    // Block 8 (JUMPDEST): JUMPDEST, POP, POP, STOP. Block 12: the implicit STOP.
    const bytes code{OP_PUSH1, 1, OP_PUSH1, 2, OP_ADD, OP_GAS, OP_DUP1 + 0, OP_POP, OP_JUMPDEST, OP_POP, OP_POP, OP_STOP};
    const CodeAnalysis a = analyze(code, Revision::Cancun);
    ASSERT_TRUE(a.has_blocks_for(Revision::Cancun));
    EXPECT_FALSE(a.has_blocks_for(Revision::Prague));

    const BlockCheck first = block_check_at(a, 0);
    EXPECT_EQ(first.gas, 3u + 3 + 3 + 2);
    EXPECT_EQ(first.stack_min, 0);
    EXPECT_EQ(first.stack_heights, gas::kStackLimit - 2 + 1);  // two items at most above the entry
    const BlockCheck after_gas = block_check_at(a, 6);
    EXPECT_EQ(after_gas.gas, 3u + 2);
    EXPECT_EQ(after_gas.stack_min, 1);
    EXPECT_EQ(after_gas.stack_heights, gas::kStackLimit - 1 - 1 + 1);
    const BlockCheck jumpdest = block_check_at(a, 8);
    EXPECT_EQ(jumpdest.gas, 1u + 2 + 2);
    EXPECT_EQ(jumpdest.stack_min, 2);
    EXPECT_TRUE(jumpdest.admits(2, 5));
    EXPECT_FALSE(jumpdest.admits(1, 5));   // underflows within the block
    EXPECT_FALSE(jumpdest.admits(2, 4));   // runs out of gas within the block
    EXPECT_TRUE(jumpdest.admits(gas::kStackLimit, 5));
    const BlockCheck end = block_check_at(a, code.size());
    EXPECT_EQ(end.gas, 0u);
    EXPECT_TRUE(end.admits(0, 0));
    EXPECT_TRUE(end.admits(gas::kStackLimit, 0));

    // A block that can never run without a stack error always fails its check.
    bytes pops(gas::kStackLimit + 1, OP_POP);
    const CodeAnalysis too_deep = analyze(pops, Revision::Cancun);
    const BlockCheck impossible = block_check_at(too_deep, 0);
    for (uint64_t height : {0ul, 1ul, 1024ul}) EXPECT_FALSE(impossible.admits(height, 1'000'000));
}

TEST(BlockChecks, CacheKeepsOneAnalysisPerRevisionFusedFromTheSecondUse) {
    AnalysisCache cache;
    const bytes code{OP_PUSH1, 1, OP_PUSH1, 2, OP_ADD, OP_STOP};  // PUSH1 2 ADD is fused
    const auto cancun = cache.get(keccak256(code), code, Revision::Cancun);
    const auto prague = cache.get(keccak256(code), code, Revision::Prague);
    EXPECT_NE(cancun, prague);
    EXPECT_TRUE(cancun->has_blocks_for(Revision::Cancun));
    EXPECT_TRUE(prague->has_blocks_for(Revision::Prague));
    // The first use runs the code unfused; the second gets (and keeps) a fused analysis.
    EXPECT_FALSE(cancun->fused);
    EXPECT_EQ(cancun->fused_code, cancun->padded_code);
    const auto second = cache.get(keccak256(code), code, Revision::Cancun);
    EXPECT_NE(second, cancun);
    EXPECT_TRUE(second->fused);
    EXPECT_TRUE(is_fused_opcode(second->fused_code[2]));
    EXPECT_EQ(cache.get(keccak256(code), code, Revision::Cancun), second);
    EXPECT_EQ(cache.size(), 2u);
}

TEST(BlockChecks, FusedCodeMarksTheStartOfEachFusedSequence) {
    constexpr uint8_t kPush2 = OP_PUSH1 + 1, kPush4 = OP_PUSH1 + 3;
    // 0: PUSH2 9 JUMPI (a JUMPDEST: fused) | 4: PUSH2 5 JUMP (not a JUMPDEST: not fused) |
    // 8: 0xc3 (undefined, a fused opcode's byte) | 9: JUMPDEST PUSH1 1 SHL | 13: PUSH1 2 ADD |
    // 16: PUSH4 sel EQ PUSH2 9 JUMPI | 26: ISZERO PUSH2 4 JUMPI (not a JUMPDEST: ISZERO alone) |
    // 31: PUSH1 3 at the end, with nothing after it to fuse with.
    const bytes code{kPush2, 0, 9, OP_JUMPI, kPush2, 0, 5, OP_JUMP, 0xc3, OP_JUMPDEST, OP_PUSH1, 1, OP_SHL,
                     OP_PUSH1, 2, OP_ADD, kPush4, 1, 2, 3, 4, OP_EQ, kPush2, 0, 9, OP_JUMPI,
                     OP_ISZERO, kPush2, 0, 4, OP_JUMPI, OP_PUSH1, 3};
    auto fused_opcode = [](std::initializer_list<uint8_t> sequence) {
        const Fusion wanted(sequence);
        for (size_t i = 0; i < kFusions.size(); ++i)
            if (kFusions[i].ops == wanted.ops && kFusions[i].length == wanted.length)
                return static_cast<uint8_t>(kFirstFusedOpcode + i);
        ADD_FAILURE() << "not a fused sequence";
        return uint8_t{0};
    };
    const CodeAnalysis osaka = analyze(code, Revision::Osaka);
    ASSERT_EQ(osaka.fused_code.size(), osaka.padded_code.size());
    bytes expected = osaka.padded_code;
    expected[0] = fused_opcode({kPush2, OP_JUMPI});
    expected[8] = kUndefinedInFusedCode;
    expected[9] = fused_opcode({OP_JUMPDEST, OP_PUSH1});
    expected[10] = fused_opcode({OP_PUSH1, OP_SHL});
    expected[13] = fused_opcode({OP_PUSH1, OP_ADD});
    expected[16] = fused_opcode({kPush4, OP_EQ, kPush2, OP_JUMPI});
    expected[21] = fused_opcode({OP_EQ, kPush2, OP_JUMPI});
    expected[22] = fused_opcode({kPush2, OP_JUMPI});
    EXPECT_EQ(to_hex(osaka.fused_code), to_hex(expected));
    for (const size_t i : {0, 9, 10, 13, 16, 21, 22}) EXPECT_TRUE(is_fused_opcode(expected[i])) << i;
    // SHL is undefined before Constantinople: PUSH1 SHL stays as it is there.
    const CodeAnalysis frontier = analyze(code, Revision::Frontier);
    expected[10] = OP_PUSH1;
    EXPECT_EQ(to_hex(frontier.fused_code), to_hex(expected));
    // Without a revision there is no fused code (and no block checks).
    EXPECT_TRUE(analyze(code).fused_code.empty());
}

namespace {

/// A random program of `length` instructions: arithmetic, stack shuffles, memory, storage, logs,
/// calls, GAS, jumps to its own JUMPDESTs (loops end by running out of gas) and halts, with stack
/// underflows, undefined opcodes and bad jumps now and then.
bytes random_program(std::mt19937_64& rng, int length) {
    struct Instruction {
        uint8_t op;
        uint8_t immediate;  // PUSH1's byte; for a jump target, the index of a JUMPDEST
        bool target = false;
    };
    std::vector<Instruction> program;
    std::vector<int> jumpdests;
    // With every second instruction of a fused pair (evm/fusion.hpp) among them.
    static constexpr uint8_t kPlain[] = {OP_ADD, OP_MUL, OP_SUB, OP_DIV, OP_LT, OP_GT, OP_SLT, OP_EQ, OP_ISZERO, OP_AND, OP_OR,
                                         OP_NOT, OP_SHL, OP_SHR, OP_POP, OP_MLOAD, OP_MSTORE, OP_SLOAD, OP_SSTORE,
                                         OP_GAS, OP_CALLDATASIZE, OP_ADDRESS, OP_MSIZE, OP_PC, OP_TLOAD, OP_LOG0, OP_EXP,
                                         OP_KECCAK256, OP_RETURNDATACOPY, OP_RETURNDATASIZE, OP_TSTORE, OP_LOG0 + 2};
    for (int i = 0; i < length; ++i) {
        const uint64_t pick = rng() % 100;
        if (pick < 25) {
            program.push_back({OP_PUSH1, static_cast<uint8_t>(rng() % 4 ? rng() % 64 : rng())});
        } else if (pick < 30) {
            // PUSH2 of a small constant or a memory offset, then what it is fused with.
            program.push_back({OP_PUSH1 + 1, static_cast<uint8_t>(rng() % 64)});
            static constexpr uint8_t kAfterPush2[] = {OP_MLOAD, OP_MSTORE, OP_AND, OP_ADD, OP_MUL, OP_DUP1 + 1};
            program.push_back({kAfterPush2[rng() % std::size(kAfterPush2)], 0});
        } else if (pick < 45) {
            program.push_back({static_cast<uint8_t>(OP_DUP1 + rng() % 4), 0});
        } else if (pick < 55) {
            program.push_back({static_cast<uint8_t>(OP_SWAP1 + rng() % 3), 0});
        } else if (pick < 80) {
            program.push_back({kPlain[rng() % std::size(kPlain)], 0});
        } else if (pick < 87) {
            jumpdests.push_back(static_cast<int>(program.size()));
            program.push_back({OP_JUMPDEST, 0});
        } else if (pick < 94) {
            // PUSH2 of a JUMPDEST (resolved below), then JUMP or JUMPI; a JUMPI's condition is
            // often pushed just before, half of the time zero (falls through).
            const bool conditional = rng() % 3 != 0;
            if (conditional && rng() % 2) program.push_back({OP_PUSH1, static_cast<uint8_t>(rng() % 2)});
            program.push_back({OP_PUSH1 + 1, 0, true});
            program.push_back({conditional ? OP_JUMPI : OP_JUMP, 0});
        } else if (pick < 96) {
            // A call: gas, address, value, in offset, in size, out offset, out size.
            for (int k = 0; k < 6; ++k) program.push_back({OP_PUSH1, static_cast<uint8_t>(rng() % 32)});
            program.push_back({OP_GAS, 0});
            program.push_back({rng() % 2 ? OP_STATICCALL : OP_CALL, 0});
        } else {
            // Undefined: 0x0c, and 0xc3, a fused opcode's byte (fused code must not run it as one).
            static constexpr uint8_t kEnds[] = {OP_STOP, OP_RETURN, OP_REVERT, OP_INVALID, 0x0c, 0xc3};
            program.push_back({kEnds[rng() % std::size(kEnds)], 0});
        }
    }
    bytes code;
    std::vector<size_t> positions;
    for (const Instruction& in : program) {
        positions.push_back(code.size());
        code.push_back(in.op);
        if (in.op == OP_PUSH1) code.push_back(in.immediate);
        if (in.op == OP_PUSH1 + 1) code.insert(code.end(), {0, in.immediate});
    }
    for (size_t i = 0; i < program.size(); ++i) {
        if (!program[i].target) continue;
        // Mostly a JUMPDEST; sometimes a position that is not one (a bad jump).
        const size_t to = jumpdests.empty() || rng() % 10 == 0 ? rng() % (code.size() + 2)
                                                               : positions[static_cast<size_t>(jumpdests[rng() % jumpdests.size()])];
        code[positions[i] + 1] = static_cast<uint8_t>(to >> 8);
        code[positions[i] + 2] = static_cast<uint8_t>(to);
    }
    return code;
}

struct Outcome {
    ExecutionResult result;
    MockHost host;
};

enum class Checks { PerInstruction, Blocks, BlocksAndFused };

Outcome run_with(const bytes& code, Revision rev, int64_t gas, Checks checks, bool is_static = false) {
    const bool block_checks = checks != Checks::PerInstruction;
    Outcome out;
    out.host.account(kSelf).balance = uint256{1'000'000};
    out.host.account(kSelf).storage[uint256{1}] = {uint256{5}, uint256{5}};
    // Nested calls use part of what they are given, so the 63/64 rule shows in the gas left.
    out.host.call_handler = [](const Message& msg) {
        ExecutionResult r;
        r.status = Status::Success;
        r.gas_left = msg.gas / 2;
        return r;
    };
    Message msg;
    msg.gas = gas;
    msg.recipient = kSelf;
    msg.code_address = kSelf;
    msg.sender = kCaller;
    msg.is_static = is_static;
    const CodeAnalysis analysis =
        block_checks ? analyze(code, rev, checks == Checks::BlocksAndFused ? FusedCode::Yes : FusedCode::No) : analyze(code);
    EXPECT_EQ(analysis.has_blocks_for(rev), block_checks);
    out.result = execute(out.host, rev, msg, analysis);
    return out;
}

void expect_same(const Outcome& checked, const Outcome& blocks, const std::string& what) {
    EXPECT_EQ(checked.result.status, blocks.result.status) << what;
    EXPECT_EQ(checked.result.gas_left, blocks.result.gas_left) << what;
    EXPECT_EQ(checked.result.gas_refund, blocks.result.gas_refund) << what;
    EXPECT_EQ(checked.result.output, blocks.result.output) << what;
    EXPECT_EQ(checked.host.calls.size(), blocks.host.calls.size()) << what;
    for (size_t i = 0; i < std::min(checked.host.calls.size(), blocks.host.calls.size()); ++i)
        EXPECT_EQ(checked.host.calls[i].msg.gas, blocks.host.calls[i].msg.gas) << what << " call " << i;
    EXPECT_EQ(checked.host.logs.size(), blocks.host.logs.size()) << what;
    const auto& a = checked.host.accounts.at(kSelf).storage;
    const auto& b = blocks.host.accounts.at(kSelf).storage;
    EXPECT_EQ(a.size(), b.size()) << what;
    for (const auto& [key, slot] : a) {
        const auto it = b.find(key);
        ASSERT_NE(it, b.end()) << what;
        EXPECT_EQ(slot.current, it->second.current) << what;
    }
}

}  // namespace

TEST(BlockChecks, GeneratedProgramsEndAsWithPerInstructionChecks) {
    std::mt19937_64 rng(2026);
    const Revision revisions[] = {Revision::Frontier, Revision::Homestead, Revision::Byzantium, Revision::Istanbul,
                                  Revision::Berlin, Revision::Cancun, Revision::Osaka};
    int runs = 0, out_of_gas = 0, stack_errors = 0, other_halts = 0;
    for (int program = 0; program < 600; ++program) {
        const bytes code = random_program(rng, 8 + static_cast<int>(rng() % 120));
        const Revision rev = revisions[rng() % std::size(revisions)];
        const bool is_static = rng() % 4 == 0;  // LOG, TSTORE, SSTORE and value calls halt
        const int64_t full = 200'000;
        const Outcome reference = run_with(code, rev, full, Checks::PerInstruction, is_static);
        // Limits around where the run ends, and at random below it.
        const int64_t used = full - reference.result.gas_left;
        std::vector<int64_t> limits{full, used, used - 1, used + 1, 0, 1, 2, 3};
        for (int k = 0; k < 6; ++k) limits.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(used + 2)));
        for (const int64_t gas : limits) {
            if (gas < 0) continue;
            const Outcome checked = run_with(code, rev, gas, Checks::PerInstruction, is_static);
            const std::string what = "program " + std::to_string(program) + " (" + to_hex(code) + ") rev " +
                                     std::to_string(static_cast<int>(rev)) + " gas " + std::to_string(gas) +
                                     (is_static ? " static" : "");
            expect_same(checked, run_with(code, rev, gas, Checks::Blocks, is_static), what + " blocks");
            expect_same(checked, run_with(code, rev, gas, Checks::BlocksAndFused, is_static), what + " fused");
            ++runs;
            out_of_gas += checked.result.status == Status::OutOfGas;
            stack_errors += checked.result.status == Status::StackUnderflow || checked.result.status == Status::StackOverflow;
            other_halts += checked.result.status == Status::InvalidMemoryAccess || checked.result.status == Status::StaticModeViolation;
        }
        if (HasFailure()) break;
    }
    // The generator reaches the cases that matter: runs out of gas and stack errors, many times.
    EXPECT_GT(out_of_gas, runs / 10) << runs;
    EXPECT_GT(other_halts, 20) << runs;
    EXPECT_GT(stack_errors, runs / 20) << runs;
}

// Found by fuzz_evm_execution (traced against untraced): a block's base gas is charged on entry,
// so RETURNDATACOPY's own gas once saw less than the EVM has there and halted OutOfGas where the
// EVM pays it and halts on reading past the return data; likewise an MSTORE's expansion before a
// LOG in a static frame. Those instructions are blocks of their own (checked_alone).
TEST(BlockChecks, HaltsOfInstructionsCheckedAloneAreTheEvmsOwn) {
    // PUSH2 1003 PUSH1 0 PUSH1 0 RETURNDATACOPY, then 60 x (ADDRESS POP): 5 gas each.
    bytes copy_past_end{OP_PUSH1 + 1, 0x03, 0xeb, OP_PUSH1, 0, OP_PUSH1, 0, OP_RETURNDATACOPY};
    for (int i = 0; i < 60; ++i) copy_past_end.insert(copy_past_end.end(), {OP_ADDRESS, OP_POP});
    // PUSH1 1 PUSH2 0x100 MSTORE (expansion to 0x120 bytes) PUSH1 0 PUSH1 0 LOG0.
    const bytes log_in_static{OP_PUSH1, 1, OP_PUSH1 + 1, 0x01, 0x00, OP_MSTORE, OP_PUSH1, 0, OP_PUSH1, 0, OP_LOG0};
    struct Case {
        const bytes& code;
        bool is_static;
        int64_t gas;
        Status status;
    };
    // 9 for the pushes, 3 + 96 + 98 for the copy (32 words copied, memory from 0 to 32 words);
    // 3 + 3 + 3 + 27 for the store (memory to 9 words), 6 + 375 for LOG0's pushes and base.
    for (const Case& c : {Case{copy_past_end, false, 9 + 197 + 50, Status::InvalidMemoryAccess},
                          Case{log_in_static, true, 36 + 381, Status::StaticModeViolation},
                          Case{log_in_static, true, 36 + 380, Status::OutOfGas}}) {
        const Outcome checked = run_with(c.code, Revision::Cancun, c.gas, Checks::PerInstruction, c.is_static);
        EXPECT_EQ(checked.result.status, c.status) << to_hex(c.code);
        expect_same(checked, run_with(c.code, Revision::Cancun, c.gas, Checks::Blocks, c.is_static), "blocks");
        expect_same(checked, run_with(c.code, Revision::Cancun, c.gas, Checks::BlocksAndFused, c.is_static), "fused");
    }
}

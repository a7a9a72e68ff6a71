// EIP-3155 tracer output and the disassembler.
#include "mock_host.hpp"
#include "evm/disassembler.hpp"
#include "evm/opcodes.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace polyvm;
using namespace polyvm::test;

TEST(EvmTracer, Eip3155Lines) {
    MockHost host;
    std::ostringstream out;
    Eip3155Tracer tracer(out);
    const bytes code = code_from_hex("6001600201");
    const auto r = run_code(host, Revision::Cancun, code, 100, {}, &tracer);
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(out.str(),
              "{\"pc\":0,\"op\":96,\"gas\":\"0x64\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[],\"depth\":1,"
              "\"refund\":0,\"opName\":\"PUSH1\"}\n"
              "{\"pc\":2,\"op\":96,\"gas\":\"0x61\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[\"0x1\"],\"depth\":1,"
              "\"refund\":0,\"opName\":\"PUSH1\"}\n"
              "{\"pc\":4,\"op\":1,\"gas\":\"0x5e\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[\"0x1\",\"0x2\"],"
              "\"depth\":1,\"refund\":0,\"opName\":\"ADD\"}\n"
              "{\"output\":\"\",\"gasUsed\":\"0x9\"}\n");
}

TEST(EvmTracer, ErrorSummaryAndExplicitStop) {
    MockHost host;
    std::ostringstream out;
    Eip3155Tracer tracer(out);
    const bytes code = code_from_hex("00");
    run_code(host, Revision::Cancun, code, 100, {}, &tracer);
    EXPECT_NE(out.str().find("\"opName\":\"STOP\""), std::string::npos);  // an explicit STOP is traced

    std::ostringstream out2;
    Eip3155Tracer tracer2(out2);
    const bytes bad = code_from_hex("01");
    run_code(host, Revision::Cancun, bad, 100, {}, &tracer2);
    EXPECT_NE(out2.str().find("{\"output\":\"\",\"gasUsed\":\"0x64\",\"error\":\"stack underflow\"}"),
              std::string::npos)
        << out2.str();
}

TEST(EvmTracer, NestedDepthHasNoSummary) {
    MockHost host;
    std::ostringstream out;
    Eip3155Tracer tracer(out);
    const bytes code = code_from_hex("6001");
    run_code(host, Revision::Cancun, code, 100, [](Message& m) { m.depth = 2; }, &tracer);
    EXPECT_EQ(out.str(),
              "{\"pc\":0,\"op\":96,\"gas\":\"0x64\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[],\"depth\":3,"
              "\"refund\":0,\"opName\":\"PUSH1\"}\n");
}

TEST(EvmTracer, TracedAndUntracedAgree) {
    // A small loop with memory, storage and a refund: identical results either way.
    const bytes code = code_from_hex("600a5b600190038060005260205f2050806002575f6000555f5ff3");
    MockHost h1, h2;
    h1.account(kSelf).storage[0] = {1, 1};
    h2.account(kSelf).storage[0] = {1, 1};
    std::ostringstream out;
    Eip3155Tracer tracer(out);
    const auto a = run_code(h1, Revision::Cancun, code, 100000);
    const auto b = run_code(h2, Revision::Cancun, code, 100000, {}, &tracer);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.gas_left, b.gas_left);
    EXPECT_EQ(a.gas_refund, b.gas_refund);
    EXPECT_EQ(a.output, b.output);
}

TEST(EvmDisassembler, Listing) {
    EXPECT_EQ(disassemble(code_from_hex("6080604052600c5f0061ff")),
              "0000 PUSH1 0x80\n"
              "0002 PUSH1 0x40\n"
              "0004 MSTORE\n"
              "0005 PUSH1 0x0c\n"
              "0007 PUSH0\n"
              "0008 STOP\n"
              "0009 PUSH2 0xff (truncated)\n");
    EXPECT_EQ(disassemble(code_from_hex("0cfe44")), "0000 UNDEFINED(0x0c)\n0001 INVALID\n0002 PREVRANDAO\n");
    EXPECT_EQ(disassemble({}), "");
}

TEST(EvmOpcodeTable, Consistency) {
    EXPECT_EQ(kOpcodeTable[OP_PUSH32].immediate_size, 32);
    EXPECT_EQ(kOpcodeTable[0x8f].inputs, 16);
    EXPECT_EQ(kOpcodeTable[0x8f].outputs, 17);
    EXPECT_EQ(kOpcodeTable[0x9f].inputs, 17);
    EXPECT_EQ(kOpcodeTable[OP_CALL].inputs, 7);
    EXPECT_EQ(kOpcodeTable[OP_DELEGATECALL].inputs, 6);
    EXPECT_EQ(opcode_name(0xa4), "LOG4");
    EXPECT_EQ(opcode_name(0x20), "KECCAK256");
    int defined = 0;
    for (int op = 0; op < 256; ++op) defined += is_defined(static_cast<uint8_t>(op), Revision::Cancun);
    EXPECT_EQ(defined, 149);  // Cancun's instruction set, INVALID included
}

TEST(EvmStatus, Names) {
    EXPECT_STREQ(status_name(Status::Success), "success");
    EXPECT_STREQ(status_name(Status::OutOfGas), "out of gas");
}

TEST(EvmTracer, GasCostIncludesDynamicParts) {
    // PUSH1 1, PUSH1 0, MSTORE (3 + 3 for the first memory word), PUSH1 1, PUSH1 0, SSTORE
    // (cold slot 2100 + set 20000 under Cancun), STOP.
    MockHost host;
    std::ostringstream out;
    Eip3155Tracer tracer(out);
    const bytes code = code_from_hex("600160005260016000550000");
    const auto r = run_code(host, Revision::Cancun, code, 100000, {}, &tracer);
    ASSERT_EQ(r.status, Status::Success);
    const std::string trace = out.str();
    EXPECT_NE(trace.find("\"gasCost\":\"0x6\",\"memSize\":0,\"stack\":[\"0x1\",\"0x0\"],\"depth\":1,\"refund\":0,"
                         "\"opName\":\"MSTORE\""),
              std::string::npos)
        << trace;
    EXPECT_NE(trace.find("\"gasCost\":\"0x5654\""), std::string::npos) << trace;  // 22100
    // The frame's last instruction is costed from the gas the frame returns.
    EXPECT_NE(trace.find("\"pc\":10,\"op\":0,\"gas\":\"0x1303a\",\"gasCost\":\"0x0\""), std::string::npos) << trace;
}

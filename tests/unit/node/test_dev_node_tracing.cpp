// geth's flatCallTracer through debug_traceTransaction / debug_traceBlockByNumber /
// debug_traceCall: callTracer's tree in Parity's flat form, precompile calls left out unless
// asked for, geth's error texts unless Parity's are asked for.
#include "node_fixture.hpp"

#include "common/hex.hpp"

using namespace polyvm;
using polyvm::test::NodeFixture;

namespace {
const std::string kA = "0x00000000000000000000000000000000000a11ce";
const std::string kB = "0x0000000000000000000000000000000000000b0b";
// A: STATICCALL the identity precompile (0x04) on nothing, then CALL B; STOP.
const std::string kACode = "0x" "600060006000600060045afa50" "6000600060006000600073" "0000000000000000000000000000000000000b0b" "5af150" "00";
// B: REVERT(0, 0).
const std::string kBCode = "0x60006000fd";

rpc::json call_a(NodeFixture& f, size_t nonce) { return f.send(f.signed_transaction(0, nonce, Address::from(*from_hex(kA)), 200'000)); }
}  // namespace

TEST(DevNodeTracing, FlatCallTracer) {
    NodeFixture f;
    ASSERT_TRUE(f.call("anvil_setCode", {kA, kACode}).contains("result"));
    ASSERT_TRUE(f.call("anvil_setCode", {kB, kBCode}).contains("result"));
    const rpc::json sent = call_a(f, 0);
    ASSERT_TRUE(sent.contains("result")) << sent.dump();
    const std::string hash = sent["result"];

    const rpc::json flat = f.call("debug_traceTransaction", {hash, {{"tracer", "flatCallTracer"}}});
    ASSERT_TRUE(flat.contains("result")) << flat.dump();
    const rpc::json& r = flat["result"];
    SCOPED_TRACE(r.dump(2));
    ASSERT_EQ(r.size(), 2u);  // the top call and B; the identity precompile left out
    EXPECT_EQ(r[0]["type"], "call");
    EXPECT_EQ(r[0]["action"]["to"], kA);
    EXPECT_EQ(r[0]["subtraces"], 1);
    EXPECT_EQ(r[0]["traceAddress"], rpc::json::array());
    EXPECT_EQ(r[0]["transactionHash"], hash);
    EXPECT_EQ(r[0]["transactionPosition"], 0);
    EXPECT_EQ(r[0]["blockNumber"], f.head());
    EXPECT_EQ(r[1]["action"]["to"], kB);
    EXPECT_EQ(r[1]["traceAddress"], rpc::json::array({0}));
    EXPECT_EQ(r[1]["error"], "execution reverted");  // geth's words by default
    EXPECT_TRUE(r[1]["result"].is_null());

    // Parity's words and the precompile on request; then it is what trace_transaction gives.
    const rpc::json parity = f.call("debug_traceTransaction",
                                    {hash, {{"tracer", "flatCallTracer"},
                                            {"tracerConfig", {{"convertParityErrors", true}, {"includePrecompiles", true}}}}});
    const rpc::json expected = f.call("trace_transaction", {hash});
    ASSERT_TRUE(parity.contains("result")) << parity.dump();
    EXPECT_EQ(parity["result"], expected["result"]);
    EXPECT_EQ(parity["result"].size(), 3u);

    // A block's transactions, each under its hash.
    const rpc::json block = f.call("debug_traceBlockByNumber", {"latest", {{"tracer", "flatCallTracer"}}});
    ASSERT_TRUE(block.contains("result")) << block.dump();
    ASSERT_EQ(block["result"].size(), 1u);
    EXPECT_EQ(block["result"][0]["txHash"], hash);
    EXPECT_EQ(block["result"][0]["result"], r);

    // A call: the same form, without a block's location.
    const rpc::json call = f.call("debug_traceCall", {{{"from", rpc::hex(f.node->accounts()[0].address)}, {"to", kA}},
                                                      "latest", {{"tracer", "flatCallTracer"}}});
    ASSERT_TRUE(call.contains("result")) << call.dump();
    ASSERT_EQ(call["result"].size(), 2u);
    EXPECT_FALSE(call["result"][0].contains("blockHash"));

    // A bad configuration is an invalid-params error naming the field.
    const rpc::json bad = f.call("debug_traceTransaction", {hash, {{"tracer", "flatCallTracer"}, {"tracerConfig", {{"includePrecompiles", 1}}}}});
    ASSERT_TRUE(bad.contains("error"));
    EXPECT_EQ(bad["error"]["code"], -32602);
    EXPECT_NE(bad["error"]["message"].get<std::string>().find("includePrecompiles"), std::string::npos);
}

// debug_traceCall takes geth's stateOverrides and blockOverrides in its configuration: the call
// runs over the overridden code and block fields, the chain is left as it was.
TEST(DevNodeTracing, TraceCallWithOverrides) {
    NodeFixture f;
    const std::string from = rpc::hex(f.node->accounts()[0].address);
    // NUMBER, PUSH0, SSTORE, STOP: the block number the call saw lands in a structLog's storage.
    const rpc::json overrides = {{kA, {{"code", "0x435f5500"}}}};
    const rpc::json traced = f.call("debug_traceCall", {{{"from", from}, {"to", kA}}, "latest",
                                                        {{"stateOverrides", overrides}, {"blockOverrides", {{"number", "0x4d2"}}}}});
    ASSERT_TRUE(traced.contains("result")) << traced.dump();
    const rpc::json& logs = traced["result"]["structLogs"];
    SCOPED_TRACE(traced.dump(2));
    ASSERT_EQ(logs.size(), 4u);
    EXPECT_EQ(logs[0]["op"], "NUMBER");
    EXPECT_EQ(logs[2]["op"], "SSTORE");
    EXPECT_EQ(logs[2]["stack"][0], "0x4d2");  // SSTORE's value (under the key): the overridden block number
    EXPECT_FALSE(traced["result"]["failed"]);

    // Without the overrides the address has no code; the chain kept none of them.
    const rpc::json plain = f.call("debug_traceCall", {{{"from", from}, {"to", kA}}, "latest", rpc::json::object()});
    ASSERT_TRUE(plain.contains("result")) << plain.dump();
    EXPECT_TRUE(plain["result"]["structLogs"].empty());
    EXPECT_EQ(f.call("eth_getCode", {kA, "latest"})["result"], "0x");

    // A bad override is an invalid-params error, as in eth_call.
    const rpc::json bad = f.call("debug_traceCall", {{{"from", from}, {"to", kA}}, "latest",
                                                     {{"stateOverrides", {{kA, {{"balance", "not a number"}}}}}}});
    ASSERT_TRUE(bad.contains("error")) << bad.dump();
    EXPECT_EQ(bad["error"]["code"], -32602);
}

// eth_getProof at the head comes from the database's stored trie nodes; at an older block it is
// built from that block's whole state. The same state gives the same answer either way.
TEST(DevNodeProofs, StoredNodesAndRebuiltTriesGiveTheSameProofs) {
    NodeFixture f;
    const std::string token = "0x00000000000000000000000000000000000070c3";
    ASSERT_TRUE(f.call("anvil_setCode", {token, kBCode}).contains("result"));
    for (int slot = 1; slot <= 40; ++slot)
        ASSERT_TRUE(f.call("anvil_setStorageAt", {token, rpc::quantity(uint256(slot)), "0x" + std::string(62, '0') + "2a"}).contains("result"));
    ASSERT_TRUE(f.call("evm_mine", rpc::json::array()).contains("result"));  // the changes go into a block
    const uint64_t at = f.head();
    const std::string block = rpc::quantity(at);
    const std::vector<std::pair<std::string, rpc::json>> queries = {
        {token, {"0x1", "0x28", "0x29"}},                                 // two slots and an absent one
        {rpc::hex(f.node->accounts()[0].address), {"0x0"}},               // an account without storage
        {"0x00000000000000000000000000000000deadbeef", {"0x0"}},          // no account
    };
    std::vector<rpc::json> at_head;
    for (const auto& [address, keys] : queries) {
        const rpc::json r = f.call("eth_getProof", {address, keys, block});
        ASSERT_TRUE(r.contains("result")) << r.dump();
        at_head.push_back(r["result"]);
    }
    EXPECT_EQ(at_head[0]["storageProof"][0]["value"], "0x2a");
    EXPECT_FALSE(at_head[0]["storageProof"][0]["proof"].empty());
    EXPECT_FALSE(at_head[0]["accountProof"].empty());
    ASSERT_TRUE(f.call("evm_mine", rpc::json::array()).contains("result"));  // `at` is no longer the head
    for (size_t i = 0; i < queries.size(); ++i) {
        const rpc::json r = f.call("eth_getProof", {queries[i].first, queries[i].second, block});
        ASSERT_TRUE(r.contains("result")) << r.dump();
        EXPECT_EQ(r["result"], at_head[i]) << queries[i].first;
    }
}

// trace_filter as Anvil answers it: a block range (a toBlock past the head is the head), traces
// from any fromAddress or to any toAddress (either matches), internal calls included, `after`
// and `count` over what matches.
TEST(DevNodeTracing, TraceFilter) {
    NodeFixture f;
    ASSERT_TRUE(f.call("anvil_setCode", {kA, kACode}).contains("result"));
    ASSERT_TRUE(f.call("anvil_setCode", {kB, kBCode}).contains("result"));
    const auto account = [&](size_t i) { return polyvm::rpc::hex(f.node->accounts()[i].address); };
    ASSERT_TRUE(f.send(f.transfer(0, 0)).contains("result"));  // block 1: 0 -> 9
    ASSERT_TRUE(f.send(f.transfer(1, 0)).contains("result"));  // block 2: 1 -> 9
    ASSERT_TRUE(call_a(f, 1).contains("result"));                // block 3: 0 -> A, A -> identity, A -> B
    const auto filter = [&](rpc::json criteria) {
        const rpc::json answer = f.call("trace_filter", rpc::json::array({criteria}));
        EXPECT_TRUE(answer.contains("result")) << answer.dump();
        std::vector<std::pair<uint64_t, std::string>> out;  // (block, to)
        for (const rpc::json& t : answer["result"]) out.emplace_back(t["blockNumber"].get<uint64_t>(), t["action"]["to"].get<std::string>());
        return out;
    };
    using Traces = std::vector<std::pair<uint64_t, std::string>>;
    const std::string identity = "0x0000000000000000000000000000000000000004";  // Parity's traces keep precompile calls
    const Traces all = {{1, account(9)}, {2, account(9)}, {3, kA}, {3, identity}, {3, kB}};
    EXPECT_EQ(filter(rpc::json::object()), all);
    EXPECT_EQ(filter({{"fromBlock", "0x0"}, {"toBlock", "0x99"}}), all);
    EXPECT_EQ(filter({{"fromBlock", "0x2"}, {"toBlock", "0x2"}}), (Traces{{2, account(9)}}));
    EXPECT_EQ(filter({{"fromAddress", {account(0)}}}), (Traces{{1, account(9)}, {3, kA}}));
    EXPECT_EQ(filter({{"toAddress", {kB}}}), (Traces{{3, kB}}));  // an internal call
    EXPECT_EQ(filter({{"fromAddress", {account(1)}}, {"toAddress", {kB}}}), (Traces{{2, account(9)}, {3, kB}}));
    EXPECT_EQ(filter({{"after", 1}, {"count", 2}}), (Traces{{2, account(9)}, {3, kA}}));
    EXPECT_EQ(filter({{"count", "0x1"}}), (Traces{{1, account(9)}}));
    // The entries are trace_block's.
    const rpc::json block3 = f.call("trace_block", {"0x3"});
    const rpc::json filtered = f.call("trace_filter", rpc::json::array({rpc::json{{"fromBlock", "0x3"}, {"toBlock", "0x3"}}}));
    EXPECT_EQ(filtered["result"], block3["result"]);
    EXPECT_EQ(f.call("trace_filter", rpc::json::array({rpc::json{{"fromBlock", "0x3"}, {"toBlock", "0x1"}}}))["error"]["code"], -32602);
    EXPECT_EQ(f.call("trace_filter", rpc::json::array({rpc::json{{"fromAddress", "0x12"}}}))["error"]["code"], -32602);
}

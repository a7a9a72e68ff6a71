// Otterscan's ots_* methods on a small chain: a transfer with call data, a contract that forwards
// the value it receives and creates a child, a contract that reverts with data, and a block of
// several transactions.
#include "node_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

namespace {
std::string init_code(const std::string& runtime) {
    char prefix[64];
    const unsigned size = static_cast<unsigned>(runtime.size() / 2) & 0xff;  // one PUSH1 byte: runtimes here are short
    std::snprintf(prefix, sizeof prefix, "60%02x600c60003960%02x6000f3", size, size);
    return "0x" + std::string(prefix) + runtime;
}

struct Chain {
    NodeFixture f;
    std::string a0, a1, a2, forwarder, reverter;
    std::string transfer, deploy_forwarder, forward, revert;

    std::string send(const rpc::json& tx) { return result_of(f.call("eth_sendTransaction", rpc::json::array({tx}))).get<std::string>(); }
    rpc::json receipt(const std::string& hash) { return result_of(f.call("eth_getTransactionReceipt", {hash})); }
    rpc::json ots(const std::string& method, const rpc::json& params) { return result_of(f.call(method, params)); }

    Chain() {
        const auto account = [&](size_t i) { return rpc::hex(f.node->accounts()[i].address); };
        a0 = account(0), a1 = account(1), a2 = account(2);
        transfer = send({{"from", a0}, {"to", a1}, {"value", "0x1"}, {"data", "0xa9059cbb00112233"}});  // block 1
        // Sends its call value to a2, then CREATEs an empty contract.
        const std::string runtime = "60006000600060003473" + a2.substr(2) + "5af150" + "600060006000f050" + "00";
        deploy_forwarder = send({{"from", a0}, {"data", init_code(runtime)}});  // block 2
        forwarder = receipt(deploy_forwarder)["contractAddress"];
        forward = send({{"from", a1}, {"to", forwarder}, {"value", "0x5"}, {"gas", "0x30000"}});  // block 3
        // REVERT with the four bytes 0xdeadbeef.
        reverter = receipt(send({{"from", a0}, {"data", init_code("6004600c60003960046000fd" "deadbeef")}}))["contractAddress"];  // block 4
        revert = send({{"from", a0}, {"to", reverter}, {"gas", "0x30000"}});  // block 5
    }
};
}  // namespace

TEST(DevNodeOtterscan, CodeErrorsAndBlocks) {
    Chain c;
    EXPECT_EQ(c.ots("ots_getApiLevel", rpc::json::array()), 8);
    EXPECT_EQ(c.ots("ots_hasCode", {c.forwarder, "latest"}), true);
    EXPECT_EQ(c.ots("ots_hasCode", {c.forwarder, "0x1"}), false);
    EXPECT_EQ(c.ots("ots_hasCode", {c.a0, "latest"}), false);
    EXPECT_EQ(c.ots("ots_getTransactionError", {c.revert}), "0xdeadbeef");
    EXPECT_EQ(c.ots("ots_getTransactionError", {c.transfer}), "0x");

    const rpc::json details = c.ots("ots_getBlockDetails", rpc::json::array({3}));
    EXPECT_EQ(details["block"]["transactionCount"], 1);
    EXPECT_FALSE(details["block"].contains("transactions"));
    EXPECT_TRUE(details["block"]["logsBloom"].is_null());
    EXPECT_EQ(details["issuance"]["issuance"], "0x0");
    const rpc::json r = c.receipt(c.forward);
    const uint256 fees = *uint256::from_string(r["gasUsed"].get<std::string>()) * *uint256::from_string(r["effectiveGasPrice"].get<std::string>());
    EXPECT_EQ(details["totalFees"], rpc::quantity(fees));
    EXPECT_EQ(c.ots("ots_getBlockDetailsByHash", rpc::json::array({details["block"]["hash"]})), details);
    EXPECT_TRUE(c.ots("ots_getBlockDetails", rpc::json::array({99})).is_null());

    // A block of three transactions, in pages of two; inputs cut to the selector.
    ASSERT_TRUE(c.f.call("evm_setAutomine", {false}).contains("result"));
    for (int i = 0; i < 3; ++i) c.send({{"from", c.a2}, {"to", c.a1}, {"data", "0x12345678aabbccdd"}});
    ASSERT_TRUE(c.f.call("evm_mine", rpc::json::array()).contains("result"));
    const rpc::json first = c.ots("ots_getBlockTransactions", {6, 0, 2});
    const rpc::json second = c.ots("ots_getBlockTransactions", {6, 1, 2});
    ASSERT_EQ(first["fullblock"]["transactions"].size(), 2u);
    ASSERT_EQ(second["fullblock"]["transactions"].size(), 1u);
    EXPECT_EQ(first["fullblock"]["transactionCount"], 3);
    EXPECT_EQ(first["fullblock"]["transactions"][1]["nonce"], "0x1");
    EXPECT_EQ(second["fullblock"]["transactions"][0]["nonce"], "0x2");
    EXPECT_EQ(first["fullblock"]["transactions"][0]["input"], "0x12345678");
    ASSERT_EQ(second["receipts"].size(), 1u);
    EXPECT_EQ(second["receipts"][0]["transactionIndex"], "0x2");
    EXPECT_TRUE(second["receipts"][0]["logs"].is_null());
    EXPECT_EQ(second["receipts"][0]["timestamp"], second["fullblock"]["timestamp"]);
    EXPECT_TRUE(c.ots("ots_getBlockTransactions", {6, 2, 2})["fullblock"]["transactions"].empty());
}

TEST(DevNodeOtterscan, CallsCreatorsAndNonces) {
    Chain c;
    const rpc::json operations = c.ots("ots_getInternalOperations", {c.forward});
    ASSERT_EQ(operations.size(), 3u) << operations.dump();
    EXPECT_EQ(operations[0], (rpc::json{{"type", 0}, {"from", c.a1}, {"to", c.forwarder}, {"value", "0x5"}}));
    EXPECT_EQ(operations[1], (rpc::json{{"type", 0}, {"from", c.forwarder}, {"to", c.a2}, {"value", "0x5"}}));
    EXPECT_EQ(operations[2]["type"], 2);
    EXPECT_EQ(operations[2]["from"], c.forwarder);
    const std::string child = operations[2]["to"];
    EXPECT_EQ(c.ots("ots_hasCode", {child, "latest"}), false);  // created empty

    const rpc::json trace = c.ots("ots_traceTransaction", {c.forward});
    ASSERT_EQ(trace.size(), 3u);
    EXPECT_EQ(trace[0]["depth"], 0);
    EXPECT_EQ(trace[1]["to"], c.a2);
    EXPECT_EQ(trace[2]["type"], "CREATE");
    EXPECT_EQ(trace[2]["depth"], 1);

    EXPECT_EQ(c.ots("ots_getTransactionBySenderAndNonce", {c.a0, 1}), c.deploy_forwarder);
    EXPECT_EQ(c.ots("ots_getTransactionBySenderAndNonce", {c.a1, 0}), c.forward);
    EXPECT_TRUE(c.ots("ots_getTransactionBySenderAndNonce", {c.a0, 99}).is_null());

    EXPECT_EQ(c.ots("ots_getContractCreator", {c.forwarder}), (rpc::json{{"hash", c.deploy_forwarder}, {"creator", c.a0}}));
    EXPECT_TRUE(c.ots("ots_getContractCreator", {c.a0}).is_null());
    const std::string placed = "0x00000000000000000000000000000000000c0de0";
    ASSERT_TRUE(c.f.call("anvil_setCode", {placed, "0x00"}).contains("result"));
    c.send({{"from", c.a0}, {"to", c.a1}});  // a block that carries the code change
    EXPECT_TRUE(c.ots("ots_getContractCreator", {placed}).is_null());
}

TEST(DevNodeOtterscan, SearchFindsInternalCallsNewestFirst) {
    Chain c;
    const auto hashes = [](const rpc::json& page) {
        std::vector<std::string> out;
        for (const rpc::json& tx : page["txs"]) out.push_back(tx["hash"]);
        EXPECT_EQ(page["receipts"].size(), page["txs"].size());
        return out;
    };
    // a2 only receives value from inside the forwarder's call.
    const rpc::json before = c.ots("ots_searchTransactionsBefore", {c.a2, 0, 10});
    EXPECT_EQ(hashes(before), std::vector<std::string>{c.forward});
    EXPECT_EQ(before["firstPage"], true);
    EXPECT_EQ(before["lastPage"], true);
    EXPECT_EQ(hashes(c.ots("ots_searchTransactionsAfter", {c.a2, 0, 10})), std::vector<std::string>{c.forward});
    // a1 received the first transfer and sent the forwarding call: pages of one.
    const rpc::json newest = c.ots("ots_searchTransactionsBefore", {c.a1, 0, 1});
    EXPECT_EQ(hashes(newest), std::vector<std::string>{c.forward});
    EXPECT_EQ(newest["firstPage"], true);
    EXPECT_EQ(newest["lastPage"], false);
    const rpc::json oldest = c.ots("ots_searchTransactionsAfter", {c.a1, 0, 1});
    EXPECT_EQ(hashes(oldest), std::vector<std::string>{c.transfer});
    EXPECT_EQ(oldest["lastPage"], true);
    EXPECT_EQ(oldest["firstPage"], false);
    // From block 3 back: the transfer in block 1 only; a0's whole history, newest first.
    EXPECT_EQ(hashes(c.ots("ots_searchTransactionsBefore", {c.a1, 3, 10})), std::vector<std::string>{c.transfer});
    const std::vector<std::string> a0_history = hashes(c.ots("ots_searchTransactionsBefore", {c.a0, 0, 10}));
    ASSERT_EQ(a0_history.size(), 4u);
    EXPECT_EQ(a0_history.front(), c.revert);
    EXPECT_EQ(a0_history.back(), c.transfer);
}

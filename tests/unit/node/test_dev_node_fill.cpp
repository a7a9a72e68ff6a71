// eth_fillTransaction (geth's, and Anvil's): a request completed as eth_sendTransaction would
// complete it, unsigned and not sent; and the gas estimate that completion rests on.
#include "node_fixture.hpp"

#include "common/hex.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

TEST(DevNodeFill, FillsWhatTheRequestLeavesOutAndSendsNothing) {
    NodeFixture f;
    const std::string sender = rpc::hex(f.node->accounts()[0].address);
    const std::string recipient = rpc::hex(f.node->accounts()[1].address);
    ASSERT_TRUE(f.send(f.transfer(0, 0, 1)).contains("result"));  // the sender's next nonce is 1

    const rpc::json request = {{"from", sender}, {"to", recipient}, {"value", "0x7"}};
    const rpc::json filled = result_of(f.call("eth_fillTransaction", rpc::json::array({request})));
    const rpc::json& tx = filled["tx"];
    EXPECT_EQ(tx["from"], sender);
    EXPECT_EQ(tx["nonce"], "0x1");
    EXPECT_EQ(tx["gas"], result_of(f.call("eth_estimateGas", rpc::json::array({request}))));
    EXPECT_EQ(tx["type"], "0x2");
    EXPECT_EQ(tx["chainId"], "0x7a69");
    EXPECT_TRUE(tx["blockHash"].is_null());
    EXPECT_EQ(tx["r"], "0x0");
    // raw is that transaction, unsigned: it decodes to the same fields and hashes to tx.hash.
    const auto raw = from_hex(filled["raw"].get<std::string>());
    ASSERT_TRUE(raw);
    const auto decoded = decode_transaction(*raw);
    ASSERT_TRUE(std::holds_alternative<Transaction>(decoded));
    const Transaction& t = std::get<Transaction>(decoded);
    EXPECT_EQ(t.nonce, 1u);
    EXPECT_EQ(t.value, uint256{7});
    EXPECT_EQ(rpc::hex(*t.to), recipient);
    EXPECT_EQ(rpc::hex(transaction_hash(t)), tx["hash"]);
    // Not sent: the chain and the pool are as they were.
    EXPECT_EQ(f.head(), 1u);
    EXPECT_EQ(result_of(f.call("eth_getTransactionCount", {sender, "pending"})), "0x1");

    // What the request gives is kept; a sender without a key is fine (nothing is signed).
    const rpc::json given = {{"from", "0x00000000000000000000000000000000000000aa"}, {"to", recipient}, {"gas", "0x9c40"},
                             {"nonce", "0x5"}, {"gasPrice", "0x3b9aca00"}};
    const rpc::json legacy = result_of(f.call("eth_fillTransaction", rpc::json::array({given})))["tx"];
    EXPECT_EQ(legacy["gas"], "0x9c40");
    EXPECT_EQ(legacy["nonce"], "0x5");
    EXPECT_EQ(legacy["gasPrice"], "0x3b9aca00");
    EXPECT_EQ(legacy["type"], "0x0");

    // Without a sender: the first account, as Anvil fills it.
    EXPECT_EQ(result_of(f.call("eth_fillTransaction", rpc::json::array({rpc::json{{"to", recipient}}})))["tx"]["from"], sender);
    EXPECT_EQ(f.call("eth_fillTransaction", rpc::json::array({rpc::json{{"to", "0x12"}}}))["error"]["code"], -32602);
}

// eth_estimateGas with a gas price caps the gas by what the sender can buy, from the balance the
// call runs with: a state override's, not the chain's (geth applies the overrides first).
TEST(DevNodeEstimate, GasPriceCapReadsTheOverriddenBalance) {
    NodeFixture f;
    const std::string pauper = "0x00000000000000000000000000000000000dead1";  // no funds on the chain
    const std::string recipient = rpc::hex(f.node->accounts()[1].address);
    const rpc::json request = {{"from", pauper}, {"to", recipient}, {"value", "0xde0b6b3a7640000"},  // 1 ether
                               {"maxFeePerGas", "0x3b9aca00"}};
    const rpc::json rich = {{pauper, {{"balance", "0x8ac7230489e80000"}}}};  // 10 ether
    EXPECT_EQ(result_of(f.call("eth_estimateGas", rpc::json::array({request, "latest", rich}))), "0x5208");

    const rpc::json refused = f.call("eth_estimateGas", rpc::json::array({request, "latest"}));
    ASSERT_TRUE(refused.contains("error")) << refused.dump();
    EXPECT_EQ(refused["error"]["message"], "insufficient funds for transfer");

    // Enough for the value but not for 21,000 gas at that price: the cap is below a transfer's need.
    const rpc::json short_of_gas = {{pauper, {{"balance", "0xde0b6b3a7640001"}}}};
    const rpc::json capped = f.call("eth_estimateGas", rpc::json::array({request, "latest", short_of_gas}));
    ASSERT_TRUE(capped.contains("error")) << capped.dump();
}

// geth's fourth parameter: block overrides, whose gasLimit also caps the estimate.
TEST(DevNodeEstimate, BlockOverridesCapTheGas) {
    NodeFixture f;
    const rpc::json request = {{"from", rpc::hex(f.node->accounts()[0].address)},
                               {"to", rpc::hex(f.node->accounts()[1].address)}, {"value", "0x1"}};
    const rpc::json roomy = {{"gasLimit", "0xc350"}};  // 50,000
    EXPECT_EQ(result_of(f.call("eth_estimateGas", rpc::json::array({request, "latest", nullptr, roomy}))), "0x5208");
    const rpc::json cramped = {{"gasLimit", "0x4e20"}};  // 20,000: under a transfer's 21,000
    const rpc::json refused = f.call("eth_estimateGas", rpc::json::array({request, "latest", nullptr, cramped}));
    ASSERT_TRUE(refused.contains("error")) << refused.dump();
    EXPECT_EQ(refused["error"]["code"], -32000) << refused.dump();
    EXPECT_EQ(refused["error"]["message"], "gas required exceeds allowance (20000)");  // geth's words
    // A request's own gas under 21,000 does not cap the estimate (geth ignores it).
    rpc::json low_gas = request;
    low_gas["gas"] = "0x3e8";
    EXPECT_EQ(result_of(f.call("eth_estimateGas", rpc::json::array({low_gas}))), "0x5208");
    const rpc::json bad = f.call("eth_estimateGas", rpc::json::array({request, "latest", nullptr, "0x1"}));
    ASSERT_TRUE(bad.contains("error")) << bad.dump();
    EXPECT_EQ(bad["error"]["code"], -32602);
    EXPECT_NE(bad["error"]["message"].get<std::string>().find("argument 3"), std::string::npos) << bad.dump();
}

// With the request's own gas given, the trials still run at their own gas limits: a call whose
// refund makes its gas used (21,206 here) less than the gas it needs gets the least limit it runs
// with, as without that gas (it used to get the gas used, too little to send with).
TEST(DevNodeEstimate, RequestGasIsOnlyTheCap) {
    NodeFixture f;
    const std::string contract = "0x00000000000000000000000000000000000c1ea2";
    ASSERT_TRUE(result_of(f.call("anvil_setCode", {contract, "0x6000600055"})).is_null());  // slot 0 := 0
    ASSERT_TRUE(result_of(f.call("anvil_setStorageAt", {contract, "0x0", "0x1"})).is_boolean());
    const rpc::json plain = {{"from", rpc::hex(f.node->accounts()[0].address)}, {"to", contract}};
    rpc::json with_gas = plain;
    with_gas["gas"] = "0x186a0";
    const rpc::json estimate = result_of(f.call("eth_estimateGas", rpc::json::array({plain})));
    EXPECT_EQ(result_of(f.call("eth_estimateGas", rpc::json::array({with_gas}))), estimate);
    // The estimate is the least limit that runs: it succeeds, one less runs out of gas.
    const uint64_t gas = rpc::decode_quantity_u64(estimate);
    rpc::json at = plain;
    at["gas"] = rpc::quantity(gas);
    EXPECT_TRUE(f.call("eth_call", rpc::json::array({at, "latest"})).contains("result"));
    at["gas"] = rpc::quantity(gas - 1);
    EXPECT_TRUE(f.call("eth_call", rpc::json::array({at, "latest"})).contains("error"));
}

// Every method whose first parameter is a transaction request refuses a missing one, and one that
// is not an object, with geth's invalid-params errors (one helper parses it for all of them).
TEST(DevNodeRequests, MissingOrMalformedRequestParameterIsInvalidParams) {
    NodeFixture f;
    for (const char* method : {"eth_call", "eth_estimateGas", "eth_createAccessList", "eth_signTransaction",
                               "eth_fillTransaction", "debug_traceCall"}) {
        const rpc::json missing = f.call(method, rpc::json::array());
        ASSERT_TRUE(missing.contains("error")) << method << ": " << missing.dump();
        EXPECT_EQ(missing["error"]["code"], -32602) << method;
        EXPECT_EQ(missing["error"]["message"], "missing value for required argument 0") << method;
        const rpc::json not_object = f.call(method, rpc::json::array({"0x12"}));
        ASSERT_TRUE(not_object.contains("error")) << method << ": " << not_object.dump();
        EXPECT_EQ(not_object["error"]["code"], -32602) << method;
        EXPECT_NE(not_object["error"]["message"].get<std::string>().find("argument 0"), std::string::npos)
            << method << ": " << not_object.dump();
    }
}

// anvil_rollback and anvil_reorg: the chain's last blocks taken off (and, for a reorg, replaced),
// with everything that reads the chain following: block numbers, balances, transaction lookups
// and polled filters. Bad requests change nothing.
#include "node_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::node;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

namespace {

uint256 balance(NodeFixture& f, const std::string& address, const std::string& block = "latest") {
    return *uint256::from_string(result_of(f.call("eth_getBalance", {address, block})).get<std::string>());
}

std::string block_hash(NodeFixture& f, uint64_t number) {
    return result_of(f.call("eth_getBlockByNumber", {rpc::quantity(number), false}))["hash"].get<std::string>();
}
}  // namespace

TEST(DevNodeReorg, RollbackTakesTheLastBlocksOff) {
    NodeFixture f;
    const std::string recipient = rpc::hex(f.node->accounts()[9].address);
    std::vector<Transaction> sent;
    for (uint64_t nonce = 0; nonce < 3; ++nonce) {
        sent.push_back(f.transfer(0, nonce, 100 + nonce));
        ASSERT_TRUE(f.send(sent.back()).contains("result"));
    }
    ASSERT_EQ(f.head(), 3u);
    const uint256 at_one = balance(f, recipient, "0x1");
    const std::string first_hash = block_hash(f, 1);

    ASSERT_TRUE(result_of(f.call("anvil_rollback", {2})).is_null());
    EXPECT_EQ(f.head(), 1u);
    EXPECT_EQ(block_hash(f, 1), first_hash);
    EXPECT_TRUE(result_of(f.call("eth_getBlockByNumber", {"0x2", false})).is_null());
    EXPECT_EQ(balance(f, recipient), at_one);
    EXPECT_EQ(result_of(f.call("eth_getTransactionCount", {rpc::hex(f.node->accounts()[0].address), "latest"})), "0x1");
    // A transaction of a block taken off is no longer found; one below it still is.
    EXPECT_TRUE(result_of(f.call("eth_getTransactionReceipt", {rpc::hex(transaction_hash(sent[2]))})).is_null());
    EXPECT_TRUE(result_of(f.call("eth_getTransactionByHash", {rpc::hex(transaction_hash(sent[1]))})).is_null());
    EXPECT_EQ(result_of(f.call("eth_getTransactionReceipt", {rpc::hex(transaction_hash(sent[0]))}))["blockHash"], first_hash);

    // The chain goes on from there: the same nonce again, in a new block 2.
    ASSERT_TRUE(f.send(f.transfer(0, 1, 7)).contains("result"));
    EXPECT_EQ(f.head(), 2u);
    EXPECT_EQ(balance(f, recipient), at_one + uint256{7});

    // Without a depth, one block.
    ASSERT_TRUE(result_of(f.call("anvil_rollback", rpc::json::array())).is_null());
    EXPECT_EQ(f.head(), 1u);
    // Deeper than the chain: refused, nothing changed.
    EXPECT_EQ(f.call("anvil_rollback", {2})["error"]["code"], -32602);
    EXPECT_EQ(f.head(), 1u);
    EXPECT_EQ(block_hash(f, 1), first_hash);
}

TEST(DevNodeReorg, ReorgReplacesBlocksWithTheGivenTransactions) {
    NodeFixture f;
    const std::string recipient = rpc::hex(f.node->accounts()[9].address);
    const std::string sender = rpc::hex(f.node->accounts()[0].address);
    // A block filter polled before the reorg has seen blocks 1-3.
    const std::string filter = result_of(f.call("eth_newBlockFilter", rpc::json::array())).get<std::string>();
    for (uint64_t nonce = 0; nonce < 3; ++nonce) ASSERT_TRUE(f.send(f.transfer(0, nonce, 1000)).contains("result"));
    EXPECT_EQ(result_of(f.call("eth_getFilterChanges", {filter})).size(), 3u);
    const uint256 at_one = balance(f, recipient, "0x1");
    const std::string old_second = block_hash(f, 2), old_third = block_hash(f, 3);

    // Block 0 of the new branch: a signed transaction of another account; block 1: two requests
    // the node signs for account 0, whose nonces follow on from its nonce at the ancestor (1).
    const Transaction raw = f.transfer(1, 0, 5);
    const rpc::json pairs = rpc::json::array(
        {rpc::json::array({rpc::data_hex(encode_transaction(raw)), 0}),
         rpc::json::array({rpc::json{{"from", sender}, {"to", recipient}, {"value", "0x6"}}, 1}),
         rpc::json::array({rpc::json{{"to", recipient}, {"value", "0x7"}}, 1})});  // from: the first account
    const rpc::json options = {{"depth", 2}, {"tx_block_pairs", pairs}};  // the object form
    ASSERT_TRUE(result_of(f.call("anvil_reorg", rpc::json::array({options}))).is_null());

    EXPECT_EQ(f.head(), 3u);
    EXPECT_NE(block_hash(f, 2), old_second);
    EXPECT_NE(block_hash(f, 3), old_third);
    const rpc::json second = result_of(f.call("eth_getBlockByNumber", {"0x2", true}));
    const rpc::json third = result_of(f.call("eth_getBlockByNumber", {"0x3", true}));
    ASSERT_EQ(second["transactions"].size(), 1u);
    EXPECT_EQ(second["transactions"][0]["hash"], rpc::hex(transaction_hash(raw)));
    ASSERT_EQ(third["transactions"].size(), 2u);
    EXPECT_EQ(third["transactions"][0]["nonce"], "0x1");
    EXPECT_EQ(third["transactions"][1]["nonce"], "0x2");
    EXPECT_EQ(balance(f, recipient), at_one + uint256{5 + 6 + 7});
    EXPECT_EQ(result_of(f.call("eth_getTransactionReceipt", {rpc::hex(transaction_hash(raw))}))["blockNumber"], "0x2");
    // The filter reports the two replacements.
    const rpc::json changes = result_of(f.call("eth_getFilterChanges", {filter}));
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0], block_hash(f, 2));
    EXPECT_EQ(changes[1], block_hash(f, 3));

    // Bad requests change nothing: a block past the depth, a depth past the chain, a broken
    // transaction (after a good one).
    const std::string third_hash = block_hash(f, 3);
    // Anvil's positional form: [depth, tx_block_pairs].
    const auto reorg = [&](const rpc::json& depth, const rpc::json& pairs) {
        return f.call("anvil_reorg", rpc::json::array({depth, pairs}));
    };
    const rpc::json past_depth = rpc::json::array({rpc::json::array({rpc::data_hex(encode_transaction(f.transfer(1, 1))), 1})});
    EXPECT_EQ(reorg(1, past_depth)["error"]["code"], -32602);
    EXPECT_EQ(reorg(4, rpc::json::array())["error"]["code"], -32602);
    const rpc::json broken = rpc::json::array({rpc::json::array({rpc::data_hex(encode_transaction(f.transfer(1, 1))), 0}),
                                               rpc::json::array({"0x02", 0})});
    EXPECT_TRUE(reorg(1, broken).contains("error"));
    EXPECT_EQ(f.call("anvil_reorg", rpc::json::array({"not an object"}))["error"]["code"], -32602);
    // A transaction below its intrinsic gas is refused, not left out of its block.
    const rpc::json starved = rpc::json::array({rpc::json::array({rpc::json{{"to", recipient}, {"gas", "0x1"}}, 0})});
    const rpc::json refused = reorg(1, starved);
    ASSERT_TRUE(refused.contains("error")) << refused.dump();
    EXPECT_NE(refused["error"]["message"].get<std::string>().find("intrinsic gas"), std::string::npos) << refused.dump();
    // A bad value in the pairs names the second argument.
    EXPECT_NE(reorg(1, rpc::json::array({rpc::json::array({"0xzz", 0})}))["error"]["message"].get<std::string>().find("invalid argument 1"),
              std::string::npos);
    EXPECT_EQ(f.head(), 3u);
    EXPECT_EQ(block_hash(f, 3), third_hash);

    // Empty replacement blocks: the same height, new hashes.
    ASSERT_TRUE(result_of(reorg(2, rpc::json::array())).is_null());
    EXPECT_EQ(f.head(), 3u);
    EXPECT_EQ(result_of(f.call("eth_getBlockByNumber", {"0x3", false}))["transactions"].size(), 0u);
    EXPECT_EQ(balance(f, recipient), at_one);
}

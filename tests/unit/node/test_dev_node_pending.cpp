// The `pending` block: with automine off, what waits in the pool shows in `pending` (block,
// balances, counts) exactly as the block mined next.
#include "node_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::node;
using polyvm::test::NodeFixture;

namespace {
const rpc::json& result_of(const rpc::json& answer) {
    EXPECT_TRUE(answer.contains("result")) << answer.dump();
    return answer["result"];
}
}  // namespace

TEST(DevNodePending, ThePendingBlockIsTheBlockMinedNext) {
    NodeFixture f;
    ASSERT_TRUE(result_of(f.call("evm_setAutomine", {false})).is_null());
    const uint64_t timestamp = 2'000'000'000;
    f.call("evm_setNextBlockTimestamp", {timestamp});
    const std::string recipient = rpc::hex(f.node->accounts()[9].address);
    // A change between blocks is part of what the next block commits.
    f.call("anvil_setBalance", {rpc::hex(f.node->accounts()[8].address), "0x1234"});
    for (uint64_t nonce : {0, 1, 5}) ASSERT_TRUE(f.send(f.transfer(0, nonce, 1000 + nonce)).contains("result"));
    EXPECT_EQ(f.head(), 0u);

    const rpc::json block = result_of(f.call("eth_getBlockByNumber", {"pending", false}));
    EXPECT_EQ(block["number"], "0x1");
    EXPECT_TRUE(block["hash"].is_null());
    EXPECT_TRUE(block["miner"].is_null());
    EXPECT_EQ(block["timestamp"], rpc::quantity(timestamp));
    ASSERT_EQ(block["transactions"].size(), 2u);  // nonce 5 waits behind the gap
    EXPECT_EQ(block["transactions"][0], rpc::hex(transaction_hash(f.transfer(0, 0, 1000))));
    EXPECT_EQ(result_of(f.call("eth_getBlockTransactionCountByNumber", {"pending"})), "0x2");
    EXPECT_EQ(result_of(f.call("eth_getTransactionByBlockNumberAndIndex", {"pending", "0x1"}))["nonce"], "0x1");
    const uint256 latest = *uint256::from_string(result_of(f.call("eth_getBalance", {recipient, "latest"})).get<std::string>());
    const uint256 pending = *uint256::from_string(result_of(f.call("eth_getBalance", {recipient, "pending"})).get<std::string>());
    EXPECT_EQ(pending, latest + uint256{2001});
    EXPECT_EQ(result_of(f.call("eth_getTransactionCount", {rpc::hex(f.node->accounts()[0].address), "pending"})), "0x2");

    Hash32 pending_hash, pending_root;
    {
        std::shared_lock lock(f.node->chain_mutex_);
        const auto previewed = f.node->pending_block();
        pending_hash = previewed->view->hash;
        pending_root = previewed->view->block.header.state_root;
        EXPECT_EQ(f.node->pending_block(), previewed);  // kept while nothing changes
    }
    ASSERT_TRUE(f.call("evm_mine", rpc::json::array()).contains("result"));
    const rpc::json mined = result_of(f.call("eth_getBlockByNumber", {"latest", false}));
    EXPECT_EQ(mined["hash"], rpc::hex(pending_hash));
    EXPECT_EQ(mined["stateRoot"], rpc::hex(pending_root));
    EXPECT_EQ(result_of(f.call("eth_getBalance", {recipient, "latest"})), rpc::quantity(pending));

    // After the block: `pending` is the next one, empty while the gap stays.
    const rpc::json next = result_of(f.call("eth_getBlockByNumber", {"pending", true}));
    EXPECT_EQ(next["number"], "0x2");
    EXPECT_TRUE(next["transactions"].empty());
    EXPECT_EQ(result_of(f.call("eth_getBalance", {recipient, "pending"})), rpc::quantity(pending));
}

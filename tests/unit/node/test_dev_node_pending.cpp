// The `pending` block and the txpool namespace: with automine off, what waits in the pool shows in
// `pending` (block, balances, counts) exactly as the block mined next, and txpool_* splits the
// pool into the executable transactions and those behind a nonce gap.
#include "node_fixture.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::node;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

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

TEST(DevNodePending, TxpoolSplitsExecutableAndGappedTransactions) {
    NodeFixture f;
    f.call("evm_setAutomine", {false});
    for (uint64_t nonce : {0, 1, 3}) ASSERT_TRUE(f.send(f.transfer(0, nonce)).contains("result"));
    ASSERT_TRUE(f.send(f.transfer(1, 2)).contains("result"));  // account 1's next nonce is 0
    const rpc::json status = result_of(f.call("txpool_status", rpc::json::array()));
    EXPECT_EQ(status["pending"], "0x2");
    EXPECT_EQ(status["queued"], "0x2");

    // geth's keys: EIP-55 addresses (dev account 0 is Hardhat's first), decimal nonces.
    const std::string sender = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    ASSERT_EQ(rpc::hex(f.node->accounts()[0].address), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    const rpc::json content = result_of(f.call("txpool_content", rpc::json::array()));
    ASSERT_TRUE(content["pending"].contains(sender)) << content.dump();
    EXPECT_EQ(content["pending"][sender].size(), 2u);
    EXPECT_EQ(content["pending"][sender]["1"]["hash"], rpc::hex(transaction_hash(f.transfer(0, 1))));
    EXPECT_TRUE(content["pending"][sender]["1"]["blockHash"].is_null());
    EXPECT_EQ(content["queued"][sender]["3"]["nonce"], "0x3");
    EXPECT_EQ(content["queued"].size(), 2u);

    const rpc::json inspect = result_of(f.call("txpool_inspect", rpc::json::array()));
    const std::string line = inspect["pending"][sender]["0"];
    EXPECT_EQ(line.rfind(" wei + 21000 gas \u00d7 100000000000 wei"), line.size() - std::string(" wei + 21000 gas \u00d7 100000000000 wei").size())
        << line;
    EXPECT_EQ(line.substr(0, 2), "0x");

    const rpc::json from = result_of(f.call("txpool_contentFrom", {sender}));
    EXPECT_EQ(from["pending"].size(), 2u);
    EXPECT_EQ(from["queued"].size(), 1u);
    EXPECT_EQ(f.call("txpool_status", {1})["error"]["code"], -32602);

    // Mined: the executable ones leave the pool.
    ASSERT_TRUE(f.call("evm_mine", rpc::json::array()).contains("result"));
    const rpc::json after = result_of(f.call("txpool_status", rpc::json::array()));
    EXPECT_EQ(after["pending"], "0x0");
    EXPECT_EQ(after["queued"], "0x2");
}

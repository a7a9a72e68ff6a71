// anvil_rollback and anvil_reorg: the chain's last blocks taken off (and, for a reorg, replaced),
// with everything that reads the chain following: block numbers, balances, transaction lookups
// and filters (logs of the blocks taken off come back with removed: true, as geth sends them).
// Bad requests change nothing.
#include "node_fixture.hpp"
#include "rpc/connection.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

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

namespace {
/// A WebSocket connection that keeps what the node pushes to it.
class RecordingConnection final : public rpc::Connection {
public:
    uint64_t id() const noexcept override { return 7; }
    bool is_websocket() const noexcept override { return true; }
    void push(std::string text) override {
        const std::lock_guard lock(mutex_);
        messages_.push_back(rpc::json::parse(text));
    }
    std::vector<rpc::json> take() {
        const std::lock_guard lock(mutex_);
        return std::exchange(messages_, {});
    }

private:
    std::mutex mutex_;
    std::vector<rpc::json> messages_;
};

/// Installs a contract that logs the value it is called with (LOG0 of CALLVALUE) and returns its address.
std::string install_logger(NodeFixture& f) {
    const std::string address = "0x00000000000000000000000000000000000a11ce";
    // CALLVALUE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 LOG0 STOP
    EXPECT_TRUE(result_of(f.call("anvil_setCode", {address, "0x3460005260206000a000"})).is_null());
    return address;
}

Transaction call_logger(NodeFixture& f, const std::string& logger, size_t account, uint64_t nonce, uint64_t value) {
    return f.signed_transaction(account, nonce, rpc::decode_address(rpc::json(logger)), 60'000, value);
}

uint64_t logged_value(const rpc::json& log) {
    return uint256::from_string(log["data"].get<std::string>())->low64();
}
}  // namespace

TEST(DevNodeReorg, LogsOfRemovedBlocksComeBackAsRemoved) {
    NodeFixture f;
    const std::string logger = install_logger(f);
    const std::string filter = result_of(f.call("eth_newFilter", rpc::json::array({rpc::json{{"address", logger}}}))).get<std::string>();
    const auto connection = std::make_shared<RecordingConnection>();
    const std::string subscription =
        result_of(f.call("eth_subscribe", {"logs", rpc::json{{"address", logger}}}, rpc::CallContext{connection})).get<std::string>();
    for (uint64_t nonce = 0; nonce < 3; ++nonce) ASSERT_TRUE(f.send(call_logger(f, logger, 0, nonce, 1 + nonce)).contains("result"));
    ASSERT_EQ(f.head(), 3u);
    const rpc::json reported = result_of(f.call("eth_getFilterChanges", {filter}));
    ASSERT_EQ(reported.size(), 3u) << reported.dump();
    EXPECT_EQ(connection->take().size(), 3u);
    const std::string old_second = block_hash(f, 2), old_third = block_hash(f, 3);
    // A filter installed now has reported nothing: nothing comes back to it as removed.
    const std::string late_filter = result_of(f.call("eth_newFilter", rpc::json::array({rpc::json{{"address", logger}}}))).get<std::string>();

    // Blocks 2 and 3 replaced by one block whose transaction logs 9.
    const rpc::json pairs =
        rpc::json::array({rpc::json::array({rpc::data_hex(encode_transaction(call_logger(f, logger, 1, 0, 9))), 0})});
    ASSERT_TRUE(result_of(f.call("anvil_reorg", {2, pairs})).is_null());
    ASSERT_EQ(f.head(), 3u);

    // The polled filter: the two removed logs, oldest first, as they were reported, then the new one.
    const rpc::json changes = result_of(f.call("eth_getFilterChanges", {filter}));
    ASSERT_EQ(changes.size(), 3u) << changes.dump();
    for (size_t i = 0; i < 2; ++i) {
        rpc::json expected = reported[i + 1];
        expected["removed"] = true;
        EXPECT_EQ(changes[i], expected);
    }
    EXPECT_EQ(changes[0]["blockHash"], old_second);
    EXPECT_EQ(changes[1]["blockHash"], old_third);
    EXPECT_EQ(changes[2]["removed"], false);
    EXPECT_EQ(logged_value(changes[2]), 9u);
    EXPECT_EQ(changes[2]["blockHash"], block_hash(f, 2));
    EXPECT_TRUE(result_of(f.call("eth_getFilterChanges", {filter})).empty());
    // The late filter: only the new chain's log.
    const rpc::json late = result_of(f.call("eth_getFilterChanges", {late_filter}));
    ASSERT_EQ(late.size(), 1u);
    EXPECT_EQ(logged_value(late[0]), 9u);

    // The subscription: the same, pushed as it happened.
    const std::vector<rpc::json> pushed = connection->take();
    ASSERT_EQ(pushed.size(), 3u);
    for (const rpc::json& message : pushed) EXPECT_EQ(message["params"]["subscription"], subscription);
    EXPECT_EQ(pushed[0]["params"]["result"], changes[0]);
    EXPECT_EQ(pushed[1]["params"]["result"], changes[1]);
    EXPECT_EQ(pushed[2]["params"]["result"], changes[2]);

    // anvil_rollback takes the new block back the same way.
    ASSERT_TRUE(result_of(f.call("anvil_rollback", {2})).is_null());
    const rpc::json rolled_back = result_of(f.call("eth_getFilterChanges", {filter}));
    ASSERT_EQ(rolled_back.size(), 1u);
    EXPECT_EQ(rolled_back[0]["removed"], true);
    EXPECT_EQ(logged_value(rolled_back[0]), 9u);
    EXPECT_EQ(connection->take().size(), 1u);
}

TEST(DevNodeReorg, RevertToASnapshotTakesBackWhatFiltersReported) {
    NodeFixture f;
    const std::string logger = install_logger(f);
    ASSERT_TRUE(f.send(call_logger(f, logger, 0, 0, 1)).contains("result"));
    const std::string snapshot = result_of(f.call("evm_snapshot", rpc::json::array())).get<std::string>();
    const std::string logs_filter = result_of(f.call("eth_newFilter", rpc::json::array({rpc::json{{"address", logger}}}))).get<std::string>();
    const std::string blocks_filter = result_of(f.call("eth_newBlockFilter", rpc::json::array())).get<std::string>();
    ASSERT_TRUE(f.send(call_logger(f, logger, 0, 1, 2)).contains("result"));
    ASSERT_TRUE(f.send(call_logger(f, logger, 0, 2, 3)).contains("result"));
    ASSERT_EQ(result_of(f.call("eth_getFilterChanges", {logs_filter})).size(), 2u);
    ASSERT_EQ(result_of(f.call("eth_getFilterChanges", {blocks_filter})).size(), 2u);

    ASSERT_EQ(result_of(f.call("evm_revert", {snapshot})), true);
    ASSERT_EQ(f.head(), 1u);
    ASSERT_TRUE(f.send(call_logger(f, logger, 0, 1, 5)).contains("result"));
    // Blocks 2 and 3 were reported and are gone: their logs come back removed, then block 2's new log.
    const rpc::json logs = result_of(f.call("eth_getFilterChanges", {logs_filter}));
    ASSERT_EQ(logs.size(), 3u) << logs.dump();
    EXPECT_EQ(logs[0]["removed"], true);
    EXPECT_EQ(logged_value(logs[0]), 2u);
    EXPECT_EQ(logs[1]["removed"], true);
    EXPECT_EQ(logged_value(logs[1]), 3u);
    EXPECT_EQ(logs[2]["removed"], false);
    EXPECT_EQ(logged_value(logs[2]), 5u);
    // The block filter reports the new block 2 (it had reported the old one).
    const rpc::json blocks = result_of(f.call("eth_getFilterChanges", {blocks_filter}));
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0], block_hash(f, 2));
}

TEST(DevNodeFilters, APollReportsEveryBlockSinceTheLastWithinNumericBounds) {
    NodeFixture f;
    const std::string logger = install_logger(f);
    const auto new_filter = [&](rpc::json criteria) {
        criteria["address"] = logger;
        return result_of(f.call("eth_newFilter", rpc::json::array({criteria}))).get<std::string>();
    };
    const std::string open = new_filter(rpc::json::object());
    const std::string tagged = new_filter({{"fromBlock", "latest"}, {"toBlock", "latest"}});
    const std::string bounded = new_filter({{"fromBlock", "0x2"}, {"toBlock", "0x3"}});
    const std::string future = new_filter({{"toBlock", "0x100"}});  // past the head: not an error while polled
    for (uint64_t nonce = 0; nonce < 4; ++nonce) ASSERT_TRUE(f.send(call_logger(f, logger, 0, nonce, 1 + nonce)).contains("result"));
    const auto values = [&](const std::string& filter) {
        std::vector<uint64_t> out;
        const rpc::json answer = f.call("eth_getFilterChanges", {filter});  // kept: result_of lends from it
        for (const rpc::json& log : result_of(answer)) out.push_back(logged_value(log));
        return out;
    };
    EXPECT_EQ(values(open), (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_EQ(values(tagged), (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_EQ(values(bounded), (std::vector<uint64_t>{2, 3}));
    EXPECT_EQ(values(future), (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_TRUE(values(open).empty());
}

// Blocks mined in one group commit (anvil_mine) reach a newHeads subscription, in order, once
// the group is durable (a group whose write failed would notify nothing).
TEST(DevNodeReorg, NewHeadsOfAGroupArriveInOrder) {
    NodeFixture f;
    const auto connection = std::make_shared<RecordingConnection>();
    ASSERT_TRUE(f.call("eth_subscribe", {"newHeads"}, rpc::CallContext{connection}).contains("result"));
    ASSERT_TRUE(result_of(f.call("anvil_mine", {3})).is_null());
    const std::vector<rpc::json> pushed = connection->take();
    ASSERT_EQ(pushed.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(pushed[i]["params"]["result"]["number"], rpc::quantity(i + 1));
        EXPECT_EQ(pushed[i]["params"]["result"]["hash"], block_hash(f, i + 1));
    }
}

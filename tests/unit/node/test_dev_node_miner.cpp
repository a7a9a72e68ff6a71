// The node's miner thread (automine): transactions sent at the same time from many threads are
// each mined in a block of their own, answered once their block is durable, and refused with
// geth's messages through the same deferred path.
#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"
#include "tx/transaction.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

using namespace polyvm;
using namespace polyvm::node;

namespace {
struct NodeFixture {
    std::unique_ptr<DevNode> node;
    NodeFixture() {
        NodeOptions options;
        options.server.port = 0;
        options.storage.in_memory = true;
        options.quiet = true;
        node = std::make_unique<DevNode>(options);
        node->start();
    }
    ~NodeFixture() { node->stop(); }

    Transaction transfer(size_t account, uint64_t nonce, uint64_t value = 1) {
        Transaction tx;
        tx.type = TransactionType::DynamicFee;
        tx.chain_id = uint256{31337};
        tx.nonce = nonce;
        tx.max_fee_per_gas = uint256{100'000'000'000ull};
        tx.max_priority_fee_per_gas = uint256{1};
        tx.gas_limit = 21000;
        tx.to = node->accounts()[9].address;
        tx.value = uint256{value};
        EXPECT_TRUE(sign_transaction(tx, node->accounts()[account].secret_key));
        return tx;
    }
    /// eth_sendRawTransaction through the server's path (handle_async), waiting for the answer.
    /// `mined_when_answered`: whether the chain held the transaction at the moment it was answered.
    rpc::json send(const Transaction& tx, bool* mined_when_answered = nullptr) {
        const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":[")" +
                                 rpc::data_hex(encode_transaction(tx)) + R"("]})";
        std::promise<std::string> answered;
        auto answer = answered.get_future();
        const Hash32 hash = transaction_hash(tx);
        node->handle_async(body, rpc::CallContext{}, [&](std::string text) {
            if (mined_when_answered) {
                std::shared_lock lock(node->chain_mutex_);
                *mined_when_answered = node->chain().find_transaction(hash).has_value();
            }
            answered.set_value(std::move(text));
        });
        return rpc::json::parse(answer.get());
    }
    uint64_t head() { return node->chain().head_number_now(); }
};
}  // namespace

TEST(DevNodeMiner, ConcurrentSendersEachGetABlockAndTheirAnswerAfterIt) {
    NodeFixture f;
    constexpr size_t kSenders = 8, kPerSender = 12;
    std::vector<std::thread> threads;
    std::vector<std::vector<rpc::json>> answers(kSenders);
    std::vector<std::vector<bool>> mined_when_answered(kSenders);
    for (size_t s = 0; s < kSenders; ++s) {
        threads.emplace_back([&, s] {
            for (uint64_t n = 0; n < kPerSender; ++n) {
                bool mined = false;
                answers[s].push_back(f.send(f.transfer(s, n), &mined));
                mined_when_answered[s].push_back(mined);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(f.head(), kSenders * kPerSender);  // one block per transaction
    std::set<uint64_t> blocks;
    for (size_t s = 0; s < kSenders; ++s) {
        for (uint64_t n = 0; n < kPerSender; ++n) {
            const rpc::json& a = answers[s][n];
            ASSERT_TRUE(a.contains("result")) << a.dump();
            const Hash32 hash = transaction_hash(f.transfer(s, n));
            EXPECT_EQ(a["result"], rpc::hex(hash));
            EXPECT_TRUE(mined_when_answered[s][n]) << "sender " << s << " nonce " << n;
            std::shared_lock lock(f.node->chain_mutex_);
            const auto found = f.node->chain().find_transaction(hash);
            ASSERT_TRUE(found) << "sender " << s << " nonce " << n;
            EXPECT_EQ(found->first->block.transactions.size(), 1u);
            blocks.insert(found->first->block.header.number);
        }
    }
    EXPECT_EQ(blocks.size(), kSenders * kPerSender);
}

TEST(DevNodeMiner, RefusalsAndGapsGoThroughTheSamePath) {
    NodeFixture f;
    ASSERT_TRUE(f.send(f.transfer(0, 0)).contains("result"));
    const rpc::json low = f.send(f.transfer(0, 0, 2));
    ASSERT_TRUE(low.contains("error")) << low.dump();
    EXPECT_EQ(low["error"]["code"], -32000);
    EXPECT_EQ(low["error"]["message"], "nonce too low");
    // A nonce past the next one waits in the pool: answered with its hash, not mined...
    const rpc::json gap = f.send(f.transfer(0, 2));
    ASSERT_TRUE(gap.contains("result")) << gap.dump();
    EXPECT_EQ(f.head(), 1u);
    // ...until the transaction before it arrives: then both are mined, a block each.
    ASSERT_TRUE(f.send(f.transfer(0, 1)).contains("result"));
    EXPECT_EQ(f.head(), 3u);
    Transaction poor = f.transfer(0, 3, 0);
    poor.value = uint256{1} << 200;
    ASSERT_TRUE(sign_transaction(poor, f.node->accounts()[0].secret_key));
    const rpc::json refused = f.send(poor);
    ASSERT_TRUE(refused.contains("error"));
    EXPECT_EQ(refused["error"]["message"], "insufficient funds for gas * price + value");
    EXPECT_EQ(f.head(), 3u);
}

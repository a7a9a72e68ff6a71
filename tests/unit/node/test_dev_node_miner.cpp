// The node's miner thread (automine): transactions sent at the same time from many threads are
// each mined in a block of their own, answered once their block is durable, and refused with
// geth's messages through the same deferred path.
#include "node_fixture.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

using namespace polyvm;
using namespace polyvm::node;
using polyvm::test::NodeFixture;


namespace {
void concurrent_senders_each_get_a_block(unsigned node_threads) {
    NodeFixture f(node_threads);
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
}  // namespace

TEST(DevNodeMiner, ConcurrentSendersEachGetABlockAndTheirAnswerAfterIt) {
    concurrent_senders_each_get_a_block(1);
}

// The same with the blocks of each pass pipelined (their commits on a pool thread).
TEST(DevNodeMiner, ConcurrentSendersEachGetABlockWhenPipelined) {
    concurrent_senders_each_get_a_block(kPipelinedMiningThreads);
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
    const rpc::json refused = f.send(f.unfunded_transfer(0, 3));
    ASSERT_TRUE(refused.contains("error"));
    EXPECT_EQ(refused["error"]["message"], "insufficient funds for gas * price + value");
    EXPECT_EQ(f.head(), 3u);
}

// In a batch each deferred call is waited for on the caller's thread while the miner thread
// refuses it: every refusal answered with its own message, from several callers at once (so a
// miner's pass holds several). Under ThreadSanitizer this is where an exception object still
// held by the miner while a caller read it showed as a race.
TEST(DevNodeMiner, RefusalsInBatchesAreAnsweredOnTheCallersThreads) {
    NodeFixture f;
    ASSERT_TRUE(f.send(f.transfer(0, 0)).contains("result"));
    const std::string low = rpc::data_hex(encode_transaction(f.transfer(0, 0, 2)));
    const std::string unfunded = rpc::data_hex(encode_transaction(f.unfunded_transfer(1, 0)));
    constexpr size_t kCallers = 4, kPerBatch = 16;
    rpc::json batch = rpc::json::array();
    for (size_t i = 0; i < kPerBatch; ++i)
        batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "eth_sendRawTransaction"},
                         {"params", {i % 2 ? unfunded : low}}});
    std::vector<rpc::json> answers(kCallers);
    std::vector<std::thread> callers;
    for (size_t c = 0; c < kCallers; ++c)
        callers.emplace_back([&, c] { answers[c] = NodeFixture::post_on(*f.node, batch.dump()); });
    for (auto& caller : callers) caller.join();
    for (const rpc::json& batch_answer : answers) {
        ASSERT_TRUE(batch_answer.is_array() && batch_answer.size() == kPerBatch) << batch_answer.dump();
        for (size_t i = 0; i < kPerBatch; ++i) {
            ASSERT_TRUE(batch_answer[i].contains("error")) << batch_answer[i].dump();
            EXPECT_EQ(batch_answer[i]["id"], i);
            EXPECT_EQ(batch_answer[i]["error"]["message"], i % 2 ? "insufficient funds for gas * price + value" : "nonce too low");
        }
    }
    EXPECT_EQ(f.head(), 1u);
}

// From kPipelinedMiningThreads threads on, a pass of several transactions executes each block
// beside its parent's commit; below, one by one. Either way a block each, in nonce order, every
// sender answered with its hash.
TEST(DevNodeMiner, APassOfSeveralTransactionsIsPipelinedFromFourThreads) {
    for (unsigned threads : {1u, kPipelinedMiningThreads}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        NodeFixture f(threads);
        // Nonces 1-4 wait in the pool for nonce 0; then one pass mines all five.
        for (uint64_t n = 1; n <= 4; ++n) ASSERT_TRUE(f.send(f.transfer(0, n)).contains("result"));
        EXPECT_EQ(f.head(), 0u);
        ASSERT_TRUE(f.send(f.transfer(0, 0)).contains("result"));
        EXPECT_EQ(f.head(), 5u);
        std::shared_lock lock(f.node->chain_mutex_);
        for (uint64_t n = 0; n <= 4; ++n) {
            const auto found = f.node->chain().find_transaction(transaction_hash(f.transfer(0, n)));
            ASSERT_TRUE(found) << "nonce " << n;
            EXPECT_EQ(found->first->block.header.number, n + 1);
        }
        EXPECT_EQ(f.node->chain().mining_statistics().pipelined, threads >= kPipelinedMiningThreads ? 4u : 0u);
    }
}

TEST(DevNodeMiner, OneRequestMinesAtMostTheBlockLimit) {
    // fuzz_rpc: anvil_mine of 88,880 blocks outgrew libFuzzer's memory limit under ASan, and
    // Ganache's evm_mine({blocks}) had no bound at all.
    NodeFixture f;
    const std::string too_many = rpc::quantity(DevNode::kMaxBlocksPerMineCall + 1);
    for (const auto& [method, params] :
         {std::pair{"anvil_mine", rpc::json::array({too_many})}, std::pair{"hardhat_mine", rpc::json::array({too_many})},
          std::pair{"evm_mine", rpc::json::array({{{"blocks", too_many}}})}}) {
        const rpc::json answer = f.call(method, params);
        ASSERT_TRUE(answer.contains("error")) << method << ": " << answer.dump();
        EXPECT_EQ(answer["error"]["code"], -32602) << method;
        EXPECT_NE(answer["error"]["message"].get<std::string>().find("at most 100000 blocks"), std::string::npos) << method;
    }
    EXPECT_EQ(f.head(), 0u);
    ASSERT_TRUE(f.call("anvil_mine", rpc::json::array({"0x3"})).contains("result"));
    ASSERT_TRUE(f.call("evm_mine", rpc::json::array({{{"blocks", "0x2"}}})).contains("result"));
    EXPECT_EQ(f.head(), 5u);
}

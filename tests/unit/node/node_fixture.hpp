// A development node for tests: in memory, started on a free port, quiet; requests go through
// the same path as the server's (handle_async).
#pragma once

#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"
#include "tx/transaction.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <shared_mutex>
#include <string>

namespace polyvm::test {

using polyvm::node::DevNode;
using polyvm::node::NodeOptions;

struct NodeFixture {
    std::unique_ptr<DevNode> node;
    /// `execution_threads`: the node's --threads (from kPipelinedMiningThreads on, automine's
    /// blocks execute beside their parent's commit).
    explicit NodeFixture(unsigned execution_threads = 1) {
        NodeOptions options;
        options.execution_threads = execution_threads;
        options.server.port = 0;
        options.storage.in_memory = true;
        options.quiet = true;
        node = std::make_unique<DevNode>(options);
        node->start();
    }
    ~NodeFixture() { node->stop(); }

    /// An EIP-1559 transaction signed by dev account `account` (for the node's default chain id
    /// unless told another).
    Transaction signed_transaction(size_t account, uint64_t nonce, const Address& to, uint64_t gas, uint64_t value = 0,
                                   const uint256& chain_id = uint256{31337}) {
        Transaction tx;
        tx.type = TransactionType::DynamicFee;
        tx.chain_id = chain_id;
        tx.nonce = nonce;
        tx.max_fee_per_gas = uint256{100'000'000'000ull};
        tx.max_priority_fee_per_gas = uint256{1};
        tx.gas_limit = gas;
        tx.to = to;
        tx.value = uint256{value};
        EXPECT_TRUE(sign_transaction(tx, node->accounts()[account].secret_key));
        return tx;
    }
    /// `value` wei from dev account `account` to the last dev account.
    Transaction transfer(size_t account, uint64_t nonce, uint64_t value = 1) {
        return signed_transaction(account, nonce, node->accounts()[9].address, 21000, value);
    }
    /// A transfer of 2^200 wei from dev account `account`: refused for insufficient funds.
    Transaction unfunded_transfer(size_t account, uint64_t nonce) {
        Transaction tx = transfer(account, nonce, 0);
        tx.value = uint256{1} << 200;
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
    /// Any method, through the server's path; the whole response object. `context`: the
    /// connection it came from (a WebSocket one for eth_subscribe).
    rpc::json call(const std::string& method, const rpc::json& params, const rpc::CallContext& context = {}) {
        return call_on(*node, method, params, context);
    }
    /// The same on a node a test made itself (with options of its own).
    static rpc::json call_on(DevNode& on, const std::string& method, const rpc::json& params, const rpc::CallContext& context = {}) {
        const rpc::json request = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
        return post_on(on, request.dump(), context);
    }
    /// A request body as the server passes it on (a single request or a batch); the parsed answer.
    static rpc::json post_on(DevNode& on, const std::string& body, const rpc::CallContext& context = {}) {
        std::promise<std::string> answered;
        auto answer = answered.get_future();
        on.handle_async(body, context, [&](std::string text) { answered.set_value(std::move(text)); });
        return rpc::json::parse(answer.get());
    }
};

/// The `result` of a JSON-RPC answer, failing the test (with the answer) when it has none.
inline const rpc::json& result_of(const rpc::json& answer) {
    EXPECT_TRUE(answer.contains("result")) << answer.dump();
    return answer["result"];
}

}  // namespace polyvm::test

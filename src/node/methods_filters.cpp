// Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter,
// eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter) and WebSocket subscriptions
// (eth_subscribe newHeads / logs / newPendingTransactions, eth_unsubscribe).
#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"
#include "node/simulation.hpp"

namespace polyvm::node {
namespace {
using rpc::RpcError;

json subscription_message(const std::string& id, json result) {
    return {{"jsonrpc", "2.0"}, {"method", "eth_subscription"}, {"params", {{"subscription", id}, {"result", std::move(result)}}}};
}

json header_json(const BlockView& block, const ChainConfig& config) {
    json out = block_json(block, false, config);
    out.erase("transactions");
    out.erase("uncles");
    out.erase("withdrawals");
    out.erase("size");
    out.erase("totalDifficulty");
    return out;
}
}  // namespace

void DevNode::notify_block(const BlockPtr& block) {
    std::lock_guard lock(filters_mutex_);
    if (filters_.empty()) return;
    json header;
    for (auto& [id, f] : filters_) {
        if (!f.push_to) continue;  // polling filters read the chain when polled
        if (f.kind == Filter::Kind::Blocks) {
            if (header.is_null()) header = header_json(*block, chain_->config());
            f.push_to->push(subscription_message(id, header).dump());
        } else if (f.kind == Filter::Kind::Logs) {
            LogFilter criteria = parse_log_filter(*this, f.criteria, 1);
            criteria.from = criteria.to = block->block.header.number;
            criteria.block_hash.reset();
            for (const json& log : collect_logs(*this, criteria)) f.push_to->push(subscription_message(id, log).dump());
        }
    }
}

void DevNode::notify_pending(const Hash32& hash) {
    std::lock_guard lock(filters_mutex_);
    for (auto& [id, f] : filters_) {
        if (f.kind != Filter::Kind::PendingTransactions) continue;
        if (f.push_to) f.push_to->push(subscription_message(id, rpc::hex(hash)).dump());
        else if (f.pending.size() < 100'000) f.pending.push_back(hash);
    }
}

void register_filter_methods(DevNode& node, rpc::Dispatcher& d) {
    auto install = [&node](DevNode::Filter f) {
        const std::string id = node.new_filter_id();
        std::lock_guard lock(node.filters_mutex_);
        if (node.filters_.size() >= 10'000) throw RpcError(rpc::kServerError, "too many filters");
        node.filters_.emplace(id, std::move(f));
        return id;
    };
    d.add("eth_newFilter", [&node, install](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const json* criteria = rpc::param_at(p, 0);
        if (!criteria) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        std::shared_lock lock(node.chain_mutex_);
        parse_log_filter(node, *criteria, 0);  // reject bad criteria now
        DevNode::Filter f{DevNode::Filter::Kind::Logs, *criteria, node.chain().head().number + 1, {}, 0, nullptr, {}};
        return install(std::move(f));
    });
    d.add("eth_newBlockFilter", [&node, install](const json&, const rpc::CallContext&) -> json {
        std::shared_lock lock(node.chain_mutex_);
        return install(DevNode::Filter{DevNode::Filter::Kind::Blocks, nullptr, node.chain().head().number + 1, {}, 0, nullptr, {}});
    });
    d.add("eth_newPendingTransactionFilter", [install](const json&, const rpc::CallContext&) -> json {
        return install(DevNode::Filter{DevNode::Filter::Kind::PendingTransactions, nullptr, 0, {}, 0, nullptr, {}});
    });
    d.add("eth_uninstallFilter", [&node](const json& p, const rpc::CallContext&) -> json {
        const json* id = rpc::param_at(p, 0);
        if (!id || !id->is_string()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected a filter id");
        std::lock_guard lock(node.filters_mutex_);
        const auto it = node.filters_.find(id->get<std::string>());
        if (it == node.filters_.end() || it->second.push_to) return false;
        node.filters_.erase(it);
        return true;
    });
    d.add("eth_getFilterChanges", [&node](const json& p, const rpc::CallContext&) -> json {
        const json* id = rpc::param_at(p, 0);
        if (!id || !id->is_string()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected a filter id");
        std::shared_lock chain_lock(node.chain_mutex_);
        std::lock_guard lock(node.filters_mutex_);
        const auto it = node.filters_.find(id->get<std::string>());
        if (it == node.filters_.end() || it->second.push_to) throw RpcError(rpc::kServerError, "filter not found");
        DevNode::Filter& f = it->second;
        DevChain& chain = node.chain();
        json out = json::array();
        const uint64_t head = chain.head().number;
        if (f.kind == DevNode::Filter::Kind::PendingTransactions) {
            for (const auto& h : f.pending) out.push_back(rpc::hex(h));
            f.pending.clear();
        } else if (f.kind == DevNode::Filter::Kind::Blocks) {
            for (uint64_t n = f.next_block; n <= head; ++n)
                if (const BlockPtr b = chain.block_by_number(n)) out.push_back(rpc::hex(b->hash));
            f.next_block = head + 1;
        } else if (f.next_block <= head) {
            LogFilter criteria = parse_log_filter(node, f.criteria, 0);
            criteria.from = std::max(criteria.from, f.next_block);
            if (!f.criteria.contains("toBlock")) criteria.to = head;
            if (criteria.from <= criteria.to) out = collect_logs(node, criteria);
            f.next_block = head + 1;
        }
        return out;
    });
    d.add("eth_getFilterLogs", [&node](const json& p, const rpc::CallContext&) -> json {
        const json* id = rpc::param_at(p, 0);
        if (!id || !id->is_string()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected a filter id");
        std::shared_lock chain_lock(node.chain_mutex_);
        json criteria;
        {
            std::lock_guard lock(node.filters_mutex_);
            const auto it = node.filters_.find(id->get<std::string>());
            if (it == node.filters_.end() || it->second.kind != DevNode::Filter::Kind::Logs)
                throw RpcError(rpc::kServerError, "filter not found");
            criteria = it->second.criteria;
        }
        return collect_logs(node, parse_log_filter(node, criteria, 0));
    });

    d.add("eth_subscribe", [&node, install](const json& p, const rpc::CallContext& context) -> json {
        if (!context.connection || !context.connection->is_websocket())
            throw RpcError(rpc::kMethodNotFound, "notifications not supported");
        const json* kind = rpc::param_at(p, 0);
        if (!kind || !kind->is_string()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected a subscription name");
        DevNode::Filter f{DevNode::Filter::Kind::Blocks, nullptr, 0, {}, context.connection->id(), context.connection, {}};
        const std::string name = kind->get<std::string>();
        if (name == "newHeads") {
            f.kind = DevNode::Filter::Kind::Blocks;
        } else if (name == "logs") {
            f.kind = DevNode::Filter::Kind::Logs;
            const json* criteria = rpc::param_at(p, 1);
            f.criteria = criteria ? *criteria : json::object();
            std::shared_lock lock(node.chain_mutex_);
            parse_log_filter(node, f.criteria, 1);
        } else if (name == "newPendingTransactions") {
            f.kind = DevNode::Filter::Kind::PendingTransactions;
        } else {
            throw RpcError(rpc::kInvalidParams, "invalid argument 0: no \"" + name + "\" subscription in eth namespace");
        }
        return install(std::move(f));
    });
    d.add("eth_unsubscribe", [&node](const json& p, const rpc::CallContext& context) -> json {
        const json* id = rpc::param_at(p, 0);
        if (!id || !id->is_string()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected a subscription id");
        std::lock_guard lock(node.filters_mutex_);
        const auto it = node.filters_.find(id->get<std::string>());
        if (it == node.filters_.end() || !it->second.push_to || !context.connection ||
            it->second.connection != context.connection->id())
            return false;
        node.filters_.erase(it);
        return true;
    });
}

}  // namespace polyvm::node

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

/// A filter's fromBlock or toBlock when it is a block number: the only bound geth's filters put on
/// the logs they report as blocks come and go (a tag such as "latest" follows the chain).
std::optional<uint64_t> numeric_bound(const json& criteria, const char* name) {
    const auto it = criteria.find(name);
    if (it == criteria.end() || it->is_null()) return std::nullopt;
    try {
        const rpc::BlockSelector selector = rpc::decode_block(*it);
        if (selector.tag == rpc::BlockSelector::Tag::Number) return selector.number;
    } catch (const std::exception&) {  // checked when the filter was installed
    }
    return std::nullopt;
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
            json logs = json::array();
            append_block_logs(logs, *block, parse_log_filter(*this, f.criteria, 1));
            for (const json& log : logs) f.push_to->push(subscription_message(id, log).dump());
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

void DevNode::head_moved_back_locked(const Hash32& old_head) {
    const uint64_t first_new = chain_->head().number + 1;
    const std::lock_guard lock(filters_mutex_);
    // The lowest block a logs filter has reported: the walk down the old branch stops there.
    std::optional<uint64_t> lowest_reported;
    for (const auto& [id, f] : filters_)
        if (f.kind == Filter::Kind::Logs && (f.push_to || f.next_block > f.first_block))
            lowest_reported = std::min(lowest_reported.value_or(UINT64_MAX), f.first_block);
    if (lowest_reported) {
        // The blocks taken off, newest first: from the old head down to the first block that is
        // on the chain again (the common ancestor).
        std::vector<BlockPtr> removed;
        for (BlockPtr b = chain_->block_by_hash(old_head); b && b->block.header.number >= *lowest_reported;) {
            const uint64_t number = b->block.header.number;
            if (number < first_new)
                if (const BlockPtr canonical = chain_->block_by_number(number); canonical && canonical->hash == b->hash) break;
            if (removed.size() == kMaxBlocksPerMineCall) break;
            removed.push_back(b);
            if (number == 0) break;
            b = chain_->block_by_hash(b->block.header.parent_hash);
        }
        for (auto& [id, f] : filters_) {
            if (f.kind != Filter::Kind::Logs) continue;
            LogFilter criteria;
            try {
                criteria = parse_log_filter(*this, f.criteria, f.push_to ? 1 : 0);  // checked when installed
            } catch (const std::exception&) {
                continue;
            }
            if (criteria.block_hash) continue;
            const uint64_t from = std::max(f.first_block, numeric_bound(f.criteria, "fromBlock").value_or(0));
            // A polled filter reported the blocks below next_block; a subscription all it was sent.
            const uint64_t to = std::min(f.push_to ? UINT64_MAX : f.next_block - 1,
                                         numeric_bound(f.criteria, "toBlock").value_or(UINT64_MAX));
            for (auto block = removed.rbegin(); block != removed.rend(); ++block) {
                const uint64_t number = (*block)->block.header.number;
                if (number < from || number > to) continue;
                json logs = json::array();
                append_block_logs(logs, **block, criteria);
                for (json& log : logs) {
                    log["removed"] = true;
                    if (f.push_to)
                        f.push_to->push(subscription_message(id, log).dump());
                    else if (f.removed_logs.size() < 100'000)
                        f.removed_logs.push_back(std::move(log));
                }
            }
        }
    }
    for (auto& [id, f] : filters_) {
        f.first_block = std::min(f.first_block, first_new);
        f.next_block = std::min(f.next_block, first_new);
    }
}

void register_filter_methods(DevNode& node, rpc::Dispatcher& d) {
    // A logs or blocks filter reports from the block after the head (pending transactions have no block).
    auto make_filter = [&node](DevNode::Filter::Kind kind, json criteria = nullptr) {
        DevNode::Filter f(kind);
        f.criteria = std::move(criteria);
        f.first_block = f.next_block = node.chain().head().number + 1;
        return f;
    };
    auto install = [&node](DevNode::Filter f) {
        const std::string id = node.new_filter_id();
        std::lock_guard lock(node.filters_mutex_);
        if (node.filters_.size() >= 10'000) throw RpcError(rpc::kServerError, "too many filters");
        node.filters_.emplace(id, std::move(f));
        return id;
    };
    d.add("eth_newFilter", [&node, install, make_filter](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const json* criteria = rpc::param_at(p, 0);
        if (!criteria) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        std::shared_lock lock(node.chain_mutex_);
        parse_log_filter(node, *criteria, 0);  // reject bad criteria now
        return install(make_filter(DevNode::Filter::Kind::Logs, *criteria));
    });
    d.add("eth_newBlockFilter", [&node, install, make_filter](const json&, const rpc::CallContext&) -> json {
        std::shared_lock lock(node.chain_mutex_);
        return install(make_filter(DevNode::Filter::Kind::Blocks));
    });
    d.add("eth_newPendingTransactionFilter", [install](const json&, const rpc::CallContext&) -> json {
        return install(DevNode::Filter(DevNode::Filter::Kind::PendingTransactions));
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
        } else {
            // Logs of blocks taken off the chain since the last poll first (removed: true), as geth.
            for (json& log : f.removed_logs) out.push_back(std::move(log));
            f.removed_logs.clear();
            if (f.next_block <= head) {
                // Every block since the last poll within the filter's numeric bounds (parse_log_filter
                // reads a missing or tagged bound as the head, which would skip blocks mined between polls).
                LogFilter criteria = parse_log_filter(node, f.criteria, 0);
                criteria.from = std::max(numeric_bound(f.criteria, "fromBlock").value_or(0), f.next_block);
                criteria.to = std::min(numeric_bound(f.criteria, "toBlock").value_or(head), head);
                if (criteria.from <= criteria.to)
                    for (json& log : collect_logs(node, criteria)) out.push_back(std::move(log));
                f.next_block = head + 1;
            }
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

    d.add("eth_subscribe", [&node, install, make_filter](const json& p, const rpc::CallContext& context) -> json {
        if (!context.connection || !context.connection->is_websocket())
            throw RpcError(rpc::kMethodNotFound, "notifications not supported");
        const json* kind = rpc::param_at(p, 0);
        if (!kind || !kind->is_string()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected a subscription name");
        DevNode::Filter f(DevNode::Filter::Kind::PendingTransactions);
        const std::string name = kind->get<std::string>();
        // Installed under the chain lock: no block is mined between first_block and the install.
        std::shared_lock lock(node.chain_mutex_);
        if (name == "newHeads") {
            f = make_filter(DevNode::Filter::Kind::Blocks);
        } else if (name == "logs") {
            const json* criteria = rpc::param_at(p, 1);
            f = make_filter(DevNode::Filter::Kind::Logs, criteria ? *criteria : json::object());
            parse_log_filter(node, f.criteria, 1);
        } else if (name != "newPendingTransactions") {
            throw RpcError(rpc::kInvalidParams, "invalid argument 0: no \"" + name + "\" subscription in eth namespace");
        }
        f.connection = context.connection->id();
        f.push_to = context.connection;
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

// geth's txpool namespace, which Anvil has too: what waits in the pool, split as geth does into
// `pending` (the sender's next nonces, in a row: a block could take them now) and `queued`
// (behind a gap). Keys are addresses as geth writes them (EIP-55) and nonces in decimal.
#include "crypto/keccak.hpp"
#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"

#include <map>
#include <shared_mutex>

namespace polyvm::node {

namespace {

/// EIP-55: the hex digits of the address, upper case where the keccak of the lower-case text has
/// a nibble of 8 or more.
std::string checksummed(const Address& address) {
    const std::string lower = rpc::hex(address).substr(2);
    const Hash32 hash = keccak256(bytes(lower.begin(), lower.end()));
    std::string out = "0x";
    for (size_t i = 0; i < lower.size(); ++i) {
        const uint8_t nibble = (hash.bytes[i / 2] >> (i % 2 ? 0 : 4)) & 0x0f;
        out.push_back(nibble >= 8 ? static_cast<char>(std::toupper(static_cast<unsigned char>(lower[i]))) : lower[i]);
    }
    return out;
}

/// The pool by sender and nonce, each transaction marked pending or queued against the head.
struct PoolContents {
    struct Waiting {
        const Mempool::Entry* entry;
        bool pending;
    };
    std::map<Address, std::map<uint64_t, Waiting>> by_sender;
};

PoolContents pool_contents(DevNode& node) {
    PoolContents out;
    for (const Mempool::Entry* e : node.mempool.all()) out.by_sender[e->tx.sender][e->tx.nonce] = {e, false};
    const auto next_nonce = node.head_nonces();
    for (auto& [sender, by_nonce] : out.by_sender) {
        uint64_t next = next_nonce(sender);
        for (auto& [nonce, waiting] : by_nonce) {
            if (nonce != next) break;
            waiting.pending = true;
            ++next;
        }
    }
    return out;
}

/// geth's one-line summary of a transaction (txpool_inspect).
std::string summary(const Transaction& tx) {
    const uint256& price = tx.type >= TransactionType::DynamicFee ? tx.max_fee_per_gas : tx.gas_price;
    std::string out = tx.to ? checksummed(*tx.to) : std::string("contract creation");
    return out + ": " + tx.value.to_decimal() + " wei + " + std::to_string(tx.gas_limit) + " gas \u00d7 " + price.to_decimal() + " wei";
}

/// {"pending": {sender: {nonce: item}}, "queued": {...}}.
template <typename Item>
json by_status(const PoolContents& contents, const Item& item) {
    json out = {{"pending", json::object()}, {"queued", json::object()}};
    for (const auto& [sender, by_nonce] : contents.by_sender)
        for (const auto& [nonce, waiting] : by_nonce)
            out[waiting.pending ? "pending" : "queued"][checksummed(sender)][std::to_string(nonce)] = item(*waiting.entry);
    return out;
}

}  // namespace

void register_txpool_methods(DevNode& node, rpc::Dispatcher& d) {
    auto shared = [&node] { return std::shared_lock(node.chain_mutex_); };
    d.add("txpool_status", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 0);
        auto lock = shared();
        uint64_t pending = 0, queued = 0;
        for (const auto& [sender, by_nonce] : pool_contents(node).by_sender)
            for (const auto& [nonce, waiting] : by_nonce) ++(waiting.pending ? pending : queued);
        return {{"pending", rpc::quantity(pending)}, {"queued", rpc::quantity(queued)}};
    });
    d.add("txpool_inspect", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 0);
        auto lock = shared();
        return by_status(pool_contents(node), [](const Mempool::Entry& e) { return summary(e.tx); });
    });
    d.add("txpool_content", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 0);
        auto lock = shared();
        const ChainConfig& config = node.chain().config();
        return by_status(pool_contents(node), [&](const Mempool::Entry& e) { return transaction_json(e.tx, e.hash, nullptr, 0, config); });
    });
    d.add("txpool_contentFrom", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Address sender = rpc::param_address(p, 0);
        auto lock = shared();
        const ChainConfig& config = node.chain().config();
        PoolContents contents = pool_contents(node);
        json out = {{"pending", json::object()}, {"queued", json::object()}};
        if (const auto it = contents.by_sender.find(sender); it != contents.by_sender.end())
            for (const auto& [nonce, waiting] : it->second)
                out[waiting.pending ? "pending" : "queued"][std::to_string(nonce)] =
                    transaction_json(waiting.entry->tx, waiting.entry->hash, nullptr, 0, config);
        return out;
    });
}

}  // namespace polyvm::node

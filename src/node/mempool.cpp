#include "node/mempool.hpp"

namespace polyvm::node {
namespace {
uint256 tip_at(const Transaction& tx, const uint256& base_fee) {
    if (tx.max_fee_per_gas < base_fee) return uint256{};
    const uint256 cap = tx.max_fee_per_gas - base_fee;
    return tx.max_priority_fee_per_gas < cap ? tx.max_priority_fee_per_gas : cap;
}
}  // namespace

Mempool::AddResult Mempool::add(Transaction tx, const Hash32& hash) {
    ++generation_;
    if (by_hash_.contains(hash)) return AddResult::AlreadyKnown;
    auto& queue = by_sender_[tx.sender];
    const auto existing = queue.find(tx.nonce);
    if (existing != queue.end()) {
        // geth's price bump: both caps at least 10% higher.
        const Transaction& old = existing->second.tx;
        const uint256 min_fee = old.max_fee_per_gas + old.max_fee_per_gas / uint256{10};
        const uint256 min_tip = old.max_priority_fee_per_gas + old.max_priority_fee_per_gas / uint256{10};
        if (tx.max_fee_per_gas < min_fee || tx.max_priority_fee_per_gas < min_tip) return AddResult::Underpriced;
        by_hash_.erase(existing->second.hash);
        by_hash_[hash] = {tx.sender, tx.nonce};
        existing->second = Entry{std::move(tx), hash};
        return AddResult::Replaced;
    }
    by_hash_[hash] = {tx.sender, tx.nonce};
    const uint64_t nonce = tx.nonce;
    queue.emplace(nonce, Entry{std::move(tx), hash});
    return AddResult::Added;
}

std::vector<Mempool::Entry> Mempool::take_ready(const std::function<uint64_t(const Address&)>& next_nonce, size_t max,
                                                const uint256& base_fee, uint64_t gas_budget) {
    ++generation_;
    std::vector<Entry> out;
    std::unordered_map<Address, uint64_t> nonces;
    while (out.size() < max) {
        // The executable head of each sender; the best tip wins (ties: the earlier sender order).
        std::map<Address, std::map<uint64_t, Entry>>::iterator best = by_sender_.end();
        uint256 best_tip;
        for (auto it = by_sender_.begin(); it != by_sender_.end(); ++it) {
            if (it->second.empty()) continue;
            auto [known, fresh] = nonces.try_emplace(it->first, 0);
            if (fresh) known->second = next_nonce(it->first);
            const auto head = it->second.begin();
            if (head->first != known->second || head->second.tx.gas_limit > gas_budget) continue;
            const uint256 tip = tip_at(head->second.tx, base_fee);
            if (best == by_sender_.end() || tip > best_tip) {
                best = it;
                best_tip = tip;
            }
        }
        if (best == by_sender_.end()) break;
        auto head = best->second.begin();
        gas_budget -= head->second.tx.gas_limit;
        by_hash_.erase(head->second.hash);
        out.push_back(std::move(head->second));
        best->second.erase(head);
        ++nonces[best->first];
        if (best->second.empty()) by_sender_.erase(best);
    }
    return out;
}

const Mempool::Entry* Mempool::find(const Hash32& hash) const {
    const auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) return nullptr;
    return &by_sender_.at(it->second.first).at(it->second.second);
}

bool Mempool::remove(const Hash32& hash) {
    ++generation_;
    const auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) return false;
    auto& queue = by_sender_[it->second.first];
    queue.erase(it->second.second);
    if (queue.empty()) by_sender_.erase(it->second.first);
    by_hash_.erase(it);
    return true;
}

void Mempool::drop_stale(const std::function<uint64_t(const Address&)>& next_nonce) {
    ++generation_;
    for (auto it = by_sender_.begin(); it != by_sender_.end();) {
        const uint64_t nonce = next_nonce(it->first);
        auto& queue = it->second;
        while (!queue.empty() && queue.begin()->first < nonce) {
            by_hash_.erase(queue.begin()->second.hash);
            queue.erase(queue.begin());
        }
        it = queue.empty() ? by_sender_.erase(it) : std::next(it);
    }
}

std::vector<const Mempool::Entry*> Mempool::all() const {
    std::vector<const Entry*> out;
    for (const auto& [sender, queue] : by_sender_)
        for (const auto& [nonce, entry] : queue) out.push_back(&entry);
    return out;
}

void Mempool::clear() {
    ++generation_;
    by_sender_.clear();
    by_hash_.clear();
}

}  // namespace polyvm::node

// The development node's pool of signed transactions waiting for a block: per sender by nonce;
// a block takes the executable ones (nonce = the sender's next) by effective tip, highest first.
// A transaction with the nonce of one already waiting replaces it only with a higher fee (10%
// more, as geth and Anvil require). Not thread-safe: the node holds its chain lock.
#pragma once

#include "tx/transaction.hpp"

#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace polyvm::node {

class Mempool {
public:
    struct Entry {
        Transaction tx;
        Hash32 hash;
    };
    enum class AddResult { Added, Replaced, Underpriced, AlreadyKnown };
    AddResult add(Transaction tx, const Hash32& hash);

    /// Removes and returns up to `max` transactions that can run one after the other on a state
    /// where `next_nonce` gives each sender's nonce, by tip at `base_fee`, highest first, whose
    /// gas limits fit `gas_budget` together (the rest wait for the next block).
    std::vector<Entry> take_ready(const std::function<uint64_t(const Address&)>& next_nonce, size_t max,
                                  const uint256& base_fee, uint64_t gas_budget = UINT64_MAX);
    /// What take_ready would return, the pool left as it is (the `pending` block).
    std::vector<Entry> peek_ready(const std::function<uint64_t(const Address&)>& next_nonce, size_t max,
                                  const uint256& base_fee, uint64_t gas_budget = UINT64_MAX) const {
        Mempool copy = *this;
        return copy.take_ready(next_nonce, max, base_fee, gas_budget);
    }
    /// Changes whenever the pool may have (what a cached `pending` block depends on).
    uint64_t generation() const noexcept { return generation_; }
    const Entry* find(const Hash32& hash) const;
    bool remove(const Hash32& hash);
    /// Drops transactions whose nonce is below their sender's (mined by another path).
    void drop_stale(const std::function<uint64_t(const Address&)>& next_nonce);
    size_t size() const noexcept { return by_hash_.size(); }
    std::vector<const Entry*> all() const;
    void clear();

private:
    std::map<Address, std::map<uint64_t, Entry>> by_sender_;
    std::unordered_map<Hash32, std::pair<Address, uint64_t>> by_hash_;
    uint64_t generation_ = 0;
};

}  // namespace polyvm::node

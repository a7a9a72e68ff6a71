#include "state/overlay.hpp"

#include <algorithm>

namespace polyvm {

ChangeSet merge_change_sets(const ChangeSet& first, const ChangeSet& second) {
    std::map<Address, AccountChange> merged;
    for (const AccountChange& change : first.accounts) merged[change.address] = change;
    for (const AccountChange& change : second.accounts) {
        auto [it, fresh] = merged.try_emplace(change.address, change);
        if (fresh) continue;
        AccountChange& into = it->second;
        // A deletion in `first` drops all storage, so whatever follows starts from none.
        const bool wiped = change.storage_wiped || !into.account || into.storage_wiped;
        if (change.storage_wiped || !change.account) {
            into.storage = change.storage;
        } else {
            std::map<uint256, uint256> slots(into.storage.begin(), into.storage.end());
            for (const auto& [key, value] : change.storage) slots[key] = value;
            into.storage.assign(slots.begin(), slots.end());
        }
        into.storage_wiped = wiped;
        into.account = change.account;
    }
    ChangeSet out;
    out.accounts.reserve(merged.size());
    for (auto& [address, change] : merged) out.accounts.push_back(std::move(change));
    out.codes = first.codes;
    for (const auto& code : second.codes)
        if (std::none_of(out.codes.begin(), out.codes.end(), [&](const auto& c) { return c.first == code.first; }))
            out.codes.push_back(code);
    return out;
}

void OverlayReader::apply(const ChangeSet& changes) {
    for (const auto& [hash, code] : changes.codes) codes_[hash] = code;
    for (const AccountChange& change : changes.accounts) {
        Entry& entry = accounts_[change.address];
        if (change.storage_wiped || !change.account) {
            entry.storage.clear();
            entry.storage_wiped = true;
        }
        for (const auto& [key, value] : change.storage) entry.storage[key] = value;
        entry.account = change.account;
    }
}

OverlayReader::StorageChanges OverlayReader::storage_changes(const Address& address) const {
    const auto it = accounts_.find(address);
    if (it == accounts_.end()) return {};
    return {it->second.storage_wiped || !it->second.account, it->second.storage};
}

std::vector<Address> OverlayReader::addresses() const {
    std::vector<Address> out;
    out.reserve(accounts_.size());
    for (const auto& [address, entry] : accounts_) out.push_back(address);
    return out;
}

std::optional<AccountInfo> OverlayReader::read_account(const Address& address) {
    const auto it = accounts_.find(address);
    if (it == accounts_.end()) return base_.read_account(address);
    const Entry& entry = it->second;
    if (!entry.account) return std::nullopt;
    AccountInfo info = *entry.account;
    // has_storage follows the slots the account ends up with (the database recomputes it too).
    bool any = std::any_of(entry.storage.begin(), entry.storage.end(), [](const auto& s) { return !s.second.is_zero(); });
    if (!any && !entry.storage_wiped) {
        const auto base = base_.read_account(address);
        any = base && base->has_storage;  // approximate when every overlay slot was cleared
    }
    info.has_storage = any;
    return info;
}

uint256 OverlayReader::read_storage(const Address& address, const uint256& key) {
    const auto it = accounts_.find(address);
    if (it == accounts_.end()) return base_.read_storage(address, key);
    const Entry& entry = it->second;
    if (!entry.account) return uint256{};
    const auto slot = entry.storage.find(key);
    if (slot != entry.storage.end()) return slot->second;
    return entry.storage_wiped ? uint256{} : base_.read_storage(address, key);
}

std::shared_ptr<const bytes> OverlayReader::read_code(const Hash32& code_hash) {
    const auto it = codes_.find(code_hash);
    if (it != codes_.end()) return it->second;
    return base_.read_code(code_hash);
}

}  // namespace polyvm

#include "exec/multi_version_memory.hpp"

#include <algorithm>

namespace polyvm {

namespace {
/// The last element of `versions` (sorted by version) below `below`, or nullptr.
template <typename Version, typename Number>
const Version* latest_below(const std::vector<Version>& versions, uint32_t below, Number number) {
    const auto it = std::partition_point(versions.begin(), versions.end(),
                                         [&](const Version& v) { return number(v) < below; });
    return it == versions.begin() ? nullptr : &*(it - 1);
}

template <typename Version, typename Number>
void insert_sorted(std::vector<Version>& versions, Version version, Number number) {
    const auto it = std::partition_point(versions.begin(), versions.end(),
                                         [&](const Version& v) { return number(v) < number(version); });
    versions.insert(it, std::move(version));
}

template <typename Version, typename Number>
void erase_version(std::vector<Version>& versions, uint32_t version, Number number) {
    std::erase_if(versions, [&](const Version& v) { return number(v) == version; });
}

constexpr auto drop_number = [](uint32_t v) { return v; };
}  // namespace

MultiVersionMemory::MultiVersionMemory(StateReader& database, size_t expected_addresses)
    : database_(database), database_reader_(*this) {
    for (Shard& shard : shards_) shard.addresses.reserve(expected_addresses / shards_.size() + 1);
}

MultiVersionMemory::AccountValue MultiVersionMemory::account(const Address& address, uint32_t below) {
    Shard& shard = shard_of(address);
    {
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.addresses.find(address);
        if (it != shard.addresses.end()) {
            if (const auto* v = latest_below(it->second.accounts, below, [](const AccountVersion& a) { return a.version; }))
                return v->value;
            if (it->second.database) return *it->second.database;
        }
    }
    return database_account(address);
}

uint256 MultiVersionMemory::slot(const Address& address, const uint256& key, uint32_t below) {
    Shard& shard = shard_of(address);
    {
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.addresses.find(address);
        if (it != shard.addresses.end()) {
            const AddressEntry& entry = it->second;
            const uint32_t* drop = latest_below(entry.storage_drops, below, drop_number);
            const auto s = entry.slots.find(key);
            const SlotVersion* written =
                s == entry.slots.end() ? nullptr
                                       : latest_below(s->second.versions, below, [](const SlotVersion& v) { return v.version; });
            // A version that re-creates an account lists the slots it then has: its write
            // counts over its own drop.
            if (written && (!drop || written->version >= *drop)) return written->value;
            if (drop) return uint256{};
            if (s != entry.slots.end() && s->second.database) return *s->second.database;
        }
    }
    return database_slot(address, key);
}

MultiVersionMemory::AccountValue MultiVersionMemory::database_account(const Address& address) {
    Shard& shard = shard_of(address);
    {
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.addresses.find(address);
        if (it != shard.addresses.end() && it->second.database) return *it->second.database;
    }
    // Read outside the lock: the database is the slow part, and other threads go on meanwhile.
    AccountValue value;
    value.info = database_.read_account(address);
    if (value.info && value.info->code_hash != kEmptyCodeHash) value.code = database_reader_.read_code(value.info->code_hash);
    const std::lock_guard lock(shard.mutex);
    AddressEntry& entry = shard.addresses[address];
    if (!entry.database) entry.database = std::move(value);
    return *entry.database;
}

uint256 MultiVersionMemory::database_slot(const Address& address, const uint256& key) {
    Shard& shard = shard_of(address);
    {
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.addresses.find(address);
        if (it != shard.addresses.end())
            if (const auto s = it->second.slots.find(key); s != it->second.slots.end() && s->second.database)
                return *s->second.database;
    }
    const uint256 value = database_.read_storage(address, key);
    const std::lock_guard lock(shard.mutex);
    SlotEntry& entry = shard.addresses[address].slots[key];
    if (!entry.database) entry.database = value;
    return *entry.database;
}

std::shared_ptr<const bytes> MultiVersionMemory::DatabaseReader::read_code(const Hash32& code_hash) {
    {
        const std::lock_guard lock(memory_.code_mutex_);
        if (const auto it = memory_.codes_.find(code_hash); it != memory_.codes_.end()) return it->second;
    }
    auto code = memory_.database_.read_code(code_hash);
    const std::lock_guard lock(memory_.code_mutex_);
    return memory_.codes_.emplace(code_hash, std::move(code)).first->second;
}

std::optional<Hash32> MultiVersionMemory::DatabaseReader::read_block_hash(uint64_t number) {
    const std::lock_guard lock(memory_.block_hash_mutex_);
    return memory_.database_.read_block_hash(number);
}

void MultiVersionMemory::publish(uint32_t version, const ChangeSet& changes, const AccountCodes& account_codes) {
    for (size_t c = 0; c < changes.accounts.size(); ++c) {
        const AccountChange& change = changes.accounts[c];
        Shard& shard = shard_of(change.address);
        const std::lock_guard lock(shard.mutex);
        AddressEntry& entry = shard.addresses[change.address];
        if (account_codes[c]) {
            AccountVersion written{version, AccountValue{change.account, *account_codes[c]}};
            // A reader must ask for this account's slots: some may have been written here.
            if (written.value.info) written.value.info->has_storage = true;
            insert_sorted(entry.accounts, std::move(written), [](const AccountVersion& a) { return a.version; });
        }
        if (!change.account || change.storage_wiped) insert_sorted(entry.storage_drops, version, drop_number);
        for (const auto& [key, value] : change.storage)
            insert_sorted(entry.slots[key].versions, SlotVersion{version, value},
                          [](const SlotVersion& v) { return v.version; });
    }
}

void MultiVersionMemory::remove(uint32_t version, const ChangeSet& changes) {
    for (const AccountChange& change : changes.accounts) {
        Shard& shard = shard_of(change.address);
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.addresses.find(change.address);
        if (it == shard.addresses.end()) continue;
        AddressEntry& entry = it->second;
        erase_version(entry.accounts, version, [](const AccountVersion& a) { return a.version; });
        erase_version(entry.storage_drops, version, drop_number);
        for (const auto& [key, value] : change.storage)
            if (const auto s = entry.slots.find(key); s != entry.slots.end())
                erase_version(s->second.versions, version, [](const SlotVersion& v) { return v.version; });
    }
}

}  // namespace polyvm

#include "exec/multi_version_memory.hpp"

#include "common/worker_pool.hpp"

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
    for (SlotShard& shard : slot_shards_) shard.slots.reserve(expected_addresses / slot_shards_.size() + 1);
}

void MultiVersionMemory::release(unsigned threads) {
    const size_t count = std::max(shards_.size(), slot_shards_.size());
    WorkerPool::shared().for_each_chunk(threads > 0 ? threads - 1 : 0, count, 1, [&](unsigned, size_t shard, size_t) {
        if (shard < shards_.size()) std::unordered_map<Address, AddressEntry>().swap(shards_[shard].addresses);
        if (shard < slot_shards_.size()) std::unordered_map<SlotKey, SlotEntry, WarmSlotHash>().swap(slot_shards_[shard].slots);
    });
    codes_.clear();
}

MultiVersionMemory::AccountValue MultiVersionMemory::account(const Address& address, uint32_t below, AccountHandle* handle,
                                                             bool* written) {
    Shard& shard = shard_of(address);
    AddressEntry* entry;
    {
        // One lookup: an address not seen before gets its (empty) entry now, which the
        // database's value then fills in without looking it up again.
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.addresses.try_emplace(address).first;
        entry = &it->second;
        if (handle) {
            handle->shard_ = &shard;
            handle->entry_ = entry;
            handle->address_ = &it->first;
        }
        if (written) *written = !entry->accounts.empty();
        if (const auto* v = latest_below(entry->accounts, below, [](const AccountVersion& a) { return a.version; }))
            return v->value;
        if (entry->database) return *entry->database;
    }
    return load_database_account(shard, *entry, address);
}

std::optional<AccountInfo> MultiVersionMemory::account_info(const AccountHandle& handle, uint32_t below) {
    {
        const std::lock_guard lock(handle.shard_->mutex);
        const AddressEntry& entry = *handle.entry_;
        if (const auto* v = latest_below(entry.accounts, below, [](const AccountVersion& a) { return a.version; }))
            return v->value.info;
        if (entry.database) return entry.database->info;
    }
    return load_database_account(*handle.shard_, *handle.entry_, *handle.address_).info;
}

std::optional<uint32_t> MultiVersionMemory::storage_drop_below(const Address& address, uint32_t below) {
    if (!any_storage_drop_.load(std::memory_order_acquire)) return std::nullopt;
    Shard& shard = shard_of(address);
    const std::lock_guard lock(shard.mutex);
    const auto it = shard.addresses.find(address);
    if (it == shard.addresses.end()) return std::nullopt;
    if (const uint32_t* drop = latest_below(it->second.storage_drops, below, drop_number)) return *drop;
    return std::nullopt;
}

uint256 MultiVersionMemory::slot(const Address& address, const uint256& key, uint32_t below) {
    const std::optional<uint32_t> drop = storage_drop_below(address, below);
    const SlotKey slot_key{address, key};
    SlotShard& shard = slot_shard_of(slot_key);
    {
        const std::lock_guard lock(shard.mutex);
        const auto s = shard.slots.find(slot_key);
        const SlotVersion* written =
            s == shard.slots.end() ? nullptr
                                   : latest_below(s->second.versions, below, [](const SlotVersion& v) { return v.version; });
        // A version that re-creates an account lists the slots it then has: its write counts
        // over its own drop.
        if (written && (!drop || written->version >= *drop)) return written->value;
        if (drop) return uint256{};
        if (s != shard.slots.end() && s->second.database) return *s->second.database;
    }
    return load_database_slot(address, key);
}

MultiVersionMemory::AccountValue MultiVersionMemory::database_account(const Address& address) {
    Shard& shard = shard_of(address);
    AddressEntry* entry;
    {
        const std::lock_guard lock(shard.mutex);
        entry = &shard.addresses.try_emplace(address).first->second;
        if (entry->database) return *entry->database;
    }
    return load_database_account(shard, *entry, address);
}

MultiVersionMemory::AccountValue MultiVersionMemory::load_database_account(Shard& shard, AddressEntry& entry,
                                                                           const Address& address) {
    // Read outside the lock: the database is the slow part, and other threads go on meanwhile.
    // Another thread may have read it meanwhile: the first value stored is kept.
    AccountValue value;
    value.info = database_.read_account(address);
    if (value.info && value.info->code_hash != kEmptyCodeHash) value.code = database_reader_.read_code(value.info->code_hash);
    const std::lock_guard lock(shard.mutex);
    if (!entry.database) entry.database = std::move(value);
    return *entry.database;
}

uint256 MultiVersionMemory::database_slot(const Address& address, const uint256& key) {
    const SlotKey slot_key{address, key};
    SlotShard& shard = slot_shard_of(slot_key);
    {
        const std::lock_guard lock(shard.mutex);
        if (const auto s = shard.slots.find(slot_key); s != shard.slots.end() && s->second.database)
            return *s->second.database;
    }
    return load_database_slot(address, key);
}

uint256 MultiVersionMemory::load_database_slot(const Address& address, const uint256& key) {
    const SlotKey slot_key{address, key};
    SlotShard& shard = slot_shard_of(slot_key);
    const uint256 value = database_.read_storage(address, key);
    const std::lock_guard lock(shard.mutex);
    SlotEntry& entry = shard.slots[slot_key];
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
        const bool drops = !change.account || change.storage_wiped;
        if (account_codes[c] || drops) {
            if (drops) any_storage_drop_.store(true, std::memory_order_release);
            Shard& shard = shard_of(change.address);
            const std::lock_guard lock(shard.mutex);
            AddressEntry& entry = shard.addresses[change.address];
            if (account_codes[c]) {
                AccountVersion written{version, AccountValue{change.account, *account_codes[c]}};
                // A reader must ask for this account's slots: some may have been written here.
                if (written.value.info) written.value.info->has_storage = true;
                insert_sorted(entry.accounts, std::move(written), [](const AccountVersion& a) { return a.version; });
            }
            if (drops) insert_sorted(entry.storage_drops, version, drop_number);
        }
        for (const auto& [key, value] : change.storage) {
            const SlotKey slot_key{change.address, key};
            SlotShard& shard = slot_shard_of(slot_key);
            const std::lock_guard lock(shard.mutex);
            insert_sorted(shard.slots[slot_key].versions, SlotVersion{version, value},
                          [](const SlotVersion& v) { return v.version; });
        }
    }
}

void MultiVersionMemory::publish_account(uint32_t version, const Address& address, std::optional<AccountInfo> info,
                                         std::shared_ptr<const bytes> code) {
    if (!info) any_storage_drop_.store(true, std::memory_order_release);
    Shard& shard = shard_of(address);
    const std::lock_guard lock(shard.mutex);
    AddressEntry& entry = shard.addresses[address];
    if (!info) insert_sorted(entry.storage_drops, version, drop_number);
    if (info) info->has_storage = true;
    insert_sorted(entry.accounts, AccountVersion{version, AccountValue{std::move(info), std::move(code)}},
                  [](const AccountVersion& a) { return a.version; });
}

void MultiVersionMemory::remove(uint32_t version, const ChangeSet& changes) {
    for (const AccountChange& change : changes.accounts) {
        {
            Shard& shard = shard_of(change.address);
            const std::lock_guard lock(shard.mutex);
            if (const auto it = shard.addresses.find(change.address); it != shard.addresses.end()) {
                erase_version(it->second.accounts, version, [](const AccountVersion& a) { return a.version; });
                erase_version(it->second.storage_drops, version, drop_number);
            }
        }
        for (const auto& [key, value] : change.storage) {
            const SlotKey slot_key{change.address, key};
            SlotShard& shard = slot_shard_of(slot_key);
            const std::lock_guard lock(shard.mutex);
            if (const auto s = shard.slots.find(slot_key); s != shard.slots.end())
                erase_version(s->second.versions, version, [](const SlotVersion& v) { return v.version; });
        }
    }
}

}  // namespace polyvm

#include "state/memory_database.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "state/trie.hpp"

#include <algorithm>

namespace polyvm {

bytes block_number_key(uint64_t number) {
    bytes key(8);
    for (int i = 7; i >= 0; --i, number >>= 8) key[static_cast<size_t>(i)] = static_cast<uint8_t>(number);
    return key;
}

CheckedCommit StateDatabase::commit_if_root(const ChangeSet& changes, std::span<const RecordWrite> records,
                                           const Hash32& expected_root, std::optional<RecordWrite> reverse_record) {
    CheckedCommit out;
    ChangeSet reverse = commit(changes);
    out.root = state_root();
    if (out.root != expected_root) {
        commit(reverse);
        return out;
    }
    std::vector<RecordWrite> all(records.begin(), records.end());
    if (reverse_record) {
        reverse_record->value = encode_change_set(reverse);
        all.push_back(std::move(*reverse_record));
    }
    commit(ChangeSet{}, all);
    out.committed = true;
    out.reverse = std::move(reverse);
    return out;
}

CheckedCommit StateDatabase::commit_sealing(const ChangeSet& changes, const RecordsForRoot& make_records, bytes_view) {
    CheckedCommit out;
    out.reverse = commit(changes);
    out.root = state_root();
    try {
        commit(ChangeSet{}, make_records(out.root, out.reverse));
    } catch (...) {
        commit(out.reverse);  // all or nothing
        throw;
    }
    out.committed = true;
    return out;
}

Hash32 StateDatabase::preview_root(const ChangeSet& changes) {
    const ChangeSet reverse = commit(changes);
    const Hash32 root = state_root();
    commit(reverse);
    return root;
}

Hash32 storage_root(const std::vector<std::pair<uint256, uint256>>& slots) {
    std::vector<std::pair<bytes, bytes>> entries;
    entries.reserve(slots.size());
    for (const auto& [key, value] : slots) {
        if (value.is_zero()) continue;
        const Hash32 hashed = keccak256(key.to_hash());
        entries.emplace_back(bytes(hashed.bytes.begin(), hashed.bytes.end()), rlp::encode(value));
    }
    return entries.empty() ? kEmptyTrieRoot : trie_root(std::move(entries));
}

bytes encode_account(const AccountInfo& info, const Hash32& storage_root) {
    return rlp::ListBuilder{}.add(info.nonce).add(info.balance).add(storage_root).add(info.code_hash).finish();
}

void MemoryDatabase::put_account(const Address& address, const AccountInfo& info, bytes_view code,
                                 const std::vector<std::pair<uint256, uint256>>& storage) {
    StoredAccount& stored = accounts_[address];
    stored.info = info;
    if (!code.empty()) {
        const Hash32 hash = keccak256(code);
        stored.info.code_hash = hash;
        codes_.try_emplace(hash, std::make_shared<const bytes>(code.begin(), code.end()));
    } else {
        stored.info.code_hash = kEmptyCodeHash;
    }
    stored.storage.clear();
    for (const auto& [key, value] : storage)
        if (!value.is_zero()) stored.storage[key] = value;
    stored.info.has_storage = !stored.storage.empty();
}

void MemoryDatabase::set_block_hash(uint64_t number, const Hash32& hash) {
    records_[std::string{kCanonicalHashTable}][block_number_key(number)] = bytes(hash.bytes.begin(), hash.bytes.end());
}

std::optional<AccountInfo> MemoryDatabase::read_account(const Address& address) {
    const auto it = accounts_.find(address);
    if (it == accounts_.end()) return std::nullopt;
    return it->second.info;
}

uint256 MemoryDatabase::read_storage(const Address& address, const uint256& key) {
    const auto it = accounts_.find(address);
    if (it == accounts_.end()) return {};
    const auto slot = it->second.storage.find(key);
    return slot == it->second.storage.end() ? uint256{} : slot->second;
}

std::shared_ptr<const bytes> MemoryDatabase::read_code(const Hash32& code_hash) {
    const auto it = codes_.find(code_hash);
    return it == codes_.end() ? nullptr : it->second;
}

std::optional<Hash32> MemoryDatabase::read_block_hash(uint64_t number) {
    const auto record = read_record(kCanonicalHashTable, block_number_key(number));
    if (!record || record->size() != 32) return std::nullopt;
    return Hash32::from(*record);
}

ChangeSet MemoryDatabase::commit(const ChangeSet& changes, std::span<const RecordWrite> records) {
    ChangeSet reverse;
    for (const auto& [hash, code] : changes.codes)
        if (code) codes_.try_emplace(hash, code);  // code is content-addressed: never removed
    reverse.accounts.reserve(changes.accounts.size());
    for (const AccountChange& change : changes.accounts) {
        AccountChange undo;
        undo.address = change.address;
        auto it = accounts_.find(change.address);
        if (it != accounts_.end()) {
            undo.account = it->second.info;
            if (change.storage_wiped || !change.account) {
                undo.storage_wiped = true;
                undo.storage.assign(it->second.storage.begin(), it->second.storage.end());
            } else {
                for (const auto& [key, value] : change.storage) {
                    const auto slot = it->second.storage.find(key);
                    undo.storage.emplace_back(key, slot == it->second.storage.end() ? uint256{} : slot->second);
                }
            }
        } else {
            // The account did not exist: undoing deletes it (and everything written to it).
            undo.storage_wiped = true;
        }
        reverse.accounts.push_back(std::move(undo));

        if (!change.account) {
            if (it != accounts_.end()) accounts_.erase(it);
            continue;
        }
        if (it == accounts_.end()) it = accounts_.emplace(change.address, StoredAccount{}).first;
        StoredAccount& stored = it->second;
        stored.info = *change.account;
        if (change.storage_wiped) stored.storage.clear();
        for (const auto& [key, value] : change.storage) {
            if (value.is_zero())
                stored.storage.erase(key);
            else
                stored.storage[key] = value;
        }
        stored.info.has_storage = !stored.storage.empty();
    }
    for (const RecordWrite& write : records) {
        auto& table = records_[write.table];
        if (write.value)
            table[write.key] = *write.value;
        else
            table.erase(write.key);
    }
    return reverse;
}

std::optional<bytes> MemoryDatabase::read_record(std::string_view table, bytes_view key) {
    const auto t = records_.find(table);
    if (t == records_.end()) return std::nullopt;
    const auto it = t->second.find(bytes(key.begin(), key.end()));
    if (it == t->second.end()) return std::nullopt;
    return it->second;
}

Hash32 MemoryDatabase::state_root() {
    std::vector<std::pair<bytes, bytes>> entries;
    entries.reserve(accounts_.size());
    std::vector<std::pair<uint256, uint256>> slots;
    for (const auto& [address, stored] : accounts_) {
        slots.assign(stored.storage.begin(), stored.storage.end());
        const Hash32 hashed = keccak256(address);
        entries.emplace_back(bytes(hashed.bytes.begin(), hashed.bytes.end()), encode_account(stored.info, storage_root(slots)));
    }
    return trie_root(std::move(entries));
}

std::vector<StateDatabase::DumpedAccount> MemoryDatabase::dump() {
    std::vector<DumpedAccount> out;
    out.reserve(accounts_.size());
    for (const auto& [address, stored] : accounts_) {
        DumpedAccount a;
        a.address = address;
        a.info = stored.info;
        a.code = read_code(stored.info.code_hash);
        a.storage.assign(stored.storage.begin(), stored.storage.end());
        out.push_back(std::move(a));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Change-set encoding: [[address, account-or-empty-list, wiped, [[key, value]...]]...], [[hash, code]...]]
// An account is [nonce, balance, code_hash].

bytes encode_change_set(const ChangeSet& changes) {
    // Every list's size first, then the encoding written once into a buffer of its final size: a
    // node's block commit encodes its changes and their reverse, and building each nested list
    // in a buffer of its own and copying it into its parent took ~7% of the miner's time.
    struct Sizes {
        size_t account = 0, slots = 0, entry = 0;  // payloads of [nonce, balance, code_hash], [[k, v]...], the entry
    };
    // A slot's [key, value] and a code's [hash, code]: sized in the first pass, headed in the second.
    const auto slot_payload = [](const uint256& key, const uint256& value) {
        return rlp::encoded_size(key) + rlp::encoded_size(value);
    };
    const auto code_of = [](const std::shared_ptr<const bytes>& code) { return code ? bytes_view{*code} : bytes_view{}; };
    const auto code_payload = [&](const Hash32& hash, const std::shared_ptr<const bytes>& code) {
        return rlp::encoded_size(bytes_view{hash}) + rlp::encoded_size(code_of(code));
    };
    std::vector<Sizes> sizes(changes.accounts.size());
    size_t accounts_payload = 0;
    for (size_t i = 0; i < changes.accounts.size(); ++i) {
        const AccountChange& c = changes.accounts[i];
        Sizes& z = sizes[i];
        for (const auto& [key, value] : c.storage) z.slots += rlp::list_size(slot_payload(key, value));
        if (c.account)
            z.account = rlp::encoded_size(c.account->nonce) + rlp::encoded_size(c.account->balance) +
                        rlp::encoded_size(bytes_view{c.account->code_hash});
        z.entry = rlp::encoded_size(bytes_view{c.address}) + rlp::list_size(z.account) +
                  rlp::encoded_size(uint64_t{c.storage_wiped ? 1u : 0u}) + rlp::list_size(z.slots);
        accounts_payload += rlp::list_size(z.entry);
    }
    size_t codes_payload = 0;
    for (const auto& [hash, code] : changes.codes)
        codes_payload += rlp::list_size(code_payload(hash, code));
    const size_t top_payload = rlp::list_size(accounts_payload) + rlp::list_size(codes_payload);

    bytes out;
    out.reserve(rlp::list_size(top_payload));
    rlp::append_header(out, top_payload, true);
    rlp::append_header(out, accounts_payload, true);
    for (size_t i = 0; i < changes.accounts.size(); ++i) {
        const AccountChange& c = changes.accounts[i];
        const Sizes& z = sizes[i];
        rlp::append_header(out, z.entry, true);
        rlp::append(out, bytes_view{c.address});
        rlp::append_header(out, z.account, true);
        if (c.account) {
            rlp::append(out, c.account->nonce);
            rlp::append(out, c.account->balance);
            rlp::append(out, bytes_view{c.account->code_hash});
        }
        rlp::append(out, uint64_t{c.storage_wiped ? 1u : 0u});
        rlp::append_header(out, z.slots, true);
        for (const auto& [key, value] : c.storage) {
            rlp::append_header(out, slot_payload(key, value), true);
            rlp::append(out, key);
            rlp::append(out, value);
        }
    }
    rlp::append_header(out, codes_payload, true);
    for (const auto& [hash, code] : changes.codes) {
        rlp::append_header(out, code_payload(hash, code), true);
        rlp::append(out, bytes_view{hash});
        rlp::append(out, code_of(code));
    }
    return out;
}

std::optional<ChangeSet> decode_change_set(bytes_view encoded) {
    auto top = rlp::decode_item(encoded);
    if (!top || !top->is_list) return std::nullopt;
    auto parts = rlp::list_items(*top);
    if (!parts || parts->size() != 2 || !(*parts)[0].is_list || !(*parts)[1].is_list) return std::nullopt;
    ChangeSet out;
    auto accounts = rlp::list_items((*parts)[0]);
    if (!accounts) return std::nullopt;
    for (const rlp::Item& item : *accounts) {
        auto fields = rlp::list_items(item);
        if (!fields || fields->size() != 4) return std::nullopt;
        AccountChange c;
        auto address = rlp::to_fixed<20>((*fields)[0]);
        if (!address) return std::nullopt;
        c.address = *address;
        if (!(*fields)[1].is_list) return std::nullopt;
        auto account = rlp::list_items((*fields)[1]);
        if (!account) return std::nullopt;
        if (account->size() == 3) {
            auto nonce = rlp::to_u64((*account)[0]);
            auto balance = rlp::to_uint256((*account)[1]);
            auto code_hash = rlp::to_fixed<32>((*account)[2]);
            if (!nonce || !balance || !code_hash) return std::nullopt;
            c.account = AccountInfo{*nonce, *balance, *code_hash, false};
        } else if (!account->empty()) {
            return std::nullopt;
        }
        auto wiped = rlp::to_u64((*fields)[2]);
        if (!wiped || *wiped > 1) return std::nullopt;
        c.storage_wiped = *wiped == 1;
        auto slots = rlp::list_items((*fields)[3]);
        if (!slots) return std::nullopt;
        for (const rlp::Item& s : *slots) {
            auto kv = rlp::list_items(s);
            if (!kv || kv->size() != 2) return std::nullopt;
            auto key = rlp::to_uint256((*kv)[0]);
            auto value = rlp::to_uint256((*kv)[1]);
            if (!key || !value) return std::nullopt;
            c.storage.emplace_back(*key, *value);
        }
        out.accounts.push_back(std::move(c));
    }
    auto codes = rlp::list_items((*parts)[1]);
    if (!codes) return std::nullopt;
    for (const rlp::Item& item : *codes) {
        auto kv = rlp::list_items(item);
        if (!kv || kv->size() != 2) return std::nullopt;
        auto hash = rlp::to_fixed<32>((*kv)[0]);
        auto code = rlp::to_bytes((*kv)[1]);
        if (!hash || !code) return std::nullopt;
        out.codes.emplace_back(*hash, std::make_shared<const bytes>(std::move(*code)));
    }
    return out;
}

}  // namespace polyvm

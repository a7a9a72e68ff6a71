#include "state/state.hpp"

#include "common/rlp.hpp"
#include "common/worker_pool.hpp"
#include "crypto/keccak.hpp"
#include "state/trie.hpp"

#include "common/hex.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace polyvm {

namespace {
// The RIPEMD-160 precompile keeps its "touched" mark when the touching call is reverted: a
// historical consensus quirk of mainnet (block 2675119) kept by every client since EIP-158.
const Address kRipemdAddress = [] {
    Address a;
    a[19] = 0x03;
    return a;
}();
}  // namespace

State::JournalEntry State::entry(JournalEntry::Kind kind, const Address& addr, const uint256& key,
                                 const uint256& previous) {
    JournalEntry e;
    e.kind = kind;
    e.addr = addr;
    e.key = key;
    e.previous = previous;
    return e;
}

Account& State::put_account(const Address& addr, Account account) {
    if (!account.code) account.code_hash = kEmptyCodeHash;
    auto& slot = accounts_[addr];
    slot = std::move(account);
    return slot;
}

void State::set_code(Account& account, bytes code) {
    account.code_hash = keccak256(code);
    account.code = std::make_shared<const bytes>(std::move(code));
}

Account* State::load(const Address& addr) const {
    if (!reader_ || deleted_.contains(addr) || absent_in_db_.contains(addr)) return nullptr;
    const auto info = reader_->read_account(addr);
    if (!info) {
        absent_in_db_.insert(addr);
        return nullptr;
    }
    Account acc;
    acc.nonce = info->nonce;
    acc.balance = info->balance;
    acc.code_hash = info->code_hash;
    if (info->code_hash != kEmptyCodeHash) {
        acc.code = reader_->read_code(info->code_hash);
        // A database that lost code it refers to is corrupt; fail loudly rather than run "no code".
        if (!acc.code) throw DatabaseError("code " + to_hex_prefixed(info->code_hash) + " of an account is missing");
    }
    acc.has_db_storage = info->has_storage;
    acc.balance_deferred = reader_->balance_deferred(addr);
    return &accounts_.emplace(addr, std::move(acc)).first->second;
}

void State::materialize_balance(const Address& addr, Account& acc) {
    const uint256 base = reader_->read_deferred_balance(addr);
    acc.balance += base;
    for (JournalEntry& e : journal_)
        if (e.kind == JournalEntry::Balance && e.addr == addr) e.previous += base;
    acc.balance_deferred = false;
}

Account& State::get_or_create(const Address& addr) {
    if (Account* existing = find(addr)) return *existing;
    Account& acc = accounts_[addr];
    acc.code_hash = kEmptyCodeHash;
    acc.dirty = true;
    // Re-created after a deletion earlier in the block: the database's old storage must go.
    acc.storage_wiped = deleted_.contains(addr);
    journal_.push_back(entry(JournalEntry::Created, addr));
    return acc;
}

void State::touch(const Address& addr) {
    auto& acc = get_or_create(addr);
    if (!acc.touched) {
        acc.touched = true;
        journal_.push_back(entry(JournalEntry::Touched, addr));
    }
}

void State::add_balance(const Address& addr, const uint256& amount) {
    auto& acc = get_or_create(addr);
    if (!amount.is_zero()) {  // a zero credit (zero-value CALL) only touches: nothing to journal
        journal_.push_back(entry(JournalEntry::Balance, addr, {}, acc.balance));
        acc.balance += amount;
        acc.dirty = true;
    }
    touch(addr);
}

void State::sub_balance(const Address& addr, const uint256& amount) {
    auto& acc = get_or_create(addr);
    if (!amount.is_zero()) {
        journal_.push_back(entry(JournalEntry::Balance, addr, {}, acc.balance));
        acc.balance -= amount;
        acc.dirty = true;
    }
    touch(addr);
}

void State::bump_nonce(const Address& addr) {
    auto& acc = get_or_create(addr);
    journal_.push_back(entry(JournalEntry::Nonce, addr, {}, uint256{acc.nonce}));
    ++acc.nonce;
    acc.dirty = true;
}

StorageSlot& State::storage_slot(const Address& addr, const uint256& key) {
    auto& acc = get_or_create(addr);
    const auto [it, inserted] = acc.storage.try_emplace(key);
    if (inserted && acc.has_db_storage && reader_) {
        const uint256 stored = reader_->read_storage(addr, key);
        it->second.current = stored;
        it->second.original = stored;
    }
    return it->second;  // a slot in neither the cache nor the database reads as zero
}

uint256 State::load_storage_value(const Address& addr, Account& acc, const uint256& key) {
    if (!acc.has_db_storage || !reader_) return {};
    return storage_slot(addr, key).current;
}

bool State::has_nonzero_storage(const Address& addr) {
    const Account* acc = find(addr);
    if (!acc) return false;
    if (reader_) reader_->note_storage_presence_query(addr);
    if (acc->has_db_storage) return true;
    for (const auto& [key, slot] : acc->storage)
        if (!slot.original.is_zero() || !slot.current.is_zero()) return true;
    return false;
}

std::optional<Hash32> State::block_hash(uint64_t number) const {
    return reader_ ? reader_->read_block_hash(number) : std::nullopt;
}

void State::set_storage(const Address& addr, const uint256& key, const uint256& value) {
    auto& slot = storage_slot(addr, key);
    journal_.push_back(entry(JournalEntry::Storage, addr, key, slot.current));
    slot.current = value;
    slot.dirty = true;
}

void State::set_transient_storage(const Address& addr, const uint256& key, const uint256& value) {
    auto& acc = get_or_create(addr);
    auto& v = acc.transient_storage[key];
    journal_.push_back(entry(JournalEntry::TransientStorage, addr, key, v));
    v = value;
}

void State::mark_warm(const Address& addr) {
    if (warm_addresses_.insert(addr).second) journal_.push_back(entry(JournalEntry::Warm, addr));
}

bool State::is_warm(const Address& addr) const noexcept { return warm_addresses_.contains(addr); }

bool State::mark_storage_warm(const Address& addr, const uint256& key) {
    // Look up before inserting: emplace would allocate a node even for an already-warm slot.
    const std::pair<Address, uint256> slot_key{addr, key};
    if (warm_slots_.contains(slot_key)) return true;
    warm_slots_.insert(slot_key);
    journal_.push_back(entry(JournalEntry::StorageWarm, addr, key));
    return false;
}

void State::mark_destructed(const Address& addr) {
    auto& acc = get_or_create(addr);
    if (!acc.destructed) {
        acc.destructed = true;
        journal_.push_back(entry(JournalEntry::Destructed, addr));
    }
}

void State::create_contract(const Address& addr, uint64_t initial_nonce) {
    if (!find(addr)) {
        auto& acc = get_or_create(addr);
        acc.nonce = initial_nonce;
        acc.created_in_tx = true;
        acc.touched = true;
        return;
    }
    // Re-creation over an account that holds only a balance: remember it whole for revert.
    journal_.push_back(entry(JournalEntry::Recreated, addr));
    journal_saved_.push_back(SavedAccount{nullptr, {}, std::make_shared<Account>(accounts_.find(addr)->second)});
    Account& acc = accounts_.find(addr)->second;
    const uint256 balance = acc.balance;
    acc = Account{};
    acc.code_hash = kEmptyCodeHash;
    acc.balance = balance;
    acc.nonce = initial_nonce;
    acc.created_in_tx = true;
    acc.storage_cleared = true;
    acc.storage_wiped = true;  // the database's slots of the old account are gone
    acc.dirty = true;
    acc.touched = true;
}

void State::set_code_journaled(const Address& addr, bytes code) {
    auto& acc = get_or_create(addr);
    journal_.push_back(entry(JournalEntry::Code, addr));
    journal_saved_.push_back(SavedAccount{acc.code, acc.code_hash, nullptr});
    set_code(acc, std::move(code));
    acc.dirty = true;
    new_codes_.emplace_back(acc.code_hash, acc.code);
}

void State::revert(size_t snapshot) {
    assert(snapshot <= journal_.size());
    while (journal_.size() > snapshot) {
        JournalEntry& e = journal_.back();
        switch (e.kind) {
        case JournalEntry::Created:
            accounts_.erase(e.addr);
            break;
        case JournalEntry::Balance:
            accounts_[e.addr].balance = e.previous;
            break;
        case JournalEntry::Nonce:
            accounts_[e.addr].nonce = e.previous.low64();
            break;
        case JournalEntry::Storage:
            accounts_[e.addr].storage[e.key].current = e.previous;
            break;
        case JournalEntry::TransientStorage:
            accounts_[e.addr].transient_storage[e.key] = e.previous;
            break;
        case JournalEntry::Touched:
            if (e.addr != kRipemdAddress)
                accounts_[e.addr].touched = false;
            else
                ripemd_touch_kept_ = true;  // finalize_transaction must still look at it
            break;
        case JournalEntry::Warm:
            warm_addresses_.erase(e.addr);
            break;
        case JournalEntry::StorageWarm:
            warm_slots_.erase({e.addr, e.key});
            break;
        case JournalEntry::Destructed:
            accounts_[e.addr].destructed = false;
            break;
        case JournalEntry::Code: {
            Account& acc = accounts_[e.addr];
            acc.code = std::move(journal_saved_.back().code);
            acc.code_hash = journal_saved_.back().code_hash;
            journal_saved_.pop_back();
            break;
        }
        case JournalEntry::Recreated:
            accounts_[e.addr] = std::move(*journal_saved_.back().account);
            journal_saved_.pop_back();
            break;
        }
        journal_.pop_back();
    }
}

void State::finalize_account(const Address& addr, bool delete_empty) {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return;
    Account& acc = it->second;
    if (acc.destructed || (delete_empty && acc.touched && acc.is_empty())) {
        deleted_.insert(addr);
        accounts_.erase(it);
        return;
    }
    acc.touched = false;
    acc.created_in_tx = false;
    acc.storage_cleared = false;
    acc.transient_storage.clear();
}

void State::finalize_transaction(bool delete_empty) {
    // Only the accounts in the journal can have changed: visit each once (the journal is the
    // transaction's size, the cache the block's), in any order (each account's finalization is
    // its own). Sorted and deduplicated in a reused vector: a set allocated a node per address
    // on every transaction.
    std::vector<Address>& touched = finalize_scratch_;
    touched.clear();
    for (const JournalEntry& e : journal_) {
        if (e.kind == JournalEntry::Storage) {
            if (const auto it = accounts_.find(e.addr); it != accounts_.end())
                if (const auto slot = it->second.storage.find(e.key); slot != it->second.storage.end())
                    slot->second.original = slot->second.current;
        }
        if (e.kind == JournalEntry::Warm || e.kind == JournalEntry::StorageWarm) continue;
        touched.push_back(e.addr);
    }
    if (ripemd_touch_kept_) touched.push_back(kRipemdAddress);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (const Address& addr : touched) finalize_account(addr, delete_empty);
    ripemd_touch_kept_ = false;
    warm_addresses_.clear();
    warm_slots_.clear();
    journal_.clear();
    journal_saved_.clear();
}

void State::clear() {
    accounts_.clear();
    absent_in_db_.clear();
    deleted_.clear();
    new_codes_.clear();
    ripemd_touch_kept_ = false;
    journal_.clear();
    journal_saved_.clear();
    warm_addresses_.clear();
    warm_slots_.clear();
}

namespace {
// Installing a change computed on another State (apply_changes, absorb), as that State's
// finalize_transaction left it.
void wipe_storage(Account& acc) {  // as create_contract over an account that held a balance
    acc.storage.clear();
    acc.has_db_storage = false;
    acc.storage_wiped = true;
}
void install_slot(Account& acc, const uint256& key, const uint256& value) {
    StorageSlot& slot = acc.storage[key];
    slot.current = value;
    slot.original = value;  // the next transaction's original
    slot.dirty = true;
}
}  // namespace

void State::apply_changes(const ChangeSet& changes) {
    assert(journal_.empty());
    for (const AccountChange& change : changes.accounts) {
        const Address& addr = change.address;
        if (!change.account) {  // as finalize_account deletes
            if (find(addr)) accounts_.erase(addr);
            deleted_.insert(addr);
            continue;
        }
        Account* acc = find(addr);
        if (!acc) {  // as get_or_create: a re-creation after a deletion wipes the database's storage
            acc = &accounts_[addr];
            acc->storage_wiped = deleted_.contains(addr);
        }
        if (change.storage_wiped) wipe_storage(*acc);
        acc->nonce = change.account->nonce;
        acc->balance = change.account->balance;
        if (acc->code_hash != change.account->code_hash) {
            acc->code_hash = change.account->code_hash;
            acc->code = nullptr;
            for (const auto& [hash, code] : changes.codes)
                if (hash == acc->code_hash) acc->code = code;
            if (!acc->code && acc->code_hash != kEmptyCodeHash && reader_) acc->code = reader_->read_code(acc->code_hash);
            if (!acc->code && acc->code_hash != kEmptyCodeHash)
                throw DatabaseError("code " + to_hex_prefixed(acc->code_hash) + " of a change set is missing");
            new_codes_.emplace_back(acc->code_hash, acc->code);
        }
        acc->dirty = true;
        for (const auto& [key, value] : change.storage) install_slot(*acc, key, value);
    }
}

std::optional<const Account*> State::cached(const Address& addr) const {
    if (const auto it = accounts_.find(addr); it != accounts_.end()) return &it->second;
    if (!deleted_.empty() && deleted_.contains(addr)) return nullptr;
    return std::nullopt;  // never loaded, or known absent from the reader: its answer stands
}

void State::absorb(State&& later) {
    assert(journal_.empty() && later.journal_.empty());
    absent_in_db_.insert(later.absent_in_db_.begin(), later.absent_in_db_.end());  // facts about the reader
    std::vector<Address> gone;  // deleted there and not re-created
    for (const Address& addr : later.deleted_)
        if (!later.accounts_.contains(addr)) gone.push_back(addr);
    accounts_.reserve(accounts_.size() + later.accounts_.size());
    for (auto next = later.accounts_.begin(); next != later.accounts_.end();) {
        const auto node = next++;
        const Address& addr = node->first;
        Account& acc = node->second;
        bool any_slot = false;
        for (const auto& [key, slot] : acc.storage) any_slot |= slot.dirty;
        if (!acc.dirty && !acc.storage_wiped && !any_slot) continue;  // only read: equal to ours
        const auto it = accounts_.find(addr);
        if (it == accounts_.end()) {
            // Not loaded here: `later` loaded it from the same reader. A re-creation after a
            // deletion here wipes the reader's storage, as get_or_create does. The node itself
            // moves over (no copy, no allocation).
            acc.storage_wiped |= !deleted_.empty() && deleted_.contains(addr);
            accounts_.insert(later.accounts_.extract(node));
            continue;
        }
        // Loaded (maybe changed) here too: as apply_changes, from the account itself.
        Account& mine = it->second;
        // `later` wiped it after this State's transactions: what they wrote is gone too.
        if (acc.storage_wiped) wipe_storage(mine);
        if (acc.dirty) {
            mine.nonce = acc.nonce;
            mine.balance = acc.balance;
            mine.code_hash = acc.code_hash;
            mine.code = acc.code;
            mine.dirty = true;
        }
        for (const auto& [key, slot] : acc.storage)
            if (slot.dirty) install_slot(mine, key, slot.current);
    }
    deleted_.insert(later.deleted_.begin(), later.deleted_.end());
    for (const Address& addr : gone) accounts_.erase(addr);
    new_codes_.insert(new_codes_.end(), later.new_codes_.begin(), later.new_codes_.end());
    later.clear();
}

namespace {
/// The change of one cached account, appended to `out` if it has one (State::changes).
void append_change(std::vector<AccountChange>& out, const Address& addr, const Account& acc) {
    bool any_slot = false;
    for (const auto& [key, slot] : acc.storage) any_slot |= slot.dirty;
    if (!acc.dirty && !acc.storage_wiped && !any_slot) return;
    AccountChange& change = out.emplace_back();
    change.address = addr;
    change.account = AccountInfo{acc.nonce, acc.balance, acc.code_hash, false};
    change.storage_wiped = acc.storage_wiped;
    for (const auto& [key, slot] : acc.storage)
        if (slot.dirty || (acc.storage_wiped && !slot.current.is_zero())) change.storage.emplace_back(key, slot.current);
    std::sort(change.storage.begin(), change.storage.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

bool by_address(const AccountChange& a, const AccountChange& b) { return a.address < b.address; }
}  // namespace

ChangeSet State::changes(unsigned threads) const {
    ChangeSet out;
    const bool parallel = threads > 1 && accounts_.size() >= kParallelChangesMinimum;
    if (!parallel) {
        for (const auto& [addr, acc] : accounts_) append_change(out.accounts, addr, acc);
    } else {
        // The cache's buckets shared out in ranges; each worker sorts what it found, and the
        // sorted runs are merged here.
        const size_t buckets = accounts_.bucket_count();
        constexpr size_t kBucketsPerRange = 512;
        std::vector<std::vector<AccountChange>> found(threads);
        WorkerPool& pool = WorkerPool::shared();
        pool.for_each_chunk(threads - 1, buckets, kBucketsPerRange, [&](unsigned worker, size_t first, size_t last) {
            for (size_t b = first; b < last; ++b)
                for (auto it = accounts_.begin(b); it != accounts_.end(b); ++it) append_change(found[worker], it->first, it->second);
        });
        pool.for_each_chunk(threads - 1, found.size(), 1, [&](unsigned, size_t run, size_t) {
            std::sort(found[run].begin(), found[run].end(), by_address);
        });
        out.accounts = std::move(found[0]);
        for (size_t w = 1; w < found.size(); ++w) {
            if (found[w].empty()) continue;
            std::vector<AccountChange> merged;
            merged.reserve(out.accounts.size() + found[w].size());
            std::merge(std::make_move_iterator(out.accounts.begin()), std::make_move_iterator(out.accounts.end()),
                       std::make_move_iterator(found[w].begin()), std::make_move_iterator(found[w].end()),
                       std::back_inserter(merged), by_address);
            out.accounts = std::move(merged);
        }
    }
    const size_t cached = out.accounts.size();
    for (const Address& addr : deleted_) {
        if (accounts_.contains(addr) || absent_in_db_.contains(addr)) continue;  // re-created, or never stored
        AccountChange change;
        change.address = addr;
        out.accounts.push_back(std::move(change));
    }
    if (!parallel) {
        std::sort(out.accounts.begin(), out.accounts.end(), by_address);
    } else {  // the cached accounts' changes are sorted already
        std::sort(out.accounts.begin() + static_cast<ptrdiff_t>(cached), out.accounts.end(), by_address);
        std::inplace_merge(out.accounts.begin(), out.accounts.begin() + static_cast<ptrdiff_t>(cached), out.accounts.end(), by_address);
    }
    for (const auto& [hash, code] : new_codes_)
        if (code && !code->empty()) out.codes.emplace_back(hash, code);
    return out;
}

Hash32 State::root() const {
    std::vector<std::pair<bytes, bytes>> account_entries;
    account_entries.reserve(accounts_.size());
    for (const auto& [addr, acc] : accounts_) {
        std::vector<std::pair<bytes, bytes>> storage_entries;
        for (const auto& [key, slot] : acc.storage) {
            if (slot.current.is_zero()) continue;  // zero slots are absent from the trie
            const Hash32 hashed_key = keccak256(key.to_hash());
            storage_entries.emplace_back(bytes(hashed_key.bytes.begin(), hashed_key.bytes.end()), rlp::encode(slot.current));
        }
        const Hash32 storage_root = storage_entries.empty() ? kEmptyTrieRoot : trie_root(std::move(storage_entries));
        const Hash32 hashed_addr = keccak256(addr);
        account_entries.emplace_back(bytes(hashed_addr.bytes.begin(), hashed_addr.bytes.end()),
                                     rlp::ListBuilder{}.add(acc.nonce).add(acc.balance).add(storage_root).add(acc.code_hash).finish());
    }
    return trie_root(std::move(account_entries));
}

}  // namespace polyvm

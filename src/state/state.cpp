#include "state/state.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "state/trie.hpp"

#include <cassert>

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

Account* State::find(const Address& addr) noexcept {
    const auto it = accounts_.find(addr);
    return it == accounts_.end() ? nullptr : &it->second;
}

const Account* State::find(const Address& addr) const noexcept {
    const auto it = accounts_.find(addr);
    return it == accounts_.end() ? nullptr : &it->second;
}

Account& State::get_or_create(const Address& addr) {
    const auto [it, inserted] = accounts_.try_emplace(addr);
    if (inserted) {
        it->second.code_hash = kEmptyCodeHash;
        journal_.push_back(entry(JournalEntry::Created, addr));
    }
    return it->second;
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
    journal_.push_back(entry(JournalEntry::Balance, addr, {}, acc.balance));
    acc.balance += amount;
    touch(addr);
}

void State::sub_balance(const Address& addr, const uint256& amount) {
    auto& acc = get_or_create(addr);
    journal_.push_back(entry(JournalEntry::Balance, addr, {}, acc.balance));
    acc.balance -= amount;
    touch(addr);
}

void State::bump_nonce(const Address& addr) {
    auto& acc = get_or_create(addr);
    JournalEntry e = entry(JournalEntry::Nonce, addr);
    e.previous_nonce = acc.nonce;
    journal_.push_back(std::move(e));
    ++acc.nonce;
}

StorageSlot& State::storage_slot(const Address& addr, const uint256& key) {
    auto& acc = get_or_create(addr);
    return acc.storage[key];  // a missing slot reads as zero, original zero
}

void State::set_storage(const Address& addr, const uint256& key, const uint256& value) {
    auto& slot = storage_slot(addr, key);
    journal_.push_back(entry(JournalEntry::Storage, addr, key, slot.current));
    slot.current = value;
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
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) {
        auto& acc = get_or_create(addr);
        acc.nonce = initial_nonce;
        acc.created_in_tx = true;
        acc.touched = true;
        return;
    }
    // Re-creation over an account that holds only a balance: remember it whole for revert.
    JournalEntry e = entry(JournalEntry::Recreated, addr);
    e.previous_account = std::make_shared<Account>(it->second);
    journal_.push_back(std::move(e));
    Account& acc = it->second;
    const uint256 balance = acc.balance;
    acc = Account{};
    acc.code_hash = kEmptyCodeHash;
    acc.balance = balance;
    acc.nonce = initial_nonce;
    acc.created_in_tx = true;
    acc.storage_cleared = true;
    acc.touched = true;
}

void State::set_code_journaled(const Address& addr, bytes code) {
    auto& acc = get_or_create(addr);
    JournalEntry e = entry(JournalEntry::Code, addr);
    e.previous_code = acc.code;
    e.previous_code_hash = acc.code_hash;
    journal_.push_back(std::move(e));
    set_code(acc, std::move(code));
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
            accounts_[e.addr].nonce = e.previous_nonce;
            break;
        case JournalEntry::Storage:
            accounts_[e.addr].storage[e.key].current = e.previous;
            break;
        case JournalEntry::TransientStorage:
            accounts_[e.addr].transient_storage[e.key] = e.previous;
            break;
        case JournalEntry::Touched:
            if (e.addr != kRipemdAddress) accounts_[e.addr].touched = false;
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
        case JournalEntry::Code:
            accounts_[e.addr].code = std::move(e.previous_code);
            accounts_[e.addr].code_hash = e.previous_code_hash;
            break;
        case JournalEntry::Recreated:
            accounts_[e.addr] = std::move(*e.previous_account);
            break;
        }
        journal_.pop_back();
    }
}

void State::finalize_transaction(bool delete_empty) {
    for (auto it = accounts_.begin(); it != accounts_.end();) {
        Account& acc = it->second;
        if (acc.destructed || (delete_empty && acc.touched && acc.is_empty())) {
            it = accounts_.erase(it);
            continue;
        }
        acc.touched = false;
        acc.created_in_tx = false;
        acc.storage_cleared = false;
        acc.transient_storage.clear();
        for (auto sit = acc.storage.begin(); sit != acc.storage.end();) {
            if (sit->second.current.is_zero()) {
                sit = acc.storage.erase(sit);  // a zero slot is absent from the trie
                continue;
            }
            sit->second.original = sit->second.current;
            ++sit;
        }
        ++it;
    }
    warm_addresses_.clear();
    warm_slots_.clear();
    journal_.clear();
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

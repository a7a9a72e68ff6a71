// The world state of one block's execution: a cache over a StateReader (state/database.hpp) that
// loads each account and slot on first use, a journal of every change so nested calls can be
// reverted, and at the end of the block the ChangeSet to commit. Without a reader the State is
// self-contained (unit tests, benchmarks) and can compute its own root.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"
#include "state/database.hpp"

#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace polyvm {

struct StorageSlot {
    uint256 current;
    uint256 original;    // value at the start of the transaction (EIP-1283/2200 net metering)
    bool dirty = false;  // written during the block (possibly back to its old value)
};

struct Account {
    uint64_t nonce = 0;
    uint256 balance;
    std::shared_ptr<const bytes> code;  // shared: many accounts and snapshots hold the same code
    Hash32 code_hash;                   // keccak256(code); of empty code for accounts without code
    std::unordered_map<uint256, StorageSlot> storage;
    std::unordered_map<uint256, uint256> transient_storage;  // EIP-1153, cleared after each transaction

    bool touched = false;          // EIP-158: empty touched accounts are deleted at the end
    bool destructed = false;       // SELFDESTRUCT executed in this transaction
    bool created_in_tx = false;    // EIP-6780: SELFDESTRUCT deletes only accounts created in the same transaction
    bool storage_cleared = false;  // storage wiped (account re-created): the pre-state storage does not count
    /// `balance` holds only this transaction's change: the reader deferred the real balance
    /// (StateReader::balance_deferred); State::find_with_balance adds it when observed.
    bool balance_deferred = false;

    // Block-level bookkeeping of the cache (not journaled: over-approximations are harmless).
    bool has_db_storage = false;  // slots missing from `storage` are read from the database
    bool storage_wiped = false;   // the database's storage of this address must be dropped at commit
    bool dirty = false;           // nonce, balance or code may differ from the database

    bool is_empty() const noexcept { return nonce == 0 && balance.is_zero() && code_size() == 0; }
    size_t code_size() const noexcept { return code ? code->size() : 0; }
    bytes_view code_view() const noexcept { return code ? bytes_view{*code} : bytes_view{}; }
};


/// Hash of an (address, storage key) pair: one keyed hash of the key with the address folded in.
/// The key is what an attacker chooses freely (the address is a contract's), and hash_words
/// resists chosen words.
struct WarmSlotHash {
    size_t operator()(const std::pair<Address, uint256>& k) const noexcept {
        uint64_t a[3] = {0, 0, 0};
        std::memcpy(a, k.first.data(), 20);
        return static_cast<size_t>(
            hash_words(k.second.w[0] ^ a[0], k.second.w[1] ^ a[1], k.second.w[2] ^ a[2], k.second.w[3]));
    }
};

}  // namespace polyvm

// libstdc++ recomputes a node's hash on every step of a bucket walk unless the hasher is
// declared slow, which makes it store each hash in its node: with keyed hashes that is cheaper.
template <>
struct std::__is_fast_hash<polyvm::WarmSlotHash> : std::false_type {};

namespace polyvm {

class State {
public:
    /// A self-contained state (no database behind it).
    State() = default;
    /// A cache over `reader`, which must outlive the State.
    explicit State(StateReader* reader) : reader_(reader) {}

    StateReader* reader() const noexcept { return reader_; }
    /// Forgets everything (cache, journal, changes) but keeps the containers' memory: a worker
    /// of the parallel executor runs each transaction on a fresh State without allocating one.
    void clear();
    /// Reads from now on go to `reader`, which must answer exactly as the previous one (the
    /// parallel executor puts a cache shared by its threads in front of the database).
    void replace_reader(StateReader* reader) noexcept { reader_ = reader; }

    /// Pre-state loading (no journal): creates or replaces an account.
    Account& put_account(const Address& addr, Account account);
    void set_code(Account& account, bytes code);

    /// Returns the account or nullptr if it does not exist.
    /// Inline: the cache hit is the interpreter's hot path (BALANCE, SLOAD, CALL, ...).
    Account* find(const Address& addr) {
        const auto it = accounts_.find(addr);
        if (it != accounts_.end()) [[likely]]
            return &it->second;
        return load(addr);
    }
    const Account* find(const Address& addr) const {
        const auto it = accounts_.find(addr);
        if (it != accounts_.end()) [[likely]]
            return &it->second;
        return load(addr);
    }
    /// find() for a caller that reads the balance (BALANCE, a value check, SELFDESTRUCT): a
    /// deferred balance is read now and added to the change made so far.
    Account* find_with_balance(const Address& addr) {
        Account* acc = find(addr);
        if (acc && acc->balance_deferred) [[unlikely]]
            materialize_balance(addr, *acc);
        return acc;
    }
    /// Whether the account's balance is still only this transaction's change (see Account).
    bool balance_deferred(const Address& addr) const noexcept {
        const auto it = accounts_.find(addr);
        return it != accounts_.end() && it->second.balance_deferred;
    }
    /// Returns the account, creating an empty one (journaled) if missing.
    Account& get_or_create(const Address& addr);

    // Journaled modifications.
    void add_balance(const Address& addr, const uint256& amount);  // also touches
    void sub_balance(const Address& addr, const uint256& amount);  // caller checked the balance
    void bump_nonce(const Address& addr);
    void set_storage(const Address& addr, const uint256& key, const uint256& value);
    void set_transient_storage(const Address& addr, const uint256& key, const uint256& value);
    void touch(const Address& addr);
    /// EIP-2929 accessed addresses (kept apart from accounts: a non-existent address can be warm).
    void mark_warm(const Address& addr);
    bool is_warm(const Address& addr) const noexcept;
    /// Marks an EIP-2929 accessed storage key; returns whether it was already warm.
    bool mark_storage_warm(const Address& addr, const uint256& key);
    void mark_destructed(const Address& addr);
    /// Creates (or re-creates over a balance-only account) a contract account for CREATE.
    void create_contract(const Address& addr, uint64_t initial_nonce);
    void set_code_journaled(const Address& addr, bytes code);

    /// Current storage value (zero if absent); loads the slot entry lazily.
    StorageSlot& storage_slot(const Address& addr, const uint256& key);
    /// SLOAD: the current value, zero for a missing account (which is not created).
    uint256 storage_value(const Address& addr, const uint256& key) {
        Account* acc = find(addr);
        if (!acc) return {};
        if (const auto it = acc->storage.find(key); it != acc->storage.end()) [[likely]]
            return it->second.current;
        return load_storage_value(addr, *acc, key);
    }
    /// Whether the account has a non-zero slot now or at the start of the transaction, or in the
    /// database (EIP-7610 creation collisions).
    bool has_nonzero_storage(const Address& addr);
    /// BLOCKHASH: the reader's answer (nullopt without a reader).
    std::optional<Hash32> block_hash(uint64_t number) const;

    size_t snapshot() const noexcept { return journal_.size(); }
    void revert(size_t snapshot);

    /// End of a transaction: delete self-destructed accounts, delete touched empty accounts when
    /// `delete_empty` (EIP-158), clear transient storage and warm flags, make current values original.
    void finalize_transaction(bool delete_empty);

    /// Installs one transaction's effect computed elsewhere (a speculative execution of the
    /// parallel executor, already finalized there) as if it had run here: the State ends up as
    /// after that transaction's finalize_transaction. Call between transactions.
    void apply_changes(const ChangeSet& changes);

    /// What this State holds for `addr` without asking the reader: nullopt when it has neither
    /// loaded nor changed the account (the reader's answer stands, also for an address the reader
    /// said is absent), else the account, or nullptr when it was deleted during the block.
    std::optional<const Account*> cached(const Address& addr) const;
    /// Takes over the effect of transactions that ran on `later` after this State's own (the
    /// chunked parallel executor: exec/chunked_executor.hpp). `later` read through a reader over
    /// the same database, and every account and slot it read holds that value in this State too
    /// (the caller has checked): so its changed accounts are this State's changes from here on.
    /// Accounts this State has not cached are moved over whole; others get the changed fields and
    /// slots. Both States between transactions; `later` is left empty.
    void absorb(State&& later);

    /// Merkle-Patricia state root of a self-contained State (no reader: with one, commit the
    /// changes and ask the database).
    Hash32 root() const;

    /// Everything the block changed, for StateDatabase::commit: accounts sorted by address, slots
    /// by key. Call between transactions (after finalize_transaction).
    /// With `threads` > 1 and a large cache, the accounts are looked through on the worker pool.
    ChangeSet changes(unsigned threads = 1) const;
    static constexpr size_t kParallelChangesMinimum = 4096;  // cached accounts; below, one thread is faster

private:
    /// 88 bytes and trivially copyable: every SSTORE, TSTORE, cold access and balance change
    /// appends one, so the journal grows by plain copies (it was 160 bytes with two shared
    /// pointers, moved one by one on each reallocation: 40% of a TSTORE loop). The rare kinds
    /// that need more keep it in `journal_saved_` (LIFO like the journal).
    struct JournalEntry {
        enum Kind : uint8_t {
            Created, Balance, Nonce, Storage, TransientStorage, Touched, Warm, StorageWarm, Destructed, Code, Recreated
        } kind = Created;
        Address addr;
        uint256 key;
        uint256 previous;  // previous balance / storage value / nonce
    };
    static_assert(std::is_trivially_copyable_v<JournalEntry> && sizeof(JournalEntry) == 88);
    /// What a Code or Recreated entry replaced: the account's code, or the whole account.
    struct SavedAccount {
        std::shared_ptr<const bytes> code;
        Hash32 code_hash;
        std::shared_ptr<Account> account;  // Recreated
    };

    static JournalEntry entry(typename JournalEntry::Kind kind, const Address& addr, const uint256& key = {},
                              const uint256& previous = {});

    /// Loads `addr` from the reader into the cache; nullptr when absent.
    Account* load(const Address& addr) const;
    /// find_with_balance's slow path: the reader's balance added to the account's and to the
    /// balances the journal would restore (they were changes too).
    void materialize_balance(const Address& addr, Account& acc);
    /// storage_value's miss: the database's value, cached from then on.
    uint256 load_storage_value(const Address& addr, Account& acc, const uint256& key);
    /// The account after finalize_transaction decided it survives or not.
    void finalize_account(const Address& addr, bool delete_empty);

    StateReader* reader_ = nullptr;
    mutable std::unordered_map<Address, Account> accounts_;
    mutable std::unordered_set<Address> absent_in_db_;  // asked the reader: no such account
    std::unordered_set<Address> deleted_;              // deleted during the block (the reader still has them)
    std::vector<std::pair<Hash32, std::shared_ptr<const bytes>>> new_codes_;
    bool ripemd_touch_kept_ = false;                   // see the RIPEMD quirk in revert()
    std::vector<JournalEntry> journal_;
    std::vector<SavedAccount> journal_saved_;
    std::vector<Address> finalize_scratch_;  // finalize_transaction's list, kept for its memory
    std::unordered_set<Address> warm_addresses_;
    std::unordered_set<std::pair<Address, uint256>, WarmSlotHash> warm_slots_;
};

}  // namespace polyvm

// The state a block's transactions see while they run in parallel (Block-STM's multi-version
// memory): for each account and slot, the database's value (read once, shared by all threads)
// and the versions the block wrote, by version number (0: the block's start, i + 1: transaction
// i). An execution of transaction i reads the latest version below i + 1, else the database.
// Everything about one address lives in one entry of one shard: a read is one lookup.
#pragma once

#include "state/database.hpp"
#include "state/state.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace polyvm {

class MultiVersionMemory {
    struct Shard;
    struct AddressEntry;

public:
    /// `database` must allow reads from several threads at once (StateReader's contract).
    /// `expected_addresses`: how many addresses the block may touch (room is made up front, so
    /// that the shards do not rehash while the workers run).
    MultiVersionMemory(StateReader& database, size_t expected_addresses);

    struct AccountValue {
        std::optional<AccountInfo> info;  // nullopt: absent or deleted
        std::shared_ptr<const bytes> code;
    };
    /// Where an address's versions live: a reader keeps it to ask again without a lookup (an
    /// entry, once made, stays where it is until the memory is destroyed).
    class AccountHandle {
    public:
        AccountHandle() = default;

    private:
        friend class MultiVersionMemory;
        Shard* shard_ = nullptr;
        AddressEntry* entry_ = nullptr;
        const Address* address_ = nullptr;  // the entry's key
    };
    /// The account as a reader with version `below` sees it. Written versions report
    /// has_storage true: the slots they wrote must be asked for. `handle`, when given, is set
    /// for account_info; `written`, when given, says whether any version (of any number) has
    /// written the account's fields so far.
    AccountValue account(const Address& address, uint32_t below, AccountHandle* handle = nullptr,
                         bool* written = nullptr);
    /// account(address, below).info for the address of `handle` (which account() set).
    std::optional<AccountInfo> account_info(const AccountHandle& handle, uint32_t below);
    /// The slot as a reader with version `below` sees it (zero once a version dropped the
    /// account's storage, unless a later one wrote the slot).
    uint256 slot(const Address& address, const uint256& key, uint32_t below);

    /// Publishes the writes of `version`. `account_codes` has, per change, the code of the
    /// account it leaves, or nullopt when its account fields are not published (only slots).
    using AccountCodes = std::vector<std::optional<std::shared_ptr<const bytes>>>;
    void publish(uint32_t version, const ChangeSet& changes, const AccountCodes& account_codes);
    /// Publishes one account's fields (nullopt: deleted, with its storage).
    void publish_account(uint32_t version, const Address& address, std::optional<AccountInfo> info,
                         std::shared_ptr<const bytes> code);
    /// Removes what publish(version, changes, ...) added.
    void remove(uint32_t version, const ChangeSet& changes);

    /// Frees every entry, on `threads` threads (the calling one included): a block's memory
    /// holds tens of thousands of them, and freeing them one by one on the committing thread
    /// after the run was a serial tail of the parallel block. The memory is empty afterwards.
    void release(unsigned threads);

    /// The database as this memory has read it (the committed State reads through it, so that
    /// an account a worker loaded is not read from the database again).
    StateReader& database_reader() noexcept { return database_reader_; }

private:
    struct SlotVersion {
        uint32_t version;
        uint256 value;
    };
    struct SlotEntry {
        std::optional<uint256> database;
        std::vector<SlotVersion> versions;  // by version
    };
    struct AccountVersion {
        uint32_t version;
        AccountValue value;
    };
    struct AddressEntry {
        std::optional<AccountValue> database;     // once read
        std::vector<AccountVersion> accounts;     // by version
        std::vector<uint32_t> storage_drops;      // versions that wiped or deleted the storage
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<Address, AddressEntry> addresses;
    };
    // Slots have shards of their own: a token's slots are written by every transfer, and one lock
    // per address would make its holders wait for each other.
    using SlotKey = std::pair<Address, uint256>;
    struct SlotShard {
        std::mutex mutex;
        std::unordered_map<SlotKey, SlotEntry, WarmSlotHash> slots;
    };
    Shard& shard_of(const Address& address) { return shards_[std::hash<Address>{}(address) % shards_.size()]; }
    SlotShard& slot_shard_of(const SlotKey& key) { return slot_shards_[WarmSlotHash{}(key) % slot_shards_.size()]; }
    /// The latest drop of the address's storage below `below`, if any.
    std::optional<uint32_t> storage_drop_below(const Address& address, uint32_t below);
    /// The database's account or slot, read once (cached from the first read on).
    AccountValue database_account(const Address& address);
    uint256 database_slot(const Address& address, const uint256& key);
    /// Their slow path, for a caller that has just looked and found nothing cached: reads
    /// outside the shard's lock, then fills `entry` in (the first value stored is kept).
    AccountValue load_database_account(Shard& shard, AddressEntry& entry, const Address& address);
    uint256 load_database_slot(const Address& address, const uint256& key);

    class DatabaseReader final : public StateReader {
    public:
        explicit DatabaseReader(MultiVersionMemory& memory) : memory_(memory) {}
        std::optional<AccountInfo> read_account(const Address& address) override {
            return memory_.database_account(address).info;
        }
        uint256 read_storage(const Address& address, const uint256& key) override {
            return memory_.database_slot(address, key);
        }
        std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override;
        std::optional<Hash32> read_block_hash(uint64_t number) override;
        void note_storage_presence_query(const Address& address) override {
            memory_.database_.note_storage_presence_query(address);
        }

    private:
        MultiVersionMemory& memory_;
    };

    StateReader& database_;
    DatabaseReader database_reader_;
    std::array<Shard, 64> shards_;
    std::array<SlotShard, 64> slot_shards_;
    std::atomic<bool> any_storage_drop_{false};  // no lookup of drops while none was published
    std::mutex code_mutex_;
    std::unordered_map<Hash32, std::shared_ptr<const bytes>> codes_;
    std::mutex block_hash_mutex_;
};

}  // namespace polyvm

#include "db/lmdb_database.hpp"

#include "common/rlp.hpp"
#include "common/worker_pool.hpp"
#include "crypto/keccak.hpp"
#include "crypto/keccak_cache.hpp"
#include "db/entry_map.hpp"
#include "db/journal_file.hpp"
#include "db/merkle_trie.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace polyvm {

namespace {

constexpr size_t kPageSize = 4096;
constexpr size_t kMinMapSize = 16 * kPageSize;  // room for the empty tables and a few commits
constexpr size_t kMaxTableNameSize = 255;       // the records key stores the length in one byte
constexpr size_t kMaxIdleReaders = 32;          // each idle reader keeps a reader-table slot (126)
constexpr std::string_view kSchemaVersionKey = "schema_version";
constexpr std::string_view kStateRootKey = "state_root";
/// The sequence number of the first journal frame the tables do not hold (written by each write-back).
constexpr std::string_view kJournalNextKey = "journal_next";
/// Schema 3 kept the journal in an LMDB table; such a database is upgraded when opened.
constexpr uint32_t kTableJournalSchemaVersion = 3;
/// Account-trie nodes above this depth (the root and the levels below it, 273 nodes once full,
/// most of them rewritten by every commit) are kept in a table of their own, packed together
/// instead of each on a page of leaves: a commit rewrites fewer pages. (Depth 4 puts the next
/// level's 4,096 nodes there too, which every commit rewrites only in part: more pages.)
constexpr size_t kTopDepth = 3;
/// The first byte of an account's leaf record (a node's RLP encoding starts with 0xc0 or more).
constexpr uint8_t kLeafRecordTag = 0x00;
constexpr size_t kLeafRecordHeader = 1 + 20;  // the tag, the address

/// Thrown inside a commit when the map is full: the commit is retried on a larger map.
struct MapFull {};

[[noreturn]] void fail(const std::string& what, int rc) {
    throw DatabaseError("LMDB " + what + ": " + mdb_strerror(rc));
}

void check(int rc, const char* what) {
    if (rc != 0) fail(what, rc);
}

/// For the calls that allocate pages: a full map is retried after growing it, not reported.
void check_write(int rc, const char* what) {
    if (rc == MDB_MAP_FULL) throw MapFull{};
    if (rc == MDB_TXN_FULL) throw DatabaseError("database full: one commit would dirty more pages than an LMDB transaction holds");
    check(rc, what);
}

/// LMDB takes non-const pointers but does not write through a key or a value passed to it.
MDB_val to_val(bytes_view b) { return {b.size(), const_cast<uint8_t*>(b.data())}; }
bytes_view view_of(const MDB_val& v) { return {static_cast<const uint8_t*>(v.mv_data), v.mv_size}; }

size_t round_up_to_page(size_t size) { return (size + kPageSize - 1) / kPageSize * kPageSize; }

// ---------------------------------------------------------------------------------------------
// Keys and values

using StorageKey = std::array<uint8_t, 20 + 32>;

StorageKey storage_key(const Address& address, const uint256& key) {
    StorageKey out;
    std::memcpy(out.data(), address.data(), 20);
    key.store_be(out.data() + 20);
    return out;
}

/// A slot value without its leading zero bytes (values are never zero, so never empty).
bytes minimal_be(const uint256& value) {
    const Hash32 full = value.to_hash();
    size_t skip = 0;
    while (skip < 32 && full[skip] == 0) ++skip;
    return bytes(full.bytes.begin() + static_cast<ptrdiff_t>(skip), full.bytes.end());
}

/// records key: the table name's length first, so no table name is a prefix of another's keys.
bytes record_key(std::string_view table, bytes_view key) {
    bytes out;
    out.reserve(1 + table.size() + key.size());
    out.push_back(static_cast<uint8_t>(table.size()));
    out.insert(out.end(), table.begin(), table.end());
    out.insert(out.end(), key.begin(), key.end());
    return out;
}

struct StoredAccount {
    AccountInfo info;
    Hash32 storage_root;
};

/// What applying one account change reads and computes before it writes anything: the account
/// it replaces, its reverse entry, its key in the account trie, and per slot the storage trie's
/// write and the storage table's value. Reads only, so that a large change set's can be prepared
/// on several threads (LmdbDatabase::Impl::apply).
struct PreparedChange {
    std::optional<StoredAccount> before;
    /// The account trie's write: its key always; its value and the account after the change
    /// (`after`) here when no slot is written (else its storage root comes from the writes).
    mpt::TrieWrite account_write;
    std::optional<StoredAccount> after;
    AccountChange undo;                             // when the reverse change set is wanted
    std::vector<mpt::TrieWrite> slot_writes;        // per slot of the change: hashed key, RLP value (empty: delete)
    std::vector<std::optional<bytes>> slot_values;  // per slot: the storage table's value (nullopt: erase)
};

DatabaseError corrupt_account() { return DatabaseError("corrupt account record in the account trie"); }

/// The fields of a stored account: RLP [nonce, balance, storage root, code hash], the account's
/// value in the trie (encode_account), or RLP [nonce, balance] for an account without code and
/// storage (compact_account).
std::vector<rlp::Item> stored_account_fields(bytes_view stored) {
    const auto top = rlp::decode_item(stored);
    if (!top || !top->is_list) throw corrupt_account();
    auto fields = rlp::list_items(*top);
    if (!fields || (fields->size() != 4 && fields->size() != 2)) throw corrupt_account();
    return std::move(*fields);
}

/// An account's value in the trie as stored: without the empty storage root and code hash of an
/// account that has neither (most accounts), which makes its record 66 bytes shorter.
bytes compact_account(bytes_view trie_value) {
    const auto fields = stored_account_fields(trie_value);
    const auto is = [](bytes_view field, const Hash32& hash) {
        return field.size() == 32 && std::equal(field.begin(), field.end(), hash.bytes.begin());
    };
    if (fields.size() == 4 && is(fields[2].payload, kEmptyTrieRoot) && is(fields[3].payload, kEmptyCodeHash)) {
        bytes payload(fields[0].encoded.begin(), fields[0].encoded.end());
        payload.insert(payload.end(), fields[1].encoded.begin(), fields[1].encoded.end());
        return rlp::wrap_list(payload);
    }
    return bytes(trie_value.begin(), trie_value.end());
}

/// The account's value in the trie from its stored form.
bytes full_account(bytes_view stored) {
    const auto fields = stored_account_fields(stored);
    if (fields.size() == 4) return bytes(stored.begin(), stored.end());
    return rlp::ListBuilder{}.add_raw(fields[0].encoded).add_raw(fields[1].encoded).add(kEmptyTrieRoot).add(kEmptyCodeHash).finish();
}

StoredAccount decode_stored_account(bytes_view stored) {
    const auto fields = stored_account_fields(stored);
    const auto nonce = rlp::to_u64(fields[0]);
    const auto balance = rlp::to_uint256(fields[1]);
    if (!nonce || !balance) throw corrupt_account();
    StoredAccount out;
    out.info.nonce = *nonce;
    out.info.balance = *balance;
    out.info.code_hash = kEmptyCodeHash;
    out.storage_root = kEmptyTrieRoot;
    if (fields.size() == 4) {
        const auto storage_root = rlp::to_fixed<32>(fields[2]);
        const auto code_hash = rlp::to_fixed<32>(fields[3]);
        if (!code_hash || !storage_root) throw corrupt_account();
        out.info.code_hash = *code_hash;
        out.storage_root = *storage_root;
    }
    out.info.has_storage = out.storage_root != kEmptyTrieRoot;
    return out;
}

/// An account's leaf record: the tag, the address, the account's value in the trie.
bool is_leaf_record(bytes_view stored) { return !stored.empty() && stored[0] == kLeafRecordTag; }

bytes leaf_record(bytes_view address, bytes_view value) {
    if (address.size() != 20) throw DatabaseError("an account-trie leaf needs its address (20 bytes) as extra bytes");
    bytes out;
    out.reserve(kLeafRecordHeader + value.size());
    out.push_back(kLeafRecordTag);
    out.insert(out.end(), address.begin(), address.end());
    const bytes stored = compact_account(value);
    out.insert(out.end(), stored.begin(), stored.end());
    return out;
}

Address leaf_record_address(bytes_view record) {
    if (record.size() <= kLeafRecordHeader) throw DatabaseError("corrupt account record in the account trie");
    return Address::from(record.subspan(1, 20));
}

/// The 64 nibbles of keccak256(address): the account's key in the state trie.
std::array<uint8_t, 64> key_nibbles(const Hash32& hash) {
    std::array<uint8_t, 64> out;
    for (size_t i = 0; i < 32; ++i) {
        out[2 * i] = hash[i] >> 4;
        out[2 * i + 1] = hash[i] & 0x0f;
    }
    return out;
}

uint256 decode_slot_value(bytes_view stored) {
    if (stored.empty() || stored.size() > 32) throw DatabaseError("corrupt slot value in the storage table");
    return uint256::from_be(stored);
}

// ---------------------------------------------------------------------------------------------
// Tables and the layers above them
//
// A commit never writes LMDB while it applies a change set: its writes go to a `Delta` (key ->
// value, or a tombstone) that sits above the commits not yet written back (the database's dirty
// delta) and above LMDB. `View` reads through the three in that order, so the apply code sees
// one key-value store per table (ordered where it is read by range). In write-through mode the
// commit's delta is written to LMDB in the same write transaction; in write-back mode it joins
// the dirty delta and the commit is made durable by one journal entry (LmdbDatabase::Impl::transact).

enum Table : uint8_t { kAccountTrieTopTable, kAccountTrieTable, kStorageTable, kCodeTable, kStorageTrieTable, kRecordsTable, kMetadataTable, kTableCount };

/// LMDB's default key order: bytes compared as unsigned, a prefix before its extensions.
struct KeyOrder {
    using is_transparent = void;
    static int compare(bytes_view a, bytes_view b) noexcept {
        const size_t common = std::min(a.size(), b.size());
        const int c = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
        if (c != 0) return c;
        return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
    }
    bool operator()(bytes_view a, bytes_view b) const noexcept { return compare(a, b) < 0; }
};

/// Keyed hash of a byte string (keys are attacker-chosen: see g_hash_key), 16 bytes per step.
struct KeyHash {
    using is_transparent = void;
    size_t operator()(bytes_view key) const noexcept {
        uint64_t h = g_hash_key[4] ^ key.size();
        size_t i = 0;
        for (; i + 16 <= key.size(); i += 16) {
            uint64_t w[2];
            std::memcpy(w, key.data() + i, 16);
            h = hash_mix(w[0] ^ g_hash_key[0] ^ h, w[1] ^ g_hash_key[1]);
        }
        if (i < key.size()) {
            uint64_t w[2] = {0, 0};
            std::memcpy(w, key.data() + i, key.size() - i);
            h = hash_mix(w[0] ^ g_hash_key[2] ^ h, w[1] ^ g_hash_key[3]);
        }
        return static_cast<size_t>(h);
    }
};

/// The tables read by key range through the layers (an account's slots and storage-trie nodes,
/// wiped with it): their deltas keep an ordered index besides the hash map.
constexpr bool read_by_range(Table table) { return table == kStorageTable || table == kStorageTrieTable; }

/// Writes above LMDB, per table: key -> value, or nullopt where the key is deleted; and the
/// accounts written, by address (the account trie is not read by range through the layers: an
/// account not written since the last write-back has a correct leaf record in LMDB).
struct Delta {
    struct TableDelta {
        EntryMap<KeyHash> entries;
        /// The keys of `entries` in order (read_by_range tables only). The views point into the
        /// map's entries, which never move.
        std::set<bytes_view, KeyOrder> order;
    };
    std::array<TableDelta, kTableCount> tables;
    std::unordered_map<Address, std::optional<StoredAccount>> accounts;
    /// Entries and an estimate of their memory (node, key, value), for the write-back limits.
    size_t entries = 0;
    size_t memory = 0;

    static constexpr size_t kEntryOverhead = 160;  // hash node, vectors' heap blocks, ordered index
    static constexpr size_t kOrderedAbsorbMinimum = 256;  // absorb(): keys of a larger delta go in sorted

    /// What the writes of an open group replaced (LmdbDatabase::begin_group), to take them back.
    struct Undo {
        struct Replaced {
            Table table;
            bytes_view key;  // the map node's key (stable until the node is erased)
            bool existed;    // false: the key was new, undoing erases it
            std::optional<bytes> previous;
        };
        std::vector<Replaced> entries;
        std::vector<std::pair<Address, std::optional<std::optional<StoredAccount>>>> accounts;  // nullopt: was absent
    };
    /// A point to go back to: the log's sizes and the counters then.
    struct UndoMark {
        size_t replaced = 0;
        size_t accounts = 0;
        size_t entries = 0;
        size_t memory = 0;
    };

    /// Set while a group's commits write straight into this delta (the dirty one): every write
    /// logs what it replaces there.
    Undo* undo = nullptr;

    void set(Table table, bytes_view key, std::optional<bytes_view> value) {
        set(table, key, value ? std::optional<bytes>(std::in_place, value->begin(), value->end()) : std::nullopt);
    }
    /// The value moves into the delta as it is.
    void set(Table table, bytes_view key, std::optional<bytes>&& value) {
        TableDelta& delta = tables[table];
        const auto [entry, added] = delta.entries.try_emplace(key);
        if (added) {
            // Hinted at the end: a storage change's slots come in ascending order, and then each
            // goes in after one comparison instead of a search (a wrong hint costs one more).
            if (read_by_range(table)) delta.order.insert(delta.order.end(), entry->key());
            ++entries;
            memory += kEntryOverhead + key.size();
            log_added(table, entry->key());
        } else {
            log_replaced(table, *entry);
        }
        assign(entry->value, std::move(value));
    }

    void set_account(const Address& address, const std::optional<StoredAccount>& account) {
        if (undo) {
            const auto it = accounts.find(address);
            undo->accounts.emplace_back(address, it == accounts.end() ? std::nullopt
                                                                      : std::optional<std::optional<StoredAccount>>(it->second));
        }
        accounts.insert_or_assign(address, account);
    }

    UndoMark mark() const noexcept {
        return {undo ? undo->entries.size() : 0, undo ? undo->accounts.size() : 0, entries, memory};
    }

    /// Takes back every write logged in `log` after `to` (newest first).
    void revert(Undo& log, const UndoMark& to) {
        while (log.accounts.size() > to.accounts) {
            auto& [address, previous] = log.accounts.back();
            if (previous)
                accounts.insert_or_assign(address, std::move(*previous));
            else
                accounts.erase(address);
            log.accounts.pop_back();
        }
        while (log.entries.size() > to.replaced) {
            Undo::Replaced& replaced = log.entries.back();
            TableDelta& delta = tables[replaced.table];
            if (auto* found = delta.entries.find(replaced.key)) {  // always: the write put it there
                if (replaced.existed) {
                    found->value = std::move(replaced.previous);
                } else {
                    if (read_by_range(replaced.table)) delta.order.erase(found->key());
                    delta.entries.erase(found);
                }
            }
            log.entries.pop_back();
        }
        entries = to.entries;
        memory = to.memory;
    }

    /// Moves `newer`'s entries over this delta's (logging what they replace while `undo` is set,
    /// as set() does).
    void absorb(Delta&& newer) {
        for (size_t t = 0; t < kTableCount; ++t) {
            TableDelta& into = tables[t];
            TableDelta& from = newer.tables[t];
            const Table table = static_cast<Table>(t);
            // A large `newer` (a parallel trie update's fork, tens of thousands of keys): its
            // keys new here go into this delta's index in its own sorted order, with a hint, a
            // comparison or two each instead of a search from the top. A small one (a block's
            // commit into the node's long-lived delta) inserts each as it moves: its keys rarely
            // neighbour each other there, and the sorted pass would cost a lookup more per key.
            // The views point into entries that move over as they are.
            const bool in_order = read_by_range(table) && from.order.size() >= kOrderedAbsorbMinimum;
            std::vector<bytes_view> added_in_order;
            if (in_order) {
                added_in_order.reserve(from.order.size());
                for (bytes_view key : from.order)
                    if (!into.entries.find(key)) added_in_order.push_back(key);
            }
            from.order.clear();  // views into entries that move or go below
            // An entry new here moves as it is (no copy of its key or value).
            into.entries.absorb(
                std::move(from.entries),
                [&](EntryMap<KeyHash>::Entry& existing, std::optional<bytes>&& value) {
                    log_replaced(table, existing);
                    assign(existing.value, std::move(value));
                },
                [&](EntryMap<KeyHash>::Entry& added) {
                    ++entries;
                    memory += kEntryOverhead + added.key().size() + (added.value ? added.value->size() : 0);
                    if (read_by_range(table) && !in_order) into.order.insert(added.key());
                    log_added(table, added.key());
                });
            auto hint = into.order.end();
            for (bytes_view key : added_in_order) hint = std::next(into.order.insert(hint, key));
        }
        for (auto& [address, account] : newer.accounts) set_account(address, account);
        newer = Delta{};
    }

    bool empty() const noexcept { return entries == 0 && accounts.empty(); }

private:
    /// While a group is open: a new key, which taking the group back erases.
    void log_added(Table table, bytes_view key) {
        if (undo) undo->entries.push_back({table, key, false, std::nullopt});
    }
    /// While a group is open: the value an entry held, moved into the log before it is replaced.
    void log_replaced(Table table, EntryMap<KeyHash>::Entry& entry) {
        if (!undo) return;
        if (entry.value) memory -= entry.value->size();
        undo->entries.push_back({table, entry.key(), true, std::move(entry.value)});
        entry.value.reset();
    }
    /// Replaces an entry's value (or tombstone), keeping the memory estimate.
    void assign(std::optional<bytes>& slot, std::optional<bytes> value) {
        if (slot) memory -= slot->size();
        if (value) memory += value->size();
        slot = std::move(value);
    }
};

/// An entry found through the layers: views valid until the next write to the delta that holds
/// it (LMDB's: until the end of the transaction, which a commit never writes while applying).
struct Entry {
    bytes_view key;
    bytes_view value;
};

/// A read transaction for another thread with the snapshot of a commit's own (LMDB's
/// transactions serve one thread at a time): a parallel trie update's forks read through them.
class ReadSnapshot {
public:
    virtual ~ReadSnapshot() = default;
    virtual MDB_txn* txn() const noexcept = 0;
};
using SnapshotOpener = std::function<std::unique_ptr<ReadSnapshot>()>;

/// The tables seen through a commit's delta (if any), the dirty delta (if any) and LMDB.
class View {
public:
    /// Layers from the newest: `pending` (where the commit writes), `dirty` (the commits not
    /// written back); either may be null, and they may be the same delta (a grouped commit).
    View(MDB_txn* txn, const std::array<MDB_dbi, kTableCount>& dbis, const Delta* dirty, Delta* pending)
        : txn_(txn), dbis_(dbis), pending_(pending) {
        if (pending_) layers_[layer_count_++] = pending_;
        if (dirty && dirty != pending_) layers_[layer_count_++] = dirty;
    }
    /// A fork of `below` for another thread: writes go to `pending`, reads see it, then the
    /// layers of `below` (which must not change while the fork lives), then LMDB through `txn`.
    View(MDB_txn* txn, const View& below, Delta* pending) : txn_(txn), dbis_(below.dbis_), pending_(pending) {
        layers_[layer_count_++] = pending_;
        for (size_t l = 0; l < below.layer_count_; ++l) layers_[layer_count_++] = below.layers_[l];
    }
    ~View() {
        for (MDB_cursor* cursor : cursors_)
            if (cursor) mdb_cursor_close(cursor);
    }
    View(const View&) = delete;
    View& operator=(const View&) = delete;

    std::optional<bytes_view> get(Table table, bytes_view key) {
        for (size_t l = 0; l < layer_count_; ++l) {
            if (const auto* entry = layers_[l]->tables[table].entries.find(key))
                return entry->value ? std::optional<bytes_view>(*entry->value) : std::nullopt;
        }
        MDB_val k = to_val(key);
        MDB_val v;
        const int rc = mdb_get(txn_, dbis_[table], &k, &v);
        if (rc == MDB_NOTFOUND) return std::nullopt;
        check(rc, "read");
        return view_of(v);
    }

    /// Lets the trie updates of this view of `parallel_minimum` writes or more run on `threads`
    /// threads, their forks reading LMDB through what `open_snapshot` opens (kept alive by the
    /// caller while the view is used).
    void allow_forks(const SnapshotOpener* open_snapshot, unsigned threads, size_t parallel_minimum) {
        open_snapshot_ = open_snapshot;
        trie_threads_ = open_snapshot ? threads : 1;
        parallel_minimum_ = parallel_minimum;
    }
    unsigned trie_threads() const noexcept { return trie_threads_; }
    size_t parallel_minimum() const noexcept { return parallel_minimum_; }
    /// update_trie for one of this view's tries.
    Hash32 update_trie(mpt::TrieNodeStore& store, std::span<const mpt::TrieWrite> writes) const {
        return mpt::update_trie(store, writes, trie_threads_, parallel_minimum_);
    }
    std::unique_ptr<ReadSnapshot> open_snapshot() const { return open_snapshot_ ? (*open_snapshot_)() : nullptr; }

    /// Takes over the writes of a fork's delta (tables only: trie nodes), as if written here.
    void take_writes(Delta& fork) {
        if (!pending_->undo) {
            pending_->absorb(std::move(fork));
            return;
        }
        // A group's writes are logged one by one, so that the group can take them back.
        for (size_t t = 0; t < kTableCount; ++t)
            fork.tables[t].entries.for_each([&](auto& entry) { pending_->set(static_cast<Table>(t), entry.key(), std::move(entry.value)); });
        fork = Delta{};
    }

    void put(Table table, bytes_view key, bytes_view value) { pending_->set(table, key, value); }
    void put(Table table, bytes_view key, bytes&& value) { pending_->set(table, key, std::optional<bytes>(std::move(value))); }
    void erase(Table table, bytes_view key) { pending_->set(table, key, std::optional<bytes>{}); }

    /// An account written above LMDB: nullopt when it was not (LMDB's leaf record holds it, if
    /// any); a nullopt inside when it was deleted.
    std::optional<std::optional<StoredAccount>> written_account(const Address& address) const {
        for (size_t l = 0; l < layer_count_; ++l) {
            const auto it = layers_[l]->accounts.find(address);
            if (it != layers_[l]->accounts.end()) return it->second;
        }
        return std::nullopt;
    }
    /// Room for `count` more accounts in this view's delta (a block's thousands, without rehashing).
    void reserve_accounts(size_t count) { pending_->accounts.reserve(pending_->accounts.size() + count); }
    void record_account(const Address& address, const std::optional<StoredAccount>& account) {
        pending_->set_account(address, account);
    }

    /// The entry of LMDB (not of the layers above) with the greatest key <= `key`, or nullopt.
    std::optional<Entry> lmdb_floor(Table table, bytes_view key) {
        if (key.empty()) return std::nullopt;  // LMDB keys are never empty
        MDB_cursor* c = cursor(table);
        MDB_val k = to_val(key);
        MDB_val v;
        int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (rc == 0) {
            if (KeyOrder::compare(view_of(k), key) != 0) rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
        } else if (rc == MDB_NOTFOUND) {
            rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
        }
        if (rc == MDB_NOTFOUND) return std::nullopt;
        check(rc, "cursor");
        return Entry{view_of(k), view_of(v)};
    }

    /// Calls `visit(key, value)` for every live entry of a read_by_range table whose key starts
    /// with `prefix`, in order. `visit` may write to the commit's delta (keys are copied first).
    template <typename Visit>
    void for_each_with_prefix(Table table, bytes_view prefix, Visit&& visit) {
        if (!read_by_range(table)) throw std::logic_error("table not readable by range through the layers");
        bytes key(prefix.begin(), prefix.end());
        bool inclusive = true;
        for (;;) {
            const auto entry = ceiling(table, key, inclusive);
            if (!entry || entry->key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), entry->key.begin())) return;
            key.assign(entry->key.begin(), entry->key.end());
            inclusive = false;
            visit(bytes_view{key}, entry->value);
        }
    }

    /// Calls `visit(key, value)` for every entry of LMDB's table (not of the layers above).
    template <typename Visit>
    void for_each_in_lmdb(Table table, Visit&& visit) {
        MDB_cursor* c = cursor(table);
        MDB_val k, v;
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc != MDB_NOTFOUND; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            check(rc, "cursor");
            visit(view_of(k), view_of(v));
        }
    }

private:
    /// The live entry with the smallest key >= `key` (> `key` when not `inclusive`), or nullopt.
    std::optional<Entry> ceiling(Table table, bytes_view key, bool inclusive) {
        bytes bound(key.begin(), key.end());
        for (;;) {
            std::optional<bytes_view> best;
            const auto consider = [&](bytes_view candidate) {
                if (!best || KeyOrder::compare(candidate, *best) < 0) best = candidate;
            };
            for (size_t l = 0; l < layer_count_; ++l) {
                const auto& order = layers_[l]->tables[table].order;
                auto it = inclusive ? order.lower_bound(bytes_view{bound}) : order.upper_bound(bytes_view{bound});
                if (it != order.end()) consider(*it);
            }
            if (const auto found = lmdb_ceiling(table, bound, inclusive)) consider(*found);
            if (!best) return std::nullopt;
            if (const auto value = get(table, *best)) return Entry{*best, *value};
            bound.assign(best->begin(), best->end());  // deleted above LMDB: look after it
            inclusive = false;
        }
    }

    MDB_cursor* cursor(Table table) {
        if (!cursors_[table]) check(mdb_cursor_open(txn_, dbis_[table], &cursors_[table]), "open cursor");
        return cursors_[table];
    }

    std::optional<bytes_view> lmdb_ceiling(Table table, bytes_view key, bool inclusive) {
        MDB_cursor* c = cursor(table);
        MDB_val k = to_val(key);
        MDB_val v;
        // LMDB keys are never empty, and an empty key cannot be looked up: the first key.
        int rc = key.empty() ? mdb_cursor_get(c, &k, &v, MDB_FIRST) : mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (rc == 0 && !inclusive && KeyOrder::compare(view_of(k), key) == 0) rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        if (rc == MDB_NOTFOUND) return std::nullopt;
        check(rc, "cursor");
        return view_of(k);
    }

    MDB_txn* txn_;
    const std::array<MDB_dbi, kTableCount>& dbis_;
    Delta* pending_;
    std::array<const Delta*, 3> layers_{};  // a fork's own delta above a commit's two
    size_t layer_count_ = 0;
    const SnapshotOpener* open_snapshot_ = nullptr;
    unsigned trie_threads_ = 1;
    size_t parallel_minimum_ = mpt::kParallelTrieUpdateMinimum;
    std::array<MDB_cursor*, kTableCount> cursors_{};
};

/// Deletes every key that starts with `prefix` (an account's slots or storage-trie nodes).
void erase_prefix(View& view, Table table, bytes_view prefix) {
    view.for_each_with_prefix(table, prefix, [&](bytes_view key, bytes_view) { view.erase(table, key); });
}

/// One thread's part of a parallel trie update (mpt::TrieNodeStore::fork): a read snapshot and a
/// delta of its own over the commit's layers, which stay unchanged until the fork is joined.
struct ViewFork {
    explicit ViewFork(const View& parent) : snapshot(parent.open_snapshot()), view(snapshot->txn(), parent, &delta) {}
    std::unique_ptr<ReadSnapshot> snapshot;
    Delta delta;
    View view;  // last: closes its cursors before the snapshot ends
};

/// A store of type `Store` over a fork of its parent's view.
template <class Store>
class ForkedTrieStore final : public mpt::TrieNodeStore {
public:
    template <class... Args>
    explicit ForkedTrieStore(const View& parent, Args&&... args) : fork_(parent), store_(fork_.view, std::forward<Args>(args)...) {}

    std::optional<mpt::StoredNode> load(mpt::NibblePath path) override { return store_.load(path); }
    void store_node(mpt::NibblePath path, bytes_view encoded_node) override { store_.store_node(path, encoded_node); }
    void store_node(mpt::NibblePath path, bytes&& encoded_node) override { store_.store_node(path, std::move(encoded_node)); }
    void store_leaf(mpt::NibblePath path, mpt::NibblePath rest, bytes_view value, bytes_view extra, bytes_view encoded_node) override {
        store_.store_leaf(path, rest, value, extra, encoded_node);
    }
    void remove(mpt::NibblePath path) override { store_.remove(path); }
    Delta& delta() noexcept { return fork_.delta; }

private:
    ViewFork fork_;
    Store store_;
};

/// One trie's nodes in a table, under a key prefix (the address, for a storage trie).
class StorageTrieStore final : public mpt::TrieNodeStore {
public:
    StorageTrieStore(View& view, bytes_view prefix) : view_(view), key_(prefix.begin(), prefix.end()), prefix_size_(prefix.size()) {}

    std::optional<mpt::StoredNode> load(mpt::NibblePath path) override {
        const auto value = view_.get(kStorageTrieTable, key_for(path));
        if (!value) return std::nullopt;
        mpt::StoredNode node;
        node.encoded = *value;  // in the delta or LMDB's map, unchanged until the next write
        return node;
    }
    void store_node(mpt::NibblePath path, bytes_view encoded_node) override { view_.put(kStorageTrieTable, key_for(path), encoded_node); }
    void store_node(mpt::NibblePath path, bytes&& encoded_node) override {
        view_.put(kStorageTrieTable, key_for(path), std::move(encoded_node));
    }
    void store_leaf(mpt::NibblePath path, mpt::NibblePath, bytes_view, bytes_view, bytes_view encoded_node) override {
        view_.put(kStorageTrieTable, key_for(path), encoded_node);  // storage tries keep no extra bytes
    }
    void remove(mpt::NibblePath path) override { view_.erase(kStorageTrieTable, key_for(path)); }
    std::unique_ptr<mpt::TrieNodeStore> fork() override {
        if (view_.trie_threads() < 2) return nullptr;
        return std::make_unique<ForkedTrieStore<StorageTrieStore>>(view_, bytes_view{key_.data(), prefix_size_});
    }
    void join(mpt::TrieNodeStore& forked) override { view_.take_writes(static_cast<ForkedTrieStore<StorageTrieStore>&>(forked).delta()); }

private:
    const bytes& key_for(mpt::NibblePath path) {
        key_.resize(prefix_size_);
        mpt::append_packed_path(key_, path);
        return key_;
    }

    View& view_;
    bytes key_;  // reused: the prefix, then the path of the latest call
    size_t prefix_size_;
};

// ---------------------------------------------------------------------------------------------
// The account trie
//
// Every node under its nibble path, one byte per nibble: the nodes above depth kTopDepth in the
// top table (after a 0 byte: LMDB keys cannot be empty), the others in the account_trie table.
// A leaf is kept as its account's leaf record (tag, address, compact account), the rest of its
// key rebuilt from the address. A path sorts just before the paths below it, and nothing is
// stored below a leaf, so the leaf of a key is the entry at or just before the key
// (entry_on_path): accounts are read by their key without walking the trie.

/// LMDB's entry with the greatest key <= `key` if its key is a prefix of `key`, or nullopt.
std::optional<Entry> entry_on_path(View& view, Table table, bytes_view key) {
    const auto found = view.lmdb_floor(table, key);
    if (!found || found->key.size() > key.size() || !std::equal(found->key.begin(), found->key.end(), key.begin())) return std::nullopt;
    return found;
}

/// The account trie's nodes, for one batch.
class AccountTrieStore final : public mpt::TrieNodeStore {
public:
    explicit AccountTrieStore(View& view) : view_(view) {}

    std::optional<mpt::StoredNode> load(mpt::NibblePath path) override {
        const auto value = view_.get(table(path), key_for(path));
        if (!value) return std::nullopt;
        mpt::StoredNode node;
        if (!is_leaf_record(*value)) {
            node.encoded = *value;  // in the delta or LMDB's map, unchanged until the next write
            return node;
        }
        const Address address = leaf_record_address(*value);
        const auto key = key_nibbles(cached_keccak256(address));  // cached per thread: the batch just hashed its own
        if (path.size() > key.size() || !std::equal(path.begin(), path.end(), key.begin()))
            throw DatabaseError("corrupt account trie: a leaf record is not on its key's path");
        node.rest.assign(key.begin() + static_cast<ptrdiff_t>(path.size()), key.end());
        node.value = full_account(value->subspan(kLeafRecordHeader));
        node.extra.assign(address.bytes.begin(), address.bytes.end());
        return node;
    }
    void store_node(mpt::NibblePath path, bytes_view encoded_node) override { view_.put(table(path), key_for(path), encoded_node); }
    void store_node(mpt::NibblePath path, bytes&& encoded_node) override {
        view_.put(table(path), key_for(path), std::move(encoded_node));
    }
    void store_leaf(mpt::NibblePath path, mpt::NibblePath, bytes_view value, bytes_view extra, bytes_view) override {
        view_.put(table(path), key_for(path), leaf_record(extra, value));
    }
    void remove(mpt::NibblePath path) override { view_.erase(table(path), key_for(path)); }
    std::unique_ptr<mpt::TrieNodeStore> fork() override {
        if (view_.trie_threads() < 2) return nullptr;
        return std::make_unique<ForkedTrieStore<AccountTrieStore>>(view_);
    }
    void join(mpt::TrieNodeStore& forked) override { view_.take_writes(static_cast<ForkedTrieStore<AccountTrieStore>&>(forked).delta()); }

private:
    static Table table(mpt::NibblePath path) { return path.size() < kTopDepth ? kAccountTrieTopTable : kAccountTrieTable; }
    const bytes& key_for(mpt::NibblePath path) {
        key_.clear();
        if (path.size() < kTopDepth) key_.push_back(0);
        key_.insert(key_.end(), path.begin(), path.end());
        return key_;
    }

    View& view_;
    bytes key_;  // reused: the key of the latest call
};

/// The leaf record of `address` in LMDB (whose key in the trie is `hashed_key`), or nullopt.
/// Only for an account not written above LMDB: LMDB's trie is the one of the last write-back,
/// whose leaf records hold the accounts written since no more.
std::optional<bytes_view> find_account_leaf(View& view, const Address& address, const Hash32& hashed_key) {
    std::array<uint8_t, 1 + 64> key;  // the top table's prefix, then the key's nibbles
    key[0] = 0;
    const auto nibbles = key_nibbles(hashed_key);
    std::copy(nibbles.begin(), nibbles.end(), key.begin() + 1);
    const auto is_it = [&](const std::optional<Entry>& entry) {
        return entry && is_leaf_record(entry->value) && leaf_record_address(entry->value) == address;
    };
    // Below the top levels first: there are all leaves but those of a small trie. A node there
    // on the key's path means that the key's leaf, if any, is there too.
    if (const auto entry = entry_on_path(view, kAccountTrieTable, bytes_view{key}.subspan(1)))
        return is_it(entry) ? std::optional{entry->value} : std::nullopt;
    if (const auto entry = entry_on_path(view, kAccountTrieTopTable, key); is_it(entry)) return entry->value;
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The journal: one entry per commit not yet written back, RLP [change set, [[table, key,
// deleted (0/1), value], ...]], a frame of journal.log each (db/journal_file.hpp; schema 3 kept
// them in the "journal" table), replayed in order when the database opens.

/// `encoded_changes`: encode_change_set(changes) when the committer has it, else empty.
bytes encode_journal_entry(const ChangeSet& changes, std::span<const RecordWrite> records, bytes_view encoded_changes = {}) {
    // A missing code is not applied, so it is not journaled either (the encoding would give it
    // back as an empty code); the change set is copied only when it has one.
    const bool all_codes = std::all_of(changes.codes.begin(), changes.codes.end(), [](const auto& code) { return code.second != nullptr; });
    bytes own_encoding;
    if (all_codes) {
        if (encoded_changes.empty()) encoded_changes = own_encoding = encode_change_set(changes);
    } else {
        ChangeSet kept;
        kept.accounts = changes.accounts;
        for (const auto& code : changes.codes)
            if (code.second) kept.codes.push_back(code);
        encoded_changes = own_encoding = encode_change_set(kept);
    }
    // Sized up front: a block's records (body, receipts, change sets) are a few kilobytes.
    size_t records_size = 0;
    for (const RecordWrite& write : records)
        records_size += write.table.size() + write.key.size() + (write.value ? write.value->size() : 0) + 24;
    rlp::ListBuilder list(records_size);
    for (const RecordWrite& write : records) {
        rlp::ListBuilder record(write.table.size() + write.key.size() + (write.value ? write.value->size() : 0) + 16);
        record.add(write.table).add(write.key).add(uint64_t{write.value ? 0u : 1u}).add(write.value ? bytes_view{*write.value} : bytes_view{});
        list.add_raw(record.take());
    }
    const bytes encoded_records = list.take();
    rlp::ListBuilder entry(encoded_changes.size() + encoded_records.size());
    return entry.add_raw(encoded_changes).add_raw(encoded_records).take();
}

std::pair<ChangeSet, std::vector<RecordWrite>> decode_journal_entry(bytes_view encoded) {
    const auto damaged = [] { return DatabaseError("damaged journal entry in the state database"); };
    const auto top = rlp::decode_item(encoded);
    if (!top || !top->is_list) throw damaged();
    const auto parts = rlp::list_items(*top);
    if (!parts || parts->size() != 2 || !(*parts)[1].is_list) throw damaged();
    auto changes = decode_change_set((*parts)[0].encoded);
    if (!changes) throw damaged();
    const auto items = rlp::list_items((*parts)[1]);
    if (!items) throw damaged();
    std::vector<RecordWrite> records;
    for (const rlp::Item& item : *items) {
        const auto fields = rlp::list_items(item);
        if (!fields || fields->size() != 4 || (*fields)[0].is_list || (*fields)[1].is_list || (*fields)[3].is_list) throw damaged();
        const auto deleted = rlp::to_u64((*fields)[2]);
        if (!deleted || *deleted > 1) throw damaged();
        RecordWrite& write = records.emplace_back();
        write.table.assign((*fields)[0].payload.begin(), (*fields)[0].payload.end());
        write.key.assign((*fields)[1].payload.begin(), (*fields)[1].payload.end());
        if (*deleted == 0) write.value.emplace((*fields)[3].payload.begin(), (*fields)[3].payload.end());
    }
    return {std::move(*changes), std::move(records)};
}

/// Directories opened by an LmdbDatabase of this process: LMDB forbids a second open. Keyed by
/// process id too: a child made by fork() inherits the set but none of the opens.
std::mutex open_directories_mutex;
std::set<std::pair<pid_t, std::string>> open_directories;

}  // namespace

// ---------------------------------------------------------------------------------------------

struct LmdbDatabase::Impl {
    MDB_env* env = nullptr;
    std::string registered_directory;
    pid_t registered_pid = 0;
    size_t max_map_size = 0;
    size_t max_key_size = 0;
    int lock_file = -1;

    std::array<MDB_dbi, kTableCount> dbis{};
    MDB_dbi legacy_journal = 0;  // schema 3's journal table, emptied when the database is upgraded
    bool upgrade_schema = false;  // a schema-3 database: upgraded by the first write-back

    /// Write-back (see LmdbOptions::write_back_memory): 0 writes every commit through.
    size_t write_back_memory = 0;
    size_t write_back_entries = 0;
    bool journal_commits = true;  // LmdbOptions::journal
    /// A journal write is flushed before the commit returns (LmdbOptions::sync_every_commit
    /// without defer_flush); otherwise a write-back flushes the map before emptying the journal.
    bool flush_journal = false;
    std::unique_ptr<JournalFile> journal_file;
    /// The commits not written back yet (write-back mode), and how many journal entries hold them.
    /// Written by the committing thread with commit_mutex and this mutex held; read by readers
    /// with this mutex shared.
    Delta dirty;
    std::shared_mutex dirty_mutex;
    /// The next journal frame's sequence number, and the first one the tables do not hold
    /// (kJournalNextKey); the frames between them hold the commits not written back.
    uint64_t next_sequence = 0;
    uint64_t written_back_sequence = 0;
    uint64_t group_first_sequence = 0;
    /// An open group (LmdbDatabase::begin_group): its commits are in `dirty` with what they
    /// replaced kept here, and their journal entries wait for the group's end. Guarded like `dirty`.
    std::optional<Delta::Undo> group;
    Delta::UndoMark group_start;
    /// The last group's emptied log, whose vectors keep their capacity for the next group (the
    /// node opens one per mining pass; growing the log from empty each time was ~5% of mining).
    Delta::Undo spare_group_log;
    void release_group() {
        spare_group_log = std::move(*group);
        spare_group_log.entries.clear();
        spare_group_log.accounts.clear();
        group.reset();
    }
    size_t group_depth = 0;  // guarded by commit_mutex
    uint64_t write_backs = 0;
    double write_back_seconds = 0;

    class ReadTxn;
    class Session;
    class WriteTxn;
    class ForkSnapshot;

    /// Threads a commit's trie updates may use, and from how many writes (LmdbOptions).
    std::atomic<unsigned> trie_threads{1};
    size_t trie_parallel_minimum = mpt::kParallelTrieUpdateMinimum;

    /// One writer at a time in this process (LMDB's writer lock is per process); taken before
    /// map_mutex when both are needed.
    std::mutex commit_mutex;
    /// Held shared while a read transaction is in use and exclusively while the map is resized:
    /// resizing remaps the file, which readers' pointers into the map would not survive.
    std::shared_mutex map_mutex;
    std::mutex idle_readers_mutex;
    /// Codes read, by hash (a hash names one code forever): a contract called in every block is
    /// not copied out of the database each time. Emptied when it passes kCodeCacheBytes.
    static constexpr size_t kCodeCacheBytes = size_t{64} << 20;
    std::mutex code_cache_mutex;
    std::unordered_map<Hash32, std::shared_ptr<const bytes>> code_cache;
    size_t code_cache_bytes = 0;
    std::vector<MDB_txn*> idle_readers;  // reset read transactions, renewed for the next read

    ~Impl() {
        for (MDB_txn* txn : idle_readers) mdb_txn_abort(txn);
        if (env) mdb_env_close(env);
        if (lock_file >= 0) ::close(lock_file);
        if (!registered_directory.empty()) {
            std::lock_guard lock(open_directories_mutex);
            open_directories.erase({registered_pid, registered_directory});
        }
    }

    bool writes_back() const noexcept { return write_back_memory != 0; }

    void open(const std::filesystem::path& dir, const LmdbOptions& options);
    void open_tables(const std::filesystem::path& dir);
    void lock_directory(const std::filesystem::path& dir);
    void replay_journal();

    /// Called with the map exclusively locked.
    void drop_idle_readers() {
        std::lock_guard lock(idle_readers_mutex);
        for (MDB_txn* txn : idle_readers) mdb_txn_abort(txn);
        idle_readers.clear();
    }

    /// Another process grew the map: adopt its size. The caller holds commit_mutex (LMDB cannot
    /// resize while a write transaction of this process is open).
    void adopt_map_size() {
        std::unique_lock lock(map_mutex);
        drop_idle_readers();
        check(mdb_env_set_mapsize(env, 0), "adopt map size");
    }

    size_t current_map_size() {
        MDB_envinfo info;
        check(mdb_env_info(env, &info), "env info");
        return info.me_mapsize;
    }

    /// Doubles the map (up to the maximum) after a commit found it full.
    void grow_map() {
        std::unique_lock lock(map_mutex);
        const size_t current = current_map_size();
        if (current >= max_map_size)
            throw DatabaseError("database full: the commit does not fit in the maximum map size of " +
                                std::to_string(max_map_size) + " bytes (LmdbOptions::max_map_size); nothing was written");
        const size_t next = current > max_map_size / 2 ? max_map_size : current * 2;
        drop_idle_readers();
        check(mdb_env_set_mapsize(env, next), "grow map");
    }

    /// Applies `changes` and `records` through `view` and returns the reverse change set (empty
    /// unless `want_reverse`: a preview or a replay has no use for it, and it reads every slot).
    ChangeSet apply(View& view, const ChangeSet& changes, std::span<const RecordWrite> writes, bool want_reverse = true);
    /// Writes records only (no state change: the root stays as it is).
    static void write_records(View& view, std::span<const RecordWrite> writes);
    /// The account's trie key is hashed only when it must be looked up in LMDB's trie (most
    /// reads find it written above).
    static std::optional<StoredAccount> load_account(View& view, const Address& address);
    static uint256 load_slot(View& view, const Address& address, const uint256& key);
    static std::vector<std::pair<uint256, uint256>> load_slots(View& view, const Address& address);
    static void drop_storage(View& view, const Address& address);
    /// The reads of a change (PreparedChange): its account (`known_before` when an earlier change
    /// of the same set wrote it), then its slots [begin, end).
    static void prepare_account(View& view, const AccountChange& change, const std::optional<StoredAccount>* known_before,
                                bool want_reverse, PreparedChange& out);
    static void prepare_slots(View& view, const AccountChange& change, bool want_reverse, size_t begin, size_t end,
                              PreparedChange& out);
    /// Prepares every change of a large set ahead of the writes, on `view` and forks of it.
    static void prepare_ahead(View& view, const ChangeSet& changes, bool want_reverse, std::vector<PreparedChange>& prepared);
    static Hash32 write_storage(View& view, const AccountChange& change, PreparedChange& prepared);
    /// The account trie's write of a change that leaves the account with `storage_root`.
    static void set_account_write(PreparedChange& out, const AccountChange& change, const Hash32& storage_root);
    static Hash32 root_in(View& view) {
        const auto root = view.get(kMetadataTable, as_view(kStateRootKey));
        if (!root || root->size() != 32) throw DatabaseError("corrupt metadata: no state root");
        return Hash32::from(*root);
    }

    /// The commit protocol shared by every kind of commit. `body(view, journal)` applies the
    /// commit's writes through `view`, appends the records it applied to `*journal` when
    /// `journal` is not null (write-back with the journal on: they go into the commit's journal
    /// entry) and returns whether to keep them. The caller holds commit_mutex. Returns what `body` returned.
    /// `encoded_changes`: encode_change_set(changes) when the committer has it (for the journal).
    template <typename Body>
    bool transact(const ChangeSet& changes, Body&& body, bytes_view encoded_changes = {});
    /// Writes every dirty entry to the tables and empties the journal, in one write transaction.
    /// The caller holds commit_mutex. An open group is left in memory unless `with_open_group`
    /// (its end, when the map is nearly full: the caller then releases the group).
    void write_back(bool with_open_group = false);
    /// Whether the map's free room (up to max_map_size) can surely take the entries kept in memory
    /// and `extra` bytes more: the B-tree's pages are seldom full and a write-back copies the
    /// pages it changes, hence the factor. Pessimistic: pages freed inside the file count as used.
    bool has_room(size_t extra) {
        MDB_envinfo info;
        check(mdb_env_info(env, &info), "env info");
        const size_t used = (static_cast<size_t>(info.me_last_pgno) + 1) * kPageSize;
        const size_t needed = 2 * (dirty.memory + extra);
        return used <= max_map_size && needed <= max_map_size - used;
    }
    /// What a change set may add to the entries kept in memory: its accounts' leaves and the
    /// trie nodes above them, its slots and their storage-trie nodes, its codes.
    static size_t estimated_size(const ChangeSet& changes) {
        size_t size = 0;
        for (const AccountChange& account : changes.accounts) size += 2048 + 512 * account.storage.size();
        for (const auto& code : changes.codes) size += code.second ? code.second->size() : 0;
        return size;
    }
    /// Writes back when the dirty entries pass the limits; a failure leaves them dirty (the
    /// journal holds them) for the next commit to try again. The caller holds commit_mutex.
    void write_back_if_over_limits();
    /// Ends the open group: its journal frames in one write; on failure the group's commits are
    /// taken back out of `dirty`. The caller holds commit_mutex.
    void close_group();
    void drop_group();
    /// Reads through the dirty delta and LMDB (readers of any thread).
    template <typename Read>
    auto read(Read&& read_with);
};

/// A read transaction from the pool of reset ones, for the duration of one read call.
class LmdbDatabase::Impl::ReadTxn {
public:
    /// `commit_lock_held`: the caller holds commit_mutex (a commit reading through the layers).
    explicit ReadTxn(Impl& db, bool commit_lock_held = false) : db_(db), map_lock_(db.map_mutex) {
        for (bool adopted = false;; adopted = true) {
            MDB_txn* txn = nullptr;
            {
                std::lock_guard lock(db_.idle_readers_mutex);
                if (!db_.idle_readers.empty()) {
                    txn = db_.idle_readers.back();
                    db_.idle_readers.pop_back();
                }
            }
            int rc;
            if (txn) {
                rc = mdb_txn_renew(txn);
                if (rc != 0) mdb_txn_abort(txn);
            } else {
                rc = mdb_txn_begin(db_.env, nullptr, MDB_RDONLY, &txn);
            }
            if (rc == 0) {
                txn_ = txn;
                return;
            }
            if (rc != MDB_MAP_RESIZED || adopted) fail("begin read transaction", rc);
            map_lock_.unlock();
            if (commit_lock_held) {
                db_.adopt_map_size();
            } else {
                std::lock_guard commit_lock(db_.commit_mutex);
                db_.adopt_map_size();
            }
            map_lock_.lock();
        }
    }
    ~ReadTxn() {
        mdb_txn_reset(txn_);
        std::lock_guard lock(db_.idle_readers_mutex);
        if (db_.idle_readers.size() < kMaxIdleReaders)
            db_.idle_readers.push_back(txn_);
        else
            mdb_txn_abort(txn_);
    }
    ReadTxn(const ReadTxn&) = delete;
    ReadTxn& operator=(const ReadTxn&) = delete;

    MDB_txn* get() const noexcept { return txn_; }

private:
    Impl& db_;
    std::shared_lock<std::shared_mutex> map_lock_;
    MDB_txn* txn_ = nullptr;
};

/// LmdbDatabase::read_session: the locks and the read transaction of Impl::read, taken once and
/// used by every read of this thread until destroyed (on the same thread). A block's executor
/// holds one while its helpers take theirs: glibc's rwlocks (std::shared_mutex's) let a reader in
/// while a writer waits, so a helper never queues behind a commit that waits for the executor.
class LmdbDatabase::Impl::Session final : public StateReader::ReadSession {
public:
    explicit Session(Impl& db) : db(db), dirty_lock(db.dirty_mutex), txn(db), previous_(current) { current = this; }
    ~Session() override { current = previous_; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    Impl& db;
    std::shared_lock<std::shared_mutex> dirty_lock;
    ReadTxn txn;
    static thread_local Session* current;

private:
    Session* previous_;
};

thread_local LmdbDatabase::Impl::Session* LmdbDatabase::Impl::Session::current = nullptr;

/// A read transaction that a parallel trie update's fork uses on another thread.
class LmdbDatabase::Impl::ForkSnapshot final : public ReadSnapshot {
public:
    explicit ForkSnapshot(Impl& db) : txn_(db, true) {}  // for the commit: its lock is held
    MDB_txn* txn() const noexcept override { return txn_.get(); }

private:
    ReadTxn txn_;
};

/// The write transaction of one commit attempt: aborted unless committed. The caller holds
/// commit_mutex.
class LmdbDatabase::Impl::WriteTxn {
public:
    explicit WriteTxn(Impl& db) {
        int rc = mdb_txn_begin(db.env, nullptr, 0, &txn_);
        if (rc == MDB_MAP_RESIZED) {
            db.adopt_map_size();
            rc = mdb_txn_begin(db.env, nullptr, 0, &txn_);
        }
        if (rc != 0) {
            txn_ = nullptr;
            fail("begin write transaction", rc);
        }
    }
    ~WriteTxn() {
        if (txn_) mdb_txn_abort(txn_);
    }
    WriteTxn(const WriteTxn&) = delete;
    WriteTxn& operator=(const WriteTxn&) = delete;

    MDB_txn* get() const noexcept { return txn_; }
    void commit() {
        MDB_txn* txn = std::exchange(txn_, nullptr);  // freed by mdb_txn_commit even on failure
        check_write(mdb_txn_commit(txn), "commit");
    }

private:
    MDB_txn* txn_ = nullptr;
};

namespace {

void put(MDB_txn* txn, MDB_dbi dbi, bytes_view key, bytes_view value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    check_write(mdb_put(txn, dbi, &k, &v, 0), "write");
}

void erase(MDB_txn* txn, MDB_dbi dbi, bytes_view key) {
    MDB_val k = to_val(key);
    const int rc = mdb_del(txn, dbi, &k, nullptr);
    if (rc != MDB_NOTFOUND) check_write(rc, "delete");
}

/// Writes a delta's entries into LMDB tables, each table in key order (neighbouring keys share
/// pages: each page is dirtied once, and the B-tree descents stay in the cache).
void write_delta(MDB_txn* txn, const std::array<MDB_dbi, kTableCount>& dbis, const Delta& delta) {
    for (size_t t = 0; t < kTableCount; ++t) {
        const auto& entries = delta.tables[t].entries;
        using DeltaEntry = std::remove_reference_t<decltype(entries)>::Entry;
        std::vector<const DeltaEntry*> sorted;
        sorted.reserve(entries.size());
        entries.for_each([&](const DeltaEntry& entry) { sorted.push_back(&entry); });
        std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return KeyOrder::compare(a->key(), b->key()) < 0; });
        for (const auto* entry : sorted) {
            if (entry->value)
                put(txn, dbis[t], entry->key(), *entry->value);
            else
                erase(txn, dbis[t], entry->key());
        }
    }
}

}  // namespace

void LmdbDatabase::Impl::open(const std::filesystem::path& dir, const LmdbOptions& options) {
    const std::string name = dir.string();
    std::error_code ec;
    if (std::filesystem::exists(dir, ec)) {
        if (!std::filesystem::is_directory(dir, ec)) throw DatabaseError(name + " is not a directory");
        if (!std::filesystem::exists(dir / "data.mdb", ec) && !std::filesystem::is_empty(dir, ec))
            throw DatabaseError(name + " is not an LMDB database (no data.mdb) and is not empty: refusing to create one there");
    } else if (!std::filesystem::create_directories(dir, ec) && ec) {
        throw DatabaseError("cannot create " + name + ": " + ec.message());
    }

    const std::string canonical = std::filesystem::canonical(dir, ec).string();
    if (ec) throw DatabaseError("cannot resolve " + name + ": " + ec.message());
    {
        std::lock_guard lock(open_directories_mutex);
        if (!open_directories.insert({::getpid(), canonical}).second)
            throw DatabaseError(name + " is already open in this process (LMDB allows one open per process)");
    }
    registered_directory = canonical;
    registered_pid = ::getpid();

    write_back_memory = options.write_back_memory;
    write_back_entries = options.write_back_entries;
    trie_threads = std::max(1u, options.trie_threads);
    trie_parallel_minimum = options.trie_parallel_minimum;
    journal_commits = options.journal;
    flush_journal = options.sync_every_commit && !options.defer_flush;
    max_map_size = std::max(kMinMapSize, options.max_map_size / kPageSize * kPageSize);
    const size_t initial = std::min(max_map_size, std::max(kMinMapSize, round_up_to_page(options.initial_map_size)));
    check(mdb_env_create(&env), "create environment");
    check(mdb_env_set_maxdbs(env, 10), "set max tables");
    check(mdb_env_set_mapsize(env, initial), "set map size");
    // MDB_NOTLS: read transactions belong to their handle, not their thread, so the pool of
    // reset transactions can serve any thread.
    // defer_flush: MDB_WRITEMAP too, so that a commit writes into the map instead of copying
    // every dirty page with pwrite (measured: 20% more blocks per second for the dev node).
    const unsigned flags = MDB_NOTLS | (options.defer_flush         ? unsigned{MDB_NOSYNC | MDB_WRITEMAP}
                                        : options.sync_every_commit ? 0u
                                                                    : unsigned{MDB_NOMETASYNC});
    const int rc = mdb_env_open(env, name.c_str(), flags, 0644);
    if (rc == MDB_INVALID) throw DatabaseError(name + " is not an LMDB database (data.mdb has no valid LMDB header)");
    if (rc == MDB_VERSION_MISMATCH)
        throw DatabaseError(name + " was written by an LMDB version whose file format this build cannot read");
    if (rc != 0) fail("open " + name, rc);
    lock_directory(dir);
    int dead_readers = 0;
    check(mdb_reader_check(env, &dead_readers), "clear stale readers");  // slots of crashed processes
    max_key_size = static_cast<size_t>(mdb_env_get_maxkeysize(env));
    open_tables(dir);
    journal_file = std::make_unique<JournalFile>(dir / "journal.log");
    replay_journal();
}

void LmdbDatabase::Impl::lock_directory(const std::filesystem::path& dir) {
    // A process that writes back keeps commits in memory that other processes cannot see: it
    // must be alone. Write-through processes may share the directory (LMDB serialises them).
    const std::string path = (dir / "polyvm.lock").string();
    lock_file = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_file < 0) throw DatabaseError("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(lock_file, (writes_back() ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0)
        throw DatabaseError(dir.string() + " is in use by another process" +
                            (writes_back() ? std::string(" (a process that writes back commits must have the database to itself)")
                                           : std::string(" that keeps commits in memory (it must have the database to itself)")));
}

void LmdbDatabase::Impl::open_tables(const std::filesystem::path& dir) {
    const std::string name = dir.string();
    std::lock_guard commit_lock(commit_mutex);
    WriteTxn txn(*this);
    MDB_dbi& metadata = dbis[kMetadataTable];
    int rc = mdb_dbi_open(txn.get(), "metadata", 0, &metadata);
    const bool fresh = rc == MDB_NOTFOUND;
    if (fresh) {
        // No metadata: a new, empty environment, or someone else's LMDB database.
        MDB_dbi main_table;
        check(mdb_dbi_open(txn.get(), nullptr, 0, &main_table), "open main table");
        MDB_stat stat;
        check(mdb_stat(txn.get(), main_table, &stat), "stat main table");
        if (stat.ms_entries != 0) throw DatabaseError(name + " holds an LMDB database that is not a polyvm state database (no metadata table)");
        check(mdb_dbi_open(txn.get(), "metadata", MDB_CREATE, &metadata), "create metadata table");
    } else if (rc == MDB_INCOMPATIBLE) {
        throw DatabaseError(name + " holds an LMDB database that is not a polyvm state database (\"metadata\" is not a table)");
    } else {
        check(rc, "open metadata table");
        MDB_val k = to_val(as_view(kSchemaVersionKey));
        MDB_val v;
        rc = mdb_get(txn.get(), metadata, &k, &v);
        if (rc != 0 || v.mv_size != 4) throw DatabaseError(name + " is not a polyvm state database (no schema version in its metadata)");
        const bytes_view version = view_of(v);
        const uint32_t found = (uint32_t{version[0]} << 24) | (uint32_t{version[1]} << 16) | (uint32_t{version[2]} << 8) | uint32_t{version[3]};
        upgrade_schema = found == kTableJournalSchemaVersion;
        if (found != kSchemaVersion && !upgrade_schema)
            throw DatabaseError(name + " has database schema version " + std::to_string(found) + ", but this build reads schema version " +
                                std::to_string(kSchemaVersion) + " only");
    }
    const std::pair<const char*, MDB_dbi*> tables[] = {
        {"account_trie_top", &dbis[kAccountTrieTopTable]}, {"account_trie", &dbis[kAccountTrieTable]},
        {"storage", &dbis[kStorageTable]},                 {"code", &dbis[kCodeTable]},
        {"storage_trie", &dbis[kStorageTrieTable]},        {"records", &dbis[kRecordsTable]},
        {"journal", &legacy_journal},
    };
    for (const auto& [table, handle] : tables) {
        rc = mdb_dbi_open(txn.get(), table, fresh ? MDB_CREATE : 0, handle);
        if (rc == MDB_NOTFOUND) throw DatabaseError(name + " is a damaged polyvm state database: table " + table + " is missing");
        check(rc, "open table");
    }
    if (fresh) {
        const uint8_t version[4] = {static_cast<uint8_t>(kSchemaVersion >> 24), static_cast<uint8_t>(kSchemaVersion >> 16),
                                    static_cast<uint8_t>(kSchemaVersion >> 8), static_cast<uint8_t>(kSchemaVersion)};
        try {
            put(txn.get(), metadata, as_view(kSchemaVersionKey), version);
            put(txn.get(), metadata, as_view(kStateRootKey), kEmptyTrieRoot);
            txn.commit();
        } catch (const MapFull&) {
            throw DatabaseError("database full: the maximum map size is too small to create the database");
        }
    } else {
        txn.commit();  // table handles opened in a transaction outlive it only once it commits
    }
}

void LmdbDatabase::Impl::replay_journal() {
    // The commits a process made durable by their journal entries but did not write back before
    // it stopped: applied again, in order, over the tables they were applied to, and kept in
    // memory as they were before it stopped (written back at once when said below).
    std::lock_guard commit_lock(commit_mutex);
    std::vector<bytes> entries;
    {
        ReadTxn txn(*this, true);
        View tables(txn.get(), dbis, nullptr, nullptr);
        if (const auto next = tables.get(kMetadataTable, as_view(kJournalNextKey))) {
            if (next->size() != 8) throw DatabaseError("damaged journal position in the state database");
            for (const uint8_t b : *next) written_back_sequence = (written_back_sequence << 8) | b;
        }
        if (upgrade_schema) {  // schema 3: the entries of the journal table
            MDB_cursor* cursor = nullptr;
            check(mdb_cursor_open(txn.get(), legacy_journal, &cursor), "open cursor");
            MDB_val k, v;
            for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc != MDB_NOTFOUND; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
                if (rc != 0) {
                    mdb_cursor_close(cursor);
                    fail("cursor", rc);
                }
                entries.emplace_back(view_of(v).begin(), view_of(v).end());
            }
            mdb_cursor_close(cursor);
        }
    }
    next_sequence = written_back_sequence;
    // Frames below the position were written back by a process that stopped before emptying the
    // file; a gap means the frames after it are older than the tables (never the case unless
    // an OS crash lost a write-back's flush): they are not applied.
    bool gap = false;
    for (JournalFile::Frame& frame : journal_file->read()) {
        if (frame.sequence < written_back_sequence) continue;
        if (frame.sequence != next_sequence) {
            gap = true;
            break;
        }
        entries.push_back(std::move(frame.payload));
        ++next_sequence;
    }
    for (const bytes& entry : entries) {
        const auto [changes, records] = decode_journal_entry(entry);
        Delta pending;
        {
            ReadTxn txn(*this, true);
            View view(txn.get(), dbis, &dirty, &pending);
            apply(view, changes, records, /*want_reverse=*/false);
        }
        dirty.absorb(std::move(pending));
    }
    // A write-back process keeps them in memory and their frames in the journal, as before it
    // stopped; a write-through process, an upgrade and frames that must not stay (after a gap)
    // write them back now.
    if ((!entries.empty() && !writes_back()) || upgrade_schema || gap) write_back();
}

std::optional<StoredAccount> LmdbDatabase::Impl::load_account(View& view, const Address& address) {
    if (auto written = view.written_account(address)) return std::move(*written);
    const auto record = find_account_leaf(view, address, cached_keccak256(address));
    if (!record) return std::nullopt;
    return decode_stored_account(record->subspan(kLeafRecordHeader));
}

uint256 LmdbDatabase::Impl::load_slot(View& view, const Address& address, const uint256& key) {
    const auto value = view.get(kStorageTable, storage_key(address, key));
    return value ? decode_slot_value(*value) : uint256{};
}

std::vector<std::pair<uint256, uint256>> LmdbDatabase::Impl::load_slots(View& view, const Address& address) {
    std::vector<std::pair<uint256, uint256>> slots;
    view.for_each_with_prefix(kStorageTable, address, [&](bytes_view key, bytes_view value) {
        if (key.size() != 52) throw DatabaseError("corrupt key in the storage table");
        slots.emplace_back(uint256::from_be(key.subspan(20)), decode_slot_value(value));
    });
    return slots;
}

void LmdbDatabase::Impl::drop_storage(View& view, const Address& address) {
    erase_prefix(view, kStorageTable, address);
    erase_prefix(view, kStorageTrieTable, address);
}

void LmdbDatabase::Impl::prepare_account(View& view, const AccountChange& change, const std::optional<StoredAccount>* known_before,
                                         bool want_reverse, PreparedChange& out) {
    const Hash32 hashed_address = cached_keccak256(change.address);  // the account's key in the trie
    out.account_write.key.assign(hashed_address.bytes.begin(), hashed_address.bytes.end());
    out.before = known_before ? *known_before : load_account(view, change.address);
    if (change.account && change.storage.empty()) {
        // Its storage root stays, unless the change drops the storage.
        const Hash32 storage_root = out.before && !change.storage_wiped ? out.before->storage_root : kEmptyTrieRoot;
        set_account_write(out, change, storage_root);
    } else if (change.account) {  // a deleted account's slots are dropped, not written
        out.slot_writes.resize(change.storage.size());
        out.slot_values.resize(change.storage.size());
    }
    if (!want_reverse) return;
    // The reverse entry, exactly as MemoryDatabase builds it.
    AccountChange& undo = out.undo;
    undo.address = change.address;
    if (!out.before) {
        undo.storage_wiped = true;
        return;
    }
    undo.account = out.before->info;
    if (change.storage_wiped || !change.account) {
        undo.storage_wiped = true;
        undo.storage = load_slots(view, change.address);
    } else {
        undo.storage.resize(change.storage.size());  // each slot's value before: prepare_slots
    }
}

void LmdbDatabase::Impl::set_account_write(PreparedChange& out, const AccountChange& change, const Hash32& storage_root) {
    AccountInfo info = *change.account;
    info.has_storage = storage_root != kEmptyTrieRoot;
    out.account_write.value = encode_account(info, storage_root);
    out.account_write.extra.assign(change.address.bytes.begin(), change.address.bytes.end());  // the leaf record's address
    out.after = StoredAccount{info, storage_root};
}

void LmdbDatabase::Impl::prepare_slots(View& view, const AccountChange& change, bool want_reverse, size_t begin, size_t end,
                                       PreparedChange& out) {
    if (!change.account) return;
    const bool undo_slots = want_reverse && out.before && !change.storage_wiped;
    for (size_t i = begin; i < end; ++i) {
        const auto& [key, value] = change.storage[i];
        const Hash32 hashed_key = cached_keccak256(key.to_hash());
        mpt::TrieWrite& write = out.slot_writes[i];
        write.key.assign(hashed_key.bytes.begin(), hashed_key.bytes.end());
        if (!value.is_zero()) {  // an empty trie value deletes, as does a missing table value
            out.slot_values[i] = minimal_be(value);
            write.value = rlp::encode(value);
        }
        if (undo_slots) out.undo.storage[i] = {key, load_slot(view, change.address, key)};
    }
}

void LmdbDatabase::Impl::prepare_ahead(View& view, const ChangeSet& changes, bool want_reverse,
                                       std::vector<PreparedChange>& prepared) {
    // Each helper reads through a fork of the view (a read transaction of its own over the same
    // layers, which nothing writes until every change is prepared); the calling thread reads
    // through the view itself.
    std::vector<std::unique_ptr<ViewFork>> forks(view.trie_threads() - 1);
    for (auto& fork : forks) fork = std::make_unique<ViewFork>(view);
    const auto run = [&](size_t items, size_t chunk, const auto& work) {
        WorkerPool::shared().for_each_chunk(static_cast<unsigned>(forks.size()), items, chunk,
                                            [&](unsigned worker, size_t first, size_t last) {
                                                View& reader = worker == 0 ? view : forks[worker - 1]->view;
                                                for (size_t i = first; i < last; ++i) work(reader, i);
                                            });
    };
    // The accounts first (a slot's reverse entry depends on whether its account existed), then
    // the slots in ranges, so that one account with many slots (a token's) is shared out too.
    run(changes.accounts.size(), 32, [&](View& reader, size_t c) {
        prepare_account(reader, changes.accounts[c], nullptr, want_reverse, prepared[c]);
    });
    constexpr size_t kSlotsPerRange = 128;
    struct SlotRange {
        size_t change, begin, end;
    };
    std::vector<SlotRange> ranges;
    for (size_t c = 0; c < changes.accounts.size(); ++c)
        for (size_t begin = 0; begin < prepared[c].slot_writes.size(); begin += kSlotsPerRange)
            ranges.push_back({c, begin, std::min(prepared[c].slot_writes.size(), begin + kSlotsPerRange)});
    run(ranges.size(), 1, [&](View& reader, size_t r) {
        const SlotRange& range = ranges[r];
        prepare_slots(reader, changes.accounts[range.change], want_reverse, range.begin, range.end, prepared[range.change]);
    });
}

Hash32 LmdbDatabase::Impl::write_storage(View& view, const AccountChange& change, PreparedChange& prepared) {
    for (size_t i = 0; i < change.storage.size(); ++i) {
        const StorageKey slot = storage_key(change.address, change.storage[i].first);
        if (prepared.slot_values[i])
            view.put(kStorageTable, slot, std::move(*prepared.slot_values[i]));
        else
            view.erase(kStorageTable, slot);
    }
    StorageTrieStore nodes(view, change.address);
    return view.update_trie(nodes, prepared.slot_writes);
}

ChangeSet LmdbDatabase::Impl::apply(View& view, const ChangeSet& changes, std::span<const RecordWrite> writes, bool want_reverse) {
    // Large trie updates may use more threads (LmdbOptions::trie_threads): their forks read
    // LMDB through read transactions of their own, which see what this commit's transaction
    // sees (this process is the one writer while the commit lock is held, and nothing is
    // written to LMDB before the commit's body ends).
    const SnapshotOpener open_snapshot = [this] { return std::unique_ptr<ReadSnapshot>(std::make_unique<ForkSnapshot>(*this)); };
    const unsigned threads = trie_threads.load(std::memory_order_relaxed);
    struct StopForks {
        View& view;
        ~StopForks() { view.allow_forks(nullptr, 1, mpt::kParallelTrieUpdateMinimum); }  // the opener ends with this call
    } stop_forks{view};
    if (threads > 1) view.allow_forks(&open_snapshot, threads, trie_parallel_minimum);
    for (const auto& [hash, bytecode] : changes.codes)
        if (bytecode && !view.get(kCodeTable, hash)) view.put(kCodeTable, hash, *bytecode);  // content-addressed: never replaced

    // What each change reads comes first: on several threads for a large set (the loads of
    // accounts and slots and the hashing of keys are most of a block's apply), else one by one
    // just before its writes.
    size_t work = changes.accounts.size();
    for (const AccountChange& change : changes.accounts) work += change.storage.size();
    const bool prepared_ahead = view.trie_threads() > 1 && work >= view.parallel_minimum();
    std::vector<PreparedChange> prepared;
    PreparedChange one_by_one;  // without threads: one at a time (a block's worth would be megabytes of fresh pages)
    if (prepared_ahead) {
        prepared.resize(changes.accounts.size());
        prepare_ahead(view, changes, want_reverse, prepared);
    }

    // Accounts are applied one after the other (a change set may name an address twice); the
    // account trie takes all of them in one batch at the end, where the last write of a key wins.
    ChangeSet reverse;
    if (want_reverse) reverse.accounts.reserve(changes.accounts.size());
    std::vector<mpt::TrieWrite> account_writes;
    account_writes.reserve(changes.accounts.size());
    // The accounts live in the trie's leaves, written at the end: an address named again reads
    // what its earlier change wrote from here (and its reads are made again, after those writes).
    std::unordered_map<Address, std::optional<StoredAccount>> written;
    written.reserve(changes.accounts.size());
    for (size_t c = 0; c < changes.accounts.size(); ++c) {
        const AccountChange& change = changes.accounts[c];
        PreparedChange& p = prepared_ahead ? prepared[c] : one_by_one;
        const auto earlier = written.find(change.address);
        if (!prepared_ahead || earlier != written.end()) {
            p = PreparedChange{};
            prepare_account(view, change, earlier != written.end() ? &earlier->second : nullptr, want_reverse, p);
            prepare_slots(view, change, want_reverse, 0, change.storage.size(), p);
        }
        const std::optional<StoredAccount>& before = p.before;
        if (want_reverse) reverse.accounts.push_back(std::move(p.undo));

        if (!change.account) {
            if (before) {
                drop_storage(view, change.address);
                account_writes.push_back(std::move(p.account_write));  // empty value: delete
                written.insert_or_assign(change.address, std::nullopt);
            }
            continue;
        }
        if (before && change.storage_wiped) drop_storage(view, change.address);
        if (!change.storage.empty()) set_account_write(p, change, write_storage(view, change, p));
        account_writes.push_back(std::move(p.account_write));
        written.insert_or_assign(change.address, std::move(p.after));
        p = PreparedChange{};  // its memory goes now
    }

    write_records(view, writes);

    view.reserve_accounts(written.size());
    for (const auto& [address, account] : written) view.record_account(address, account);
    AccountTrieStore account_nodes(view);
    const Hash32 root = view.update_trie(account_nodes, account_writes);
    view.put(kMetadataTable, as_view(kStateRootKey), root);
    return reverse;
}

void LmdbDatabase::Impl::write_records(View& view, std::span<const RecordWrite> writes) {
    for (const RecordWrite& write : writes) {
        const bytes key = record_key(write.table, write.key);
        if (write.value)
            view.put(kRecordsTable, key, *write.value);
        else
            view.erase(kRecordsTable, key);
    }
}

template <typename Body>
bool LmdbDatabase::Impl::transact(const ChangeSet& changes, Body&& body, bytes_view encoded_changes) {
    if (!writes_back()) {
        // Write-through: applied over a write transaction (so that no other process commits in
        // between), then the delta written into it and committed.
        for (;;) {
            {
                WriteTxn txn(*this);
                try {
                    Delta pending;
                    {
                        View view(txn.get(), dbis, nullptr, &pending);
                        if (!body(view, static_cast<std::vector<RecordWrite>*>(nullptr))) return false;
                    }  // the view's cursors close before the transaction ends
                    write_delta(txn.get(), dbis, pending);
                    txn.commit();
                    return true;
                } catch (const MapFull&) {
                    // The transaction is aborted at the end of this scope; then the map grows.
                }
            }
            grow_map();
        }
    }

    // Write-back: applied over the dirty delta and a read snapshot (this process is the only
    // writer), made durable by one journal entry, then kept in memory.
    if (!group && !has_room(estimated_size(changes))) {
        // The journal takes no room in the map: a commit that the map could not take with the
        // ones kept in memory is refused now, not found out by a later write-back.
        write_back();  // throws "database full" when the map cannot take those kept in memory
        if (!has_room(estimated_size(changes)))
            throw DatabaseError("database full: the commit may not fit in the maximum map size of " + std::to_string(max_map_size) +
                                " bytes (LmdbOptions::max_map_size); nothing was written");
    }
    std::vector<RecordWrite> records;
    Delta pending;
    if (group) {
        // Grouped: applied over the dirty delta like any commit, then moved into it with what it
        // replaces logged, so that the whole group can be taken back when its end fails; durable
        // when the group ends (close_group). Readers of other threads wait only while the
        // commit's entries move in (a development node executes its next block meanwhile).
        {
            ReadTxn txn(*this, true);
            View view(txn.get(), dbis, &dirty, &pending);
            if (!body(view, journal_commits ? &records : nullptr)) return false;
        }
        {
            std::unique_lock dirty_lock(dirty_mutex);
            dirty.absorb(std::move(pending));
        }
        if (journal_commits) journal_file->add(next_sequence++, encode_journal_entry(changes, records, encoded_changes));
        return true;
    }
    {
        ReadTxn txn(*this, true);
        View view(txn.get(), dbis, &dirty, &pending);
        if (!body(view, journal_commits ? &records : nullptr)) return false;
    }
    if (journal_commits) {
        journal_file->add(next_sequence, encode_journal_entry(changes, records, encoded_changes));
        journal_file->write_pending(flush_journal);  // throws (the frame dropped): not committed
        ++next_sequence;
    }
    {
        std::unique_lock lock(dirty_mutex);
        dirty.absorb(std::move(pending));
    }
    write_back_if_over_limits();
    return true;
}

void LmdbDatabase::Impl::write_back_if_over_limits() {
    if (dirty.memory <= write_back_memory && dirty.entries <= write_back_entries) return;
    try {
        write_back();
    } catch (const DatabaseError&) {
        // The commits are in the journal: they stand. The entries stay dirty and the next
        // commit tries again (a full database then refuses that commit).
    }
}

void LmdbDatabase::Impl::close_group() {
    try {
        if (has_room(0)) {
            journal_file->write_pending(flush_journal);
        } else {
            // The map may not take the group with the commits before it: written back now, the
            // group durable through the tables, or refused whole ("database full").
            write_back(true);
            journal_file->discard_pending();
        }
    } catch (...) {
        drop_group();
        throw;
    }
    {
        std::unique_lock lock(dirty_mutex);
        dirty.undo = nullptr;
        release_group();
    }
    write_back_if_over_limits();
}

void LmdbDatabase::Impl::drop_group() {
    std::unique_lock lock(dirty_mutex);
    dirty.revert(*group, group_start);
    dirty.undo = nullptr;
    release_group();
    journal_file->discard_pending();
    next_sequence = group_first_sequence;
}

void LmdbDatabase::Impl::write_back(bool with_open_group) {
    if (dirty.empty() && next_sequence == written_back_sequence && journal_file->size() == 0 && !upgrade_schema) return;
    if (group && !with_open_group) return;  // the group's commits are not durable yet: after the group's end
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        {
            WriteTxn txn(*this);
            try {
                write_delta(txn.get(), dbis, dirty);
                put(txn.get(), dbis[kMetadataTable], as_view(kJournalNextKey), block_number_key(next_sequence));
                if (upgrade_schema) {
                    check_write(mdb_drop(txn.get(), legacy_journal, 0), "empty the schema-3 journal");
                    const uint8_t version[4] = {static_cast<uint8_t>(kSchemaVersion >> 24), static_cast<uint8_t>(kSchemaVersion >> 16),
                                                static_cast<uint8_t>(kSchemaVersion >> 8), static_cast<uint8_t>(kSchemaVersion)};
                    put(txn.get(), dbis[kMetadataTable], as_view(kSchemaVersionKey), version);
                }
                txn.commit();
                break;
            } catch (const MapFull&) {
            }
        }
        grow_map();
    }
    upgrade_schema = false;
    written_back_sequence = next_sequence;
    // The journal's frames are dropped only once the tables that now hold them are on disk.
    if (!flush_journal && journal_file->size() != 0) check(mdb_env_sync(env, 1), "sync to disk");
    journal_file->clear();
    // The tables now hold what the delta held: readers see the same state with it or without it.
    std::unique_lock lock(dirty_mutex);
    dirty = Delta{};
    ++write_backs;
    write_back_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename Read>
auto LmdbDatabase::Impl::read(Read&& read_with) {
    if (const Session* session = Session::current; session && &session->db == this) {
        View view(session->txn.get(), dbis, dirty.empty() ? nullptr : &dirty, nullptr);
        return read_with(view);
    }
    std::shared_lock dirty_lock(dirty_mutex);
    ReadTxn txn(*this);
    View view(txn.get(), dbis, dirty.empty() ? nullptr : &dirty, nullptr);
    return read_with(view);
}

// ---------------------------------------------------------------------------------------------

LmdbDatabase::LmdbDatabase(const std::filesystem::path& dir, LmdbOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->open(dir, options);
}

LmdbDatabase::~LmdbDatabase() {
    if (!impl_->writes_back()) return;
    try {
        std::lock_guard lock(impl_->commit_mutex);
        if (impl_->group) impl_->drop_group();  // never ended: as after a crash
        impl_->write_back();
        check(mdb_env_sync(impl_->env, 1), "sync to disk");
    } catch (const std::exception&) {
        // The journal still holds every commit: the next open replays it.
    }
}

std::optional<AccountInfo> LmdbDatabase::read_account(const Address& address) {
    return impl_->read([&](View& view) -> std::optional<AccountInfo> {
        const auto account = Impl::load_account(view, address);
        if (!account) return std::nullopt;
        return account->info;
    });
}

uint256 LmdbDatabase::read_storage(const Address& address, const uint256& key) {
    return impl_->read([&](View& view) { return Impl::load_slot(view, address, key); });
}

std::unique_ptr<StateReader::ReadSession> LmdbDatabase::read_session() {
    if (const Impl::Session* session = Impl::Session::current; session && &session->db == impl_.get()) return nullptr;
    return std::make_unique<Impl::Session>(*impl_);
}

std::shared_ptr<const bytes> LmdbDatabase::read_code(const Hash32& code_hash) {
    {
        std::lock_guard lock(impl_->code_cache_mutex);
        if (const auto it = impl_->code_cache.find(code_hash); it != impl_->code_cache.end()) return it->second;
    }
    auto code = impl_->read([&](View& view) -> std::shared_ptr<const bytes> {
        const auto stored = view.get(kCodeTable, code_hash);
        if (!stored) return nullptr;
        return std::make_shared<const bytes>(stored->begin(), stored->end());
    });
    if (!code) return nullptr;
    std::lock_guard lock(impl_->code_cache_mutex);
    if (impl_->code_cache_bytes + code->size() > Impl::kCodeCacheBytes) {
        impl_->code_cache.clear();
        impl_->code_cache_bytes = 0;
    }
    if (impl_->code_cache.emplace(code_hash, code).second) impl_->code_cache_bytes += code->size();
    return code;
}

std::optional<Hash32> LmdbDatabase::read_block_hash(uint64_t number) {
    const auto record = read_record(kCanonicalHashTable, block_number_key(number));
    if (!record || record->size() != 32) return std::nullopt;
    return Hash32::from(*record);
}

namespace {
void check_record_writes(std::span<const RecordWrite> records, size_t max_key_size) {
    for (const RecordWrite& write : records) {
        if (write.table.size() > kMaxTableNameSize)
            throw DatabaseError("record table name longer than " + std::to_string(kMaxTableNameSize) + " bytes; nothing was written");
        if (1 + write.table.size() + write.key.size() > max_key_size)
            throw DatabaseError("record key too long for table " + write.table + " (LMDB keys hold at most " +
                                std::to_string(max_key_size) + " bytes with the table name); nothing was written");
    }
}

void append_records(std::vector<RecordWrite>* journal, std::span<const RecordWrite> records) {
    if (journal) journal->insert(journal->end(), records.begin(), records.end());
}
}  // namespace

ChangeSet LmdbDatabase::commit(const ChangeSet& changes, std::span<const RecordWrite> records) {
    check_record_writes(records, impl_->max_key_size);
    std::lock_guard lock(impl_->commit_mutex);
    ChangeSet reverse;
    impl_->transact(changes, [&](View& view, std::vector<RecordWrite>* journal) {
        reverse = impl_->apply(view, changes, records);
        append_records(journal, records);
        return true;
    });
    return reverse;
}

CheckedCommit LmdbDatabase::commit_if_root(const ChangeSet& changes, std::span<const RecordWrite> records,
                                           const Hash32& expected_root, std::optional<RecordWrite> reverse_record) {
    check_record_writes(records, impl_->max_key_size);
    if (reverse_record) check_record_writes(std::span<const RecordWrite>(&*reverse_record, 1), impl_->max_key_size);
    std::lock_guard lock(impl_->commit_mutex);
    CheckedCommit out;
    out.committed = impl_->transact(changes, [&](View& view, std::vector<RecordWrite>* journal) {
        ChangeSet reverse = impl_->apply(view, changes, records);
        out.root = Impl::root_in(view);
        if (out.root != expected_root) return false;
        append_records(journal, records);
        if (reverse_record) {
            RecordWrite undo{reverse_record->table, reverse_record->key, encode_change_set(reverse)};
            Impl::write_records(view, std::span<const RecordWrite>(&undo, 1));
            if (journal) journal->push_back(std::move(undo));
        }
        out.reverse = std::move(reverse);
        return true;
    });
    if (!out.committed) out.reverse = ChangeSet{};
    return out;
}

CheckedCommit LmdbDatabase::commit_sealing(const ChangeSet& changes, const RecordsForRoot& make_records, bytes_view encoded_changes) {
    std::lock_guard lock(impl_->commit_mutex);
    CheckedCommit out;
    out.committed = impl_->transact(changes, [&](View& view, std::vector<RecordWrite>* journal) {
        out.reverse = impl_->apply(view, changes, {});
        out.root = Impl::root_in(view);
        std::vector<RecordWrite> records = make_records(out.root, out.reverse);
        check_record_writes(records, impl_->max_key_size);
        Impl::write_records(view, records);
        if (journal) journal->insert(journal->end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
        return true;
    }, encoded_changes);
    return out;
}

Hash32 LmdbDatabase::preview_root(const ChangeSet& changes) {
    std::lock_guard lock(impl_->commit_mutex);
    Hash32 root;
    impl_->transact(changes, [&](View& view, std::vector<RecordWrite>*) {
        impl_->apply(view, changes, {}, /*want_reverse=*/false);
        root = Impl::root_in(view);
        return false;  // nothing is written
    });
    return root;
}

static_assert(LmdbOptions{}.trie_parallel_minimum == mpt::kParallelTrieUpdateMinimum);

void LmdbDatabase::set_trie_threads(unsigned threads) { impl_->trie_threads = std::max(1u, threads); }

void LmdbDatabase::begin_group() {
    std::lock_guard lock(impl_->commit_mutex);
    if (impl_->group_depth++ > 0 || !impl_->writes_back()) return;
    std::unique_lock dirty_lock(impl_->dirty_mutex);
    impl_->group.emplace(std::move(impl_->spare_group_log));
    impl_->group_first_sequence = impl_->next_sequence;
    impl_->dirty.undo = &*impl_->group;
    impl_->group_start = impl_->dirty.mark();
}

void LmdbDatabase::end_group() {
    std::lock_guard lock(impl_->commit_mutex);
    if (impl_->group_depth == 0) throw std::logic_error("LmdbDatabase::end_group without begin_group");
    if (--impl_->group_depth > 0 || !impl_->group) return;
    impl_->close_group();
}

void LmdbDatabase::sync_to_disk() {
    // Beside commits and reads (msync of the map, which LMDB allows at any time), but not while
    // the map is being replaced by a larger one.
    std::shared_lock lock(impl_->map_mutex);
    check(mdb_env_sync(impl_->env, 1), "sync to disk");
    impl_->journal_file->flush();
}

void LmdbDatabase::write_back() {
    std::lock_guard lock(impl_->commit_mutex);
    impl_->write_back();
}

std::optional<bytes> LmdbDatabase::read_record(std::string_view table, bytes_view key) {
    if (table.size() > kMaxTableNameSize || 1 + table.size() + key.size() > impl_->max_key_size) return std::nullopt;  // never stored
    const bytes stored_key = record_key(table, key);
    return impl_->read([&](View& view) -> std::optional<bytes> {
        const auto value = view.get(kRecordsTable, stored_key);
        if (!value) return std::nullopt;
        return bytes(value->begin(), value->end());
    });
}

LmdbDatabase::Proof LmdbDatabase::prove(const Address& address, std::span<const uint256> keys) {
    const Hash32 hashed_key = cached_keccak256(address);
    return impl_->read([&](View& view) {
        Proof out;
        AccountTrieStore accounts(view);
        out.account_proof = mpt::prove_key(accounts, hashed_key);
        const auto account = Impl::load_account(view, address);
        out.storage_root = account ? account->storage_root : kEmptyTrieRoot;
        StorageTrieStore storage(view, address);
        for (const uint256& key : keys) {
            if (!account || out.storage_root == kEmptyTrieRoot) {
                out.storage_proofs.emplace_back();
                continue;
            }
            const Hash32 slot_key = keccak256(key.to_hash());
            out.storage_proofs.push_back(mpt::prove_key(storage, slot_key));
        }
        return out;
    });
}

Hash32 LmdbDatabase::state_root() {
    return impl_->read([&](View& view) { return Impl::root_in(view); });
}

std::vector<StateDatabase::DumpedAccount> LmdbDatabase::dump() {
    return impl_->read([&](View& view) {
        const Delta& dirty = impl_->dirty;  // read() holds its lock
        std::vector<DumpedAccount> out;
        // The accounts are LMDB's leaf records but those written since the last write-back, and
        // those written that still exist; sorted by address once all are read.
        for (const Table table : {kAccountTrieTopTable, kAccountTrieTable}) {
            view.for_each_in_lmdb(table, [&](bytes_view, bytes_view data) {
                if (!is_leaf_record(data)) return;
                const Address address = leaf_record_address(data);
                if (view.written_account(address)) return;
                DumpedAccount& account = out.emplace_back();
                account.address = address;
                account.info = decode_stored_account(data.subspan(kLeafRecordHeader)).info;
            });
        }
        for (const auto& [address, account] : dirty.accounts) {
            if (!account) continue;
            DumpedAccount& dumped = out.emplace_back();
            dumped.address = address;
            dumped.info = account->info;
        }
        std::sort(out.begin(), out.end(), [](const DumpedAccount& a, const DumpedAccount& b) { return a.address < b.address; });
        for (DumpedAccount& account : out) {
            if (const auto stored = view.get(kCodeTable, account.info.code_hash))
                account.code = std::make_shared<const bytes>(stored->begin(), stored->end());
            account.storage = Impl::load_slots(view, account.address);
        }
        return out;
    });
}

size_t LmdbDatabase::map_size() const {
    std::shared_lock lock(impl_->map_mutex);
    return impl_->current_map_size();
}

LmdbDatabase::WriteBackStatistics LmdbDatabase::write_back_statistics() const {
    std::lock_guard commit_lock(impl_->commit_mutex);
    return {impl_->dirty.entries, impl_->dirty.memory, impl_->next_sequence - impl_->written_back_sequence, impl_->write_backs, impl_->write_back_seconds};
}

}  // namespace polyvm

#include "db/lmdb_database.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "db/merkle_trie.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"

#include <lmdb.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <set>
#include <shared_mutex>
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
// Table access inside a transaction

std::optional<bytes_view> get(MDB_txn* txn, MDB_dbi dbi, bytes_view key) {
    MDB_val k = to_val(key);
    MDB_val v;
    const int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, "read");
    return view_of(v);
}

void put(MDB_txn* txn, MDB_dbi dbi, bytes_view key, bytes_view value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    check_write(mdb_put(txn, dbi, &k, &v, 0), "write");
}

void put_if_absent(MDB_txn* txn, MDB_dbi dbi, bytes_view key, bytes_view value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    const int rc = mdb_put(txn, dbi, &k, &v, MDB_NOOVERWRITE);
    if (rc != MDB_KEYEXIST) check_write(rc, "write");
}

void erase(MDB_txn* txn, MDB_dbi dbi, bytes_view key) {
    MDB_val k = to_val(key);
    const int rc = mdb_del(txn, dbi, &k, nullptr);
    if (rc != MDB_NOTFOUND) check_write(rc, "delete");
}

class Cursor {
public:
    Cursor(MDB_txn* txn, MDB_dbi dbi) { check(mdb_cursor_open(txn, dbi, &cursor_), "open cursor"); }
    ~Cursor() { mdb_cursor_close(cursor_); }
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    /// The first entry whose key starts with `prefix` and is >= `from` (`from` starts with
    /// `prefix`), or false.
    bool seek_in_prefix(bytes_view prefix, bytes_view from) { return position(from, MDB_SET_RANGE) && key_has(prefix); }
    bool next_in_prefix(bytes_view prefix) { return position({}, MDB_NEXT) && key_has(prefix); }
    bool first() { return position({}, MDB_FIRST); }
    bool next() { return position({}, MDB_NEXT); }
    bytes_view key() const { return view_of(key_); }
    bytes_view value() const { return view_of(value_); }
    void erase_current() { check_write(mdb_cursor_del(cursor_, 0), "delete"); }

private:
    bool position(bytes_view key, MDB_cursor_op op) {
        key_ = to_val(key);
        const int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
        if (rc == MDB_NOTFOUND) return false;
        check(rc, "cursor");
        return true;
    }
    bool key_has(bytes_view prefix) const {
        return key_.mv_size >= prefix.size() && std::memcmp(key_.mv_data, prefix.data(), prefix.size()) == 0;
    }

    MDB_cursor* cursor_ = nullptr;
    MDB_val key_{};
    MDB_val value_{};
};

/// Deletes every key that starts with `prefix` (an account's slots or storage-trie nodes).
void erase_prefix(MDB_txn* txn, MDB_dbi dbi, bytes_view prefix) {
    Cursor cursor(txn, dbi);
    // Seek again after each delete: simpler than reasoning about a cursor's position after
    // mdb_cursor_del, and each seek is one B-tree descent.
    while (cursor.seek_in_prefix(prefix, prefix)) cursor.erase_current();
}

/// One trie's nodes in an LMDB table, under a key prefix (empty for the account trie, the
/// address for a storage trie).
class LmdbTrieNodeStore final : public mpt::TrieNodeStore {
public:
    LmdbTrieNodeStore(MDB_txn* txn, MDB_dbi dbi, bytes_view prefix)
        : txn_(txn), dbi_(dbi), key_(prefix.begin(), prefix.end()), prefix_size_(prefix.size()) {}

    std::optional<mpt::StoredNode> load(mpt::NibblePath path) override {
        const auto value = get(txn_, dbi_, key_for(path));
        if (!value) return std::nullopt;
        mpt::StoredNode node;
        node.encoded.assign(value->begin(), value->end());  // valid only until the next write: copy
        return node;
    }
    void store_node(mpt::NibblePath path, bytes_view encoded_node) override { put(txn_, dbi_, key_for(path), encoded_node); }
    void store_leaf(mpt::NibblePath path, mpt::NibblePath, bytes_view, bytes_view, bytes_view encoded_node) override {
        put(txn_, dbi_, key_for(path), encoded_node);  // storage tries keep no extra bytes
    }
    void remove(mpt::NibblePath path) override { erase(txn_, dbi_, key_for(path)); }

private:
    const bytes& key_for(mpt::NibblePath path) {
        key_.resize(prefix_size_);
        mpt::append_packed_path(key_, path);
        return key_;
    }

    MDB_txn* txn_;
    MDB_dbi dbi_;
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

/// The entry with the greatest key <= `key` if its key is a prefix of `key` (key, value; valid
/// until the transaction's next write), or nullopt.
std::optional<std::pair<bytes_view, bytes_view>> entry_on_path(MDB_txn* txn, MDB_dbi dbi, bytes_view key) {
    MDB_cursor* cursor = nullptr;
    check(mdb_cursor_open(txn, dbi, &cursor), "open cursor");
    MDB_val k = to_val(key);
    MDB_val v;
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    if (rc == 0) {
        const bytes_view found = view_of(k);
        if (found.size() != key.size() || !std::equal(found.begin(), found.end(), key.begin()))
            rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV);
    } else if (rc == MDB_NOTFOUND) {
        rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
    }
    mdb_cursor_close(cursor);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, "cursor");
    const bytes_view found = view_of(k);
    if (found.size() > key.size() || !std::equal(found.begin(), found.end(), key.begin())) return std::nullopt;
    return std::pair{found, view_of(v)};
}

/// The account trie's nodes, for one batch.
class AccountTrieStore final : public mpt::TrieNodeStore {
public:
    /// `hashed_keys`: keccak256 of addresses already known (the batch's), to save hashing.
    AccountTrieStore(MDB_txn* txn, MDB_dbi top, MDB_dbi deep, const std::unordered_map<Address, Hash32>& hashed_keys)
        : txn_(txn), top_(top), deep_(deep), hashed_keys_(hashed_keys) {}

    std::optional<mpt::StoredNode> load(mpt::NibblePath path) override {
        const auto value = get(txn_, table(path), key_for(path));
        if (!value) return std::nullopt;
        mpt::StoredNode node;
        if (!is_leaf_record(*value)) {
            node.encoded.assign(value->begin(), value->end());  // valid only until the next write: copy
            return node;
        }
        const Address address = leaf_record_address(*value);
        const auto known = hashed_keys_.find(address);
        const auto key = key_nibbles(known != hashed_keys_.end() ? known->second : keccak256(address));
        if (path.size() > key.size() || !std::equal(path.begin(), path.end(), key.begin()))
            throw DatabaseError("corrupt account trie: a leaf record is not on its key's path");
        node.rest.assign(key.begin() + static_cast<ptrdiff_t>(path.size()), key.end());
        node.value = full_account(value->subspan(kLeafRecordHeader));
        node.extra.assign(address.bytes.begin(), address.bytes.end());
        return node;
    }
    void store_node(mpt::NibblePath path, bytes_view encoded_node) override { put(txn_, table(path), key_for(path), encoded_node); }
    void store_leaf(mpt::NibblePath path, mpt::NibblePath, bytes_view value, bytes_view extra, bytes_view) override {
        put(txn_, table(path), key_for(path), leaf_record(extra, value));
    }
    void remove(mpt::NibblePath path) override { erase(txn_, table(path), key_for(path)); }

private:
    MDB_dbi table(mpt::NibblePath path) const { return path.size() < kTopDepth ? top_ : deep_; }
    const bytes& key_for(mpt::NibblePath path) {
        key_.clear();
        if (path.size() < kTopDepth) key_.push_back(0);
        key_.insert(key_.end(), path.begin(), path.end());
        return key_;
    }

    MDB_txn* txn_;
    MDB_dbi top_, deep_;
    const std::unordered_map<Address, Hash32>& hashed_keys_;
    bytes key_;  // reused: the key of the latest call
};

/// The leaf record of `address` (whose key in the trie is `hashed_key`), or nullopt. Valid until
/// the transaction's next write.
std::optional<bytes_view> find_account_leaf(MDB_txn* txn, MDB_dbi top, MDB_dbi deep, const Address& address, const Hash32& hashed_key) {
    std::array<uint8_t, 1 + 64> key;  // the top table's prefix, then the key's nibbles
    key[0] = 0;
    const auto nibbles = key_nibbles(hashed_key);
    std::copy(nibbles.begin(), nibbles.end(), key.begin() + 1);
    const auto is_it = [&](const auto& entry) {
        return entry && is_leaf_record(entry->second) && leaf_record_address(entry->second) == address;
    };
    // Below the top levels first: there are all leaves but those of a small trie. A node there
    // on the key's path means that the key's leaf, if any, is there too.
    if (const auto entry = entry_on_path(txn, deep, bytes_view{key}.subspan(1)))
        return is_it(entry) ? std::optional{entry->second} : std::nullopt;
    if (const auto entry = entry_on_path(txn, top, key); is_it(entry)) return entry->second;
    return std::nullopt;
}

/// Directories opened by an LmdbDatabase of this process: LMDB forbids a second open.
std::mutex open_directories_mutex;
std::set<std::string> open_directories;

}  // namespace

// ---------------------------------------------------------------------------------------------

struct LmdbDatabase::Impl {
    MDB_env* env = nullptr;
    std::string registered_directory;
    size_t max_map_size = 0;
    size_t max_key_size = 0;

    MDB_dbi account_trie_top = 0, account_trie = 0, storage = 0, code = 0, storage_trie = 0, records = 0, metadata = 0;

    class ReadTxn;
    class WriteTxn;

    /// One writer at a time in this process (LMDB's writer lock is per process); taken before
    /// map_mutex when both are needed.
    std::mutex commit_mutex;
    /// Held shared while a read transaction is in use and exclusively while the map is resized:
    /// resizing remaps the file, which readers' pointers into the map would not survive.
    std::shared_mutex map_mutex;
    std::mutex idle_readers_mutex;
    std::vector<MDB_txn*> idle_readers;  // reset read transactions, renewed for the next read

    ~Impl() {
        for (MDB_txn* txn : idle_readers) mdb_txn_abort(txn);
        if (env) mdb_env_close(env);
        if (!registered_directory.empty()) {
            std::lock_guard lock(open_directories_mutex);
            open_directories.erase(registered_directory);
        }
    }

    void open(const std::filesystem::path& dir, const LmdbOptions& options);
    void open_tables(const std::filesystem::path& dir);

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

    ChangeSet apply(MDB_txn* txn, const ChangeSet& changes, std::span<const RecordWrite> writes);
    /// `hashed_key`: keccak256(address).
    std::optional<StoredAccount> load_account(MDB_txn* txn, const Address& address, const Hash32& hashed_key);
    uint256 load_slot(MDB_txn* txn, const Address& address, const uint256& key);
    std::vector<std::pair<uint256, uint256>> load_slots(MDB_txn* txn, const Address& address);
    void drop_storage(MDB_txn* txn, const Address& address);
    Hash32 write_storage(MDB_txn* txn, const Address& address, const std::vector<std::pair<uint256, uint256>>& slots);
};

/// A read transaction from the pool of reset ones, for the duration of one read call.
class LmdbDatabase::Impl::ReadTxn {
public:
    explicit ReadTxn(Impl& db) : db_(db), map_lock_(db.map_mutex) {
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
            {
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
        if (!open_directories.insert(canonical).second)
            throw DatabaseError(name + " is already open in this process (LMDB allows one open per process)");
    }
    registered_directory = canonical;

    max_map_size = std::max(kMinMapSize, options.max_map_size / kPageSize * kPageSize);
    const size_t initial = std::min(max_map_size, std::max(kMinMapSize, round_up_to_page(options.initial_map_size)));
    check(mdb_env_create(&env), "create environment");
    check(mdb_env_set_maxdbs(env, 8), "set max tables");
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
    int dead_readers = 0;
    check(mdb_reader_check(env, &dead_readers), "clear stale readers");  // slots of crashed processes
    max_key_size = static_cast<size_t>(mdb_env_get_maxkeysize(env));
    open_tables(dir);
}

void LmdbDatabase::Impl::open_tables(const std::filesystem::path& dir) {
    const std::string name = dir.string();
    std::lock_guard commit_lock(commit_mutex);
    WriteTxn txn(*this);
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
        const auto version = get(txn.get(), metadata, as_view(kSchemaVersionKey));
        if (!version || version->size() != 4) throw DatabaseError(name + " is not a polyvm state database (no schema version in its metadata)");
        const uint32_t found = (uint32_t{(*version)[0]} << 24) | (uint32_t{(*version)[1]} << 16) |
                               (uint32_t{(*version)[2]} << 8) | uint32_t{(*version)[3]};
        if (found != kSchemaVersion)
            throw DatabaseError(name + " has database schema version " + std::to_string(found) + ", but this build reads schema version " +
                                std::to_string(kSchemaVersion) + " only");
    }
    const std::pair<const char*, MDB_dbi*> tables[] = {
        {"account_trie_top", &account_trie_top}, {"account_trie", &account_trie}, {"storage", &storage},
        {"code", &code},                         {"storage_trie", &storage_trie}, {"records", &records},
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

std::optional<StoredAccount> LmdbDatabase::Impl::load_account(MDB_txn* txn, const Address& address, const Hash32& hashed_key) {
    const auto record = find_account_leaf(txn, account_trie_top, account_trie, address, hashed_key);
    if (!record) return std::nullopt;
    return decode_stored_account(record->subspan(kLeafRecordHeader));
}

uint256 LmdbDatabase::Impl::load_slot(MDB_txn* txn, const Address& address, const uint256& key) {
    const auto value = get(txn, storage, storage_key(address, key));
    return value ? decode_slot_value(*value) : uint256{};
}

std::vector<std::pair<uint256, uint256>> LmdbDatabase::Impl::load_slots(MDB_txn* txn, const Address& address) {
    std::vector<std::pair<uint256, uint256>> slots;
    Cursor cursor(txn, storage);
    for (bool found = cursor.seek_in_prefix(address, address); found; found = cursor.next_in_prefix(address)) {
        if (cursor.key().size() != 52) throw DatabaseError("corrupt key in the storage table");
        slots.emplace_back(uint256::from_be(cursor.key().subspan(20)), decode_slot_value(cursor.value()));
    }
    return slots;
}

void LmdbDatabase::Impl::drop_storage(MDB_txn* txn, const Address& address) {
    erase_prefix(txn, storage, address);
    erase_prefix(txn, storage_trie, address);
}

Hash32 LmdbDatabase::Impl::write_storage(MDB_txn* txn, const Address& address,
                                         const std::vector<std::pair<uint256, uint256>>& slots) {
    std::vector<mpt::TrieWrite> trie_writes;
    trie_writes.reserve(slots.size());
    for (const auto& [key, value] : slots) {
        const StorageKey slot = storage_key(address, key);
        const Hash32 hashed_key = keccak256(key.to_hash());
        mpt::TrieWrite& write = trie_writes.emplace_back();
        write.key.assign(hashed_key.bytes.begin(), hashed_key.bytes.end());
        if (value.is_zero()) {
            erase(txn, storage, slot);  // an empty trie value deletes as well
        } else {
            put(txn, storage, slot, minimal_be(value));
            write.value = rlp::encode(value);
        }
    }
    LmdbTrieNodeStore nodes(txn, storage_trie, address);
    return mpt::update_trie(nodes, trie_writes);
}

ChangeSet LmdbDatabase::Impl::apply(MDB_txn* txn, const ChangeSet& changes, std::span<const RecordWrite> writes) {
    for (const auto& [hash, bytecode] : changes.codes)
        if (bytecode) put_if_absent(txn, code, hash, *bytecode);  // content-addressed: never replaced

    // Accounts are applied one after the other (a change set may name an address twice); the
    // account trie takes all of them in one batch at the end, where the last write of a key wins.
    ChangeSet reverse;
    reverse.accounts.reserve(changes.accounts.size());
    std::vector<mpt::TrieWrite> account_writes;
    account_writes.reserve(changes.accounts.size());
    // The accounts live in the trie's leaves, written at the end: an address named again reads
    // what its earlier change wrote from here.
    std::unordered_map<Address, std::optional<StoredAccount>> written;
    std::unordered_map<Address, Hash32> hashed_keys;  // the accounts' keys in the trie
    hashed_keys.reserve(changes.accounts.size());
    for (const AccountChange& change : changes.accounts) {
        const auto [known, fresh] = hashed_keys.try_emplace(change.address);
        if (fresh) known->second = keccak256(change.address);
        const Hash32& hashed_address = known->second;
        const auto earlier = written.find(change.address);
        const std::optional<StoredAccount> before =
            earlier != written.end() ? earlier->second : load_account(txn, change.address, hashed_address);

        // The reverse entry, exactly as MemoryDatabase builds it.
        AccountChange& undo = reverse.accounts.emplace_back();
        undo.address = change.address;
        if (before) {
            undo.account = before->info;
            if (change.storage_wiped || !change.account) {
                undo.storage_wiped = true;
                undo.storage = load_slots(txn, change.address);
            } else {
                undo.storage.reserve(change.storage.size());
                for (const auto& [key, value] : change.storage) undo.storage.emplace_back(key, load_slot(txn, change.address, key));
            }
        } else {
            undo.storage_wiped = true;
        }

        mpt::TrieWrite trie_write;
        trie_write.key.assign(hashed_address.bytes.begin(), hashed_address.bytes.end());
        if (!change.account) {
            if (before) {
                drop_storage(txn, change.address);
                account_writes.push_back(std::move(trie_write));  // empty value: delete
                written.insert_or_assign(change.address, std::nullopt);
            }
            continue;
        }
        Hash32 storage_root = before ? before->storage_root : kEmptyTrieRoot;
        if (before && change.storage_wiped) {
            drop_storage(txn, change.address);
            storage_root = kEmptyTrieRoot;
        }
        if (!change.storage.empty()) storage_root = write_storage(txn, change.address, change.storage);
        AccountInfo info = *change.account;
        info.has_storage = storage_root != kEmptyTrieRoot;
        trie_write.value = encode_account(info, storage_root);
        trie_write.extra.assign(change.address.bytes.begin(), change.address.bytes.end());  // the leaf record's address
        account_writes.push_back(std::move(trie_write));
        written.insert_or_assign(change.address, StoredAccount{info, storage_root});
    }

    for (const RecordWrite& write : writes) {
        const bytes key = record_key(write.table, write.key);
        if (write.value)
            put(txn, records, key, *write.value);
        else
            erase(txn, records, key);
    }

    AccountTrieStore account_nodes(txn, account_trie_top, account_trie, hashed_keys);
    const Hash32 root = mpt::update_trie(account_nodes, account_writes);
    put(txn, metadata, as_view(kStateRootKey), root);
    return reverse;
}

// ---------------------------------------------------------------------------------------------

LmdbDatabase::LmdbDatabase(const std::filesystem::path& dir, LmdbOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->open(dir, options);
}

LmdbDatabase::~LmdbDatabase() = default;

std::optional<AccountInfo> LmdbDatabase::read_account(const Address& address) {
    Impl::ReadTxn txn(*impl_);
    const auto account = impl_->load_account(txn.get(), address, keccak256(address));
    if (!account) return std::nullopt;
    return account->info;
}

uint256 LmdbDatabase::read_storage(const Address& address, const uint256& key) {
    Impl::ReadTxn txn(*impl_);
    return impl_->load_slot(txn.get(), address, key);
}

std::shared_ptr<const bytes> LmdbDatabase::read_code(const Hash32& code_hash) {
    Impl::ReadTxn txn(*impl_);
    const auto stored = get(txn.get(), impl_->code, code_hash);
    if (!stored) return nullptr;
    return std::make_shared<const bytes>(stored->begin(), stored->end());
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
}  // namespace

ChangeSet LmdbDatabase::commit(const ChangeSet& changes, std::span<const RecordWrite> records) {
    check_record_writes(records, impl_->max_key_size);
    std::lock_guard lock(impl_->commit_mutex);
    for (;;) {
        {
            Impl::WriteTxn txn(*impl_);
            try {
                ChangeSet reverse = impl_->apply(txn.get(), changes, records);
                txn.commit();
                return reverse;
            } catch (const MapFull&) {
                // The transaction is aborted at the end of this scope; then the map grows.
            }
        }
        impl_->grow_map();
    }
}

CheckedCommit LmdbDatabase::commit_if_root(const ChangeSet& changes, std::span<const RecordWrite> records,
                                           const Hash32& expected_root, std::optional<RecordWrite> reverse_record) {
    check_record_writes(records, impl_->max_key_size);
    if (reverse_record) check_record_writes(std::span<const RecordWrite>(&*reverse_record, 1), impl_->max_key_size);
    std::lock_guard lock(impl_->commit_mutex);
    for (;;) {
        {
            Impl::WriteTxn txn(*impl_);
            try {
                CheckedCommit out;
                ChangeSet reverse = impl_->apply(txn.get(), changes, records);
                const auto root = get(txn.get(), impl_->metadata, as_view(kStateRootKey));
                out.root = Hash32::from(*root);
                if (out.root != expected_root) return out;  // aborted with the transaction
                if (reverse_record)
                    put(txn.get(), impl_->records, record_key(reverse_record->table, reverse_record->key),
                        encode_change_set(reverse));
                txn.commit();
                out.committed = true;
                out.reverse = std::move(reverse);
                return out;
            } catch (const MapFull&) {
            }
        }
        impl_->grow_map();
    }
}

CheckedCommit LmdbDatabase::commit_sealing(const ChangeSet& changes, const RecordsForRoot& make_records) {
    std::lock_guard lock(impl_->commit_mutex);
    for (;;) {
        {
            Impl::WriteTxn txn(*impl_);
            try {
                CheckedCommit out;
                out.reverse = impl_->apply(txn.get(), changes, {});
                out.root = Hash32::from(*get(txn.get(), impl_->metadata, as_view(kStateRootKey)));
                const std::vector<RecordWrite> records = make_records(out.root, out.reverse);
                check_record_writes(records, impl_->max_key_size);
                impl_->apply(txn.get(), ChangeSet{}, records);
                txn.commit();
                out.committed = true;
                return out;
            } catch (const MapFull&) {
            }
        }
        impl_->grow_map();
    }
}

Hash32 LmdbDatabase::preview_root(const ChangeSet& changes) {
    std::lock_guard lock(impl_->commit_mutex);
    for (;;) {
        {
            Impl::WriteTxn txn(*impl_);
            try {
                impl_->apply(txn.get(), changes, {});
                const auto root = get(txn.get(), impl_->metadata, as_view(kStateRootKey));
                return Hash32::from(*root);  // the transaction is aborted: nothing is written
            } catch (const MapFull&) {
            }
        }
        impl_->grow_map();
    }
}

void LmdbDatabase::sync_to_disk() { check(mdb_env_sync(impl_->env, 1), "sync to disk"); }

std::optional<bytes> LmdbDatabase::read_record(std::string_view table, bytes_view key) {
    if (table.size() > kMaxTableNameSize || 1 + table.size() + key.size() > impl_->max_key_size) return std::nullopt;  // never stored
    Impl::ReadTxn txn(*impl_);
    const auto value = get(txn.get(), impl_->records, record_key(table, key));
    if (!value) return std::nullopt;
    return bytes(value->begin(), value->end());
}

Hash32 LmdbDatabase::state_root() {
    Impl::ReadTxn txn(*impl_);
    const auto root = get(txn.get(), impl_->metadata, as_view(kStateRootKey));
    if (!root || root->size() != 32) throw DatabaseError("corrupt metadata: no state root");
    return Hash32::from(*root);
}

std::vector<StateDatabase::DumpedAccount> LmdbDatabase::dump() {
    std::vector<DumpedAccount> out;
    Impl::ReadTxn txn(*impl_);
    // The accounts are the leaf records (in key order): sorted by address once all are read.
    const auto add = [&](bytes_view data) {
        if (!is_leaf_record(data)) return;
        DumpedAccount& account = out.emplace_back();
        account.address = leaf_record_address(data);
        account.info = decode_stored_account(data.subspan(kLeafRecordHeader)).info;
    };
    for (const MDB_dbi table : {impl_->account_trie_top, impl_->account_trie}) {
        Cursor cursor(txn.get(), table);
        for (bool found = cursor.first(); found; found = cursor.next()) add(cursor.value());
    }
    std::sort(out.begin(), out.end(), [](const DumpedAccount& a, const DumpedAccount& b) { return a.address < b.address; });
    for (DumpedAccount& account : out) {
        if (const auto stored = get(txn.get(), impl_->code, account.info.code_hash))
            account.code = std::make_shared<const bytes>(stored->begin(), stored->end());
        account.storage = impl_->load_slots(txn.get(), account.address);
    }
    return out;
}

size_t LmdbDatabase::map_size() const {
    std::shared_lock lock(impl_->map_mutex);
    return impl_->current_map_size();
}

}  // namespace polyvm

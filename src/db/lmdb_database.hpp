// The persistent StateDatabase: LMDB (one memory-mapped B+tree file, copy-on-write pages,
// single writer, readers that never block), with the Merkle-Patricia trie nodes kept in it so
// that a commit re-hashes only the paths it touches (db/merkle_trie.hpp) and the state root is
// read, not computed.
//
// It reproduces MemoryDatabase exactly: the same change sets give the same state roots, dumps,
// records and reverse change sets (tests/unit/db checks this on random histories).
//
// On-disk schema (version LmdbDatabase::kSchemaVersion), one named LMDB database each:
//   account_trie_top  0 || nibble path                 -> account-trie node at depth 0..2: its RLP,
//                                                          or the leaf record of an account (below)
//   account_trie      nibble path                      -> account-trie node at depth 3 or more: its
//                                                          RLP, or the leaf record of an account
//   storage           address (20) || slot key (32, BE) -> value, big-endian without leading zeros
//                                                          (non-zero slots only: an account's slots
//                                                          are one key range, a wipe a range delete)
//   code              code hash (32)                   -> code
//   storage_trie      address (20) || packed path      -> RLP node of that account's storage trie
//   records           table length (1) || table || key -> value (commit's RecordWrite tables)
//   journal           empty (schema 3 kept the write-back journal here; see below)
//   metadata          "schema_version"                 -> 4-byte big-endian version
//                     "state_root"                     -> 32-byte root of the account trie
//                     "journal_next"                   -> 8-byte big-endian sequence number of the
//                                                          first journal frame the tables do not hold
// Beside data.mdb: journal.log, the write-back journal (db/journal_file.hpp), and polyvm.lock.
// The accounts are the account trie's leaves: a leaf record is 0x00 || address (20) || RLP
// [nonce, balance, storage root, code hash] (the account's value in the trie), or RLP [nonce,
// balance] for an account without code and storage. The leaf's node is rebuilt from it (the rest
// of its key is keccak256(address) past the leaf's path), so an account update writes its leaf
// once, next to the branches above it. Nibble paths in the account trie are one byte per
// nibble: a node sorts just before the nodes below it, so an account is read by its key (the
// entry at or just before keccak256(address)) without walking the trie. The three top levels
// (273 nodes once full, rewritten by nearly every commit) have a table of their own, packed on
// few pages. Storage-trie paths are packed (mpt::append_packed_path) and prefixed with the
// address, like the slots, so deleting or wiping an account drops both with range deletes.
//
// Write-back (the default; LmdbOptions::write_back_memory): a commit computes its writes (trie
// nodes, leaves, slots, records) over the commits not yet written back, which stay in memory,
// and becomes durable as one journal frame (its change set and records, appended to journal.log).
// When the dirty entries pass a limit, they are written to the tables in one write transaction
// (which records the next frame's sequence number, so that frames it holds are never applied
// twice) and the journal is emptied, so a commit costs the nodes it touches plus, amortised, a
// share of one large sorted write in which nodes touched by many commits are written once (the way geth's
// path database buffers its dirty nodes). Opening a database replays its journal, so a process
// crash at any moment reopens at the last commit. A process that writes back must have the
// directory to itself (polyvm.lock); write-through processes (write_back_memory 0) may share it.
//
// One LmdbDatabase per directory per process (LMDB forbids opening an environment twice in one
// process; a second open in the same process is refused). Write-through processes may open the
// same directory together; LMDB serialises their writers. All member functions are thread-safe.
#pragma once

#include "state/database.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace polyvm {

struct LmdbOptions {
    /// true: a commit is on disk when it returns (data pages and meta page flushed).
    /// false: MDB_NOMETASYNC, the meta page is not flushed at commit (one flush instead of two).
    /// A power loss or an OS crash may then roll the database back to an earlier commit, the
    /// last ones being lost; a crash of the process loses nothing (the written pages are already
    /// in the OS's cache); the database is never corrupted either way.
    bool sync_every_commit = true;
    /// true: MDB_NOSYNC and MDB_WRITEMAP, nothing is flushed at commit; the owner flushes with sync_to_disk() (the
    /// development node: on a timer and at shutdown). A crash of the process still loses nothing;
    /// an OS crash or power loss loses the commits since the last flush and, on a file system that
    /// reorders writes, may damage the file (LMDB's documentation): never for chains that matter.
    bool defer_flush = false;
    /// Size of the memory map when the database is opened (rounded up to 4 KiB; at least the
    /// size of the data already stored). The map doubles when a commit needs more room.
    size_t initial_map_size = size_t{64} << 20;
    /// The map never grows beyond this: a commit that does not fit throws
    /// DatabaseError("database full: ...") and leaves the database unchanged.
    size_t max_map_size = size_t{1} << 40;
    /// Write-back: commits are kept in memory (and journaled) until their entries take more
    /// than this many bytes or number more than write_back_entries; then they are written to
    /// the tables in one transaction. 0: every commit is written through to the tables, and
    /// other processes may open the database at the same time.
    size_t write_back_memory = size_t{256} << 20;
    /// A second bound, on the number of entries (tests use a small one to write back often).
    /// LMDB itself does not bound a write-back: a transaction that dirties more than its 2^17
    /// listed pages spills the oldest to the file (measured: 266,630 pages in one transaction,
    /// with and without MDB_WRITEMAP).
    size_t write_back_entries = 1'000'000;
    /// false: commits waiting for write-back are not journaled, so a crash of the process loses
    /// them. Only for a database that is thrown away when closed (the node's --in-memory chain),
    /// where the journal's encoding and writes would be pure cost.
    bool journal = true;
    /// Threads a commit may use to update a trie of many changed keys (the subtrees below its
    /// root on several threads, each reading LMDB through a read transaction of its own); 1
    /// keeps every commit on the calling thread. set_trie_threads changes it later.
    unsigned trie_threads = 1;
    /// The smallest batch of a trie's writes that uses them (mpt::kParallelTrieUpdateMinimum;
    /// tests and fuzzing use small ones so that small commits take the parallel path too).
    size_t trie_parallel_minimum = 256;
};

class LmdbDatabase final : public StateDatabase {
public:
    /// Layout version of the stored data (see above). A database of another version is refused.
    /// Schema 3 (the journal in a table) is upgraded to 4 when opened.
    static constexpr uint32_t kSchemaVersion = 4;

    /// Opens the database in `dir`, creating the directory and an empty database when `dir` does
    /// not exist or is empty. Throws DatabaseError when `dir` is not a directory, holds other
    /// files but no database, holds an LMDB file that is not a polyvm database or is damaged,
    /// holds a database of another schema version, or is already open in this process.
    explicit LmdbDatabase(const std::filesystem::path& dir, LmdbOptions options = {});
    ~LmdbDatabase() override;
    LmdbDatabase(const LmdbDatabase&) = delete;
    LmdbDatabase& operator=(const LmdbDatabase&) = delete;

    std::optional<AccountInfo> read_account(const Address& address) override;
    uint256 read_storage(const Address& address, const uint256& key) override;
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override;
    std::optional<Hash32> read_block_hash(uint64_t number) override;
    /// Holds the shared locks and one read transaction for this thread's reads: commits (on any
    /// thread) wait until it is destroyed, so never hold one across a commit.
    std::unique_ptr<ReadSession> read_session() override;

    /// One LMDB write transaction: everything or nothing. Besides MemoryDatabase's rules, a
    /// record whose table name is over 255 bytes, or whose table and key together exceed LMDB's
    /// key limit (about 500 bytes), is refused with DatabaseError (nothing written).
    ChangeSet commit(const ChangeSet& changes, std::span<const RecordWrite> records = {}) override;
    /// One write transaction: applied, the root checked, then committed or aborted. No crash
    /// can leave a block whose root was not checked.
    CheckedCommit commit_if_root(const ChangeSet& changes, std::span<const RecordWrite> records,
                                 const Hash32& expected_root,
                                 std::optional<RecordWrite> reverse_record = std::nullopt) override;
    /// One write transaction: applied, the root read, the records written, committed.
    CheckedCommit commit_sealing(const ChangeSet& changes, const RecordsForRoot& make_records,
                                 bytes_view encoded_changes = {}) override;
    /// Applies inside a write transaction that is then aborted.
    Hash32 preview_root(const ChangeSet& changes) override;
    std::optional<bytes> read_record(std::string_view table, bytes_view key) override;
    void set_trie_threads(unsigned threads) override;
    /// Group commit (write-back mode; nothing changes in write-through mode): the commits made
    /// between begin_group() and end_group() are applied in memory as usual, each seeing the
    /// ones before it and readable by every reader of this process at once, but they become
    /// durable together, by end_group(), in one write of their journal frames. A crash before end_group() loses the group's commits, so whoever answers for them
    /// (the development node, to the senders of the transactions a group of blocks mined) waits
    /// for end_group() to return; readers that must only see durable commits are the caller's to
    /// hold back. When end_group() throws (DatabaseError: the disk or the map is full) the group's
    /// commits are dropped and the state is as before begin_group(). Groups nest: only the
    /// outermost end_group() writes. Readers of other threads read on while a commit applies and
    /// wait only while its entries move in (the development node executes its next block beside
    /// the previous block's commit).
    void begin_group();
    void end_group();
    /// Flushes every commit so far to disk, the journal included (with sync_every_commit false,
    /// the end of a batch). Needs no lock of the caller's: commits go on meanwhile.
    void sync_to_disk();
    /// Writes the commits kept in memory to the tables now and empties the journal (write-back;
    /// also done when the limits are passed and when the database closes).
    void write_back();
    /// EIP-1186 proofs from the stored trie nodes (no trie is rebuilt): the account's proof
    /// against state_root(), its storage root, and each key's proof against that root.
    struct Proof {
        std::vector<bytes> account_proof;
        Hash32 storage_root;
        std::vector<std::vector<bytes>> storage_proofs;  // one per key, in order
    };
    Proof prove(const Address& address, std::span<const uint256> keys);
    /// The stored root: O(1).
    Hash32 state_root() override;
    std::vector<DumpedAccount> dump() override;

    /// The current size of the memory map (grows with the data; see LmdbOptions).
    size_t map_size() const;

    /// What write-back holds and has done (bench_db_commit reports it).
    struct WriteBackStatistics {
        size_t dirty_entries = 0;   // entries not written to the tables yet
        size_t dirty_memory = 0;    // their estimated memory, bytes
        uint64_t journal_entries = 0;  // commits they hold
        uint64_t write_backs = 0;   // write-backs since the database was opened
        double write_back_seconds = 0;  // the time they took
    };
    WriteBackStatistics write_back_statistics() const;

private:
    struct Impl;  // keeps lmdb.h out of this header
    std::unique_ptr<Impl> impl_;
};

}  // namespace polyvm

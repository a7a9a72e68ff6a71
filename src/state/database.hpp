// The seam between execution and storage (in the spirit of revm's `Database` and reth's
// providers): execution reads the world through `StateReader` and, at the end of a block, hands
// back a `ChangeSet`; a `StateDatabase` applies change sets atomically and answers the state root.
//
// Backends: `MemoryDatabase` (state/memory_database.hpp: state tests, t8n, `polyvm run`) and the
// LMDB one (db/). The journaled `State` is a per-block cache over a `StateReader`: every account
// and slot is loaded on first use. A multi-version view (parallel execution) or a second VM sees
// the same interface, so each transaction's reads and writes pass through one place.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polyvm {

/// keccak256(""): the code hash of an account without code.
inline constexpr Hash32 kEmptyCodeHash{{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

/// What the database keeps for one account (its storage and code are read separately).
struct AccountInfo {
    uint64_t nonce = 0;
    uint256 balance;
    Hash32 code_hash = kEmptyCodeHash;
    /// Whether the account has at least one non-zero storage slot (storage root != empty root).
    /// Needed for EIP-7610's creation-collision rule without reading the whole storage.
    bool has_storage = false;

    friend bool operator==(const AccountInfo&, const AccountInfo&) = default;
};

/// Read access to the world a block executes on. Implementations must be cheap to call
/// repeatedly for absent keys (the cache above asks each key at most once per block), and must
/// allow read_account, read_storage and read_code from several threads at once (the parallel
/// executor's workers); read_block_hash is called by one thread at a time.
class StateReader {
public:
    virtual ~StateReader() = default;
    virtual std::optional<AccountInfo> read_account(const Address& address) = 0;
    /// Zero for a missing slot or a missing account.
    virtual uint256 read_storage(const Address& address, const uint256& key) = 0;
    /// The code with this hash, or nullptr if unknown. The empty code hash gives nullptr too.
    virtual std::shared_ptr<const bytes> read_code(const Hash32& code_hash) = 0;
    /// The hash of the block with this number on the chain being executed (BLOCKHASH), or nullopt.
    /// Databases answer from the record table kCanonicalHashTable; block execution on a side
    /// branch puts a view over the database that answers from the branch's own ancestry.
    virtual std::optional<Hash32> read_block_hash(uint64_t number) = 0;
    /// The State is about to answer EIP-7610's "does this account have storage" from the
    /// account's storage flag and the slots it has loaded. A reader that serves a speculative
    /// execution (exec/parallel_executor.hpp) cannot vouch for that answer and notes it; a
    /// database has nothing to do.
    virtual void note_storage_presence_query(const Address& address) { (void)address; }
    /// A speculative reader may leave an account's balance out of the account it answers (as
    /// zero) when the transaction is likely only to add to it: the State then keeps that
    /// account's balance as this transaction's change alone until something observes it, and
    /// asks for the real value with read_deferred_balance. A database never defers.
    virtual bool balance_deferred(const Address& address) {
        (void)address;
        return false;
    }
    virtual uint256 read_deferred_balance(const Address& address) {
        (void)address;
        return {};
    }

    /// While the returned object lives, this thread's reads may skip their per-read set-up (a
    /// database keeps one read transaction and its locks for them): a block's execution reads
    /// thousands of accounts, and with two threads reading, every set-up's locks were shared
    /// cache lines going back and forth. Nothing may be committed to this reader meanwhile, by any
    /// thread that the holder waits for. nullptr: nothing to save (the default).
    struct ReadSession {
        virtual ~ReadSession() = default;
    };
    virtual std::unique_ptr<ReadSession> read_session() { return nullptr; }
};

/// What one account became during a block.
struct AccountChange {
    Address address;
    std::optional<AccountInfo> account;  // nullopt: the account is deleted (with all its storage)
    /// All storage the account had before is gone (self-destruct, re-creation); `storage` then
    /// holds everything it has now.
    bool storage_wiped = false;
    std::vector<std::pair<uint256, uint256>> storage;  // slots written, by key; a zero value deletes

    friend bool operator==(const AccountChange&, const AccountChange&) = default;
};

/// The effect of a block (or of a transaction, for tools) on the state: applied atomically.
/// `accounts` is sorted by address and each account's `storage` by key; `has_storage` in each
/// AccountInfo is recomputed by the database from the slots it ends up with.
struct ChangeSet {
    std::vector<AccountChange> accounts;
    std::vector<std::pair<Hash32, std::shared_ptr<const bytes>>> codes;  // code introduced, by hash

    bool empty() const noexcept { return accounts.empty() && codes.empty(); }
};

/// RLP encoding of a change set (reverse change sets are kept per block to unwind reorgs).
bytes encode_change_set(const ChangeSet& changes);
/// nullopt when `encoded` is not a well-formed change set.
std::optional<ChangeSet> decode_change_set(bytes_view encoded);

/// A record outside the state (headers, bodies, receipts, canonical hashes, ...) written in the
/// same atomic commit as a change set. `value` nullopt deletes the key.
struct RecordWrite {
    std::string table;
    bytes key;
    std::optional<bytes> value;
};

/// The record table of canonical block hashes: key = 8-byte big-endian number, value = 32-byte hash.
inline constexpr std::string_view kCanonicalHashTable = "canonical_hash";

/// 8-byte big-endian key of a block number (sorts numerically in an ordered store).
bytes block_number_key(uint64_t number);

/// A database failure that is not the caller's fault to prevent (a full disk, a map that cannot
/// grow, a file of another schema): the commit did not happen.
struct DatabaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The outcome of StateDatabase::commit_if_root.
struct CheckedCommit {
    bool committed = false;
    Hash32 root;         // the root the changes lead to (committed or not)
    ChangeSet reverse;   // when committed
};

class StateDatabase : public StateReader {
public:
    /// Commits `changes` and `records` only if the resulting state root is `expected_root` (a
    /// block's header); otherwise the database stays as it was. When `reverse_record` is given,
    /// the encoded reverse change set is stored under its table and key in the same commit.
    /// The default applies, checks and undoes; persistent backends override it with one
    /// transaction so that no crash can leave an unchecked state behind.
    virtual CheckedCommit commit_if_root(const ChangeSet& changes, std::span<const RecordWrite> records,
                                         const Hash32& expected_root,
                                         std::optional<RecordWrite> reverse_record = std::nullopt);

    /// Applies `changes` and `records` in one atomic step and returns the reverse change set,
    /// which applied afterwards restores the previous state exactly. Throws DatabaseError when
    /// nothing could be written (the database is then unchanged).
    virtual ChangeSet commit(const ChangeSet& changes, std::span<const RecordWrite> records = {}) = 0;
    /// Block building (the development node): commits `changes` together with the records that
    /// `make_records` returns for the state root they lead to and their reverse change set (a
    /// header, and so every record keyed by its hash, depends on the root). One atomic step; the
    /// root is computed once. Returns the root and the reverse change set.
    /// `encoded_changes`: encode_change_set(changes) when the caller has it (a block's forward
    /// change set is one of its records); a journaling backend then does not encode it again.
    using RecordsForRoot = std::function<std::vector<RecordWrite>(const Hash32& root, const ChangeSet& reverse)>;
    virtual CheckedCommit commit_sealing(const ChangeSet& changes, const RecordsForRoot& make_records,
                                         bytes_view encoded_changes = {});
    /// The state root `changes` would lead to, leaving the database as it is (block building).
    /// The default applies and undoes; persistent backends compute it inside an aborted transaction.
    virtual Hash32 preview_root(const ChangeSet& changes);
    /// A record written by commit(), or nullopt.
    virtual std::optional<bytes> read_record(std::string_view table, bytes_view key) = 0;
    /// How many threads a commit may use to update its tries (the node's and the tools'
    /// --threads); a database that keeps no trie nodes ignores it.
    virtual void set_trie_threads(unsigned threads) { (void)threads; }
    /// The Merkle-Patricia root of the whole state (secure trie of RLP [nonce, balance,
    /// storage root, code hash]).
    virtual Hash32 state_root() = 0;
    /// Every account with its storage and code, sorted by address (`polyvm dump`, tests).
    struct DumpedAccount {
        Address address;
        AccountInfo info;
        std::shared_ptr<const bytes> code;
        std::vector<std::pair<uint256, uint256>> storage;  // non-zero slots, by key
    };
    virtual std::vector<DumpedAccount> dump() = 0;
};

}  // namespace polyvm

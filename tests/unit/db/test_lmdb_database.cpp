// LmdbDatabase against MemoryDatabase: the same random histories must give the same roots,
// dumps, records and reverse change sets, unwind step by step, and survive a reopen. Plus the
// failure modes: a full map, a foreign or damaged directory, another schema version.
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "db/lmdb_database.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"

#include "unit/support/error_message.hpp"
#include "unit/support/sanitizers.hpp"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <future>
#include <random>
#include <set>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

using namespace polyvm;

namespace {

/// A fresh directory under the system's temporary folder, removed with everything in it.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("polyvm_db_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

LmdbOptions fast_options() {
    LmdbOptions options;
    options.sync_every_commit = false;  // tests do not need durability against power loss
    options.initial_map_size = size_t{1} << 20;
    return options;
}

/// The ways a database can hold its commits: each differential test runs under all of them.
enum class Mode { WriteThrough, WriteBack, WriteBackOften, WriteBackGrouped };

std::string mode_name(const testing::TestParamInfo<Mode>& info) {
    switch (info.param) {
    case Mode::WriteThrough: return "WriteThrough";
    case Mode::WriteBack: return "WriteBack";
    case Mode::WriteBackOften: return "WriteBackOften";
    case Mode::WriteBackGrouped: return "WriteBackGrouped";
    }
    return "Unknown";
}

class LmdbModes : public testing::TestWithParam<Mode> {
protected:
    static LmdbOptions options() {
        LmdbOptions options = fast_options();
        if (GetParam() == Mode::WriteThrough) options.write_back_memory = 0;
        if (GetParam() == Mode::WriteBackOften || GetParam() == Mode::WriteBackGrouped)
            options.write_back_entries = 64;  // written back every few commits
        return options;
    }
    /// options() with every trie (and change set) of two writes or more handled on three threads.
    static LmdbOptions parallel_options() {
        LmdbOptions options = LmdbModes::options();
        options.trie_threads = 3;
        options.trie_parallel_minimum = 2;
        return options;
    }
};

std::string describe(const StateDatabase::DumpedAccount& a) {
    std::string s = "account ";
    for (uint8_t b : a.address.bytes) s += "0123456789abcdef"[b >> 4], s += "0123456789abcdef"[b & 15];
    s += " nonce " + std::to_string(a.info.nonce) + " slots " + std::to_string(a.storage.size());
    return s;
}

void expect_same_dump(const std::vector<StateDatabase::DumpedAccount>& expected,
                      const std::vector<StateDatabase::DumpedAccount>& actual) {
    ASSERT_EQ(expected.size(), actual.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        SCOPED_TRACE(describe(expected[i]));
        EXPECT_EQ(expected[i].address, actual[i].address);
        EXPECT_TRUE(expected[i].info == actual[i].info);
        EXPECT_EQ(expected[i].storage, actual[i].storage);
        ASSERT_EQ(expected[i].code == nullptr, actual[i].code == nullptr);
        if (expected[i].code) {
            EXPECT_EQ(*expected[i].code, *actual[i].code);
        }
    }
}

void expect_same_state(MemoryDatabase& expected, LmdbDatabase& actual) {
    EXPECT_EQ(expected.state_root(), actual.state_root());
    expect_same_dump(expected.dump(), actual.dump());
}

bool same_change_set(const ChangeSet& a, const ChangeSet& b) {
    if (a.accounts != b.accounts || a.codes.size() != b.codes.size()) return false;
    for (size_t i = 0; i < a.codes.size(); ++i) {
        if (a.codes[i].first != b.codes[i].first) return false;
        if ((a.codes[i].second == nullptr) != (b.codes[i].second == nullptr)) return false;
        if (a.codes[i].second && *a.codes[i].second != *b.codes[i].second) return false;
    }
    return true;
}

/// Random change sets over a small world, so that accounts and slots are revisited often.
class ChangeGenerator {
public:
    /// `addresses`: the world (40 random ones, four of them neighbours in key order, if empty).
    explicit ChangeGenerator(uint64_t seed, std::vector<Address> addresses = {}, size_t max_changes = 25)
        : rng_(seed), addresses_(std::move(addresses)), max_changes_(max_changes) {
        std::vector<Address> world;
        for (int i = 0; addresses_.empty() && i < 40; ++i) {
            Address a;
            for (auto& b : a.bytes) b = static_cast<uint8_t>(rng_());
            if (i < 4) {  // neighbours in key order
                a.bytes.fill(0);
                a.bytes[19] = static_cast<uint8_t>(i);
            }
            world.push_back(a);
        }
        if (addresses_.empty()) addresses_ = std::move(world);
        for (int i = 0; i < 12; ++i) slot_keys_.push_back(i < 6 ? uint256{uint64_t(i)} : random_word());
        codes_.push_back(std::make_shared<const bytes>());  // empty code, under kEmptyCodeHash
        for (int i = 0; i < 4; ++i) {
            bytes code(1 + rng_() % 100);
            for (auto& b : code) b = static_cast<uint8_t>(rng_());
            codes_.push_back(std::make_shared<const bytes>(std::move(code)));
        }
    }

    /// `canonical`: addresses sorted and unique, slot keys sorted and unique (the contract of
    /// ChangeSet, and what makes the reverse change set exact). Otherwise anything goes.
    ChangeSet next(bool canonical) {
        ChangeSet set;
        const size_t count = rng_() % 9 == 0 ? max_changes_ : 1 + rng_() % 6;
        std::vector<Address> chosen;
        for (size_t i = 0; i < count; ++i) chosen.push_back(addresses_[rng_() % addresses_.size()]);
        if (canonical) {
            std::sort(chosen.begin(), chosen.end());
            chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
        }
        for (const Address& address : chosen) {
            AccountChange change;
            change.address = address;
            const unsigned kind = rng_() % 10;
            if (kind != 0) {
                AccountInfo info;
                info.nonce = rng_() % 4;
                info.balance = rng_() % 3 == 0 ? uint256{} : random_word();
                info.has_storage = rng_() % 2 == 0;  // garbage: the database recomputes it
                if (rng_() % 3 == 0) {
                    const auto& code = codes_[rng_() % codes_.size()];
                    info.code_hash = keccak256(*code);
                    set.codes.emplace_back(info.code_hash, code);
                }
                change.account = info;
            }
            change.storage_wiped = rng_() % 7 == 0;
            // Slots also on deletions: they must be ignored.
            const size_t slots = rng_() % 5;
            std::map<uint256, uint256> sorted;
            for (size_t i = 0; i < slots; ++i) {
                const uint256 key = slot_keys_[rng_() % slot_keys_.size()];
                const uint256 value = rng_() % 3 == 0 ? uint256{} : (rng_() % 2 ? uint256{rng_() % 1000 + 1} : random_word());
                if (canonical)
                    sorted[key] = value;
                else
                    change.storage.emplace_back(key, value);
            }
            if (canonical) change.storage.assign(sorted.begin(), sorted.end());
            set.accounts.push_back(std::move(change));
        }
        if (rng_() % 8 == 0) set.codes.emplace_back(random_word().to_hash(), nullptr);  // ignored
        return set;
    }

    std::vector<RecordWrite> next_records() {
        static const char* const tables[] = {"canonical_hash", "headers", "x", ""};
        std::vector<RecordWrite> writes(rng_() % 4);
        for (RecordWrite& w : writes) {
            w.table = tables[rng_() % 4];
            w.key.resize(rng_() % 3);  // few distinct keys: overwrites and deletes hit
            for (auto& b : w.key) b = static_cast<uint8_t>(rng_() % 3);
            if (rng_() % 4 != 0) {
                w.value.emplace(rng_() % 20);
                for (auto& b : *w.value) b = static_cast<uint8_t>(rng_());
            }
        }
        return writes;
    }

private:
    uint256 random_word() { return uint256{rng_(), rng_(), rng_(), rng_()}; }

    std::mt19937_64 rng_;
    std::vector<Address> addresses_;
    size_t max_changes_;
    std::vector<uint256> slot_keys_;
    std::vector<std::shared_ptr<const bytes>> codes_;
};

ChangeSet many_accounts(size_t count, uint64_t seed, size_t slots_each) {
    std::mt19937_64 rng(seed);
    ChangeSet set;
    for (size_t i = 0; i < count; ++i) {
        AccountChange change;
        for (auto& b : change.address.bytes) b = static_cast<uint8_t>(rng());
        change.account = AccountInfo{rng() % 100, uint256{rng()}, kEmptyCodeHash, false};
        for (size_t s = 0; s < slots_each; ++s) change.storage.emplace_back(uint256{s}, uint256{rng() | 1});
        set.accounts.push_back(std::move(change));
    }
    std::sort(set.accounts.begin(), set.accounts.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
    return set;
}

/// `count` addresses whose keys in the state trie (keccak256 of the address) start with the
/// same `shared` nibbles, then `others` random ones: a trie that goes below the top levels,
/// which the database keeps apart, with few accounts.
std::vector<Address> clustered_addresses(size_t count, size_t shared, size_t others, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Address> out;
    const Hash32 target = keccak256(bytes{static_cast<uint8_t>(seed)});
    while (out.size() < count) {
        Address a;
        for (auto& b : a.bytes) b = static_cast<uint8_t>(rng());
        const Hash32 key = keccak256(a);
        bool same = true;
        const auto nibble = [](const Hash32& h, size_t n) { return (h[n / 2] >> (n % 2 ? 0 : 4)) & 0x0f; };
        for (size_t n = 0; n < shared && same; ++n) same = nibble(key, n) == nibble(target, n);
        if (same) out.push_back(a);
    }
    for (size_t i = 0; i < others; ++i) {
        Address a;
        for (auto& b : a.bytes) b = static_cast<uint8_t>(rng());
        out.push_back(a);
    }
    return out;
}

/// Writes one entry into a table of a closed database, past LmdbDatabase (to fake older layouts).
void put_raw(const std::filesystem::path& dir, const char* table, bytes_view key, bytes_view value) {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 8), 0);
    ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi dbi;
    ASSERT_EQ(mdb_dbi_open(txn, table, 0, &dbi), 0);
    MDB_val k{key.size(), const_cast<uint8_t*>(key.data())};
    MDB_val v{value.size(), const_cast<uint8_t*>(value.data())};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

void set_schema_version(const std::filesystem::path& dir, uint32_t version) {
    const uint8_t value[4] = {static_cast<uint8_t>(version >> 24), static_cast<uint8_t>(version >> 16),
                              static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version)};
    put_raw(dir, "metadata", as_view(std::string_view("schema_version")), value);
}

/// A metadata value of the database (closed), empty when missing.
bytes metadata_value(const std::filesystem::path& dir, const std::string& key) {
    MDB_env* env = nullptr;
    bytes value;
    if (mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 8) == 0 && mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0644) == 0) {
        MDB_txn* txn = nullptr;
        MDB_dbi dbi;
        if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0) {
            MDB_val k{key.size(), const_cast<char*>(key.data())};
            MDB_val v;
            if (mdb_dbi_open(txn, "metadata", 0, &dbi) == 0 && mdb_get(txn, dbi, &k, &v) == 0)
                value.assign(static_cast<const uint8_t*>(v.mv_data), static_cast<const uint8_t*>(v.mv_data) + v.mv_size);
            mdb_txn_abort(txn);
        }
    }
    mdb_env_close(env);
    return value;
}

/// Makes a closed database look like one of schema 3 holding one journal entry in its table.
void make_schema_3_with_journal_entry(const std::filesystem::path& dir, const ChangeSet& changes, const RecordWrite& record) {
    set_schema_version(dir, 3);
    // Schema 3's entry: RLP [change set, [[table, key, deleted (0/1), value], ...]].
    const bytes entry = rlp::ListBuilder{}
                            .add_raw(encode_change_set(changes))
                            .add_raw(rlp::ListBuilder{}
                                         .add_raw(rlp::ListBuilder{}.add(record.table).add(record.key).add(uint64_t{0}).add(*record.value).finish())
                                         .finish())
                            .finish();
    put_raw(dir, "journal", block_number_key(0), entry);
}

// Runs `work` in a child process that "crashes" (leaves without closing anything); fails the test
// when the child reports a failure (exit status other than 0).
void in_crashing_child(const std::function<bool()>& work) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) _exit(work() ? 0 : 5);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
}

/// Every entry of one of the database's tables (the database closed).
std::map<bytes, bytes> table_contents(const std::filesystem::path& dir, const char* table) {
    std::map<bytes, bytes> out;
    MDB_env* env = nullptr;
    if (mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 8) == 0 && mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0644) == 0) {
        MDB_txn* txn = nullptr;
        MDB_dbi dbi;
        MDB_cursor* cursor = nullptr;
        if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0) {
            if (mdb_dbi_open(txn, table, 0, &dbi) == 0 && mdb_cursor_open(txn, dbi, &cursor) == 0) {
                MDB_val k, v;
                for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
                    out.emplace(bytes(static_cast<const uint8_t*>(k.mv_data), static_cast<const uint8_t*>(k.mv_data) + k.mv_size),
                                bytes(static_cast<const uint8_t*>(v.mv_data), static_cast<const uint8_t*>(v.mv_data) + v.mv_size));
                mdb_cursor_close(cursor);
            }
            mdb_txn_abort(txn);
        }
    }
    mdb_env_close(env);
    return out;
}

/// The number of entries in one of the database's tables (the database closed).
size_t table_entries(const std::filesystem::path& dir, const char* table) { return table_contents(dir, table).size(); }

}  // namespace

TEST(LmdbDatabase, EmptyDatabase) {
    TempDir dir;
    LmdbDatabase db(dir.path(), fast_options());
    EXPECT_EQ(db.state_root(), kEmptyTrieRoot);
    EXPECT_TRUE(db.dump().empty());
    EXPECT_FALSE(db.read_account(Address{}).has_value());
    EXPECT_TRUE(db.read_storage(Address{}, 1).is_zero());
    EXPECT_EQ(db.read_code(kEmptyCodeHash), nullptr);
    EXPECT_FALSE(db.read_block_hash(0).has_value());
    EXPECT_FALSE(db.read_record("", {}).has_value());
    const ChangeSet reverse = db.commit({});
    EXPECT_TRUE(reverse.empty());
    EXPECT_EQ(db.state_root(), kEmptyTrieRoot);
}

// The main differential test: random histories, checked after every commit, then unwound.
TEST_P(LmdbModes, RandomHistoryMatchesMemoryDatabaseAndUnwinds) {
    TempDir dir;
    MemoryDatabase memory;
    auto db = std::make_unique<LmdbDatabase>(dir.path(), options());
    ChangeGenerator generator(2024);
    std::vector<Hash32> roots{memory.state_root()};
    std::vector<ChangeSet> reverses;
    std::set<std::pair<std::string, bytes>> record_keys;
    bool group_open = false;  // WriteBackGrouped: groups of 1 to 7 commits, checked while open
    const int steps = test::sized_for_this_build(300);
    for (int step = 0; step < steps; ++step) {
        SCOPED_TRACE("commit " + std::to_string(step));
        if (GetParam() == Mode::WriteBackGrouped && step % 7 == step / 7 % 7) {
            if (group_open) db->end_group();
            db->begin_group();
            group_open = true;
        }
        const ChangeSet changes = generator.next(true);
        const std::vector<RecordWrite> records = generator.next_records();
        for (const RecordWrite& w : records) record_keys.emplace(w.table, w.key);
        const ChangeSet expected_reverse = memory.commit(changes, records);
        const ChangeSet reverse = db->commit(changes, records);
        ASSERT_TRUE(same_change_set(expected_reverse, reverse));
        ASSERT_EQ(memory.state_root(), db->state_root());
        ASSERT_NO_FATAL_FAILURE(expect_same_dump(memory.dump(), db->dump()));
        for (const auto& [table, key] : record_keys) ASSERT_EQ(memory.read_record(table, key), db->read_record(table, key));
        for (const AccountChange& c : changes.accounts) {
            ASSERT_EQ(memory.read_account(c.address), db->read_account(c.address));
            for (const auto& [key, value] : c.storage) ASSERT_EQ(memory.read_storage(c.address, key), db->read_storage(c.address, key));
        }
        roots.push_back(db->state_root());
        reverses.push_back(reverse);
        if (step == steps / 2) {  // half way: the history continues on the reopened database
            if (group_open) db->end_group();
            group_open = false;
            db.reset();
            db = std::make_unique<LmdbDatabase>(dir.path(), options());
            ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
        }
    }
    EXPECT_NE(roots.front(), roots.back());
    if (group_open) db->end_group();

    db.reset();
    db = std::make_unique<LmdbDatabase>(dir.path(), options());
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
    for (const auto& [table, key] : record_keys) EXPECT_EQ(memory.read_record(table, key), db->read_record(table, key));

    // Unwinding: each reverse set, newest first, restores the root before its commit.
    for (size_t i = reverses.size(); i-- > 0;) {
        SCOPED_TRACE("unwinding commit " + std::to_string(i));
        const ChangeSet expected = memory.commit(reverses[i]);
        const ChangeSet actual = db->commit(reverses[i]);
        ASSERT_TRUE(same_change_set(expected, actual));
        ASSERT_EQ(db->state_root(), roots[i]);
        ASSERT_EQ(memory.state_root(), roots[i]);
    }
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
    EXPECT_EQ(db->state_root(), kEmptyTrieRoot);
    EXPECT_TRUE(db->dump().empty());
}

// The account trie's nodes below its top levels are kept apart from the top ones, and accounts
// are read from their leaves: accounts whose keys share their first nibbles make the trie go
// below the top levels with few accounts.
// Sealing commits (block building) given their change set's encoding, which the journal then
// holds instead of an encoding of its own: the state, the records that depend on the root and
// the reopened (replayed) database match the in-memory reference.
TEST_P(LmdbModes, SealedCommitsWithTheirEncodingReplay) {
    TempDir dir;
    MemoryDatabase memory;
    auto db = std::make_unique<LmdbDatabase>(dir.path(), options());
    ChangeGenerator generator(77);
    if (GetParam() == Mode::WriteBackGrouped) db->begin_group();
    for (int step = 0; step < 40; ++step) {
        SCOPED_TRACE("commit " + std::to_string(step));
        const ChangeSet changes = generator.next(true);
        const bytes encoded = encode_change_set(changes);
        const auto records_for = [&](const Hash32& root, const ChangeSet&) {
            return std::vector<RecordWrite>{RecordWrite{"sealed", bytes{static_cast<uint8_t>(step)}, bytes(root.bytes.begin(), root.bytes.end())}};
        };
        const CheckedCommit expected = memory.commit_sealing(changes, records_for);
        const CheckedCommit sealed = db->commit_sealing(changes, records_for, encoded);
        ASSERT_TRUE(sealed.committed);
        ASSERT_EQ(sealed.root, expected.root);
        ASSERT_TRUE(same_change_set(sealed.reverse, expected.reverse));
    }
    if (GetParam() == Mode::WriteBackGrouped) db->end_group();
    db.reset();
    db = std::make_unique<LmdbDatabase>(dir.path(), options());
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
    for (int step = 0; step < 40; ++step)
        EXPECT_EQ(db->read_record("sealed", bytes{static_cast<uint8_t>(step)}), memory.read_record("sealed", bytes{static_cast<uint8_t>(step)}));
}

// Write-back, grouped or not: a reader on another thread reads while a commit applies (the
// development node executes its next block beside the previous block's commit), and sees the
// state before that commit until it is in.
TEST_P(LmdbModes, ReadersOnOtherThreadsReadWhileACommitApplies) {
    if (GetParam() == Mode::WriteThrough) GTEST_SKIP() << "write-through commits are LMDB's write transactions";
    TempDir dir;
    auto db = std::make_unique<LmdbDatabase>(dir.path(), options());
    ChangeGenerator generator(91);
    if (GetParam() == Mode::WriteBackGrouped) db->begin_group();
    db->commit(generator.next(true));
    for (int step = 0; step < 5; ++step) {
        SCOPED_TRACE("commit " + std::to_string(step));
        const ChangeSet changes = generator.next(true);
        ASSERT_FALSE(changes.accounts.empty());
        const Address& address = changes.accounts.front().address;
        const std::optional<AccountInfo> before = db->read_account(address);
        const Hash32 root_before = db->state_root();
        std::future_status waited = std::future_status::deferred;
        std::future<std::optional<AccountInfo>> reader;
        const CheckedCommit sealed = db->commit_sealing(changes, [&](const Hash32&, const ChangeSet&) {
            reader = std::async(std::launch::async, [&] { return db->read_account(address); });
            waited = reader.wait_for(std::chrono::seconds(5));
            return std::vector<RecordWrite>{};
        });
        const std::optional<AccountInfo> read_meanwhile = reader.get();  // after the commit if it had to wait
        ASSERT_TRUE(sealed.committed);
        EXPECT_EQ(waited, std::future_status::ready) << "the reader waited for the commit";
        EXPECT_EQ(read_meanwhile.has_value(), before.has_value());
        if (read_meanwhile && before) {
            EXPECT_EQ(read_meanwhile->balance, before->balance);
        }
        EXPECT_NE(db->state_root(), root_before);
    }
    if (GetParam() == Mode::WriteBackGrouped) db->end_group();
}

TEST_P(LmdbModes, DeepAccountTrieMatchesMemoryDatabase) {
    const std::vector<Address> addresses = clustered_addresses(160, 3, 40, 5);
    TempDir dir;
    MemoryDatabase memory;
    auto db = std::make_unique<LmdbDatabase>(dir.path(), options());
    ChangeGenerator generator(700, addresses, 120);
    std::vector<Hash32> roots{memory.state_root()};
    std::vector<ChangeSet> reverses;
    const int steps = test::sized_for_this_build(200);
    for (int step = 0; step < steps; ++step) {
        SCOPED_TRACE("commit " + std::to_string(step));
        const ChangeSet changes = generator.next(true);
        const ChangeSet expected_reverse = memory.commit(changes);
        const ChangeSet reverse = db->commit(changes);
        ASSERT_TRUE(same_change_set(expected_reverse, reverse));
        ASSERT_EQ(memory.state_root(), db->state_root());
        for (const AccountChange& c : changes.accounts) ASSERT_EQ(memory.read_account(c.address), db->read_account(c.address));
        if (step % 10 == 0) {
            ASSERT_NO_FATAL_FAILURE(expect_same_dump(memory.dump(), db->dump()));
        }
        roots.push_back(db->state_root());
        reverses.push_back(reverse);
        if (step == steps / 2) {
            db.reset();
            EXPECT_GE(table_entries(dir.path(), "account_trie"), 100u);  // the clustered accounts' leaves at least
            db = std::make_unique<LmdbDatabase>(dir.path(), options());
            ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
        }
    }
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
    for (const Address& a : addresses) ASSERT_EQ(memory.read_account(a), db->read_account(a));
    for (size_t i = reverses.size(); i-- > 0;) {
        SCOPED_TRACE("unwinding commit " + std::to_string(i));
        ASSERT_TRUE(same_change_set(memory.commit(reverses[i]), db->commit(reverses[i])));
        ASSERT_EQ(db->state_root(), roots[i]);
        ASSERT_EQ(memory.state_root(), roots[i]);
    }
    EXPECT_EQ(db->state_root(), kEmptyTrieRoot);
    EXPECT_TRUE(db->dump().empty());
}

// Outside ChangeSet's contract (repeated addresses, unsorted and repeated slots): no crash,
// and still exactly what MemoryDatabase does.
TEST_P(LmdbModes, NonCanonicalChangeSetsMatchMemoryDatabase) {
    TempDir dir;
    MemoryDatabase memory;
    LmdbDatabase db(dir.path(), options());
    ChangeGenerator generator(99);
    for (int step = 0; step < 150; ++step) {
        SCOPED_TRACE("commit " + std::to_string(step));
        const ChangeSet changes = generator.next(false);
        ASSERT_TRUE(same_change_set(memory.commit(changes), db.commit(changes)));
        ASSERT_EQ(memory.state_root(), db.state_root());
        ASSERT_NO_FATAL_FAILURE(expect_same_dump(memory.dump(), db.dump()));
    }
}

TEST_P(LmdbModes, LargeStateMatchesAndReopens) {
    TempDir dir;
    MemoryDatabase memory;
    {
        LmdbDatabase db(dir.path(), options());
        const size_t accounts = test::sized_for_this_build(2000);
        for (uint64_t batch = 0; batch < 3; ++batch) {
            const ChangeSet changes = many_accounts(accounts, batch, batch);
            memory.commit(changes);
            db.commit(changes);
            ASSERT_EQ(memory.state_root(), db.state_root());
        }
        // Delete every other account of the first batch, wipe the storage of some others.
        ChangeSet changes = many_accounts(accounts, 1, 0);
        for (size_t i = 0; i < changes.accounts.size(); ++i) {
            if (i % 2 == 0) changes.accounts[i].account.reset();
            changes.accounts[i].storage_wiped = i % 3 == 0;
        }
        memory.commit(changes);
        db.commit(changes);
        ASSERT_EQ(memory.state_root(), db.state_root());
    }
    LmdbDatabase reopened(dir.path(), options());
    expect_same_state(memory, reopened);
}

// Trie updates on several threads (LmdbOptions::trie_threads): batches of thousands of accounts
// and an account with thousands of slots update their tries' subtrees on forks that read LMDB
// through read transactions of their own, in every mode: the same roots and state as the
// in-memory reference, before and after reopening; in a group, a commit refused by its root
// takes back what the forks wrote too.
TEST_P(LmdbModes, TrieUpdatesOnSeveralThreadsMatchMemoryDatabase) {
    // The same commits on one thread and on three: the same roots as the in-memory reference
    // after each, and, once both are closed (written back), exactly the same trie nodes.
    TempDir one_dir, several_dir;
    MemoryDatabase memory;
    LmdbOptions parallel = options();
    parallel.trie_threads = 3;
    {
        LmdbDatabase one(one_dir.path(), options()), several(several_dir.path(), parallel);
        const bool grouped = GetParam() == Mode::WriteBackGrouped;
        for (uint64_t batch = 0; batch < 5; ++batch) {
            SCOPED_TRACE("batch " + std::to_string(batch));
            if (grouped) several.begin_group();
            // Batches 2 and 4 rewrite batch 0's accounts; batch 3 deletes most of batch 1's.
            // A quarter under a sanitizer: still over trie_parallel_minimum (256) at the roots.
            const size_t accounts = test::sized_for_this_build(1500), slots = test::sized_for_this_build(2000);
            ChangeSet changes = many_accounts(accounts, batch % 2, batch == 0 ? 0 : 1);
            changes.accounts.front().storage = many_accounts(1, 100 + batch, slots + 50 * batch).accounts.front().storage;
            if (batch == 3)
                for (size_t i = 0; i < changes.accounts.size(); ++i)
                    if (i % 8 != 0) changes.accounts[i].account.reset();
            if (batch == 4)  // most slots of the big account cleared
                for (size_t i = 0; i < changes.accounts.front().storage.size(); ++i)
                    if (i % 16 != 0) changes.accounts.front().storage[i].second = 0;
            const Hash32 before = several.state_root();
            if (grouped) {
                const CheckedCommit refused = several.commit_if_root(changes, {}, Hash32{});
                ASSERT_FALSE(refused.committed);
                ASSERT_EQ(several.state_root(), before);
            }
            const ChangeSet expected = memory.commit(changes);
            one.commit(changes);
            ASSERT_TRUE(same_change_set(expected, several.commit(changes)));
            ASSERT_EQ(memory.state_root(), several.state_root());
            ASSERT_EQ(memory.state_root(), one.state_root());
            if (grouped) several.end_group();
        }
        expect_same_state(memory, several);
    }
    for (const char* table : {"account_trie_top", "account_trie", "storage_trie"}) {
        SCOPED_TRACE(table);
        const auto nodes = table_contents(several_dir.path(), table);
        EXPECT_FALSE(nodes.empty());
        EXPECT_TRUE(nodes == table_contents(one_dir.path(), table));
    }
}

// The random histories of the main differential test with every trie of two writes or more
// updated on three threads (small forks, many joins, branches that collapse after a join).
TEST_P(LmdbModes, RandomHistoryOnSeveralThreadsMatchesMemoryDatabase) {
    TempDir dir;
    MemoryDatabase memory;
    const LmdbOptions parallel = parallel_options();
    auto db = std::make_unique<LmdbDatabase>(dir.path(), parallel);
    ChangeGenerator generator(4048);
    for (int step = 0; step < 200; ++step) {
        SCOPED_TRACE("commit " + std::to_string(step));
        const bool grouped = GetParam() == Mode::WriteBackGrouped;
        if (grouped) db->begin_group();
        const ChangeSet changes = generator.next(true);
        if (grouped && step % 3 == 0) {
            ASSERT_FALSE(db->commit_if_root(changes, {}, Hash32{}).committed);
        }
        ASSERT_TRUE(same_change_set(memory.commit(changes), db->commit(changes)));
        ASSERT_EQ(memory.state_root(), db->state_root());
        if (grouped) db->end_group();
        if (step == 100) {
            db.reset();
            db = std::make_unique<LmdbDatabase>(dir.path(), parallel);
        }
    }
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, *db));
}

// A large change set's reads (accounts before, reverse entries, slots' keys) are made ahead on
// several threads; a change of an address that an earlier change of the same set wrote must
// read what that one wrote, as the one-thread path does: the same reverse change set and state.
TEST_P(LmdbModes, AddressNamedTwiceInOneChangeSetOnSeveralThreads) {
    TempDir dir;
    MemoryDatabase memory;
    const LmdbOptions parallel = parallel_options();
    LmdbDatabase db(dir.path(), parallel);
    const ChangeSet first = many_accounts(40, 11, 300);
    ASSERT_TRUE(same_change_set(memory.commit(first), db.commit(first)));

    ChangeSet changes = many_accounts(40, 11, 200);  // the same addresses, slots 0..199 rewritten
    const ChangeSet again = many_accounts(40, 12, 150);
    for (size_t i = 0; i < 6; ++i) {
        AccountChange change = again.accounts[i];
        change.address = changes.accounts[i * 5].address;  // named a second time, later
        if (i == 1) change.storage_wiped = true;          // its storage dropped after the first change wrote it
        if (i == 2) change.account.reset();                // deleted after the first change wrote it
        changes.accounts.push_back(std::move(change));
    }
    AccountChange revived = again.accounts[7];  // deleted above, then re-created in the same set
    revived.address = changes.accounts[10].address;
    changes.accounts.push_back(revived);
    ASSERT_TRUE(same_change_set(memory.commit(changes), db.commit(changes)));
    ASSERT_EQ(memory.state_root(), db.state_root());
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, db));
}

TEST_P(LmdbModes, MapGrowsAsNeeded) {
    TempDir dir;
    LmdbOptions options = LmdbModes::options();
    options.initial_map_size = 64 << 10;
    LmdbDatabase db(dir.path(), options);
    const size_t initial = db.map_size();
    MemoryDatabase memory;
    const ChangeSet changes = many_accounts(test::sized_for_this_build(3000), 7, 3);  // well over 64 KiB
    memory.commit(changes);
    db.commit(changes);
    db.write_back();  // in write-back modes the map grows when the tables are written
    EXPECT_GT(db.map_size(), initial);
    expect_same_state(memory, db);
}

TEST_P(LmdbModes, FullDatabaseThrowsAndStaysUnchanged) {
    TempDir dir;
    LmdbOptions options = LmdbModes::options();
    options.initial_map_size = 64 << 10;
    options.max_map_size = 256 << 10;
    MemoryDatabase memory;
    LmdbDatabase db(dir.path(), options);
    const ChangeSet small = many_accounts(20, 1, 2);
    const std::vector<RecordWrite> record{{"headers", bytes{1}, bytes{2}}};
    memory.commit(small, record);
    db.commit(small, record);
    const Hash32 root = db.state_root();

    const ChangeSet big = many_accounts(5000, 2, 4);
    const std::vector<RecordWrite> overwrite{{"headers", bytes{1}, bytes{3}}};
    // Grouped: the commit is made in memory; the group's end finds the database full and drops it.
    const bool grouped = GetParam() == Mode::WriteBackGrouped;
    const std::string message = test::error_message<DatabaseError>([&] {
        if (grouped) db.begin_group();
        db.commit(big, overwrite);
        if (grouped) db.end_group();
    });
    EXPECT_NE(message.find("database full"), std::string::npos) << message;
    EXPECT_EQ(db.state_root(), root);
    expect_same_state(memory, db);
    EXPECT_EQ(db.read_record("headers", bytes{1}), bytes{2});
    EXPECT_LE(db.map_size(), options.max_map_size);

    // Still usable afterwards.
    const ChangeSet more = many_accounts(10, 3, 1);
    memory.commit(more);
    db.commit(more);
    expect_same_state(memory, db);
}

TEST(LmdbDatabase, RecordsReadBackAlsoAfterReopen) {
    TempDir dir;
    Hash32 hash;
    hash.bytes.fill(0xab);
    {
        LmdbDatabase db(dir.path(), fast_options());
        const std::vector<RecordWrite> writes{
            {std::string{kCanonicalHashTable}, block_number_key(7), bytes(hash.bytes.begin(), hash.bytes.end())},
            {"headers", bytes{1, 2}, bytes{9}},
            {"headers", bytes{1}, bytes{}},  // an empty value is a value
            {"head", bytes{1, 2}, bytes{8}},  // "head" + "ers\x01\x02" must not collide with "headers"
            {"tmp", bytes{5}, bytes{1}},
            {"tmp", bytes{5}, std::nullopt},
        };
        db.commit({}, writes);
        EXPECT_EQ(db.read_block_hash(7), hash);
        EXPECT_FALSE(db.read_block_hash(8).has_value());
    }
    LmdbDatabase db(dir.path(), fast_options());
    EXPECT_EQ(db.read_block_hash(7), hash);
    EXPECT_EQ(db.read_record("headers", bytes{1, 2}), bytes{9});
    EXPECT_EQ(db.read_record("headers", bytes{1}), bytes{});
    EXPECT_EQ(db.read_record("head", bytes{1, 2}), bytes{8});
    EXPECT_FALSE(db.read_record("tmp", bytes{5}).has_value());
    EXPECT_FALSE(db.read_record("headers", bytes{3}).has_value());
    EXPECT_FALSE(db.read_record("nothing", bytes{1, 2}).has_value());

    // Keys LMDB cannot hold are refused before anything is written.
    ChangeSet changes = many_accounts(1, 5, 0);
    const Hash32 root = db.state_root();
    EXPECT_THROW(db.commit(changes, std::vector<RecordWrite>{{std::string(300, 't'), bytes{1}, bytes{1}}}), DatabaseError);
    EXPECT_THROW(db.commit(changes, std::vector<RecordWrite>{{"t", bytes(600, 1), bytes{1}}}), DatabaseError);
    EXPECT_EQ(db.state_root(), root);
    EXPECT_FALSE(db.read_record(std::string(300, 't'), bytes{1}).has_value());
    EXPECT_FALSE(db.read_record("t", bytes(600, 1)).has_value());
}

TEST(LmdbDatabase, CodeIsContentAddressedAndKeptAfterReopen) {
    TempDir dir;
    const auto code = std::make_shared<const bytes>(bytes{0x60, 0x01, 0x00});
    const Hash32 hash = keccak256(*code);
    {
        LmdbDatabase db(dir.path(), fast_options());
        ChangeSet changes;
        changes.codes.emplace_back(hash, code);
        changes.codes.emplace_back(kEmptyCodeHash, std::make_shared<const bytes>());
        db.commit(changes);
        ChangeSet again;
        again.codes.emplace_back(hash, std::make_shared<const bytes>(bytes{0xff}));  // first one stays
        db.commit(again);
    }
    LmdbDatabase db(dir.path(), fast_options());
    ASSERT_NE(db.read_code(hash), nullptr);
    EXPECT_EQ(*db.read_code(hash), *code);
    ASSERT_NE(db.read_code(kEmptyCodeHash), nullptr);
    EXPECT_TRUE(db.read_code(kEmptyCodeHash)->empty());
    EXPECT_EQ(db.read_code(Hash32{}), nullptr);
    // Read once, then shared: a contract run in every block is not copied out each time.
    EXPECT_EQ(db.read_code(hash), db.read_code(hash));
    EXPECT_EQ(db.read_code(Hash32{}), nullptr);  // an unknown code is not remembered as one
}

TEST(LmdbDatabase, SchemaVersionMismatchIsRefused) {
    TempDir dir;
    { LmdbDatabase db(dir.path(), fast_options()); }
    set_schema_version(dir.path(), LmdbDatabase::kSchemaVersion + 1);
    const std::string message = test::error_message<DatabaseError>([&] { LmdbDatabase db(dir.path(), fast_options()); });
    EXPECT_NE(message.find("schema version " + std::to_string(LmdbDatabase::kSchemaVersion + 1)), std::string::npos) << message;
    EXPECT_NE(message.find("schema version " + std::to_string(LmdbDatabase::kSchemaVersion) + " only"), std::string::npos) << message;
    set_schema_version(dir.path(), LmdbDatabase::kSchemaVersion);
    EXPECT_NO_THROW(LmdbDatabase(dir.path(), fast_options()));
}

TEST(LmdbDatabase, DirectoriesThatAreNotDatabasesAreRefused) {
    TempDir garbage;
    std::filesystem::create_directories(garbage.path());
    {
        std::ofstream out(garbage.path() / "data.mdb", std::ios::binary);
        out << std::string(16384, 'x');
    }
    std::string message = test::error_message<DatabaseError>([&] { LmdbDatabase db(garbage.path(), fast_options()); });
    EXPECT_NE(message.find("not an LMDB database"), std::string::npos) << message;

    TempDir other_files;
    std::filesystem::create_directories(other_files.path());
    std::ofstream(other_files.path() / "notes.txt") << "hello";
    message = test::error_message<DatabaseError>([&] { LmdbDatabase db(other_files.path(), fast_options()); });
    EXPECT_NE(message.find("not an LMDB database"), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(other_files.path() / "data.mdb"));

    TempDir file;
    std::ofstream(file.path()) << "a file";
    message = test::error_message<DatabaseError>([&] { LmdbDatabase db(file.path(), fast_options()); });
    EXPECT_NE(message.find("not a directory"), std::string::npos) << message;

    // An LMDB database of someone else: keys in its main table, no metadata.
    TempDir foreign;
    std::filesystem::create_directories(foreign.path());
    {
        MDB_env* env = nullptr;
        ASSERT_EQ(mdb_env_create(&env), 0);
        ASSERT_EQ(mdb_env_open(env, foreign.path().c_str(), 0, 0644), 0);
        MDB_txn* txn = nullptr;
        ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
        MDB_dbi main;
        ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &main), 0);
        char key[] = "k", value[] = "v";
        MDB_val k{1, key}, v{1, value};
        ASSERT_EQ(mdb_put(txn, main, &k, &v, 0), 0);
        ASSERT_EQ(mdb_txn_commit(txn), 0);
        mdb_env_close(env);
    }
    message = test::error_message<DatabaseError>([&] { LmdbDatabase db(foreign.path(), fast_options()); });
    EXPECT_NE(message.find("not a polyvm state database"), std::string::npos) << message;
}

TEST(LmdbDatabase, SecondOpenInTheSameProcessIsRefused) {
    TempDir dir;
    LmdbDatabase db(dir.path(), fast_options());
    const std::string message = test::error_message<DatabaseError>([&] { LmdbDatabase again(dir.path() / ".", fast_options()); });
    EXPECT_NE(message.find("already open"), std::string::npos) << message;
}

// Readers on other threads while commits grow the map: every root read is one that was
// committed, every account read is whole.
TEST_P(LmdbModes, ConcurrentReadersDuringGrowingCommits) {
    TempDir dir;
    LmdbOptions options = LmdbModes::options();
    options.initial_map_size = 64 << 10;
    LmdbDatabase db(dir.path(), options);
    std::vector<ChangeSet> sets;
    for (uint64_t i = 0; i < 12; ++i) sets.push_back(many_accounts(test::sized_for_this_build(400), 100 + i, 2));
    // Every root the database may show: before any commit and after each.
    std::set<Hash32> committed{db.state_root()};
    MemoryDatabase preview;
    for (const ChangeSet& set : sets) {
        preview.commit(set);
        committed.insert(preview.state_root());
    }
    std::atomic<bool> done{false};
    std::atomic<size_t> bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!done) {
                if (!committed.count(db.state_root())) ++bad;
                for (const ChangeSet& set : sets) {
                    const auto account = db.read_account(set.accounts[7].address);
                    if (account && account->nonce != set.accounts[7].account->nonce) ++bad;
                }
                // Three spinning readers on a 2-core machine starved the committing thread
                // (13 s of a 4 s test, 100 s under ThreadSanitizer).
                std::this_thread::yield();
            }
        });
    }
    for (const ChangeSet& set : sets) db.commit(set);
    db.write_back();  // WriteBack keeps all twelve in memory until here
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(bad, 0u);
    EXPECT_GT(db.map_size(), size_t{64} << 10);
}

INSTANTIATE_TEST_SUITE_P(LmdbDatabase, LmdbModes, testing::Values(Mode::WriteThrough, Mode::WriteBack, Mode::WriteBackOften, Mode::WriteBackGrouped), mode_name);

// eth_getProof from the stored nodes: the same proofs as a trie built from scratch of the same
// state (MemoryDatabase's dump), for accounts and slots that exist and for ones that do not,
// in every mode (through the write-back delta too).
TEST_P(LmdbModes, ProofsFromStoredNodesMatchProofsFromScratch) {
    TempDir dir;
    MemoryDatabase memory;
    LmdbDatabase db(dir.path(), options());
    ChangeGenerator generator(77);
    for (int i = 0; i < 40; ++i) {
        const ChangeSet changes = generator.next(true);
        memory.commit(changes);
        db.commit(changes);
    }
    const auto key_of = [](const Hash32& h) { return bytes(h.bytes.begin(), h.bytes.end()); };
    const auto dumped = memory.dump();
    std::vector<std::pair<bytes, bytes>> account_entries;
    std::map<Address, std::vector<std::pair<bytes, bytes>>> storage_entries;
    for (const auto& account : dumped) {
        auto& slots = storage_entries[account.address];
        for (const auto& [key, value] : account.storage) slots.emplace_back(key_of(keccak256(key.to_hash())), rlp::encode(value));
        const bytes encoded = rlp::ListBuilder{}
                                  .add(account.info.nonce)
                                  .add(account.info.balance)
                                  .add(trie_root(slots))
                                  .add(account.info.code_hash)
                                  .finish();
        account_entries.emplace_back(key_of(keccak256(account.address)), encoded);
    }
    ASSERT_EQ(trie_root(account_entries), db.state_root());
    std::vector<Address> addresses;
    for (size_t i = 0; i < dumped.size(); i += 3) addresses.push_back(dumped[i].address);
    addresses.push_back(Address{});  // absent
    size_t proved_slots = 0;
    for (const Address& address : addresses) {
        SCOPED_TRACE(to_hex(address));
        std::vector<uint256> keys{uint256{0x1234567}};  // absent
        for (const auto& account : dumped)
            if (account.address == address)
                for (const auto& [key, value] : account.storage) keys.push_back(key);
        const LmdbDatabase::Proof proof = db.prove(address, keys);
        EXPECT_EQ(proof.account_proof, trie_proof(account_entries, key_of(keccak256(address))));
        const auto& slots = storage_entries[address];
        EXPECT_EQ(proof.storage_root, trie_root(slots));
        ASSERT_EQ(proof.storage_proofs.size(), keys.size());
        for (size_t k = 0; k < keys.size(); ++k) {
            if (slots.empty()) {
                EXPECT_TRUE(proof.storage_proofs[k].empty());
                continue;
            }
            EXPECT_EQ(proof.storage_proofs[k], trie_proof(slots, key_of(keccak256(keys[k].to_hash()))));
            ++proved_slots;
        }
    }
    EXPECT_GT(proved_slots, 10u);
}

// A process that dies without closing the database (as with kill -9) leaves its latest commits in
// the journal only: the next open replays them, whatever mode it opens in.
TEST(LmdbDatabase, JournalIsReplayedAfterAProcessDies) {
    for (const size_t entries_limit : {size_t{100'000}, size_t{64}}) {
        for (const bool reopen_write_through : {false, true}) {
            SCOPED_TRACE("write-back entry limit " + std::to_string(entries_limit) + (reopen_write_through ? ", reopened write-through" : ""));
            TempDir dir;
            ChangeGenerator generator(31);
            std::vector<ChangeSet> sets;
            std::vector<std::vector<RecordWrite>> records;
            for (int i = 0; i < 40; ++i) {
                sets.push_back(generator.next(true));
                records.push_back(generator.next_records());
            }
            ASSERT_NO_FATAL_FAILURE(in_crashing_child([&] {
                LmdbOptions options = fast_options();
                options.write_back_entries = entries_limit;
                auto* db = new LmdbDatabase(dir.path(), options);  // never destroyed: the process "crashes"
                for (size_t i = 0; i < sets.size(); ++i) db->commit(sets[i], records[i]);
                return true;
            }));

            MemoryDatabase memory;
            for (size_t i = 0; i < sets.size(); ++i) memory.commit(sets[i], records[i]);
            LmdbOptions options = fast_options();
            if (reopen_write_through) options.write_back_memory = 0;
            {
                LmdbDatabase reopened(dir.path(), options);
                ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, reopened));
                for (const auto& batch : records)
                    for (const RecordWrite& w : batch) ASSERT_EQ(memory.read_record(w.table, w.key), reopened.read_record(w.table, w.key));
                // And it goes on from there.
                const ChangeSet more = generator.next(true);
                ASSERT_TRUE(same_change_set(memory.commit(more), reopened.commit(more)));
                ASSERT_EQ(memory.state_root(), reopened.state_root());
            }
            if (reopen_write_through) {
                EXPECT_EQ(std::filesystem::file_size(dir.path() / "journal.log"), 0u);  // written back at open
            }
        }
    }
}

// Without the journal (a throw-away database) commits read back, write back and group as with
// it, and nothing is ever written to the journal: a crash keeps only what was written back.
TEST(LmdbDatabase, WithoutTheJournalCommitsWorkAndNothingIsJournaled) {
    for (const size_t entries_limit : {size_t{100'000}, size_t{64}}) {
        SCOPED_TRACE("write-back entry limit " + std::to_string(entries_limit));
        TempDir dir;
        ChangeGenerator generator(41);
        std::vector<ChangeSet> sets;
        std::vector<std::vector<RecordWrite>> records;
        for (int i = 0; i < 40; ++i) {
            sets.push_back(generator.next(true));
            records.push_back(generator.next_records());
        }
        ASSERT_NO_FATAL_FAILURE(in_crashing_child([&] {
            LmdbOptions options = fast_options();
            options.write_back_entries = entries_limit;
            options.journal = false;
            MemoryDatabase memory;
            auto* db = new LmdbDatabase(dir.path(), options);  // never destroyed: the process "crashes"
            bool ok = true;
            for (size_t i = 0; i < sets.size(); ++i) {
                if (i % 10 == 0) db->begin_group();
                ok = ok && same_change_set(memory.commit(sets[i], records[i]), db->commit(sets[i], records[i]));
                ok = ok && memory.state_root() == db->state_root();
                for (const RecordWrite& w : records[i]) ok = ok && memory.read_record(w.table, w.key) == db->read_record(w.table, w.key);
                if (i % 10 == 9) db->end_group();
            }
            return ok;
        }));
        EXPECT_EQ(std::filesystem::file_size(dir.path() / "journal.log"), 0u);
        // What the crash kept: the last write-back (nothing with the large limit), never more.
        LmdbDatabase reopened(dir.path(), fast_options());
        if (entries_limit == 100'000) EXPECT_EQ(reopened.state_root(), kEmptyTrieRoot);
        else EXPECT_NE(reopened.state_root(), kEmptyTrieRoot);
    }
}

// A group's commits become durable together when it ends: a process that dies inside a group
// reopens at the last commit before it, with the groups it ended.
TEST(LmdbDatabase, AGroupIsDurableWhenItEnds) {
    TempDir dir;
    ChangeGenerator generator(37);
    std::vector<ChangeSet> sets;
    std::vector<std::vector<RecordWrite>> records;
    for (int i = 0; i < 30; ++i) {
        sets.push_back(generator.next(true));
        records.push_back(generator.next_records());
    }
    // Commits 0-9 alone, 10-19 in a group that ends (nested once), 20-29 in one that never does.
    std::vector<Hash32> roots;
    {
        MemoryDatabase memory;
        for (size_t i = 0; i < sets.size(); ++i) {
            memory.commit(sets[i], records[i]);
            roots.push_back(memory.state_root());
        }
    }
    ASSERT_NO_FATAL_FAILURE(in_crashing_child([&] {
        LmdbOptions options = fast_options();
        options.write_back_entries = 200;
        auto* db = new LmdbDatabase(dir.path(), options);  // never destroyed: the process "crashes"
        bool ok = true;
        for (size_t i = 0; i < sets.size(); ++i) {
            if (i == 10 || i == 20) db->begin_group();
            if (i == 12) db->begin_group();
            db->commit(sets[i], records[i]);
            ok = ok && db->state_root() == roots[i];  // each commit of a group sees the ones before it
            if (i == 15) db->end_group();  // the inner one: nothing written yet
            if (i == 19) db->end_group();
        }
        return ok;
    }));

    MemoryDatabase memory;
    for (size_t i = 0; i < 20; ++i) memory.commit(sets[i], records[i]);
    LmdbDatabase reopened(dir.path(), fast_options());
    EXPECT_EQ(reopened.state_root(), roots[19]);
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, reopened));
    for (size_t i = 0; i < 20; ++i)
        for (const RecordWrite& w : records[i]) ASSERT_EQ(memory.read_record(w.table, w.key), reopened.read_record(w.table, w.key));
    EXPECT_THROW(reopened.end_group(), std::logic_error);
}

// A process that dies in the middle of appending to the journal leaves a frame cut short; an OS
// crash may leave garbage after the last frame. Either way the journal ends at the last whole
// frame: the database reopens at that commit and goes on from there.
TEST(LmdbDatabase, AJournalWithATornOrDamagedTailEndsAtItsLastWholeFrame) {
    ChangeGenerator generator(43);
    std::vector<ChangeSet> sets;
    std::vector<Hash32> roots;
    MemoryDatabase memory;
    for (int i = 0; i < 12; ++i) {
        sets.push_back(generator.next(true));
        memory.commit(sets.back());
        roots.push_back(memory.state_root());
    }
    for (const bool torn : {true, false}) {
        SCOPED_TRACE(torn ? "the last frame cut short" : "garbage after the last frame");
        TempDir dir;
        ASSERT_NO_FATAL_FAILURE(in_crashing_child([&] {
            auto* db = new LmdbDatabase(dir.path(), fast_options());  // never destroyed
            for (const ChangeSet& set : sets) db->commit(set);
            return db->write_back_statistics().journal_entries == sets.size();
        }));
        const std::filesystem::path journal = dir.path() / "journal.log";
        const auto size = std::filesystem::file_size(journal);
        if (torn) {
            std::filesystem::resize_file(journal, size - 7);
        } else {
            std::ofstream out(journal, std::ios::binary | std::ios::app);
            out << "PVJ1 and then nothing that checks out";
        }
        LmdbDatabase reopened(dir.path(), fast_options());
        EXPECT_EQ(reopened.state_root(), roots[torn ? sets.size() - 2 : sets.size() - 1]);
        EXPECT_EQ(reopened.write_back_statistics().journal_entries, torn ? sets.size() - 1 : sets.size());
        EXPECT_LT(std::filesystem::file_size(journal), torn ? size - 7 : size + 1);  // the tail is cut off
        const ChangeSet more = generator.next(true);
        reopened.commit(more);
        reopened.write_back();
        EXPECT_EQ(std::filesystem::file_size(journal), 0u);
    }
}

// A write-back records in the tables which frames they now hold, then empties the journal: a
// process that dies in between leaves frames that the next open must not count again.
TEST(LmdbDatabase, FramesAWriteBackHoldsAreNotReplayed) {
    TempDir dir;
    ChangeGenerator generator(47);
    std::vector<ChangeSet> sets;
    for (int i = 0; i < 10; ++i) sets.push_back(generator.next(true));
    const std::filesystem::path journal = dir.path() / "journal.log";
    const std::filesystem::path saved = dir.path().parent_path() / (dir.path().filename().string() + ".journal");
    ASSERT_NO_FATAL_FAILURE(in_crashing_child([&] {
        auto* db = new LmdbDatabase(dir.path(), fast_options());  // never destroyed
        for (size_t i = 0; i < 6; ++i) db->commit(sets[i]);
        std::filesystem::copy_file(journal, saved, std::filesystem::copy_options::overwrite_existing);
        db->write_back();
        return std::filesystem::file_size(journal) == 0 && db->write_back_statistics().journal_entries == 0;
    }));
    std::filesystem::copy_file(saved, journal, std::filesystem::copy_options::overwrite_existing);  // as if never emptied
    std::filesystem::remove(saved);
    MemoryDatabase memory;
    for (size_t i = 0; i < 6; ++i) memory.commit(sets[i]);
    {
        LmdbDatabase reopened(dir.path(), fast_options());
        EXPECT_EQ(reopened.write_back_statistics().journal_entries, 0u);  // all six skipped
        ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, reopened));
        for (size_t i = 6; i < sets.size(); ++i) ASSERT_TRUE(same_change_set(memory.commit(sets[i]), reopened.commit(sets[i])));
        EXPECT_EQ(reopened.write_back_statistics().journal_entries, sets.size() - 6);
    }
    LmdbDatabase again(dir.path(), fast_options());
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, again));
}

// Schema 3 kept the journal in a table: such a database is upgraded when opened, its journal's
// commits applied and written back.
TEST(LmdbDatabase, ASchema3DatabaseIsUpgradedWithItsJournal) {
    TempDir dir;
    ChangeGenerator generator(53);
    const ChangeSet first = generator.next(true);
    const ChangeSet journaled = generator.next(true);
    const RecordWrite record{"headers", bytes{4, 2}, bytes{7, 7, 7}};
    { LmdbDatabase db(dir.path(), fast_options()); db.commit(first); }
    ASSERT_NO_FATAL_FAILURE(make_schema_3_with_journal_entry(dir.path(), journaled, record));
    MemoryDatabase memory;
    memory.commit(first);
    memory.commit(journaled);
    {
        LmdbDatabase upgraded(dir.path(), fast_options());
        ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, upgraded));
        EXPECT_EQ(upgraded.read_record(record.table, record.key), record.value);
        EXPECT_EQ(upgraded.write_back_statistics().journal_entries, 0u);
    }
    EXPECT_EQ(metadata_value(dir.path(), "schema_version"), (bytes{0, 0, 0, static_cast<uint8_t>(LmdbDatabase::kSchemaVersion)}));
    EXPECT_EQ(table_entries(dir.path(), "journal"), 0u);
    LmdbDatabase reopened(dir.path(), fast_options());
    ASSERT_NO_FATAL_FAILURE(expect_same_state(memory, reopened));
}

// Commits kept in memory are invisible to other processes: a process that writes back has the
// directory to itself, and write-through processes may share one.
TEST(LmdbDatabase, AWriteBackProcessHasTheDirectoryToItself) {
    const auto open_in_child = [](const std::filesystem::path& path, size_t write_back_memory) {
        const pid_t child = fork();
        if (child == 0) {
            LmdbOptions options = fast_options();
            options.write_back_memory = write_back_memory;
            try {
                LmdbDatabase db(path, options);
                _exit(0);
            } catch (const DatabaseError& e) {
                _exit(std::string(e.what()).find("in use by another process") != std::string::npos ? 3 : 4);
            }
        }
        int status = 0;
        waitpid(child, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    TempDir dir;
    {
        LmdbDatabase owner(dir.path(), fast_options());
        EXPECT_EQ(open_in_child(dir.path(), 0), 3);
        EXPECT_EQ(open_in_child(dir.path(), fast_options().write_back_memory), 3);
    }
    {
        LmdbOptions shared = fast_options();
        shared.write_back_memory = 0;
        LmdbDatabase first(dir.path(), shared);
        EXPECT_EQ(open_in_child(dir.path(), 0), 0);
        EXPECT_EQ(open_in_child(dir.path(), fast_options().write_back_memory), 3);
    }
}

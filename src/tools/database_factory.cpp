#include "tools/database_factory.hpp"

#include "db/lmdb_database.hpp"
#include "state/memory_database.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <unistd.h>

namespace polyvm::tools {
namespace {
/// An LMDB database in a folder of its own under the temporary directory, removed with it.
class TemporaryLmdbDatabase final : public StateDatabase {
public:
    TemporaryLmdbDatabase() : dir_(make_dir()), db_(std::make_unique<LmdbDatabase>(dir_, options())) {}
    ~TemporaryLmdbDatabase() override {
        db_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    std::optional<AccountInfo> read_account(const Address& a) override { return db_->read_account(a); }
    uint256 read_storage(const Address& a, const uint256& k) override { return db_->read_storage(a, k); }
    std::shared_ptr<const bytes> read_code(const Hash32& h) override { return db_->read_code(h); }
    std::optional<Hash32> read_block_hash(uint64_t n) override { return db_->read_block_hash(n); }
    ChangeSet commit(const ChangeSet& c, std::span<const RecordWrite> r) override { return db_->commit(c, r); }
    CheckedCommit commit_if_root(const ChangeSet& c, std::span<const RecordWrite> r, const Hash32& root,
                                 std::optional<RecordWrite> reverse) override {
        return db_->commit_if_root(c, r, root, std::move(reverse));
    }
    Hash32 preview_root(const ChangeSet& c) override { return db_->preview_root(c); }
    std::optional<bytes> read_record(std::string_view t, bytes_view k) override { return db_->read_record(t, k); }
    void set_trie_threads(unsigned threads) override { db_->set_trie_threads(threads); }
    Hash32 state_root() override { return db_->state_root(); }
    std::vector<DumpedAccount> dump() override { return db_->dump(); }

private:
    static LmdbOptions options() {
        LmdbOptions o;
        o.sync_every_commit = false;  // a test database: nothing to keep across a power loss
        o.initial_map_size = size_t{8} << 20;
        // Testing: POLYVM_TRIE_PARALLEL_MINIMUM=N lets tries of N >= 2 changed keys update on
        // several threads (--threads), so that the fixtures' small blocks take that path too.
        if (const char* minimum = std::getenv("POLYVM_TRIE_PARALLEL_MINIMUM"))
            o.trie_parallel_minimum = std::max<size_t>(2, std::strtoull(minimum, nullptr, 10));
        return o;
    }
    static std::filesystem::path make_dir() {
        static std::atomic<uint64_t> counter{0};
        const auto dir = std::filesystem::temp_directory_path() /
                         ("polyvm-db-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir);
        return dir;
    }
    std::filesystem::path dir_;
    std::unique_ptr<LmdbDatabase> db_;
};
}  // namespace

std::vector<std::string> database_kinds() { return {"memory", "lmdb"}; }

DatabaseFactory database_factory(const std::string& kind) {
    if (kind == "lmdb") return [] { return std::make_unique<TemporaryLmdbDatabase>(); };
    return [] { return std::make_unique<MemoryDatabase>(); };
}

std::unique_ptr<StateDatabase> open_data_dir(const std::filesystem::path& dir, bool sync_every_commit,
                                             size_t max_size, std::optional<size_t> write_back_memory) {
    LmdbOptions options;
    options.sync_every_commit = sync_every_commit;
    if (write_back_memory) options.write_back_memory = *write_back_memory;
    if (max_size) {
        options.max_map_size = max_size;
        options.initial_map_size = std::min(options.initial_map_size, max_size);
    }
    return std::make_unique<LmdbDatabase>(dir, options);
}

void flush_to_disk(StateDatabase& db) {
    if (auto* lmdb = dynamic_cast<LmdbDatabase*>(&db)) lmdb->sync_to_disk();
}

}  // namespace polyvm::tools

// Differential: the incremental state root (LmdbDatabase: trie nodes kept, only touched paths
// re-hashed, write-back with its journal) against the from-scratch one (MemoryDatabase) on a
// history of change sets the input describes, over a small world so that accounts and slots are
// revisited, re-created, wiped and deleted. After every commit the roots, the reverse change sets
// and the dumps must agree; at the end the database is closed (written back) and reopened, and
// must still agree.
// Half the inputs update the tries on two threads (subtrees below a root on forks reading LMDB
// through read transactions of their own), from two writes on.
// Input: write-back entry limit and threads (1 byte) || change sets, each: count || per account: address,
// kind, nonce, balance, code, wipe, slots (bytes read as needed; the input's end ends the history).
#include "byte_reader.hpp"
#include "change_sets.hpp"
#include "fuzz_target.hpp"

#include "crypto/keccak.hpp"
#include "db/lmdb_database.hpp"
#include "state/memory_database.hpp"

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace polyvm;

namespace {

struct World {
    std::vector<Address> addresses;
    std::vector<uint256> keys;
    std::vector<std::shared_ptr<const bytes>> codes;
    World() {
        // Four neighbours in key order, and twenty spread by hashing.
        for (uint8_t i = 0; i < 24; ++i) {
            Address a;
            if (i < 4) {
                a.bytes[19] = i;
            } else {
                const Hash32 h = keccak256(bytes{i});
                std::copy(h.bytes.begin(), h.bytes.begin() + 20, a.bytes.begin());
            }
            addresses.push_back(a);
        }
        for (uint64_t i = 0; i < 12; ++i) keys.push_back(i < 6 ? uint256{i} : uint256::from_hash(keccak256(bytes{uint8_t(i)})));
        codes.push_back(std::make_shared<const bytes>());
        for (uint8_t i = 1; i < 5; ++i) codes.push_back(std::make_shared<const bytes>(bytes(i * 7u, uint8_t(0x60 + i))));
    }
};

ChangeSet next_change_set(ByteReader& in, const World& world) {
    std::map<Address, AccountChange> chosen;
    const size_t count = 1 + in.next() % 8;
    ChangeSet set;
    for (size_t n = 0; n < count; ++n) {
        AccountChange change;
        change.address = world.addresses[in.next() % world.addresses.size()];
        if (in.next() % 10 != 0) {  // else: deleted
            AccountInfo info;
            info.nonce = in.next() % 4;
            const uint8_t balance = in.next();
            info.balance = balance % 3 == 0 ? uint256{} : in.word(1 + balance % 8);
            info.has_storage = balance & 0x80;  // garbage: the database recomputes it
            if (const uint8_t code = in.next(); code % 3 == 0) {
                const auto& c = world.codes[(code / 3) % world.codes.size()];
                info.code_hash = keccak256(*c);
                set.codes.emplace_back(info.code_hash, c);
            }
            change.account = info;
        }
        change.storage_wiped = in.next() % 7 == 0;
        std::map<uint256, uint256> slots;  // also on deletions: they must be ignored
        for (size_t s = in.next() % 5; s > 0; --s) {
            const uint256 key = world.keys[in.next() % world.keys.size()];
            const uint8_t v = in.next();
            slots[key] = v % 3 == 0 ? uint256{} : in.word(1 + v % 32);
        }
        change.storage.assign(slots.begin(), slots.end());
        chosen[change.address] = std::move(change);  // one change per address, in address order
    }
    for (auto& [address, change] : chosen) set.accounts.push_back(std::move(change));
    return set;
}

bool same_dump(StateDatabase& a, StateDatabase& b) {
    const auto x = a.dump(), y = b.dump();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
        if (x[i].address != y[i].address || x[i].info != y[i].info || x[i].storage != y[i].storage) return false;
    return true;
}

/// A private folder in /dev/shm (or the temporary directory), removed when done.
struct TempFolder {
    std::filesystem::path path;
    TempFolder() {
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        std::string pattern = (base / "polyvm-fuzz-state-XXXXXX").string();
        if (!mkdtemp(pattern.data())) std::abort();
        path = pattern;
    }
    ~TempFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    static const World world;
    ByteReader in(data, size);
    LmdbOptions options;
    options.sync_every_commit = false;
    options.defer_flush = true;
    options.initial_map_size = size_t{1} << 20;
    const uint8_t setup = in.next();
    options.write_back_entries = 8 + (setup >> 1) * 8u;  // from every commit or so to never
    options.trie_threads = setup & 1 ? 2 : 1;
    options.trie_parallel_minimum = 2;
    TempFolder folder;
    MemoryDatabase memory;
    {
        LmdbDatabase lmdb(folder.path, options);
        for (int commits = 0; !in.done() && commits < 64; ++commits) {
            const ChangeSet set = next_change_set(in, world);
            const ChangeSet expected = memory.commit(set);
            const ChangeSet reverse = lmdb.commit(set);
            FUZZ_CHECK(same_change_set(expected, reverse), "both databases give the same reverse change set");
            FUZZ_CHECK(memory.state_root() == lmdb.state_root(), "the incremental root is the root from scratch");
        }
        FUZZ_CHECK(same_dump(memory, lmdb), "both databases hold the same state");
    }  // closing writes back what is kept in memory
    LmdbDatabase reopened(folder.path, options);
    FUZZ_CHECK(memory.state_root() == reopened.state_root(), "the reopened database has the same root");
    FUZZ_CHECK(same_dump(memory, reopened), "the reopened database holds the same state");
    return 0;
}

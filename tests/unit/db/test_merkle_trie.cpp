// The persistent trie against state/trie.hpp's from-scratch root: official vectors, and random
// batches of inserts and deletes after which the stored nodes must be exactly those of a trie
// built at once from the surviving entries (nothing stale, everything canonical).
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "db/merkle_trie.hpp"
#include "fixtures_path.hpp"
#include "state/database.hpp"
#include "state/trie.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <random>

using namespace polyvm;
using namespace polyvm::mpt;
using nlohmann::json;

namespace {

bytes fixture_bytes(const std::string& s) {
    if (s.rfind("0x", 0) == 0) {
        auto b = from_hex(s);
        EXPECT_TRUE(b.has_value()) << "bad hex: " << s;
        return b.value_or(bytes{});
    }
    return bytes(s.begin(), s.end());
}

Hash32 reference_root(const std::map<bytes, bytes>& entries) {
    return trie_root(std::vector<std::pair<bytes, bytes>>(entries.begin(), entries.end()));
}

/// The nodes a trie holding exactly `entries` has when built in one batch.
std::map<bytes, bytes> fresh_nodes(const std::map<bytes, bytes>& entries) {
    MemoryTrieNodeStore store;
    std::vector<TrieWrite> writes;
    for (const auto& [k, v] : entries) writes.push_back({k, v});
    update_trie(store, writes);
    return store.nodes();
}

/// Runs a root-vector file twice: one write per update, and all writes in one batch.
size_t run_root_file(const std::string& file, bool secure) {
    std::ifstream in(test::fixtures_root() / "trie" / file);
    const json j = json::parse(in);
    size_t cases = 0;
    for (const auto& [name, tc] : j.items()) {
        SCOPED_TRACE(file + ":" + name);
        std::vector<TrieWrite> writes;
        auto add = [&](const std::string& k, const json& v) {
            bytes key = fixture_bytes(k);
            if (secure) {
                const Hash32 h = keccak256(key);
                key.assign(h.bytes.begin(), h.bytes.end());
            }
            writes.push_back({std::move(key), v.is_null() ? bytes{} : fixture_bytes(v.get<std::string>())});
        };
        if (tc["in"].is_array()) {
            for (const auto& kv : tc["in"]) add(kv[0].get<std::string>(), kv[1]);
        } else {
            for (const auto& [k, v] : tc["in"].items()) add(k, v);
        }
        const Hash32 expected = *hash_from_hex(tc["root"].get<std::string>());

        MemoryTrieNodeStore one_by_one;
        for (const TrieWrite& w : writes) update_trie(one_by_one, std::span(&w, 1));
        EXPECT_EQ(to_hex(stored_trie_root(one_by_one)), to_hex(expected));

        MemoryTrieNodeStore batch;
        EXPECT_EQ(to_hex(update_trie(batch, writes)), to_hex(expected));
        EXPECT_EQ(one_by_one.nodes(), batch.nodes());
        ++cases;
    }
    return cases;
}

}  // namespace

TEST(MerkleTrie, EmptyTrie) {
    MemoryTrieNodeStore store;
    EXPECT_EQ(stored_trie_root(store), kEmptyTrieRoot);
    EXPECT_EQ(update_trie(store, {}), kEmptyTrieRoot);
    const std::vector<TrieWrite> put{{bytes{1, 2}, bytes{3}}};
    EXPECT_NE(update_trie(store, put), kEmptyTrieRoot);
    const std::vector<TrieWrite> erase{{bytes{1, 2}, bytes{}}};
    EXPECT_EQ(update_trie(store, erase), kEmptyTrieRoot);
    EXPECT_TRUE(store.nodes().empty());
    // Deleting an absent key from an empty trie stores nothing.
    EXPECT_EQ(update_trie(store, erase), kEmptyTrieRoot);
    EXPECT_TRUE(store.nodes().empty());
}

TEST(MerkleTrie, LastWriteOfABatchWins) {
    MemoryTrieNodeStore store;
    const std::vector<TrieWrite> writes{{bytes{1}, bytes{1}}, {bytes{2}, bytes{2}}, {bytes{1}, bytes{}}, {bytes{2}, bytes{5}}};
    EXPECT_EQ(update_trie(store, writes), reference_root({{bytes{2}, bytes{5}}}));
}

TEST(MerkleTrie, RootVectors) {
    POLYVM_REQUIRE_FIXTURES(dir, "trie");
    size_t cases = 0;
    cases += run_root_file("trietest.json", false);
    cases += run_root_file("trieanyorder.json", false);
    cases += run_root_file("trietest_secureTrie.json", true);
    cases += run_root_file("trieanyorder_secureTrie.json", true);
    cases += run_root_file("hex_encoded_securetrie_test.json", true);
    EXPECT_EQ(cases, 25u);
}

// Short keys over a 2-symbol alphabet: many keys are prefixes of others (branch values), paths
// share long runs (extensions), and deletes collapse branches often.
TEST(MerkleTrie, RandomBatchesOfPrefixKeys) {
    std::mt19937_64 rng(11);
    MemoryTrieNodeStore store;
    std::map<bytes, bytes> reference;
    for (int round = 0; round < 400; ++round) {
        std::vector<TrieWrite> writes;
        const size_t count = 1 + rng() % (round % 7 == 0 ? 40 : 5);
        for (size_t i = 0; i < count; ++i) {
            bytes key(rng() % 5);
            for (auto& b : key) b = static_cast<uint8_t>(rng() % 2 == 0 ? 0x00 : 0x11 * (rng() % 2 + 1));
            bytes value;
            if (rng() % 3 != 0) value.assign(1 + rng() % (rng() % 4 == 0 ? 40 : 3), static_cast<uint8_t>(rng()));
            if (value.empty())
                reference.erase(key);
            else
                reference[key] = value;
            writes.push_back({std::move(key), std::move(value)});
        }
        SCOPED_TRACE("round " + std::to_string(round));
        ASSERT_EQ(to_hex(update_trie(store, writes)), to_hex(reference_root(reference)));
        ASSERT_EQ(store.nodes(), fresh_nodes(reference));
    }
}

// Hashed keys as in the state trie, growing to a few thousand entries then shrinking to none.
TEST(MerkleTrie, RandomBatchesOfHashedKeys) {
    std::mt19937_64 rng(5);
    MemoryTrieNodeStore store;
    std::map<bytes, bytes> reference;
    std::vector<bytes> keys;
    for (int i = 0; i < 3000; ++i) {
        const Hash32 h = keccak256(bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8)});
        keys.emplace_back(h.bytes.begin(), h.bytes.end());
    }
    for (int round = 0; round < 60; ++round) {
        const bool shrinking = round >= 40;
        std::vector<TrieWrite> writes;
        const size_t count = round % 10 == 0 ? 600 : 1 + rng() % 30;
        for (size_t i = 0; i < count; ++i) {
            const bytes& key = keys[rng() % keys.size()];
            bytes value;
            if (rng() % (shrinking ? 10 : 4) == 0) value.assign(1 + rng() % 80, static_cast<uint8_t>(rng()));
            if (!shrinking && value.empty()) value.assign(1 + rng() % 80, static_cast<uint8_t>(rng()));
            if (value.empty())
                reference.erase(key);
            else
                reference[key] = value;
            writes.push_back({key, std::move(value)});
        }
        SCOPED_TRACE("round " + std::to_string(round));
        ASSERT_EQ(update_trie(store, writes), reference_root(reference));
    }
    EXPECT_EQ(store.nodes(), fresh_nodes(reference));
    std::vector<TrieWrite> erase_all;
    for (const auto& [k, v] : reference) erase_all.push_back({k, {}});
    EXPECT_EQ(update_trie(store, erase_all), kEmptyTrieRoot);
    EXPECT_TRUE(store.nodes().empty());
}

namespace {

/// A store that keeps leaves by their parts, as the state database's account trie does.
class LeafPartsStore final : public TrieNodeStore {
public:
    struct Leaf {
        std::vector<uint8_t> rest;
        bytes value, extra;
    };
    std::optional<StoredNode> load(NibblePath path) override {
        const bytes key(path.begin(), path.end());
        StoredNode out;
        if (const auto it = nodes.find(key); it != nodes.end()) {
            out.encoded = it->second;
            return out;
        }
        const auto it = leaves.find(key);
        if (it == leaves.end()) return std::nullopt;
        out.rest = it->second.rest;
        out.value = it->second.value;
        out.extra = it->second.extra;
        return out;
    }
    void store_node(NibblePath path, bytes_view encoded) override {
        const bytes key(path.begin(), path.end());
        leaves.erase(key);
        nodes[key] = bytes(encoded.begin(), encoded.end());
    }
    void store_leaf(NibblePath path, NibblePath rest, bytes_view value, bytes_view extra, bytes_view) override {
        const bytes key(path.begin(), path.end());
        nodes.erase(key);
        leaves[key] = Leaf{{rest.begin(), rest.end()}, bytes(value.begin(), value.end()), bytes(extra.begin(), extra.end())};
    }
    void remove(NibblePath path) override {
        const bytes key(path.begin(), path.end());
        nodes.erase(key);
        leaves.erase(key);
    }

    std::map<bytes, bytes> nodes;  // branches and extensions
    std::map<bytes, Leaf> leaves;
};

}  // namespace

// Leaves' extra bytes (here the preimage of the hashed key, and a write counter) stay with their
// leaves as branches split and collapse around them; a store may keep leaves by their parts.
TEST(MerkleTrie, ExtraBytesStayWithTheirLeaves) {
    std::mt19937_64 rng(17);
    MemoryTrieNodeStore encoded_store;
    LeafPartsStore parts_store;
    std::map<bytes, bytes> reference;
    std::map<bytes, bytes> extras;  // by key
    std::vector<bytes> preimages;
    for (int i = 0; i < 300; ++i) preimages.push_back(bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8)});
    for (int round = 0; round < 200; ++round) {
        std::vector<TrieWrite> writes;
        const size_t count = 1 + rng() % (round % 20 == 0 ? 150 : 12);
        for (size_t i = 0; i < count; ++i) {
            const bytes& preimage = preimages[rng() % preimages.size()];
            const Hash32 h = keccak256(preimage);
            const bytes key(h.bytes.begin(), h.bytes.end());
            bytes value;
            if (rng() % 3 != 0) value.assign(1 + rng() % 40, static_cast<uint8_t>(rng()));
            bytes extra = preimage;
            extra.push_back(static_cast<uint8_t>(round));
            if (value.empty()) {
                reference.erase(key);
                extras.erase(key);
            } else {
                reference[key] = value;
                extras[key] = extra;
            }
            writes.push_back({key, std::move(value), std::move(extra)});
        }
        SCOPED_TRACE("round " + std::to_string(round));
        const Hash32 expected = reference_root(reference);
        ASSERT_EQ(update_trie(encoded_store, writes), expected);
        ASSERT_EQ(update_trie(parts_store, writes), expected);
        ASSERT_EQ(stored_trie_root(parts_store), expected);
        // One leaf per key, on the key's path, with the key's latest extra bytes.
        ASSERT_EQ(encoded_store.extras().size(), reference.size());
        ASSERT_EQ(parts_store.leaves.size(), reference.size());
        for (const auto& [path, leaf] : parts_store.leaves) {
            bytes key_nibbles = path;
            key_nibbles.insert(key_nibbles.end(), leaf.rest.begin(), leaf.rest.end());
            bytes key;
            for (size_t n = 0; n + 1 < key_nibbles.size(); n += 2)
                key.push_back(static_cast<uint8_t>(key_nibbles[n] << 4 | key_nibbles[n + 1]));
            ASSERT_EQ(reference.at(key), leaf.value);
            ASSERT_EQ(extras.at(key), leaf.extra);
            ASSERT_EQ(encoded_store.extras().at(path), leaf.extra);
        }
    }
    std::vector<TrieWrite> erase_all;
    for (const auto& [k, v] : reference) erase_all.push_back({k, {}});
    EXPECT_EQ(update_trie(parts_store, erase_all), kEmptyTrieRoot);
    EXPECT_TRUE(parts_store.nodes.empty() && parts_store.leaves.empty());
}

TEST(MerkleTrie, CorruptNodeIsADatabaseError) {
    MemoryTrieNodeStore store;
    const std::vector<TrieWrite> writes{{bytes{0x10}, bytes{1}}, {bytes{0x20}, bytes{2}}};
    update_trie(store, writes);
    store.store(std::vector<uint8_t>{1}, bytes{0xc0});  // an empty list is no node
    const std::vector<TrieWrite> more{{bytes{0x11}, bytes{3}}};
    EXPECT_THROW(update_trie(store, more), DatabaseError);
    store.remove(std::vector<uint8_t>{1});  // a branch's child missing
    EXPECT_THROW(update_trie(store, more), DatabaseError);
    store.store({}, bytes{0x01, 0x02});
    EXPECT_THROW(update_trie(store, more), DatabaseError);
}

TEST(MerkleTrie, DamagedBranchesAreDatabaseErrors) {
    // A root branch over two leaves, then the root replaced by branches damaged one way each:
    // whether the fast branch reader or the general one meets them, each is rejected.
    const std::vector<TrieWrite> writes{{bytes(32, 0x10), bytes(40, 1)}, {bytes(32, 0x20), bytes(40, 2)}};
    const std::vector<TrieWrite> more{{bytes(32, 0x30), bytes(40, 3)}};
    MemoryTrieNodeStore good;
    const Hash32 root = update_trie(good, writes);
    const bytes branch = good.nodes().at(bytes{});
    ASSERT_EQ(branch.size(), 2 + 2 * 33 + 14 + 1);  // a long list's header, two hashes, 14 empty, no value
    const auto branch_with = [](const std::vector<bytes>& items) {
        rlp::ListBuilder list;
        for (const bytes& item : items) list.add_raw(item);
        return list.finish();
    };
    bytes hash_item(33, 0x55);
    hash_item[0] = 0xa0;
    bytes short_hash(32, 0x55);
    short_hash[0] = 0x9f;  // a 31-byte string: no reference
    bytes long_embedded(33, 0x01);
    long_embedded[0] = 0xc0 + 32;  // an embedded node of 33 bytes: it would be hashed
    const bytes empty{0x80};
    std::vector<bytes> items(17, empty);
    const std::vector<std::pair<std::vector<bytes>, const char*>> damaged = {
        {[&] { auto v = items; v[1] = hash_item; v[2] = short_hash; return v; }(), "31-byte reference"},
        {[&] { auto v = items; v[1] = hash_item; v[2] = long_embedded; return v; }(), "long embedded node"},
        {[&] { auto v = items; v[1] = hash_item; return v; }(), "one child, no value"},
        {[&] { auto v = items; v[1] = hash_item; v[2] = hash_item; v[16] = bytes{0xc0}; return v; }(), "list value"},
        {[&] { auto v = items; v[1] = hash_item; v[2] = hash_item; v.push_back(empty); return v; }(), "18 items"},
        {[&] { auto v = items; v[1] = hash_item; v[2] = hash_item; v.pop_back(); return v; }(), "16 items"},
    };
    for (const auto& [damage, what] : damaged) {
        MemoryTrieNodeStore store;
        update_trie(store, writes);
        store.store({}, branch_with(damage));
        EXPECT_THROW(update_trie(store, more), DatabaseError) << what;
    }
    // The same branch rebuilt item by item reads back as it was: the update gives the root that
    // a store never damaged gives.
    MemoryTrieNodeStore rebuilt;
    update_trie(rebuilt, writes);
    rebuilt.store({}, branch);
    EXPECT_EQ(stored_trie_root(rebuilt), root);
    EXPECT_EQ(update_trie(rebuilt, more), update_trie(good, more));
}

TEST(MerkleTrie, PackedPathKeys) {
    bytes out;
    append_packed_path(out, std::vector<uint8_t>{});
    EXPECT_EQ(out, (bytes{0}));
    out.clear();
    append_packed_path(out, std::vector<uint8_t>{1});
    EXPECT_EQ(out, (bytes{0x10, 1}));
    out.clear();
    append_packed_path(out, std::vector<uint8_t>{1, 0});
    EXPECT_EQ(out, (bytes{0x10, 2}));
    out.clear();
    append_packed_path(out, std::vector<uint8_t>{0xa, 0xb, 0xc});
    EXPECT_EQ(out, (bytes{0xab, 0xc0, 3}));
    EXPECT_THROW(append_packed_path(out, std::vector<uint8_t>(256, 1)), DatabaseError);
}

// update_trie on several threads (a store that forks): the same roots and exactly the same
// stored nodes as on one thread, through batches that grow the root branch, rewrite most of it,
// leave it one child (the branch collapses into the root, which reads a child a fork wrote) and
// empty it; batches below kParallelTrieUpdateMinimum stay on one thread.
TEST(MerkleTrie, UpdatesOnSeveralThreadsStoreTheSameNodes) {
    std::mt19937_64 rng(11);
    MemoryTrieNodeStore one_thread, several(true);
    std::map<bytes, bytes> reference;
    std::vector<bytes> keys;
    for (int i = 0; i < 4000; ++i) {
        const Hash32 h = keccak256(bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 7});
        keys.emplace_back(h.bytes.begin(), h.bytes.end());
    }
    const auto apply = [&](const std::vector<TrieWrite>& writes) {
        for (const TrieWrite& w : writes) {
            if (w.value.empty())
                reference.erase(w.key);
            else
                reference[w.key] = w.value;
        }
        const Hash32 expected = update_trie(one_thread, writes);
        ASSERT_EQ(update_trie(several, writes, 3), expected);
        ASSERT_EQ(expected, reference_root(reference));
        ASSERT_EQ(several.nodes(), one_thread.nodes());
        ASSERT_EQ(several.extras(), one_thread.extras());
    };
    for (int round = 0; round < 12; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        std::vector<TrieWrite> writes;
        const size_t count = round == 0 ? 1 : round % 3 == 0 ? 40 : 300 + rng() % 900;
        for (size_t i = 0; i < count; ++i) {
            const bytes& key = keys[rng() % keys.size()];
            bytes value;
            if (rng() % 5 != 0) value.assign(1 + rng() % 60, static_cast<uint8_t>(rng()));
            writes.push_back({key, std::move(value), bytes{static_cast<uint8_t>(round)}});
        }
        ASSERT_NO_FATAL_FAILURE(apply(writes));
    }
    // Every key but those under one nibble of the root's, then all of them.
    std::vector<TrieWrite> all_but_one_subtree, everything;
    const uint8_t kept = reference.begin()->first[0] >> 4;
    for (const auto& [key, value] : reference) {
        if (key[0] >> 4 != kept) all_but_one_subtree.push_back({key, {}});
        everything.push_back({key, {}});
    }
    ASSERT_GE(all_but_one_subtree.size(), kParallelTrieUpdateMinimum);
    ASSERT_NO_FATAL_FAILURE(apply(all_but_one_subtree));
    ASSERT_FALSE(reference.empty());
    for (int i = 0; i < 400; ++i) everything.push_back({keys[rng() % keys.size()], bytes{1, 2, 3}});  // re-grow, then...
    ASSERT_NO_FATAL_FAILURE(apply(everything));
    std::vector<TrieWrite> erase_all;
    for (const auto& [k, v] : reference) erase_all.push_back({k, {}});
    for (int i = 0; i < 300; ++i) erase_all.push_back({keys[rng() % keys.size()], {}});  // absent keys too
    ASSERT_NO_FATAL_FAILURE(apply(erase_all));
    EXPECT_TRUE(several.nodes().empty());
}

// EntryMap, the write-back deltas' hash map, checked against std::map over random operations,
// with a good hash and with one that puts every key in the same probe run (collisions, wrap-
// around and backward-shift deletion are then on every path).
#include "db/entry_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

using namespace polyvm;

namespace {
struct MixedHash {
    uint64_t operator()(bytes_view key) const noexcept {
        uint64_t h = 0x9e3779b97f4a7c15ull ^ key.size();
        for (uint8_t b : key) h = (h ^ b) * 0x100000001b3ull;
        return h ^ (h >> 29);
    }
};
struct CollidingHash {
    uint64_t operator()(bytes_view key) const noexcept { return key.empty() ? 7 : 7 + (key[0] & 1); }
};

bytes key_of(uint32_t n, size_t size) {
    bytes key(size);
    for (size_t i = 0; i < size; ++i) key[i] = static_cast<uint8_t>(n >> (8 * (i % 4)));
    return key;
}

template <typename Hash>
void check_equal(const EntryMap<Hash>& map, const std::map<bytes, std::optional<bytes>>& expected) {
    ASSERT_EQ(map.size(), expected.size());
    size_t visited = 0;
    map.for_each([&](const auto& entry) {
        ++visited;
        const auto it = expected.find(bytes(entry.key().begin(), entry.key().end()));
        ASSERT_NE(it, expected.end());
        EXPECT_EQ(entry.value, it->second);
    });
    EXPECT_EQ(visited, expected.size());
    for (const auto& [key, value] : expected) {
        const auto* found = map.find(key);
        ASSERT_NE(found, nullptr);
        EXPECT_EQ(found->value, value);
    }
}

template <typename Hash>
void random_operations(uint32_t key_space, size_t key_size, int steps) {
    std::mt19937 rng(12345);
    EntryMap<Hash> map;
    std::map<bytes, std::optional<bytes>> expected;
    for (int step = 0; step < steps; ++step) {
        const bytes key = key_of(rng() % key_space, key_size);
        switch (rng() % 4) {
        case 0:
        case 1: {  // insert or overwrite; sometimes a deleted marker (nullopt)
            const auto [entry, added] = map.try_emplace(key);
            EXPECT_EQ(added, !expected.contains(key));
            EXPECT_TRUE(std::equal(entry->key().begin(), entry->key().end(), key.begin(), key.end()));
            std::optional<bytes> value;
            if (rng() % 5) value = bytes(rng() % 40, static_cast<uint8_t>(step));
            entry->value = value;
            expected[key] = value;
            break;
        }
        case 2:  // erase
            if (auto* entry = map.find(key)) {
                ASSERT_TRUE(expected.contains(key));
                map.erase(entry);
                expected.erase(key);
            } else {
                EXPECT_FALSE(expected.contains(key));
            }
            break;
        default:  // lookup
            EXPECT_EQ(map.find(key) != nullptr, expected.contains(key));
            break;
        }
    }
    check_equal(map, expected);
}
}  // namespace

TEST(EntryMap, MatchesAnOrderedMapOverRandomOperations) {
    random_operations<MixedHash>(5'000, 20, 60'000);
    random_operations<MixedHash>(300, 0, 2'000);  // the empty key, among others of length 0: one key
    random_operations<MixedHash>(100'000, 53, 30'000);
}

TEST(EntryMap, CollidingHashesStillFindEveryKey) { random_operations<CollidingHash>(400, 8, 8'000); }

TEST(EntryMap, KeysStayInPlaceWhileTheMapGrows) {
    EntryMap<MixedHash> map;
    const auto [first, added] = map.try_emplace(key_of(1, 32));
    ASSERT_TRUE(added);
    const bytes_view view = first->key();
    for (uint32_t n = 2; n < 10'000; ++n) map.try_emplace(key_of(n, 32));
    EXPECT_EQ(map.find(key_of(1, 32)), first);  // the same entry, so views of its key held
    EXPECT_EQ(bytes(view.begin(), view.end()), key_of(1, 32));
}

TEST(EntryMap, AbsorbMovesEntriesAndMergesValues) {
    EntryMap<MixedHash> older;
    EntryMap<MixedHash> newer;
    older.try_emplace(key_of(1, 4)).first->value = bytes{1};
    older.try_emplace(key_of(2, 4)).first->value = bytes{2};
    newer.try_emplace(key_of(2, 4)).first->value = std::nullopt;  // deletes 2
    auto* moved = newer.try_emplace(key_of(3, 4)).first;
    moved->value = bytes{3};
    size_t replaced = 0;
    std::vector<const void*> added;
    older.absorb(
        std::move(newer), [&](auto& existing, std::optional<bytes>&& value) { existing.value = std::move(value), ++replaced; },
        [&](auto& entry) { added.push_back(&entry); });
    EXPECT_TRUE(newer.empty());
    EXPECT_EQ(replaced, 1u);
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0], moved);  // moved as it was, not copied
    EXPECT_EQ(older.size(), 3u);
    EXPECT_EQ(older.find(key_of(1, 4))->value, bytes{1});
    EXPECT_EQ(older.find(key_of(2, 4))->value, std::nullopt);
    EXPECT_EQ(older.find(key_of(3, 4)), moved);
}

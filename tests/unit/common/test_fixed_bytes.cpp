// FixedBytes' ordering (addresses and hashes sort change sets, key ordered maps and trie
// updates): its word-wise comparison must order exactly as the bytes do.
#include "common/types.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace polyvm;

namespace {

template <size_t N>
std::strong_ordering byte_order(const FixedBytes<N>& a, const FixedBytes<N>& b) {
    for (size_t i = 0; i < N; ++i)
        if (a.bytes[i] != b.bytes[i]) return a.bytes[i] < b.bytes[i] ? std::strong_ordering::less : std::strong_ordering::greater;
    return std::strong_ordering::equal;
}

/// Pairs that differ in one byte at every position (and in none), with values on both sides of
/// 0x80, and random pairs: each compared both ways.
template <size_t N>
void check_ordering(std::mt19937_64& random) {
    for (int round = 0; round < 2000; ++round) {
        FixedBytes<N> a, b;
        for (auto& byte : a.bytes) byte = static_cast<uint8_t>(random());
        b = a;
        if (round % 4 != 3) {
            const size_t at = random() % N;
            b.bytes[at] = static_cast<uint8_t>(random());
            for (size_t i = at + 1; i < N; ++i) b.bytes[i] = static_cast<uint8_t>(random());  // later bytes must not count
        } else if (round % 8 == 7) {
            for (auto& byte : b.bytes) byte = static_cast<uint8_t>(random());
        }
        ASSERT_EQ(a <=> b, byte_order(a, b)) << "N = " << N << ", round " << round;
        ASSERT_EQ(b <=> a, byte_order(b, a)) << "N = " << N << ", round " << round;
        ASSERT_EQ(a < b, byte_order(a, b) < 0);
        ASSERT_EQ(a == b, byte_order(a, b) == 0);
    }
}

}  // namespace

TEST(FixedBytes, OrdersAsItsBytes) {
    std::mt19937_64 random(11);
    check_ordering<20>(random);
    check_ordering<32>(random);
    check_ordering<4>(random);
    check_ordering<7>(random);
    check_ordering<256>(random);
}

TEST(FixedBytes, SortsAsItsBytes) {
    std::mt19937_64 random(12);
    std::vector<FixedBytes<20>> addresses(500);
    for (auto& address : addresses)
        for (auto& byte : address.bytes) byte = static_cast<uint8_t>(random() % 4 == 0 ? 0 : random());
    std::vector<FixedBytes<20>> by_bytes = addresses;
    std::sort(addresses.begin(), addresses.end());
    std::sort(by_bytes.begin(), by_bytes.end(), [](const auto& a, const auto& b) { return byte_order(a, b) < 0; });
    EXPECT_EQ(addresses, by_bytes);
}

TEST(FixedBytes, OrdersAtCompileTime) {
    constexpr FixedBytes<20> low{{0x01, 0xff}}, high{{0x02}};
    static_assert(low < high && high > low && (low <=> low) == 0);
}

// Keccak-f[1600] and Keccak-256: the portable scalar, the BMI2 and the AVX-512 permutations
// against each other and against the Keccak team's published values, and keccak256 (whichever permutation this CPU
// dispatches to) against a sponge built here on the scalar permutation.
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "crypto/keccak_cache.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

using namespace polyvm;

namespace {

// Keccak-f[1600] applied once to the all-zero state: the Keccak team's
// KeccakF-1600-IntermediateValues.txt, lanes in the order A[0,0], A[1,0], ..., A[4,4].
constexpr uint64_t kZeroStatePermuted[25] = {
    0xF1258F7940E1DDE7ULL, 0x84D5CCF933C0478AULL, 0xD598261EA65AA9EEULL, 0xBD1547306F80494DULL,
    0x8B284E056253D057ULL, 0xFF97A42D7F8E6FD4ULL, 0x90FEE5A0A44647C4ULL, 0x8C5BDA0CD6192E76ULL,
    0xAD30A6F71B19059CULL, 0x30935AB7D08FFC64ULL, 0xEB5AA93F2317D635ULL, 0xA9A6E6260D712103ULL,
    0x81A57C16DBCF555FULL, 0x43B831CD0347C826ULL, 0x01F22F1A11A5569FULL, 0x05E5635A21D9AE61ULL,
    0x64BEFEF28CC970F2ULL, 0x613670957BC46611ULL, 0xB87C5A554FD00ECBULL, 0x8C3EE88A1CCF32C8ULL,
    0x940C7922AE3A2614ULL, 0x1841F924A2C509E4ULL, 0x16F53526E70465C2ULL, 0x75F644E97F30A13BULL,
    0xEAF1FF7B5CECA249ULL,
};

void expect_lanes_eq(const uint64_t* actual, const uint64_t* expected) {
    for (int i = 0; i < 25; ++i) EXPECT_EQ(actual[i], expected[i]) << "lane " << i;
}

// Keccak-256 as a plain sponge over the scalar permutation: rate 136 bytes, padding 0x01 ... 0x80.
Hash32 reference_keccak256(bytes_view data) {
    constexpr size_t rate = 136;
    bytes padded(data.begin(), data.end());
    padded.push_back(0x01);
    while (padded.size() % rate != 0) padded.push_back(0x00);
    padded.back() |= 0x80;
    uint64_t state[25] = {};
    for (size_t block = 0; block < padded.size(); block += rate) {
        for (size_t i = 0; i < rate / 8; ++i) {
            uint64_t lane = 0;
            for (size_t b = 0; b < 8; ++b) lane |= uint64_t{padded[block + 8 * i + b]} << (8 * b);
            state[i] ^= lane;
        }
        detail::keccak_f1600_scalar(state);
    }
    Hash32 h;
    for (size_t i = 0; i < 32; ++i) h[i] = static_cast<uint8_t>(state[i / 8] >> (8 * (i % 8)));
    return h;
}

}  // namespace

TEST(KeccakF1600, ScalarZeroStateMatchesKeccakTeam) {
    uint64_t state[25] = {};
    detail::keccak_f1600_scalar(state);
    EXPECT_EQ(state[0], 0xF1258F7940E1DDE7ULL);
    expect_lanes_eq(state, kZeroStatePermuted);
}

// The CPU-specific permutations, each checked against the portable one where this CPU has it.
struct CpuSpecificPermutation {
    const char* name;
    void (*permute)(uint64_t*) noexcept;
    bool (*available)() noexcept;
};

class KeccakF1600CpuSpecific : public ::testing::TestWithParam<CpuSpecificPermutation> {
protected:
    void SetUp() override {
        if (!GetParam().available()) GTEST_SKIP() << "this CPU lacks what " << GetParam().name << " needs";
    }
};

INSTANTIATE_TEST_SUITE_P(Permutations, KeccakF1600CpuSpecific,
                         ::testing::Values(CpuSpecificPermutation{"bmi2", detail::keccak_f1600_bmi2,
                                                                  detail::keccak_f1600_bmi2_available},
                                           CpuSpecificPermutation{"avx512", detail::keccak_f1600_avx512,
                                                                  detail::keccak_f1600_avx512_available}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(KeccakF1600CpuSpecific, ZeroStateMatchesKeccakTeam) {
    uint64_t state[25] = {};
    GetParam().permute(state);
    EXPECT_EQ(state[0], 0xF1258F7940E1DDE7ULL);
    expect_lanes_eq(state, kZeroStatePermuted);
}

TEST_P(KeccakF1600CpuSpecific, MatchesScalarOnRandomStates) {
    std::mt19937_64 rng(0x6b656363616b);
    for (int n = 0; n < 10000; ++n) {
        uint64_t scalar[25], specific[25];
        for (uint64_t& lane : scalar) lane = rng();
        std::memcpy(specific, scalar, sizeof(scalar));
        detail::keccak_f1600_scalar(scalar);
        GetParam().permute(specific);
        ASSERT_EQ(std::memcmp(scalar, specific, sizeof(scalar)), 0) << "random state " << n;
    }
}

TEST_P(KeccakF1600CpuSpecific, MatchesScalarOnSparseStates) {
    // One bit set, at every position: a wrong lane or rotation shows up at once.
    for (int bit = 0; bit < 1600; ++bit) {
        uint64_t scalar[25] = {}, specific[25] = {};
        scalar[bit / 64] = specific[bit / 64] = uint64_t{1} << (bit % 64);
        detail::keccak_f1600_scalar(scalar);
        GetParam().permute(specific);
        ASSERT_EQ(std::memcmp(scalar, specific, sizeof(scalar)), 0) << "bit " << bit;
    }
}

TEST(KeccakF1600, DispatchedMatchesScalarOnChainedStates) {
    uint64_t dispatched[25] = {}, scalar[25] = {};
    for (int n = 0; n < 1000; ++n) {
        keccak_f1600(dispatched);
        detail::keccak_f1600_scalar(scalar);
    }
    expect_lanes_eq(dispatched, scalar);
}

TEST(Keccak256, KnownVectors) {
    EXPECT_EQ(to_hex(keccak256(std::string_view(""))), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(to_hex(keccak256(std::string_view("abc"))), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    EXPECT_EQ(to_hex(keccak256(std::string_view("The quick brown fox jumps over the lazy dog"))),
              "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(Keccak256, MatchesScalarSpongeAcrossBlockBoundaries) {
    std::mt19937_64 rng(42);
    bytes data;
    for (size_t len = 0; len <= 3 * 136 + 1; ++len) {
        EXPECT_EQ(keccak256(data), reference_keccak256(data)) << "length " << len;
        data.push_back(static_cast<uint8_t>(rng()));
    }
}

// The one-block path for 64 bytes, on random words and on words whose bytes are all 0x00 or 0xff
// (the padding lanes right after them must not depend on the input).
TEST(Keccak256, SixtyFourByteWordsMatchTheScalarSponge) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000; ++i) {
        uint64_t words[8];
        for (auto& word : words) word = i < 2 ? (i == 0 ? 0 : ~uint64_t{0}) : rng();
        uint8_t bytes_in[64];
        std::memcpy(bytes_in, words, sizeof bytes_in);  // little-endian lanes, as on x86-64 and AArch64
        ASSERT_EQ(keccak256_64(words), reference_keccak256(bytes_view{bytes_in, 64})) << "draw " << i;
    }
}

// The per-thread cache of fixed-size inputs gives keccak256's answer, for values that stay in
// it, values that replace each other in one slot (more values than slots), and both sizes.
TEST(Keccak, CachedHashesEqualDirectOnes) {
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t i = 0; i < 3000; ++i) {
            Address address;
            Hash32 slot;
            for (size_t b = 0; b < 4; ++b) {
                address.bytes[19 - b] = static_cast<uint8_t>(i >> (8 * b));
                slot.bytes[b] = static_cast<uint8_t>((i * 7919) >> (8 * b));
            }
            ASSERT_EQ(cached_keccak256(address), keccak256(address)) << "address " << i;
            ASSERT_EQ(cached_keccak256(slot), keccak256(slot)) << "slot " << i;
        }
    }
}

// BLAKE2b compression: RFC 7693 Appendix A, OpenSSL's BLAKE2b-512 as an independent
// implementation, and a plain transcription of RFC 7693 section 3.2 for odd round counts.
#include "common/hex.hpp"
#include "crypto/blake2f.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <bit>
#include <cstring>
#include <random>
#include <string>

using namespace polyvm;

namespace {

constexpr uint64_t kIV[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                             0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

std::string state_hex(const uint64_t h[8]) {
    uint8_t out[64];
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) out[8 * i + j] = static_cast<uint8_t>(h[i] >> (8 * j));
    return to_hex(bytes_view{out, 64});
}

/// Unkeyed BLAKE2b-512 of a whole message, block by block through blake2b_compress (RFC 7693 3.3).
std::string blake2b512(bytes_view msg) {
    uint64_t h[8];
    std::memcpy(h, kIV, sizeof(h));
    h[0] ^= 0x01010040;  // parameter block: digest length 64, no key, fanout 1, depth 1
    uint64_t t[2] = {0, 0};
    size_t pos = 0;
    do {
        const size_t n = std::min<size_t>(128, msg.size() - pos);
        const bool last = pos + n == msg.size();
        uint8_t block[128] = {};
        if (n) std::memcpy(block, msg.data() + pos, n);
        uint64_t m[16];
        for (int i = 0; i < 16; ++i) {
            m[i] = 0;
            for (int j = 0; j < 8; ++j) m[i] |= uint64_t{block[8 * i + j]} << (8 * j);
        }
        t[0] += n;
        blake2b_compress(12, h, m, t, last);
        pos += n;
    } while (pos < msg.size());
    return state_hex(h);
}

std::string openssl_blake2b512(bytes_view msg) {
    uint8_t out[64];
    unsigned len = 0;
    EXPECT_EQ(EVP_Digest(msg.data(), msg.size(), out, &len, EVP_blake2b512(), nullptr), 1);
    return to_hex(bytes_view{out, len});
}

/// RFC 7693 section 3.2 written as plainly as possible, for comparison with the unrolled code.
void reference_compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool last) {
    static constexpr uint8_t sigma[10][16] = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};
    uint64_t v[16];
    for (int i = 0; i < 8; ++i) v[i] = h[i], v[i + 8] = kIV[i];
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (last) v[14] = ~v[14];
    auto G = [&](int a, int b, int c, int d, uint64_t x, uint64_t y) {
        v[a] = v[a] + v[b] + x;
        v[d] = std::rotr(v[d] ^ v[a], 32);
        v[c] = v[c] + v[d];
        v[b] = std::rotr(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = std::rotr(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = std::rotr(v[b] ^ v[c], 63);
    };
    for (uint32_t r = 0; r < rounds; ++r) {
        const uint8_t* s = sigma[r % 10];
        G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

}  // namespace

TEST(Blake2b, Rfc7693AppendixA) {
    EXPECT_EQ(blake2b512(as_view("abc")),
              "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
              "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    EXPECT_EQ(blake2b512(bytes_view{}),
              "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
              "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce");
}

TEST(Blake2b, MatchesOpenSslOnMultiBlockMessages) {
    std::mt19937_64 rng(152);
    for (size_t len : {1u, 127u, 128u, 129u, 255u, 256u, 1000u, 4096u}) {
        bytes msg(len);
        for (auto& b : msg) b = static_cast<uint8_t>(rng());
        EXPECT_EQ(blake2b512(msg), openssl_blake2b512(msg)) << "length " << len;
    }
}

TEST(Blake2b, AnyRoundCountMatchesPlainTranscription) {
    // Covers every entry point of the unrolled tail (0-9 rounds left) and several whole periods.
    std::mt19937_64 rng(7693);
    for (uint32_t rounds = 0; rounds <= 45; ++rounds) {
        uint64_t h[8], m[16], t[2];
        for (auto& x : h) x = rng();
        for (auto& x : m) x = rng();
        t[0] = rng();
        t[1] = rng();
        const bool last = (rounds & 1) != 0;
        uint64_t expected[8];
        std::memcpy(expected, h, sizeof(h));
        reference_compress(rounds, expected, m, t, last);
        blake2b_compress(rounds, h, m, t, last);
        EXPECT_EQ(state_hex(h), state_hex(expected)) << rounds << " rounds";
    }
}

#include "crypto/keccak.hpp"

#include <bit>
#include <cstring>

namespace polyvm {
namespace {
// Round constants of the iota step (FIPS 202, 3.2.5).
constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

constexpr size_t kRate = 136;  // bytes: 1600 - 2 * 256 bits
}  // namespace

void keccak_f1600(uint64_t a[25]) noexcept {
    for (int round = 0; round < 24; ++round) {
        // theta
        uint64_t c[5];
        for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; ++x) {
            const uint64_t d = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        // rho and pi: lane (x, y) moves to (y, 2x + 3y) rotated by its offset.
        uint64_t b[25];
        b[0] = a[0];
        b[10] = std::rotl(a[1], 1);
        b[7] = std::rotl(a[10], 3);
        b[11] = std::rotl(a[7], 6);
        b[17] = std::rotl(a[11], 10);
        b[18] = std::rotl(a[17], 15);
        b[3] = std::rotl(a[18], 21);
        b[5] = std::rotl(a[3], 28);
        b[16] = std::rotl(a[5], 36);
        b[8] = std::rotl(a[16], 45);
        b[21] = std::rotl(a[8], 55);
        b[24] = std::rotl(a[21], 2);
        b[4] = std::rotl(a[24], 14);
        b[15] = std::rotl(a[4], 27);
        b[23] = std::rotl(a[15], 41);
        b[19] = std::rotl(a[23], 56);
        b[13] = std::rotl(a[19], 8);
        b[12] = std::rotl(a[13], 25);
        b[2] = std::rotl(a[12], 43);
        b[20] = std::rotl(a[2], 62);
        b[14] = std::rotl(a[20], 18);
        b[22] = std::rotl(a[14], 39);
        b[9] = std::rotl(a[22], 61);
        b[6] = std::rotl(a[9], 20);
        b[1] = std::rotl(a[6], 44);
        // chi
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; ++x) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        // iota
        a[0] ^= kRoundConstants[round];
    }
}

Hash32 keccak256(bytes_view data) noexcept {
    uint64_t state[25] = {};
    const uint8_t* p = data.data();
    size_t n = data.size();
    while (n >= kRate) {
        for (size_t i = 0; i < kRate / 8; ++i) {
            uint64_t lane;
            std::memcpy(&lane, p + 8 * i, 8);
            state[i] ^= lane;  // x86-64 and AArch64 Linux are little-endian, as Keccak's lanes are
        }
        keccak_f1600(state);
        p += kRate;
        n -= kRate;
    }
    uint8_t last[kRate] = {};
    if (n) std::memcpy(last, p, n);
    last[n] ^= 0x01;  // Keccak padding (not SHA-3's 0x06)
    last[kRate - 1] ^= 0x80;
    for (size_t i = 0; i < kRate / 8; ++i) {
        uint64_t lane;
        std::memcpy(&lane, last + 8 * i, 8);
        state[i] ^= lane;
    }
    keccak_f1600(state);
    Hash32 h;
    std::memcpy(h.data(), state, 32);
    return h;
}

}  // namespace polyvm

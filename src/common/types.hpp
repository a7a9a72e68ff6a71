// Basic value types shared by every layer: byte strings, addresses, 32-byte hashes.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace polyvm {

using bytes = std::vector<uint8_t>;
using bytes_view = std::span<const uint8_t>;

inline bytes_view as_view(std::string_view s) noexcept {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

namespace detail {
/// The 4 or 8 bytes at `p` as a big-endian number.
template <typename Word>
inline Word big_endian_word(const uint8_t* p) noexcept {
    static_assert(sizeof(Word) == 4 || sizeof(Word) == 8);
    Word w;
    std::memcpy(&w, p, sizeof w);
    if constexpr (std::endian::native == std::endian::little) {
        if constexpr (sizeof(Word) == 8) w = __builtin_bswap64(w);
        else w = __builtin_bswap32(w);
    }
    return w;
}
}  // namespace detail

/// Fixed-size big-endian byte string (addresses, hashes, storage keys as bytes).
template <size_t N>
struct FixedBytes {
    std::array<uint8_t, N> bytes{};

    static constexpr size_t size() noexcept { return N; }
    uint8_t* data() noexcept { return bytes.data(); }
    const uint8_t* data() const noexcept { return bytes.data(); }
    uint8_t& operator[](size_t i) noexcept { return bytes[i]; }
    const uint8_t& operator[](size_t i) const noexcept { return bytes[i]; }
    bool is_zero() const noexcept {
        for (auto b : bytes)
            if (b != 0) return false;
        return true;
    }
    operator bytes_view() const noexcept { return {bytes.data(), N}; }
    static FixedBytes from(bytes_view v) noexcept {
        // Right-aligned copy: shorter input is left-padded with zeros, longer input keeps its tail.
        FixedBytes r;
        if (v.size() >= N)
            std::memcpy(r.bytes.data(), v.data() + (v.size() - N), N);
        else if (!v.empty())
            std::memcpy(r.bytes.data() + (N - v.size()), v.data(), v.size());
        return r;
    }
    // memcmp with the size as a constant compiles to a few word compares; the defaulted
    // comparison of the arrays called memcmp (hash-map keys compare addresses on every hit).
    friend bool operator==(const FixedBytes& a, const FixedBytes& b) noexcept {
        return std::memcmp(a.bytes.data(), b.bytes.data(), N) == 0;
    }
    // Byte order through big-endian words: the first differing word decides as its first
    // differing byte would, in a few inlined compares (the defaulted comparison called memcmp,
    // which sorting change sets and ordered maps of addresses pay on every step).
    friend constexpr std::strong_ordering operator<=>(const FixedBytes& a, const FixedBytes& b) noexcept {
        if (std::is_constant_evaluated()) return a.bytes <=> b.bytes;
        size_t i = 0;
        for (; i + 8 <= N; i += 8) {
            const uint64_t x = detail::big_endian_word<uint64_t>(a.bytes.data() + i);
            const uint64_t y = detail::big_endian_word<uint64_t>(b.bytes.data() + i);
            if (x != y) return x <=> y;
        }
        if constexpr (N % 8 >= 4) {
            const uint32_t x = detail::big_endian_word<uint32_t>(a.bytes.data() + i);
            const uint32_t y = detail::big_endian_word<uint32_t>(b.bytes.data() + i);
            if (x != y) return x <=> y;
            i += 4;
        }
        for (; i < N; ++i)
            if (a.bytes[i] != b.bytes[i]) return a.bytes[i] <=> b.bytes[i];
        return std::strong_ordering::equal;
    }
};

using Address = FixedBytes<20>;
using Hash32 = FixedBytes<32>;
using Bloom = FixedBytes<256>;

/// Per-process random key of the hash functions below, drawn at start-up. Hash maps are keyed by
/// attacker-chosen data (storage keys, addresses): with a fixed function, keys chosen to collide
/// turn every lookup into a list walk. Iteration order never reaches consensus results.
extern uint64_t g_hash_key[5];

/// The 128-bit product of a and b folded to 64 bits: a strong, fast mixer of two words.
inline uint64_t hash_mix(uint64_t a, uint64_t b) noexcept {
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

/// Keyed hash of four 64-bit words (a uint256, a hash, an address padded with zeros): two
/// keyed multiplications, so no family of inputs collides without knowing the key. The maps
/// that use it reduce modulo a prime bucket count, which needs no final mixing.
inline uint64_t hash_words(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept {
    return hash_mix(w0 ^ g_hash_key[0], w1 ^ g_hash_key[1]) + hash_mix(w2 ^ g_hash_key[2], w3 ^ g_hash_key[3]);
}

struct FixedBytesHasher {
    template <size_t N>
    size_t operator()(const FixedBytes<N>& v) const noexcept {
        uint64_t w[4] = {0, 0, 0, 0};
        std::memcpy(w, v.data(), N < 32 ? N : 32);
        if constexpr (N > 32) {
            for (size_t i = 32; i + 8 <= N; i += 8) {
                uint64_t extra;
                std::memcpy(&extra, v.data() + i, 8);
                w[(i / 8) % 4] ^= extra;
            }
        }
        return static_cast<size_t>(hash_words(w[0], w[1], w[2], w[3]));
    }
};

}  // namespace polyvm

template <size_t N>
struct std::hash<polyvm::FixedBytes<N>> {
    size_t operator()(const polyvm::FixedBytes<N>& v) const noexcept { return polyvm::FixedBytesHasher{}(v); }
};

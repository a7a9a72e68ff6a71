// Basic value types shared by every layer: byte strings, addresses, 32-byte hashes.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace polyvm {

using bytes = std::vector<uint8_t>;
using bytes_view = std::span<const uint8_t>;

inline bytes_view as_view(std::string_view s) noexcept {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

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
    friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
    friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
};

using Address = FixedBytes<20>;
using Hash32 = FixedBytes<32>;
using Bloom = FixedBytes<256>;

struct FixedBytesHasher {
    template <size_t N>
    size_t operator()(const FixedBytes<N>& v) const noexcept {
        // Addresses and hashes are (close to) uniformly random: a few bytes make a good hash.
        uint64_t h = 0;
        std::memcpy(&h, v.data() + (N - 8), 8);
        uint64_t g = 0;
        std::memcpy(&g, v.data(), 8);
        return static_cast<size_t>(h * 0x9E3779B97F4A7C15ULL ^ g);
    }
};

}  // namespace polyvm

template <size_t N>
struct std::hash<polyvm::FixedBytes<N>> {
    size_t operator()(const polyvm::FixedBytes<N>& v) const noexcept { return polyvm::FixedBytesHasher{}(v); }
};

// EVM memory: a byte buffer that only grows, in 32-byte words, and its expansion cost
// (Yellow Paper: C_mem(a) = 3·a + a²/512 for a words).
#pragma once

#include "common/uint256.hpp"
#include "evm/gas_constants.hpp"

#include <cstdint>
#include <cstring>

namespace polyvm {

/// Invariant: the bytes past size() up to the capacity are zero. Growing (which Solidity code
/// does a word at a time, constantly) is then just a size update; the cost of zeroing moves to
/// allocation and to the release of a buffer into the per-thread pool (which clears the part used).
class Memory {
public:
    /// Regions reaching beyond this many bytes cost more gas than any block holds (C_mem of
    /// 2^32 bytes is ~3.6e13), so they are out of gas before any arithmetic could overflow.
    static constexpr uint64_t kMaxSize = uint64_t{1} << 32;

    Memory() noexcept = default;
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;
    ~Memory();

    uint8_t* data() noexcept { return data_; }
    const uint8_t* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }

    /// Grows to `new_size` bytes (a multiple of 32, larger than size()); the new part reads as zero.
    void grow(size_t new_size) {
        if (new_size > capacity_) reserve(new_size);
        size_ = new_size;  // [size_, capacity_) is kept zeroed, so there is nothing to clear here
    }

private:
    /// Makes capacity_ >= new_size, zeroing the added capacity.
    void reserve(size_t new_size);

    uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

inline constexpr int64_t memory_cost(uint64_t words) noexcept {
    const auto w = static_cast<int64_t>(words);
    return gas::kMemoryWord * w + w * w / gas::kMemoryQuadDivisor;
}

inline constexpr uint64_t num_words(uint64_t size) noexcept { return (size + 31) / 32; }

/// Slow path of memory expansion: charges for growing to cover `end` bytes and grows. Negative
/// (out of gas) also when the host cannot allocate the memory paid for.
/// Returns the gas left, negative when out of gas.
int64_t grow_memory(int64_t gas_left, Memory& memory, uint64_t end);

/// Makes memory cover [offset, offset + size), charging expansion gas. A zero size touches no
/// memory whatever the offset. Returns false when out of gas (including absurd regions).
/// On success offset and size fit in 32 bits, so callers may use their low limbs.
[[gnu::always_inline]] inline bool touch_memory(int64_t& gas_left, Memory& memory, const uint256& offset,
                                                const uint256& size) noexcept {
    if (size.is_zero()) return true;
    if (!offset.fits_u64() || !size.fits_u64() || offset.low64() > Memory::kMaxSize ||
        size.low64() > Memory::kMaxSize) [[unlikely]]
        return false;
    const uint64_t end = offset.low64() + size.low64();
    if (end > memory.size()) [[unlikely]] {
        gas_left = grow_memory(gas_left, memory, end);
        if (gas_left < 0) return false;
    }
    return true;
}

/// touch_memory for a fixed-size access (MLOAD/MSTORE/MSTORE8).
template <uint64_t Size>
[[gnu::always_inline]] inline bool touch_memory(int64_t& gas_left, Memory& memory, const uint256& offset) noexcept {
    if (!offset.fits_u64() || offset.low64() > Memory::kMaxSize) [[unlikely]]
        return false;
    const uint64_t end = offset.low64() + Size;
    if (end > memory.size()) [[unlikely]] {
        gas_left = grow_memory(gas_left, memory, end);
        if (gas_left < 0) return false;
    }
    return true;
}

}  // namespace polyvm

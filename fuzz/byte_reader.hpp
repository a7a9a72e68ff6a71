// Reads a fuzz input as a stream of choices: past its end every byte reads as 0, so any input,
// however short, describes a whole case.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

class ByteReader {
public:
    ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool done() const { return at_ >= size_; }
    uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }
    /// A big-endian number of `count` bytes.
    polyvm::uint256 word(size_t count) {
        polyvm::uint256 value;
        for (size_t i = 0; i < count; ++i) value = (value << 8) | polyvm::uint256{next()};
        return value;
    }
    /// Up to `count` bytes, as many as are left.
    polyvm::bytes take(size_t count) {
        count = std::min(count, size_ - std::min(at_, size_));
        polyvm::bytes out(data_ + at_, data_ + at_ + count);
        at_ += count;
        return out;
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t at_ = 0;
};

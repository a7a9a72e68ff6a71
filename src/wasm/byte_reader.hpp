// Reads the primitive encodings of the binary format (bytes, LEB128 integers, names) from a
// bounded window of the module. A failed read records the first error and returns false, so
// callers can bail out with `if (!reader.read_...) return`.
#pragma once

#include "wasm/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace polyvm::wasm {

class ByteReader {
public:
    /// Reads bytes[begin, end); offsets reported in errors are indexes into `bytes`.
    ByteReader(std::span<const uint8_t> bytes, size_t begin, size_t end) : bytes_(bytes), position_(begin), end_(end) {}
    explicit ByteReader(std::span<const uint8_t> bytes) : ByteReader(bytes, 0, bytes.size()) {}

    size_t position() const { return position_; }
    size_t end() const { return end_; }
    size_t remaining() const { return end_ - position_; }
    bool at_end() const { return position_ >= end_; }
    std::span<const uint8_t> bytes() const { return bytes_; }

    bool read_byte(uint8_t& out);
    bool peek_byte(uint8_t& out) const;
    bool skip(size_t count);
    bool read_u32(uint32_t& out) { return read_unsigned(out, 32); }
    bool read_u64(uint64_t& out);
    bool read_s32(int32_t& out);
    bool read_s33(int64_t& out) { return read_signed(out, 33); }
    bool read_s64(int64_t& out) { return read_signed(out, 64); }
    bool read_fixed32(uint32_t& out);
    bool read_fixed64(uint64_t& out);
    /// A vector length; each element takes at least `min_element_size` bytes, so a count that
    /// cannot fit in what is left is rejected before anyone reserves memory for it.
    bool read_count(uint32_t& out, size_t min_element_size = 1);
    /// A name: a length-prefixed UTF-8 string.
    bool read_name(std::string& out);

    /// Records an error at the current position (first error wins) and returns false.
    bool fail(const std::string& message, ErrorKind kind = ErrorKind::Malformed);
    bool fail_at(size_t offset, const std::string& message, ErrorKind kind = ErrorKind::Malformed);
    bool failed() const { return error_.has_value(); }
    const std::optional<Error>& error() const { return error_; }
    Error take_error() { return error_ ? *error_ : Error{ErrorKind::Malformed, position_, "unknown error"}; }

private:
    bool fail_end();
    bool read_unsigned(uint32_t& out, unsigned bits);
    bool read_unsigned64(uint64_t& out, unsigned bits);
    bool read_signed(int64_t& out, unsigned bits);

    std::span<const uint8_t> bytes_;
    size_t position_;
    size_t end_;
    std::optional<Error> error_;
};

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::span<const uint8_t> text);

}  // namespace polyvm::wasm

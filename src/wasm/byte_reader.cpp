#include "wasm/byte_reader.hpp"

namespace polyvm::wasm {

bool ByteReader::fail(const std::string& message, ErrorKind kind) { return fail_at(position_, message, kind); }

bool ByteReader::fail_at(size_t offset, const std::string& message, ErrorKind kind) {
    if (!error_) error_ = Error{kind, offset, message};
    return false;
}

// Running into the end of a section or function body reads differently from running out of
// module, as in the reference interpreter's messages.
bool ByteReader::fail_end() {
    return fail(end_ < bytes_.size() ? "unexpected end of section or function" : "unexpected end");
}

bool ByteReader::read_byte(uint8_t& out) {
    if (position_ >= end_) return fail_end();
    out = bytes_[position_++];
    return true;
}

bool ByteReader::peek_byte(uint8_t& out) const {
    if (position_ >= end_) return false;
    out = bytes_[position_];
    return true;
}

bool ByteReader::skip(size_t count) {
    if (count > remaining()) return fail_end();
    position_ += count;
    return true;
}

// The spec bounds an N-bit LEB128 to ceil(N/7) bytes; in the last byte the bits past N must be
// zero (unsigned) or copies of the sign bit (signed), otherwise the encoding is malformed.
bool ByteReader::read_unsigned64(uint64_t& out, unsigned bits) {
    const unsigned max_bytes = (bits + 6) / 7;
    uint64_t value = 0;
    for (unsigned i = 0; i < max_bytes; ++i) {
        uint8_t byte = 0;
        if (!read_byte(byte)) return false;
        const bool last = i + 1 == max_bytes;
        if (last) {
            if (byte & 0x80) return fail("integer representation too long");
            const unsigned used_bits = bits - 7 * i;
            if ((byte & 0x7F) >> used_bits) return fail("integer too large");
        }
        value |= uint64_t(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80)) break;
    }
    out = value;
    return true;
}

bool ByteReader::read_unsigned(uint32_t& out, unsigned bits) {
    uint64_t value = 0;
    if (!read_unsigned64(value, bits)) return false;
    out = static_cast<uint32_t>(value);
    return true;
}

bool ByteReader::read_u64(uint64_t& out) { return read_unsigned64(out, 64); }

bool ByteReader::read_signed(int64_t& out, unsigned bits) {
    const unsigned max_bytes = (bits + 6) / 7;
    uint64_t value = 0;
    unsigned shift = 0;
    uint8_t byte = 0;
    for (unsigned i = 0; i < max_bytes; ++i) {
        if (!read_byte(byte)) return false;
        const bool last = i + 1 == max_bytes;
        if (last) {
            if (byte & 0x80) return fail("integer representation too long");
            // Bits from the sign bit (bit `used_bits - 1`) up to bit 6 must all be equal.
            const unsigned used_bits = bits - 7 * i;
            const uint8_t mask = static_cast<uint8_t>((0x7F >> (used_bits - 1)) << (used_bits - 1));
            const uint8_t high = byte & mask;
            if (high != 0 && high != mask) return fail("integer too large");
        }
        value |= uint64_t(byte & 0x7F) << shift;
        shift += 7;
        if (!(byte & 0x80)) break;
    }
    if (shift < 64 && (byte & 0x40)) value |= ~uint64_t(0) << shift;  // sign-extend
    out = static_cast<int64_t>(value);
    return true;
}

bool ByteReader::read_s32(int32_t& out) {
    int64_t value = 0;
    if (!read_signed(value, 32)) return false;
    out = static_cast<int32_t>(value);
    return true;
}

bool ByteReader::read_fixed32(uint32_t& out) {
    if (remaining() < 4) return fail_end();
    out = 0;
    for (int i = 0; i < 4; ++i) out |= uint32_t(bytes_[position_ + i]) << (8 * i);
    position_ += 4;
    return true;
}

bool ByteReader::read_fixed64(uint64_t& out) {
    if (remaining() < 8) return fail_end();
    out = 0;
    for (int i = 0; i < 8; ++i) out |= uint64_t(bytes_[position_ + i]) << (8 * i);
    position_ += 8;
    return true;
}

bool ByteReader::read_count(uint32_t& out, size_t min_element_size) {
    const size_t start = position_;
    if (!read_u32(out)) return false;
    if (uint64_t(out) * min_element_size > remaining()) return fail_at(start, "length out of bounds");
    return true;
}

bool ByteReader::read_name(std::string& out) {
    uint32_t length = 0;
    const size_t start = position_;
    if (!read_u32(length)) return false;
    if (length > remaining()) return fail_at(start, "length out of bounds");
    const auto text = bytes_.subspan(position_, length);
    if (!is_valid_utf8(text)) return fail("malformed UTF-8 encoding");
    out.assign(text.begin(), text.end());
    position_ += length;
    return true;
}

bool is_valid_utf8(std::span<const uint8_t> text) {
    size_t i = 0;
    while (i < text.size()) {
        const uint8_t lead = text[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        uint32_t code_point = 0;
        uint32_t minimum = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2, code_point = lead & 0x1F, minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, code_point = lead & 0x0F, minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, code_point = lead & 0x07, minimum = 0x10000;
        } else {
            return false;
        }
        if (text.size() - i < length) return false;
        for (size_t k = 1; k < length; ++k) {
            const uint8_t continuation = text[i + k];
            if ((continuation & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (continuation & 0x3F);
        }
        if (code_point < minimum || code_point > 0x10FFFF) return false;
        if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
        i += length;
    }
    return true;
}

}  // namespace polyvm::wasm

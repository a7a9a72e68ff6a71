// Hexadecimal encoding and decoding ("0x" prefix optional on input).
#pragma once

#include "common/types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace polyvm {

/// Lower-case hex without prefix.
std::string to_hex(bytes_view data);
/// "0x" + lower-case hex.
std::string to_hex_prefixed(bytes_view data);

/// "0x" + lower-case hex digits without leading zeros ("0x0" for zero): a JSON-RPC quantity.
std::string to_hex_quantity(uint64_t value);

/// The value of one hex digit (either case), or -1 for any other character.
int hex_digit_value(char c) noexcept;

/// Decodes hex with an optional "0x" prefix. Returns nullopt on odd length or a non-hex digit.
std::optional<bytes> from_hex(std::string_view hex);

/// Decodes hex into a fixed-size value; the input must have exactly N bytes.
template <size_t N>
std::optional<FixedBytes<N>> fixed_from_hex(std::string_view hex) {
    auto b = from_hex(hex);
    if (!b || b->size() != N) return std::nullopt;
    FixedBytes<N> r;
    std::memcpy(r.data(), b->data(), N);
    return r;
}

inline std::optional<Address> address_from_hex(std::string_view hex) { return fixed_from_hex<20>(hex); }
inline std::optional<Hash32> hash_from_hex(std::string_view hex) { return fixed_from_hex<32>(hex); }

}  // namespace polyvm

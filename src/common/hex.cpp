#include "common/hex.hpp"

namespace polyvm {
namespace {
constexpr char kDigits[] = "0123456789abcdef";
}  // namespace

std::string to_hex_quantity(uint64_t value) {
    char buffer[18];
    char* const end = buffer + sizeof buffer;
    char* p = end;
    do {
        *--p = kDigits[value & 0xf];
        value >>= 4;
    } while (value != 0);
    *--p = 'x';
    *--p = '0';
    return std::string(p, end);
}

int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string to_hex(bytes_view data) {
    std::string s(data.size() * 2, '0');
    for (size_t i = 0; i < data.size(); ++i) {
        s[2 * i] = kDigits[data[i] >> 4];
        s[2 * i + 1] = kDigits[data[i] & 0xf];
    }
    return s;
}

std::string to_hex_prefixed(bytes_view data) { return "0x" + to_hex(data); }

std::optional<bytes> from_hex(std::string_view hex) {
    if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    if (hex.size() % 2 != 0) return std::nullopt;
    bytes out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_digit_value(hex[2 * i]), lo = hex_digit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return out;
}

}  // namespace polyvm

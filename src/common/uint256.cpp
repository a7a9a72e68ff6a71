#include "common/uint256.hpp"

#include <algorithm>

namespace polyvm {

std::optional<uint256> uint256::from_string(std::string_view s) noexcept {
    if (s.empty()) return std::nullopt;
    uint256 r;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        if (s.empty()) return uint256{};  // "0x" is zero, as in the fixtures
        while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
        if (s.size() > 64) return std::nullopt;
        for (char c : s) {
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return std::nullopt;
            r = (r << 4) | uint256{static_cast<uint64_t>(d)};
        }
        return r;
    }
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const uint256 ten_r = r * 10;
        // Overflow check: ten_r / 10 must give r back, and the addition must not wrap.
        if (ten_r / 10 != r) return std::nullopt;
        const uint256 next = ten_r + uint256{static_cast<uint64_t>(c - '0')};
        if (next < ten_r) return std::nullopt;
        r = next;
    }
    return r;
}

std::string uint256::to_hex() const {
    if (is_zero()) return "0x0";
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    uint256 x = *this;
    while (!x.is_zero()) {
        s.push_back(digits[x.w[0] & 0xf]);
        x = x >> 4;
    }
    s += "x0";
    std::reverse(s.begin(), s.end());
    return s;
}

std::string uint256::to_decimal() const {
    if (is_zero()) return "0";
    std::string s;
    uint256 x = *this;
    while (!x.is_zero()) {
        const auto qr = udivrem(x, 10);
        s.push_back(static_cast<char>('0' + qr.remainder.w[0]));
        x = qr.quotient;
    }
    std::reverse(s.begin(), s.end());
    return s;
}

}  // namespace polyvm

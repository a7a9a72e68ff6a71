#include "tools/fixture_values.hpp"

#include "common/hex.hpp"

namespace polyvm::tools {
namespace {

bool strip_hex_prefix(std::string_view& s) noexcept {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        return true;
    }
    return false;
}

// Parses hex digits (no prefix) into at most `max_bits` bits.
NumberStatus parse_hex_digits(std::string_view digits, unsigned max_bits, uint256& out) noexcept {
    for (char c : digits)
        if (hex_digit_value(c) < 0) return NumberStatus::Malformed;
    // Leading zeros carry no value: fixtures write e.g. currentRandom as a 64-digit zero-padded word.
    while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
    if (digits.size() * 4 > max_bits + 3) return NumberStatus::Overflow;
    uint256 v;
    for (char c : digits) v = (v << 4) | uint256{static_cast<uint64_t>(hex_digit_value(c))};
    if (v.bit_length() > max_bits) return NumberStatus::Overflow;
    out = v;
    return NumberStatus::Ok;
}

NumberStatus parse_decimal_digits(std::string_view digits, unsigned max_bits, uint256& out) noexcept {
    if (digits.empty()) return NumberStatus::Malformed;
    const uint256 limit = max_bits >= 256 ? uint256::max() : (uint256{1} << max_bits) - 1;
    uint256 v;
    for (char c : digits) {
        if (c < '0' || c > '9') return NumberStatus::Malformed;
        const uint256 d{static_cast<uint64_t>(c - '0')};
        // v * 10 + d <= limit  <=>  v <= (limit - d) / 10
        if (v > (limit - d) / uint256{10}) return NumberStatus::Overflow;
        v = v * uint256{10} + d;
    }
    out = v;
    return NumberStatus::Ok;
}

NumberStatus parse_bits(std::string_view s, unsigned max_bits, uint256& out) noexcept {
    // retesteth marks values that may exceed 256 bits as "0x:bigint 0x..."; the number follows.
    constexpr std::string_view kBigint = "0x:bigint ";
    if (s.substr(0, kBigint.size()) == kBigint) {
        s.remove_prefix(kBigint.size());
        if (!strip_hex_prefix(s)) return NumberStatus::Malformed;
        return parse_hex_digits(s, max_bits, out);
    }
    if (strip_hex_prefix(s)) return parse_hex_digits(s, max_bits, out);
    return parse_decimal_digits(s, max_bits, out);
}

std::string describe(NumberStatus st, std::string_view text, const char* type) {
    std::string shown(text.substr(0, 80));
    if (text.size() > 80) shown += "...";
    if (st == NumberStatus::Overflow) return "value " + shown + " does not fit " + type;
    return "not a number: \"" + shown + "\"";
}

}  // namespace

NumberStatus parse_number(std::string_view text, uint256& out) noexcept { return parse_bits(text, 256, out); }

NumberStatus parse_number(std::string_view text, uint64_t& out) noexcept {
    uint256 v;
    const NumberStatus st = parse_bits(text, 64, v);
    if (st == NumberStatus::Ok) out = v.low64();
    return st;
}

std::string hex_problem(std::string_view text) {
    std::string_view s = text;
    strip_hex_prefix(s);
    for (char c : s)
        if (hex_digit_value(c) < 0) {
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
                return "non-hex character in hex string";
            return std::string("non-hex digit '") + c + "' in hex string";
        }
    if (s.size() % 2 != 0) return "odd-length hex string (" + std::to_string(s.size()) + " digits)";
    return {};
}

uint256 require_uint256(std::string_view text, const std::string& field) {
    uint256 v;
    const NumberStatus st = parse_number(text, v);
    if (st != NumberStatus::Ok) throw FixtureError(field + ": " + describe(st, text, "256 bits"));
    return v;
}

uint64_t require_u64(std::string_view text, const std::string& field) {
    uint64_t v = 0;
    const NumberStatus st = parse_number(text, v);
    if (st != NumberStatus::Ok) throw FixtureError(field + ": " + describe(st, text, "64 bits"));
    return v;
}

int64_t require_i64(std::string_view text, const std::string& field) {
    uint256 v;
    const NumberStatus st = parse_bits(text, 63, v);
    if (st != NumberStatus::Ok) throw FixtureError(field + ": " + describe(st, text, "a signed 64-bit integer"));
    return static_cast<int64_t>(v.low64());
}

bytes require_bytes(std::string_view text, const std::string& field) {
    if (auto problem = hex_problem(text); !problem.empty()) throw FixtureError(field + ": " + problem);
    auto b = from_hex(text);
    if (!b) throw FixtureError(field + ": malformed hex string");
    return std::move(*b);
}

Address require_address(std::string_view text, const std::string& field) {
    const bytes b = require_bytes(text, field);
    if (b.size() != 20)
        throw FixtureError(field + ": an address must have 20 bytes, this has " + std::to_string(b.size()));
    return Address::from(b);
}

Hash32 require_hash(std::string_view text, const std::string& field) {
    const bytes b = require_bytes(text, field);
    if (b.size() != 32)
        throw FixtureError(field + ": a hash must have 32 bytes, this has " + std::to_string(b.size()));
    return Hash32::from(b);
}

Hash32 require_word(std::string_view text, const std::string& field) {
    return require_uint256(text, field).to_hash();
}

}  // namespace polyvm::tools

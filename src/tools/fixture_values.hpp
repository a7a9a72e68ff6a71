// Reading the scalar values of JSON fixtures: numbers, byte strings, addresses and hashes, with
// errors that say which file and which field was wrong.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace polyvm::tools {

/// The fixture cannot be used at all (malformed JSON, missing field, bad hex, ...). The message
/// names the file and the field, e.g. "add11.json: add11.transaction.data[0]: odd-length hex".
class FixtureError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class NumberStatus {
    Ok,
    Overflow,   // well-formed but too large for the target type
    Malformed,  // not a number at all
};

/// Parses a fixture number into a uint256: "0x..." hex (leading zeros allowed; bare "0x" is 0),
/// retesteth's "0x:bigint 0x..." spelling (used for values that may not fit 256 bits) or decimal.
NumberStatus parse_number(std::string_view text, uint256& out) noexcept;
/// Same, into a uint64_t.
NumberStatus parse_number(std::string_view text, uint64_t& out) noexcept;

/// Why a hex byte string is malformed ("odd-length hex", "non-hex digit 'g'"), empty if it is fine.
std::string hex_problem(std::string_view text);

/// Strict readers for values that must be usable; throw FixtureError(field + ": ...").
uint256 require_uint256(std::string_view text, const std::string& field);
uint64_t require_u64(std::string_view text, const std::string& field);
int64_t require_i64(std::string_view text, const std::string& field);  // 0 .. 2^63-1
bytes require_bytes(std::string_view text, const std::string& field);
Address require_address(std::string_view text, const std::string& field);
Hash32 require_hash(std::string_view text, const std::string& field);  // exactly 32 bytes
/// A 32-byte word written as a number (storage keys, access-list keys may be shorter than 32 bytes).
Hash32 require_word(std::string_view text, const std::string& field);

}  // namespace polyvm::tools

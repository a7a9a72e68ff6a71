// Reading JSON-RPC parameters the way geth does, with geth's error texts (clients and test suites
// match on them): -32602 "invalid argument 0: hex string without 0x prefix",
// "missing value for required argument 1", "too many arguments, want at most 2".
// Also the encoders for results: quantities ("0x1a"), data ("0x..."), addresses and hashes.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"
#include "rpc/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace polyvm::rpc {

/// A value that does not decode; the message has no argument prefix, so nested fields (a call
/// object's "gas") can be reported as the caller sees fit. param_* turn it into -32602.
struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Decoders of one JSON value (throw DecodeError).
// Quantities: "0x" + hex digits without leading zeros (a plain non-negative JSON integer is also
// accepted, as Anvil does).
uint64_t decode_quantity_u64(const json& value);
uint256 decode_quantity(const json& value);
bytes decode_data(const json& value);  // "0x" + an even number of hex digits
Address decode_address(const json& value);
Hash32 decode_hash(const json& value);
bool decode_bool(const json& value);

/// The parameter at index, or null when absent or JSON null. Throws -32602 "non-array args" when
/// params is not an array (an object of named parameters).
const json* param_at(const json& params, size_t index);
/// Throws -32602 "too many arguments, want at most N" when params holds more than max_count.
void param_count(const json& params, size_t max_count);

// Required parameters throw -32602 "missing value for required argument i" when absent or null;
// optional ones return nullopt then. A value that does not decode throws
// -32602 "invalid argument i: <reason>".
uint64_t param_quantity_u64(const json& params, size_t index);
std::optional<uint64_t> param_optional_quantity_u64(const json& params, size_t index);
uint256 param_quantity(const json& params, size_t index);
std::optional<uint256> param_optional_quantity(const json& params, size_t index);
bytes param_data(const json& params, size_t index);
std::optional<bytes> param_optional_data(const json& params, size_t index);
Address param_address(const json& params, size_t index);
std::optional<Address> param_optional_address(const json& params, size_t index);
Hash32 param_hash(const json& params, size_t index);
std::optional<Hash32> param_optional_hash(const json& params, size_t index);
bool param_bool(const json& params, size_t index);
std::optional<bool> param_optional_bool(const json& params, size_t index);

/// A block parameter: a number, a tag, or an EIP-1898 object
/// {"blockNumber": n} / {"blockHash": h, "requireCanonical": bool}; a bare 32-byte hash string is
/// read as a block hash, as geth does.
struct BlockSelector {
    enum class Tag { Number, Latest, Pending, Safe, Finalized, Earliest, Hash };
    Tag tag = Tag::Latest;
    uint64_t number = 0;            // Tag::Number
    Hash32 hash{};                  // Tag::Hash
    bool require_canonical = false; // Tag::Hash (EIP-1898)

    static BlockSelector latest() { return {}; }
    static BlockSelector of_number(uint64_t n) { return {Tag::Number, n, {}, false}; }
    static BlockSelector of_hash(const Hash32& h, bool canonical = false) { return {Tag::Hash, 0, h, canonical}; }
    friend bool operator==(const BlockSelector&, const BlockSelector&) = default;
};
BlockSelector decode_block(const json& value);
/// default_if_absent is returned when the parameter is absent or null.
BlockSelector param_block(const json& params, size_t index, BlockSelector default_if_absent);

// Result encoders.
std::string quantity(uint64_t value);        // "0x0", "0x1a"
std::string quantity(const uint256& value);  // "0x0", "0x1a"
std::string data_hex(bytes_view data);       // "0x" + lower-case hex ("0x" when empty)
std::string hex(const Address& address);     // "0x" + 40 lower-case digits
std::string hex(const Hash32& hash);         // "0x" + 64 lower-case digits

}  // namespace polyvm::rpc

#include "rpc/params.hpp"

#include "common/hex.hpp"

#include <limits>

namespace polyvm::rpc {
namespace {

bool has_hex_prefix(std::string_view s) noexcept { return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

const char* json_type_name(const json& value) {
    switch (value.type()) {
        case json::value_t::string: return "string";
        case json::value_t::boolean: return "bool";
        case json::value_t::object: return "object";
        case json::value_t::array: return "array";
        case json::value_t::null: return "null";
        default: return "number";
    }
}

// Geth's wording for a JSON value of the wrong kind.
[[noreturn]] void throw_non_string(const char* go_type) {
    throw DecodeError(std::string("json: cannot unmarshal non-string into Go value of type ") + go_type);
}

// A JSON integer >= 0 (Anvil accepts these where geth wants hex strings).
std::optional<uint64_t> plain_unsigned(const json& value) {
    if (value.is_number_unsigned()) return value.get<uint64_t>();
    if (value.is_number_integer() && value.get<int64_t>() >= 0) return static_cast<uint64_t>(value.get<int64_t>());
    return std::nullopt;
}

// The digits of a hex quantity, checked as geth's hexutil does (checkNumber): prefix, no empty
// "0x", no leading zeros, at most max_digits digits, hex characters only.
std::string_view quantity_digits(std::string_view s, size_t max_digits, const char* too_wide) {
    if (s.empty()) throw DecodeError("empty hex string");
    if (!has_hex_prefix(s)) throw DecodeError("hex string without 0x prefix");
    s.remove_prefix(2);
    if (s.empty()) throw DecodeError("hex string \"0x\"");
    if (s.size() > 1 && s[0] == '0') throw DecodeError("hex number with leading zero digits");
    if (s.size() > max_digits) throw DecodeError(too_wide);
    for (char c : s)
        if (hex_digit_value(c) < 0) throw DecodeError("invalid hex string");
    return s;
}

// The digits of a hex data string (geth's checkText with a required prefix); "" is empty data.
std::string_view data_digits(std::string_view s) {
    if (s.empty()) return s;
    if (!has_hex_prefix(s)) throw DecodeError("hex string without 0x prefix");
    s.remove_prefix(2);
    if (s.size() % 2 != 0) throw DecodeError("hex string of odd length");
    return s;
}

void decode_digits_into(std::string_view digits, uint8_t* out) {
    for (size_t i = 0; i < digits.size() / 2; ++i) {
        const int high = hex_digit_value(digits[2 * i]), low = hex_digit_value(digits[2 * i + 1]);
        if (high < 0 || low < 0) throw DecodeError("invalid hex string");
        out[i] = static_cast<uint8_t>(high << 4 | low);
    }
}

template <size_t N>
FixedBytes<N> decode_fixed(const json& value, const char* go_type) {
    if (!value.is_string()) throw_non_string(go_type);
    const std::string_view digits = data_digits(value.get_ref<const std::string&>());
    if (digits.size() != 2 * N)
        throw DecodeError("hex string has length " + std::to_string(digits.size()) + ", want " +
                          std::to_string(2 * N) + " for " + go_type);
    FixedBytes<N> result;
    decode_digits_into(digits, result.data());
    return result;
}

// A block number or tag (geth's BlockNumber).
BlockSelector decode_block_number(const json& value) {
    if (const auto n = plain_unsigned(value)) {
        if (*n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) throw DecodeError("block number larger than int64");
        return BlockSelector::of_number(*n);
    }
    if (!value.is_string()) throw_non_string("rpc.BlockNumber");
    const std::string& s = value.get_ref<const std::string&>();
    using Tag = BlockSelector::Tag;
    if (s == "latest") return {Tag::Latest, 0, {}, false};
    if (s == "pending") return {Tag::Pending, 0, {}, false};
    if (s == "safe") return {Tag::Safe, 0, {}, false};
    if (s == "finalized") return {Tag::Finalized, 0, {}, false};
    if (s == "earliest") return {Tag::Earliest, 0, {}, false};
    const uint64_t n = decode_quantity_u64(value);
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) throw DecodeError("block number larger than int64");
    return BlockSelector::of_number(n);
}

[[noreturn]] void throw_invalid_argument(size_t index, const std::exception& e) {
    throw RpcError(kInvalidParams, "invalid argument " + std::to_string(index) + ": " + e.what());
}

[[noreturn]] void throw_missing(size_t index) {
    throw RpcError(kInvalidParams, "missing value for required argument " + std::to_string(index));
}

template <typename Decode>
auto optional_param(const json& params, size_t index, Decode decode) -> std::optional<decltype(decode(params))> {
    const json* value = param_at(params, index);
    if (!value) return std::nullopt;
    try {
        return decode(*value);
    } catch (const DecodeError& e) {
        throw_invalid_argument(index, e);
    }
}

template <typename Decode>
auto required_param(const json& params, size_t index, Decode decode) -> decltype(decode(params)) {
    auto result = optional_param(params, index, decode);
    if (!result) throw_missing(index);
    return std::move(*result);
}

}  // namespace

uint64_t decode_quantity_u64(const json& value) {
    if (const auto n = plain_unsigned(value)) return *n;
    if (!value.is_string()) throw_non_string("hexutil.Uint64");
    const std::string_view digits = quantity_digits(value.get_ref<const std::string&>(), 16, "hex number > 64 bits");
    uint64_t result = 0;
    for (char c : digits) result = result << 4 | static_cast<uint64_t>(hex_digit_value(c));
    return result;
}

uint256 decode_quantity(const json& value) {
    if (const auto n = plain_unsigned(value)) return uint256{*n};
    if (!value.is_string()) throw_non_string("*hexutil.Big");
    const std::string_view digits = quantity_digits(value.get_ref<const std::string&>(), 64, "hex number > 256 bits");
    uint256 result;
    for (size_t i = 0; i < digits.size(); ++i) {
        const size_t from_end = digits.size() - 1 - i;  // digit position, least significant = 0
        result.w[from_end / 16] |= static_cast<uint64_t>(hex_digit_value(digits[i])) << (4 * (from_end % 16));
    }
    return result;
}

bytes decode_data(const json& value) {
    if (!value.is_string()) throw_non_string("hexutil.Bytes");
    const std::string_view digits = data_digits(value.get_ref<const std::string&>());
    bytes result(digits.size() / 2);
    decode_digits_into(digits, result.data());
    return result;
}

Address decode_address(const json& value) { return decode_fixed<20>(value, "common.Address"); }
Hash32 decode_hash(const json& value) { return decode_fixed<32>(value, "common.Hash"); }

bool decode_bool(const json& value) {
    if (!value.is_boolean())
        throw DecodeError(std::string("json: cannot unmarshal ") + json_type_name(value) + " into Go value of type bool");
    return value.get<bool>();
}

BlockSelector decode_block(const json& value) {
    if (value.is_object()) {
        const auto number = value.find("blockNumber");
        const auto hash = value.find("blockHash");
        const bool has_number = number != value.end() && !number->is_null();
        const bool has_hash = hash != value.end() && !hash->is_null();
        if (has_number && has_hash) throw DecodeError("cannot specify both BlockHash and BlockNumber, choose one or the other");
        if (has_number) return decode_block_number(*number);
        if (!has_hash) throw DecodeError("invalid arguments; neither block nor hash specified");
        bool canonical = false;
        if (const auto it = value.find("requireCanonical"); it != value.end() && !it->is_null()) canonical = decode_bool(*it);
        return BlockSelector::of_hash(decode_hash(*hash), canonical);
    }
    // geth reads a 66-character string as a block hash.
    if (value.is_string() && value.get_ref<const std::string&>().size() == 66) return BlockSelector::of_hash(decode_hash(value));
    return decode_block_number(value);
}

const json* param_at(const json& params, size_t index) {
    if (params.is_null()) return nullptr;
    if (!params.is_array()) throw RpcError(kInvalidParams, "non-array args");
    if (index >= params.size()) return nullptr;
    const json& value = params[index];
    return value.is_null() ? nullptr : &value;
}

void param_count(const json& params, size_t max_count) {
    if (params.is_null()) return;
    if (!params.is_array()) throw RpcError(kInvalidParams, "non-array args");
    if (params.size() > max_count) throw RpcError(kInvalidParams, "too many arguments, want at most " + std::to_string(max_count));
}

uint64_t param_quantity_u64(const json& p, size_t i) { return required_param(p, i, decode_quantity_u64); }
std::optional<uint64_t> param_optional_quantity_u64(const json& p, size_t i) { return optional_param(p, i, decode_quantity_u64); }
uint256 param_quantity(const json& p, size_t i) { return required_param(p, i, decode_quantity); }
std::optional<uint256> param_optional_quantity(const json& p, size_t i) { return optional_param(p, i, decode_quantity); }
bytes param_data(const json& p, size_t i) { return required_param(p, i, decode_data); }
std::optional<bytes> param_optional_data(const json& p, size_t i) { return optional_param(p, i, decode_data); }
Address param_address(const json& p, size_t i) { return required_param(p, i, decode_address); }
std::optional<Address> param_optional_address(const json& p, size_t i) { return optional_param(p, i, decode_address); }
Hash32 param_hash(const json& p, size_t i) { return required_param(p, i, decode_hash); }
std::optional<Hash32> param_optional_hash(const json& p, size_t i) { return optional_param(p, i, decode_hash); }
bool param_bool(const json& p, size_t i) { return required_param(p, i, decode_bool); }
std::optional<bool> param_optional_bool(const json& p, size_t i) { return optional_param(p, i, decode_bool); }

BlockSelector param_block(const json& params, size_t index, BlockSelector default_if_absent) {
    return optional_param(params, index, decode_block).value_or(default_if_absent);
}

std::string quantity(uint64_t value) { return to_hex_quantity(value); }
std::string quantity(const uint256& value) { return value.to_hex(); }
std::string data_hex(bytes_view data) { return to_hex_prefixed(data); }
std::string hex(const Address& address) { return to_hex_prefixed(address); }
std::string hex(const Hash32& hash) { return to_hex_prefixed(hash); }

}  // namespace polyvm::rpc

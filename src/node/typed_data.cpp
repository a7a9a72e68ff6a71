#include "node/typed_data.hpp"

#include "common/hex.hpp"
#include "common/uint256.hpp"
#include "crypto/keccak.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

namespace polyvm {
namespace {
using nlohmann::json;

// Structs and arrays nest at most this deep in a value: deeper input is refused, not recursed into.
constexpr unsigned kMaxDepth = 64;

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("EIP-712: " + what); }

// A value as it appears in an error message, shortened; invalid UTF-8 is replaced, not thrown.
std::string shown(const json& value) {
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
}

struct Field {
    std::string name;
    std::string type;
};

// A member type split into its innermost type and array dimensions, outermost last:
// "Person[2][]" is base "Person" with dimensions {2, dynamic}.
struct ParsedType {
    std::string base;
    std::vector<std::optional<size_t>> dimensions;  // nullopt: dynamic length
};

ParsedType parse_type(const std::string& type, const std::string& where) {
    ParsedType parsed;
    std::string_view rest = type;
    while (!rest.empty() && rest.back() == ']') {
        const size_t open = rest.rfind('[');
        if (open == std::string_view::npos) fail(where + ": malformed array type \"" + type + "\"");
        const std::string_view length = rest.substr(open + 1, rest.size() - open - 2);
        if (length.empty()) {
            parsed.dimensions.insert(parsed.dimensions.begin(), std::nullopt);
        } else {
            size_t n = 0;
            for (char c : length) {
                if (c < '0' || c > '9' || n > 1'000'000)
                    fail(where + ": bad array length in type \"" + type + "\"");
                n = n * 10 + static_cast<size_t>(c - '0');
            }
            if (n == 0) fail(where + ": array length 0 in type \"" + type + "\"");
            parsed.dimensions.insert(parsed.dimensions.begin(), n);
        }
        rest = rest.substr(0, open);
    }
    if (rest.empty()) fail(where + ": empty type name in \"" + type + "\"");
    parsed.base = std::string(rest);
    return parsed;
}

// Width in bits of "uintN"/"intN" (N = 8..256, a multiple of 8; bare "uint"/"int" are 256),
// nullopt when `name` has another form.
std::optional<unsigned> integer_bits(std::string_view name, std::string_view prefix) {
    if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string_view digits = name.substr(prefix.size());
    if (digits.empty()) return 256u;
    if (digits.size() > 3 || digits[0] == '0') return std::nullopt;
    unsigned bits = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        bits = bits * 10 + static_cast<unsigned>(c - '0');
    }
    if (bits == 0 || bits > 256 || bits % 8 != 0) return std::nullopt;
    return bits;
}

// N of "bytesN" (1..32), nullopt otherwise.
std::optional<unsigned> fixed_bytes_length(std::string_view name) {
    if (name.substr(0, 5) != "bytes" || name.size() == 5 || name.size() > 7 || name[5] == '0') return std::nullopt;
    unsigned n = 0;
    for (char c : name.substr(5)) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0 || n > 32) return std::nullopt;
    return n;
}

bool is_atomic_or_dynamic(std::string_view name) {
    return name == "address" || name == "bool" || name == "string" || name == "bytes" ||
           fixed_bytes_length(name) || integer_bits(name, "uint") || integer_bits(name, "int");
}

// An integer member value: sign and magnitude, from a JSON number, decimal or 0x-hex string.
struct Integer {
    bool negative = false;
    uint256 magnitude;
};

Integer parse_integer(const json& value, const std::string& where) {
    Integer result;
    if (value.is_number_unsigned()) {
        result.magnitude = uint256{value.get<uint64_t>()};
    } else if (value.is_number_integer()) {
        const int64_t v = value.get<int64_t>();
        result.negative = v < 0;
        // Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t.
        result.magnitude = uint256{v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v)};
    } else if (value.is_number_float()) {
        const double v = value.get<double>();
        // Above 2^53 a JSON number has already lost digits: such values must come as strings.
        if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9007199254740992.0)
            fail(where + ": " + shown(value) +
                 " is not an exact integer (send large or fractional values as a decimal or 0x string)");
        result.negative = v < 0;
        result.magnitude = uint256{static_cast<uint64_t>(std::fabs(v))};
    } else if (value.is_string()) {
        std::string_view text = value.get_ref<const std::string&>();
        if (!text.empty() && text[0] == '-') {
            result.negative = true;
            text.remove_prefix(1);
        }
        const bool hex = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
        if (text.empty() || (hex && text.size() == 2))
            fail(where + ": " + shown(value) + " is not a number");
        const auto parsed = uint256::from_string(text);
        if (!parsed) {
            // from_string fails on a non-digit or on overflow: tell which.
            bool digits_only = true;
            for (char c : text.substr(hex ? 2 : 0))
                digits_only = digits_only && (hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9'));
            fail(where + ": " + shown(value) + (digits_only ? " does not fit in 256 bits" : " is not a number"));
        }
        result.magnitude = *parsed;
    } else {
        fail(where + ": expected an integer (number, decimal or 0x string), got " + shown(value));
    }
    if (result.magnitude.is_zero()) result.negative = false;
    return result;
}

Hash32 encode_integer(const json& value, unsigned bits, bool is_signed, const std::string& where) {
    const Integer n = parse_integer(value, where);
    const std::string type = (is_signed ? "int" : "uint") + std::to_string(bits);
    if (!is_signed) {
        if (n.negative) fail(where + ": " + shown(value) + " is negative, not a " + type);
        if (n.magnitude.bit_length() > bits) fail(where + ": " + shown(value) + " is out of range for " + type);
        return n.magnitude.to_hash();
    }
    // intN holds -2^(N-1) .. 2^(N-1) - 1.
    const uint256 limit = uint256{1} << (bits - 1);
    if (n.negative ? n.magnitude > limit : n.magnitude >= limit)
        fail(where + ": " + shown(value) + " is out of range for " + type);
    // Two's complement over 256 bits is the sign extension EIP-712 asks for.
    return (n.negative ? -n.magnitude : n.magnitude).to_hash();
}

bytes decode_hex_string(const json& value, const std::string& where, std::string_view type) {
    if (!value.is_string()) fail(where + ": expected a 0x-hex string for " + std::string(type) + ", got " + shown(value));
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        fail(where + ": " + shown(value) + " is not 0x-prefixed hex (" + std::string(type) + ")");
    auto decoded = from_hex(text);
    if (!decoded) fail(where + ": " + shown(value) + " is not valid hex (" + std::string(type) + ")");
    return std::move(*decoded);
}

// encodeType / hashStruct over one request's "types" object. Type hashes are cached per request.
class Encoder {
public:
    explicit Encoder(const json& types) : types_(types) {
        if (!types_.is_object()) fail("\"types\" must be an object, got " + shown(types_));
    }

    bool is_struct(const std::string& name) const { return types_.contains(name); }

    const std::vector<Field>& fields_of(const std::string& struct_name) {
        if (auto it = fields_.find(struct_name); it != fields_.end()) return it->second;
        const auto found = types_.find(struct_name);
        if (found == types_.end()) fail("unknown type \"" + struct_name + "\"");
        if (is_atomic_or_dynamic(struct_name)) fail("types." + struct_name + ": a struct may not be named like a basic type");
        if (!found->is_array()) fail("types." + struct_name + " must be an array of {name, type}, got " + shown(*found));
        std::vector<Field> fields;
        for (size_t i = 0; i < found->size(); ++i) {
            const json& entry = (*found)[i];
            const std::string where = "types." + struct_name + "[" + std::to_string(i) + "]";
            if (!entry.is_object() || !entry.contains("name") || !entry.contains("type") || !entry["name"].is_string() ||
                !entry["type"].is_string())
                fail(where + " must be an object with string \"name\" and \"type\", got " + shown(entry));
            fields.push_back({entry["name"].get<std::string>(), entry["type"].get<std::string>()});
        }
        return fields_.emplace(struct_name, std::move(fields)).first->second;
    }

    // The struct types a member type refers to, or nothing for a basic type; unknown names fail.
    std::optional<std::string> struct_of(const Field& field, const std::string& owner) {
        const std::string where = "types." + owner + "." + field.name;
        const ParsedType parsed = parse_type(field.type, where);
        if (is_struct(parsed.base)) return parsed.base;
        if (!is_atomic_or_dynamic(parsed.base)) fail(where + ": unknown type \"" + parsed.base + "\"");
        return std::nullopt;
    }

    std::string encode_type(const std::string& primary) {
        // Worklist instead of recursion: cyclic types (Person.mother: Person) are visited once.
        std::set<std::string> dependencies;
        std::vector<std::string> pending{primary};
        while (!pending.empty()) {
            const std::string name = std::move(pending.back());
            pending.pop_back();
            if (!dependencies.insert(name).second) continue;
            for (const Field& field : fields_of(name))
                if (auto referenced = struct_of(field, name)) pending.push_back(*referenced);
        }
        dependencies.erase(primary);
        // EIP-712: the primary type first, then the referenced types sorted by name.
        std::string encoded = signature(primary);
        for (const std::string& name : dependencies) encoded += signature(name);
        return encoded;
    }

    Hash32 type_hash(const std::string& name) {
        if (auto it = type_hashes_.find(name); it != type_hashes_.end()) return it->second;
        const Hash32 hash = keccak256(std::string_view{encode_type(name)});
        type_hashes_.emplace(name, hash);
        return hash;
    }

    // EIP-712 hashStruct(s) = keccak256(typeHash ‖ encodeData(s)).
    Hash32 hash_struct(const std::string& name, const json& value, const std::string& where, unsigned depth) {
        if (depth > kMaxDepth) fail(where + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
        if (!value.is_object()) fail(where + ": expected an object of type " + name + ", got " + shown(value));
        bytes encoded;
        const Hash32 type_hash_value = type_hash(name);  // also checks every member type
        const std::vector<Field>& fields = fields_of(name);  // std::map: stays valid as the cache grows
        encoded.reserve(32 * (fields.size() + 1));
        append(encoded, type_hash_value);
        for (const Field& field : fields) {
            const auto member = value.find(field.name);
            const json* member_value = member == value.end() ? nullptr : &*member;
            append(encoded, encode_value(field.type, member_value, where + "." + field.name, depth + 1));
        }
        return keccak256(encoded);
    }

private:
    static void append(bytes& out, const Hash32& word) { out.insert(out.end(), word.bytes.begin(), word.bytes.end()); }

    std::string signature(const std::string& name) {
        std::string text = name + "(";
        const std::vector<Field>& fields = fields_of(name);
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i) text += ",";
            text += fields[i].type + " " + fields[i].name;
        }
        return text + ")";
    }

    // The 32-byte encodeData word of one member (EIP-712 "Definition of encodeData").
    Hash32 encode_value(const std::string& type, const json* value, const std::string& where, unsigned depth) {
        if (depth > kMaxDepth) fail(where + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
        const ParsedType parsed = parse_type(type, where);
        const bool absent = value == nullptr || value->is_null();
        if (!parsed.dimensions.empty()) {
            if (absent) fail(where + ": missing value of type " + type);
            if (!value->is_array()) fail(where + ": expected an array for " + type + ", got " + shown(*value));
            const auto declared = parsed.dimensions.back();
            if (declared && value->size() != *declared)
                fail(where + ": " + type + " needs " + std::to_string(*declared) + " elements, got " +
                     std::to_string(value->size()));
            const std::string element_type = type.substr(0, type.rfind('['));
            // EIP-712: an array is keccak256 of its elements' encodeData words, concatenated.
            bytes encoded;
            encoded.reserve(32 * value->size());
            for (size_t i = 0; i < value->size(); ++i)
                append(encoded, encode_value(element_type, &(*value)[i], where + "[" + std::to_string(i) + "]", depth + 1));
            return keccak256(encoded);
        }
        const std::string& base = parsed.base;
        if (is_struct(base)) {
            // eth-sig-util V4: an absent struct member is the zero word (recursive types end so).
            if (absent) return Hash32{};
            return hash_struct(base, *value, where, depth);
        }
        if (absent) fail(where + ": missing value of type " + type);
        if (base == "string") {
            if (!value->is_string()) fail(where + ": expected a string, got " + shown(*value));
            return keccak256(std::string_view{value->get_ref<const std::string&>()});
        }
        if (base == "bytes") return keccak256(decode_hex_string(*value, where, "bytes"));
        if (auto length = fixed_bytes_length(base)) {
            const bytes data = decode_hex_string(*value, where, base);
            if (data.size() != *length)
                fail(where + ": " + base + " needs exactly " + std::to_string(*length) + " bytes, got " +
                     std::to_string(data.size()));
            Hash32 word;  // bytesN is left-aligned, zero-padded on the right
            std::copy(data.begin(), data.end(), word.bytes.begin());
            return word;
        }
        if (base == "address") {
            if (!value->is_string()) fail(where + ": expected an address string, got " + shown(*value));
            const auto address = address_from_hex(value->get_ref<const std::string&>());
            if (!address) fail(where + ": " + shown(*value) + " is not a 20-byte hex address");
            return Hash32::from(*address);
        }
        if (base == "bool") {
            bool flag;
            if (value->is_boolean()) flag = value->get<bool>();
            else if (value->is_string() && (*value == "true" || *value == "false")) flag = *value == "true";
            else fail(where + ": expected a bool, got " + shown(*value));
            return uint256{flag ? 1u : 0u}.to_hash();
        }
        if (auto bits = integer_bits(base, "uint")) return encode_integer(*value, *bits, false, where);
        if (auto bits = integer_bits(base, "int")) return encode_integer(*value, *bits, true, where);
        fail(where + ": unknown type \"" + base + "\"");
    }

    const json& types_;
    std::map<std::string, std::vector<Field>> fields_;
    std::map<std::string, Hash32> type_hashes_;
};

const json& member(const json& object, const char* key, const char* what) {
    const auto it = object.find(key);
    if (it == object.end()) fail(std::string("the request has no \"") + key + "\" (" + what + ")");
    return *it;
}

// The request's types, with EIP712Domain made from the domain's fields when the request has none.
json types_with_domain(const json& typed_data) {
    if (!typed_data.is_object()) fail("the request must be a JSON object, got " + shown(typed_data));
    const json& types = member(typed_data, "types", "the struct definitions");
    if (!types.is_object()) fail("\"types\" must be an object, got " + shown(types));
    json result = types;
    if (result.contains("EIP712Domain")) return result;
    const json& domain = member(typed_data, "domain", "the EIP712Domain values");
    if (!domain.is_object()) fail("\"domain\" must be an object, got " + shown(domain));
    static const std::pair<const char*, const char*> kDomainFields[] = {
        {"name", "string"}, {"version", "string"}, {"chainId", "uint256"}, {"verifyingContract", "address"}, {"salt", "bytes32"}};
    json fields = json::array();
    for (const auto& [name, type] : kDomainFields)
        if (domain.contains(name)) fields.push_back({{"name", name}, {"type", type}});
    for (const auto& item : domain.items()) {
        bool known = false;
        for (const auto& [name, type] : kDomainFields) known = known || item.key() == name;
        if (!known) fail("domain." + item.key() + " is not an EIP712Domain field and types has no EIP712Domain");
    }
    result["EIP712Domain"] = std::move(fields);
    return result;
}

Hash32 domain_separator_of(Encoder& encoder, const json& typed_data) {
    const json& domain = member(typed_data, "domain", "the EIP712Domain values");
    return encoder.hash_struct("EIP712Domain", domain, "domain", 0);
}

json parse_request(std::string_view text) {
    json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) fail("the typed data is not valid JSON");
    return parsed;
}
}  // namespace

Hash32 typed_data_hash(const nlohmann::json& typed_data) {
    if (typed_data.is_string()) return typed_data_hash_of_text(typed_data.get_ref<const std::string&>());
    const json types = types_with_domain(typed_data);
    Encoder encoder(types);
    const json& primary = member(typed_data, "primaryType", "the message's type");
    if (!primary.is_string()) fail("\"primaryType\" must be a string, got " + shown(primary));
    const std::string primary_type = primary.get<std::string>();
    if (!encoder.is_struct(primary_type)) fail("primaryType \"" + primary_type + "\" is not defined in types");

    // EIP-712 / EIP-191 version 0x01: "\x19\x01" ‖ domainSeparator ‖ hashStruct(message).
    bytes preimage{0x19, 0x01};
    const Hash32 separator = domain_separator_of(encoder, typed_data);
    preimage.insert(preimage.end(), separator.bytes.begin(), separator.bytes.end());
    if (primary_type != "EIP712Domain") {
        const json& message = member(typed_data, "message", "the values to sign");
        const Hash32 message_hash = encoder.hash_struct(primary_type, message, "message", 0);
        preimage.insert(preimage.end(), message_hash.bytes.begin(), message_hash.bytes.end());
    }
    return keccak256(preimage);
}

Hash32 typed_data_hash_of_text(std::string_view typed_data_json) { return typed_data_hash(parse_request(typed_data_json)); }

Hash32 domain_separator(const nlohmann::json& typed_data) {
    if (typed_data.is_string()) return domain_separator(parse_request(typed_data.get_ref<const std::string&>()));
    const json types = types_with_domain(typed_data);
    Encoder encoder(types);
    return domain_separator_of(encoder, typed_data);
}

Hash32 hash_struct(const nlohmann::json& types, std::string_view type_name, const nlohmann::json& value) {
    Encoder encoder(types);
    const std::string name(type_name);
    if (!encoder.is_struct(name)) fail("type \"" + name + "\" is not defined in types");
    return encoder.hash_struct(name, value, name, 0);
}

std::string encode_type(const nlohmann::json& types, std::string_view type_name) {
    Encoder encoder(types);
    return encoder.encode_type(std::string(type_name));
}

}  // namespace polyvm

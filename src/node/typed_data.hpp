// EIP-712 typed structured data hashing, as eth_signTypedData_v4 signs it.
#pragma once

#include "common/types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace polyvm {

/// EIP-712 signing hash: keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message)) of a
/// request {types, primaryType, domain, message}, with the semantics of MetaMask's eth-sig-util
/// (version V4) and geth's apitypes:
/// - arrays (T[] and T[k], nested), structs (recursive types allowed), string, bytes, bytes1..32,
///   uint8..uint256 / int8..int256 (and uint/int = 256 bits) with range checks, bool, address;
/// - integers as JSON numbers (exact integers only), decimal strings or 0x-hex strings, an
///   optional leading '-' for signed types; bool also as "true"/"false"; address with or
///   without 0x; bytes/bytesN as 0x-hex (bytesN exactly N bytes, as viem requires);
/// - encodeType lists the referenced struct types in alphabetical order after the primary type;
/// - a struct-typed member that is missing or null encodes as 32 zero bytes (eth-sig-util V4);
///   any other missing member is an error; members not in the type are ignored;
/// - the domain is hashed with `types.EIP712Domain` when given; otherwise its type is made from
///   the domain's fields present, in the order name, version, chainId, verifyingContract, salt
///   (as viem and ethers do);
/// - with primaryType "EIP712Domain" the hash is keccak256("\x19\x01" ‖ domainSeparator)
///   (eth-sig-util and viem leave hashStruct(message) out in that case).
/// `typed_data` may also be a JSON string holding the request (ethers sends it so).
/// Throws std::invalid_argument naming the bad field or type: missing member, unknown type,
/// value out of range or of the wrong JSON type, malformed types, nesting deeper than 64.
Hash32 typed_data_hash(const nlohmann::json& typed_data);
/// The same from the request's JSON text; invalid JSON is an std::invalid_argument. (A separate
/// name: a string literal or std::string would convert to both std::string_view and json.)
Hash32 typed_data_hash_of_text(std::string_view typed_data_json);

/// EIP-712 domainSeparator = hashStruct(EIP712Domain, domain) of a request, as above.
Hash32 domain_separator(const nlohmann::json& typed_data);

/// EIP-712 hashStruct(value) = keccak256(typeHash ‖ encodeData(value)) for the struct type
/// `type_name` defined in `types` (the request's "types" object).
Hash32 hash_struct(const nlohmann::json& types, std::string_view type_name, const nlohmann::json& value);

/// EIP-712 encodeType: "Mail(Person from,Person to,string contents)Person(string name,address wallet)".
std::string encode_type(const nlohmann::json& types, std::string_view type_name);

}  // namespace polyvm

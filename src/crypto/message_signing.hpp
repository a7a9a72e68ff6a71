// Message signatures as wallets return them (eth_sign, personal_sign, eth_signTypedData_v4).
#pragma once

#include "common/types.hpp"
#include "crypto/secp256k1.hpp"

#include <array>
#include <optional>

namespace polyvm {

/// EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" ‖ decimal length ‖ message).
/// eth_sign and personal_sign sign this hash of the raw message bytes.
Hash32 eip191_personal_message_hash(bytes_view message);

/// r ‖ s ‖ v, 65 bytes, with v = 27 + recovery id: the wire form of eth_sign / personal_sign /
/// eth_signTypedData_v4 results.
std::array<uint8_t, 65> signature_bytes(const Signature& signature);

/// Signer of a 65-byte r ‖ s ‖ v signature over `message_hash`; v may be 0/1 or 27/28.
/// nullopt for another length or v, r or s out of range, or no recoverable key. Like
/// ecrecover, high s is accepted (message signatures carry no EIP-2 rule).
std::optional<Address> recover_signer_65(const Hash32& message_hash, bytes_view signature65);

}  // namespace polyvm

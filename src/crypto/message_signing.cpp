#include "crypto/message_signing.hpp"

#include "crypto/keccak.hpp"

#include <string>

namespace polyvm {

Hash32 eip191_personal_message_hash(bytes_view message) {
    // EIP-191: 0x19 ‖ "Ethereum Signed Message:\n" ‖ len(message) in decimal ‖ message.
    const std::string prefix = "\x19" "Ethereum Signed Message:\n" + std::to_string(message.size());
    bytes preimage(prefix.begin(), prefix.end());
    preimage.insert(preimage.end(), message.begin(), message.end());
    return keccak256(preimage);
}

std::array<uint8_t, 65> signature_bytes(const Signature& signature) {
    std::array<uint8_t, 65> out{};
    signature.r.store_be(out.data());
    signature.s.store_be(out.data() + 32);
    out[64] = static_cast<uint8_t>(27 + signature.recovery_id);
    return out;
}

std::optional<Address> recover_signer_65(const Hash32& message_hash, bytes_view signature65) {
    if (signature65.size() != 65) return std::nullopt;
    unsigned v = signature65[64];
    if (v == 27 || v == 28) v -= 27;
    if (v > 1) return std::nullopt;
    return ecrecover(message_hash, uint256::load_be(signature65.data()), uint256::load_be(signature65.data() + 32), v);
}

}  // namespace polyvm

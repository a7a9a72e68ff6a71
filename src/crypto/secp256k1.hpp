// secp256k1 public-key recovery (ecrecover) over Debian's libsecp256k1.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"

#include <array>
#include <optional>

namespace polyvm {

/// Recovers the signer's address from a 32-byte message hash and (r, s, recovery id 0/1).
/// Returns nullopt for r or s out of range, or a signature that recovers no key.
/// Does not apply the EIP-2 low-s rule: callers that need it check s themselves.
std::optional<Address> ecrecover(const Hash32& message_hash, const uint256& r, const uint256& s, unsigned recovery_id);

/// secp256k1 group order n and n / 2 (EIP-2: valid transaction signatures have s <= n/2).
inline constexpr uint256 kSecp256k1N{0xBFD25E8CD0364141ULL, 0xBAAEDCE6AF48A03BULL, 0xFFFFFFFFFFFFFFFEULL,
                                     0xFFFFFFFFFFFFFFFFULL};
inline constexpr uint256 kSecp256k1HalfN{0xDFE92F46681B20A0ULL, 0x5D576E7357A4501DULL, 0xFFFFFFFFFFFFFFFFULL,
                                         0x7FFFFFFFFFFFFFFFULL};

/// Address of the key with this 32-byte secret (used by state tests' `secretKey`).
std::optional<Address> address_from_secret_key(const Hash32& secret);

/// Signs a 32-byte hash: returns {r, s, recovery_id}; used by tests and the dev tooling.
struct Signature {
    uint256 r, s;
    unsigned recovery_id;
};
std::optional<Signature> sign_hash(const Hash32& message_hash, const Hash32& secret);

/// True when 0 < secret < n: a usable private key.
bool is_valid_secret_key(const Hash32& secret);

/// SEC1 compressed public key (0x02/0x03 ‖ x) of a secret key; nullopt for an invalid secret.
std::optional<std::array<uint8_t, 33>> compressed_public_key(const Hash32& secret);

/// (secret + tweak) mod n, as BIP-32 child derivation needs; nullopt when the tweak is >= n or
/// the sum is zero (the two cases BIP-32 declares the child key invalid), or the secret is invalid.
std::optional<Hash32> add_secret_keys(const Hash32& secret, const Hash32& tweak);

}  // namespace polyvm

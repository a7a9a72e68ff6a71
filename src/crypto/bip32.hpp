// BIP-32 hierarchical deterministic keys: private derivation only (the dev node's BIP-44 accounts).
#pragma once

#include "common/types.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace polyvm {

/// Child indexes at or above this are hardened (written with ' or h in a path).
inline constexpr uint32_t kBip32HardenedOffset = 0x80000000u;

/// A private extended key without the serialisation metadata (depth, fingerprint) we never print.
struct ExtendedPrivateKey {
    Hash32 secret;
    Hash32 chain_code;
};

/// BIP-32 master key: HMAC-SHA512(key "Bitcoin seed", seed) split into secret ‖ chain code.
/// Throws std::invalid_argument when the seed is not 16..64 bytes, or (probability 2^-127) the
/// result is not a valid key, in which case BIP-32 says to use another seed.
ExtendedPrivateKey master_key_from_seed(bytes_view seed);

/// BIP-32 CKDpriv: hardened indexes hash the parent secret, normal ones its compressed public
/// key. BIP-32: when IL >= n or the child key is zero, "proceed with the next value for i":
/// that is what this does (so the returned key may be for index + 1; it never happens in practice).
/// Throws std::invalid_argument if no index up to 2^32 - 1 gives a valid key.
ExtendedPrivateKey derive_child(const ExtendedPrivateKey& parent, uint32_t index);

/// Parses "m/44'/60'/0'/0/3" (hardened marked by ' or h or H) into child indexes.
/// Throws std::invalid_argument naming the bad component (missing "m", empty component,
/// non-digit, index >= 2^31).
std::vector<uint32_t> parse_derivation_path(std::string_view path);

/// Private key at `path` below the master key of `seed`.
Hash32 derive_private_key(bytes_view seed, std::string_view path);

}  // namespace polyvm

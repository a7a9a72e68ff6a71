// Keccak-256 (the pre-standard SHA-3 padding Ethereum uses). Our own: it sits on the hot path
// (KECCAK256 opcode, trie hashing, address derivation).
#pragma once

#include "common/types.hpp"

namespace polyvm {

Hash32 keccak256(bytes_view data) noexcept;
inline Hash32 keccak256(std::string_view s) noexcept { return keccak256(as_view(s)); }

/// The Keccak-f[1600] permutation on 25 little-endian lanes.
void keccak_f1600(uint64_t state[25]) noexcept;

}  // namespace polyvm

// Keccak-256 (the pre-standard SHA-3 padding Ethereum uses). Our own: it sits on the hot path
// (KECCAK256 opcode, trie hashing, address derivation).
#pragma once

#include "common/types.hpp"

namespace polyvm {

Hash32 keccak256(bytes_view data) noexcept;
inline Hash32 keccak256(std::string_view s) noexcept { return keccak256(as_view(s)); }
/// keccak256 of 64 bytes given as 8 little-endian words: the KECCAK256 opcode's most frequent
/// size (a mapping's slot, a Merkle node), one block whose lanes are set directly.
Hash32 keccak256_64(const uint64_t words[8]) noexcept;

/// The Keccak-f[1600] permutation on 25 little-endian lanes.
/// Uses the AVX-512 implementation where the CPU has AVX-512F and AVX-512VL, else the scalar code
/// built for BMI1+BMI2 where the CPU has those, else the portable scalar code (chosen once, at
/// start-up); POLYVM_KECCAK=scalar in the environment forces the portable one.
void keccak_f1600(uint64_t state[25]) noexcept;

namespace detail {
// The implementations behind keccak_f1600, for tests and benchmarks. keccak_f1600_bmi2 and
// keccak_f1600_avx512 may only be called where their *_available() says so (on other
// architectures they are the portable scalar one).
void keccak_f1600_scalar(uint64_t state[25]) noexcept;
void keccak_f1600_bmi2(uint64_t state[25]) noexcept;
bool keccak_f1600_bmi2_available() noexcept;
void keccak_f1600_avx512(uint64_t state[25]) noexcept;
bool keccak_f1600_avx512_available() noexcept;
}  // namespace detail

}  // namespace polyvm

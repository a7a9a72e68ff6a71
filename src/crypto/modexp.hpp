// Arbitrary-precision modular exponentiation over GMP, for the EIP-198 precompile at 0x05.
#pragma once

#include "common/types.hpp"

#include <cstdint>
#include <span>

namespace polyvm {

/// A big-endian unsigned integer written as its leading bytes followed by `zero_tail` zero bytes.
/// EIP-198 reads call data as if right-padded with zeros forever, so an operand that runs past the
/// end of the input is its present bytes times 256^zero_tail; this spares materialising the zeros.
struct PaddedBigEndian {
    bytes_view head;
    uint64_t zero_tail = 0;
};

/// Writes (base ** exp) % mod to out, big-endian and left-padded with zeros; mod == 0 gives all
/// zeros (EIP-198). out must be able to hold any value below mod, which is the case when its size
/// is the modulus length in bytes (higher bytes than fit are dropped otherwise).
void modexp(const PaddedBigEndian& base, const PaddedBigEndian& exp, const PaddedBigEndian& mod,
            std::span<uint8_t> out) noexcept;

}  // namespace polyvm

// The evaluation domains of blob KZG: roots of unity of the scalar field, the bit-reversed order
// the consensus specs keep them in, and the radix-2 FFT between coefficients and evaluations.
#pragma once

#include "crypto/bls12_381.hpp"
#include "crypto/kzg.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace polyvm::kzg {

inline constexpr unsigned kLogBlobSize = 12;  // FIELD_ELEMENTS_PER_BLOB = 4096 = 2^12
static_assert(kFieldElementsPerBlob == 1u << kLogBlobSize);

/// A primitive root of unity of order 2^log_order (<= 2^32): 7^((r - 1) / 2^log_order), the
/// consensus specs' compute_roots_of_unity generator (PRIMITIVE_ROOT_OF_UNITY = 7).
bls12_381::Fr root_of_unity(unsigned log_order);

/// The `bits`-bit reversal of value (reverse_bits of the specs).
inline size_t reverse_bits(size_t value, unsigned bits) {
    size_t reversed = 0;
    for (unsigned i = 0; i < bits; ++i) reversed |= ((value >> i) & 1u) << (bits - 1 - i);
    return reversed;
}

/// In place: values[i] := Σ_j values[j] ω^(i j) for ω a root of unity of order values.size()
/// (a power of two); with inverse, the inverse transform (ω^-1, divided by the size).
void fft(std::span<bls12_381::Fr> values, const bls12_381::Fr& omega, bool inverse = false);

}  // namespace polyvm::kzg

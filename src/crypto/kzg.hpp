// KZG point evaluation over BLS12-381: the EIP-4844 precompile at 0x0a.
//
// The precompile proves that the blob committed to by `commitment` (a polynomial p of degree
// < 4096 in evaluation form) satisfies p(z) = y, using the opening `proof` = [q(τ)]₁ with
// q(X) = (p(X) - y) / (X - z). It needs only two points of the trusted setup: the G2 generator
// and [τ]₂.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"
#include "crypto/bls12_381.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace polyvm::kzg {

inline constexpr size_t kPointEvaluationInputSize = 192;  // EIP-4844: 32 + 32 + 32 + 48 + 48
inline constexpr uint64_t kFieldElementsPerBlob = 4096;
inline constexpr uint8_t kVersionedHashVersionKzg = 0x01;
inline constexpr int64_t kPointEvaluationGas = 50000;  // EIP-4844 POINT_EVALUATION_PRECOMPILE_GAS

/// BLS_MODULUS: the order r of G1/G2, the field the blob's elements live in.
inline constexpr uint256 kBlsModulus{0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                                     0x73eda753299d7d48ULL};

/// EIP-4844 kzg_to_versioned_hash: 0x01 ‖ sha256(commitment)[1:].
Hash32 kzg_to_versioned_hash(std::span<const uint8_t, 48> commitment) noexcept;

/// The two G2 points a verifier needs, with their Miller-loop lines precomputed: both pairings of
/// the check have a fixed G2 argument (see verify_kzg_proof), so the lines are computed once.
struct VerifyingKey {
    bls12_381::G2Prepared g2_generator;
    bls12_381::G2Prepared tau_g2;
    bool valid = false;  // false only if [τ]₂ failed to decode: such a key rejects every proof
};

/// The mainnet key, from the KZG ceremony's [τ]₂ (decoded and prepared on first use; thread-safe).
const VerifyingKey& mainnet_verifying_key();

/// A key for another setup (tests use a τ of their own). tau_g2 must be a valid G2 point.
VerifyingKey make_verifying_key(const bls12_381::G2Affine& tau_g2);

/// The consensus-specs verify_kzg_proof on decoded values: commitment and proof must already be
/// validated G1 points, z and y reduced (< BLS_MODULUS). True iff e(proof, [τ - z]₂) = e(C - [y]₁, G2).
bool verify_kzg_proof(const bls12_381::G1Affine& commitment, const uint256& z, const uint256& y,
                      const bls12_381::G1Affine& proof, const VerifyingKey& key) noexcept;

/// verify_kzg_proof on encodings (c-kzg's interface): nullopt if a point fails to decode (flags,
/// x ≥ p, not on the curve, not in G1) or z or y is not below BLS_MODULUS; else the verdict.
std::optional<bool> verify_kzg_proof_bytes(std::span<const uint8_t, 48> commitment, std::span<const uint8_t, 32> z,
                                           std::span<const uint8_t, 32> y, std::span<const uint8_t, 48> proof,
                                           const VerifyingKey& key) noexcept;

/// The EIP-4844 point evaluation precompile without gas: input must be exactly 192 bytes,
/// versioned_hash ‖ z ‖ y ‖ commitment ‖ proof. Returns FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS
/// (two 32-byte big-endian words) on success, nullopt on any failure.
std::optional<bytes> point_evaluation(bytes_view input, const VerifyingKey& key);
std::optional<bytes> point_evaluation(bytes_view input);  // with the mainnet key

}  // namespace polyvm::kzg

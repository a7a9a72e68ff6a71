// Blob KZG proofs (EIP-4844 network form; consensus-specs deneb/polynomial-commitments.md): a
// blob is a polynomial of degree < 4096 given by its values on the 4096th roots of unity (in
// bit-reversed order); its proof opens the commitment at a Fiat-Shamir challenge derived from
// the blob and the commitment. The node checks these on the sidecars of blob transactions.
#pragma once

#include "crypto/bls12_381.hpp"
#include "crypto/kzg.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace polyvm::kzg {

inline constexpr size_t kBytesPerFieldElement = 32;
inline constexpr size_t kBytesPerBlob = kBytesPerFieldElement * kFieldElementsPerBlob;  // 131072

using BlobView = std::span<const uint8_t, kBytesPerBlob>;

/// consensus-specs blob_to_polynomial: the blob's 4096 elements, each big-endian and below
/// BLS_MODULUS (nullopt otherwise).
std::optional<std::vector<bls12_381::Fr>> blob_to_polynomial(BlobView blob);

/// consensus-specs evaluate_polynomial_in_evaluation_form: p(z) by the barycentric formula over
/// the bit-reversed roots of unity (the element itself when z is one of them).
bls12_381::Fr evaluate_polynomial_in_evaluation_form(std::span<const bls12_381::Fr> polynomial, const bls12_381::Fr& z);

/// consensus-specs hash_to_bls_field: sha256(data) as a big-endian integer, reduced mod BLS_MODULUS.
bls12_381::Fr hash_to_bls_field(bytes_view data);

/// consensus-specs compute_challenge: sha256("FSBLOBVERIFY_V1_" ‖ 4096 as 16 bytes ‖ blob ‖
/// commitment) reduced mod BLS_MODULUS.
bls12_381::Fr compute_challenge(BlobView blob, std::span<const uint8_t, 48> commitment);

/// consensus-specs verify_blob_kzg_proof: nullopt when the blob holds an element not below
/// BLS_MODULUS or the commitment or proof is not a valid G1 encoding; else the verdict.
std::optional<bool> verify_blob_kzg_proof(BlobView blob, std::span<const uint8_t, 48> commitment,
                                          std::span<const uint8_t, 48> proof, const VerifyingKey& key);
std::optional<bool> verify_blob_kzg_proof(BlobView blob, std::span<const uint8_t, 48> commitment,
                                          std::span<const uint8_t, 48> proof);  // mainnet setup

}  // namespace polyvm::kzg

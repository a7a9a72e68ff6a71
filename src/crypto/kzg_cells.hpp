// Cell KZG proofs (EIP-7594, PeerDAS; consensus-specs fulu/polynomial-commitments-sampling.md):
// a blob's polynomial evaluated on the 8192 roots of unity (the extension by a factor of two) is
// cut into 128 cells of 64 evaluations, each with a multi-point KZG proof. From Osaka, blob
// transactions travel with these cell proofs instead of one proof per blob.
#pragma once

#include "crypto/kzg_blob.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace polyvm::kzg {

inline constexpr size_t kFieldElementsPerCell = 64;
inline constexpr size_t kCellsPerExtBlob = 128;
inline constexpr size_t kBytesPerCell = kFieldElementsPerCell * kBytesPerFieldElement;  // 2048

using Cell = std::array<uint8_t, kBytesPerCell>;
using G1Bytes = std::array<uint8_t, 48>;

/// consensus-specs compute_cells: the 128 cells of the blob's extension; nullopt when the blob
/// holds an element not below BLS_MODULUS.
std::optional<std::vector<Cell>> compute_cells(BlobView blob);

/// consensus-specs verify_cell_kzg_proof_batch: cell k (with proofs[k]) is cell cell_indices[k]
/// of the blob committed to by commitments[k]. nullopt when the spans differ in size, an index is
/// not below 128, or a commitment, proof or cell element fails to decode; else the verdict.
std::optional<bool> verify_cell_kzg_proof_batch(std::span<const G1Bytes> commitments, std::span<const uint64_t> cell_indices,
                                                std::span<const Cell> cells, std::span<const G1Bytes> proofs);

/// The blob's 128 cell proofs checked against the cells it extends to (what a node checks on
/// an EIP-7594 transaction wrapper): compute_cells, then verify_cell_kzg_proof_batch.
std::optional<bool> verify_blob_cell_proofs(BlobView blob, std::span<const uint8_t, 48> commitment,
                                            std::span<const G1Bytes> proofs);

}  // namespace polyvm::kzg

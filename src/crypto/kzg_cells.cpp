#include "crypto/kzg_cells.hpp"

#include "common/hex.hpp"
#include "crypto/kzg_domain.hpp"
#include "crypto/kzg_setup_points.hpp"

#include <algorithm>

namespace polyvm::kzg {
namespace bls = bls12_381;
using bls::Fr;

namespace {

constexpr unsigned kLogExtBlobSize = 13;  // FIELD_ELEMENTS_PER_EXT_BLOB = 8192
constexpr unsigned kLogCellSize = 6;      // FIELD_ELEMENTS_PER_CELL = 64
constexpr unsigned kLogCellCount = 7;     // CELLS_PER_EXT_BLOB = 128

/// The setup points the verification needs, decoded and prepared once.
struct CellSetup {
    std::vector<bls::G1Affine> g1_monomial;  // [τ^i]₁, i < 64
    bls::G2Prepared tau_power_cell_g2;       // [τ^64]₂
    bls::G2Prepared g2_generator;
    bool valid = false;
};

const CellSetup& cell_setup() {
    static const CellSetup setup = [] {
        CellSetup s;
        for (const char* hex : setup::kG1Monomial) {
            const auto raw = from_hex(hex);
            if (!raw || raw->size() != 48) return CellSetup{};
            const auto point = bls::g1_decompress(std::span<const uint8_t, 48>(raw->data(), 48));
            if (!point) return CellSetup{};  // a corrupt constant rejects every proof
            s.g1_monomial.push_back(*point);
        }
        const auto raw = from_hex(setup::kTauPower64G2);
        if (!raw || raw->size() != 96) return CellSetup{};
        const auto tau64 = bls::g2_decompress(std::span<const uint8_t, 96>(raw->data(), 96));
        if (!tau64) return CellSetup{};
        s.tau_power_cell_g2 = bls::g2_prepare(*tau64);
        s.g2_generator = bls::g2_prepare(bls::g2_generator());
        s.valid = true;
        return s;
    }();
    return setup;
}

bls::Scalar scalar(const Fr& value) { return value.to_canonical(); }

void append_u64_be(bytes& out, uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

std::optional<std::vector<Cell>> compute_cells(BlobView blob) {
    const auto polynomial = blob_to_polynomial(blob);
    if (!polynomial) return std::nullopt;
    // Coefficients: the blob holds p(ω^reverse(i)); put the values in natural order and
    // interpolate (polynomial_eval_to_coeff).
    std::vector<Fr> values(size_t{1} << kLogExtBlobSize);
    for (size_t i = 0; i < kFieldElementsPerBlob; ++i) values[i] = (*polynomial)[reverse_bits(i, kLogBlobSize)];
    fft(std::span<Fr>(values.data(), kFieldElementsPerBlob), root_of_unity(kLogBlobSize), true);
    // The extension: p on all 8192 roots (degree < 4096, so the upper coefficients are zero).
    fft(values, root_of_unity(kLogExtBlobSize));
    // Cells take the extended evaluations in bit-reversed order, 64 at a time.
    std::vector<Cell> cells(kCellsPerExtBlob);
    for (size_t i = 0; i < values.size(); ++i)
        values[reverse_bits(i, kLogExtBlobSize)].to_be(cells[i / kFieldElementsPerCell].data() +
                                                       (i % kFieldElementsPerCell) * kBytesPerFieldElement);
    return cells;
}

std::optional<bool> verify_cell_kzg_proof_batch(std::span<const G1Bytes> commitments, std::span<const uint64_t> cell_indices,
                                                std::span<const Cell> cells, std::span<const G1Bytes> proofs) {
    const size_t count = cell_indices.size();
    if (commitments.size() != count || cells.size() != count || proofs.size() != count) return std::nullopt;
    const CellSetup& setup = cell_setup();
    if (!setup.valid) return false;

    // The distinct commitments, and each cell's among them (deduplicate_kzg_commitments).
    std::vector<G1Bytes> unique;
    std::vector<size_t> commitment_index(count);
    for (size_t k = 0; k < count; ++k) {
        if (cell_indices[k] >= kCellsPerExtBlob) return std::nullopt;
        const auto it = std::find(unique.begin(), unique.end(), commitments[k]);
        commitment_index[k] = static_cast<size_t>(it - unique.begin());
        if (it == unique.end()) unique.push_back(commitments[k]);
    }
    std::vector<bls::G1Affine> commitment_points, proof_points;
    for (const auto& c : unique) {
        const auto point = bls::g1_decompress(c);
        if (!point) return std::nullopt;
        commitment_points.push_back(*point);
    }
    for (const auto& p : proofs) {
        const auto point = bls::g1_decompress(p);
        if (!point) return std::nullopt;
        proof_points.push_back(*point);
    }
    std::vector<std::array<Fr, kFieldElementsPerCell>> evals(count);
    for (size_t k = 0; k < count; ++k)
        for (size_t j = 0; j < kFieldElementsPerCell; ++j) {
            const auto value = Fr::from_be(cells[k].data() + j * kBytesPerFieldElement);
            if (!value) return std::nullopt;
            evals[k][j] = *value;
        }
    if (count == 0) return true;

    // Step 1 (compute_verify_cell_kzg_proof_batch_challenge): r from everything the prover gave.
    static constexpr char kDomain[] = "RCKZGCBATCH__V1_";  // RANDOM_CHALLENGE_KZG_CELL_BATCH_DOMAIN
    bytes input(kDomain, kDomain + 16);
    append_u64_be(input, kFieldElementsPerBlob);
    append_u64_be(input, kFieldElementsPerCell);
    append_u64_be(input, unique.size());
    append_u64_be(input, count);
    for (const auto& c : unique) input.insert(input.end(), c.begin(), c.end());
    for (size_t k = 0; k < count; ++k) {
        append_u64_be(input, commitment_index[k]);
        append_u64_be(input, cell_indices[k]);
        input.insert(input.end(), cells[k].begin(), cells[k].end());  // the canonical encodings
        input.insert(input.end(), proofs[k].begin(), proofs[k].end());
    }
    const Fr r = hash_to_bls_field(input);

    // The universal verification equation e(LL, [τ^n]₂) = e(RL, [1]₂), n = 64, with
    // LL = Σ r^k π_k and RL = Σ_i w_i C_i - [Σ_k r^k I_k(τ)]₁ + Σ_k r^k h_k^n π_k, where I_k
    // interpolates cell k on its coset h_k·<ω₆₄> and w_i sums the r^k of commitment i's cells.
    const Fr omega_ext = root_of_unity(kLogExtBlobSize);
    const Fr omega_cell = root_of_unity(kLogCellSize);
    std::vector<bls::Scalar> r_powers(count), shifted_r_powers(count);
    std::vector<Fr> weights(unique.size(), Fr::zero());
    std::array<Fr, kFieldElementsPerCell> interpolation_sum{};
    bls::Scalar n_limbs{kFieldElementsPerCell, 0, 0, 0};
    Fr r_power = Fr::one();
    for (size_t k = 0; k < count; ++k, r_power = r_power * r) {
        r_powers[k] = scalar(r_power);
        weights[commitment_index[k]] = weights[commitment_index[k]] + r_power;
        // coset_shift_for_cell: element 64 c of the bit-reversed 8192 roots, ω₈₁₉₂^reverse₇(c);
        // element j of the cell is h·ω₆₄^reverse₆(j).
        const Fr shift = omega_ext.pow(bls::Scalar{reverse_bits(cell_indices[k], kLogCellCount), 0, 0, 0});
        shifted_r_powers[k] = scalar(r_power * shift.pow(n_limbs));
        // J(Y) = I(h Y) from the values at ω₆₄^m (natural order); I's coefficient i = J's · h^-i.
        std::array<Fr, kFieldElementsPerCell> coefficients;
        for (size_t m = 0; m < kFieldElementsPerCell; ++m) coefficients[m] = evals[k][reverse_bits(m, kLogCellSize)];
        fft(coefficients, omega_cell, true);
        const Fr shift_inverse = shift.inverse();
        Fr factor = r_power;
        for (size_t i = 0; i < kFieldElementsPerCell; ++i, factor = factor * shift_inverse)
            interpolation_sum[i] = interpolation_sum[i] + coefficients[i] * factor;
    }
    std::vector<bls::Scalar> weight_scalars(unique.size()), interpolation_scalars(kFieldElementsPerCell);
    for (size_t i = 0; i < unique.size(); ++i) weight_scalars[i] = scalar(weights[i]);
    for (size_t i = 0; i < kFieldElementsPerCell; ++i) interpolation_scalars[i] = scalar(interpolation_sum[i]);

    const bls::G1 ll = bls::g1_msm(proof_points, r_powers);
    const bls::G1 rl = bls::g1_msm(commitment_points, weight_scalars) - bls::g1_msm(setup.g1_monomial, interpolation_scalars) +
                       bls::g1_msm(proof_points, shifted_r_powers);
    const bls::PreparedPair pairs[2] = {{ll.to_affine(), &setup.tau_power_cell_g2}, {(-rl).to_affine(), &setup.g2_generator}};
    return bls::pairing_check(pairs);
}

std::optional<bool> verify_blob_cell_proofs(BlobView blob, std::span<const uint8_t, 48> commitment,
                                            std::span<const G1Bytes> proofs) {
    if (proofs.size() != kCellsPerExtBlob) return std::nullopt;
    const auto cells = compute_cells(blob);
    if (!cells) return std::nullopt;
    G1Bytes commitment_bytes;
    std::copy(commitment.begin(), commitment.end(), commitment_bytes.begin());
    const std::vector<G1Bytes> commitments(kCellsPerExtBlob, commitment_bytes);
    std::vector<uint64_t> indices(kCellsPerExtBlob);
    for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
    return verify_cell_kzg_proof_batch(commitments, indices, *cells, proofs);
}

}  // namespace polyvm::kzg

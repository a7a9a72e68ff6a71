#include "crypto/kzg_blob.hpp"

#include "crypto/hashes.hpp"
#include "crypto/kzg_domain.hpp"

#include <array>
#include <cstring>
#include <vector>

namespace polyvm::kzg {
namespace bls = bls12_381;
using bls::Fr;

namespace {

/// compute_roots_of_unity(4096) in bit_reversal_permutation order: root i is ω^reverse(i) with
/// ω = 7^((r - 1) / 4096).
const std::vector<Fr>& bit_reversed_roots() {
    static const std::vector<Fr> roots = [] {
        const Fr omega = root_of_unity(kLogBlobSize);
        std::vector<Fr> powers(kFieldElementsPerBlob);
        Fr power = Fr::one();
        for (size_t i = 0; i < powers.size(); ++i, power = power * omega) powers[i] = power;
        std::vector<Fr> reversed(kFieldElementsPerBlob);
        for (unsigned i = 0; i < reversed.size(); ++i) reversed[i] = powers[reverse_bits(i, kLogBlobSize)];
        return reversed;
    }();
    return roots;
}

uint256 to_uint256(const Fr& value) {
    const auto limbs = value.to_canonical();
    return {limbs[0], limbs[1], limbs[2], limbs[3]};
}

}  // namespace

std::optional<std::vector<Fr>> blob_to_polynomial(BlobView blob) {
    std::vector<Fr> polynomial(kFieldElementsPerBlob);
    for (size_t i = 0; i < polynomial.size(); ++i) {
        const auto element = Fr::from_be(blob.data() + i * kBytesPerFieldElement);
        if (!element) return std::nullopt;  // bytes_to_bls_field: not below BLS_MODULUS
        polynomial[i] = *element;
    }
    return polynomial;
}

Fr evaluate_polynomial_in_evaluation_form(std::span<const Fr> polynomial, const Fr& z) {
    const std::vector<Fr>& roots = bit_reversed_roots();
    const size_t width = polynomial.size();
    // p(z) = (z^n - 1) / n · Σ p_i ω_i / (z - ω_i): the n denominators inverted together
    // (Montgomery's trick: one inversion and three products each).
    std::vector<Fr> prefix(width);
    Fr running = Fr::one();
    for (size_t i = 0; i < width; ++i) {
        const Fr difference = z - roots[i];
        if (difference.is_zero()) return polynomial[i];  // z is in the domain: the value is given
        prefix[i] = running;
        running = running * difference;
    }
    Fr inverse = running.inverse();  // 1 / Π (z - ω_i)
    Fr sum = Fr::zero();
    for (size_t i = width; i-- > 0;) {
        const Fr difference = z - roots[i];
        const Fr inverse_i = inverse * prefix[i];  // 1 / (z - ω_i)
        inverse = inverse * difference;
        sum = sum + polynomial[i] * roots[i] * inverse_i;
    }
    bls::Scalar width_limbs{width, 0, 0, 0};
    const Fr vanishing = z.pow(width_limbs) - Fr::one();
    return sum * vanishing * Fr::from_u64(width).inverse();
}

Fr compute_challenge(BlobView blob, std::span<const uint8_t, 48> commitment) {
    static constexpr char kDomain[] = "FSBLOBVERIFY_V1_";  // FIAT_SHAMIR_PROTOCOL_DOMAIN
    bytes data;
    data.reserve(16 + 16 + blob.size() + commitment.size());
    data.insert(data.end(), kDomain, kDomain + 16);
    uint8_t degree[16] = {};  // FIELD_ELEMENTS_PER_BLOB, 16 bytes big-endian
    degree[14] = static_cast<uint8_t>(kFieldElementsPerBlob >> 8);
    degree[15] = static_cast<uint8_t>(kFieldElementsPerBlob);
    data.insert(data.end(), degree, degree + 16);
    data.insert(data.end(), blob.begin(), blob.end());
    data.insert(data.end(), commitment.begin(), commitment.end());
    return hash_to_bls_field(data);
}

Fr hash_to_bls_field(bytes_view data) {
    // The digest as a big-endian integer mod r (r > 2^254: at most three subtractions).
    uint256 value = uint256::from_hash(sha256(data));
    while (!(value < kBlsModulus)) value = value - kBlsModulus;
    return Fr::from_canonical({value.w[0], value.w[1], value.w[2], value.w[3]});
}

std::optional<bool> verify_blob_kzg_proof(BlobView blob, std::span<const uint8_t, 48> commitment,
                                          std::span<const uint8_t, 48> proof, const VerifyingKey& key) {
    const auto commitment_point = bls::g1_decompress(commitment);
    if (!commitment_point) return std::nullopt;
    const auto polynomial = blob_to_polynomial(blob);
    if (!polynomial) return std::nullopt;
    const auto proof_point = bls::g1_decompress(proof);
    if (!proof_point) return std::nullopt;
    const Fr challenge = compute_challenge(blob, commitment);
    const Fr y = evaluate_polynomial_in_evaluation_form(*polynomial, challenge);
    return verify_kzg_proof(*commitment_point, to_uint256(challenge), to_uint256(y), *proof_point, key);
}

std::optional<bool> verify_blob_kzg_proof(BlobView blob, std::span<const uint8_t, 48> commitment,
                                          std::span<const uint8_t, 48> proof) {
    return verify_blob_kzg_proof(blob, commitment, proof, mainnet_verifying_key());
}

}  // namespace polyvm::kzg

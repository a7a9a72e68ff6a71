#include "crypto/kzg.hpp"

#include "common/hex.hpp"
#include "crypto/hashes.hpp"

#include <cstring>

namespace polyvm::kzg {
namespace bls = bls12_381;

namespace {

// [τ]₂ of the Ethereum KZG ceremony (the trusted setup's g2_monomial[1]), ZCash-compressed.
constexpr char kMainnetTauG2Hex[] =
    "b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72"
    "185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2";

VerifyingKey build_mainnet_key() {
    // A constant of this file, decoded with the full checks (flags, on the curve, in G2). Should it
    // ever fail, the key is marked invalid and rejects every proof (the unit tests would fail);
    // falling back to some default point could make forged proofs verify.
    const auto raw = from_hex(kMainnetTauG2Hex);
    if (!raw || raw->size() != 96) return {};
    const auto tau = bls::g2_decompress(std::span<const uint8_t, 96>(raw->data(), 96));
    if (!tau || tau->infinity) return {};
    return make_verifying_key(*tau);
}

}  // namespace

Hash32 kzg_to_versioned_hash(std::span<const uint8_t, 48> commitment) noexcept {
    Hash32 h = sha256(bytes_view{commitment.data(), commitment.size()});
    h[0] = kVersionedHashVersionKzg;
    return h;
}

const VerifyingKey& mainnet_verifying_key() {
    static const VerifyingKey key = build_mainnet_key();  // C++11 magic statics: thread-safe
    return key;
}

VerifyingKey make_verifying_key(const bls::G2Affine& tau_g2) {
    return {bls::g2_prepare(bls::g2_generator()), bls::g2_prepare(tau_g2), true};
}

bool verify_kzg_proof(const bls::G1Affine& commitment, const uint256& z, const uint256& y,
                      const bls::G1Affine& proof, const VerifyingKey& key) noexcept {
    if (!key.valid) return false;
    // The spec's check e(π, [τ]₂ - [z]₂) = e(C - [y]₁, G2) needs a G2 scalar multiplication and
    // a G2 argument that changes per call. By bilinearity, e(π, -[z]₂) = e(-[z]π, G2), so the
    // same equation is
    //     e(π, [τ]₂) · e([y]₁ - C - [z]π, G2) = 1,
    // where both G2 arguments are constants (lines precomputed in the key) and the scalar
    // multiplications happen in G1, which is about three times cheaper than G2.
    const bls::Scalar zs{z.w[0], z.w[1], z.w[2], z.w[3]}, ys{y.w[0], y.w[1], y.w[2], y.w[3]};
    const bls::G1 lhs = bls::g1_mul_generator(ys).add_mixed(-commitment) - bls::g1_mul_glv(proof, zs);
    const bls::PreparedPair pairs[2] = {{proof, &key.tau_g2}, {lhs.to_affine(), &key.g2_generator}};
    return bls::pairing_check(pairs);
}

std::optional<bool> verify_kzg_proof_bytes(std::span<const uint8_t, 48> commitment, std::span<const uint8_t, 32> z,
                                           std::span<const uint8_t, 32> y, std::span<const uint8_t, 48> proof,
                                           const VerifyingKey& key) noexcept {
    // consensus-specs bytes_to_bls_field: a field element is canonical, 0 <= v < BLS_MODULUS.
    const uint256 zv = uint256::load_be(z.data());
    const uint256 yv = uint256::load_be(y.data());
    if (zv >= kBlsModulus || yv >= kBlsModulus) return std::nullopt;
    // consensus-specs validate_kzg_g1: the point at infinity, or a valid compressed G1 point in
    // the r-torsion subgroup (KeyValidate minus its infinity rule). g1_decompress does all of it.
    const auto c = bls::g1_decompress(commitment);
    if (!c) return std::nullopt;
    const auto pi = bls::g1_decompress(proof);
    if (!pi) return std::nullopt;
    return verify_kzg_proof(*c, zv, yv, *pi, key);
}

std::optional<bytes> point_evaluation(bytes_view input, const VerifyingKey& key) {
    // EIP-4844: input = versioned_hash ‖ z ‖ y ‖ commitment ‖ proof, exactly 192 bytes.
    if (input.size() != kPointEvaluationInputSize) return std::nullopt;
    const std::span<const uint8_t, 32> versioned_hash(input.data(), 32);
    const std::span<const uint8_t, 32> z(input.data() + 32, 32);
    const std::span<const uint8_t, 32> y(input.data() + 64, 32);
    const std::span<const uint8_t, 48> commitment(input.data() + 96, 48);
    const std::span<const uint8_t, 48> proof(input.data() + 144, 48);

    // The commitment must be the one the transaction's blob hash names (cheap; checked first).
    const Hash32 expected = kzg_to_versioned_hash(commitment);
    if (std::memcmp(expected.data(), versioned_hash.data(), 32) != 0) return std::nullopt;

    const auto ok = verify_kzg_proof_bytes(commitment, z, y, proof, key);
    if (!ok || !*ok) return std::nullopt;

    // Success output: FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as 32-byte big-endian words.
    bytes out(64);
    uint256{kFieldElementsPerBlob}.store_be(out.data());
    kBlsModulus.store_be(out.data() + 32);
    return out;
}

std::optional<bytes> point_evaluation(bytes_view input) { return point_evaluation(input, mainnet_verifying_key()); }

}  // namespace polyvm::kzg

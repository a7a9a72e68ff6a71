// KZG point evaluation (EIP-4844). Two sources of truth:
//  - a setup with a known τ built here: commitments and proofs are computed from a polynomial
//    in the clear ([p(τ)]₁ and [q(τ)]₁), so true and false claims can be made at will;
//  - the c-kzg-4844 / consensus-specs verify_kzg_proof vectors (mainnet setup), a sample
//    copied verbatim below.
#include "common/hex.hpp"
#include "crypto/hashes.hpp"
#include "crypto/kzg.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace polyvm;
using namespace polyvm::bls12_381;

namespace {

bytes H(std::string_view hex) {
    auto b = from_hex(hex);
    EXPECT_TRUE(b.has_value()) << hex;
    return b.value_or(bytes{});
}
Scalar S(const Fr& a) { return a.to_canonical(); }
uint256 U(const Fr& a) {
    const auto l = a.to_canonical();
    return {l[0], l[1], l[2], l[3]};
}

/// A toy trusted setup with a public τ and a polynomial in coefficient form.
struct ToySetup {
    Fr tau = Fr::from_u64(0x1234567890abcdefULL) * Fr::from_u64(0xfedcba9876543210ULL) + Fr::from_u64(77);
    kzg::VerifyingKey key = kzg::make_verifying_key(G2::from_affine(g2_generator()).mul(S(tau)).to_affine());

    static Fr eval(const std::vector<Fr>& coeffs, const Fr& x) {
        Fr acc;
        for (size_t i = coeffs.size(); i-- > 0;) acc = acc * x + coeffs[i];
        return acc;
    }
    G1Affine commit(const std::vector<Fr>& coeffs) const {
        return G1::from_affine(g1_generator()).mul(S(eval(coeffs, tau))).to_affine();
    }
    /// Opening at z: q(X) = (p(X) - p(z)) / (X - z) by synthetic division, proof = [q(τ)]₁.
    G1Affine open(const std::vector<Fr>& coeffs, const Fr& z) const {
        std::vector<Fr> q(coeffs.size() > 1 ? coeffs.size() - 1 : 0);
        Fr carry;
        for (size_t i = coeffs.size(); i-- > 1;) {
            carry = coeffs[i] + carry * z;
            q[i - 1] = carry;
        }
        return G1::from_affine(g1_generator()).mul(S(eval(q, tau))).to_affine();
    }
};

bytes input_of(const G1Affine& commitment, const Fr& z, const Fr& y, const G1Affine& proof) {
    const auto c = g1_compress(commitment);
    const auto pi = g1_compress(proof);
    bytes in(192);
    const Hash32 vh = kzg::kzg_to_versioned_hash(c);
    std::copy(vh.bytes.begin(), vh.bytes.end(), in.begin());
    U(z).store_be(in.data() + 32);
    U(y).store_be(in.data() + 64);
    std::copy(c.begin(), c.end(), in.begin() + 96);
    std::copy(pi.begin(), pi.end(), in.begin() + 144);
    return in;
}

const std::vector<Fr> kPoly = {Fr::from_u64(3), Fr::from_u64(1), Fr::from_u64(4), Fr::from_u64(1),
                               Fr::from_u64(5), Fr::from_u64(9), Fr::from_u64(2), Fr::from_u64(6)};

const char* kExpectedOutput =
    "0000000000000000000000000000000000000000000000000000000000001000"
    "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

}  // namespace

TEST(Kzg, VersionedHash) {
    std::array<uint8_t, 48> c{};
    c[0] = 0xc0;
    const Hash32 vh = kzg::kzg_to_versioned_hash(c);
    const Hash32 sh = sha256(bytes_view{c.data(), c.size()});
    EXPECT_EQ(vh[0], 0x01);
    for (size_t i = 1; i < 32; ++i) EXPECT_EQ(vh[i], sh[i]);
}

TEST(Kzg, ModulusConstant) {
    EXPECT_EQ(to_hex(kzg::kBlsModulus.to_hash()), "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    const auto r = kOrder;
    EXPECT_EQ((uint256{r[0], r[1], r[2], r[3]}), kzg::kBlsModulus);
}

TEST(Kzg, ToySetupTrueAndFalseClaims) {
    const ToySetup s;
    const G1Affine c = s.commit(kPoly);
    for (const Fr& z : {Fr::from_u64(0), Fr::from_u64(1), Fr::from_u64(123456789), -Fr::one()}) {
        const Fr y = ToySetup::eval(kPoly, z);
        const G1Affine pi = s.open(kPoly, z);
        EXPECT_TRUE(kzg::verify_kzg_proof(c, U(z), U(y), pi, s.key));
        // Wrong value, wrong point, wrong proof, wrong commitment.
        EXPECT_FALSE(kzg::verify_kzg_proof(c, U(z), U(y + Fr::one()), pi, s.key));
        EXPECT_FALSE(kzg::verify_kzg_proof(c, U(z + Fr::one()), U(y), pi, s.key));
        EXPECT_FALSE(kzg::verify_kzg_proof(c, U(z), U(y), g1_add(pi, g1_generator()), s.key));
        EXPECT_FALSE(kzg::verify_kzg_proof(g1_add(c, g1_generator()), U(z), U(y), pi, s.key));
        // The same claim against the mainnet τ fails: the proof is bound to the setup.
        EXPECT_FALSE(kzg::verify_kzg_proof(c, U(z), U(y), pi, kzg::mainnet_verifying_key()));

        const bytes in = input_of(c, z, y, pi);
        const auto out = kzg::point_evaluation(in, s.key);
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(to_hex(*out), kExpectedOutput);
    }
    // A constant polynomial: the proof is the point at infinity (q = 0), commitment [c]₁.
    const std::vector<Fr> constant = {Fr::from_u64(42)};
    const Fr z = Fr::from_u64(7);
    const G1Affine pi0 = s.open(constant, z);
    EXPECT_TRUE(pi0.infinity);
    EXPECT_TRUE(kzg::verify_kzg_proof(s.commit(constant), U(z), U(Fr::from_u64(42)), pi0, s.key));
    EXPECT_FALSE(kzg::verify_kzg_proof(s.commit(constant), U(z), U(Fr::from_u64(41)), pi0, s.key));
    // The zero polynomial: commitment and proof at infinity, y = 0.
    EXPECT_TRUE(kzg::verify_kzg_proof(G1Affine{}, U(z), U(Fr::zero()), G1Affine{}, s.key));
    EXPECT_TRUE(kzg::point_evaluation(input_of(G1Affine{}, z, Fr::zero(), G1Affine{}), s.key).has_value());
}

TEST(Kzg, PointEvaluationInputRules) {
    const ToySetup s;
    const G1Affine c = s.commit(kPoly);
    const Fr z = Fr::from_u64(99), y = ToySetup::eval(kPoly, z);
    const bytes good = input_of(c, z, y, s.open(kPoly, z));
    ASSERT_TRUE(kzg::point_evaluation(good, s.key).has_value());

    // Length must be exactly 192.
    EXPECT_FALSE(kzg::point_evaluation(bytes(good.begin(), good.end() - 1), s.key));
    bytes longer = good;
    longer.push_back(0);
    EXPECT_FALSE(kzg::point_evaluation(longer, s.key));
    EXPECT_FALSE(kzg::point_evaluation(bytes{}, s.key));

    // Versioned hash: wrong version byte, wrong hash byte.
    bytes v = good;
    v[0] = 0x02;
    EXPECT_FALSE(kzg::point_evaluation(v, s.key));
    v = good;
    v[31] ^= 1;
    EXPECT_FALSE(kzg::point_evaluation(v, s.key));

    // z or y = BLS_MODULUS (not canonical), even though z + r would give the same field element.
    bytes zr = good;
    kzg::kBlsModulus.store_be(zr.data() + 32);
    EXPECT_FALSE(kzg::point_evaluation(zr, s.key));
    // z = 0 with y = p(0) is valid, z = r with the same y is not.
    const bytes z0 = input_of(c, Fr::zero(), ToySetup::eval(kPoly, Fr::zero()), s.open(kPoly, Fr::zero()));
    EXPECT_TRUE(kzg::point_evaluation(z0, s.key));
    bytes z0r = z0;
    kzg::kBlsModulus.store_be(z0r.data() + 32);
    EXPECT_FALSE(kzg::point_evaluation(z0r, s.key));
    bytes yr = good;
    (U(y) + kzg::kBlsModulus).store_be(yr.data() + 64);
    EXPECT_FALSE(kzg::point_evaluation(yr, s.key));

    // Proof not decodable: compression bit cleared (rejected before any pairing).
    bytes pb = good;
    pb[144] &= 0x7f;
    EXPECT_FALSE(kzg::point_evaluation(pb, s.key));
    // Proof on the curve but outside G1: (0, 2), of order 3.
    bytes pt = good;
    std::fill(pt.begin() + 144, pt.end(), 0);
    pt[144] = 0x80;
    EXPECT_FALSE(kzg::point_evaluation(pt, s.key));
    // Commitment outside G1 (with a matching versioned hash).
    bytes ct = good;
    std::fill(ct.begin() + 96, ct.begin() + 144, 0);
    ct[96] = 0x80;
    const Hash32 vh = kzg::kzg_to_versioned_hash(std::span<const uint8_t, 48>(ct.data() + 96, 48));
    std::copy(vh.bytes.begin(), vh.bytes.end(), ct.begin());
    EXPECT_FALSE(kzg::point_evaluation(ct, s.key));

    // Changing any single byte of a valid input makes it fail (spot checks across the fields).
    for (size_t i : {0u, 5u, 33u, 63u, 64u, 95u, 97u, 120u, 143u, 145u, 191u}) {
        bytes m = good;
        m[i] ^= 0x01;
        EXPECT_FALSE(kzg::point_evaluation(m, s.key)) << i;
    }
}

TEST(Kzg, MainnetKeyDecodes) {
    EXPECT_TRUE(kzg::mainnet_verifying_key().valid);
    const auto tau = H("b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72"
                       "185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2");
    const auto q = g2_decompress(std::span<const uint8_t, 96>(tau.data(), 96));
    ASSERT_TRUE(q.has_value());
    EXPECT_TRUE(g2_in_subgroup(*q));
    EXPECT_EQ(to_hex(g2_compress(*q)), to_hex(tau));
}

// c-kzg-4844 tests/verify_kzg_proof/kzg-mainnet (consensus-specs generator): output true, false,
// or null (invalid input).
struct Vector {
    const char* name;
    const char* commitment;
    const char* z;
    const char* y;
    const char* proof;
    int output;  // 1 true, 0 false, -1 null
};

const Vector kVectors[] = {
    {"correct_proof_31ebd010e6098750",
     "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7",
     "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000",
     "1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9",
     "a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c", 1},
    {"incorrect_proof_392169c16a2e5ef6",
     "a421e229565952cfff4ef3517100a97da1d4fe57956fa50a442f92af03b1bf37adacc8ad4ed209b31287ea5bb94d9d06",
     "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000",
     "304962b3598a0adf33189fdfd9789feab1096ff40006900400000003fffffffc",
     "b08a5afbb1717334e08e05576b07bff58e8851d8cfd9ea71da1ab4233ad4217cffabd669dfa89c3ebf4c44f91694a2f4", 0},
    {"correct_proof_point_at_infinity_for_twos_poly_177b58dc7a46b08f",
     "a572cbea904d67468808c8eb50a9450c9721db309128012543902d0ac358a62ae28f75bb8f1c7c42c39a8c5529bf0f4e",
     "5eb7004fe57383e6c88b99d839937fddf3f99279353aaf8d5c9a75f91ce33c62",
     "0000000000000000000000000000000000000000000000000000000000000002",
     "c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", 1},
    {"incorrect_proof_point_at_infinity_392169c16a2e5ef6",
     "a421e229565952cfff4ef3517100a97da1d4fe57956fa50a442f92af03b1bf37adacc8ad4ed209b31287ea5bb94d9d06",
     "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000",
     "304962b3598a0adf33189fdfd9789feab1096ff40006900400000003fffffffc",
     "c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", 0},
    {"invalid_proof_e9d3e9ec16fbc15f",
     "a421e229565952cfff4ef3517100a97da1d4fe57956fa50a442f92af03b1bf37adacc8ad4ed209b31287ea5bb94d9d06",
     "0000000000000000000000000000000000000000000000000000000000000001",
     "1824b159acc5056f998c4fefecbc4ff55884b7fa0003480200000001fffffffe",
     "8123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde0", -1},
};

TEST(Kzg, CKzgVerifyKzgProofVectors) {
    for (const Vector& v : kVectors) {
        const bytes c = H(v.commitment), z = H(v.z), y = H(v.y), pi = H(v.proof);
        ASSERT_EQ(c.size(), 48u) << v.name;
        ASSERT_EQ(pi.size(), 48u) << v.name;
        const auto got = kzg::verify_kzg_proof_bytes(
            std::span<const uint8_t, 48>(c.data(), 48), std::span<const uint8_t, 32>(z.data(), 32),
            std::span<const uint8_t, 32>(y.data(), 32), std::span<const uint8_t, 48>(pi.data(), 48),
            kzg::mainnet_verifying_key());
        if (v.output < 0) {
            EXPECT_FALSE(got.has_value()) << v.name;
        } else {
            ASSERT_TRUE(got.has_value()) << v.name;
            EXPECT_EQ(*got, v.output == 1) << v.name;
        }
        // Through the precompile's input format as well.
        bytes in(192);
        const Hash32 vh = kzg::kzg_to_versioned_hash(std::span<const uint8_t, 48>(c.data(), 48));
        std::copy(vh.bytes.begin(), vh.bytes.end(), in.begin());
        std::copy(z.begin(), z.end(), in.begin() + 32);
        std::copy(y.begin(), y.end(), in.begin() + 64);
        std::copy(c.begin(), c.end(), in.begin() + 96);
        std::copy(pi.begin(), pi.end(), in.begin() + 144);
        const auto out = kzg::point_evaluation(in);
        EXPECT_EQ(out.has_value(), v.output == 1) << v.name;
        if (out) {
            EXPECT_EQ(to_hex(*out), kExpectedOutput);
        }
    }
}

TEST(Kzg, CKzgInvalidCommitmentLength) {
    // invalid_commitment_0: a 47-byte commitment; the precompile sees it as a 191-byte input.
    const bytes c = H("97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6");
    EXPECT_EQ(c.size(), 47u);
    bytes in(191, 0);
    EXPECT_FALSE(kzg::point_evaluation(in));
}

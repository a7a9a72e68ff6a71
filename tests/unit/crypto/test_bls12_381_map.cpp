// RFC 9380 map-to-curve for BLS12-381 (EIP-2537 MAP_FP_TO_G1 / MAP_FP2_TO_G2): the simplified
// SWU lands on the isogenous curves, the isogenies land on E / E', cofactor clearing lands in the
// subgroups and agrees with multiplication by h_eff, and the known answers of RFC 9380 appendix
// J.9.2 / J.10.2 (the *_SSWU_NU_ suites: P = clear_cofactor(map_to_curve(u))), which EIP-2537's
// map_fp_to_G1_bls.json / map_fp2_to_G2_bls.json vectors reuse.
#include "crypto/bls12_381.hpp"
#include "crypto/bls12_381_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace polyvm;
using namespace polyvm::bls12_381;

namespace {

std::mt19937_64& rng() {
    static std::mt19937_64 g(0x3a9'0000'2537ULL);
    return g;
}

Fp random_fp() {
    for (;;) {
        field::Limbs<6> l;
        for (auto& w : l) w = rng()();
        l[5] &= 0x1fffffffffffffffULL;
        if (auto v = Fp::from_canonical_checked(l)) return *v;
    }
}
Fp2 random_fp2() { return {random_fp(), random_fp()}; }

TEST(Bls12381Map, Sgn0) {
    EXPECT_FALSE(sgn0(Fp::zero()));
    EXPECT_TRUE(sgn0(Fp::one()));
    EXPECT_FALSE(sgn0(Fp::from_u64(2)));
    EXPECT_FALSE(sgn0(-Fp::one()));  // p - 1 is even
    // Fp2: c0 decides unless it is zero, then c1.
    EXPECT_TRUE(sgn0(Fp2{Fp::one(), Fp::from_u64(2)}));
    EXPECT_FALSE(sgn0(Fp2{Fp::from_u64(2), Fp::one()}));
    EXPECT_TRUE(sgn0(Fp2{Fp::zero(), Fp::one()}));
    EXPECT_FALSE(sgn0(Fp2{Fp::zero(), Fp::from_u64(4)}));
    EXPECT_FALSE(sgn0(Fp2::zero()));
}

TEST(Bls12381Map, SswuG1LandsOnIsogenousCurveWithSignOfU) {
    for (int i = 0; i < 32; ++i) {
        const Fp u = random_fp();
        const SswuPointG1 p = sswu_g1(u);
        EXPECT_TRUE(on_iso_curve_g1(p));
        EXPECT_EQ(sgn0(p.y), sgn0(u));
        // u and -u share x; y flips.
        const SswuPointG1 q = sswu_g1(-u);
        EXPECT_EQ(q.x, p.x);
        EXPECT_EQ(q.y, -p.y);
    }
}

/// Both maps fold 1/D into their square root's exponentiation: their x must be RFC 9380's
/// x1 = -B (1 + tv1) / (A tv1) (or Z u^2 x1 when g(x1) is not a square) computed with an inversion.
template <class F, class Sswu, class IsSquare>
void expect_x_of_the_formula_with_an_inversion(const std::vector<F>& us, const F& A, const F& B, const F& Z, Sswu sswu,
                                               IsSquare is_square) {
    for (const F& u : us) {
        const F zu2 = Z * u.sqr(), tv1 = zu2.sqr() + zu2;
        const F x1 = -(B * (F::one() + tv1)) * (A * tv1).inverse();
        const F gx1 = (x1.sqr() + A) * x1 + B;
        const auto p = sswu(u);
        EXPECT_EQ(p.x, is_square(gx1) ? x1 : zu2 * x1);
        EXPECT_EQ(sgn0(p.y), sgn0(u));
    }
}

TEST(Bls12381Map, SswuG1MatchesTheFormulaWithAnInversion) {
    const Fp A = Fp::from_hex(
        "144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d");
    const Fp B = Fp::from_hex(
        "12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0");
    std::vector<Fp> us = {Fp::one(), -Fp::one(), Fp::from_u64(2)};
    for (int i = 0; i < 100; ++i) us.push_back(random_fp());
    expect_x_of_the_formula_with_an_inversion(
        us, A, B, Fp::from_u64(11), [](const Fp& u) { return sswu_g1(u); },
        [](const Fp& g) { return fp_pow_sqrt_exp(g).sqr() == g; });
    for (const Fp& u : us) EXPECT_TRUE(on_iso_curve_g1(sswu_g1(u)));
}

TEST(Bls12381Map, SswuG2MatchesTheFormulaWithAnInversion) {
    // E'2: A' = 240 u, B' = 1012 (1 + u), Z = -(2 + u) (RFC 9380 section 8.8.2).
    const Fp2 A{Fp::zero(), Fp::from_u64(240)};
    const Fp2 B{Fp::from_u64(1012), Fp::from_u64(1012)};
    const Fp2 Z{-Fp::from_u64(2), -Fp::one()};
    std::vector<Fp2> us = {Fp2::one(), -Fp2::one(), Fp2{Fp::zero(), Fp::one()}, Fp2{Fp::from_u64(2), Fp::from_u64(3)}};
    for (int i = 0; i < 100; ++i) us.push_back(random_fp2());
    // An element of Fp2 is a square exactly when its norm is one in Fp.
    expect_x_of_the_formula_with_an_inversion(
        us, A, B, Z, [](const Fp2& u) { return sswu_g2(u); },
        [](const Fp2& g) {
            const Fp n = g.norm();
            return fp_pow_sqrt_exp(n).sqr() == n;
        });
    for (const Fp2& u : us) EXPECT_TRUE(on_iso_curve_g2(sswu_g2(u)));
}

TEST(Bls12381Map, SswuG2LandsOnIsogenousCurveWithSignOfU) {
    for (int i = 0; i < 16; ++i) {
        const Fp2 u = random_fp2();
        const SswuPointG2 p = sswu_g2(u);
        EXPECT_TRUE(on_iso_curve_g2(p));
        EXPECT_EQ(sgn0(p.y), sgn0(u));
    }
}

TEST(Bls12381Map, ExceptionalInputs) {
    // u = 0 makes Z^2 u^4 + Z u^2 vanish: x1 = B / (Z A) (RFC 9380 6.6.2).
    EXPECT_TRUE(on_iso_curve_g1(sswu_g1(Fp::zero())));
    EXPECT_TRUE(on_iso_curve_g2(sswu_g2(Fp2::zero())));
    const G1Affine p = map_fp_to_g1(Fp::zero());
    EXPECT_TRUE(p.is_on_curve());
    EXPECT_TRUE(g1_in_subgroup(p));
    const G2Affine q = map_fp2_to_g2(Fp2::zero());
    EXPECT_TRUE(q.is_on_curve());
    EXPECT_TRUE(g2_in_subgroup(q));
    // Also small and top-of-field inputs.
    for (const Fp u : {Fp::one(), -Fp::one(), Fp::from_u64(11)}) {
        const G1Affine r = map_fp_to_g1(u);
        EXPECT_TRUE(r.is_on_curve());
        EXPECT_TRUE(g1_in_subgroup(r));
    }
}

TEST(Bls12381Map, IsogeniesLandOnTheCurves) {
    for (int i = 0; i < 16; ++i) {
        const G1Affine p = iso_map_g1(sswu_g1(random_fp()));
        EXPECT_FALSE(p.infinity);
        EXPECT_TRUE(p.is_on_curve());
        const G2Affine q = iso_map_g2(sswu_g2(random_fp2()));
        EXPECT_FALSE(q.infinity);
        EXPECT_TRUE(q.is_on_curve());
    }
}

TEST(Bls12381Map, IsogeniesAreHomomorphisms) {
    // iso(-P) = -iso(P): checks the y map's odd symmetry, and so its constants' placement.
    const Fp u = random_fp();
    EXPECT_EQ(iso_map_g1(sswu_g1(-u)), -iso_map_g1(sswu_g1(u)));
    const Fp2 v = random_fp2();
    EXPECT_EQ(iso_map_g2(sswu_g2(-v)), -iso_map_g2(sswu_g2(v)));
}

TEST(Bls12381Map, ClearCofactorMatchesHEff) {
    for (int i = 0; i < 4; ++i) {
        // Points of E / E' outside the subgroups (almost surely: the cofactors are large).
        const G1 p = G1::from_affine(iso_map_g1(sswu_g1(random_fp())));
        EXPECT_FALSE(g1_in_subgroup(p.to_affine()));
        const G1 cp = clear_cofactor_g1(p);
        EXPECT_EQ(cp, p.mul(kHEffG1));
        EXPECT_TRUE(g1_in_subgroup(cp.to_affine()));

        const G2 q = G2::from_affine(iso_map_g2(sswu_g2(random_fp2())));
        EXPECT_FALSE(g2_in_subgroup(q.to_affine()));
        const G2 cq = clear_cofactor_g2(q);
        EXPECT_EQ(cq, q.mul(kHEffG2));  // Budroni-Pintore == h_eff (RFC 9380 appendix G.3)
        EXPECT_TRUE(g2_in_subgroup(cq.to_affine()));
        EXPECT_FALSE(cq.is_infinity());
    }
}

TEST(Bls12381Map, MapFp2ToG2IsTheCompositionOfItsSteps) {
    // map_fp2_to_g2 takes the isogeny's output in affine form, its denominators inverted inside
    // y's square root, and clears the cofactor with mixed additions: the same point as the
    // steps taken one by one in Jacobian form.
    for (int i = 0; i < 16; ++i) {
        const Fp2 u = random_fp2();
        const G2 q = G2::from_affine(iso_map_g2(sswu_g2(u)));
        EXPECT_EQ(map_fp2_to_g2(u), clear_cofactor_g2(q).to_affine());
        EXPECT_EQ(clear_cofactor_g2(q.to_affine()), clear_cofactor_g2(q));
    }
}

TEST(Bls12381Map, MapOutputsAreInTheSubgroups) {
    for (int i = 0; i < 16; ++i) {
        const G1Affine p = map_fp_to_g1(random_fp());
        EXPECT_TRUE(p.is_on_curve());
        EXPECT_TRUE(g1_in_subgroup(p));
        const G2Affine q = map_fp2_to_g2(random_fp2());
        EXPECT_TRUE(q.is_on_curve());
        EXPECT_TRUE(g2_in_subgroup(q));
    }
}

TEST(Bls12381Map, MapIsOdd) {
    // map(-u) = -map(u): SSWU flips y with u, the isogeny and h_eff are homomorphisms.
    const Fp u = random_fp();
    EXPECT_EQ(map_fp_to_g1(-u), -map_fp_to_g1(u));
    const Fp2 v = random_fp2();
    EXPECT_EQ(map_fp2_to_g2(-v), -map_fp2_to_g2(v));
}

// RFC 9380 J.9.2 BLS12381G1_XMD:SHA-256_SSWU_NU_, msg = "" and msg = "abc".
TEST(Bls12381Map, Rfc9380G1KnownAnswers) {
    {
        constexpr Fp u = Fp::from_hex(
            "156c8a6a2c184569d69a76be144b5cdc5141d2d2ca4fe341f011e25e3969c55ad9e9b9ce2eb833c81a908e5fa4ac5f03");
        constexpr Fp px = Fp::from_hex(
            "184bb665c37ff561a89ec2122dd343f20e0f4cbcaec84e3c3052ea81d1834e192c426074b02ed3dca4e7676ce4ce48ba");
        constexpr Fp py = Fp::from_hex(
            "04407b8d35af4dacc809927071fc0405218f1401a6d15af775810e4e460064bcc9468beeba82fdc751be70476c888bf3");
        EXPECT_EQ(map_fp_to_g1(u), G1Affine::of(px, py));
    }
    {
        constexpr Fp u = Fp::from_hex(
            "147e1ed29f06e4c5079b9d14fc89d2820d32419b990c1c7bb7dbea2a36a045124b31ffbde7c99329c05c559af1c6cc82");
        constexpr Fp px = Fp::from_hex(
            "009769f3ab59bfd551d53a5f846b9984c59b97d6842b20a2c565baa167945e3d026a3755b6345df8ec7e6acb6868ae6d");
        constexpr Fp py = Fp::from_hex(
            "1532c00cf61aa3d0ce3e5aa20c3b531a2abd2c770a790a2613818303c6b830ffc0ecf6c357af3317b9575c567f11cd2c");
        EXPECT_EQ(map_fp_to_g1(u), G1Affine::of(px, py));
    }
}

// RFC 9380 J.10.2 BLS12381G2_XMD:SHA-256_SSWU_NU_, msg = "".
TEST(Bls12381Map, Rfc9380G2KnownAnswer) {
    constexpr Fp2 u{
        Fp::from_hex("07355d25caf6e7f2f0cb2812ca0e513bd026ed09dda65b177500fa31714e09ea0ded3a078b526bed3307f804d4b93b04"),
        Fp::from_hex("02829ce3c021339ccb5caf3e187f6370e1e2a311dec9b75363117063ab2015603ff52c3d3b98f19c2f65575e99e8b78c")};
    constexpr Fp2 px{
        Fp::from_hex("00e7f4568a82b4b7dc1f14c6aaa055edf51502319c723c4dc2688c7fe5944c213f510328082396515734b6612c4e7bb7"),
        Fp::from_hex("126b855e9e69b1f691f816e48ac6977664d24d99f8724868a184186469ddfd4617367e94527d4b74fc86413483afb35b")};
    constexpr Fp2 py{
        Fp::from_hex("0caead0fd7b6176c01436833c79d305c78be307da5f6af6c133c47311def6ff1e0babf57a0fb5539fce7ee12407b0a42"),
        Fp::from_hex("1498aadcf7ae2b345243e281ae076df6de84455d766ab6fcdaad71fab60abb2e8b980a440043cd305db09d283c895e3d")};
    EXPECT_EQ(map_fp2_to_g2(u), G2Affine::of(px, py));
}

}  // namespace

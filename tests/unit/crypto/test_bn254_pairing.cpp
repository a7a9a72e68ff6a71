// BN254 groups and pairing: group laws, generators, subgroup checks, bilinearity and
// non-degeneracy, and the precompile functions (EIP-196/197) on go-ethereum's published
// precompile vectors (core/vm/testdata/precompiles/bn256{Add,ScalarMul,Pairing}.json).
#include "common/hex.hpp"
#include "crypto/bn254.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace polyvm;
using namespace polyvm::bn254;

namespace {

std::mt19937_64& rng() {
    static std::mt19937_64 g(0xb254'0002);
    return g;
}
Scalar random_scalar() {
    Scalar k{};
    for (auto& w : k) w = rng()();
    k[3] &= 0x0fffffffffffffffULL;  // below r
    return k;
}
Scalar small(uint64_t v) { return {v, 0, 0, 0}; }
/// a * b mod r, through the scalar field.
Scalar mul_mod_r(const Scalar& a, const Scalar& b) {
    return (Fr::from_canonical(a) * Fr::from_canonical(b)).to_canonical();
}

G1Affine g1_mul(const G1Affine& p, const Scalar& k) { return G1::from_affine(p).mul(k).to_affine(); }
G2Affine g2_mul(const G2Affine& q, const Scalar& k) { return G2::from_affine(q).mul(k).to_affine(); }

bytes H(std::string_view hex) {
    auto b = from_hex(hex);
    EXPECT_TRUE(b.has_value()) << hex;
    return b.value_or(bytes{});
}
std::string hex_or_fail(const std::optional<bytes>& b) { return b ? to_hex(*b) : std::string("FAIL"); }

/// A point on the twist that is (almost surely) outside the order-r subgroup: a random x with
/// x^3 + b' a square, not multiplied by the cofactor.
G2Affine random_twist_point() {
    for (;;) {
        Fp2 x{Fp::from_u64(rng()()), Fp::from_u64(rng()())};
        if (auto y = (x.sqr() * x + G2Curve::kB).sqrt()) return G2Affine::of(x, *y);
    }
}
// The twist's cofactor 2p - r.
constexpr field::Limbs<4> kG2Cofactor{0x345f2299c0f9fa8dULL, 0x06ceecda572a2489ULL, 0xb85045b68181585eULL,
                                      0x30644e72e131a029ULL};

/// G2 encoding for the precompile: x_im, x_re, y_im, y_re.
bytes encode_g2(const G2Affine& q) {
    bytes out(128, 0);
    if (q.is_infinity()) return out;
    q.x.c1.to_be(out.data());
    q.x.c0.to_be(out.data() + 32);
    q.y.c1.to_be(out.data() + 64);
    q.y.c0.to_be(out.data() + 96);
    return out;
}
bytes encode_g1(const G1Affine& p) {
    bytes out(64, 0);
    if (p.is_infinity()) return out;
    p.x.to_be(out.data());
    p.y.to_be(out.data() + 32);
    return out;
}

}  // namespace

TEST(Bn254Group, Generators) {
    const G1Affine g = g1_generator();
    EXPECT_TRUE(g.is_on_curve());
    EXPECT_EQ(g.x, Fp::from_u64(1));
    EXPECT_EQ(g.y, Fp::from_u64(2));
    const G2Affine q = g2_generator();
    EXPECT_TRUE(q.is_on_curve());
    EXPECT_TRUE(g2_in_subgroup(q));
    // r G = O in both groups, (r - 1) G = -G.
    EXPECT_TRUE(G1::from_affine(g).mul(kOrder).is_infinity());
    EXPECT_TRUE(G2::from_affine(q).mul(kOrder).is_infinity());
    Scalar rm1 = kOrder;
    rm1[0] -= 1;
    EXPECT_EQ(g1_mul(g, rm1), -g);
    EXPECT_EQ(g2_mul(q, rm1), -q);
    // b' = 3 / (9 + u).
    EXPECT_EQ(G2Curve::kB * Fp2::xi(), Fp2::from_base(Fp::from_u64(3)));
}

TEST(Bn254Group, GroupLaws) {
    const G1 g = G1::from_affine(g1_generator());
    for (int i = 0; i < 10; ++i) {
        const Scalar a = random_scalar(), b = random_scalar();
        const G1 pa = g.mul(a), pb = g.mul(b);
        EXPECT_EQ(pa + pb, pb + pa);
        EXPECT_EQ(pa + pa, pa.dbl());
        EXPECT_TRUE((pa + (-pa)).is_infinity());
        EXPECT_EQ(pa + G1::identity(), pa);
        EXPECT_EQ(pa.add_mixed(pb.to_affine()), pa + pb);
        EXPECT_EQ(pa.add_mixed(pa.to_affine()), pa.dbl());
        // Affine addition agrees, including doubling and P + (-P).
        EXPECT_EQ(pa.to_affine().add(pb.to_affine()), (pa + pb).to_affine());
        EXPECT_EQ(pa.to_affine().add(pa.to_affine()), pa.dbl().to_affine());
        EXPECT_TRUE(pa.to_affine().add((-pa).to_affine()).is_infinity());
        EXPECT_EQ(pa.to_affine().add(G1Affine::identity()), pa.to_affine());
        EXPECT_EQ(G1Affine::identity().add(pa.to_affine()), pa.to_affine());
        EXPECT_TRUE(pa.add_mixed((-pa).to_affine()).is_infinity());
        EXPECT_TRUE(pa.is_on_curve());
        EXPECT_TRUE(pa.to_affine().is_on_curve());
        // (a + b) G = a G + b G, (a b) G = a (b G).
        const Scalar s = (Fr::from_canonical(a) + Fr::from_canonical(b)).to_canonical();
        EXPECT_EQ(g.mul(s), pa + pb);
        EXPECT_EQ(g.mul(mul_mod_r(a, b)), pb.mul(a));
        // Scalars above r wrap (the precompile does not reduce them but the group does).
        Scalar big{};
        field::detail::add_carry(big, a, kOrder);  // a + r < 2^256
        EXPECT_EQ(g.mul(big), pa);
        EXPECT_TRUE(g.mul(Scalar{}).is_infinity());
    }
    const G2 q = G2::from_affine(g2_generator());
    for (int i = 0; i < 5; ++i) {
        const Scalar a = random_scalar(), b = random_scalar();
        const G2 qa = q.mul(a), qb = q.mul(b);
        EXPECT_EQ(qa + qb, qb + qa);
        EXPECT_EQ(qa.add_mixed(qb.to_affine()), qa + qb);
        EXPECT_EQ(q.mul(mul_mod_r(a, b)), qb.mul(a));
        EXPECT_TRUE(g2_in_subgroup(qa.to_affine()));
    }
}

TEST(Bn254Group, WnafMatchesDoubleAndAdd) {
    const G1 g = G1::from_affine(g1_generator());
    for (uint64_t k = 0; k < 200; ++k) {
        G1 expect;
        for (uint64_t i = 0; i < k; ++i) expect += g;
        EXPECT_EQ(g.mul(small(k)), expect) << k;
    }
    // All-ones scalar (forces the extra carry limb in the wNAF recoding).
    const Scalar ones{~0ULL, ~0ULL, ~0ULL, ~0ULL};
    G1 expect;
    for (int i = 255; i >= 0; --i) expect = expect.dbl() + g;
    EXPECT_EQ(g.mul(ones), expect);
}

TEST(Bn254Group, G2SubgroupCheckRejectsTwistPoints) {
    for (int i = 0; i < 5; ++i) {
        const G2Affine t = random_twist_point();
        ASSERT_TRUE(t.is_on_curve());
        EXPECT_FALSE(g2_in_subgroup(t));
        // Clearing the cofactor lands in the subgroup.
        const G2Affine c = g2_mul(t, kG2Cofactor);
        EXPECT_TRUE(c.is_on_curve());
        EXPECT_TRUE(g2_in_subgroup(c));
    }
}

TEST(Bn254Group, G2FastSubgroupCheckIsExact) {
    // g2_in_subgroup tests psi(Q) = [6x^2] Q. On G2 psi is [p] and p = 6x^2 (mod r). The twist
    // group is G2 x H with |H| = h = 2p - r squarefree, so each l-part of H is cyclic and psi
    // acts on it as one scalar: showing psi(T) != [6x^2] T for one non-zero T of order l proves
    // no point with an l-component passes.
    // The primes l (the last one, 54 digits, was checked prime with Miller-Rabin in Python) and
    // h / l for each.
    struct Part {
        field::Limbs<4> l, h_over_l;
    };
    const Part parts[] = {
        {{10069, 0, 0, 0},
         {0x6c3cd334915f1659ULL, 0x207142f7671af448ULL, 0x9e28bcf65b5681daULL, 0x00013af7a58fce69ULL}},
        {{5864401, 0, 0, 0},
         {0xd3865bed56710dfdULL, 0xd47f2c69679e3e75ULL, 0x67a5f8660434f091ULL, 0x0000008a712e2645ULL}},
        {{1875725156269, 0, 0, 0},
         {0x57455809a5954261ULL, 0x227489973709a736ULL, 0x6f7cb3fd5082f93bULL, 0x00000000001c5dc5ULL}},
        {{0x9b6e0b358e0d894dULL, 0xe9dab9240f0c6ab8ULL, 0x000210315729f570ULL, 0},
         {0x4286afdaa1f39641ULL, 0x0000000000001774ULL, 0, 0}},
    };
    constexpr field::Limbs<2> k6x2{0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL};
    // (h / l) * l = h = 2p - r for every part (so h = the product of the four l).
    field::Limbs<4> h{};
    field::detail::add_carry(h, Fp::kModulus, Fp::kModulus);
    field::detail::sub_borrow(h, h, kOrder);
    for (const auto& part : parts) {
        // h / l * l, truncated to 256 bits (the true product is h < 2^256).
        field::Limbs<4> prod{};
        for (size_t i = 0; i < 4; ++i) {
            field::u128 carry = 0;
            for (size_t j = 0; i + j < 4; ++j) {
                const field::u128 t = static_cast<field::u128>(part.h_over_l[i]) * part.l[j] + prod[i + j] + carry;
                prod[i + j] = static_cast<uint64_t>(t);
                carry = t >> 64;
            }
        }
        EXPECT_EQ(prod, h);
    }
    // Trial division shows the three small l are prime.
    for (uint64_t l : {10069ULL, 5864401ULL, 1875725156269ULL})
        for (uint64_t d = 2; d * d <= l; ++d) ASSERT_NE(l % d, 0u) << l;
    for (const auto& part : parts) {
        for (int i = 0; i < 2; ++i) {
            const G2 t = G2::from_affine(random_twist_point()).mul(part.h_over_l).mul(kOrder);  // order l
            ASSERT_FALSE(t.is_infinity());
            EXPECT_TRUE(t.mul(part.l).is_infinity());
            const G2Affine ta = t.to_affine();
            EXPECT_FALSE(G2::from_affine(g2_psi(ta)) == t.mul(k6x2)) << part.l[0];
            EXPECT_FALSE(g2_in_subgroup(ta));
        }
    }
    // Agreement with r Q = O on subgroup points, twist points and subgroup + small-order mixes.
    for (int i = 0; i < 5; ++i) {
        const G2Affine q = g2_mul(g2_generator(), random_scalar());
        const G2Affine t = random_twist_point();
        const G2Affine mix = (G2::from_affine(q) + G2::from_affine(t).mul(parts[0].h_over_l).mul(kOrder)).to_affine();
        for (const G2Affine& pt : {q, t, mix}) EXPECT_EQ(g2_in_subgroup(pt), g2_in_subgroup_by_order(pt));
        EXPECT_TRUE(g2_in_subgroup(q));
        EXPECT_FALSE(g2_in_subgroup(mix));
    }
}

TEST(Bn254Pairing, BilinearAndNonDegenerate) {
    const G1Affine p = g1_generator();
    const G2Affine q = g2_generator();
    const Fp12 e = pairing(p, q);
    EXPECT_FALSE(e.is_one());                                       // non-degenerate
    EXPECT_TRUE(e.pow(kOrder).is_one());                            // in GT (order r)
    EXPECT_TRUE(pairing(G1Affine::identity(), q).is_one());
    EXPECT_TRUE(pairing(p, G2Affine::identity()).is_one());
    EXPECT_EQ(pairing(-p, q), e.conjugate());                       // e(-P, Q) = e(P, Q)^-1
    EXPECT_EQ(pairing(p, -q), e.conjugate());
    for (int i = 0; i < 3; ++i) {
        const Scalar a = random_scalar(), b = random_scalar();
        const G1Affine ap = g1_mul(p, a);
        const G2Affine bq = g2_mul(q, b);
        // e(aP, bQ) = e(P, Q)^(ab).
        EXPECT_EQ(pairing(ap, bq), e.pow(mul_mod_r(a, b)));
        // e(aP, Q) = e(P, aQ).
        EXPECT_EQ(pairing(ap, q), pairing(p, g2_mul(q, a)));
        // e(aP, bQ) e(-abP, Q) = 1, through the shared multi-pairing.
        const G1Affine abp = g1_mul(p, mul_mod_r(a, b));
        const G1Affine ps[] = {ap, -abp};
        const G2Affine qs[] = {bq, q};
        EXPECT_TRUE(pairing_product_is_one(ps, qs));
        const G1Affine ps_bad[] = {ap, abp};
        EXPECT_FALSE(pairing_product_is_one(ps_bad, qs));
    }
}

TEST(Bn254Pairing, MillerLoopTimesFinalExpEqualsPairing) {
    const G1Affine p = g1_mul(g1_generator(), small(12345));
    const G2Affine q = g2_mul(g2_generator(), small(678));
    EXPECT_EQ(final_exponentiation(miller_loop(p, q)), pairing(p, q));
    // e(P, Q)^(12345 * 678) relation through the generators.
    EXPECT_EQ(pairing(p, q), pairing(g1_generator(), g2_generator()).pow(small(12345 * 678)));
}

// ---------------------------------------------------------------------------------------------
// Precompile functions on published vectors.

TEST(Bn254Precompile, AddVectors) {
    // ECADD(G, G) = 2G.
    EXPECT_EQ(hex_or_fail(bn254_add(H("0000000000000000000000000000000000000000000000000000000000000001"
                                      "0000000000000000000000000000000000000000000000000000000000000002"
                                      "0000000000000000000000000000000000000000000000000000000000000001"
                                      "0000000000000000000000000000000000000000000000000000000000000002"))),
              "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
              "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4");
    EXPECT_EQ(hex_or_fail(bn254_add(H("18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9"
                                      "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266"
                                      "07c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed"
                                      "06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7"))),
              "2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703"
              "301d1d33be6da8e509df21cc35964723180eed7532537db9ae5e7d48f195c915");
    EXPECT_EQ(hex_or_fail(bn254_add(H("17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9"
                                      "01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c"
                                      "039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869"
                                      "073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98"))),
              "15bf2bb17880144b5d1cd2b1f46eff9d617bffd1ca57c37fb5a49bd84e53cf66"
              "049c797f9ce0d17083deb32b5e36f2ea2a212ee036598dd7624c168993d1355f");
    // P + (-P) = O.
    EXPECT_EQ(hex_or_fail(bn254_add(H("17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9"
                                      "01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c"
                                      "17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9"
                                      "2e83f8d734803fc370eba25ed1f6b8768bd6d83887b87165fc2434fe11a830cb"))),
              std::string(128, '0'));
    // Empty, short and over-long input: zero padding / truncation.
    EXPECT_EQ(hex_or_fail(bn254_add({})), std::string(128, '0'));
    EXPECT_EQ(hex_or_fail(bn254_add(H("0000000000000000000000000000000000000000000000000000000000000001"
                                      "0000000000000000000000000000000000000000000000000000000000000002"))),
              "0000000000000000000000000000000000000000000000000000000000000001"
              "0000000000000000000000000000000000000000000000000000000000000002");
    bytes long_in(200, 0xff);
    std::fill(long_in.begin(), long_in.begin() + 128, 0);
    EXPECT_EQ(hex_or_fail(bn254_add(long_in)), std::string(128, '0'));
}

TEST(Bn254Precompile, AddRejectsBadPoints) {
    // (1, 3) is not on the curve.
    EXPECT_FALSE(bn254_add(H("0000000000000000000000000000000000000000000000000000000000000001"
                             "0000000000000000000000000000000000000000000000000000000000000003"))
                     .has_value());
    // x = p (not reduced), even though p = 0 (mod p) would give a valid-looking point.
    EXPECT_FALSE(bn254_add(H("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
                             "0000000000000000000000000000000000000000000000000000000000000000"))
                     .has_value());
    // y = p + 2 for the generator: out of range.
    EXPECT_FALSE(bn254_add(H("0000000000000000000000000000000000000000000000000000000000000001"
                             "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49"))
                     .has_value());
    // A bad second point.
    bytes in(128, 0);
    in[31] = 1;
    in[63] = 2;
    in[95] = 1;
    in[127] = 1;
    EXPECT_FALSE(bn254_add(in).has_value());
}

TEST(Bn254Precompile, MulVectors) {
    struct V {
        const char* in;
        const char* out;
    };
    const V vs[] = {
        {"2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb721611ce0a6af85915e2f1d70300909ce2e49dfad4a46"
         "19c8390cae66cefdb20400000000000000000000000000000000000000000000000011138ce750fa15c2",
         "070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f3"
         "15690ec3cec6981afc"},
        {"070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f3"
         "15690ec3cec6981afc30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46",
         "025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb2eff3f31dea215f1eb86023a133a996eb6300b44da664d"
         "64251d05381bb8a02e"},
        {"1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe31a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996"
         "efdc33d92bf7f9f8f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "2cde5879ba6f13c0b5aa4ef627f159a3347df9722efce88a9afbb20b763b4c411aa7e43076f6aee272755a7f9b84832e71559ba0d2e0b1"
         "7d5f9f01755e5b0d11"},
        {"1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe31a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996"
         "efdc33d92bf7f9f8f630644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000",
         "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3163511ddc1c3f25d396745388200081287b3fd1472d833"
         "9d5fecb2eae0830451"},
        {"039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a"
         "5a5c15bf9024b43d980000000000000000000000000000000100000000000000000000000000000000",
         "1071b63011e8c222c5a771dfa03c2e11aac9666dd097f2c620852c3951a4376a2f46fe2f73e1cf310a168d56baa5575a8319389d7bfa6b"
         "29ee2d908305791434"},
        {"039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a"
         "5a5c15bf9024b43d980000000000000000000000000000000000000000000000000000000000000009",
         "19f75b9dd68c080a688774a6213f131e3052bd353a304a189d7a2ee367e3c2582612f545fb9fc89fde80fd81c68fc7dcb27fea5fc124ee"
         "da69433cf5c46d2d7f"},
    };
    for (const auto& v : vs) EXPECT_EQ(hex_or_fail(bn254_mul(H(v.in))), v.out) << v.in;
    // G * 2 = 2G; scalar 0 and the point at infinity give O; r G = O.
    bytes in(96, 0);
    in[31] = 1;
    in[63] = 2;
    in[95] = 2;
    EXPECT_EQ(hex_or_fail(bn254_mul(in)), "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
                                          "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4");
    in[95] = 0;
    EXPECT_EQ(hex_or_fail(bn254_mul(in)), std::string(128, '0'));
    EXPECT_EQ(hex_or_fail(bn254_mul({})), std::string(128, '0'));
    // Short input: the scalar is right-padded with zeros, so "..02" + "01" reads as 0x01 << 248.
    EXPECT_EQ(hex_or_fail(bn254_mul(H("0000000000000000000000000000000000000000000000000000000000000001"
                                      "0000000000000000000000000000000000000000000000000000000000000002"
                                      "00"))),
              std::string(128, '0'));
    // Off-curve point fails even with scalar 0.
    EXPECT_FALSE(bn254_mul(H("0000000000000000000000000000000000000000000000000000000000000001"
                             "0000000000000000000000000000000000000000000000000000000000000003"))
                     .has_value());
}

namespace {
// go-ethereum bn256Pairing.json: jeff1 (true), jeff6 (false), one_point (false), jeff4 (3 pairs, true).
constexpr const char* kJeff1 =
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294"
    "e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28"
    "905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9"
    "845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e712"
    "97e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
    "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
constexpr const char* kJeff6 =
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294"
    "e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28"
    "905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9"
    "845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "103188585e2364128fe25c70558f1560f4f9350baf3959e603cc91486e110936198e9393920d483a7260bfb731fb5d25f1aa493335a9e712"
    "97e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
    "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
constexpr const char* kJeff4 =
    "2f2ea0b3da1e8ef11914acf8b2e1b32d99df51f5f4f206fc6b947eae860eddb6068134ddb33dc888ef446b648d72338684d678d2eb2371c6"
    "1a50734d78da4b7225f83c8b6ab9de74e7da488ef02645c5a16a6652c3c71a15dc37fe3a5dcb7cb122acdedd6308e3bb230d226d16a10529"
    "5f523a8a02bfc5e8bd2da135ac4c245d065bbad92e7c4e31bf3757f1fe7362a63fbfee50e7dc68da116e67d600d9bf6806d302580dc06610"
    "02994e7cd3a7f224e7ddc27802777486bf80f40e4ca3cfdb186bac5188a98c45e6016873d107f5cd131f3a3e339d0375e58bd6219347b008"
    "122ae2b09e539e152ec5364e7e2204b03d11d3caa038bfc7cd499f8176aacbee1f39e4e4afc4bc74790a4a028aff2c3d2538731fb755edef"
    "d8cb48d6ea589b5e283f150794b6736f670d6a1033f9b46c6f5204f50813eb85c8dc4b59db1c5d39140d97ee4d2b36d99bc49974d18ecca3"
    "e7ad51011956051b464d9e27d46cc25e0764bb98575bd466d32db7b15f582b2d5c452b36aa394b789366e5e3ca5aabd415794ab061441e51"
    "d01e94640b7e3084a07e02c78cf3103c542bc5b298669f211b88da1679b0b64a63b7e0e7bfe52aae524f73a55be7fe70c7e9bfc94b4cf0da"
    "1213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387"
    "b476d056f80aa75f21ee6226d31426322afcda621464d0611d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e2"
    "8a78a96a823ef1cd4debe12b6552ea5f";
constexpr const char* kOnePoint =
    "00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000"
    "000000000000000002198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c"
    "4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db"
    "8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
const std::string kTrue = std::string(63, '0') + "1";
const std::string kFalse = std::string(64, '0');
}  // namespace

TEST(Bn254Precompile, PairingVectors) {
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(H(kJeff1))), kTrue);
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(H(kJeff6))), kFalse);
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(H(kJeff4))), kTrue);
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(H(kOnePoint))), kFalse);
    EXPECT_EQ(hex_or_fail(bn254_pairing_check({})), kTrue);
    // e(G1, G2) e(-G1, G2) = 1; e(G1, G2) e(G1, G2) != 1.
    const bytes g1 = encode_g1(g1_generator()), g1n = encode_g1(-g1_generator()), g2 = encode_g2(g2_generator());
    bytes in;
    for (const bytes* b : {&g1, &g2, &g1n, &g2}) in.insert(in.end(), b->begin(), b->end());
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(in)), kTrue);
    in.clear();
    for (const bytes* b : {&g1, &g2, &g1, &g2}) in.insert(in.end(), b->begin(), b->end());
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(in)), kFalse);
    // Pairs with an infinity point contribute 1.
    const bytes zero64(64, 0), zero128(128, 0);
    in.clear();
    for (const bytes* b : {&zero64, &g2, &g1, &zero128}) in.insert(in.end(), b->begin(), b->end());
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(in)), kTrue);
    bytes one_inf = H(kOnePoint);
    one_inf.insert(one_inf.end(), zero64.begin(), zero64.end());
    one_inf.insert(one_inf.end(), g2.begin(), g2.end());
    EXPECT_EQ(hex_or_fail(bn254_pairing_check(one_inf)), kFalse);
}

TEST(Bn254Precompile, PairingRejectsMalformedInput) {
    const bytes good = H(kJeff1);
    // Lengths that are not a multiple of 192.
    for (size_t n : {1u, 64u, 191u, 193u, 383u}) {
        bytes in(good.begin(), good.begin() + std::min(n, good.size()));
        in.resize(n, 0);
        EXPECT_FALSE(bn254_pairing_check(in).has_value()) << n;
    }
    const bytes g1 = encode_g1(g1_generator()), g2 = encode_g2(g2_generator());
    auto pair = [](const bytes& a, const bytes& b) {
        bytes in = a;
        in.insert(in.end(), b.begin(), b.end());
        return in;
    };
    EXPECT_TRUE(bn254_pairing_check(pair(g1, g2)).has_value());
    // G1 not on the curve.
    bytes bad_g1 = g1;
    bad_g1[63] = 3;
    EXPECT_FALSE(bn254_pairing_check(pair(bad_g1, g2)).has_value());
    // G1 coordinate >= p.
    bytes big_g1(64, 0xff);
    EXPECT_FALSE(bn254_pairing_check(pair(big_g1, g2)).has_value());
    // Each G2 coordinate >= p in turn (p itself replaces one 32-byte word).
    const bytes p = H("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
    for (size_t w = 0; w < 4; ++w) {
        bytes q = g2;
        std::copy(p.begin(), p.end(), q.begin() + 32 * w);
        EXPECT_FALSE(bn254_pairing_check(pair(g1, q)).has_value()) << w;
    }
    // G2 not on the twist (swap the real and imaginary halves of y).
    bytes swapped = g2;
    std::swap_ranges(swapped.begin() + 64, swapped.begin() + 96, swapped.begin() + 96);
    EXPECT_FALSE(bn254_pairing_check(pair(g1, swapped)).has_value());
    // G2 on the twist but outside the order-r subgroup; also when paired with G1 infinity.
    const bytes twist = encode_g2(random_twist_point());
    EXPECT_FALSE(bn254_pairing_check(pair(g1, twist)).has_value());
    EXPECT_FALSE(bn254_pairing_check(pair(bytes(64, 0), twist)).has_value());
    // An off-curve G1 paired with the G2 point at infinity still fails.
    EXPECT_FALSE(bn254_pairing_check(pair(bad_g1, bytes(128, 0))).has_value());
}

TEST(Bn254Pairing, MultiPairingMatchesProduct) {
    std::vector<G1Affine> ps;
    std::vector<G2Affine> qs;
    Fp12 expect = Fp12::one();
    for (int i = 0; i < 4; ++i) {
        ps.push_back(g1_mul(g1_generator(), random_scalar()));
        qs.push_back(g2_mul(g2_generator(), random_scalar()));
        expect *= pairing(ps.back(), qs.back());
    }
    // One final exponentiation of the product of Miller loops = the product of the pairings.
    Fp12 f = Fp12::one();
    for (int i = 0; i < 4; ++i) f *= miller_loop(ps[i], qs[i]);
    EXPECT_EQ(final_exponentiation(f), expect);
    EXPECT_FALSE(pairing_product_is_one(ps, qs));
}

TEST(Bn254Precompile, RandomInputsNeverCrash) {
    // Random bytes (almost never valid points) and random lengths: every call returns, and a
    // success always has the fixed output size.
    for (int i = 0; i < 300; ++i) {
        bytes in(rng()() % 400);
        for (auto& b : in) b = static_cast<uint8_t>(rng()());
        if (i % 3 == 0)  // small coordinates: sometimes valid (0, 0) or off-curve small points
            for (size_t j = 0; j < in.size(); ++j)
                if (j % 32 < 31) in[j] = 0;
        if (auto r = bn254_add(in)) {
            EXPECT_EQ(r->size(), 64u);
        }
        if (auto r = bn254_mul(in)) {
            EXPECT_EQ(r->size(), 64u);
        }
        if (auto r = bn254_pairing_check(in)) {
            EXPECT_EQ(r->size(), 32u);
        }
    }
}

// The EIP-2537 BLS12-381 precompiles 0x0b-0x11 through run_precompile: gas (flat prices, the MSM
// discount tables and their caps, the pairing formula), encoding rejections of every kind,
// subgroup rules (none for G1ADD/G2ADD, required for MSM and pairing), and results checked
// against the crypto layer's own identities (P + P = 2P, MSM = naive sum, bilinearity) and
// RFC 9380 / EIP-2537 map-to-curve vectors.
#include "common/hex.hpp"
#include "crypto/bls12_381.hpp"
#include "crypto/bls12_381_map.hpp"
#include "precompiles/bls12_381_precompiles.hpp"
#include "precompiles/precompiles.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace polyvm;
using namespace polyvm::bls12_381;

namespace {

constexpr int64_t kLots = 1'000'000'000;
constexpr Revision kRev = Revision::Prague;

Address A(unsigned n) {
    Address a;
    a[19] = static_cast<uint8_t>(n);
    return a;
}

std::mt19937_64& rng() {
    static std::mt19937_64 g(0x2537'0b11ULL);
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
Scalar random_scalar() {
    Scalar s;
    for (auto& w : s) w = rng()();
    return s;
}

// ---- encoders (EIP-2537 layout, written independently of the precompile's own) ----
void put_fp(bytes& out, const Fp& a) {
    uint8_t buf[48];
    a.to_be(buf);
    out.insert(out.end(), 16, 0);
    out.insert(out.end(), buf, buf + 48);
}
void put_g1(bytes& out, const G1Affine& p) {
    if (p.infinity) {
        out.insert(out.end(), 128, 0);
        return;
    }
    put_fp(out, p.x);
    put_fp(out, p.y);
}
void put_g2(bytes& out, const G2Affine& p) {
    if (p.infinity) {
        out.insert(out.end(), 256, 0);
        return;
    }
    put_fp(out, p.x.c0);
    put_fp(out, p.x.c1);
    put_fp(out, p.y.c0);
    put_fp(out, p.y.c1);
}
void put_scalar(bytes& out, const Scalar& s) {
    for (size_t i = 4; i-- > 0;)
        for (int b = 7; b >= 0; --b) out.push_back(static_cast<uint8_t>(s[i] >> (8 * b)));
}
bytes g1_bytes(const G1Affine& p) {
    bytes b;
    put_g1(b, p);
    return b;
}
bytes g2_bytes(const G2Affine& p) {
    bytes b;
    put_g2(b, p);
    return b;
}

G1Affine g1(uint64_t k) { return g1_mul(G1::from_affine(g1_generator()), Scalar{k, 0, 0, 0}).to_affine(); }
G2Affine g2(uint64_t k) { return g2_mul(G2::from_affine(g2_generator()), Scalar{k, 0, 0, 0}).to_affine(); }
G1Affine random_g1() { return g1_mul(G1::from_affine(g1_generator()), random_scalar()).to_affine(); }
G2Affine random_g2() { return g2_mul(G2::from_affine(g2_generator()), random_scalar()).to_affine(); }
/// On the curve but (almost surely) outside the order-r subgroup: the isogeny image of an SSWU
/// point before cofactor clearing.
G1Affine g1_outside_subgroup() { return iso_map_g1(sswu_g1(Fp::from_u64(7))); }
G2Affine g2_outside_subgroup() { return iso_map_g2(sswu_g2(Fp2{Fp::from_u64(7), Fp::from_u64(3)})); }

PrecompileResult call(unsigned n, const bytes& in, int64_t gas = kLots) { return run_precompile(A(n), in, gas, kRev); }

void expect_failure(unsigned n, const bytes& in, const char* what) {
    const PrecompileResult r = call(n, in);
    EXPECT_EQ(r.status, Status::PrecompileFailure) << what;
    EXPECT_EQ(r.gas_left, 0) << what;  // EIP-2537 "gas burning on error"
    EXPECT_TRUE(r.output.empty()) << what;
}

bytes ok_output(unsigned n, const bytes& in) {
    const PrecompileResult r = call(n, in);
    EXPECT_EQ(r.status, Status::Success);
    return r.output;
}

/// The modulus p as a 64-byte field encoding (invalid: must be < p).
bytes p_encoding() {
    bytes out(16, 0);
    for (size_t i = 6; i-- > 0;)
        for (int b = 7; b >= 0; --b) out.push_back(static_cast<uint8_t>(FpParams::kModulus[i] >> (8 * b)));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Activation and gas

TEST(Eip2537, ActiveFromPragueOnly) {
    for (unsigned n = 0x0b; n <= 0x11; ++n) {
        EXPECT_FALSE(is_precompile(A(n), Revision::Cancun)) << n;
        EXPECT_TRUE(is_precompile(A(n), Revision::Prague)) << n;
        EXPECT_TRUE(is_precompile(A(n), Revision::Osaka)) << n;
        EXPECT_NE(run_precompile(A(n), {}, kLots, Revision::Prague).status, Status::UnsupportedPrecompile);
    }
    EXPECT_FALSE(is_precompile(A(0x12), Revision::Osaka));
}

TEST(Eip2537, DiscountTableEnds) {
    EXPECT_EQ(eip2537::g1_msm_discount(1), 1000u);
    EXPECT_EQ(eip2537::g1_msm_discount(2), 949u);
    EXPECT_EQ(eip2537::g1_msm_discount(128), 519u);
    EXPECT_EQ(eip2537::g1_msm_discount(129), 519u);  // max_discount
    EXPECT_EQ(eip2537::g1_msm_discount(1u << 30), 519u);
    EXPECT_EQ(eip2537::g2_msm_discount(1), 1000u);
    EXPECT_EQ(eip2537::g2_msm_discount(2), 1000u);
    EXPECT_EQ(eip2537::g2_msm_discount(3), 923u);
    EXPECT_EQ(eip2537::g2_msm_discount(128), 524u);
    EXPECT_EQ(eip2537::g2_msm_discount(129), 524u);
    EXPECT_EQ(eip2537::g2_msm_discount(1u << 30), 524u);
    // Non-increasing tables.
    for (uint64_t k = 2; k <= 130; ++k) {
        EXPECT_LE(eip2537::g1_msm_discount(k), eip2537::g1_msm_discount(k - 1));
        EXPECT_LE(eip2537::g2_msm_discount(k), eip2537::g2_msm_discount(k - 1));
    }
}

TEST(Eip2537, MsmAndPairingGasFormulas) {
    // k * mul_cost * discount(k) / 1000 with k = floor(len / pair length).
    EXPECT_EQ(eip2537::g1_msm_gas(0), 0u);
    EXPECT_EQ(eip2537::g1_msm_gas(159), 0u);
    EXPECT_EQ(eip2537::g1_msm_gas(160), 12000u);
    EXPECT_EQ(eip2537::g1_msm_gas(161), 12000u);
    EXPECT_EQ(eip2537::g1_msm_gas(2 * 160), 2 * 12000 * 949 / 1000u);
    EXPECT_EQ(eip2537::g1_msm_gas(128 * 160), 128 * 12000 * 519 / 1000u);
    EXPECT_EQ(eip2537::g1_msm_gas(129 * 160), 129 * 12000 * 519 / 1000u);
    EXPECT_EQ(eip2537::g2_msm_gas(287), 0u);
    EXPECT_EQ(eip2537::g2_msm_gas(288), 22500u);
    EXPECT_EQ(eip2537::g2_msm_gas(2 * 288), 45000u);
    EXPECT_EQ(eip2537::g2_msm_gas(128 * 288), 128 * 22500 * 524 / 1000u);
    EXPECT_EQ(eip2537::g2_msm_gas(200 * 288), uint64_t{200} * 22500 * 524 / 1000);
    EXPECT_EQ(eip2537::pairing_gas(0), 37700u);
    EXPECT_EQ(eip2537::pairing_gas(383), 37700u);
    EXPECT_EQ(eip2537::pairing_gas(384), 32600u + 37700u);
    EXPECT_EQ(eip2537::pairing_gas(2 * 384), 2 * 32600u + 37700u);
}

TEST(Eip2537, FlatPricesChargedExactly) {
    bytes add1;
    put_g1(add1, g1(1));
    put_g1(add1, g1(2));
    bytes add2;
    put_g2(add2, g2(1));
    put_g2(add2, g2(2));
    bytes map1(64, 0);
    bytes map2(128, 0);
    const struct {
        unsigned n;
        const bytes& in;
        int64_t cost;
    } cases[] = {{0x0b, add1, 375}, {0x0d, add2, 600}, {0x10, map1, 5500}, {0x11, map2, 23800}};
    for (const auto& c : cases) {
        const PrecompileResult ok = call(c.n, c.in, c.cost + 7);
        EXPECT_EQ(ok.status, Status::Success) << c.n;
        EXPECT_EQ(ok.gas_left, 7) << c.n;
        const PrecompileResult oog = call(c.n, c.in, c.cost - 1);
        EXPECT_EQ(oog.status, Status::OutOfGas) << c.n;
        EXPECT_EQ(oog.gas_left, 0) << c.n;
    }
}

TEST(Eip2537, VariablePricesChargedBeforeWork) {
    bytes msm;
    put_g1(msm, g1(3));
    put_scalar(msm, Scalar{5, 0, 0, 0});
    EXPECT_EQ(call(0x0c, msm, 12000).gas_left, 0);
    EXPECT_EQ(call(0x0c, msm, 12000).status, Status::Success);
    EXPECT_EQ(call(0x0c, msm, 11999).status, Status::OutOfGas);

    bytes msm2;
    put_g2(msm2, g2(3));
    put_scalar(msm2, Scalar{5, 0, 0, 0});
    EXPECT_EQ(call(0x0e, msm2, 22500 + 1).gas_left, 1);
    EXPECT_EQ(call(0x0e, msm2, 22499).status, Status::OutOfGas);

    bytes pair;
    put_g1(pair, g1(1));
    put_g2(pair, g2(1));
    EXPECT_EQ(call(0x0f, pair, 70300).status, Status::Success);
    EXPECT_EQ(call(0x0f, pair, 70299).status, Status::OutOfGas);
    // A malformed pairing input is priced on floor(len / 384) and then fails.
    EXPECT_EQ(call(0x0f, bytes(383, 0), 37699).status, Status::OutOfGas);
    EXPECT_EQ(call(0x0f, bytes(383, 0), 37700).status, Status::PrecompileFailure);
}

// ---------------------------------------------------------------------------------------------
// 0x0b G1ADD / 0x0d G2ADD

TEST(Eip2537, G1AddMatchesGroupLaw) {
    for (int i = 0; i < 4; ++i) {
        const G1Affine p = random_g1(), q = random_g1();
        bytes in = g1_bytes(p);
        put_g1(in, p);
        const G1Affine two_p = g1_mul(G1::from_affine(p), Scalar{2, 0, 0, 0}).to_affine();
        EXPECT_EQ(ok_output(0x0b, in), g1_bytes(two_p));  // P + P = 2P
        bytes pq = g1_bytes(p), qp = g1_bytes(q);
        put_g1(pq, q);
        put_g1(qp, p);
        EXPECT_EQ(ok_output(0x0b, pq), ok_output(0x0b, qp));  // commutativity
        EXPECT_EQ(ok_output(0x0b, pq), g1_bytes((G1::from_affine(p) + G1::from_affine(q)).to_affine()));
    }
    // Identity and inverse.
    bytes with_inf = g1_bytes(g1(5));
    put_g1(with_inf, G1Affine::identity());
    EXPECT_EQ(ok_output(0x0b, with_inf), g1_bytes(g1(5)));
    bytes inverse = g1_bytes(g1(5));
    put_g1(inverse, -g1(5));
    EXPECT_EQ(ok_output(0x0b, inverse), bytes(128, 0));
    EXPECT_EQ(ok_output(0x0b, bytes(256, 0)), bytes(128, 0));
}

TEST(Eip2537, G1AddHasNoSubgroupCheck) {
    const G1Affine o = g1_outside_subgroup();
    ASSERT_TRUE(o.is_on_curve());
    ASSERT_FALSE(g1_in_subgroup(o));
    bytes in = g1_bytes(o);
    put_g1(in, g1(1));
    EXPECT_EQ(ok_output(0x0b, in), g1_bytes(g1_add(o, g1(1))));
}

TEST(Eip2537, G2AddMatchesGroupLaw) {
    for (int i = 0; i < 3; ++i) {
        const G2Affine p = random_g2(), q = random_g2();
        bytes in = g2_bytes(p);
        put_g2(in, p);
        EXPECT_EQ(ok_output(0x0d, in), g2_bytes(g2_mul(G2::from_affine(p), Scalar{2, 0, 0, 0}).to_affine()));
        bytes pq = g2_bytes(p);
        put_g2(pq, q);
        EXPECT_EQ(ok_output(0x0d, pq), g2_bytes((G2::from_affine(p) + G2::from_affine(q)).to_affine()));
    }
    bytes inverse = g2_bytes(g2(9));
    put_g2(inverse, -g2(9));
    EXPECT_EQ(ok_output(0x0d, inverse), bytes(256, 0));
    // No subgroup check for G2ADD either.
    const G2Affine o = g2_outside_subgroup();
    ASSERT_TRUE(o.is_on_curve());
    ASSERT_FALSE(g2_in_subgroup(o));
    bytes in = g2_bytes(o);
    put_g2(in, G2Affine::identity());
    EXPECT_EQ(ok_output(0x0d, in), g2_bytes(o));
}

TEST(Eip2537, AddEncodingRejections) {
    const bytes good1 = [] {
        bytes b = g1_bytes(g1(1));
        put_g1(b, g1(2));
        return b;
    }();
    ASSERT_EQ(call(0x0b, good1).status, Status::Success);
    expect_failure(0x0b, {}, "empty");
    expect_failure(0x0b, bytes(good1.begin(), good1.end() - 1), "255 bytes");
    bytes longer = good1;
    longer.push_back(0);
    expect_failure(0x0b, longer, "257 bytes");
    for (size_t off : {size_t{0}, size_t{15}, size_t{64}, size_t{128 + 64 + 3}}) {
        bytes b = good1;
        b[off] = 1;  // a byte of the top 16 of some coordinate
        expect_failure(0x0b, b, "top 16 bytes non-zero");
    }
    {
        bytes b = good1;  // x = p (not < p)
        const bytes pe = p_encoding();
        std::copy(pe.begin(), pe.end(), b.begin());
        expect_failure(0x0b, b, "x = p");
    }
    {
        bytes b = good1;  // y += 1: off the curve
        b[127] ^= 1;
        expect_failure(0x0b, b, "off curve");
    }
    {
        // (0, y) with y != 0 is not infinity, and not on the curve (0 + 4 = y^2 has y = 2: use 3).
        bytes b(256, 0);
        b[127] = 3;
        expect_failure(0x0b, b, "(0, 3)");
    }

    bytes good2 = g2_bytes(g2(1));
    put_g2(good2, g2(2));
    ASSERT_EQ(call(0x0d, good2).status, Status::Success);
    expect_failure(0x0d, bytes(good2.begin(), good2.end() - 1), "511 bytes");
    expect_failure(0x0d, bytes(256, 0), "256 bytes");
    for (size_t off : {size_t{0}, size_t{64 + 5}, size_t{128 + 15}, size_t{192}, size_t{256 + 64}}) {
        bytes b = good2;
        b[off] = 0x80;
        expect_failure(0x0d, b, "G2 top bytes");
    }
    {
        bytes b = good2;  // x.c1 = p
        const bytes pe = p_encoding();
        std::copy(pe.begin(), pe.end(), b.begin() + 64);
        expect_failure(0x0d, b, "x.c1 = p");
    }
    {
        bytes b = good2;
        b[255] ^= 1;
        expect_failure(0x0d, b, "G2 off curve");
    }
}

// ---------------------------------------------------------------------------------------------
// 0x0c G1MSM / 0x0e G2MSM

TEST(Eip2537, G1MsmMatchesNaiveSum) {
    for (size_t k : {1u, 2u, 3u, 4u, 5u, 8u, 11u, 12u, 17u}) {
        bytes in;
        G1 expect;
        for (size_t i = 0; i < k; ++i) {
            const G1Affine p = random_g1();
            Scalar s = random_scalar();  // full 256 bits: not reduced, may exceed r
            if (i == 1) s = Scalar{~0ULL, ~0ULL, ~0ULL, ~0ULL};
            if (i == 2) s = Scalar{};
            put_g1(in, p);
            put_scalar(in, s);
            expect += g1_mul(G1::from_affine(p), s);
        }
        EXPECT_EQ(ok_output(0x0c, in), g1_bytes(expect.to_affine())) << k;
    }
    // Scalar r gives infinity; r + 5 gives 5P; infinity inputs are allowed.
    bytes in = g1_bytes(g1(1));
    put_scalar(in, kOrder);
    EXPECT_EQ(ok_output(0x0c, in), bytes(128, 0));
    Scalar r5 = kOrder;
    r5[0] += 5;
    in = g1_bytes(g1(1));
    put_scalar(in, r5);
    EXPECT_EQ(ok_output(0x0c, in), g1_bytes(g1(5)));
    in = g1_bytes(G1Affine::identity());
    put_scalar(in, Scalar{3, 0, 0, 0});
    EXPECT_EQ(ok_output(0x0c, in), bytes(128, 0));
}

TEST(Eip2537, G2MsmMatchesNaiveSum) {
    for (size_t k : {1u, 2u, 5u}) {
        bytes in;
        G2 expect;
        for (size_t i = 0; i < k; ++i) {
            const G2Affine p = random_g2();
            const Scalar s = random_scalar();
            put_g2(in, p);
            put_scalar(in, s);
            expect += g2_mul(G2::from_affine(p), s);
        }
        EXPECT_EQ(ok_output(0x0e, in), g2_bytes(expect.to_affine())) << k;
    }
    bytes in = g2_bytes(g2(1));
    put_scalar(in, kOrder);
    EXPECT_EQ(ok_output(0x0e, in), bytes(256, 0));
    // Single terms at the scalar edges (r - 1, 2^256 - 1, 2^64, |x|, |x|^2 - 1), and a count on
    // each side of the small-MSM threshold.
    Scalar r_minus_1 = kOrder;
    r_minus_1[0] -= 1;
    const Scalar edges[] = {r_minus_1, Scalar{~0ULL, ~0ULL, ~0ULL, ~0ULL}, Scalar{0, 1, 0, 0},
                            Scalar{kXAbs, 0, 0, 0}, Scalar{0x0000000100000000ULL - 1, 0xac45a4010001a402ULL, 0, 0}};
    for (const Scalar& s : edges) {
        const G2Affine p = random_g2();
        bytes one = g2_bytes(p);
        put_scalar(one, s);
        EXPECT_EQ(ok_output(0x0e, one), g2_bytes(g2_mul(G2::from_affine(p), s).to_affine()));
    }
    for (size_t k : {11u, 12u}) {
        bytes many;
        G2 expect;
        for (size_t i = 0; i < k; ++i) {
            const G2Affine p = random_g2();
            const Scalar s = random_scalar();
            put_g2(many, p);
            put_scalar(many, s);
            expect += g2_mul(G2::from_affine(p), s);
        }
        EXPECT_EQ(ok_output(0x0e, many), g2_bytes(expect.to_affine())) << k;
    }
}

TEST(Eip2537, MsmRejections) {
    bytes g1pair = g1_bytes(g1(1));
    put_scalar(g1pair, Scalar{2, 0, 0, 0});
    expect_failure(0x0c, {}, "empty G1MSM");
    expect_failure(0x0c, bytes(g1pair.begin(), g1pair.end() - 1), "159 bytes");
    bytes extra = g1pair;
    extra.push_back(0);
    expect_failure(0x0c, extra, "161 bytes");
    {
        bytes b = g1_bytes(g1_outside_subgroup());
        put_scalar(b, Scalar{1, 0, 0, 0});
        expect_failure(0x0c, b, "G1 not in subgroup");
        bytes z = g1_bytes(g1_outside_subgroup());
        put_scalar(z, Scalar{});
        expect_failure(0x0c, z, "G1 not in subgroup, zero scalar");
        bytes two = g1pair;  // bad second pair
        two.insert(two.end(), b.begin(), b.end());
        expect_failure(0x0c, two, "second pair not in subgroup");
    }
    {
        bytes b = g1pair;
        b[127] ^= 1;
        expect_failure(0x0c, b, "G1 off curve");
        bytes t = g1pair;
        t[64] = 1;
        expect_failure(0x0c, t, "G1 y top bytes");
    }

    bytes g2pair = g2_bytes(g2(1));
    put_scalar(g2pair, Scalar{2, 0, 0, 0});
    ASSERT_EQ(call(0x0e, g2pair).status, Status::Success);
    expect_failure(0x0e, {}, "empty G2MSM");
    expect_failure(0x0e, bytes(g2pair.begin(), g2pair.end() - 1), "287 bytes");
    {
        bytes b = g2_bytes(g2_outside_subgroup());
        put_scalar(b, Scalar{1, 0, 0, 0});
        expect_failure(0x0e, b, "G2 not in subgroup");
        bytes c = g2pair;
        c[255] ^= 1;
        expect_failure(0x0e, c, "G2 off curve");
    }
}

// ---------------------------------------------------------------------------------------------
// 0x0f PAIRING_CHECK

bytes word(uint8_t v) {
    bytes w(32, 0);
    w[31] = v;
    return w;
}

TEST(Eip2537, PairingCheck) {
    const G1Affine p = random_g1();
    const G2Affine q = random_g2();
    bytes in;
    put_g1(in, p);
    put_g2(in, q);
    EXPECT_EQ(ok_output(0x0f, in), word(0));  // e(P, Q) != 1
    put_g1(in, -p);
    put_g2(in, q);
    EXPECT_EQ(ok_output(0x0f, in), word(1));  // e(P, Q) e(-P, Q) = 1

    // Bilinearity: e(aP, bQ) e(-abP, Q) = 1.
    const Scalar a{123456789, 0, 0, 0}, b{987654321, 0, 0, 0}, ab{123456789ULL * 987654321ULL, 0, 0, 0};
    bytes bil;
    put_g1(bil, g1_mul(G1::from_affine(p), a).to_affine());
    put_g2(bil, g2_mul(G2::from_affine(q), b).to_affine());
    put_g1(bil, (-g1_mul(G1::from_affine(p), ab)).to_affine());
    put_g2(bil, q);
    EXPECT_EQ(ok_output(0x0f, bil), word(1));

    // Infinity in either slot contributes 1.
    bytes inf;
    put_g1(inf, G1Affine::identity());
    put_g2(inf, q);
    EXPECT_EQ(ok_output(0x0f, inf), word(1));
    put_g1(inf, p);
    put_g2(inf, G2Affine::identity());
    EXPECT_EQ(ok_output(0x0f, inf), word(1));
    EXPECT_EQ(ok_output(0x0f, bytes(384, 0)), word(1));
}

TEST(Eip2537, PairingRejections) {
    bytes good;
    put_g1(good, g1(1));
    put_g2(good, g2(1));
    expect_failure(0x0f, {}, "empty pairing");
    expect_failure(0x0f, bytes(good.begin(), good.end() - 1), "383 bytes");
    bytes extra = good;
    extra.push_back(0);
    expect_failure(0x0f, extra, "385 bytes");
    {
        bytes b;
        put_g1(b, g1_outside_subgroup());
        put_g2(b, g2(1));
        expect_failure(0x0f, b, "G1 not in subgroup");
    }
    {
        bytes b;
        put_g1(b, g1(1));
        put_g2(b, g2_outside_subgroup());
        expect_failure(0x0f, b, "G2 not in subgroup");
        bytes c;  // even against an infinity partner the point is validated
        put_g1(c, G1Affine::identity());
        put_g2(c, g2_outside_subgroup());
        expect_failure(0x0f, c, "G2 not in subgroup, G1 infinity");
    }
    {
        bytes b = good;
        b[383] ^= 1;
        expect_failure(0x0f, b, "G2 off curve");
        bytes c = good;
        c[127] ^= 1;
        expect_failure(0x0f, c, "G1 off curve");
        bytes d = good;
        d[128] = 1;
        expect_failure(0x0f, d, "G2 top bytes");
    }
}

// ---------------------------------------------------------------------------------------------
// 0x10 MAP_FP_TO_G1 / 0x11 MAP_FP2_TO_G2

TEST(Eip2537, MapFpToG1KnownAnswer) {
    // EIP-2537 map_fp_to_G1_bls.json[0] = RFC 9380 J.9.2 (msg = "").
    const auto in = from_hex(
        "00000000000000000000000000000000156c8a6a2c184569d69a76be144b5cdc5141d2d2ca4fe341f011e25e3969c55a"
        "d9e9b9ce2eb833c81a908e5fa4ac5f03");
    const auto out = from_hex(
        "00000000000000000000000000000000184bb665c37ff561a89ec2122dd343f20e0f4cbcaec84e3c3052ea81d1834e19"
        "2c426074b02ed3dca4e7676ce4ce48ba0000000000000000000000000000000004407b8d35af4dacc809927071fc0405"
        "218f1401a6d15af775810e4e460064bcc9468beeba82fdc751be70476c888bf3");
    ASSERT_TRUE(in && out);
    EXPECT_EQ(ok_output(0x10, *in), *out);
}

TEST(Eip2537, MapFp2ToG2KnownAnswer) {
    // EIP-2537 map_fp2_to_G2_bls.json[0] = RFC 9380 J.10.2 (msg = "").
    const auto in = from_hex(
        "0000000000000000000000000000000007355d25caf6e7f2f0cb2812ca0e513bd026ed09dda65b177500fa31714e09ea"
        "0ded3a078b526bed3307f804d4b93b040000000000000000000000000000000002829ce3c021339ccb5caf3e187f6370"
        "e1e2a311dec9b75363117063ab2015603ff52c3d3b98f19c2f65575e99e8b78c");
    const auto out = from_hex(
        "0000000000000000000000000000000000e7f4568a82b4b7dc1f14c6aaa055edf51502319c723c4dc2688c7fe5944c21"
        "3f510328082396515734b6612c4e7bb700000000000000000000000000000000126b855e9e69b1f691f816e48ac69776"
        "64d24d99f8724868a184186469ddfd4617367e94527d4b74fc86413483afb35b0000000000000000000000000000000"
        "00caead0fd7b6176c01436833c79d305c78be307da5f6af6c133c47311def6ff1e0babf57a0fb5539fce7ee12407b0a42"
        "000000000000000000000000000000001498aadcf7ae2b345243e281ae076df6de84455d766ab6fcdaad71fab60abb2e"
        "8b980a440043cd305db09d283c895e3d");
    ASSERT_TRUE(in && out);
    EXPECT_EQ(ok_output(0x11, *in), *out);
}

TEST(Eip2537, MapOutputsInSubgroup) {
    for (int i = 0; i < 4; ++i) {
        bytes in;
        put_fp(in, random_fp());
        const bytes out = ok_output(0x10, in);
        ASSERT_EQ(out.size(), 128u);
        bytes msm = out;  // G1MSM re-validates the output: on curve and in the subgroup
        put_scalar(msm, Scalar{1, 0, 0, 0});
        EXPECT_EQ(ok_output(0x0c, msm), out);

        bytes in2;
        put_fp(in2, random_fp());
        put_fp(in2, random_fp());
        const bytes out2 = ok_output(0x11, in2);
        ASSERT_EQ(out2.size(), 256u);
        bytes msm2 = out2;
        put_scalar(msm2, Scalar{1, 0, 0, 0});
        EXPECT_EQ(ok_output(0x0e, msm2), out2);
    }
}

TEST(Eip2537, MapRejections) {
    expect_failure(0x10, {}, "empty");
    expect_failure(0x10, bytes(63, 0), "63 bytes");
    expect_failure(0x10, bytes(65, 0), "65 bytes");
    expect_failure(0x10, p_encoding(), "u = p");
    bytes top(64, 0);
    top[15] = 1;
    expect_failure(0x10, top, "top bytes");
    EXPECT_EQ(call(0x10, bytes(64, 0)).status, Status::Success);  // u = 0 is valid

    expect_failure(0x11, bytes(127, 0), "127 bytes");
    expect_failure(0x11, bytes(129, 0), "129 bytes");
    expect_failure(0x11, bytes(64, 0), "64 bytes");
    bytes c1p(64, 0);
    const bytes pe = p_encoding();
    c1p.insert(c1p.end(), pe.begin(), pe.end());
    expect_failure(0x11, c1p, "u.c1 = p");
    bytes top2(128, 0);
    top2[64] = 0xff;
    expect_failure(0x11, top2, "u.c1 top bytes");
    EXPECT_EQ(call(0x11, bytes(128, 0)).status, Status::Success);
}

}  // namespace

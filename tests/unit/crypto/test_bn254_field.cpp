// The generic field layer (crypto/field/*.hpp) instantiated for BN254: Montgomery arithmetic,
// the Fp2/Fp6/Fp12 tower, Frobenius maps, cyclotomic squaring and sparse products. Fixed
// expected values were computed independently with Python's integers (pow(a, -1, p) etc.).
#include "crypto/bn254.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace polyvm;
using namespace polyvm::bn254;

namespace {

std::mt19937_64& rng() {
    static std::mt19937_64 g(0x5eed'b254);
    return g;
}

template <class F>
F random_fp() {
    // Rejection sampling below p (the top limb is masked to the modulus's bit length).
    for (;;) {
        typename F::Limbs l{};
        for (auto& w : l) w = rng()();
        l[F::N - 1] &= (~uint64_t{0}) >> (64 * F::N - F::kBits);
        if (auto f = F::from_canonical_checked(l)) return *f;
    }
}
Fp2 random_fp2() { return {random_fp<Fp>(), random_fp<Fp>()}; }
Fp6 random_fp6() { return {random_fp2(), random_fp2(), random_fp2()}; }
Fp12 random_fp12() { return {random_fp6(), random_fp6()}; }

// The 381-bit BLS12-381 base field, to exercise the 6-limb instantiation of the same template.
struct Bls381FpParams {
    static constexpr size_t kLimbs = 6;
    static constexpr field::Limbs<6> kModulus = field::limbs_from_hex<6>(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab");
};
using Fq381 = field::Fp<Bls381FpParams>;

// A modulus without a spare bit (2^255 - 19) takes the textbook CIOS path.
struct P25519Params {
    static constexpr size_t kLimbs = 4;
    static constexpr field::Limbs<4> kModulus =
        field::limbs_from_hex<4>("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");
};
using F25519 = field::Fp<P25519Params>;
struct PNoSpareParams {  // 2^256 - 189, the largest 256-bit prime: exercises the carry word
    static constexpr size_t kLimbs = 4;
    static constexpr field::Limbs<4> kModulus =
        field::limbs_from_hex<4>("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff43");
};
using FBig = field::Fp<PNoSpareParams>;

}  // namespace

TEST(Bn254Field, MontgomeryConstants) {
    EXPECT_TRUE(Fp::kSpareBit);
    EXPECT_EQ(Fp::kBits, 254u);
    EXPECT_EQ(Fp::kModulus[0] * Fp::kInv, ~uint64_t{0});  // p * (-p^-1) = -1 mod 2^64
    EXPECT_TRUE(Fp::one().is_one());
    EXPECT_EQ(Fp::one().to_canonical(), (field::Limbs<4>{1, 0, 0, 0}));
    EXPECT_EQ(Fp::from_u64(7).to_canonical(), (field::Limbs<4>{7, 0, 0, 0}));
}

TEST(Bn254Field, KnownProductAndInverse) {
    constexpr Fp a = Fp::from_hex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");
    constexpr Fp b = Fp::from_hex("2fedcba0987654321fedcba0987654321fedcba0987654321fedcba098765432");
    EXPECT_EQ(a * b, Fp::from_hex("0fd2208cebf916d38657e1b97d38a7feeca06a4628f515307a303e239a184a40"));
    EXPECT_EQ(a.inverse(), Fp::from_hex("095d995fdf74f443555ea182a995ca84af8f32d16e1a26070063360add994601"));
    EXPECT_EQ(a.inverse(), a.pow(Fp::kPMinus2));
    EXPECT_TRUE(Fp{}.inverse().is_zero());
}

// The same field without FpParams::mont_mul_kernel: the portable CIOS loop of field::Fp.
struct PortableBn254FpParams {
    static constexpr size_t kLimbs = 4;
    static constexpr field::Limbs<4> kModulus = FpParams::kModulus;
};
using PortableFp = field::Fp<PortableBn254FpParams>;

TEST(Bn254Field, MulKernelMatchesPortableLoop) {
    // Whether or not this CPU runs the assembly kernel, products agree with the portable loop,
    // including 0, 1, p - 1, the largest representation and operands that alias the result.
    field::Limbs<4> pm1 = FpParams::kModulus;
    pm1[0] -= 1;
    std::vector<Fp> vals = {Fp{}, Fp::one(), -Fp::one(), Fp::from_u64(2), Fp::from_montgomery(pm1)};
    for (int i = 0; i < 200; ++i) vals.push_back(random_fp<Fp>());
    for (size_t i = 0; i < vals.size(); ++i) {
        for (size_t j = 0; j < 8; ++j) {
            const Fp& a = vals[i];
            const Fp& b = vals[(i * 37 + j * 11) % vals.size()];
            ASSERT_EQ((a * b).m, (PortableFp::from_montgomery(a.m) * PortableFp::from_montgomery(b.m)).m);
        }
        Fp sq = vals[i];
        sq *= sq;
        ASSERT_EQ(sq.m, PortableFp::from_montgomery(vals[i].m).sqr().m);
    }
    field::Limbs<4> r{};
    const Fp a = random_fp<Fp>(), b = random_fp<Fp>();
    if (FpParams::mont_mul_kernel(r, a.m, b.m)) {
        EXPECT_EQ(r, (PortableFp::from_montgomery(a.m) * PortableFp::from_montgomery(b.m)).m);
    }
}

namespace {

// The variable-time inversion against Fermat's a^(p-2) on inputs that take unusual paths: tiny
// and huge values, powers of two (long runs of even g), p - 2^k, values whose gcd steps shrink
// f and g quickly, and random ones.
template <class F>
void check_inverses() {
    std::vector<typename F::Limbs> inputs;
    typename F::Limbs one{};
    one[0] = 1;
    for (size_t k = 0; k < F::kBits; ++k) {
        typename F::Limbs pow2{};
        pow2[k / 64] = uint64_t{1} << (k % 64);
        inputs.push_back(pow2);
        typename F::Limbs below{};
        field::detail::sub_borrow(below, F::kModulus, pow2);  // p - 2^k
        inputs.push_back(below);
    }
    for (uint64_t small = 2; small < 70; ++small) inputs.push_back(typename F::Limbs{small});
    typename F::Limbs half = F::kModulus;  // (p - 1) / 2
    for (size_t i = 0; i < F::N; ++i) half[i] = (half[i] >> 1) | (i + 1 < F::N ? half[i + 1] << 63 : 0);
    inputs.push_back(half);
    for (int i = 0; i < 300; ++i) inputs.push_back(random_fp<F>().to_canonical());
    for (const auto& l : inputs) {
        const auto x = F::from_canonical_checked(l);
        ASSERT_TRUE(x.has_value());
        if (x->is_zero()) continue;
        const F inv = x->inverse();
        ASSERT_EQ(inv, x->pow(F::kPMinus2));
        ASSERT_TRUE((inv * *x).is_one());
    }
}

}  // namespace

TEST(Bn254Field, InverseMatchesFermatOnEdgeAndRandomInputs) {
    check_inverses<Fp>();
    check_inverses<Fr>();
    check_inverses<Fq381>();
    check_inverses<F25519>();
    check_inverses<FBig>();
}

TEST(Bn254Field, SixLimbInstantiation) {
    constexpr Fq381 a = Fq381::from_hex(
        "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb");
    constexpr Fq381 b = Fq381::from_hex(
        "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1");
    EXPECT_EQ(a * b, Fq381::from_hex("1144f72e5d8a469db166f58521e70676db2c6defa37e40da314436a0645f2511037bf2f1a83aa341bafe74514c615fae"));
    EXPECT_EQ(a.inverse(), Fq381::from_hex("1470fbf85970339ff8109b6c9e331bfb2b687fda0c89c1e1308b5faf3ddbdf9d47bd26e6e43b567c9c817c115f3c71a1"));
    for (int i = 0; i < 50; ++i) {
        const Fq381 x = random_fp<Fq381>(), y = random_fp<Fq381>();
        EXPECT_EQ(x * y.inverse() * y, x);
        EXPECT_EQ((x + y) * (x - y), x.sqr() - y.sqr());
        const auto s = x.sqr().sqrt();
        ASSERT_TRUE(s.has_value());
        EXPECT_TRUE(*s == x || *s == -x);
    }
}

TEST(Bn254Field, NoSpareBitModuli) {
    EXPECT_FALSE(F25519::kSpareBit);
    EXPECT_FALSE(FBig::kSpareBit);
    // (p - 1)^2 = 1 and 2^-1 * 2 = 1 hit the top of the range.
    const F25519 m1 = -F25519::one();
    EXPECT_TRUE((m1 * m1).is_one());
    const FBig b1 = -FBig::one();
    EXPECT_TRUE((b1 * b1).is_one());
    EXPECT_TRUE((b1 + b1 + FBig::from_u64(2)).is_zero());
    for (int i = 0; i < 50; ++i) {
        const FBig x = random_fp<FBig>(), y = random_fp<FBig>(), z = random_fp<FBig>();
        EXPECT_EQ(x * (y + z), x * y + x * z);
        EXPECT_TRUE((x.inverse() * x).is_one());
        const F25519 u = random_fp<F25519>(), v = random_fp<F25519>();
        EXPECT_EQ((u + v).sqr(), u.sqr() + (u * v).dbl() + v.sqr());
    }
}

TEST(Bn254Field, FpAxioms) {
    for (int i = 0; i < 200; ++i) {
        const Fp a = random_fp<Fp>(), b = random_fp<Fp>(), c = random_fp<Fp>();
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a * b, b * a);
        EXPECT_EQ(a - b + b, a);
        EXPECT_TRUE((a + (-a)).is_zero());
        EXPECT_EQ(a.sqr(), a * a);
        EXPECT_EQ(a.dbl(), a + a);
        EXPECT_EQ(a.half().dbl(), a);
        EXPECT_EQ(a.mul_small(9), a * Fp::from_u64(9));
        if (!a.is_zero()) {
            EXPECT_TRUE((a * a.inverse()).is_one());
        }
        EXPECT_EQ(Fp::from_canonical(a.to_canonical()), a);
    }
}

TEST(Bn254Field, BytesAndRangeCheck) {
    uint8_t buf[32];
    const Fp a = random_fp<Fp>();
    a.to_be(buf);
    EXPECT_EQ(Fp::from_be(buf), a);
    // p itself and 2^256 - 1 are rejected; p - 1 is accepted.
    uint8_t pbytes[32];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 8; ++j) pbytes[31 - 8 * i - j] = static_cast<uint8_t>(Fp::kModulus[i] >> (8 * j));
    EXPECT_FALSE(Fp::from_be(pbytes).has_value());
    pbytes[31] -= 1;
    ASSERT_TRUE(Fp::from_be(pbytes).has_value());
    EXPECT_EQ(*Fp::from_be(pbytes), -Fp::one());
    uint8_t ff[32];
    std::memset(ff, 0xff, 32);
    EXPECT_FALSE(Fp::from_be(ff).has_value());
}

TEST(Bn254Field, Sqrt) {
    for (int i = 0; i < 50; ++i) {
        const Fp a = random_fp<Fp>();
        const auto s = a.sqr().sqrt();
        ASSERT_TRUE(s.has_value());
        EXPECT_EQ(s->sqr(), a.sqr());
        EXPECT_TRUE(a.sqr().is_square());
    }
    // -1 is a non-square since p = 3 (mod 4).
    EXPECT_FALSE((-Fp::one()).sqrt().has_value());
    EXPECT_FALSE((-Fp::one()).is_square());
    for (int i = 0; i < 20; ++i) {
        const Fp2 a = random_fp2();
        const auto s = a.sqr().sqrt();
        ASSERT_TRUE(s.has_value());
        EXPECT_EQ(s->sqr(), a.sqr());
    }
    // xi = 9 + u is a non-square in Fp2 (it must be a non-cube and a non-square for the sextic twist).
    EXPECT_FALSE(Fp2::xi().sqrt().has_value());
}

TEST(Bn254Field, Fp2Axioms) {
    for (int i = 0; i < 100; ++i) {
        const Fp2 a = random_fp2(), b = random_fp2(), c = random_fp2();
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a.sqr(), a * a);
        EXPECT_TRUE((a * a.inverse()).is_one());
        EXPECT_EQ(a.mul_by_xi(), a * Fp2::xi());
        EXPECT_EQ(a.frobenius(1), a.pow(Fp::kModulus));
    }
    // u^2 = -1.
    const Fp2 u{Fp{}, Fp::one()};
    EXPECT_EQ(u.sqr(), -Fp2::one());
}

TEST(Bn254Field, Fp6Axioms) {
    for (int i = 0; i < 50; ++i) {
        const Fp6 a = random_fp6(), b = random_fp6(), c = random_fp6();
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a.sqr(), a * a);
        EXPECT_TRUE((a * a.inverse()).is_one());
        const Fp6 v{Fp2{}, Fp2::one(), Fp2{}};
        EXPECT_EQ(a.mul_by_v(), a * v);
        EXPECT_EQ(a.mul_by_01(b.c0, b.c1), (a * Fp6{b.c0, b.c1, Fp2{}}));
        EXPECT_EQ(a.mul_by_12(b.c1, b.c2), (a * Fp6{Fp2{}, b.c1, b.c2}));
        EXPECT_EQ(a.mul_by_1(b.c1), (a * Fp6{Fp2{}, b.c1, Fp2{}}));
        EXPECT_EQ(a.frobenius(1), a.pow(Fp::kModulus));
        Fp6 f = a;
        for (int k = 0; k < 6; ++k) f = f.frobenius(1);
        EXPECT_EQ(f, a);
        EXPECT_EQ(a.frobenius(2), a.frobenius(1).frobenius(1));
        EXPECT_EQ(a.frobenius(3), a.frobenius(2).frobenius(1));
    }
    const Fp6 v{Fp2{}, Fp2::one(), Fp2{}};
    EXPECT_EQ(v.sqr() * v, (Fp6{Fp2::xi(), Fp2{}, Fp2{}}));  // v^3 = xi
}

TEST(Bn254Field, Fp12Axioms) {
    for (int i = 0; i < 20; ++i) {
        const Fp12 a = random_fp12(), b = random_fp12(), c = random_fp12();
        EXPECT_EQ(a * (b + c), a * b + a * c);
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a.sqr(), a * a);
        EXPECT_TRUE((a * a.inverse()).is_one());
        EXPECT_EQ(a.frobenius(1), a.pow(Fp::kModulus));
        Fp12 f = a;
        for (unsigned k = 1; k <= 12; ++k) {
            f = f.frobenius(1);
            if (k < 12) {
                EXPECT_EQ(f, a.frobenius(k)) << k;
            }
        }
        EXPECT_EQ(f, a);  // Frobenius^12 = id
        EXPECT_EQ(a.frobenius(6), a.conjugate());
        // Sparse products against the full one.
        const Fp2 b0 = random_fp2(), b1 = random_fp2(), b3 = random_fp2(), b5 = random_fp2();
        EXPECT_EQ(a.mul_by_w013(b0, b1, b3), (a * Fp12{{b0, Fp2{}, Fp2{}}, {b1, b3, Fp2{}}}));
        EXPECT_EQ(a.mul_by_w035(b0, b3, b5), (a * Fp12{{b0, Fp2{}, Fp2{}}, {Fp2{}, b3, b5}}));
    }
    const Fp12 w{Fp6{}, Fp6::one()};
    EXPECT_EQ(w.sqr(), (Fp12{{Fp2{}, Fp2::one(), Fp2{}}, Fp6{}}));  // w^2 = v
}

TEST(Bn254Field, CyclotomicSquaring) {
    for (int i = 0; i < 20; ++i) {
        // f^((p^6 - 1)(p^2 + 1)) lies in the cyclotomic subgroup.
        const Fp12 a = random_fp12();
        Fp12 f = a.conjugate() * a.inverse();
        f = f.frobenius(2) * f;
        EXPECT_EQ(f.cyclotomic_sqr(), f.sqr());
        EXPECT_EQ(f.conjugate() * f, Fp12::one());  // inverse = conjugate there
        const field::Limbs<1> e{kX};
        EXPECT_EQ(f.cyclotomic_pow(e), f.pow(e));
    }
}

namespace {
/// Inverse checks on values that stress the divstep shortcuts: small numbers, powers of two
/// (long zero runs), p - 1, p - 2^k, and all-ones patterns.
template <class F>
void check_inverse_edges() {
    std::vector<typename F::Limbs> vals;
    for (uint64_t v : {1ULL, 2ULL, 3ULL, 5ULL, 0xffULL, ~0ULL}) {
        typename F::Limbs l{};
        l[0] = v;
        vals.push_back(l);
    }
    for (size_t bit = 1; bit + 1 < F::kBits; bit += 7) {
        typename F::Limbs l{};
        l[bit / 64] = uint64_t{1} << (bit % 64);
        vals.push_back(l);
        typename F::Limbs m = F::kModulus;  // p - 2^bit
        field::detail::sub_borrow(m, m, l);
        vals.push_back(m);
    }
    vals.push_back(field::detail::sub_small(F::kModulus, 1));
    for (const auto& l : vals) {
        const auto x = F::from_canonical_checked(l);
        ASSERT_TRUE(x.has_value());
        EXPECT_TRUE((x->inverse() * *x).is_one());
        EXPECT_EQ(x->inverse(), x->pow(F::kPMinus2));
    }
    for (int i = 0; i < 300; ++i) {
        const F x = random_fp<F>();
        if (!x.is_zero()) {
            EXPECT_TRUE((x.inverse() * x).is_one());
        }
    }
}
}  // namespace

TEST(Bn254Field, InverseEdgeCases) {
    check_inverse_edges<Fp>();
    check_inverse_edges<Fr>();
    check_inverse_edges<Fq381>();
    check_inverse_edges<F25519>();
    check_inverse_edges<FBig>();
}

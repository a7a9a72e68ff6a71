#include "crypto/bls12_381.hpp"

#include "crypto/field/mulx_montgomery.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>
#include <vector>

namespace polyvm::bls12_381 {

// ---------------------------------------------------------------------------------------------
// Montgomery product kernel (x86-64, BMI2 + ADX: crypto/field/mulx_montgomery.hpp)

#ifdef POLYVM_MULX_MONTGOMERY
namespace {
// Dynamically initialised: any product computed before it is set (static initialisers of other
// files) sees false and takes the portable path, which gives the same result.
const bool kHaveBmi2Adx = field::mulx::cpu_has_bmi2_adx();
alignas(64) constexpr uint64_t kP[6] = {FpParams::kModulus[0], FpParams::kModulus[1], FpParams::kModulus[2],
                                        FpParams::kModulus[3], FpParams::kModulus[4], FpParams::kModulus[5]};
constexpr uint64_t kPInv = field::detail::neg_inv64(FpParams::kModulus[0]);  // -p^-1 mod 2^64
}  // namespace

bool FpParams::mont_mul_kernel(field::Limbs<6>& r, const field::Limbs<6>& a, const field::Limbs<6>& b) noexcept {
    if (!kHaveBmi2Adx) return false;
    field::mulx::mont_mul6<kP, kPInv>(r.data(), a.data(), b.data());
    return true;
}

bool FpParams::mont_sqr_kernel(field::Limbs<6>& r, const field::Limbs<6>& a) noexcept {
    if (!kHaveBmi2Adx) return false;
    field::Limbs<12> t;  // a^2 < 4p^2 < p R for a below 2p
    field::mulx::sqr6_wide(t.data(), a.data());
    field::mulx::redc6<kP, kPInv>(r.data(), t.data());
    return true;
}

bool Tower::fp2_mul_kernel(field::Limbs<6>& c0, field::Limbs<6>& c1, const field::Limbs<6>& a0,
                           const field::Limbs<6>& a1, const field::Limbs<6>& b0, const field::Limbs<6>& b1) noexcept {
    if (!kHaveBmi2Adx) return false;
    // With a, b below 2p: t0, t1 < 4p^2 and a0 b1 + a1 b0 < 8p^2, all below p R = p 2^384
    // (8p < 2^384), as the reduction needs; the sums a0 + a1 < 4p fit six limbs.
    field::Limbs<12> t0, t1, t2;
    field::mulx::mul6_wide(t0.data(), a0.data(), b0.data());
    field::mulx::mul6_wide(t1.data(), a1.data(), b1.data());
    field::Limbs<6> sa, sb;
    field::detail::add_carry(sa, a0, a1);
    field::detail::add_carry(sb, b0, b1);
    field::mulx::mul6_wide(t2.data(), sa.data(), sb.data());
    field::detail::sub_borrow(t2, t2, t0);
    field::detail::sub_borrow(t2, t2, t1);  // a0 b1 + a1 b0 >= 0
    if (field::detail::sub_borrow(t0, t0, t1)) {
        // a0 b0 - a1 b1 < 0: add p R (p to the high half), which REDC takes modulo p.
        field::Limbs<6> high;
        std::memcpy(high.data(), t0.data() + 6, sizeof high);
        field::detail::add_carry(high, high, FpParams::kModulus);
        std::memcpy(t0.data() + 6, high.data(), sizeof high);
    }
    field::mulx::redc6<kP, kPInv>(c0.data(), t0.data());
    field::mulx::redc6<kP, kPInv>(c1.data(), t2.data());
    return true;
}
#else
bool FpParams::mont_mul_kernel(field::Limbs<6>&, const field::Limbs<6>&, const field::Limbs<6>&) noexcept {
    return false;
}
bool FpParams::mont_sqr_kernel(field::Limbs<6>&, const field::Limbs<6>&) noexcept { return false; }
bool Tower::fp2_mul_kernel(field::Limbs<6>&, field::Limbs<6>&, const field::Limbs<6>&, const field::Limbs<6>&,
                           const field::Limbs<6>&, const field::Limbs<6>&) noexcept {
    return false;
}
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Constants

// Generators (ZCash BLS12-381 specification; the IETF pairing-friendly-curves draft lists the same).
constexpr Fp kG1x = Fp::from_hex(
    "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb");
constexpr Fp kG1y = Fp::from_hex(
    "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1");
constexpr Fp2 kG2x{
    Fp::from_hex("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
    Fp::from_hex("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e")};
constexpr Fp2 kG2y{
    Fp::from_hex("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
    Fp::from_hex("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be")};

// beta: the cube root of unity in Fp for which phi(P) = (beta x, y) acts on G1 as -x^2 (the other
// root, beta^2, gives the conjugate eigenvalue x^2 - 1 and would make the subgroup test fail).
// Same value as EIP-2537's fast_subgroup_checks note.
constexpr Fp kBeta = Fp::from_hex(
    "5f19672fdf76ce51ba69c6076a0f77eaddb3a93be6f89688de17d813620a00022e01fffffffefffe");

// psi(x, y) = (conj(x) cx, conj(y) cy) with cx = 1 / xi^((p-1)/3), cy = 1 / xi^((p-1)/2): the
// Frobenius of E'(Fp2) carried through the untwist E' -> E and back. On G2 it is multiplication
// by p = x (mod r).
constexpr Fp2 kPsiCx{Fp::zero(), Fp::from_hex("1a0111ea397fe699ec02408663d4de85aa0d857d89759ad4897d29650fb85f9b"
                                              "409427eb4f49fffd8bfd00000000aaad")};
constexpr Fp2 kPsiCy{
    Fp::from_hex("135203e60180a68ee2e9c448d77a2cd91c3dedd930b1cf60ef396489f61eb45e304466cf3e67fa0af1ee7b04121bdea2"),
    Fp::from_hex("06af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5ee67992f72ec05f4c81084fbede3cc09")};

// (p - 1) / 2: the "lexicographically largest" threshold of the ZCash sign bit.
constexpr field::Limbs<6> kHalfP = field::detail::div_small(FpParams::kModulus, 2);

// Hard part of the final exponentiation (Hayashida, Hayasaka, Teruya, eprint 2020/875):
//     3 (p^4 - p^2 + 1) / r = (x - 1)^2 (x + p) (x^2 + p^2 - 1) + 3.
// For BLS12-381 x = 1 (mod 3), so (x - 1)^2 / 3 is an integer and the exact exponent is
//     (p^4 - p^2 + 1) / r = ((x - 1)^2 / 3) (x + p) (x^2 + p^2 - 1) + 1.
constexpr field::Limbs<2> kHardE1 = {0x8c00aaab0000aaabULL, 0x396c8c005555e156ULL};  // (x-1)^2 / 3

// ---------------------------------------------------------------------------------------------
// Small helpers

Fp2 fp2_half(const Fp2& a) noexcept { return {a.c0.half(), a.c1.half()}; }

bool bit_of_x(int i) noexcept { return (kXAbs >> i) & 1; }

/// |x| P by double-and-add over the bits of |x| below its top bit (x has Hamming weight 6). P
/// Jacobian or affine; an affine P is added with mixed additions.
template <class Curve, template <class> class Point>
field::JacobianPoint<Curve> mul_by_x_abs(const Point<Curve>& p) noexcept {
    constexpr bool kAffine = std::is_same_v<Point<Curve>, field::AffinePoint<Curve>>;
    field::JacobianPoint<Curve> r;
    if constexpr (kAffine)
        r = field::JacobianPoint<Curve>::from_affine(p);
    else
        r = p;
    for (int i = 62; i >= 0; --i) {
        r = r.dbl();
        if (bit_of_x(i)) {
            if constexpr (kAffine)
                r = r.add_mixed(p);
            else
                r += p;
        }
    }
    return r;
}

/// f^|x| in the cyclotomic subgroup by plain (Granger-Scott) squarings.
Fp12 cyclotomic_exp_by_x_abs_plain(const Fp12& f) noexcept {
    Fp12 r = f;
    for (int i = 62; i >= 0; --i) {
        r = r.cyclotomic_sqr();
        if (bit_of_x(i)) r *= f;
    }
    return r;
}

/// Karabina's compressed form of an element of the cyclotomic subgroup ("Squaring in cyclotomic
/// subgroups", Math. Comp. 2013): the four coefficients of w^1, w^4, w^2, w^5 (g2, g3, g4, g5 in
/// the paper). Granger-Scott's squaring computes them from themselves alone; the coefficients of
/// w^0, w^3 (g0, g1) follow from them for elements of the subgroup.
struct CompressedGt {
    Fp2 g2, g3, g4, g5;
};

CompressedGt compress(const Fp12& f) noexcept { return {f.c1.c0, f.c0.c2, f.c0.c1, f.c1.c2}; }

/// The square of a compressed element: 6 Fp2 squarings instead of Granger-Scott's 9.
/// g2' = 2 g2 + 6 xi g4 g5, g3' = 3 (g4^2 + xi g5^2) - 2 g3, g4' = 3 (g2^2 + xi g3^2) - 2 g4,
/// g5' = 2 g5 + 6 g2 g3.
CompressedGt compressed_sqr(const CompressedGt& g) noexcept {
    const Fp2 s2 = g.g2.sqr(), s3 = g.g3.sqr(), s4 = g.g4.sqr(), s5 = g.g5.sqr();
    const Fp2 p23 = (g.g2 + g.g3).sqr() - s2 - s3;  // 2 g2 g3
    const Fp2 p45 = (g.g4 + g.g5).sqr() - s4 - s5;  // 2 g4 g5
    const Fp2 t2 = p45.mul_by_xi(), t3 = s4 + s5.mul_by_xi(), t4 = s2 + s3.mul_by_xi();
    return {(t2 + g.g2).dbl() + t2, (t3 - g.g3).dbl() + t3, (t4 - g.g4).dbl() + t4, (p23 + g.g5).dbl() + p23};
}

/// Decompresses n elements with one shared inversion (Montgomery's trick):
/// g1 = (xi g5^2 + 3 g4^2 - 2 g3) / (4 g2), g0 = xi (2 g1^2 + g2 g5 - 3 g3 g4) + 1.
/// False when some g2 is zero (the formula does not apply; the caller takes the plain path).
template <size_t N>
bool decompress_all(const std::array<CompressedGt, N>& c, std::array<Fp12, N>& out) noexcept {
    std::array<Fp2, N> num, prefix;
    Fp2 acc = Fp2::one();
    for (size_t i = 0; i < N; ++i) {
        const Fp2 s4 = c[i].g4.sqr();
        num[i] = c[i].g5.sqr().mul_by_xi() + s4.dbl() + s4 - c[i].g3.dbl();
        prefix[i] = acc;
        acc *= c[i].g2.dbl().dbl();
    }
    if (acc.is_zero()) return false;
    Fp2 inv = acc.inverse();
    for (size_t i = N; i-- > 0;) {
        const Fp2 g1 = num[i] * (inv * prefix[i]);
        inv *= c[i].g2.dbl().dbl();
        const Fp2 g34 = c[i].g3 * c[i].g4;
        const Fp2 g0 = (g1.sqr().dbl() + c[i].g2 * c[i].g5 - (g34.dbl() + g34)).mul_by_xi() + Fp2::one();
        Fp12& r = out[i];
        r.c0 = {g0, c[i].g4, c[i].g3};
        r.c1 = {c[i].g2, g1, c[i].g5};
    }
    return true;
}

/// f^|x| in the cyclotomic subgroup: |x| has 6 set bits, so f^|x| is the product of f^(2^k) for
/// those k. All 63 squarings run on the compressed form; the 6 values kept are decompressed
/// together (one inversion), then multiplied (5 products, as in the plain chain).
Fp12 cyclotomic_exp_by_x_abs(const Fp12& f) noexcept {
    constexpr size_t kTerms = std::popcount(kXAbs);
    std::array<CompressedGt, kTerms> kept;
    CompressedGt g = compress(f);
    size_t j = 0;
    for (int k = 1; k <= 63; ++k) {
        g = compressed_sqr(g);
        if (bit_of_x(k)) kept[j++] = g;
    }
    std::array<Fp12, kTerms> terms;
    if (!decompress_all(kept, terms)) return cyclotomic_exp_by_x_abs_plain(f);
    Fp12 r = terms[0];
    for (size_t i = 1; i < kTerms; ++i) r *= terms[i];
    return r;
}
/// f^x = conj(f^|x|) (x < 0; conjugation inverts in the cyclotomic subgroup).
Fp12 cyclotomic_exp_by_x(const Fp12& f) noexcept { return cyclotomic_exp_by_x_abs(f).conjugate(); }

/// f^e by a sliding window of 4 bits (8 odd powers, then one multiplication per window):
/// about bits/5 multiplications instead of bits/2. `square` is the squaring to use (the
/// cyclotomic one for Fp12 elements after the easy part).
template <class F, size_t M, class Square>
F pow_window(const F& f, const field::Limbs<M>& e, Square square) noexcept {
    F odd[8];  // f, f^3, ..., f^15
    odd[0] = f;
    const F f2 = square(f);
    for (int i = 1; i < 8; ++i) odd[i] = odd[i - 1] * f2;
    F r = F::one();
    bool started = false;
    int i = static_cast<int>(field::detail::bit_length(e)) - 1;
    while (i >= 0) {
        if (!field::detail::bit(e, static_cast<size_t>(i))) {
            if (started) r = square(r);
            --i;
            continue;
        }
        // The longest window [j, i] of at most 4 bits that ends in a set bit.
        int j = std::max(i - 3, 0);
        while (!field::detail::bit(e, static_cast<size_t>(j))) ++j;
        unsigned val = 0;
        for (int k = i; k >= j; --k) {
            val = (val << 1) | (field::detail::bit(e, static_cast<size_t>(k)) ? 1u : 0u);
            if (started) r = square(r);
        }
        r = started ? r * odd[val >> 1] : odd[val >> 1];
        started = true;
        i = j - 1;
    }
    return r;
}

Fp12 cyclotomic_pow_window(const Fp12& f, const field::Limbs<2>& e) noexcept {
    return pow_window(f, e, [](const Fp12& a) { return a.cyclotomic_sqr(); });
}

/// sqrt for p = 3 (mod 4): a^((p+1)/4), checked; Fp::sqrt with a windowed exponentiation
/// (decompression runs it for every commitment and proof).
std::optional<Fp> fp_sqrt(const Fp& a) noexcept {
    const Fp c = fp_pow_sqrt_exp(a);
    if (c.sqr() != a) return std::nullopt;
    return c;
}

// ---------------------------------------------------------------------------------------------
// Miller loop lines (M-type twist, homogeneous projective coordinates on E')
//
// For T, Q on E' and the slope l' there, the line through them evaluated at P = (xP, yP) on E,
// after untwisting ((x', y') -> (x' / w^2, y' / w^3)) and multiplying by w^3, is
//     (l' xT - yT) + (-l' xP) w^2 + yP w^3.
// Written with l' = N / D and scaled by D (an Fp2 factor, removed by the final exponentiation),
// each step yields (a, b, c) with value a + b xP w^2 + c yP w^3; g2_prepare divides by c.

struct ProjPoint {
    Fp2 X, Y, Z;  // affine (X / Z, Y / Z)
};

struct RawLine {
    Fp2 a, b, c;
};

/// Tangent at T and T <- 2T. Tangent slope 3X^2 / (2YZ); scaled by 2YZ^2 and divided by Z (using
/// Y^2 Z = X^3 + b' Z^3): c = 2YZ, b = -3X^2, a = Y^2 - 3b'Z^2.
/// Doubling: X3 = XY (Y^2 - 9b'Z^2) / 2, Y3 = ((Y^2 + 9b'Z^2) / 2)^2 - 27 b'^2 Z^4, Z3 = 2Y^3 Z.
static_assert(G2Curve::kB == Fp2::xi().dbl().dbl(), "doubling_step multiplies by b' = 4 xi with additions");
RawLine doubling_step(ProjPoint& t) noexcept {
    const Fp2 xx = t.X.sqr(), yy = t.Y.sqr(), zz = t.Z.sqr();
    // b' = 4 xi: additions only, no Fp2 product.
    const Fp2 bzz = zz.mul_by_xi().dbl().dbl();  // b' Z^2
    const Fp2 bzz3 = bzz.dbl() + bzz;            // 3 b' Z^2
    const Fp2 bzz9 = bzz3.dbl() + bzz3;          // 9 b' Z^2
    RawLine l;
    l.c = (t.Y * t.Z).dbl();
    l.b = -(xx.dbl() + xx);
    l.a = yy - bzz3;
    const Fp2 xy = t.X * t.Y;
    const Fp2 h = fp2_half(yy + bzz9);
    t.X = fp2_half(xy * (yy - bzz9));
    const Fp2 bzz3_sq = bzz3.sqr();
    t.Y = h.sqr() - (bzz3_sq.dbl() + bzz3_sq);  // 27 b'^2 Z^4 = 3 (3 b' Z^2)^2
    t.Z = yy * l.c;                           // Y^2 * 2YZ
    return l;
}

/// Chord through T and the affine Q, and T <- T + Q. With theta = Y - yQ Z, lambda = X - xQ Z the
/// slope is theta / lambda; scaled by lambda: c = lambda, b = -theta, a = theta xQ - lambda yQ.
RawLine addition_step(ProjPoint& t, const Fp2& qx, const Fp2& qy) noexcept {
    const Fp2 theta = t.Y - qy * t.Z;
    const Fp2 lambda = t.X - qx * t.Z;
    RawLine l;
    l.c = lambda;
    l.b = -theta;
    l.a = theta * qx - lambda * qy;
    const Fp2 l2 = lambda.sqr(), l3 = l2 * lambda;
    const Fp2 l2x = l2 * t.X;
    const Fp2 g = l3 + theta.sqr() * t.Z - l2x.dbl();
    t.X = lambda * g;
    t.Y = theta * (l2x - g) - l3 * t.Y;
    t.Z = l3 * t.Z;
    return l;
}

/// f * (A + B w^2 + w^3) where A, B in Fp2: in the tower, c0 = A + B v and c1 = v (w^2 = v,
/// w^3 = v w). f L = (f0 (A + Bv) + f1 v^2) + (f0 v + f1 (A + Bv)) w: 10 Fp2 multiplications.
Fp12 mul_by_line(const Fp12& f, const Fp2& A, const Fp2& B) noexcept {
    const Fp6 t0 = f.c0.mul_by_01(A, B);
    const Fp6 t1 = f.c1.mul_by_01(A, B);
    const Fp6 f1v2{f.c1.c1.mul_by_xi(), f.c1.c2.mul_by_xi(), f.c1.c0};  // f1 v^2
    return {t0 + f1v2, f.c0.mul_by_v() + t1};
}

/// A line evaluated at P, not normalised: A + B w^2 + C w^3 (A = a, B = b xP, C = c yP).
struct SparseLine {
    Fp2 A, B, C;
};

SparseLine evaluate(const RawLine& l, const Fp& xp, const Fp& yp) noexcept {
    return {l.a, l.b.mul_base(xp), l.c.mul_base(yp)};
}

/// f * (A + B w^2 + C w^3). In the tower the line is (A + B v) + (C v) w, and Karatsuba over w
/// with the sparse Fp6 products: 5 + 3 + 5 = 13 Fp2 multiplications instead of 18.
Fp12 mul_by_sparse_line(const Fp12& f, const SparseLine& l) noexcept {
    const Fp6 t0 = f.c0.mul_by_01(l.A, l.B);
    const Fp6 t1 = f.c1.mul_by_1(l.C);
    const Fp6 s = (f.c0 + f.c1).mul_by_01(l.A, l.B + l.C);
    return {t0 + t1.mul_by_v(), s - t0 - t1};
}

/// f * l1 * l2 for two lines of the same step (two pairs): the lines' product has no w^1 term
/// and costs 6 Fp2 multiplications (Karatsuba over the three coefficients), then 6 + 5 + 6 for
/// it times f: 23 in all instead of 2 x 13.
Fp12 mul_by_two_sparse_lines(const Fp12& f, const SparseLine& l1, const SparseLine& l2) noexcept {
    const Fp2 aa = l1.A * l2.A, bb = l1.B * l2.B, cc = l1.C * l2.C;
    const Fp2 ab = (l1.A + l1.B) * (l2.A + l2.B) - aa - bb;  // w^2
    const Fp2 ac = (l1.A + l1.C) * (l2.A + l2.C) - aa - cc;  // w^3
    const Fp2 bc = (l1.B + l1.C) * (l2.B + l2.C) - bb - cc;  // w^5
    // w^0: aa + cc w^6 = aa + xi cc; w^4: bb. Tower: c0 = (w^0, w^2, w^4), c1 = (w^1, w^3, w^5).
    const Fp6 m0{aa + cc.mul_by_xi(), ab, bb};
    const Fp6 t0 = f.c0 * m0;
    const Fp6 t1 = f.c1.mul_by_12(ac, bc);
    const Fp6 s = (f.c0 + f.c1) * Fp6{m0.c0, m0.c1 + ac, m0.c2 + bc};
    return {t0 + t1.mul_by_v(), s - t0 - t1};
}

/// One pair of the on-the-fly Miller loop: T runs over the prefixes of |x| times Q.
struct LivePair {
    ProjPoint t;
    Fp2 qx, qy;
    Fp xp, yp;
};

/// prod f_{|x|,Q_i}(P_i) (not conjugated) with the lines computed as the loop goes (no 68-line
/// buffer, no normalising inversion), two pairs' lines multiplied together before they meet f.
/// Afterwards each ps[k].t is [|x|]Q_k as the steps computed it.
Fp12 miller_loop_live(LivePair* ps, size_t n) noexcept {
    Fp12 f = Fp12::one();
    auto apply = [&](auto step) {
        size_t k = 0;
        for (; k + 1 < n; k += 2) {
            const SparseLine l1 = evaluate(step(ps[k]), ps[k].xp, ps[k].yp);
            const SparseLine l2 = evaluate(step(ps[k + 1]), ps[k + 1].xp, ps[k + 1].yp);
            f = mul_by_two_sparse_lines(f, l1, l2);
        }
        if (k < n) f = mul_by_sparse_line(f, evaluate(step(ps[k]), ps[k].xp, ps[k].yp));
    };
    auto dbl = [](LivePair& lp) { return doubling_step(lp.t); };
    auto add = [](LivePair& lp) { return addition_step(lp.t, lp.qx, lp.qy); };
    for (int i = 62; i >= 0; --i) {
        if (i != 62) f = f.sqr();  // f = 1 before the first step
        apply(dbl);
        if (bit_of_x(i)) apply(add);
    }
    return f;
}

/// psi on an affine point of E' (see g2_psi).
G2Affine psi_affine(const G2Affine& a) noexcept {
    return a.infinity ? a : G2Affine::of(a.x.conjugate() * kPsiCx, a.y.conjugate() * kPsiCy);
}

/// T == -psi(Q) for T from the Miller loop: g2_in_subgroup's test psi(Q) = [x]Q. Exact: a step
/// of the loop only goes wrong by setting Z = 0 (a doubling needs 2-torsion, absent on E'; a
/// chord needs T = +-Q or T = O), and Z then stays 0, which is rejected here, while psi(Q) is
/// never infinity. So Z != 0 means every step was the generic case and T is [|x|]Q.
bool chain_shows_in_g2(const ProjPoint& t, const Fp2& qx, const Fp2& qy) noexcept {
    if (t.Z.is_zero()) return false;
    const G2Affine psi = psi_affine(G2Affine::of(qx, qy));
    return t.X == psi.x * t.Z && t.Y == -(psi.y * t.Z);
}

/// The Miller loop over up to kChunk active pairs whose 1/yP and xP/yP are known.
constexpr size_t kChunk = 16;

struct ActivePair {
    const G2Prepared* q;
    Fp y_inv, x_over_y;
};

Fp12 miller_loop_active(const ActivePair* ps, size_t n) noexcept {
    Fp12 f = Fp12::one();
    size_t li = 0;
    auto apply = [&](size_t idx) {
        for (size_t k = 0; k < n; ++k) {
            const LineCoeffs& l = ps[k].q->lines[idx];
            f = mul_by_line(f, l.a.mul_base(ps[k].y_inv), l.b.mul_base(ps[k].x_over_y));
        }
    };
    for (int i = 62; i >= 0; --i) {
        if (i != 62) f = f.sqr();  // f = 1 before the first step
        apply(li++);
        if (bit_of_x(i)) apply(li++);
    }
    return f;
}

// ---------------------------------------------------------------------------------------------
// Fixed-base table for the G1 generator: kGenTable[i][j] = (j + 1) 16^i G, 64 windows of 4 bits.

struct GeneratorTable {
    std::vector<G1Affine> points;  // 64 * 15
    GeneratorTable() {
        std::vector<G1> jac(64 * 15);
        G1 base = G1::from_affine(g1_generator());
        for (size_t i = 0; i < 64; ++i) {
            G1 acc = base;
            for (size_t j = 0; j < 15; ++j) {
                jac[i * 15 + j] = acc;
                acc += base;
            }
            base = acc;  // 16 * base
        }
        points.resize(jac.size());
        field::batch_to_affine(jac.data(), points.data(), jac.size());
    }
};

const GeneratorTable& generator_table() {
    static const GeneratorTable table;
    return table;
}

// ---------------------------------------------------------------------------------------------
// GLV split: k = k0 + k1 x^2 with 0 <= k0 < x^2 (x^2 = 0xac45a4010001a4020000000100000000,
// 128 bits), by binary long division. k1 < 2^129 for any 256-bit k, below 2^128 for k < r.

using field::u128;
constexpr u128 kXSquared = (u128{0xac45a4010001a402ULL} << 64) | 0x0000000100000000ULL;

void split_by_x_squared(const Scalar& k, field::Limbs<3>& k1, field::Limbs<3>& k0) noexcept {
    k1 = {};
    u128 rem = 0;
    for (size_t i = 256; i-- > 0;) {
        const bool top = rem >> 127;  // the shifted remainder would exceed 2^128 > x^2
        rem = (rem << 1) | (field::detail::bit(k, i) ? 1 : 0);
        if (top || rem >= kXSquared) {
            rem -= kXSquared;  // exact modulo 2^128 when `top` wrapped the shift
            if (i < 192) k1[i / 64] |= uint64_t{1} << (i % 64);
        }
    }
    k0 = {static_cast<uint64_t>(rem), static_cast<uint64_t>(rem >> 64), 0};
}

// ---------------------------------------------------------------------------------------------
// Pippenger

unsigned scalar_window(const Scalar& k, unsigned start, unsigned width) noexcept {
    unsigned v = 0;
    for (unsigned b = 0; b < width && start + b < 256; ++b)
        if (field::detail::bit(k, start + b)) v |= 1u << b;
    return v;
}

template <class Curve>
field::JacobianPoint<Curve> msm_impl(std::span<const field::AffinePoint<Curve>> points,
                                     std::span<const Scalar> scalars) noexcept {
    using Jac = field::JacobianPoint<Curve>;
    const size_t n = std::min(points.size(), scalars.size());
    Jac result;
    if (n < 4) {
        for (size_t i = 0; i < n; ++i) result += Jac::from_affine(points[i]).mul(scalars[i]);
        return result;
    }
    // Window c ~ log2(n) - 2 balances 256/c rounds of n bucket additions against 2^c bucket sums.
    unsigned logn = 0;
    while ((size_t{1} << (logn + 1)) <= n) ++logn;
    const unsigned c = std::clamp(logn > 2 ? logn - 2 : 2u, 2u, 12u);
    std::vector<Jac> buckets((size_t{1} << c) - 1);
    const unsigned windows = (256 + c - 1) / c;
    for (unsigned w = windows; w-- > 0;) {
        for (unsigned d = 0; d < c; ++d) result = result.dbl();
        std::fill(buckets.begin(), buckets.end(), Jac{});
        for (size_t i = 0; i < n; ++i) {
            const unsigned digit = scalar_window(scalars[i], w * c, c);
            if (digit) buckets[digit - 1] = buckets[digit - 1].add_mixed(points[i]);
        }
        // sum_j j * bucket_j as a running sum from the top bucket down.
        Jac running, acc;
        for (size_t j = buckets.size(); j-- > 0;) {
            running += buckets[j];
            acc += running;
        }
        result += acc;
    }
    return result;
}

/// Straus's interleaved multi-scalar multiplication for points of order r, with an
/// endomorphism E (E(P) = lambda P on the subgroup) splitting each scalar into D parts below
/// 2^128: k = sum_j k_j lambda^j (mod r), so k P = sum_j k_j E^j(P). All D n terms share one
/// chain of doublings as long as the longest part (128 bits for G1, 64 for G2, instead of 255),
/// each part in width-5 wNAF against 8 odd multiples normalised to affine with one inversion
/// for all points, so every addition is a mixed one. Exact for any k (reduced mod r first);
/// add_mixed handles the doubling and opposite cases that equal or opposite points meet.
template <class Curve, size_t D, class Split, class Endo>
field::JacobianPoint<Curve> straus_endo(std::span<const field::AffinePoint<Curve>> points,
                                        std::span<const Scalar> scalars, Split split, Endo endo) noexcept {
    using Jac = field::JacobianPoint<Curve>;
    using Aff = field::AffinePoint<Curve>;
    constexpr unsigned kWidth = 5;
    constexpr size_t kOdd = size_t{1} << (kWidth - 2);  // P, 3P, ..., 15P
    constexpr size_t kDigits = 64 * 2 + 1;              // wnaf of a 128-bit part
    const size_t n = std::min(points.size(), scalars.size());
    std::vector<Jac> odd;
    odd.reserve(n * kOdd);
    std::vector<int8_t> digits(n * D * kDigits, 0);
    size_t m = 0, len = 0;
    for (size_t i = 0; i < n; ++i) {
        if (points[i].infinity) continue;
        const Scalar k = reduce_mod_r(scalars[i]);
        if (field::detail::is_zero(k)) continue;
        const std::array<field::Limbs<2>, D> parts = split(k);
        for (size_t j = 0; j < D; ++j)
            len = std::max(len, Jac::wnaf(parts[j], kWidth, &digits[(m * D + j) * kDigits]));
        const Jac p = Jac::from_affine(points[i]);
        const Jac p2 = p.dbl();
        odd.push_back(p);
        for (size_t t = 1; t < kOdd; ++t) odd.push_back(odd.back() + p2);
        ++m;
    }
    if (m == 0) return {};
    std::vector<Aff> base(m * kOdd);
    field::batch_to_affine(odd.data(), base.data(), m * kOdd);
    std::vector<Aff> table(m * D * kOdd);  // table[(i D + j) kOdd + t] = E^j((2t + 1) P_i)
    for (size_t i = 0; i < m; ++i)
        for (size_t t = 0; t < kOdd; ++t) {
            Aff a = base[i * kOdd + t];
            for (size_t j = 0; j < D; ++j) {
                if (j) a = endo(a);
                table[(i * D + j) * kOdd + t] = a;
            }
        }
    Jac acc;
    for (size_t b = len; b-- > 0;) {
        acc = acc.dbl();
        for (size_t c = 0; c < m * D; ++c) {
            const int d = digits[c * kDigits + b];
            if (d > 0) acc = acc.add_mixed(table[c * kOdd + static_cast<size_t>(d - 1) / 2]);
            if (d < 0) acc = acc.add_mixed(-table[c * kOdd + static_cast<size_t>(-d - 1) / 2]);
        }
    }
    return acc;
}

/// Above this many points Pippenger's buckets (over the full 256-bit scalars) take over: the
/// Straus tables grow linearly (8 D affine points per input).
constexpr size_t kStrausMaxPoints = 64;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Groups

G1Affine g1_generator() noexcept { return G1Affine::of(kG1x, kG1y); }
G2Affine g2_generator() noexcept { return G2Affine::of(kG2x, kG2y); }

G1Affine g1_add(const G1Affine& a, const G1Affine& b) noexcept {
    return G1::from_affine(a).add_mixed(b).to_affine();
}
G2Affine g2_add(const G2Affine& a, const G2Affine& b) noexcept {
    return G2::from_affine(a).add_mixed(b).to_affine();
}
G1 g1_mul(const G1& p, const Scalar& k) noexcept { return p.mul(k); }
G2 g2_mul(const G2& p, const Scalar& k) noexcept { return p.mul(k); }

G1 g1_mul_glv(const G1Affine& p, const Scalar& k) noexcept {
    if (p.infinity) return {};
    // k P = k0 P + k1 x^2 P = k0 P + k1 (-phi(P)). Quotient bits at 192 and above cannot occur:
    // k < 2^256 and x^2 > 2^127 give k1 < 2^129.
    field::Limbs<3> k1, k0;
    split_by_x_squared(k, k1, k0);
    constexpr unsigned kWidth = 5;
    int8_t d0[64 * 3 + 1] = {}, d1[64 * 3 + 1] = {};
    const size_t n0 = G1::wnaf(k0, kWidth, d0), n1 = G1::wnaf(k1, kWidth, d1);
    // Odd multiples P, 3P, ..., 15P in affine (one inversion); those of -phi(P) follow for free:
    // -phi(x, y) = (beta x, -y) and -phi commutes with scalar multiplication.
    G1 jac[8];
    jac[0] = G1::from_affine(p);
    const G1 p2 = jac[0].dbl();
    for (size_t i = 1; i < 8; ++i) jac[i] = jac[i - 1] + p2;
    G1Affine t0[8], t1[8];
    field::batch_to_affine(jac, t0, 8);
    for (size_t i = 0; i < 8; ++i) t1[i] = t0[i].infinity ? t0[i] : G1Affine::of(t0[i].x * kBeta, -t0[i].y);
    G1 r;
    for (size_t i = std::max(n0, n1); i-- > 0;) {
        r = r.dbl();
        if (d0[i] > 0) r = r.add_mixed(t0[(d0[i] - 1) / 2]);
        if (d0[i] < 0) r = r.add_mixed(-t0[(-d0[i] - 1) / 2]);
        if (d1[i] > 0) r = r.add_mixed(t1[(d1[i] - 1) / 2]);
        if (d1[i] < 0) r = r.add_mixed(-t1[(-d1[i] - 1) / 2]);
    }
    return r;
}

G1 g1_mul_generator(const Scalar& k) noexcept {
    const auto& t = generator_table().points;
    G1 r;
    for (unsigned i = 0; i < 64; ++i) {
        const unsigned d = scalar_window(k, 4 * i, 4);
        if (d) r = r.add_mixed(t[i * 15 + d - 1]);
    }
    return r;
}

G1 g1_msm(std::span<const G1Affine> points, std::span<const Scalar> scalars) noexcept {
    return msm_impl<G1Curve>(points, scalars);
}
G2 g2_msm(std::span<const G2Affine> points, std::span<const Scalar> scalars) noexcept {
    return msm_impl<G2Curve>(points, scalars);
}

Scalar reduce_mod_r(Scalar k) noexcept {
    // 2^256 < 3 r: two subtractions at most.
    while (!field::detail::less_than(k, kOrder)) field::detail::sub_borrow(k, k, kOrder);
    return k;
}

G1 g1_msm_in_subgroup(std::span<const G1Affine> points, std::span<const Scalar> scalars) noexcept {
    const size_t n = std::min(points.size(), scalars.size());
    if (n > kStrausMaxPoints) return msm_impl<G1Curve>(points, scalars);
    // One term: the same method without the heap tables (measured about 10% faster).
    if (n == 1) return g1_mul_glv(points[0], reduce_mod_r(scalars[0]));
    // k = k0 + k1 x^2 and x^2 P = -phi(P); for k < r both parts are below 2^128.
    auto split = [](const Scalar& k) {
        field::Limbs<3> k1, k0;
        split_by_x_squared(k, k1, k0);
        return std::array<field::Limbs<2>, 2>{field::Limbs<2>{k0[0], k0[1]}, field::Limbs<2>{k1[0], k1[1]}};
    };
    auto minus_phi = [](const G1Affine& a) { return a.infinity ? a : G1Affine::of(a.x * kBeta, -a.y); };
    return straus_endo<G1Curve, 2>(points, scalars, split, minus_phi);
}

G2 g2_msm_in_subgroup(std::span<const G2Affine> points, std::span<const Scalar> scalars) noexcept {
    if (std::min(points.size(), scalars.size()) > kStrausMaxPoints) return msm_impl<G2Curve>(points, scalars);
    // k < r < |x|^4: base-|x| digits, and |x| Q = -psi(Q) on G2 (x = -|x|).
    auto split = [](const Scalar& k) {
        std::array<field::Limbs<2>, 4> parts{};
        Scalar t = k;
        for (auto& part : parts) {
            part[0] = field::detail::mod_small(t, kXAbs);
            t = field::detail::div_small(t, kXAbs);
        }
        return parts;
    };
    auto minus_psi = [](const G2Affine& a) { return -psi_affine(a); };
    return straus_endo<G2Curve, 4>(points, scalars, split, minus_psi);
}

G1 g1_phi(const G1& p) noexcept {
    // x = X / Z^2 scales by beta like X does.
    return {p.X * kBeta, p.Y, p.Z};
}
G2 g2_psi(const G2& q) noexcept {
    // Frobenius is a field automorphism, so it commutes with the Jacobian quotients X/Z^2, Y/Z^3.
    return {q.X.conjugate() * kPsiCx, q.Y.conjugate() * kPsiCy, q.Z.conjugate()};
}
G2Affine g2_psi(const G2Affine& q) noexcept { return psi_affine(q); }
G1 g1_mul_by_x_abs(const G1& p) noexcept { return mul_by_x_abs(p); }
G2 g2_mul_by_x_abs(const G2& q) noexcept { return mul_by_x_abs(q); }
G2 g2_mul_by_x_abs(const G2Affine& q) noexcept { return mul_by_x_abs(q); }

bool g1_in_subgroup(const G1Affine& p) noexcept {
    if (p.infinity) return true;
    // phi(P) = -x^2 P = -(|x| (|x| P)).
    const G1 jp = G1::from_affine(p);
    const G1 x2p = mul_by_x_abs(mul_by_x_abs(jp));
    return g1_phi(jp) == -x2p;
}

bool g2_in_subgroup(const G2Affine& q) noexcept {
    if (q.infinity) return true;
    // psi(Q) = x Q = -(|x| Q).
    const G2 jq = G2::from_affine(q);
    return g2_psi(jq) == -mul_by_x_abs(jq);
}

// ---------------------------------------------------------------------------------------------
// Square roots

Fp fp_pow_sqrt_exp(const Fp& a) noexcept {
    return pow_window(a, Fp::kSqrtExp, [](const Fp& x) { return x.sqr(); });
}

Fp fp_pow_sqrt_exp_minus1(const Fp& a) noexcept {
    constexpr auto kSqrtExpMinus1 = field::detail::sub_small(Fp::kSqrtExp, 1);  // (p-3)/4
    return pow_window(a, kSqrtExpMinus1, [](const Fp& x) { return x.sqr(); });
}

Fp2 fp2_sqrt_from_norm_root(const Fp2& a, const Fp& s) noexcept {
    // Write the root as x0 + x1 u: x0^2 - x1^2 = a0 and 2 x0 x1 = a1, so x0^2 = (a0 +- s) / 2.
    if (a.c1.is_zero()) {
        // a in Fp: sqrt(a0), or sqrt(-a0) u when a0 is not a square in Fp.
        const Fp c = fp_pow_sqrt_exp(a.c0);
        return c.sqr() == a.c0 ? Fp2{c, Fp::zero()} : Fp2{Fp::zero(), c};
    }
    // t = (a0 + s) / 2 is non-zero (t = 0 would need a1 = 0), and t (a0 - s) / 2 = -a1^2 / 4: if t is
    // not a square then c^2 = -t and (a0 - s) / 2 = (a1 / 2c)^2, with the roles of x0, x1 swapped.
    // With r = t^((p-3)/4): c = r t = t^((p+1)/4), and c r = t^((p-1)/2) = +-1 (t != 0), so
    // 1/c = +-r and a1 / 2c needs no inversion.
    const Fp t = (a.c0 + s).half();
    const Fp r = fp_pow_sqrt_exp_minus1(t);
    const Fp c = r * t;
    const bool square = c.sqr() == t;  // else c^2 = -t
    const Fp other = (a.c1 * (square ? r : -r)).half();  // a1 / 2c
    return square ? Fp2{c, other} : Fp2{other, c};
}

Fp2 fp2_sqrt_from_norm_root(const Fp2& a, const Fp& s, const Fp& w, Fp& inverse_w) noexcept {
    if (a.c1.is_zero()) {  // no t to fold into (a in Fp: rare)
        inverse_w = w.inverse();
        return fp2_sqrt_from_norm_root(a, s);
    }
    // As above with T = t w^2 in place of t (the same square class): R = T^((p-3)/4) gives
    // C = R T with C^2 = chi T and 1/T = chi R^2, hence 1/w = t w / T, a root of chi t in
    // c = C / w = C (1/w), and 1/c = w / (R T) = chi w R.
    const Fp t = (a.c0 + s).half();
    const Fp big_t = t * w.sqr();
    const Fp r = fp_pow_sqrt_exp_minus1(big_t);
    const Fp c_w = r * big_t;
    const bool square = c_w.sqr() == big_t;  // else c^2 = -t
    const Fp chi_r = square ? r : -r;
    inverse_w = t * w * (chi_r * r);
    const Fp c = c_w * inverse_w;
    const Fp other = (a.c1 * (w * chi_r)).half();  // a1 / 2c
    return square ? Fp2{c, other} : Fp2{other, c};
}

std::optional<Fp2> fp2_sqrt(const Fp2& a) noexcept {
    // a is a square in Fp2 exactly when its norm a0^2 + a1^2 is a square in Fp.
    const Fp n = a.c0.sqr() + a.c1.sqr();
    const Fp s = fp_pow_sqrt_exp(n);
    if (s.sqr() != n) return std::nullopt;
    const Fp2 x = fp2_sqrt_from_norm_root(a, s);
    if (x.sqr() != a) return std::nullopt;  // cannot happen for a square; kept as a cheap guard
    return x;
}

// ---------------------------------------------------------------------------------------------
// Serialization

bool fp_is_lexicographically_largest(const Fp& y) noexcept {
    return field::detail::less_than(kHalfP, y.to_canonical());
}
bool fp2_is_lexicographically_largest(const Fp2& y) noexcept {
    if (!y.c1.is_zero()) return fp_is_lexicographically_largest(y.c1);
    return fp_is_lexicographically_largest(y.c0);
}

namespace {
constexpr uint8_t kFlagCompressed = 0x80, kFlagInfinity = 0x40, kFlagSign = 0x20;

/// Common flag handling. Returns false on an invalid combination; sets `infinity` when the
/// encoding is the (valid) point at infinity.
bool check_flags(std::span<const uint8_t> in, bool& infinity, bool& sign) noexcept {
    const uint8_t flags = in[0] & 0xe0;
    if (!(flags & kFlagCompressed)) return false;  // only the compressed form is accepted here
    sign = flags & kFlagSign;
    infinity = flags & kFlagInfinity;
    if (infinity) {
        // Infinity is exactly 0xc0 followed by zeros: no sign, no stray x bits.
        if (sign || (in[0] & 0x1f)) return false;
        for (size_t i = 1; i < in.size(); ++i)
            if (in[i]) return false;
    }
    return true;
}
}  // namespace

std::optional<G1Affine> g1_decompress(std::span<const uint8_t, 48> in, SubgroupCheck check) noexcept {
    bool infinity = false, sign = false;
    if (!check_flags(in, infinity, sign)) return std::nullopt;
    if (infinity) return G1Affine::identity();
    uint8_t buf[48];
    std::memcpy(buf, in.data(), 48);
    buf[0] &= 0x1f;
    const auto x = Fp::from_be(buf);  // rejects x >= p
    if (!x) return std::nullopt;
    auto y = fp_sqrt(x->sqr() * *x + G1Curve::kB);
    if (!y) return std::nullopt;  // x^3 + 4 is not a square: no point with this x
    if (y->is_zero() && sign) return std::nullopt;  // -0 = 0: the sign bit cannot be honoured
    if (fp_is_lexicographically_largest(*y) != sign) *y = -*y;
    const G1Affine p = G1Affine::of(*x, *y);
    if (check == SubgroupCheck::Yes && !g1_in_subgroup(p)) return std::nullopt;
    return p;
}

std::optional<G2Affine> g2_decompress(std::span<const uint8_t, 96> in, SubgroupCheck check) noexcept {
    bool infinity = false, sign = false;
    if (!check_flags(in, infinity, sign)) return std::nullopt;
    if (infinity) return G2Affine::identity();
    uint8_t buf[48];
    std::memcpy(buf, in.data(), 48);
    buf[0] &= 0x1f;
    const auto x1 = Fp::from_be(buf);  // x.c1 comes first
    const auto x0 = Fp::from_be(in.data() + 48);
    if (!x0 || !x1) return std::nullopt;
    const Fp2 x{*x0, *x1};
    auto y = fp2_sqrt(x.sqr() * x + G2Curve::kB);
    if (!y) return std::nullopt;
    if (y->is_zero() && sign) return std::nullopt;
    if (fp2_is_lexicographically_largest(*y) != sign) *y = -*y;
    const G2Affine q = G2Affine::of(x, *y);
    if (check == SubgroupCheck::Yes && !g2_in_subgroup(q)) return std::nullopt;
    return q;
}

std::array<uint8_t, 48> g1_compress(const G1Affine& p) noexcept {
    std::array<uint8_t, 48> out{};
    if (p.infinity) {
        out[0] = kFlagCompressed | kFlagInfinity;
        return out;
    }
    p.x.to_be(out.data());
    out[0] |= kFlagCompressed | (fp_is_lexicographically_largest(p.y) ? kFlagSign : 0);
    return out;
}

std::array<uint8_t, 96> g2_compress(const G2Affine& q) noexcept {
    std::array<uint8_t, 96> out{};
    if (q.infinity) {
        out[0] = kFlagCompressed | kFlagInfinity;
        return out;
    }
    q.x.c1.to_be(out.data());
    q.x.c0.to_be(out.data() + 48);
    out[0] |= kFlagCompressed | (fp2_is_lexicographically_largest(q.y) ? kFlagSign : 0);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Pairing

namespace {
/// The lines of g2_prepare into `out`.
void g2_prepare_lines(const G2Affine& q, G2Prepared& out) noexcept {
    out.infinity = false;
    std::array<RawLine, G2Prepared::kLines> raw;
    ProjPoint t{q.x, q.y, Fp2::one()};
    size_t n = 0;
    for (int i = 62; i >= 0; --i) {
        raw[n++] = doubling_step(t);
        if (bit_of_x(i)) raw[n++] = addition_step(t, q.x, q.y);
    }
    // Normalise every line to c = 1 with one inversion (Montgomery's trick): the evaluation then
    // costs 10 Fp2 multiplications per line instead of 13. For Q in G2 no c is zero (T = kQ with
    // 1 < k < r is never infinity, 2-torsion or +-Q); for Q outside G2, which callers reject, a
    // zero c would only make the result meaningless.
    std::array<Fp2, G2Prepared::kLines> prefix;
    Fp2 acc = Fp2::one();
    for (size_t k = 0; k < n; ++k) {
        prefix[k] = acc;
        if (!raw[k].c.is_zero()) acc *= raw[k].c;
    }
    Fp2 inv = acc.inverse();
    for (size_t k = n; k-- > 0;) {
        if (raw[k].c.is_zero()) {
            out.lines[k] = {raw[k].a, raw[k].b};
            continue;
        }
        const Fp2 ci = inv * prefix[k];
        inv *= raw[k].c;
        out.lines[k] = {raw[k].a * ci, raw[k].b * ci};
    }
}
}  // namespace

G2Prepared g2_prepare(const G2Affine& q) noexcept {
    G2Prepared out;
    if (!q.infinity) g2_prepare_lines(q, out);
    return out;
}

Fp12 miller_loop(std::span<const PreparedPair> pairs) noexcept {
    // Lines are divided by yP as well (an Fp factor): 1/yP for a, xP/yP for b, so the w^3
    // coefficient is 1. The yP of a chunk are inverted together.
    Fp12 f = Fp12::one();
    ActivePair active[kChunk];
    Fp prefix[kChunk];
    size_t n = 0;
    auto flush = [&]() {
        if (n == 0) return;
        Fp acc = Fp::one();
        for (size_t k = 0; k < n; ++k) {
            prefix[k] = acc;
            acc *= active[k].y_inv;  // holds yP until inverted
        }
        Fp inv = acc.inverse();
        for (size_t k = n; k-- > 0;) {
            const Fp yp = active[k].y_inv;
            active[k].y_inv = inv * prefix[k];
            inv *= yp;
            active[k].x_over_y *= active[k].y_inv;  // held xP
        }
        f *= miller_loop_active(active, n);
        n = 0;
    };
    for (const PreparedPair& pp : pairs) {
        // e(O, Q) = e(P, O) = 1. yP = 0 is impossible for points of odd order (no 2-torsion).
        if (pp.p.infinity || pp.q == nullptr || pp.q->infinity || pp.p.y.is_zero()) continue;
        active[n++] = {pp.q, pp.p.y, pp.p.x};
        if (n == kChunk) flush();
    }
    flush();
    return f.conjugate();  // x < 0: f_{x,Q} = 1 / f_{|x|,Q} up to factors the final exp kills
}

Fp12 miller_loop(const G1Affine& p, const G2Affine& q) noexcept {
    const G2Prepared prep = g2_prepare(q);
    const PreparedPair pp{p, &prep};
    return miller_loop(std::span<const PreparedPair>(&pp, 1));
}

Fp12 final_exponentiation(const Fp12& f) noexcept {
    // Easy part: f^((p^6 - 1)(p^2 + 1)). After it, m lies in the cyclotomic subgroup, where
    // conjugation is inversion and the Granger-Scott squaring applies.
    const Fp12 t = f.conjugate() * f.inverse();
    const Fp12 m = t.frobenius(2) * t;
    // Hard part: m^((x-1)^2/3 (x + p) (x^2 + p^2 - 1) + 1).
    const Fp12 a = cyclotomic_pow_window(m, kHardE1);                                      // m^((x-1)^2/3)
    const Fp12 b = cyclotomic_exp_by_x(a) * a.frobenius(1);                                // a^(x + p)
    const Fp12 c = cyclotomic_exp_by_x(cyclotomic_exp_by_x(b)) * b.frobenius(2) * b.conjugate();  // b^(x^2 + p^2 - 1)
    return c * m;
}

namespace {
/// f^(3 (p^12 - 1) / r): the HHT exponent without the division by 3, so (x - 1)^2 is reached
/// with two cheap exponentiations by x instead of a generic 126-bit one (about 20 fewer Fp12
/// multiplications). Only for tests against 1: 3 is invertible mod r, so the cube of an element
/// of GT is 1 exactly when the element is.
Fp12 final_exponentiation_cubed(const Fp12& f) noexcept {
    const Fp12 t = f.conjugate() * f.inverse();
    const Fp12 m = t.frobenius(2) * t;
    const Fp12 mx = cyclotomic_exp_by_x(m);
    const Fp12 a = cyclotomic_exp_by_x(mx) * mx.cyclotomic_sqr().conjugate() * m;  // m^((x-1)^2)
    const Fp12 b = cyclotomic_exp_by_x(a) * a.frobenius(1);
    const Fp12 c = cyclotomic_exp_by_x(cyclotomic_exp_by_x(b)) * b.frobenius(2) * b.conjugate();
    return c * m.cyclotomic_sqr() * m;  // + 3
}
}  // namespace

Fp12 cyclotomic_pow_x_abs(const Fp12& f) noexcept { return cyclotomic_exp_by_x_abs(f); }

Fp12 pairing(const G1Affine& p, const G2Affine& q) noexcept { return final_exponentiation(miller_loop(p, q)); }

bool pairing_check(std::span<const PreparedPair> pairs) noexcept {
    return final_exponentiation_cubed(miller_loop(pairs)).is_one();
}

Fp12 miller_loop(std::span<const std::pair<G1Affine, G2Affine>> pairs) noexcept {
    return *miller_loop_checked(pairs, false);
}

std::optional<Fp12> miller_loop_checked(std::span<const std::pair<G1Affine, G2Affine>> pairs,
                                        bool check_g2) noexcept {
    // Chunks of kChunk pairs share the squarings of f; no allocation.
    Fp12 f = Fp12::one();
    LivePair live[kChunk];
    size_t n = 0;
    auto flush = [&]() {
        if (n == 0) return true;
        f *= miller_loop_live(live, n);
        for (size_t k = 0; k < n; ++k)
            if (check_g2 && !chain_shows_in_g2(live[k].t, live[k].qx, live[k].qy)) return false;
        n = 0;
        return true;
    };
    for (const auto& [p, q] : pairs) {
        if (q.infinity) continue;  // e(P, O) = 1 and O is in G2
        if (p.infinity) {          // e(O, Q) = 1, but Q still has to be in G2
            if (check_g2 && !g2_in_subgroup(q)) return std::nullopt;
            continue;
        }
        live[n++] = {ProjPoint{q.x, q.y, Fp2::one()}, q.x, q.y, p.x, p.y};
        if (n == kChunk && !flush()) return std::nullopt;
    }
    if (!flush()) return std::nullopt;
    return f.conjugate();  // x < 0: f_{x,Q} = 1 / f_{|x|,Q} up to factors the final exp kills
}

bool pairing_check(std::span<const std::pair<G1Affine, G2Affine>> pairs) noexcept {
    return final_exponentiation_cubed(miller_loop(pairs)).is_one();
}

std::optional<bool> pairing_check_g2_unchecked(std::span<const std::pair<G1Affine, G2Affine>> pairs) noexcept {
    const std::optional<Fp12> f = miller_loop_checked(pairs, true);
    if (!f) return std::nullopt;
    return final_exponentiation_cubed(*f).is_one();
}

}  // namespace polyvm::bls12_381

// BN254 pairing and the EIP-196/197 precompiles. See bn254.hpp for the curve parameters.
//
// Miller loop: the optimal ate pairing (Vercauteren, "Optimal pairings", 2010) for BN curves,
//   f_{6x+2,Q}(P) * l_{[6x+2]Q, pi(Q)}(P) * l_{[6x+2]Q + pi(Q), -pi^2(Q)}(P),
// with T kept in homogeneous projective coordinates on the twist and the line functions scaled
// by factors in Fp2 (which the final exponentiation removes), following the approach of Costello,
// Lange and Naehrig ("Faster pairing computations on curves with high-degree twists", 2010) and
// Aranha et al. ("Faster explicit formulas for computing pairings over ordinary curves", 2011);
// the formulas below are derived in the comments. Each line has the sparse shape
// c0 + c1 w + c3 w^3, multiplied in with Fp12::mul_by_w013.
//
// Final exponentiation: (p^12 - 1)/r = (p^6 - 1)(p^2 + 1) * (p^4 - p^2 + 1)/r. The easy part is
// a conjugation, an inversion and a Frobenius; the hard part uses the decomposition
// (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 with
//   l3 = 1, l2 = 6x^2 + 1, l1 = -36x^3 - 18x^2 - 12x + 1, l0 = -36x^3 - 30x^2 - 18x - 2
// and the vectorial addition chain of Scott et al. ("On the final exponentiation for calculating
// pairings on ordinary elliptic curves", 2009): three exponentiations by x in the cyclotomic
// subgroup (where inversion is conjugation) plus Frobenius maps.
//
// G2 membership (EIP-197 rejects twist points outside the order-r subgroup): the endomorphism
// test psi(Q) = [6x^2] Q, half the cost of r Q = O; see g2_in_subgroup for why it is exact.
#include "crypto/bn254.hpp"

#include "crypto/field/mulx_montgomery.hpp"

#include <vector>

namespace polyvm::bn254 {

#ifdef POLYVM_MULX_MONTGOMERY
namespace {
// Dynamically initialised: a product computed before it is set takes the portable path.
const bool kHaveBmi2Adx = field::mulx::cpu_has_bmi2_adx();
alignas(32) constexpr uint64_t kP[4] = {FpParams::kModulus[0], FpParams::kModulus[1], FpParams::kModulus[2],
                                        FpParams::kModulus[3]};
constexpr uint64_t kPInv = field::detail::neg_inv64(FpParams::kModulus[0]);  // -p^-1 mod 2^64
}  // namespace

bool FpParams::mont_mul_kernel(field::Limbs<4>& r, const field::Limbs<4>& a, const field::Limbs<4>& b) noexcept {
    if (!kHaveBmi2Adx) return false;
    field::mulx::mont_mul4<kP, kPInv>(r.data(), a.data(), b.data());
    return true;
}
#else
bool FpParams::mont_mul_kernel(field::Limbs<4>&, const field::Limbs<4>&, const field::Limbs<4>&) noexcept {
    return false;
}
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Constants

/// Signed binary (NAF) digits of a positive integer below 2^128, least significant first.
struct Naf {
    int8_t d[130] = {};
    size_t n = 0;
};
constexpr Naf naf_of(field::u128 k) noexcept {
    Naf r;
    while (k) {
        int8_t z = 0;
        if (k & 1) {
            z = static_cast<int8_t>(2 - static_cast<int>(k & 3));  // +1 or -1, leaves k divisible by 4
            k = z > 0 ? k - 1 : k + 1;
        }
        r.d[r.n++] = z;
        k >>= 1;
    }
    return r;
}
constexpr Naf kAteLoop = naf_of(static_cast<field::u128>(kX) * 6 + 2);  // 66 digits, 22 non-zero
constexpr Naf kXNaf = naf_of(kX);                                          // 63 digits, 24 non-zero

constexpr Fp2 kB3 = G2Curve::kB.mul_small(3);  // 3b' for the projective doubling

// The twisted Frobenius pi(x, y) = (conj(x) g12, conj(y) g13) on the twist, from
// (x w^2, y w^3)^p = (conj(x) xi^((p-1)/3) w^2, conj(y) xi^((p-1)/2) w^3).
constexpr const auto& kGamma = field::FrobeniusTable<Tower>::kGamma;

// ---------------------------------------------------------------------------------------------
// Miller loop

struct ProjectiveG2 {
    Fp2 X, Y, Z;  // the twist point (X/Z, Y/Z)
};

/// Precomputed per pair: the G1 point's coordinates as the lines need them.
struct PairInput {
    Fp xp_neg;  // -xP
    Fp yp;
    G2Affine q;
    G2Affine q_neg;
};

/// Line coefficients: l = c0 + c1 w + c3 w^3.
struct Line {
    Fp2 c0, c1, c3;
};

/// T <- 2T and the tangent line at T evaluated at P.
///
/// Tangent at (x, y) on y^2 = x^3 + b' untwisted to E(Fp12) through (x w^2, y w^3): the slope is
/// lambda w with lambda = 3x^2 / 2y, and at P = (xP, yP)
///   l = yP - lambda xP w + (lambda x - y) w^3.
/// With x = X/Z, y = Y/Z, times 2YZ, and using X^3 = Y^2 Z - b' Z^3 in the w^3 term:
///   l = 2YZ yP - 3X^2 xP w + (Y^2 - 3b' Z^2) w^3.
/// Doubling, with B = 3b'Z^2 (again substituting the curve equation):
///   X3 = 2XY (Y^2 - 3B), Y3 = (Y^2 + 3B)^2 - 12 B^2, Z3 = 8 Y^3 Z.
inline Line double_step(ProjectiveG2& t, const Fp& xp_neg, const Fp& yp) noexcept {
    const Fp2 xx = t.X.sqr(), yy = t.Y.sqr(), zz = t.Z.sqr();
    const Fp2 yz2 = (t.Y + t.Z).sqr() - yy - zz;  // 2YZ
    const Fp2 b = kB3 * zz;
    const Fp2 b3 = b.dbl() + b;
    Line l;
    l.c0 = yz2.mul_base(yp);
    l.c1 = (xx.dbl() + xx).mul_base(xp_neg);
    l.c3 = yy - b;
    const Fp2 xy = t.X * t.Y;
    t.X = (xy * (yy - b3)).dbl();
    const Fp2 bb = b.sqr();
    t.Y = (yy + b3).sqr() - (bb.dbl() + bb).dbl().dbl();
    t.Z = (yy * yz2).dbl().dbl();
    return l;
}

/// T <- T + Q (Q affine) and the line through T and Q evaluated at P.
///
/// With theta = Y - yQ Z and lambda = X - xQ Z the slope is theta/lambda; times lambda,
///   l = lambda yP - theta xP w + (theta xQ - lambda yQ) w^3.
/// Sum: C = theta^2, D = lambda^2, E = lambda D, F = Z C, G = X D, H = E + F - 2G,
///   X3 = lambda H, Y3 = theta (G - H) - Y E, Z3 = Z E.
inline Line add_step(ProjectiveG2& t, const G2Affine& q, const Fp& xp_neg, const Fp& yp) noexcept {
    const Fp2 theta = t.Y - q.y * t.Z;
    const Fp2 lambda = t.X - q.x * t.Z;
    Line l;
    l.c0 = lambda.mul_base(yp);
    l.c1 = theta.mul_base(xp_neg);
    l.c3 = theta * q.x - lambda * q.y;
    const Fp2 c = theta.sqr(), d = lambda.sqr();
    const Fp2 e = lambda * d, f = t.Z * c, g = t.X * d;
    const Fp2 h = e + f - g.dbl();
    t.X = lambda * h;
    t.Y = theta * (g - h) - t.Y * e;
    t.Z = t.Z * e;
    return l;
}

inline void mul_line(Fp12& f, const Line& l) noexcept { f = f.mul_by_w013(l.c0, l.c1, l.c3); }

G2Affine frobenius_twist(const G2Affine& q) noexcept {
    return G2Affine::of(q.x.conjugate() * kGamma[1][2], q.y.conjugate() * kGamma[1][3]);
}
/// -pi^2(Q): conjugating twice is the identity.
G2Affine neg_frobenius2_twist(const G2Affine& q) noexcept {
    return G2Affine::of(q.x * kGamma[2][2], -(q.y * kGamma[2][3]));
}

/// The shared Miller loop: one squaring of f per step for all pairs. Pairs must be finite.
Fp12 multi_miller_loop(std::span<const PairInput> pairs) {
    std::vector<ProjectiveG2> ts(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) ts[i] = {pairs[i].q.x, pairs[i].q.y, Fp2::one()};
    Fp12 f = Fp12::one();
    // The top digit is 1 (T starts at Q).
    for (size_t bit = kAteLoop.n - 1; bit-- > 0;) {
        f = f.sqr();
        for (size_t i = 0; i < pairs.size(); ++i) mul_line(f, double_step(ts[i], pairs[i].xp_neg, pairs[i].yp));
        const int d = kAteLoop.d[bit];
        if (d == 0) continue;
        for (size_t i = 0; i < pairs.size(); ++i)
            mul_line(f, add_step(ts[i], d > 0 ? pairs[i].q : pairs[i].q_neg, pairs[i].xp_neg, pairs[i].yp));
    }
    // The two extra lines of the optimal ate pairing: T + pi(Q), then (T + pi(Q)) - pi^2(Q).
    for (size_t i = 0; i < pairs.size(); ++i) {
        const G2Affine q1 = frobenius_twist(pairs[i].q);
        const G2Affine q2 = neg_frobenius2_twist(pairs[i].q);
        mul_line(f, add_step(ts[i], q1, pairs[i].xp_neg, pairs[i].yp));
        mul_line(f, add_step(ts[i], q2, pairs[i].xp_neg, pairs[i].yp));
    }
    return f;
}

PairInput make_pair(const G1Affine& p, const G2Affine& q) noexcept { return {-p.x, p.y, q, -q}; }

// ---------------------------------------------------------------------------------------------
// Final exponentiation

/// f^x for f in the cyclotomic subgroup, by the NAF of x (inverse = conjugate there).
Fp12 cyclotomic_exp_x(const Fp12& f) noexcept {
    const Fp12 f_inv = f.conjugate();
    Fp12 r = f;  // top digit is 1
    for (size_t i = kXNaf.n - 1; i-- > 0;) {
        r = r.cyclotomic_sqr();
        if (kXNaf.d[i] > 0) r *= f;
        if (kXNaf.d[i] < 0) r *= f_inv;
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Encoding (EIP-196/197): 32-byte big-endian coordinates, (0, 0) for the point at infinity.

std::optional<G1Affine> decode_g1(const uint8_t* in) noexcept {
    const auto x = Fp::from_be(in), y = Fp::from_be(in + 32);
    if (!x || !y) return std::nullopt;
    if (x->is_zero() && y->is_zero()) return G1Affine::identity();
    const G1Affine p = G1Affine::of(*x, *y);
    if (!p.is_on_curve()) return std::nullopt;
    return p;  // G1 has prime order (cofactor 1): on the curve means in the group
}

/// G2 as (x_im, x_re, y_im, y_re): EIP-197 puts the imaginary part first.
std::optional<G2Affine> decode_g2(const uint8_t* in) noexcept {
    const auto x1 = Fp::from_be(in), x0 = Fp::from_be(in + 32);
    const auto y1 = Fp::from_be(in + 64), y0 = Fp::from_be(in + 96);
    if (!x0 || !x1 || !y0 || !y1) return std::nullopt;
    const Fp2 x{*x0, *x1}, y{*y0, *y1};
    if (x.is_zero() && y.is_zero()) return G2Affine::identity();
    const G2Affine q = G2Affine::of(x, y);
    if (!q.is_on_curve() || !g2_in_subgroup(q)) return std::nullopt;
    return q;
}

bytes encode_g1(const G1Affine& p) {
    bytes out(64, 0);
    if (!p.is_infinity()) {
        p.x.to_be(out.data());
        p.y.to_be(out.data() + 32);
    }
    return out;
}

/// The input, zero-padded or truncated to n bytes (EIP-196).
template <size_t Size>
std::array<uint8_t, Size> padded(bytes_view in) noexcept {
    std::array<uint8_t, Size> buf{};
    const size_t k = in.size() < Size ? in.size() : Size;
    if (k) std::memcpy(buf.data(), in.data(), k);
    return buf;
}

}  // namespace

G1Affine g1_generator() noexcept { return G1Affine::of(Fp::from_u64(1), Fp::from_u64(2)); }

G2Affine g2_generator() noexcept {
    static constexpr Fp2 x{Fp::from_hex("1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"),
                           Fp::from_hex("198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2")};
    static constexpr Fp2 y{Fp::from_hex("12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"),
                           Fp::from_hex("090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b")};
    return G2Affine::of(x, y);
}

G2Affine g2_psi(const G2Affine& q) noexcept { return q.is_infinity() ? q : frobenius_twist(q); }

bool g2_in_subgroup(const G2Affine& q) noexcept {
    // psi(Q) = [6x^2] Q (El Housni, Guillevic and Piellard, "Co-factor clearing and subgroup
    // membership testing on pairing-friendly curves", 2022; the test proposed for BN254 G2 by
    // Sanso and Liang). Half the cost of r Q = O: 6x^2 has 127 bits.
    // Why it is exact: #E'(Fp2) = r h with h = 2p - r = 10069 * 5864401 * 1875725156269 *
    // 197620364512881247228717050342013327560683201906968909, all distinct primes, so E'(Fp2) =
    // G2 x H with every l-part of H cyclic of prime order. psi acts on G2 as [p] = [6x^2] (mod r,
    // since p - r = 6x^2), and on each cyclic l-part as some [lambda_l] with lambda_l != 6x^2
    // (mod l) (checked in test_bn254_pairing.cpp, G2FastSubgroupCheckIsExact), so psi - [6x^2]
    // vanishes exactly on G2.
    if (q.is_infinity()) return true;
    static constexpr field::Limbs<2> k6x2{0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL};
    return G2::from_affine(frobenius_twist(q)) == G2::from_affine(q).mul(k6x2);
}

bool g2_in_subgroup_by_order(const G2Affine& q) noexcept {
    if (q.is_infinity()) return true;
    return G2::from_affine(q).mul(kOrder).is_infinity();
}

Fp12 miller_loop(const G1Affine& p, const G2Affine& q) noexcept {
    if (p.is_infinity() || q.is_infinity()) return Fp12::one();
    const PairInput in = make_pair(p, q);
    return multi_miller_loop({&in, 1});
}

Fp12 final_exponentiation(const Fp12& f) noexcept {
    // Easy part: f^((p^6 - 1)(p^2 + 1)). The result is in the cyclotomic subgroup.
    Fp12 t = f.conjugate() * f.inverse();
    t = t.frobenius(2) * t;

    // Hard part (see the file comment): y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 with
    //   y0 = f^(p + p^2 + p^3), y1 = 1/f, y2 = f^(x^2 p^2), y3 = 1/f^(x p), y4 = 1/(f^x f^(x^2 p)),
    //   y5 = 1/f^(x^2), y6 = 1/(f^(x^3) f^(x^3 p)).
    const Fp12 fx = cyclotomic_exp_x(t);
    const Fp12 fx2 = cyclotomic_exp_x(fx);
    const Fp12 fx3 = cyclotomic_exp_x(fx2);
    const Fp12 y0 = t.frobenius(1) * t.frobenius(2) * t.frobenius(3);
    const Fp12 y1 = t.conjugate();
    const Fp12 y2 = fx2.frobenius(2);
    const Fp12 y3 = fx.frobenius(1).conjugate();
    const Fp12 y4 = (fx * fx2.frobenius(1)).conjugate();
    const Fp12 y5 = fx2.conjugate();
    const Fp12 y6 = (fx3 * fx3.frobenius(1)).conjugate();
    // Addition chain: every exponent 1, 2, 6, 12, 18, 30, 36 is reached with 4 squarings and
    // 10 multiplications.
    Fp12 t0 = y6.cyclotomic_sqr() * y4 * y5;
    Fp12 t1 = y3 * y5 * t0;
    t0 *= y2;
    t1 = t1.cyclotomic_sqr() * t0;
    t1 = t1.cyclotomic_sqr();
    t0 = t1 * y1;
    t1 *= y0;
    t0 = t0.cyclotomic_sqr();
    return t0 * t1;
}

Fp12 pairing(const G1Affine& p, const G2Affine& q) noexcept { return final_exponentiation(miller_loop(p, q)); }

bool pairing_product_is_one(std::span<const G1Affine> ps, std::span<const G2Affine> qs) {
    std::vector<PairInput> pairs;
    pairs.reserve(ps.size());
    for (size_t i = 0; i < ps.size() && i < qs.size(); ++i)
        if (!ps[i].is_infinity() && !qs[i].is_infinity()) pairs.push_back(make_pair(ps[i], qs[i]));
    if (pairs.empty()) return true;
    return final_exponentiation(multi_miller_loop(pairs)).is_one();
}

// ---------------------------------------------------------------------------------------------
// Precompiles

std::optional<bytes> bn254_add(bytes_view input) {
    const auto buf = padded<128>(input);
    const auto a = decode_g1(buf.data()), b = decode_g1(buf.data() + 64);
    if (!a || !b) return std::nullopt;
    return encode_g1(a->add(*b));
}

std::optional<bytes> bn254_mul(bytes_view input) {
    const auto buf = padded<96>(input);
    const auto p = decode_g1(buf.data());
    if (!p) return std::nullopt;
    Scalar k{};
    for (size_t i = 0; i < 4; ++i)
        for (size_t j = 0; j < 8; ++j) k[3 - i] = (k[3 - i] << 8) | buf[64 + 8 * i + j];
    // The scalar is any 256-bit number: it is not reduced or range-checked (EIP-196).
    return encode_g1(G1::from_affine(*p).mul(k).to_affine());
}

std::optional<bytes> bn254_pairing_check(bytes_view input) {
    if (input.size() % 192 != 0) return std::nullopt;
    const size_t k = input.size() / 192;
    std::vector<PairInput> pairs;
    pairs.reserve(k);
    // Every point is validated, including those paired with the point at infinity.
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* e = input.data() + 192 * i;
        const auto p = decode_g1(e);
        if (!p) return std::nullopt;
        const auto q = decode_g2(e + 64);
        if (!q) return std::nullopt;
        if (!p->is_infinity() && !q->is_infinity()) pairs.push_back(make_pair(*p, *q));
    }
    const bool one = pairs.empty() || final_exponentiation(multi_miller_loop(pairs)).is_one();
    bytes out(32, 0);
    out[31] = one ? 1 : 0;
    return out;
}

}  // namespace polyvm::bn254

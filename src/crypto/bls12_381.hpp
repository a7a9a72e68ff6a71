// BLS12-381: the pairing-friendly curve behind EIP-4844 (KZG point evaluation, 0x0a) and
// EIP-2537 (the Prague BLS12-381 precompiles 0x0b-0x11), built on the generic field layer.
//
//   x = -0xd201000000010000 (the BLS parameter; negative, Hamming weight 6)
//   p = (x - 1)^2 (x^4 - x^2 + 1) / 3 + x    381 bits, p = 3 (mod 4)
//   r = x^4 - x^2 + 1                        255 bits, the order of G1, G2 and GT
//   G1: y^2 = x^3 + 4 over Fp, cofactor (x - 1)^2 / 3
//   G2: the r-torsion of the M-type sextic twist y^2 = x^3 + 4(1 + u) over Fp2 = Fp[u]/(u^2 + 1)
//   GT: the order-r subgroup of Fp12 = Fp6[w]/(w^2 - v), Fp6 = Fp2[v]/(v^3 - (1 + u))
//   e:  the optimal ate pairing, Miller loop over |x|, conjugated because x < 0.
//
// Every function here works on public data (nothing is constant time) and never throws or
// allocates on the paths the precompiles use; invalid encodings come back as nullopt.
#pragma once

#include "common/types.hpp"
#include "crypto/field/curve.hpp"
#include "crypto/field/extension.hpp"
#include "crypto/field/montgomery.hpp"

#include <array>
#include <optional>
#include <span>
#include <utility>

namespace polyvm::bls12_381 {

// ---------------------------------------------------------------------------------------------
// Fields and groups

struct FpParams {
    static constexpr size_t kLimbs = 6;
    static constexpr field::Limbs<6> kModulus = field::limbs_from_hex<6>(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab");
    /// Optional Montgomery-product kernel that field::Fp uses at run time when a Params supplies
    /// one: on x86-64 CPUs with BMI2 and ADX, a mulx/adcx/adox CIOS in assembly (about 2x the
    /// portable loop, which GCC compiles to serial carry chains). Returns false where it does not
    /// apply (another CPU or architecture); the portable loop then runs. r may alias a or b.
    static bool mont_mul_kernel(field::Limbs<6>& r, const field::Limbs<6>& a, const field::Limbs<6>& b) noexcept;
    /// The same for a square: 21 word products and a separate reduction instead of 36 + 36.
    static bool mont_sqr_kernel(field::Limbs<6>& r, const field::Limbs<6>& a) noexcept;
    /// p < 2^381, so 4p < R = 2^384: the kernel and the portable loop both take operands below 2p
    /// (partial sums stay below 4p < 2^383; the result before its one subtraction below 2p), and
    /// Fp::add_lazy may skip the reduction of a sum that only feeds a product.
    static constexpr bool kLazySum = true;
};
using Fp = field::Fp<FpParams>;

/// The scalar field: integers mod r (= BLS_MODULUS of EIP-4844).
struct FrParams {
    static constexpr size_t kLimbs = 4;
    static constexpr field::Limbs<4> kModulus =
        field::limbs_from_hex<4>("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
};
using Fr = field::Fp<FrParams>;

struct Tower {
    using Fp = bls12_381::Fp;
    static constexpr int kBeta = -1;          // u^2 = -1
    static constexpr int kXi0 = 1, kXi1 = 1;  // xi = 1 + u
    /// Optional Fp2 product that field::Fp2 uses at run time: (c0 + c1 u) = (a0 + a1 u)(b0 + b1 u)
    /// from three double-width products (Karatsuba) and two Montgomery reductions, where three
    /// Montgomery products take three reductions; x86-64 with BMI2 and ADX only, false elsewhere.
    /// Operands below 2p (Fp::add_lazy sums), results reduced; outputs may alias inputs.
    static bool fp2_mul_kernel(field::Limbs<6>& c0, field::Limbs<6>& c1, const field::Limbs<6>& a0,
                               const field::Limbs<6>& a1, const field::Limbs<6>& b0, const field::Limbs<6>& b1) noexcept;
};
using Fp2 = field::Fp2<Tower>;
using Fp6 = field::Fp6<Tower>;
using Fp12 = field::Fp12<Tower>;

/// |x| for the BLS parameter x = -kXAbs.
inline constexpr uint64_t kXAbs = 0xd201000000010000ULL;

struct G1Curve {
    using Field = Fp;
    static constexpr Fp kB = Fp::from_u64(4);
};
struct G2Curve {
    using Field = Fp2;
    // b' = 4 xi (M-type twist: the untwisting (x, y) -> (x / w^2, y / w^3) lands on y^2 = x^3 + 4).
    static constexpr Fp2 kB = Fp2{Fp::from_u64(4), Fp::from_u64(4)};
};
using G1Affine = field::AffinePoint<G1Curve>;
using G1 = field::JacobianPoint<G1Curve>;
using G2Affine = field::AffinePoint<G2Curve>;
using G2 = field::JacobianPoint<G2Curve>;

using Scalar = field::Limbs<4>;  // little-endian 256-bit integer, not necessarily reduced mod r
inline constexpr Scalar kOrder = FrParams::kModulus;

/// The standard generators (the ZCash / IETF ones, used by EIP-2537 and the KZG ceremony).
G1Affine g1_generator() noexcept;
G2Affine g2_generator() noexcept;

// ---------------------------------------------------------------------------------------------
// Group operations: the building blocks of EIP-2537 G1ADD/G1MSM/G2ADD/G2MSM. Inputs must be on
// the curve (checked by the caller: is_on_curve()); none of these needs the subgroup.

G1Affine g1_add(const G1Affine& a, const G1Affine& b) noexcept;
G2Affine g2_add(const G2Affine& a, const G2Affine& b) noexcept;
/// k P for any 256-bit k (EIP-2537 scalars are not reduced mod r).
G1 g1_mul(const G1& p, const Scalar& k) noexcept;
G2 g2_mul(const G2& p, const Scalar& k) noexcept;
/// k P for P in G1 (the caller has checked the subgroup), using the GLV split k = k0 + k1 x^2
/// and phi(P) = -x^2 P: two 128-bit halves share one chain of doublings (about 2x faster).
/// For P outside G1 the result is wrong (phi is not -x^2 there): use g1_mul.
G1 g1_mul_glv(const G1Affine& p, const Scalar& k) noexcept;
/// k G1 for the generator (precomputed table; for KZG's [y]1).
G1 g1_mul_generator(const Scalar& k) noexcept;
/// sum k_i P_i (Pippenger's bucket method above a few points). Spans must have equal sizes.
G1 g1_msm(std::span<const G1Affine> points, std::span<const Scalar> scalars) noexcept;
G2 g2_msm(std::span<const G2Affine> points, std::span<const Scalar> scalars) noexcept;
/// k mod r: for points of order r, k P = (k mod r) P.
Scalar reduce_mod_r(Scalar k) noexcept;
/// sum k_i P_i for points in their subgroup (the caller has checked it; the result is wrong
/// otherwise), any 256-bit k_i: the endomorphism splits each scalar (G1: 2 parts of 128 bits by
/// phi; G2: 4 parts of 64 bits by psi) and Straus's method shares one short chain of doublings
/// among all terms. Pippenger above 64 points.
G1 g1_msm_in_subgroup(std::span<const G1Affine> points, std::span<const Scalar> scalars) noexcept;
G2 g2_msm_in_subgroup(std::span<const G2Affine> points, std::span<const Scalar> scalars) noexcept;

/// The endomorphisms behind the fast subgroup checks (EIP-2537 "fast subgroup checks"):
/// phi(x, y) = (beta x, y) on E(Fp), beta a cube root of unity; psi = untwist-Frobenius-twist on
/// E'(Fp2). On G1 phi is multiplication by -x^2 (mod r); on G2 psi is multiplication by x.
G1 g1_phi(const G1& p) noexcept;
G2 g2_psi(const G2& q) noexcept;
G2Affine g2_psi(const G2Affine& q) noexcept;
/// |x| P by double-and-add (x has Hamming weight 6: 63 doublings, 5 additions).
G1 g1_mul_by_x_abs(const G1& p) noexcept;
G2 g2_mul_by_x_abs(const G2& q) noexcept;
/// The same from an affine Q, whose five additions are mixed (7M + 4S each instead of 11M + 5S).
G2 g2_mul_by_x_abs(const G2Affine& q) noexcept;

/// Membership of the order-r subgroup for a point already known to be on the curve (infinity
/// included). Scott's tests (eprint 2021/1130): P in G1 iff phi(P) = -x^2 P; Q in G2 iff
/// psi(Q) = x Q. About 4x (G1) and 2x (G2) faster than r P = O, which the tests compare against.
bool g1_in_subgroup(const G1Affine& p) noexcept;
bool g2_in_subgroup(const G2Affine& q) noexcept;

// ---------------------------------------------------------------------------------------------
// Square roots (p = 3 mod 4), by windowed exponentiations in Fp

/// a^((p+1)/4): sqrt(a) when a is a square, otherwise a root of -a (-1 is not a square).
Fp fp_pow_sqrt_exp(const Fp& a) noexcept;
/// a^((p-3)/4): with r this power, r^2 a = +-1 (a != 0), so r gives both a root, r a, and the
/// inverse, +-r^2, from one exponentiation.
Fp fp_pow_sqrt_exp_minus1(const Fp& a) noexcept;
/// A square root of a square a of Fp2, given s with s^2 = a0^2 + a1^2 (the norm): one more Fp
/// exponentiation and one inversion, against two Fp2 exponentiations for Fp2::sqrt. The result
/// is meaningless when a is not a square.
Fp2 fp2_sqrt_from_norm_root(const Fp2& a, const Fp& s) noexcept;
/// The same, and 1/w for a non-zero w of Fp from the same exponentiation (a handful of products
/// instead of an inversion). The root may be the other one of the two.
Fp2 fp2_sqrt_from_norm_root(const Fp2& a, const Fp& s, const Fp& w, Fp& inverse_w) noexcept;
/// sqrt in Fp2 (nullopt for non-squares), through the norm: same roots as Fp2::sqrt up to sign.
std::optional<Fp2> fp2_sqrt(const Fp2& a) noexcept;

// ---------------------------------------------------------------------------------------------
// ZCash serialization (compressed): x big-endian in 48 bytes (G2: x.c1 ‖ x.c0, 96 bytes) with
// three flag bits in the first byte: 0x80 compressed (must be set), 0x40 point at infinity (then
// every other bit must be zero), 0x20 y is the lexicographically larger of (y, -y).

enum class SubgroupCheck : bool { No, Yes };

/// Decodes and validates: flags, x < p, on the curve and (by default) in the subgroup.
std::optional<G1Affine> g1_decompress(std::span<const uint8_t, 48> in,
                                      SubgroupCheck check = SubgroupCheck::Yes) noexcept;
std::optional<G2Affine> g2_decompress(std::span<const uint8_t, 96> in,
                                      SubgroupCheck check = SubgroupCheck::Yes) noexcept;
std::array<uint8_t, 48> g1_compress(const G1Affine& p) noexcept;
std::array<uint8_t, 96> g2_compress(const G2Affine& q) noexcept;

/// The "lexicographically largest" rule of the sign bit: y > (p - 1) / 2; for Fp2 compare c1
/// first and c0 only when c1 = 0.
bool fp_is_lexicographically_largest(const Fp& y) noexcept;
bool fp2_is_lexicographically_largest(const Fp2& y) noexcept;

// ---------------------------------------------------------------------------------------------
// Pairing

/// One line of the Miller loop, normalised so that its value at P = (xP, yP) is
/// a + (b xP) w^2 + yP w^3 (the untwisted line times w^3, an Fp4 factor the final
/// exponentiation removes).
struct LineCoeffs {
    Fp2 a, b;
};

/// G2 point with its 68 Miller-loop lines (63 doublings + 5 additions) precomputed: a pairing
/// with a fixed G2 argument (the KZG setup) pays for them once. Fixed size, no allocation.
struct G2Prepared {
    static constexpr size_t kLines = 68;
    std::array<LineCoeffs, kLines> lines{};
    bool infinity = true;
};
G2Prepared g2_prepare(const G2Affine& q) noexcept;

struct PreparedPair {
    G1Affine p;
    const G2Prepared* q;
};

/// prod f_{|x|,Q_i}(P_i), conjugated (x < 0): the Miller loop, without final exponentiation.
/// Pairs with P or Q at infinity contribute 1.
Fp12 miller_loop(std::span<const PreparedPair> pairs) noexcept;
Fp12 miller_loop(const G1Affine& p, const G2Affine& q) noexcept;
/// The same product with the lines computed on the fly (no G2Prepared): cheaper for a G2 point
/// used once. Equal to the prepared loop's value up to factors the final exponentiation removes.
Fp12 miller_loop(std::span<const std::pair<G1Affine, G2Affine>> pairs) noexcept;
/// miller_loop(pairs) for G2 points only known to be on the curve: nullopt when one is outside
/// G2 (with check_g2; tested on the loop's own chain T = [|x|]Q, at no extra cost).
std::optional<Fp12> miller_loop_checked(std::span<const std::pair<G1Affine, G2Affine>> pairs,
                                        bool check_g2) noexcept;
/// f^((p^12 - 1) / r), exact (hard part after Hayashida-Hayasaka-Teruya, eprint 2020/875).
Fp12 final_exponentiation(const Fp12& f) noexcept;
/// f^|x| for f in the cyclotomic subgroup (the final exponentiation's building block, on
/// Karabina's compressed squarings); exposed for tests.
Fp12 cyclotomic_pow_x_abs(const Fp12& f) noexcept;
/// e(P, Q). Arguments must be in G1 and G2 (callers check the subgroups).
Fp12 pairing(const G1Affine& p, const G2Affine& q) noexcept;

/// prod e(P_i, Q_i) == 1 with one shared Miller loop and one final exponentiation: what the
/// EIP-2537 PAIRING_CHECK and the KZG verification need. Points must be in their subgroups.
bool pairing_check(std::span<const std::pair<G1Affine, G2Affine>> pairs) noexcept;
bool pairing_check(std::span<const PreparedPair> pairs) noexcept;
/// pairing_check for G1 points in G1 and G2 points only known to be on the curve: nullopt when a
/// G2 point is outside G2 (tested inside the Miller loop, for free), else the check's result.
std::optional<bool> pairing_check_g2_unchecked(std::span<const std::pair<G1Affine, G2Affine>> pairs) noexcept;

// ---------------------------------------------------------------------------------------------
// Map to curve (EIP-2537 MAP_FP_TO_G1 / MAP_FP2_TO_G2): RFC 9380 section 6.6.3 (simplified SWU
// onto an isogenous curve, then the 11-isogeny to E for G1 and the 3-isogeny to E' for G2)
// followed by clear_cofactor (section 7: h_eff for G1, the Budroni-Pintore psi-based method for
// G2). Defined in bls12_381_map.cpp, which exposes the steps (bls12_381_map.hpp).
G1Affine map_fp_to_g1(const Fp& u) noexcept;
G2Affine map_fp2_to_g2(const Fp2& u) noexcept;

}  // namespace polyvm::bls12_381

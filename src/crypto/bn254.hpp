// BN254 (alt_bn128): the pairing-friendly curve behind the EIP-196/197 precompiles 0x06-0x08.
//
//   p = 36x^4 + 36x^3 + 24x^2 + 6x + 1, r = 36x^4 + 36x^3 + 18x^2 + 6x + 1, x = 4965661367192848881
//   G1: y^2 = x^3 + 3 over Fp, generator (1, 2), prime order r
//   G2: the r-torsion of the D-type sextic twist y^2 = x^3 + 3/(9+u) over Fp2 = Fp[u]/(u^2 + 1)
//   GT: the order-r subgroup of Fp12 = Fp6[w]/(w^2 - v), Fp6 = Fp2[v]/(v^3 - (9+u))
//   e: the optimal ate pairing (Vercauteren), Miller loop over 6x + 2.
#pragma once

#include "common/types.hpp"
#include "crypto/field/curve.hpp"
#include "crypto/field/extension.hpp"
#include "crypto/field/montgomery.hpp"

#include <optional>
#include <span>

namespace polyvm::bn254 {

struct FpParams {
    static constexpr size_t kLimbs = 4;
    static constexpr field::Limbs<4> kModulus =
        field::limbs_from_hex<4>("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
    /// On x86-64 CPUs with BMI2 and ADX, a mulx/adcx/adox Montgomery product in assembly
    /// (crypto/field/mulx_montgomery.hpp; p < 2^254 leaves the two spare bits it needs). Returns
    /// false elsewhere, where field::Fp runs its portable loop. r may alias a or b.
    static bool mont_mul_kernel(field::Limbs<4>& r, const field::Limbs<4>& a, const field::Limbs<4>& b) noexcept;
};
using Fp = field::Fp<FpParams>;

/// The group order r (also the scalar field's modulus).
struct FrParams {
    static constexpr size_t kLimbs = 4;
    static constexpr field::Limbs<4> kModulus =
        field::limbs_from_hex<4>("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
};
using Fr = field::Fp<FrParams>;

struct Tower {
    using Fp = bn254::Fp;
    static constexpr int kBeta = -1;          // u^2 = -1
    static constexpr int kXi0 = 9, kXi1 = 1;  // xi = 9 + u
};
using Fp2 = field::Fp2<Tower>;
using Fp6 = field::Fp6<Tower>;
using Fp12 = field::Fp12<Tower>;

/// The BN parameter x (positive for BN254).
inline constexpr uint64_t kX = 4965661367192848881ULL;

struct G1Curve {
    using Field = Fp;
    static constexpr Fp kB = Fp::from_u64(3);
};
struct G2Curve {
    using Field = Fp2;
    // b' = 3 / xi (D-type twist: the untwisting (x, y) -> (x w^2, y w^3) lands on y^2 = x^3 + 3).
    static constexpr Fp2 kB = Fp2::from_base(Fp::from_u64(3)) * Fp2::xi().inverse();
};
using G1Affine = field::AffinePoint<G1Curve>;
using G1 = field::JacobianPoint<G1Curve>;
using G2Affine = field::AffinePoint<G2Curve>;
using G2 = field::JacobianPoint<G2Curve>;

using Scalar = field::Limbs<4>;  // little-endian 256-bit integer
inline constexpr Scalar kOrder = FrParams::kModulus;

/// The standard generators: G1 = (1, 2); G2 as used by EIP-197 and every BN254 library.
G1Affine g1_generator() noexcept;
G2Affine g2_generator() noexcept;

/// Q in the order-r subgroup (Q on the twist is assumed): rejects the twist points that EIP-197
/// excludes. Uses the endomorphism test psi(Q) = [6x^2] Q (see bn254.cpp for why it is exact).
bool g2_in_subgroup(const G2Affine& q) noexcept;
/// The same predicate as r Q = O (slower; the reference for tests).
bool g2_in_subgroup_by_order(const G2Affine& q) noexcept;
/// The untwist-Frobenius-twist endomorphism psi(x, y) = (conj(x) xi^((p-1)/3), conj(y) xi^((p-1)/2)).
G2Affine g2_psi(const G2Affine& q) noexcept;

/// The optimal ate Miller loop for one pair, without the final exponentiation.
Fp12 miller_loop(const G1Affine& p, const G2Affine& q) noexcept;
/// f^((p^12 - 1) / r).
Fp12 final_exponentiation(const Fp12& f) noexcept;
/// e(P, Q): the reduced optimal ate pairing. e(O, Q) = e(P, O) = 1.
Fp12 pairing(const G1Affine& p, const G2Affine& q) noexcept;
/// prod e(P_i, Q_i) == 1, sharing the Miller loop squarings and one final exponentiation.
bool pairing_product_is_one(std::span<const G1Affine> ps, std::span<const G2Affine> qs);

// The precompiles (EIP-196, EIP-197). nullopt means the call fails (all gas consumed).

/// 0x06 ECADD: input zero-padded/truncated to 128 bytes = two G1 points; 64-byte output.
std::optional<bytes> bn254_add(bytes_view input);
/// 0x07 ECMUL: input zero-padded/truncated to 96 bytes = point and 32-byte scalar; 64-byte output.
std::optional<bytes> bn254_mul(bytes_view input);
/// 0x08 ECPAIRING: k * 192 bytes of (G1, G2) pairs; 32-byte output, 1 if the product is 1.
std::optional<bytes> bn254_pairing_check(bytes_view input);

}  // namespace polyvm::bn254

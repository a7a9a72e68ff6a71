// Mapping field elements to BLS12-381 G1 and G2: the arithmetic behind EIP-2537 MAP_FP_TO_G1
// (0x10) and MAP_FP2_TO_G2 (0x11).
//
// Both follow RFC 9380 ("Hashing to Elliptic Curves") for the suites BLS12381G1_..._SSWU_ and
// BLS12381G2_..._SSWU_, minus the hashing (EIP-2537 maps one given field element, no
// expand_message):
//   1. simplified SWU (RFC 9380 section 6.6.2) onto a curve E' : y^2 = x^3 + A' x + B' that is
//      isogenous to E (E itself has A = 0, which SSWU cannot handle: section 6.6.3);
//   2. the isogeny E' -> E (11-isogeny for G1, appendix E.2; 3-isogeny for G2, appendix E.3);
//   3. clear_cofactor (section 7 / 8.8): h_eff = 1 - x for G1, and for G2 the Budroni-Pintore
//      endomorphism form of h_eff (appendix G.3), which equals multiplication by h_eff.
//
// This is public data (EIP-2537 inputs), so nothing here is constant time. No function throws
// or allocates.
//
// bls12_381.hpp declares map_fp_to_g1 / map_fp2_to_g2 as the layer's hook; bls12_381_map.cpp
// defines them, together with the building blocks below (exposed for tests and benchmarks).
#pragma once

#include "crypto/bls12_381.hpp"

namespace polyvm::bls12_381 {

/// sgn0 of RFC 9380 section 4.1: the parity of the canonical value; for Fp2 the parity of c0,
/// or of c1 when c0 = 0.
bool sgn0(const Fp& a) noexcept;
bool sgn0(const Fp2& a) noexcept;

/// Simplified SWU onto the isogenous curves (affine; never the point at infinity).
/// G1: E'1 : y^2 = x^3 + A'x + B' over Fp with Z = 11.
/// G2: E'2 : y^2 = x^3 + 240u x + 1012(1 + u) over Fp2 with Z = -(2 + u).
struct SswuPointG1 {
    Fp x, y;
};
struct SswuPointG2 {
    Fp2 x, y;
};
SswuPointG1 sswu_g1(const Fp& u) noexcept;
SswuPointG2 sswu_g2(const Fp2& u) noexcept;
/// y^2 == x^3 + A'x + B' on the isogenous curves (for tests).
bool on_iso_curve_g1(const SswuPointG1& p) noexcept;
bool on_iso_curve_g2(const SswuPointG2& p) noexcept;

/// The isogeny maps E'1 -> E and E'2 -> E'. A zero denominator gives the point at infinity
/// (RFC 9380 section 6.6.3: "such cases MUST return the identity point").
G1Affine iso_map_g1(const SswuPointG1& p) noexcept;
G2Affine iso_map_g2(const SswuPointG2& p) noexcept;

/// h_eff P for any point on E (resp. E'): the result is in G1 (resp. G2).
G1 clear_cofactor_g1(const G1& p) noexcept;
G2 clear_cofactor_g2(const G2& p) noexcept;
/// The same from an affine point (mixed additions: the map's path).
G2 clear_cofactor_g2(const G2Affine& p) noexcept;

/// The effective cofactors as integers, for tests: h_eff(G1) = 0xd201000000010001 and the
/// 636-bit h_eff(G2) of RFC 9380 section 8.8.2.
inline constexpr field::Limbs<1> kHEffG1 = {0xd201000000010001ULL};
inline constexpr field::Limbs<10> kHEffG2 = field::limbs_from_hex<10>(
    "0bc69f08f2ee75b3584c6a0ea91b352888e2a8e9145ad7689986ff031508ffe1329c2f178731db956d82bf015d1212b02ec0ec69d"
    "7477c1ae954cbc06689f6a359894c0adebbf6b4e8020005aaa95551");

// map_fp_to_g1 / map_fp2_to_g2 (sswu, iso_map, clear_cofactor) are declared in bls12_381.hpp.

}  // namespace polyvm::bls12_381

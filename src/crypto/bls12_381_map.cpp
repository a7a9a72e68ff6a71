// RFC 9380 map-to-curve for BLS12-381 (EIP-2537 MAP_FP_TO_G1 / MAP_FP2_TO_G2). See the header.
#include "crypto/bls12_381_map.hpp"

#include <array>
#include <type_traits>

namespace polyvm::bls12_381 {
namespace {

// ---------------------------------------------------------------------------------------------
// Constants. Every value below is from RFC 9380 (section 8.8 for A', B', Z; appendix E for the
// isogenies), which EIP-2537's field_to_curve.md restates.

// E'1 (RFC 9380 section 8.8.1): 11-isogenous to E.
constexpr Fp kA1 = Fp::from_hex(
    "144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d");
constexpr Fp kB1 = Fp::from_hex(
    "12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0");
constexpr Fp kZ1 = Fp::from_u64(11);

// E'2 (RFC 9380 section 8.8.2): A' = 240 u, B' = 1012 (1 + u), Z = -(2 + u); 3-isogenous to E'.
constexpr Fp2 kA2{Fp::zero(), Fp::from_u64(240)};
constexpr Fp2 kB2{Fp::from_u64(1012), Fp::from_u64(1012)};
constexpr Fp2 kZ2{-Fp::from_u64(2), -Fp::from_u64(1)};

// 11-isogeny E'1 -> E (RFC 9380 appendix E.2), coefficients from degree 0 upwards.
constexpr std::array<Fp, 12> kG1XNum = {
    Fp::from_hex("11a05f2b1e833340b809101dd99815856b303e88a2d7005ff2627b56cdb4e2c85610c2d5f2e62d6eaeac1662734649b7"),
    Fp::from_hex("17294ed3e943ab2f0588bab22147a81c7c17e75b2f6a8417f565e33c70d1e86b4838f2a6f318c356e834eef1b3cb83bb"),
    Fp::from_hex("0d54005db97678ec1d1048c5d10a9a1bce032473295983e56878e501ec68e25c958c3e3d2a09729fe0179f9dac9edcb0"),
    Fp::from_hex("1778e7166fcc6db74e0609d307e55412d7f5e4656a8dbf25f1b33289f1b330835336e25ce3107193c5b388641d9b6861"),
    Fp::from_hex("0e99726a3199f4436642b4b3e4118e5499db995a1257fb3f086eeb65982fac18985a286f301e77c451154ce9ac8895d9"),
    Fp::from_hex("1630c3250d7313ff01d1201bf7a74ab5db3cb17dd952799b9ed3ab9097e68f90a0870d2dcae73d19cd13c1c66f652983"),
    Fp::from_hex("0d6ed6553fe44d296a3726c38ae652bfb11586264f0f8ce19008e218f9c86b2a8da25128c1052ecaddd7f225a139ed84"),
    Fp::from_hex("17b81e7701abdbe2e8743884d1117e53356de5ab275b4db1a682c62ef0f2753339b7c8f8c8f475af9ccb5618e3f0c88e"),
    Fp::from_hex("080d3cf1f9a78fc47b90b33563be990dc43b756ce79f5574a2c596c928c5d1de4fa295f296b74e956d71986a8497e317"),
    Fp::from_hex("169b1f8e1bcfa7c42e0c37515d138f22dd2ecb803a0c5c99676314baf4bb1b7fa3190b2edc0327797f241067be390c9e"),
    Fp::from_hex("10321da079ce07e272d8ec09d2565b0dfa7dccdde6787f96d50af36003b14866f69b771f8c285decca67df3f1605fb7b"),
    Fp::from_hex("06e08c248e260e70bd1e962381edee3d31d79d7e22c837bc23c0bf1bc24c6b68c24b1b80b64d391fa9c8ba2e8ba2d229"),
};
// x_den is monic of degree 10: these are k_(2,0..9).
constexpr std::array<Fp, 10> kG1XDen = {
    Fp::from_hex("08ca8d548cff19ae18b2e62f4bd3fa6f01d5ef4ba35b48ba9c9588617fc8ac62b558d681be343df8993cf9fa40d21b1c"),
    Fp::from_hex("12561a5deb559c4348b4711298e536367041e8ca0cf0800c0126c2588c48bf5713daa8846cb026e9e5c8276ec82b3bff"),
    Fp::from_hex("0b2962fe57a3225e8137e629bff2991f6f89416f5a718cd1fca64e00b11aceacd6a3d0967c94fedcfcc239ba5cb83e19"),
    Fp::from_hex("03425581a58ae2fec83aafef7c40eb545b08243f16b1655154cca8abc28d6fd04976d5243eecf5c4130de8938dc62cd8"),
    Fp::from_hex("13a8e162022914a80a6f1d5f43e7a07dffdfc759a12062bb8d6b44e833b306da9bd29ba81f35781d539d395b3532a21e"),
    Fp::from_hex("0e7355f8e4e667b955390f7f0506c6e9395735e9ce9cad4d0a43bcef24b8982f7400d24bc4228f11c02df9a29f6304a5"),
    Fp::from_hex("0772caacf16936190f3e0c63e0596721570f5799af53a1894e2e073062aede9cea73b3538f0de06cec2574496ee84a3a"),
    Fp::from_hex("14a7ac2a9d64a8b230b3f5b074cf01996e7f63c21bca68a81996e1cdf9822c580fa5b9489d11e2d311f7d99bbdcc5a5e"),
    Fp::from_hex("0a10ecf6ada54f825e920b3dafc7a3cce07f8d1d7161366b74100da67f39883503826692abba43704776ec3a79a1d641"),
    Fp::from_hex("095fc13ab9e92ad4476d6e3eb3a56680f682b4ee96f7d03776df533978f31c1593174e4b4b7865002d6384d168ecdd0a"),
};
constexpr std::array<Fp, 16> kG1YNum = {
    Fp::from_hex("090d97c81ba24ee0259d1f094980dcfa11ad138e48a869522b52af6c956543d3cd0c7aee9b3ba3c2be9845719707bb33"),
    Fp::from_hex("134996a104ee5811d51036d776fb46831223e96c254f383d0f906343eb67ad34d6c56711962fa8bfe097e75a2e41c696"),
    Fp::from_hex("00cc786baa966e66f4a384c86a3b49942552e2d658a31ce2c344be4b91400da7d26d521628b00523b8dfe240c72de1f6"),
    Fp::from_hex("01f86376e8981c217898751ad8746757d42aa7b90eeb791c09e4a3ec03251cf9de405aba9ec61deca6355c77b0e5f4cb"),
    Fp::from_hex("08cc03fdefe0ff135caf4fe2a21529c4195536fbe3ce50b879833fd221351adc2ee7f8dc099040a841b6daecf2e8fedb"),
    Fp::from_hex("16603fca40634b6a2211e11db8f0a6a074a7d0d4afadb7bd76505c3d3ad5544e203f6326c95a807299b23ab13633a5f0"),
    Fp::from_hex("04ab0b9bcfac1bbcb2c977d027796b3ce75bb8ca2be184cb5231413c4d634f3747a87ac2460f415ec961f8855fe9d6f2"),
    Fp::from_hex("0987c8d5333ab86fde9926bd2ca6c674170a05bfe3bdd81ffd038da6c26c842642f64550fedfe935a15e4ca31870fb29"),
    Fp::from_hex("09fc4018bd96684be88c9e221e4da1bb8f3abd16679dc26c1e8b6e6a1f20cabe69d65201c78607a360370e577bdba587"),
    Fp::from_hex("0e1bba7a1186bdb5223abde7ada14a23c42a0ca7915af6fe06985e7ed1e4d43b9b3f7055dd4eba6f2bafaaebca731c30"),
    Fp::from_hex("19713e47937cd1be0dfd0b8f1d43fb93cd2fcbcb6caf493fd1183e416389e61031bf3a5cce3fbafce813711ad011c132"),
    Fp::from_hex("18b46a908f36f6deb918c143fed2edcc523559b8aaf0c2462e6bfe7f911f643249d9cdf41b44d606ce07c8a4d0074d8e"),
    Fp::from_hex("0b182cac101b9399d155096004f53f447aa7b12a3426b08ec02710e807b4633f06c851c1919211f20d4c04f00b971ef8"),
    Fp::from_hex("0245a394ad1eca9b72fc00ae7be315dc757b3b080d4c158013e6632d3c40659cc6cf90ad1c232a6442d9d3f5db980133"),
    Fp::from_hex("05c129645e44cf1102a159f748c4a3fc5e673d81d7e86568d9ab0f5d396a7ce46ba1049b6579afb7866b1e715475224b"),
    Fp::from_hex("15e6be4e990f03ce4ea50b3b42df2eb5cb181d8f84965a3957add4fa95af01b2b665027efec01c7704b456be69c8b604"),
};
// y_den is monic of degree 15: these are k_(4,0..14).
constexpr std::array<Fp, 15> kG1YDen = {
    Fp::from_hex("16112c4c3a9c98b252181140fad0eae9601a6de578980be6eec3232b5be72e7a07f3688ef60c206d01479253b03663c1"),
    Fp::from_hex("1962d75c2381201e1a0cbd6c43c348b885c84ff731c4d59ca4a10356f453e01f78a4260763529e3532f6102c2e49a03d"),
    Fp::from_hex("058df3306640da276faaae7d6e8eb15778c4855551ae7f310c35a5dd279cd2eca6757cd636f96f891e2538b53dbf67f2"),
    Fp::from_hex("16b7d288798e5395f20d23bf89edb4d1d115c5dbddbcd30e123da489e726af41727364f2c28297ada8d26d98445f5416"),
    Fp::from_hex("0be0e079545f43e4b00cc912f8228ddcc6d19c9f0f69bbb0542eda0fc9dec916a20b15dc0fd2ededda39142311a5001d"),
    Fp::from_hex("08d9e5297186db2d9fb266eaac783182b70152c65550d881c5ecd87b6f0f5a6449f38db9dfa9cce202c6477faaf9b7ac"),
    Fp::from_hex("166007c08a99db2fc3ba8734ace9824b5eecfdfa8d0cf8ef5dd365bc400a0051d5fa9c01a58b1fb93d1a1399126a775c"),
    Fp::from_hex("16a3ef08be3ea7ea03bcddfabba6ff6ee5a4375efa1f4fd7feb34fd206357132b920f5b00801dee460ee415a15812ed9"),
    Fp::from_hex("1866c8ed336c61231a1be54fd1d74cc4f9fb0ce4c6af5920abc5750c4bf39b4852cfe2f7bb9248836b233d9d55535d4a"),
    Fp::from_hex("167a55cda70a6e1cea820597d94a84903216f763e13d87bb5308592e7ea7d4fbc7385ea3d529b35e346ef48bb8913f55"),
    Fp::from_hex("04d2f259eea405bd48f010a01ad2911d9c6dd039bb61a6290e591b36e636a5c871a5c29f4f83060400f8b49cba8f6aa8"),
    Fp::from_hex("0accbb67481d033ff5852c1e48c50c477f94ff8aefce42d28c0f9a88cea7913516f968986f7ebbea9684b529e2561092"),
    Fp::from_hex("0ad6b9514c767fe3c3613144b45f1496543346d98adf02267d5ceef9a00d9b8693000763e3b90ac11e99b138573345cc"),
    Fp::from_hex("02660400eb2e4f3b628bdd0d53cd76f2bf565b94e72927c1cb748df27942480e420517bd8714cc80d1fadc1326ed06f7"),
    Fp::from_hex("0e0fa1d816ddc03e6b24255e0d7819c171c40f65e273b853324efcd6356caa205ca2f570f13497804415473a1d634b8f"),
};

// 3-isogeny E'2 -> E' (RFC 9380 appendix E.3). Written as (c0, c1) = c0 + c1 u.
constexpr Fp kIso2A = Fp::from_hex(
    "05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6");
constexpr std::array<Fp2, 4> kG2XNum = {
    Fp2{kIso2A, kIso2A},
    Fp2{Fp::zero(), Fp::from_hex("11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d"
                                 "555526a9ffffffffc71a")},
    Fp2{Fp::from_hex("11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71e"),
        Fp::from_hex("08ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38d")},
    Fp2{Fp::from_hex("171d6541fa38ccfaed6dea691f5fb614cb14b4e7f4e810aa22d6108f142b85757098e38d0f671c7188e2aaaaaaaa5ed1"),
        Fp::zero()},
};
// x_den monic of degree 2: k_(2,0), k_(2,1).
constexpr std::array<Fp2, 2> kG2XDen = {
    Fp2{Fp::zero(), Fp::from_hex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153"
                                 "ffffb9feffffffffaa63")},
    Fp2{Fp::from_u64(0xc), Fp::from_hex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb1"
                                        "53ffffb9feffffffffaa9f")},
};
constexpr Fp kIso2B = Fp::from_hex(
    "1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706");
constexpr std::array<Fp2, 4> kG2YNum = {
    Fp2{kIso2B, kIso2B},
    Fp2{Fp::zero(), Fp::from_hex("05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9"
                                 "c71c6238aaaaaaaa97be")},
    Fp2{Fp::from_hex("11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71c"),
        Fp::from_hex("08ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38f")},
    Fp2{Fp::from_hex("124c9ad43b6cf79bfbf7043de3811ad0761b0f37a1e26286b0e977c69aa274524e79097a56dc4bd9e1b371c71c718b10"),
        Fp::zero()},
};
// y_den monic of degree 3: k_(4,0..2).
constexpr Fp kIso2C = Fp::from_hex(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb");
constexpr std::array<Fp2, 3> kG2YDen = {
    Fp2{kIso2C, kIso2C},
    Fp2{Fp::zero(), Fp::from_hex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153"
                                 "ffffb9feffffffffa9d3")},
    Fp2{Fp::from_u64(0x12), Fp::from_hex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb"
                                         "153ffffb9feffffffffaa99")},
};

/// sum c_i x^i by Horner's rule; with `monic`, an implicit leading coefficient 1 of degree N.
template <class F, size_t N>
F horner(const std::array<F, N>& c, const F& x, bool monic) noexcept {
    F acc = monic ? F::one() : c[N - 1];
    for (size_t i = monic ? N : N - 1; i-- > 0;) acc = acc * x + c[i];
    return acc;
}

/// x1 = n / d of the simplified SWU (RFC 9380 section 6.6.2), and Z u^2:
/// x1 = -B (1 + tv1) / (A tv1) for tv1 = Z^2 u^4 + Z u^2, or B / (Z A) when tv1 = 0 (u = 0 or
/// Z u^2 = -1), for which g(x1) is a square by the choice of Z. The division is left to the
/// caller (G1 folds it into its square root's exponentiation).
template <class F>
void sswu_x1_fraction(const F& u, const F& A, const F& B, const F& Z, F& zu2, F& n, F& d) noexcept {
    zu2 = Z * u.sqr();
    const F tv1 = zu2.sqr() + zu2;
    if (tv1.is_zero()) {
        n = B;
        d = Z * A;
    } else {
        n = -(B * (F::one() + tv1));
        d = A * tv1;
    }
}

// Roots of -Z1 = -11 and of -N(Z2) = -5: with g(x2) = Z^3 u^6 g(x1) for x2 = Z u^2 x1 (the
// SWU identity), they turn the root of -g(x1) that the first exponentiation yields when g(x1) is
// not a square into the root of g(x2), so each map needs one exponentiation (two for Fp2), not two.
constexpr Fp kSqrtMinusZ1 = (-kZ1).pow(Fp::kSqrtExp);
static_assert(kSqrtMinusZ1.sqr() == -kZ1);
constexpr Fp kSqrtMinus5 = (-Fp::from_u64(5)).pow(Fp::kSqrtExp);
static_assert(kSqrtMinus5.sqr() == -Fp::from_u64(5));
constexpr Fp kFiveSqrtMinus5 = kSqrtMinus5.mul_small(5);
static_assert(kZ2.c0.sqr() + kZ2.c1.sqr() == Fp::from_u64(5));
/// x^3 + a x + b == y^2.
template <class F>
bool on_curve(const F& x, const F& y, const F& a, const F& b) noexcept {
    return y.sqr() == (x.sqr() + a) * x + b;
}

/// The isogeny (x, y) -> (x_num / x_den, y y_num / y_den) into Jacobian coordinates, without an
/// inversion: Z = x_den y_den, X = x_num x_den y_den^2, Y = y y_num x_den^3 y_den^2. A zero
/// denominator gives Z = 0, the point at infinity (RFC 9380 6.6.3: exceptional case -> identity).
template <class Curve, class F, size_t XN, size_t XD, size_t YN, size_t YD>
field::JacobianPoint<Curve> iso_map(const F& x, const F& y, const std::array<F, XN>& xnum,
                                    const std::array<F, XD>& xden, const std::array<F, YN>& ynum,
                                    const std::array<F, YD>& yden) noexcept {
    const F xd = horner(xden, x, true), yd = horner(yden, x, true);
    const F z = xd * yd;
    if (z.is_zero()) return {};
    const F xn = horner(xnum, x, false), yn = horner(ynum, x, false);
    const F xdyd2 = z * yd;  // x_den y_den^2
    return {xn * xdyd2, y * yn * xd.sqr() * xdyd2, z};
}

}  // namespace

bool sgn0(const Fp& a) noexcept { return a.is_odd(); }

bool sgn0(const Fp2& a) noexcept {
    // RFC 9380 section 4.1, m = 2: sign_0 OR (zero_0 AND sign_1).
    const bool sign0 = a.c0.is_odd();
    return sign0 || (a.c0.is_zero() && a.c1.is_odd());
}

SswuPointG1 sswu_g1(const Fp& u) noexcept {
    // x1 = N / D, the division folded into the square root's exponentiation (an inversion costs
    // about 65 products; this way costs about 9): with U = g(x1) D^3 and t = U D^3 = g(x1) D^6
    // (same quadratic character as g(x1)), r = t^((p-3)/4) gives c = r t, c^2 = chi t, and
    // 1/t = chi r^2, hence 1/D^3 = U / t and 1/D = D^2 / D^3.
    Fp zu2, n, d;
    sswu_x1_fraction(u, kA1, kB1, kZ1, zu2, n, d);
    const Fp d2 = d.sqr(), d3 = d2 * d;
    const Fp U = (n.sqr() + kA1 * d2) * n + kB1 * d3;  // g(x1) D^3
    const Fp t = U * d3;
    if (t.is_zero()) return {n * d.inverse(), Fp::zero()};  // g(x1) = 0: y = 0 (D != 0)
    const Fp r = fp_pow_sqrt_exp_minus1(t);
    const Fp c = r * t;
    const bool square = c.sqr() == t;  // else c^2 = -t: g(x1) is not a square
    const Fp r2 = r.sqr();
    const Fp inv_d3 = U * (square ? r2 : -r2);
    Fp x = n * (inv_d3 * d2);
    Fp y = c * inv_d3;  // y^2 = +-t / D^6 = +-g(x1)
    if (!square) {
        // g(x2) = Z^3 u^6 g(x1) = (y u^3 Z sqrt(-Z))^2 with y^2 = -g(x1), for x2 = Z u^2 x1.
        x = zu2 * x;
        y = y * u.sqr() * u * kZ1 * kSqrtMinusZ1;
    }
    // u and -u give the same x: the sign of y follows the sign of u.
    if (sgn0(u) != sgn0(y)) y = -y;
    return {x, y};
}

namespace {

/// The simplified SWU's x on E'2, g(x) = x^3 + A'x + B', and a root of g(x)'s norm (from which
/// fp2_sqrt_from_norm_root takes y with one more exponentiation).
struct SswuG2Abscissa {
    Fp2 x, gx;
    Fp gx_norm_root;
};

SswuG2Abscissa sswu_g2_abscissa(const Fp2& u) noexcept {
    Fp2 zu2, x1_num, x1_den;
    sswu_x1_fraction(u, kA2, kB2, kZ2, zu2, x1_num, x1_den);
    // x1 = N / D with the inversion of D folded into the norm's exponentiation (as sswu_g1 does;
    // an inversion costs more than the dozen products this takes): with U = g(x1) D^3 and
    // G = U D = g(x1) D^4 (the same square class as g(x1)), r = N(G)^((p-3)/4) gives
    // sG = r N(G), sG^2 = chi N(G), and 1/N(G) = chi r^2; then 1/G = conj(G) / N(G),
    // 1/D = U / G, and N(g(x1)) = N(G) / N(D)^4 has the root sG N(1/D)^2.
    const Fp2 d2 = x1_den.sqr();
    const Fp2 U = (x1_num.sqr() + kA2 * d2) * x1_num + kB2 * (d2 * x1_den);
    const Fp2 G = U * x1_den;
    const Fp norm_g = G.norm();
    Fp2 inv_den;
    Fp s;  // s^2 = n when g(x1) is a square, -n when not, for its norm n
    if (norm_g.is_zero()) {
        inv_den = x1_den.inverse();  // g(x1) = 0 (D != 0): y = 0 below
    } else {
        const Fp r = fp_pow_sqrt_exp_minus1(norm_g);
        const Fp s_g = r * norm_g;
        const Fp r2 = r.sqr();
        inv_den = U * G.conjugate().mul_base(s_g.sqr() == norm_g ? r2 : -r2);
        s = s_g * inv_den.norm().sqr();
    }
    const Fp2 x1 = x1_num * inv_den;
    const Fp2 gx1 = (x1.sqr() + kA2) * x1 + kB2;
    // g(x1) is a square in Fp2 exactly when its norm n is one in Fp.
    const Fp n = gx1.norm();
    if (s.sqr() == n) return {x1, gx1, s};
    // s^2 = -n; N(g(x2)) = N(Z)^3 N(u)^6 n = 125 N(u)^6 n, whose root is 5 N(u)^3 sqrt(-5) s.
    const Fp2 x2 = zu2 * x1;
    const Fp nu = u.c0.sqr() + u.c1.sqr();
    return {x2, (x2.sqr() + kA2) * x2 + kB2, s * nu.sqr() * nu * kFiveSqrtMinus5};
}

/// sswu_g2 followed by the 3-isogeny to E', in affine coordinates without an inversion of their
/// own: the isogeny's denominators are inverted inside the exponentiation that takes y's root.
/// (clear_cofactor_g2 adds the affine point with mixed additions.)
G2Affine sswu_iso_map_g2(const Fp2& u) noexcept {
    const SswuG2Abscissa a = sswu_g2_abscissa(u);
    const Fp2 x_den = horner(kG2XDen, a.x, true), y_den = horner(kG2YDen, a.x, true);
    const Fp2 den = x_den * y_den;
    const Fp den_norm = den.norm();
    if (den_norm.is_zero()) return G2Affine::identity();  // RFC 9380 6.6.3: exceptional case
    Fp inverse_den_norm;
    Fp2 y = fp2_sqrt_from_norm_root(a.gx, a.gx_norm_root, den_norm, inverse_den_norm);
    if (sgn0(u) != sgn0(y)) y = -y;
    const Fp2 inverse_den = den.conjugate().mul_base(inverse_den_norm);
    const Fp2 x_num = horner(kG2XNum, a.x, false), y_num = horner(kG2YNum, a.x, false);
    return G2Affine::of(x_num * y_den * inverse_den, y * y_num * x_den * inverse_den);
}

G2 to_jacobian(const G2& p) noexcept { return p; }
G2 to_jacobian(const G2Affine& p) noexcept { return G2::from_affine(p); }

/// clear_cofactor_g2's formula for a point given either way (G2 or G2Affine): the additions of
/// an affine point are mixed.
template <class Point>
G2 clear_cofactor_g2_of(const Point& p) noexcept {
    // RFC 9380 appendix G.3 (Budroni-Pintore): h_eff P = (x^2 - x - 1) P + (x - 1) psi(P)
    // + psi^2(2P), evaluated as below with x P = -(|x| P) since x < 0.
    const auto add = [](const G2& a, const Point& b) {
        if constexpr (std::is_same_v<Point, G2Affine>)
            return a.add_mixed(b);
        else
            return a + b;
    };
    const G2 t1 = -g2_mul_by_x_abs(p);                                // x P
    const Point psi_p = g2_psi(p);                                    // psi(P)
    G2 t3 = add(g2_psi(g2_psi(to_jacobian(p).dbl())), -psi_p);       // psi^2(2P) - psi(P)
    G2 t2 = add(t1, psi_p);                                           // x P + psi(P)
    t2 = -g2_mul_by_x_abs(t2);                                        // x^2 P + x psi(P)
    t3 = t3 + t2;
    t3 = t3 - t1;
    return add(t3, -p);
}

}  // namespace

SswuPointG2 sswu_g2(const Fp2& u) noexcept {
    const SswuG2Abscissa a = sswu_g2_abscissa(u);
    Fp2 y = fp2_sqrt_from_norm_root(a.gx, a.gx_norm_root);
    if (sgn0(u) != sgn0(y)) y = -y;
    return {a.x, y};
}

bool on_iso_curve_g1(const SswuPointG1& p) noexcept { return on_curve(p.x, p.y, kA1, kB1); }
bool on_iso_curve_g2(const SswuPointG2& p) noexcept { return on_curve(p.x, p.y, kA2, kB2); }

G1Affine iso_map_g1(const SswuPointG1& p) noexcept {
    return iso_map<G1Curve>(p.x, p.y, kG1XNum, kG1XDen, kG1YNum, kG1YDen).to_affine();
}

G2Affine iso_map_g2(const SswuPointG2& p) noexcept {
    return iso_map<G2Curve>(p.x, p.y, kG2XNum, kG2XDen, kG2YNum, kG2YDen).to_affine();
}

G1 clear_cofactor_g1(const G1& p) noexcept {
    // RFC 9380 section 7: h_eff = 1 - x = |x| + 1 (x < 0), so h_eff P = |x| P + P.
    return g1_mul_by_x_abs(p) + p;
}

G2 clear_cofactor_g2(const G2& p) noexcept { return clear_cofactor_g2_of(p); }
G2 clear_cofactor_g2(const G2Affine& p) noexcept { return clear_cofactor_g2_of(p); }

G1Affine map_fp_to_g1(const Fp& u) noexcept {
    const SswuPointG1 p = sswu_g1(u);
    return clear_cofactor_g1(iso_map<G1Curve>(p.x, p.y, kG1XNum, kG1XDen, kG1YNum, kG1YDen)).to_affine();
}

G2Affine map_fp2_to_g2(const Fp2& u) noexcept { return clear_cofactor_g2(sswu_iso_map_g2(u)).to_affine(); }

}  // namespace polyvm::bls12_381

// The extension tower used by pairings on BN and BLS12 curves:
//
//     Fp2  = Fp[u]  / (u^2 - beta)       beta a non-square in Fp      (-1 for BN254 and BLS12-381)
//     Fp6  = Fp2[v] / (v^3 - xi)         xi a non-cube in Fp2         (9+u for BN254, 1+u for BLS12-381)
//     Fp12 = Fp6[w] / (w^2 - v)          so w^6 = xi
//
// One config struct describes the whole tower:
//
//     struct MyTower {
//         using Fp = field::Fp<MyFpParams>;
//         static constexpr int kBeta = -1;             // u^2 = beta
//         static constexpr int kXi0 = 1, kXi1 = 1;     // xi = kXi0 + kXi1 * u
//     };
//     using Fp2 = field::Fp2<MyTower>; using Fp6 = field::Fp6<MyTower>; using Fp12 = field::Fp12<MyTower>;
//
// The Frobenius coefficients xi^(i (p^k - 1) / 6) are computed at compile time from xi and p (they
// need p = 1 mod 6, true for BN and BLS12 base fields). Nothing is constant time.
#pragma once

#include "crypto/field/montgomery.hpp"

#include <array>

namespace polyvm::field {

namespace detail {
/// K * a for a small non-negative compile-time constant: an unrolled double-and-add chain
/// (the tower's constants are tiny: 1, 3, 9), far cheaper than a Montgomery product.
template <uint64_t K, class F>
[[gnu::always_inline]] constexpr F mul_const(const F& a) noexcept {
    if constexpr (K == 0)
        return F{};
    else if constexpr (K == 1)
        return a;
    else if constexpr (K % 2 == 0)
        return mul_const<K / 2>(a).dbl();
    else
        return mul_const<K - 1>(a) + a;
}
/// K * a for a small signed compile-time constant.
template <int K, class F>
[[gnu::always_inline]] constexpr F mul_int(const F& a) noexcept {
    if constexpr (K < 0)
        return -mul_const<static_cast<uint64_t>(-K)>(a);
    else
        return mul_const<static_cast<uint64_t>(K)>(a);
}
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Fp2

template <class Cfg>
struct Fp2 {
    using Base = typename Cfg::Fp;
    static constexpr int kBeta = Cfg::kBeta;

    Base c0{}, c1{};  // c0 + c1 u

    static constexpr Fp2 zero() noexcept { return {}; }
    static constexpr Fp2 one() noexcept { return {Base::one(), Base{}}; }
    static constexpr Fp2 from_base(const Base& a) noexcept { return {a, Base{}}; }

    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero(); }
    constexpr bool is_one() const noexcept { return c0.is_one() && c1.is_zero(); }
    friend constexpr bool operator==(const Fp2& a, const Fp2& b) noexcept { return a.c0 == b.c0 && a.c1 == b.c1; }
    friend constexpr bool operator!=(const Fp2& a, const Fp2& b) noexcept { return !(a == b); }

    friend constexpr Fp2 operator+(const Fp2& a, const Fp2& b) noexcept { return {a.c0 + b.c0, a.c1 + b.c1}; }
    friend constexpr Fp2 operator-(const Fp2& a, const Fp2& b) noexcept { return {a.c0 - b.c0, a.c1 - b.c1}; }
    constexpr Fp2 operator-() const noexcept { return {-c0, -c1}; }
    constexpr Fp2& operator+=(const Fp2& b) noexcept { return *this = *this + b; }
    constexpr Fp2& operator-=(const Fp2& b) noexcept { return *this = *this - b; }
    constexpr Fp2& operator*=(const Fp2& b) noexcept { return *this = *this * b; }
    constexpr Fp2 dbl() const noexcept { return {c0.dbl(), c1.dbl()}; }
    constexpr Fp2 mul_small(uint64_t k) const noexcept { return {c0.mul_small(k), c1.mul_small(k)}; }
    constexpr Fp2 mul_base(const Base& k) const noexcept { return {c0 * k, c1 * k}; }

    friend constexpr Fp2 operator*(const Fp2& a, const Fp2& b) noexcept {
        if constexpr (requires(typename Base::Limbs& x, const typename Base::Limbs& y) {
                          { Cfg::fp2_mul_kernel(x, x, y, y, y, y) } -> std::same_as<bool>;
                      }) {
            // A tower may supply a faster product (BLS12-381: Karatsuba on double-width
            // products with two reductions instead of three). It returns false where it does
            // not apply, and compile-time evaluation takes the portable code below.
            Fp2 r;
            if (!std::is_constant_evaluated() && Cfg::fp2_mul_kernel(r.c0.m, r.c1.m, a.c0.m, a.c1.m, b.c0.m, b.c1.m))
                return r;
        }
        // Karatsuba: 3 base multiplications instead of 4.
        const Base t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
        const Base m = Base::add_lazy(a.c0, a.c1) * Base::add_lazy(b.c0, b.c1);
        if constexpr (kBeta == -1)
            return {t0 - t1, m - t0 - t1};
        else
            return {t0 + detail::mul_int<kBeta>(t1), m - t0 - t1};
    }
    constexpr Fp2 sqr() const noexcept {
        const Base p = c0 * c1;
        if constexpr (kBeta == -1) {
            // (a + bu)^2 = (a + b)(a - b) + 2ab u when u^2 = -1: two multiplications.
            return {Base::add_lazy(c0, c1) * (c0 - c1), p.dbl()};
        } else {
            return {c0.sqr() + detail::mul_int<kBeta>(c1.sqr()), p.dbl()};
        }
    }
    /// The norm to Fp: (a + bu)(a - bu) = a^2 - beta b^2.
    constexpr Base norm() const noexcept { return c0.sqr() - detail::mul_int<kBeta>(c1.sqr()); }
    constexpr Fp2 conjugate() const noexcept { return {c0, -c1}; }
    constexpr Fp2 inverse() const noexcept {
        const Base n = norm().inverse();
        return {c0 * n, -(c1 * n)};
    }
    /// x^(p^k): u^p = u * beta^((p-1)/2) = -u since beta is a non-square, so odd powers conjugate.
    constexpr Fp2 frobenius(unsigned k) const noexcept { return (k & 1) ? conjugate() : *this; }

    /// Multiplication by xi = kXi0 + kXi1 u (the Fp6 non-residue) with additions only.
    constexpr Fp2 mul_by_xi() const noexcept {
        constexpr int x0 = Cfg::kXi0, x1 = Cfg::kXi1;
        return {detail::mul_int<x0>(c0) + detail::mul_int<kBeta>(detail::mul_int<x1>(c1)),
                detail::mul_int<x0>(c1) + detail::mul_int<x1>(c0)};
    }
    static constexpr Fp2 xi() noexcept { return one().mul_by_xi(); }

    template <size_t M>
    constexpr Fp2 pow(const field::Limbs<M>& e) const noexcept {
        Fp2 r = one();
        for (size_t i = detail::bit_length(e); i-- > 0;) {
            r = r.sqr();
            if (detail::bit(e, i)) r *= *this;
        }
        return r;
    }

    /// Square root when beta = -1 and p = 3 (mod 4) (Adj and Rodriguez-Henriquez, "Square root
    /// computation over even extension fields", 2014, algorithm 9). nullopt for non-squares.
    constexpr std::optional<Fp2> sqrt() const noexcept {
        static_assert(kBeta == -1 && Base::kModulus[0] % 4 == 3, "Fp2::sqrt needs u^2 = -1 and p = 3 mod 4");
        if (is_zero()) return *this;
        constexpr auto e1 = detail::div_small(Base::kModulus, 4);                       // (p-3)/4
        constexpr auto e2 = detail::div_small(Base::kModulus, 2);                       // (p-1)/2
        const Fp2 a1 = pow(e1);
        const Fp2 alpha = a1.sqr() * *this;  // a^((p-1)/2)
        const Fp2 a0 = alpha.frobenius(1) * alpha;  // a^((p^2-1)/2): -1 for non-squares
        if (a0 == -one()) return std::nullopt;
        const Fp2 x0 = a1 * *this;
        Fp2 x;
        if (alpha == -one())
            x = Fp2{-x0.c1, x0.c0};  // u * x0
        else
            x = (alpha + one()).pow(e2) * x0;
        if (x.sqr() != *this) return std::nullopt;
        return x;
    }
};

// ---------------------------------------------------------------------------------------------
// Frobenius coefficients

/// gamma[k][i] = xi^(i (p^k - 1) / 6) for k = 0..11, i = 0..5: w^(p^k) = gamma[k][1] w because
/// w^6 = xi, and gamma[k][1] = gamma[k-1][1]^p * gamma[1][1] since
/// (p^k - 1)/6 = p (p^(k-1) - 1)/6 + (p - 1)/6.
template <class Cfg>
struct FrobeniusTable {
    using F2 = Fp2<Cfg>;
    using Base = typename Cfg::Fp;
    static_assert(detail::mod_small(Base::kModulus, 6) == 1, "the tower needs p = 1 (mod 6)");

    static constexpr std::array<std::array<F2, 6>, 12> compute() noexcept {
        std::array<std::array<F2, 6>, 12> g{};
        const F2 g1 = F2::xi().pow(detail::div_small(Base::kModulus, 6));  // (p - 1)/6, p = 1 mod 6
        F2 gk = F2::one();
        for (unsigned k = 0; k < 12; ++k) {
            F2 acc = F2::one();
            for (unsigned i = 0; i < 6; ++i) {
                g[k][i] = acc;
                acc *= gk;
            }
            gk = gk.frobenius(1) * g1;
        }
        return g;
    }
    static constexpr std::array<std::array<F2, 6>, 12> kGamma = compute();
};

// ---------------------------------------------------------------------------------------------
// Fp6

template <class Cfg>
struct Fp6 {
    using F2 = Fp2<Cfg>;
    F2 c0{}, c1{}, c2{};  // c0 + c1 v + c2 v^2

    static constexpr Fp6 zero() noexcept { return {}; }
    static constexpr Fp6 one() noexcept { return {F2::one(), F2{}, F2{}}; }

    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
    constexpr bool is_one() const noexcept { return c0.is_one() && c1.is_zero() && c2.is_zero(); }
    friend constexpr bool operator==(const Fp6& a, const Fp6& b) noexcept {
        return a.c0 == b.c0 && a.c1 == b.c1 && a.c2 == b.c2;
    }
    friend constexpr bool operator!=(const Fp6& a, const Fp6& b) noexcept { return !(a == b); }

    friend constexpr Fp6 operator+(const Fp6& a, const Fp6& b) noexcept { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
    friend constexpr Fp6 operator-(const Fp6& a, const Fp6& b) noexcept { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
    constexpr Fp6 operator-() const noexcept { return {-c0, -c1, -c2}; }
    constexpr Fp6& operator+=(const Fp6& b) noexcept { return *this = *this + b; }
    constexpr Fp6& operator-=(const Fp6& b) noexcept { return *this = *this - b; }
    constexpr Fp6& operator*=(const Fp6& b) noexcept { return *this = *this * b; }
    constexpr Fp6 dbl() const noexcept { return {c0.dbl(), c1.dbl(), c2.dbl()}; }

    /// (c0 + c1 v + c2 v^2) v = xi c2 + c0 v + c1 v^2.
    constexpr Fp6 mul_by_v() const noexcept { return {c2.mul_by_xi(), c0, c1}; }
    constexpr Fp6 mul_fp2(const F2& k) const noexcept { return {c0 * k, c1 * k, c2 * k}; }

    friend constexpr Fp6 operator*(const Fp6& a, const Fp6& b) noexcept {
        // Karatsuba over three terms: 6 Fp2 multiplications.
        const F2 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2;
        const F2 r0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_by_xi() + t0;
        const F2 r1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_by_xi();
        const F2 r2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1;
        return {r0, r1, r2};
    }
    /// Multiplication by b0 + b1 v (b2 = 0): 5 Fp2 multiplications.
    constexpr Fp6 mul_by_01(const F2& b0, const F2& b1) const noexcept {
        const F2 t0 = c0 * b0, t1 = c1 * b1;
        return {(c2 * b1).mul_by_xi() + t0, (c0 + c1) * (b0 + b1) - t0 - t1, c2 * b0 + t1};
    }
    /// Multiplication by b1 v + b2 v^2 (b0 = 0): 5 Fp2 multiplications.
    constexpr Fp6 mul_by_12(const F2& b1, const F2& b2) const noexcept {
        // (c0 + c1 v + c2 v^2)(b1 v + b2 v^2) = xi (c1 b2 + c2 b1) + (c0 b1 + xi c2 b2) v + (c0 b2 + c1 b1) v^2
        const F2 t1 = c1 * b1, t2 = c2 * b2;
        const F2 m12 = (c1 + c2) * (b1 + b2) - t1 - t2;  // c1 b2 + c2 b1
        return {m12.mul_by_xi(), c0 * b1 + t2.mul_by_xi(), c0 * b2 + t1};
    }
    /// Multiplication by b1 v.
    constexpr Fp6 mul_by_1(const F2& b1) const noexcept { return {(c2 * b1).mul_by_xi(), c0 * b1, c1 * b1}; }

    constexpr Fp6 sqr() const noexcept {
        // Chung-Hasan SQR2: s0 = a0^2, s1 = 2 a0 a1, s2 = (a0 - a1 + a2)^2, s3 = 2 a1 a2, s4 = a2^2.
        const F2 s0 = c0.sqr(), s1 = (c0 * c1).dbl(), s2 = (c0 - c1 + c2).sqr(), s3 = (c1 * c2).dbl(), s4 = c2.sqr();
        return {s0 + s3.mul_by_xi(), s1 + s4.mul_by_xi(), s1 + s2 + s3 - s0 - s4};
    }
    constexpr Fp6 inverse() const noexcept {
        const F2 t0 = c0.sqr() - (c1 * c2).mul_by_xi();
        const F2 t1 = c2.sqr().mul_by_xi() - c0 * c1;
        const F2 t2 = c1.sqr() - c0 * c2;
        const F2 n = c0 * t0 + (c2 * t1 + c1 * t2).mul_by_xi();  // the norm to Fp2
        const F2 ni = n.inverse();
        return {t0 * ni, t1 * ni, t2 * ni};
    }
    template <size_t M>
    constexpr Fp6 pow(const field::Limbs<M>& e) const noexcept {
        Fp6 r = one();
        for (size_t i = detail::bit_length(e); i-- > 0;) {
            r = r.sqr();
            if (detail::bit(e, i)) r *= *this;
        }
        return r;
    }
    /// x^(p^k), k in 0..11: v^(p^k) = gamma[k][2] v since v = w^2.
    constexpr Fp6 frobenius(unsigned k) const noexcept {
        const auto& g = FrobeniusTable<Cfg>::kGamma[k % 12];
        return {c0.frobenius(k), c1.frobenius(k) * g[2], c2.frobenius(k) * g[4]};
    }
};

// ---------------------------------------------------------------------------------------------
// Fp12

template <class Cfg>
struct Fp12 {
    using F2 = Fp2<Cfg>;
    using F6 = Fp6<Cfg>;
    F6 c0{}, c1{};  // c0 + c1 w. In the w basis: c0 = (w^0, w^2, w^4), c1 = (w^1, w^3, w^5).

    static constexpr Fp12 zero() noexcept { return {}; }
    static constexpr Fp12 one() noexcept { return {F6::one(), F6{}}; }

    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero(); }
    constexpr bool is_one() const noexcept { return c0.is_one() && c1.is_zero(); }
    friend constexpr bool operator==(const Fp12& a, const Fp12& b) noexcept { return a.c0 == b.c0 && a.c1 == b.c1; }
    friend constexpr bool operator!=(const Fp12& a, const Fp12& b) noexcept { return !(a == b); }

    friend constexpr Fp12 operator+(const Fp12& a, const Fp12& b) noexcept { return {a.c0 + b.c0, a.c1 + b.c1}; }
    friend constexpr Fp12 operator-(const Fp12& a, const Fp12& b) noexcept { return {a.c0 - b.c0, a.c1 - b.c1}; }
    constexpr Fp12 operator-() const noexcept { return {-c0, -c1}; }
    constexpr Fp12& operator*=(const Fp12& b) noexcept { return *this = *this * b; }

    friend constexpr Fp12 operator*(const Fp12& a, const Fp12& b) noexcept {
        // Karatsuba: (a0 + a1 w)(b0 + b1 w) = a0 b0 + a1 b1 v + ((a0+a1)(b0+b1) - a0 b0 - a1 b1) w.
        const F6 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
        return {t0 + t1.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    constexpr Fp12 sqr() const noexcept {
        // Complex squaring: (a0 + a1 w)^2 = (a0 + a1)(a0 + v a1) - t - v t + 2t w, t = a0 a1.
        const F6 t = c0 * c1;
        const F6 r0 = (c0 + c1) * (c0 + c1.mul_by_v()) - t - t.mul_by_v();
        return {r0, t.dbl()};
    }
    /// x^(p^6): w^(p^6) = -w, the conjugation of Fp12 over Fp6. On the cyclotomic subgroup
    /// (every pairing value after the easy part of the final exponentiation) it is the inverse.
    constexpr Fp12 conjugate() const noexcept { return {c0, -c1}; }
    constexpr Fp12 inverse() const noexcept {
        // (a0 + a1 w)^-1 = (a0 - a1 w) / (a0^2 - a1^2 v).
        const F6 n = (c0.sqr() - c1.sqr().mul_by_v()).inverse();
        return {c0 * n, -(c1 * n)};
    }
    /// x^(p^k), k in 0..11: each coefficient is raised to p^k and w^i picks up gamma[k][i].
    constexpr Fp12 frobenius(unsigned k) const noexcept {
        const auto& g = FrobeniusTable<Cfg>::kGamma[k % 12];
        const F6 a = c0.frobenius(k);
        return {a, {c1.c0.frobenius(k) * g[1], c1.c1.frobenius(k) * g[3], c1.c2.frobenius(k) * g[5]}};
    }

    /// Multiplication by a sparse element b0 + b1 w + b3 w^3 (in the w basis), the shape of a
    /// line function on a D-type sextic twist (BN254): 13 Fp2 multiplications instead of 18.
    constexpr Fp12 mul_by_w013(const F2& b0, const F2& b1, const F2& b3) const noexcept {
        // As c0 + c1 w: L0 = (b0, 0, 0), L1 = (b1, b3, 0) since w^3 = v w.
        const F6 t0 = c0.mul_fp2(b0);
        const F6 t1 = c1.mul_by_01(b1, b3);
        const F6 s = (c0 + c1).mul_by_01(b0 + b1, b3);
        return {t0 + t1.mul_by_v(), s - t0 - t1};
    }
    /// Multiplication by b0 + b3 w^3 + b5 w^5, the shape of a line on an M-type twist (BLS12-381):
    /// 14 Fp2 multiplications.
    constexpr Fp12 mul_by_w035(const F2& b0, const F2& b3, const F2& b5) const noexcept {
        // L0 = (b0, 0, 0), L1 = (0, b3, b5): w^3 = v w, w^5 = v^2 w.
        const F6 t0 = c0.mul_fp2(b0);
        const F6 t1 = c1.mul_by_12(b3, b5);
        const F6 s = (c0 + c1) * F6{b0, b3, b5};
        return {t0 + t1.mul_by_v(), s - t0 - t1};
    }

    /// Squaring in the cyclotomic subgroup (elements of order dividing p^4 - p^2 + 1), Granger and
    /// Scott, "Faster squaring in the cyclotomic subgroup of sixth degree extensions" (PKC 2010).
    /// View Fp12 as Fp4[w]/(w^3 - t) with Fp4 = Fp2[t]/(t^2 - xi), t = w^3:
    /// f = A + B w + C w^2 with A = (w^0, w^3), B = (w^1, w^4), C = (w^2, w^5). Then
    /// f^2 = (3A^2 - 2 conj A) + (3 t C^2 + 2 conj B) w + (3 B^2 - 2 conj C) w^2,
    /// where conj is t -> -t. 6 Fp2 squarings in place of a full Fp12 squaring.
    constexpr Fp12 cyclotomic_sqr() const noexcept {
        // (x + y t)^2 = (x^2 + xi y^2) + ((x + y)^2 - x^2 - y^2) t.
        auto fp4_sqr = [](const F2& x, const F2& y, F2& rx, F2& ry) {
            const F2 x2 = x.sqr(), y2 = y.sqr();
            rx = x2 + y2.mul_by_xi();
            ry = (x + y).sqr() - x2 - y2;
        };
        const F2 a0 = c0.c0, a1 = c1.c1;  // A = a0 + a1 t
        const F2 b0 = c1.c0, b1 = c0.c2;  // B
        const F2 d0 = c0.c1, d1 = c1.c2;  // C
        F2 A0, A1, B0, B1, C0, C1;
        fp4_sqr(a0, a1, A0, A1);
        fp4_sqr(b0, b1, B0, B1);
        fp4_sqr(d0, d1, C0, C1);
        // t C^2 = xi C1 + C0 t.
        const F2 tc0 = C1.mul_by_xi(), tc1 = C0;
        // 3X - 2 conj(x) for the real part: 3X0 - 2x0 = 2(X0 - x0) + X0; imaginary: 3X1 + 2x1.
        const F2 r_a0 = (A0 - a0).dbl() + A0, r_a1 = (A1 + a1).dbl() + A1;
        const F2 r_b0 = (tc0 + b0).dbl() + tc0, r_b1 = (tc1 - b1).dbl() + tc1;
        const F2 r_c0 = (B0 - d0).dbl() + B0, r_c1 = (B1 + d1).dbl() + B1;
        Fp12 r;
        r.c0.c0 = r_a0;
        r.c1.c1 = r_a1;
        r.c1.c0 = r_b0;
        r.c0.c2 = r_b1;
        r.c0.c1 = r_c0;
        r.c1.c2 = r_c1;
        return r;
    }

    template <size_t M>
    constexpr Fp12 pow(const field::Limbs<M>& e) const noexcept {
        Fp12 r = one();
        for (size_t i = detail::bit_length(e); i-- > 0;) {
            r = r.sqr();
            if (detail::bit(e, i)) r *= *this;
        }
        return r;
    }
    /// pow() for elements of the cyclotomic subgroup (uses cyclotomic squarings).
    template <size_t M>
    constexpr Fp12 cyclotomic_pow(const field::Limbs<M>& e) const noexcept {
        Fp12 r = one();
        for (size_t i = detail::bit_length(e); i-- > 0;) {
            r = r.cyclotomic_sqr();
            if (detail::bit(e, i)) r *= *this;
        }
        return r;
    }
};

}  // namespace polyvm::field

// Short-Weierstrass curves y^2 = x^3 + b (a = 0, as for every pairing-friendly curve used by
// Ethereum) over any field type from montgomery.hpp / extension.hpp.
//
// A curve config supplies the field and the constant b:
//
//     struct MyG1 {
//         using Field = MyFp;
//         static constexpr Field kB = Field::from_u64(4);
//     };
//     using G1Affine = field::AffinePoint<MyG1>;
//     using G1 = field::JacobianPoint<MyG1>;
//
// Points are public data: nothing is constant time.
#pragma once

#include "crypto/field/montgomery.hpp"

#include <vector>

namespace polyvm::field {

template <class Curve>
struct AffinePoint {
    using F = typename Curve::Field;
    F x{}, y{};
    bool infinity = true;

    static constexpr AffinePoint identity() noexcept { return {}; }
    static constexpr AffinePoint of(const F& x, const F& y) noexcept { return {x, y, false}; }

    constexpr bool is_infinity() const noexcept { return infinity; }
    /// y^2 = x^3 + b (the point at infinity counts as on the curve).
    constexpr bool is_on_curve() const noexcept {
        if (infinity) return true;
        return y.sqr() == x.sqr() * x + Curve::kB;
    }
    constexpr AffinePoint operator-() const noexcept { return infinity ? *this : AffinePoint{x, -y, false}; }

    /// P + Q in affine coordinates: one inversion (of x2 - x1, or 2y for a doubling) and three
    /// multiplications, cheaper than a Jacobian addition plus conversion for a single sum.
    constexpr AffinePoint add(const AffinePoint& q) const noexcept {
        if (infinity) return q;
        if (q.infinity) return *this;
        F lambda;
        if (x == q.x) {
            if (y != q.y || y.is_zero()) return identity();  // Q = -P (or P of order 2)
            const F xx = x.sqr();
            lambda = (xx.dbl() + xx) * y.dbl().inverse();  // tangent: 3x^2 / 2y (a = 0)
        } else {
            lambda = (q.y - y) * (q.x - x).inverse();
        }
        const F x3 = lambda.sqr() - x - q.x;
        return of(x3, lambda * (x - x3) - y);
    }
    friend constexpr bool operator==(const AffinePoint& a, const AffinePoint& b) noexcept {
        if (a.infinity || b.infinity) return a.infinity == b.infinity;
        return a.x == b.x && a.y == b.y;
    }
};

/// Jacobian coordinates: (X, Y, Z) is the affine point (X/Z^2, Y/Z^3); Z = 0 is infinity.
template <class Curve>
struct JacobianPoint {
    using F = typename Curve::Field;
    using Affine = AffinePoint<Curve>;
    F X{}, Y = F::one(), Z{};

    static constexpr JacobianPoint identity() noexcept { return {}; }
    static constexpr JacobianPoint from_affine(const Affine& a) noexcept {
        if (a.infinity) return {};
        return {a.x, a.y, F::one()};
    }

    constexpr bool is_infinity() const noexcept { return Z.is_zero(); }

    constexpr Affine to_affine() const noexcept {
        if (is_infinity()) return {};
        const F zi = Z.inverse(), zi2 = zi.sqr();
        return Affine::of(X * zi2, Y * zi2 * zi);
    }

    /// Y^2 = X^3 + b Z^6.
    constexpr bool is_on_curve() const noexcept {
        if (is_infinity()) return true;
        const F z2 = Z.sqr(), z6 = z2.sqr() * z2;
        return Y.sqr() == X.sqr() * X + Curve::kB * z6;
    }

    constexpr JacobianPoint operator-() const noexcept { return {X, -Y, Z}; }

    /// Same point: X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3.
    friend constexpr bool operator==(const JacobianPoint& a, const JacobianPoint& b) noexcept {
        if (a.is_infinity() || b.is_infinity()) return a.is_infinity() == b.is_infinity();
        const F z1 = a.Z.sqr(), z2 = b.Z.sqr();
        return a.X * z2 == b.X * z1 && a.Y * z2 * b.Z == b.Y * z1 * a.Z;
    }

    /// 2P (formula dbl-2009-l for a = 0: 2M + 5S).
    constexpr JacobianPoint dbl() const noexcept {
        if (is_infinity()) return *this;
        const F A = X.sqr(), B = Y.sqr(), C = B.sqr();
        const F D = ((X + B).sqr() - A - C).dbl();
        const F E = A.dbl() + A, Fv = E.sqr();
        JacobianPoint r;
        r.X = Fv - D.dbl();
        r.Y = E * (D - r.X) - C.dbl().dbl().dbl();
        r.Z = (Y * Z).dbl();
        return r;
    }

    /// P + Q (formula add-2007-bl: 11M + 5S), with the doubling and inverse cases handled.
    constexpr JacobianPoint operator+(const JacobianPoint& q) const noexcept {
        if (is_infinity()) return q;
        if (q.is_infinity()) return *this;
        const F z1z1 = Z.sqr(), z2z2 = q.Z.sqr();
        const F u1 = X * z2z2, u2 = q.X * z1z1;
        const F s1 = Y * q.Z * z2z2, s2 = q.Y * Z * z1z1;
        const F h = u2 - u1, rr = (s2 - s1).dbl();
        if (h.is_zero()) return rr.is_zero() ? dbl() : identity();
        const F i = h.dbl().sqr(), j = h * i, v = u1 * i;
        JacobianPoint r;
        r.X = rr.sqr() - j - v.dbl();
        r.Y = rr * (v - r.X) - (s1 * j).dbl();
        r.Z = ((Z + q.Z).sqr() - z1z1 - z2z2) * h;
        return r;
    }

    /// P + Q for an affine Q (formula madd-2007-bl: 7M + 4S).
    constexpr JacobianPoint add_mixed(const Affine& q) const noexcept {
        if (q.infinity) return *this;
        if (is_infinity()) return from_affine(q);
        const F z1z1 = Z.sqr();
        const F u2 = q.x * z1z1, s2 = q.y * Z * z1z1;
        const F h = u2 - X, rr = (s2 - Y).dbl();
        if (h.is_zero()) return rr.is_zero() ? dbl() : identity();
        const F hh = h.sqr(), i = hh.dbl().dbl(), j = h * i, v = X * i;
        JacobianPoint r;
        r.X = rr.sqr() - j - v.dbl();
        r.Y = rr * (v - r.X) - (Y * j).dbl();
        r.Z = (Z + h).sqr() - z1z1 - hh;
        return r;
    }

    constexpr JacobianPoint operator-(const JacobianPoint& q) const noexcept { return *this + (-q); }
    constexpr JacobianPoint& operator+=(const JacobianPoint& q) noexcept { return *this = *this + q; }

    /// k P for a scalar of M little-endian limbs (any size; not reduced by the group order).
    /// Width-5 wNAF: about bits/6 additions after 8 precomputed odd multiples.
    template <size_t M>
    constexpr JacobianPoint mul(const Limbs<M>& k) const noexcept {
        constexpr unsigned kWidth = 5;
        if (is_infinity() || detail::is_zero(k)) return identity();
        int8_t digits[64 * M + 1] = {};
        const size_t n = wnaf(k, kWidth, digits);
        JacobianPoint table[1u << (kWidth - 2)];  // P, 3P, 5P, ..., 15P
        table[0] = *this;
        const JacobianPoint p2 = dbl();
        for (size_t i = 1; i < std::size(table); ++i) table[i] = table[i - 1] + p2;
        JacobianPoint r;
        for (size_t i = n; i-- > 0;) {
            r = r.dbl();
            const int d = digits[i];
            if (d > 0) r += table[(d - 1) / 2];
            if (d < 0) r += -table[(-d - 1) / 2];
        }
        return r;
    }

    /// Width-w non-adjacent form of k: digits[i] in {0, +-1, +-3, ..., +-(2^(w-1) - 1)}, at most
    /// one non-zero digit in any w consecutive ones. Returns the digit count (<= 64 M + 1).
    template <size_t M>
    static constexpr size_t wnaf(const Limbs<M>& k, unsigned w, int8_t* digits) noexcept {
        // One extra limb: subtracting a negative digit can carry past the top of k.
        Limbs<M + 1> t{};
        for (size_t i = 0; i < M; ++i) t[i] = k[i];
        const uint64_t mask = (uint64_t{1} << w) - 1;
        size_t n = 0;
        while (!detail::is_zero(t)) {
            int d = 0;
            if (t[0] & 1) {
                d = static_cast<int>(t[0] & mask);
                if (d >= (1 << (w - 1))) d -= (1 << w);
                if (d > 0)
                    t = detail::sub_small(t, static_cast<uint64_t>(d));
                else
                    t = detail::add_small(t, static_cast<uint64_t>(-d));
            }
            digits[n++] = static_cast<int8_t>(d);
            for (size_t i = 0; i < M; ++i) t[i] = (t[i] >> 1) | (t[i + 1] << 63);
            t[M] >>= 1;
        }
        return n;
    }
};

/// Converts many Jacobian points to affine with one field inversion (Montgomery's trick).
template <class Curve>
void batch_to_affine(const JacobianPoint<Curve>* in, AffinePoint<Curve>* out, size_t n) {
    using F = typename Curve::Field;
    std::vector<F> prefix(n);
    F acc = F::one();
    for (size_t i = 0; i < n; ++i) {
        prefix[i] = acc;
        if (!in[i].is_infinity()) acc *= in[i].Z;
    }
    F inv = acc.inverse();
    for (size_t i = n; i-- > 0;) {
        if (in[i].is_infinity()) {
            out[i] = {};
            continue;
        }
        const F zi = inv * prefix[i];  // 1 / Z_i
        inv *= in[i].Z;
        const F zi2 = zi.sqr();
        out[i] = AffinePoint<Curve>::of(in[i].X * zi2, in[i].Y * zi2 * zi);
    }
}

}  // namespace polyvm::field

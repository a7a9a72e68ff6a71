// Prime fields in Montgomery form over N 64-bit limbs: the base layer of the pairing code
// (BN254 for EIP-196/197, BLS12-381 for EIP-2537 and EIP-4844).
//
// How to instantiate it for a new curve
// -------------------------------------
// Write a parameter struct with the limb count and the modulus (little-endian limbs, or parse a
// hex string at compile time with limbs_from_hex):
//
//     struct MyFpParams {
//         static constexpr size_t kLimbs = 6;
//         static constexpr std::array<uint64_t, 6> kModulus = field::limbs_from_hex<6>("1a0111ea...");
//     };
//     using MyFp = field::Fp<MyFpParams>;
//
// Everything else (R mod p, R^2 and R^3 mod p, -p^-1 mod 2^64, the exponents used by pow-based
// helpers) is derived from the modulus at compile time. Requirements: p odd and its top limb
// non-zero (pick N = ceil(bits / 64)). A top limb below 2^63 - 1 (a spare bit: true for BN254 and
// BLS12-381) selects the faster multiplication; other moduli take the textbook CIOS path (both
// are tested). sqrt() needs p = 3 (mod 4) (true for both curves); a curve with p = 1 (mod 4)
// would add Tonelli-Shanks in the marked place.
//
// Then: Fp::from_be / to_be (8N big-endian bytes, "< p" checked), from_u64, from_hex (consteval
// constants), + - * sqr() dbl() half() mul_small() inverse() pow(limbs) sqrt() is_square(),
// is_zero() is_one() is_odd(), ==. The extension tower is in extension.hpp, curves in curve.hpp.
//
// Nothing here is constant time: every caller (the precompiles) works on public inputs.
// Elements always hold the fully reduced Montgomery representation a*R mod p (R = 2^(64N)), so
// equality is limb equality.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace polyvm::field {

using u128 = unsigned __int128;

template <size_t N>
using Limbs = std::array<uint64_t, N>;

namespace detail {

constexpr uint64_t lo(u128 v) noexcept { return static_cast<uint64_t>(v); }
constexpr uint64_t hi(u128 v) noexcept { return static_cast<uint64_t>(v >> 64); }

/// r = a - b over N limbs; returns the borrow (0 or 1).
template <size_t N>
[[gnu::always_inline]] constexpr uint64_t sub_borrow(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b) noexcept {
#if defined(__x86_64__)
    // GCC turns the 128-bit formulation below into setc/movzx sequences; the intrinsic gives
    // one sbb chain (3-4x faster field additions).
    if (!std::is_constant_evaluated()) {
        unsigned char c = 0;
#pragma GCC unroll 16
        for (size_t i = 0; i < N; ++i) {
            unsigned long long out;
            c = _subborrow_u64(c, a[i], b[i], &out);
            r[i] = out;
        }
        return c;
    }
#endif
    uint64_t borrow = 0;
#pragma GCC unroll 16
    for (size_t i = 0; i < N; ++i) {
        const u128 d = static_cast<u128>(a[i]) - b[i] - borrow;
        r[i] = lo(d);
        borrow = hi(d) & 1;
    }
    return borrow;
}

/// r = a + b over N limbs; returns the carry (0 or 1).
template <size_t N>
[[gnu::always_inline]] constexpr uint64_t add_carry(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned char c = 0;
#pragma GCC unroll 16
        for (size_t i = 0; i < N; ++i) {
            unsigned long long out;
            c = _addcarry_u64(c, a[i], b[i], &out);
            r[i] = out;
        }
        return c;
    }
#endif
    uint64_t carry = 0;
#pragma GCC unroll 16
    for (size_t i = 0; i < N; ++i) {
        const u128 s = static_cast<u128>(a[i]) + b[i] + carry;
        r[i] = lo(s);
        carry = hi(s);
    }
    return carry;
}

template <size_t N>
constexpr bool less_than(const Limbs<N>& a, const Limbs<N>& b) noexcept {
    Limbs<N> t{};
    return sub_borrow(t, a, b) != 0;
}

template <size_t N>
constexpr bool is_zero(const Limbs<N>& a) noexcept {
    uint64_t acc = 0;
    for (size_t i = 0; i < N; ++i) acc |= a[i];
    return acc == 0;
}

/// -m^-1 mod 2^64 for odd m: Newton's iteration x <- x(2 - m x) doubles the correct low bits,
/// and x = m is already right to 3 bits (m*m = 1 mod 8 for odd m).
constexpr uint64_t neg_inv64(uint64_t m) noexcept {
    uint64_t x = m;
    for (int i = 0; i < 5; ++i) x *= 2 - m * x;
    return ~x + 1;
}

/// 2^k mod p by repeated doubling; only used at compile time (k <= 2 * 64 * N).
template <size_t N>
constexpr Limbs<N> pow2_mod(const Limbs<N>& p, size_t k) noexcept {
    Limbs<N> r{};
    r[0] = 1;
    for (size_t i = 0; i < k; ++i) {
        uint64_t top = r[N - 1] >> 63;
        for (size_t j = N - 1; j > 0; --j) r[j] = (r[j] << 1) | (r[j - 1] >> 63);
        r[0] <<= 1;
        Limbs<N> t{};
        const uint64_t borrow = sub_borrow(t, r, p);
        if (top || !borrow) r = t;
    }
    return r;
}

/// a / d for a small divisor, discarding the remainder.
template <size_t N>
constexpr Limbs<N> div_small(const Limbs<N>& a, uint64_t d) noexcept {
    Limbs<N> q{};
    u128 rem = 0;
    for (size_t i = N; i-- > 0;) {
        const u128 cur = (rem << 64) | a[i];
        q[i] = lo(cur / d);
        rem = cur % d;
    }
    return q;
}

template <size_t N>
constexpr uint64_t mod_small(const Limbs<N>& a, uint64_t d) noexcept {
    u128 rem = 0;
    for (size_t i = N; i-- > 0;) rem = ((rem << 64) | a[i]) % d;
    return lo(rem);
}

template <size_t N>
constexpr Limbs<N> add_small(const Limbs<N>& a, uint64_t v) noexcept {
    Limbs<N> b{};
    b[0] = v;
    Limbs<N> r{};
    add_carry(r, a, b);
    return r;
}

template <size_t N>
constexpr Limbs<N> sub_small(const Limbs<N>& a, uint64_t v) noexcept {
    Limbs<N> b{};
    b[0] = v;
    Limbs<N> r{};
    sub_borrow(r, a, b);
    return r;
}

template <size_t N>
constexpr size_t bit_length(const Limbs<N>& a) noexcept {
    for (size_t i = N; i-- > 0;)
        if (a[i]) return 64 * i + 64 - static_cast<size_t>(__builtin_clzll(a[i]));
    return 0;
}

template <size_t N>
constexpr bool bit(const Limbs<N>& a, size_t i) noexcept {
    return (a[i / 64] >> (i % 64)) & 1;
}

constexpr int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace detail

/// Parses a big-endian hex number ("0x" optional, '_' and '\'' ignored) into N little-endian
/// limbs at compile time. Malformed or too-long input is a compile error when used in a constant
/// expression (the throw is never reached at run time by the callers, which pass literals).
template <size_t N>
consteval Limbs<N> limbs_from_hex(std::string_view s) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    Limbs<N> r{};
    size_t nibble = 0;
    for (size_t i = s.size(); i-- > 0;) {
        if (s[i] == '_' || s[i] == '\'') continue;
        const int d = detail::hex_digit(s[i]);
        if (d < 0 || nibble >= 16 * N) throw "limbs_from_hex: bad literal";
        r[nibble / 16] |= static_cast<uint64_t>(d) << (4 * (nibble % 16));
        ++nibble;
    }
    return r;
}

template <class Params>
class Fp {
public:
    static constexpr size_t N = Params::kLimbs;
    static constexpr size_t kBytes = 8 * N;
    using Limbs = field::Limbs<N>;

    static constexpr Limbs kModulus = Params::kModulus;
    static_assert(kModulus[0] & 1, "the modulus must be odd");
    static_assert(kModulus[N - 1] != 0, "the top limb of the modulus must be non-zero");
    static constexpr uint64_t kInv = detail::neg_inv64(kModulus[0]);  // -p^-1 mod 2^64
    static constexpr Limbs kR = detail::pow2_mod(kModulus, 64 * N);   // R mod p: Montgomery 1
    static constexpr Limbs kR2 = detail::pow2_mod(kModulus, 128 * N); // R^2 mod p: to Montgomery
    static constexpr Limbs kR3 = detail::pow2_mod(kModulus, 192 * N); // R^3 mod p: fixes inverses
    // With the modulus's top limb below 2^63 - 1 the CIOS loop can skip the carry word beyond
    // the top limb (the running sum stays below 2p < 2^(64N)), and additions cannot overflow N limbs.
    static constexpr bool kSpareBit = kModulus[N - 1] < 0x7fffffffffffffffULL;
    static constexpr size_t kBits = detail::bit_length(kModulus);

    Limbs m{};  // the Montgomery representation a*R mod p, fully reduced

    constexpr Fp() noexcept = default;

    static constexpr Fp zero() noexcept { return Fp{}; }
    static constexpr Fp one() noexcept { return from_montgomery(kR); }
    /// An element given by its Montgomery representation (already reduced).
    static constexpr Fp from_montgomery(const Limbs& v) noexcept {
        Fp r;
        r.m = v;
        return r;
    }
    /// The element with canonical value v, which must be < p (checked by from_canonical_checked).
    static constexpr Fp from_canonical(const Limbs& v) noexcept {
        Fp r;
        mont_mul(r.m, v, kR2);
        return r;
    }
    static constexpr std::optional<Fp> from_canonical_checked(const Limbs& v) noexcept {
        if (!detail::less_than(v, kModulus)) return std::nullopt;
        return from_canonical(v);
    }
    static constexpr Fp from_u64(uint64_t v) noexcept {
        Limbs l{};
        l[0] = v;
        if constexpr (N == 1) l[0] = v % kModulus[0];
        return from_canonical(l);
    }
    /// Compile-time constant from a hex literal (must be < p).
    static consteval Fp from_hex(std::string_view s) { return from_canonical(limbs_from_hex<N>(s)); }

    /// The canonical value in [0, p).
    constexpr Limbs to_canonical() const noexcept {
        Limbs one_l{};
        one_l[0] = 1;
        Limbs r{};
        mont_mul(r, m, one_l);
        return r;
    }

    /// Reads kBytes big-endian bytes; nullopt if the number is >= p (the encodings of EIP-196/197
    /// and EIP-2537 reject non-canonical coordinates).
    static std::optional<Fp> from_be(const uint8_t* p) noexcept {
        Limbs v{};
        for (size_t i = 0; i < N; ++i) {
            uint64_t w;
            std::memcpy(&w, p + 8 * (N - 1 - i), 8);
            v[i] = __builtin_bswap64(w);
        }
        return from_canonical_checked(v);
    }
    /// Writes the canonical value as kBytes big-endian bytes.
    void to_be(uint8_t* p) const noexcept {
        const Limbs v = to_canonical();
        for (size_t i = 0; i < N; ++i) {
            const uint64_t w = __builtin_bswap64(v[i]);
            std::memcpy(p + 8 * (N - 1 - i), &w, 8);
        }
    }

    constexpr bool is_zero() const noexcept { return detail::is_zero(m); }
    constexpr bool is_one() const noexcept { return m == kR; }
    /// Parity of the canonical value (the "sign" used by point compression and hash-to-curve).
    constexpr bool is_odd() const noexcept { return to_canonical()[0] & 1; }

    friend constexpr bool operator==(const Fp& a, const Fp& b) noexcept { return a.m == b.m; }
    friend constexpr bool operator!=(const Fp& a, const Fp& b) noexcept { return !(a.m == b.m); }

    [[gnu::always_inline]] friend constexpr Fp operator+(const Fp& a, const Fp& b) noexcept {
        Fp r;
        const uint64_t carry = detail::add_carry(r.m, a.m, b.m);
        reduce_once(r.m, carry);
        return r;
    }
    [[gnu::always_inline]] friend constexpr Fp operator-(const Fp& a, const Fp& b) noexcept {
        Fp r;
        if (detail::sub_borrow(r.m, a.m, b.m)) detail::add_carry(r.m, r.m, kModulus);
        return r;
    }
    /// a + b, left unreduced (below 2p) where Params::kLazySum says that products accept such
    /// operands (4p < R), else reduced. Only as an operand of *: other operations need m < p.
    [[gnu::always_inline]] static constexpr Fp add_lazy(const Fp& a, const Fp& b) noexcept {
        if constexpr (requires { Params::kLazySum; }) {
            if constexpr (Params::kLazySum) {
                static_assert(kModulus[N - 1] < (uint64_t{1} << 61), "kLazySum needs 4p < R");
                Fp r;
                detail::add_carry(r.m, a.m, b.m);
                return r;
            }
        }
        return a + b;
    }
    [[gnu::always_inline]] constexpr Fp operator-() const noexcept {
        if (is_zero()) return *this;
        Fp r;
        detail::sub_borrow(r.m, kModulus, m);
        return r;
    }
    [[gnu::always_inline]] friend constexpr Fp operator*(const Fp& a, const Fp& b) noexcept {
        Fp r;
        mont_mul(r.m, a.m, b.m);
        return r;
    }
    constexpr Fp& operator+=(const Fp& b) noexcept { return *this = *this + b; }
    constexpr Fp& operator-=(const Fp& b) noexcept { return *this = *this - b; }
    constexpr Fp& operator*=(const Fp& b) noexcept { return *this = *this * b; }

    [[gnu::always_inline]] constexpr Fp dbl() const noexcept { return *this + *this; }
    [[gnu::always_inline]] constexpr Fp sqr() const noexcept {
        Fp r;
        mont_sqr(r.m, m);
        return r;
    }
    /// Multiplication by a small constant by double-and-add (cheaper than a Montgomery product
    /// for the tower's small constants such as 3, 9).
    constexpr Fp mul_small(uint64_t k) const noexcept {
        Fp acc{}, base = *this;
        while (k) {
            if (k & 1) acc += base;
            k >>= 1;
            if (k) base = base.dbl();
        }
        return acc;
    }
    /// a / 2: add p when odd so the shift is exact.
    constexpr Fp half() const noexcept {
        Limbs t = m;
        uint64_t top = 0;
        if (t[0] & 1) top = detail::add_carry(t, t, kModulus);
        for (size_t i = 0; i + 1 < N; ++i) t[i] = (t[i] >> 1) | (t[i + 1] << 63);
        t[N - 1] = (t[N - 1] >> 1) | (top << 63);
        return from_montgomery(t);
    }

    /// a^e, e given as little-endian limbs (left-to-right square-and-multiply; not constant time).
    template <size_t M>
    constexpr Fp pow(const field::Limbs<M>& e) const noexcept {
        Fp r = one();
        const size_t bits = detail::bit_length(e);
        for (size_t i = bits; i-- > 0;) {
            r = r.sqr();
            if (detail::bit(e, i)) r *= *this;
        }
        return r;
    }

    /// a^-1 (0 maps to 0). Inverts the Montgomery representation x = aR as an integer mod p
    /// (safegcd, below) and multiplies by R^3 to land on a^-1 R. Variable time, which is fine
    /// for public inputs.
    constexpr Fp inverse() const noexcept {
        if (is_zero()) return {};
        const Limbs inv = inverse_limbs(m);  // (aR)^-1 = a^-1 R^-1
        // One Montgomery product with R^3 gives a^-1 R^-1 * R^3 / R = a^-1 R.
        Limbs r{};
        mont_mul(r, inv, kR3);
        return from_montgomery(r);
    }

    /// Square root for p = 3 (mod 4): a^((p+1)/4), checked. nullopt if a is not a square.
    /// (Sqrt hook: a curve with p = 1 (mod 4) needs Tonelli-Shanks here.)
    constexpr std::optional<Fp> sqrt() const noexcept {
        static_assert(kModulus[0] % 4 == 3, "sqrt() implements p = 3 (mod 4) only");
        const Fp c = pow(kSqrtExp);
        if (c.sqr() != *this) return std::nullopt;
        return c;
    }
    /// Euler's criterion: true for 0 and the non-zero squares.
    constexpr bool is_square() const noexcept {
        if (is_zero()) return true;
        return pow(kLegendreExp).is_one();
    }

    static constexpr Limbs kPMinus2 = detail::sub_small(kModulus, 2);
    static constexpr Limbs kSqrtExp = detail::add_small(detail::div_small(kModulus, 4), 1);  // (p+1)/4
    static constexpr Limbs kLegendreExp = detail::div_small(kModulus, 2);                    // (p-1)/2

private:
    /// Subtracts p once if (carry:t) >= p. Inputs are < 2p.
    [[gnu::always_inline]] static constexpr void reduce_once(Limbs& t, uint64_t carry) noexcept {
        Limbs s{};
        const uint64_t borrow = detail::sub_borrow(s, t, kModulus);
        if (carry || !borrow) t = s;
    }

    /// Montgomery product r = a b R^-1 mod p (CIOS: Coarsely Integrated Operand Scanning,
    /// Koc, Acar, Kaliski 1996). Loops have a fixed trip count and are unrolled.
    /// Inlined where a Params supplies a kernel, so that a product is one call into it.
    [[gnu::always_inline]] static constexpr void mont_mul(Limbs& r, const Limbs& a, const Limbs& b) noexcept {
        if constexpr (requires(Limbs& x, const Limbs& y) { { Params::mont_mul_kernel(x, y, y) } -> std::same_as<bool>; }) {
            // A Params may supply a faster product for its size (BLS12-381: x86-64 mulx/adx
            // assembly). It returns false where it does not apply; compile-time evaluation and
            // such CPUs use the portable loop.
            if (!std::is_constant_evaluated() && Params::mont_mul_kernel(r, a, b)) return;
        }
        mont_mul_portable(r, a, b);
    }
    static constexpr void mont_mul_portable(Limbs& r, const Limbs& a, const Limbs& b) noexcept {
        if constexpr (kSpareBit) {
            // Spare-bit variant: the word above the top limb is never needed, because the
            // partial result stays below 2p and p < 2^(64N-1); the two carry chains (a*b[i] and
            // m*p) run side by side.
            uint64_t t[N] = {};
#pragma GCC unroll 16
            for (size_t i = 0; i < N; ++i) {
                u128 s = static_cast<u128>(a[0]) * b[i] + t[0];
                uint64_t A = detail::hi(s);
                const uint64_t t0 = detail::lo(s);
                const uint64_t mq = t0 * kInv;
                u128 c = static_cast<u128>(mq) * kModulus[0] + t0;
                uint64_t C = detail::hi(c);
#pragma GCC unroll 16
                for (size_t j = 1; j < N; ++j) {
                    s = static_cast<u128>(a[j]) * b[i] + t[j] + A;
                    A = detail::hi(s);
                    c = static_cast<u128>(mq) * kModulus[j] + detail::lo(s) + C;
                    C = detail::hi(c);
                    t[j - 1] = detail::lo(c);
                }
                t[N - 1] = A + C;
            }
            Limbs res{};
            for (size_t i = 0; i < N; ++i) res[i] = t[i];
            reduce_once(res, 0);
            r = res;
        } else {
            // Textbook CIOS with two extra words for the carries.
            uint64_t t[N + 2] = {};
            for (size_t i = 0; i < N; ++i) {
                uint64_t C = 0;
#pragma GCC unroll 16
                for (size_t j = 0; j < N; ++j) {
                    const u128 s = static_cast<u128>(a[j]) * b[i] + t[j] + C;
                    t[j] = detail::lo(s);
                    C = detail::hi(s);
                }
                u128 s = static_cast<u128>(t[N]) + C;
                t[N] = detail::lo(s);
                t[N + 1] = detail::hi(s);
                const uint64_t mq = t[0] * kInv;
                s = static_cast<u128>(mq) * kModulus[0] + t[0];
                C = detail::hi(s);
#pragma GCC unroll 16
                for (size_t j = 1; j < N; ++j) {
                    s = static_cast<u128>(mq) * kModulus[j] + t[j] + C;
                    t[j - 1] = detail::lo(s);
                    C = detail::hi(s);
                }
                s = static_cast<u128>(t[N]) + C;
                t[N - 1] = detail::lo(s);
                t[N] = t[N + 1] + detail::hi(s);
            }
            Limbs res{};
            for (size_t i = 0; i < N; ++i) res[i] = t[i];
            reduce_once(res, t[N]);
            r = res;
        }
    }

    [[gnu::always_inline]] static constexpr void mont_sqr(Limbs& r, const Limbs& a) noexcept {
        if constexpr (requires(Limbs& x, const Limbs& y) { { Params::mont_sqr_kernel(x, y) } -> std::same_as<bool>; }) {
            // A dedicated squaring (BLS12-381: each cross product once) where the Params has one.
            if (!std::is_constant_evaluated() && Params::mont_sqr_kernel(r, a)) return;
        }
        mont_mul(r, a, a);
    }

    // ---- inversion: Bernstein-Yang "safegcd" divsteps, variable-time, 62 steps per batch ----
    // ("Fast constant-time gcd computation and modular inversion", Bernstein and Yang, 2019.)
    // The divstep map on (delta, f, g), f odd:
    //   delta > 0 and g odd: (1 - delta, g, (g - f)/2);  g odd: (1 + delta, f, (g + f)/2);
    //   g even: (1 + delta, f, g/2).
    // Starting from (1, p, x) it reaches g = 0, f = +-1. 62 steps only depend on the low 64 bits
    // of f and g, so each batch runs on machine words and yields a 2x2 matrix T (entries below
    // 2^62) with (f, g) <- T (f, g) / 2^62; the same matrix applied to (d, e) modulo p keeps
    // f = d x and g = e x (mod p), so at the end x^-1 = +-d. Long runs of zero bits are skipped
    // with one count-trailing-zeros, which is why this is much faster than a bit-at-a-time
    // binary Euclid.

    static constexpr size_t kL = (64 * N + 1) / 62 + 1;  // signed 62-bit limbs for |v| <= 2^(64N)
    static constexpr int64_t kM62 = (int64_t{1} << 62) - 1;
    using S62 = std::array<int64_t, kL>;
    using i128 = __int128;

    static constexpr S62 to_s62(const Limbs& a) noexcept {
        S62 r{};
        for (size_t i = 0; i < kL; ++i) {
            const size_t bitpos = 62 * i, w = bitpos / 64, sh = bitpos % 64;
            uint64_t v = w < N ? a[w] >> sh : 0;
            if (sh > 2 && w + 1 < N) v |= a[w + 1] << (64 - sh);
            r[i] = static_cast<int64_t>(v & static_cast<uint64_t>(kM62));
        }
        return r;
    }
    /// Back to N limbs; v must be in [0, 2^(64N)).
    static constexpr Limbs from_s62(const S62& v) noexcept {
        Limbs r{};
        for (size_t i = 0; i < kL; ++i) {
            const uint64_t x = static_cast<uint64_t>(v[i]);
            const size_t bitpos = 62 * i, w = bitpos / 64, sh = bitpos % 64;
            if (w < N) r[w] |= x << sh;
            if (sh > 2 && w + 1 < N) r[w + 1] |= x >> (64 - sh);
        }
        return r;
    }
    static constexpr S62 kP62 = to_s62(kModulus);

    /// (-g / f) mod 64 for odd f and any g, indexed by ((f >> 1) & 31) * 64 + (g & 63): the
    /// multiple of f that clears the low 6 bits of g, in one look-up (2 KiB, stays in L1).
    static constexpr std::array<uint8_t, 2048> kElim64 = [] {
        std::array<uint8_t, 2048> t{};
        for (uint64_t i = 0; i < 32; ++i) {
            const uint64_t f = 2 * i + 1;
            uint64_t f_inverse = f;  // right mod 8; each Newton step doubles the correct bits
            for (int j = 0; j < 2; ++j) f_inverse *= 2 - f * f_inverse;
            for (uint64_t g = 0; g < 64; ++g) t[i * 64 + g] = static_cast<uint8_t>((0 - g * f_inverse) & 63);
        }
        return t;
    }();

    /// Runs 62 divsteps on the low words; returns the new delta and the scaled matrix.
    /// Two shortcuts, both exactly equivalent to single divsteps:
    ///  - a run of even g is one shift (each halving doubles the f row instead: the scale 2^k);
    ///  - while delta <= 0 the steps keep f and add it to g whenever g is odd, so k of them
    ///    (k <= 1 - delta) amount to g + w f with w = -g / f mod 2^k, after which the low k bits
    ///    of g are zero and the shift does the halvings.
    /// A step with delta > 0 and g odd, (delta, f, g) -> (1 - delta, g, (g - f)/2), is written as
    /// (delta, f, g) -> (-delta, g, -f) followed by the same elimination (whose first addition of
    /// the new f gives g - f and whose first halving adds the 1). The swap is a branch: with the
    /// elimination a look-up after it, that measured ~7% faster than a masked swap computing the
    /// products for both outcomes.
    static constexpr int64_t divsteps62(int64_t delta, uint64_t f, uint64_t g, int64_t& u, int64_t& v,
                                        int64_t& q, int64_t& r) noexcept {
        u = 1, v = 0, q = 0, r = 1;  // f * 2^k = u f0 + v g0,  g * 2^k = q f0 + r g0
        int64_t left = 62;
        for (;;) {
            const unsigned z = static_cast<unsigned>(__builtin_ctzll(g | (uint64_t{1} << left)));
            g >>= z;
            u = static_cast<int64_t>(static_cast<uint64_t>(u) << z);
            v = static_cast<int64_t>(static_cast<uint64_t>(v) << z);
            delta += z;
            left -= z;
            if (left == 0) break;
            // g is odd here. Conditionally (delta > 0): (f, g, u, v, q, r, delta) <-
            // (g, -f, q, r, -u, -v, -delta).
            const bool swap = delta > 0;
            const uint64_t f1 = swap ? g : f, g1 = swap ? 0 - f : g;
            const int64_t u1 = swap ? q : u, v1 = swap ? r : v, q1 = swap ? -u : q, r1 = swap ? -v : r;
            f = f1, g = g1, u = u1, v = v1, q = q1, r = r1;
            delta = swap ? -delta : delta;
            // Eliminate the low k bits of g with multiples of f (now delta <= 0, g and f odd):
            // w = -g / f mod 2^k.
            int64_t k = 1 - delta;
            k = k < left ? k : left;
            k = k < 6 ? k : 6;
            const uint64_t w = kElim64[((f >> 1) & 31) * 64 + (g & 63)] & ((uint64_t{1} << k) - 1);
            g += w * f;
            q += static_cast<int64_t>(w) * u;
            r += static_cast<int64_t>(w) * v;
        }
        return delta;
    }

    /// (f, g) <- (u f + v g, q f + r g) / 2^62, exactly, on their low len limbs (the rest are
    /// sign extension: see inverse_limbs).
    static constexpr void update_fg(S62& f, S62& g, size_t len, int64_t u, int64_t v, int64_t q, int64_t r) noexcept {
        i128 cf = static_cast<i128>(u) * f[0] + static_cast<i128>(v) * g[0];
        i128 cg = static_cast<i128>(q) * f[0] + static_cast<i128>(r) * g[0];
        cf >>= 62;
        cg >>= 62;
        for (size_t i = 1; i < len; ++i) {
            cf += static_cast<i128>(u) * f[i] + static_cast<i128>(v) * g[i];
            cg += static_cast<i128>(q) * f[i] + static_cast<i128>(r) * g[i];
            f[i - 1] = static_cast<int64_t>(cf) & kM62;
            g[i - 1] = static_cast<int64_t>(cg) & kM62;
            cf >>= 62;
            cg >>= 62;
        }
        f[len - 1] = static_cast<int64_t>(cf);
        g[len - 1] = static_cast<int64_t>(cg);
    }

    /// x + k p for k in {-1, 1}; limbs stay normalised (all but the top in [0, 2^62)).
    static constexpr void add_p(S62& x, int64_t k) noexcept {
        i128 c = 0;
        for (size_t i = 0; i < kL; ++i) {
            c += static_cast<i128>(x[i]) + static_cast<i128>(k) * kP62[i];
            if (i + 1 < kL) {
                x[i] = static_cast<int64_t>(c) & kM62;
                c >>= 62;
            } else {
                x[i] = static_cast<int64_t>(c);
            }
        }
    }
    static constexpr bool negative(const S62& x) noexcept { return x[kL - 1] < 0; }
    /// Brings x from (-kp, kp) into [0, p) (k small: see update_de).
    static constexpr void normalize(S62& x) noexcept {
        while (negative(x)) add_p(x, 1);
        for (;;) {
            S62 t = x;
            add_p(t, -1);
            if (negative(t)) break;
            x = t;
        }
    }

    /// (d, e) <- (u d + v e, q d + r e) / 2^62 (mod p), unreduced (see below).
    static constexpr void update_de(S62& d, S62& e, int64_t u, int64_t v, int64_t q, int64_t r) noexcept {
        i128 cd = static_cast<i128>(u) * d[0] + static_cast<i128>(v) * e[0];
        i128 ce = static_cast<i128>(q) * d[0] + static_cast<i128>(r) * e[0];
        // Add md p, me p with md = -cd / p mod 2^62 so the low 62 bits cancel (kInv = -p^-1).
        const int64_t md = static_cast<int64_t>(static_cast<uint64_t>(cd) * kInv) & kM62;
        const int64_t me = static_cast<int64_t>(static_cast<uint64_t>(ce) * kInv) & kM62;
        cd += static_cast<i128>(md) * kP62[0];
        ce += static_cast<i128>(me) * kP62[0];
        cd >>= 62;
        ce >>= 62;
        for (size_t i = 1; i < kL; ++i) {
            cd += static_cast<i128>(u) * d[i] + static_cast<i128>(v) * e[i] + static_cast<i128>(md) * kP62[i];
            ce += static_cast<i128>(q) * d[i] + static_cast<i128>(r) * e[i] + static_cast<i128>(me) * kP62[i];
            d[i - 1] = static_cast<int64_t>(cd) & kM62;
            e[i - 1] = static_cast<int64_t>(ce) & kM62;
            cd >>= 62;
            ce >>= 62;
        }
        d[kL - 1] = static_cast<int64_t>(cd);
        e[kL - 1] = static_cast<int64_t>(ce);
        // No reduction here: with |u| + |v| <= 2^62 and md < 2^62, max(|d|, |e|) grows by at
        // most p per batch, and a 64N-bit input needs at most (49 * 64N + 80) / 17 divsteps
        // (Bernstein-Yang's bound), so under 3 * 64N / 62 + 2 batches: d and e stay below
        // 2^(64N + 6) in magnitude, well inside kL signed 62-bit limbs. inverse_limbs reduces once.
    }

    /// x^-1 mod p for 0 < x < p.
    static constexpr Limbs inverse_limbs(const Limbs& x) noexcept {
        S62 f = kP62, g = to_s62(x), d{}, e{};
        e[0] = 1;
        int64_t delta = 1;
        size_t len = kL;  // f and g fit in len signed limbs; they shrink as the gcd proceeds
        for (;;) {
            int64_t acc = 0;
            for (size_t i = 0; i < len; ++i) acc |= g[i];
            if (acc == 0) break;
            int64_t u, v, q, r;
            const uint64_t f0 = static_cast<uint64_t>(f[0]) | (static_cast<uint64_t>(f[1]) << 62);
            const uint64_t g0 = static_cast<uint64_t>(g[0]) | (static_cast<uint64_t>(g[1]) << 62);
            delta = divsteps62(delta, f0, g0, u, v, q, r);
            update_de(d, e, u, v, q, r);
            update_fg(f, g, len, u, v, q, r);
            // Each divstep keeps max(|f|, |g|) from growing, so once both top limbs are only sign
            // (0 or -1) they fold into the limb below and later batches skip them.
            const int64_t ft = f[len - 1], gt = g[len - 1];
            if (len > 2 && ((ft ^ (ft >> 63)) | (gt ^ (gt >> 63))) == 0) {
                f[len - 2] |= static_cast<int64_t>(static_cast<uint64_t>(ft) << 62);
                g[len - 2] |= static_cast<int64_t>(static_cast<uint64_t>(gt) << 62);
                --len;
            }
        }
        if (len < kL) f[kL - 1] = f[len - 1] < 0 ? -1 : 0;  // only f's sign is read below
        // f = +-1 = gcd; x^-1 = d when f = 1, -d when f = -1.
        if (negative(f)) {
            i128 c = 0;
            for (size_t i = 0; i < kL; ++i) {
                c -= d[i];
                d[i] = i + 1 < kL ? static_cast<int64_t>(c) & kM62 : static_cast<int64_t>(c);
                c >>= 62;
            }
        }
        normalize(d);
        return from_s62(d);
    }
};

}  // namespace polyvm::field

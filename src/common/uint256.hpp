// 256-bit unsigned integer: the EVM's word. Hot path, so it lives in a header the
// compiler can inline, uses 64-bit limbs and __int128 carry chains, and never allocates.
#pragma once

#include "common/types.hpp"

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace polyvm {

using u128 = unsigned __int128;

namespace uint256_detail {
// Add-with-carry and subtract-with-borrow on 64-bit limbs. GCC 12 turns the portable
// `unsigned __int128` formulation of a carry chain into several instructions per limb (it
// materialises each carry in a register); the x86-64 builtins compile to one ADC/SBB per limb,
// which halves ADD, SUB and the comparisons. The portable form stays for constant evaluation
// and other targets.

/// a + b + carry; carry (0 or 1) is updated.
[[gnu::always_inline]] constexpr uint64_t addc(uint64_t a, uint64_t b, uint8_t& carry) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r;
        carry = __builtin_ia32_addcarryx_u64(carry, a, b, &r);
        return r;
    }
#endif
    const u128 t = static_cast<u128>(a) + b + carry;
    carry = static_cast<uint8_t>(t >> 64);
    return static_cast<uint64_t>(t);
}

/// a - b - borrow; borrow (0 or 1) is updated.
[[gnu::always_inline]] constexpr uint64_t subb(uint64_t a, uint64_t b, uint8_t& borrow) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r;
        borrow = __builtin_ia32_sbb_u64(borrow, a, b, &r);
        return r;
    }
#endif
    const u128 t = static_cast<u128>(a) - b - borrow;
    borrow = static_cast<uint8_t>((t >> 64) & 1);
    return static_cast<uint64_t>(t);
}
}  // namespace uint256_detail

struct uint256 {
    uint64_t w[4];  // w[0] is the least significant limb

    constexpr uint256() noexcept : w{0, 0, 0, 0} {}
    constexpr uint256(uint64_t v) noexcept : w{v, 0, 0, 0} {}  // NOLINT: implicit by design
    constexpr uint256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept : w{w0, w1, w2, w3} {}

    static constexpr uint256 max() noexcept { return {~0ULL, ~0ULL, ~0ULL, ~0ULL}; }

    /// Reads 32 big-endian bytes.
    static uint256 load_be(const uint8_t* p) noexcept {
        uint256 r;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
            uint64_t v;
            std::memcpy(&v, p + 8 * (3 - i), 8);
            r.w[i] = __builtin_bswap64(v);
        }
        return r;
    }
    /// Reads up to 32 big-endian bytes, right-aligned (shorter input is a smaller number).
    static uint256 from_be(bytes_view b) noexcept {
        uint8_t buf[32] = {};
        const size_t n = b.size() < 32 ? b.size() : 32;
        if (n) std::memcpy(buf + 32 - n, b.data() + (b.size() - n), n);
        return load_be(buf);
    }
    static uint256 from_hash(const Hash32& h) noexcept { return load_be(h.data()); }

    void store_be(uint8_t* p) const noexcept {
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
            const uint64_t v = __builtin_bswap64(w[i]);
            std::memcpy(p + 8 * (3 - i), &v, 8);
        }
    }
    Hash32 to_hash() const noexcept {
        Hash32 h;
        store_be(h.data());
        return h;
    }
    Address to_address() const noexcept {
        uint8_t buf[32];
        store_be(buf);
        Address a;
        std::memcpy(a.data(), buf + 12, 20);
        return a;
    }
    static uint256 from_address(const Address& a) noexcept { return from_be(a); }

    constexpr bool is_zero() const noexcept { return (w[0] | w[1] | w[2] | w[3]) == 0; }
    constexpr explicit operator bool() const noexcept { return !is_zero(); }
    constexpr bool fits_u64() const noexcept { return (w[1] | w[2] | w[3]) == 0; }
    constexpr uint64_t low64() const noexcept { return w[0]; }

    /// Number of significant bits (0 for zero).
    constexpr unsigned bit_length() const noexcept {
        for (int i = 3; i >= 0; --i)
            if (w[i]) return static_cast<unsigned>(64 * i + 64 - std::countl_zero(w[i]));
        return 0;
    }
    constexpr unsigned byte_length() const noexcept { return (bit_length() + 7) / 8; }

    friend constexpr bool operator==(const uint256& a, const uint256& b) noexcept {
        return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
    }
    friend constexpr bool operator<(const uint256& a, const uint256& b) noexcept {
        // Borrow of a - b tells a < b without branches.
        uint8_t borrow = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) uint256_detail::subb(a.w[i], b.w[i], borrow);
        return borrow != 0;
    }
    friend constexpr bool operator>(const uint256& a, const uint256& b) noexcept { return b < a; }
    friend constexpr bool operator<=(const uint256& a, const uint256& b) noexcept { return !(b < a); }
    friend constexpr bool operator>=(const uint256& a, const uint256& b) noexcept { return !(a < b); }

    friend constexpr uint256 operator+(const uint256& a, const uint256& b) noexcept {
        uint256 r;
        uint8_t carry = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) r.w[i] = uint256_detail::addc(a.w[i], b.w[i], carry);
        return r;
    }
    friend constexpr uint256 operator-(const uint256& a, const uint256& b) noexcept {
        uint256 r;
        uint8_t borrow = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) r.w[i] = uint256_detail::subb(a.w[i], b.w[i], borrow);
        return r;
    }
    constexpr uint256 operator-() const noexcept { return uint256{} - *this; }
    friend constexpr uint256 operator*(const uint256& a, const uint256& b) noexcept {
        // Schoolbook product truncated to 256 bits.
        uint256 r;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
            u128 carry = 0;
            for (int j = 0; i + j < 4; ++j) {
                const u128 t = static_cast<u128>(a.w[i]) * b.w[j] + r.w[i + j] + carry;
                r.w[i + j] = static_cast<uint64_t>(t);
                carry = t >> 64;
            }
        }
        return r;
    }
    friend constexpr uint256 operator&(const uint256& a, const uint256& b) noexcept {
        return {a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]};
    }
    friend constexpr uint256 operator|(const uint256& a, const uint256& b) noexcept {
        return {a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]};
    }
    friend constexpr uint256 operator^(const uint256& a, const uint256& b) noexcept {
        return {a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]};
    }
    constexpr uint256 operator~() const noexcept { return {~w[0], ~w[1], ~w[2], ~w[3]}; }

    /// Left shift; any shift of 256 or more gives zero.
    friend constexpr uint256 operator<<(const uint256& a, uint64_t n) noexcept {
        if (n >= 256) return {};
        const unsigned limbs = static_cast<unsigned>(n / 64), bits = static_cast<unsigned>(n % 64);
        uint256 r;
        for (int i = 3; i >= static_cast<int>(limbs); --i) {
            uint64_t v = a.w[i - limbs] << bits;
            if (bits && i - static_cast<int>(limbs) - 1 >= 0) v |= a.w[i - limbs - 1] >> (64 - bits);
            r.w[i] = v;
        }
        return r;
    }
    /// Logical right shift; any shift of 256 or more gives zero.
    friend constexpr uint256 operator>>(const uint256& a, uint64_t n) noexcept {
        if (n >= 256) return {};
        const unsigned limbs = static_cast<unsigned>(n / 64), bits = static_cast<unsigned>(n % 64);
        uint256 r;
        for (unsigned i = 0; i + limbs < 4; ++i) {
            uint64_t v = a.w[i + limbs] >> bits;
            if (bits && i + limbs + 1 < 4) v |= a.w[i + limbs + 1] << (64 - bits);
            r.w[i] = v;
        }
        return r;
    }

    uint256& operator+=(const uint256& b) noexcept { return *this = *this + b; }
    uint256& operator-=(const uint256& b) noexcept { return *this = *this - b; }
    uint256& operator*=(const uint256& b) noexcept { return *this = *this * b; }

    /// Parses "0x..." hex or a decimal string; nullopt if malformed or wider than 256 bits.
    static std::optional<uint256> from_string(std::string_view s) noexcept;
    std::string to_hex() const;      // "0x" + minimal hex digits ("0x0" for zero)
    std::string to_decimal() const;  // base 10
};

namespace uint256_detail {
/// (hi·2^64 + lo) / d for hi < d, so that the quotient fits one limb; the remainder goes to rem.
[[gnu::always_inline]] inline uint64_t div_2by1(uint64_t hi, uint64_t lo, uint64_t d, uint64_t& rem) noexcept {
#if defined(__x86_64__)
    // One DIV instruction. The portable u128 division calls libgcc's __udivti3, which cannot
    // know that the quotient fits a limb and so branches and normalises first.
    uint64_t q;
    __asm__("divq %[d]" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi), [d] "r"(d));
    return q;
#else
    const u128 n = (static_cast<u128>(hi) << 64) | lo;
    rem = static_cast<uint64_t>(n % d);
    return static_cast<uint64_t>(n / d);
#endif
}

/// u (m limbs) / d (non-zero): the quotient (m limbs) to q (may be null); returns the remainder.
/// Schoolbook long division, one limb per step: the running remainder stays below d, which is
/// exactly div_2by1's precondition, so no normalisation is needed.
[[gnu::always_inline]] inline uint64_t divmod_by_limb(const uint64_t* u, int m, uint64_t d, uint64_t* q) noexcept {
    uint64_t rem = 0;
    for (int i = m - 1; i >= 0; --i) {
        const uint64_t qi = div_2by1(rem, u[i], d, rem);
        if (q) q[i] = qi;
    }
    return rem;
}

/// Knuth's algorithm D (TAOCP vol. 2, 4.3.1): u (m limbs) / v (n >= 2 limbs, top limb non-zero),
/// m >= n. Writes the quotient (m - n + 1 limbs) to q (may be null) and the remainder (n limbs)
/// to r.
inline void divmod_knuth(const uint64_t* u, int m, const uint64_t* v, int n, uint64_t* q, uint64_t* r) noexcept {
    // D1: normalise so that v's top bit is set; each quotient-limb estimate is then at most 2 too large.
    const int s = std::countl_zero(v[n - 1]);
    // x >> (64 - s) without the undefined shift by 64 when s == 0.
    auto carry_bits = [s](uint64_t x) { return (x >> 1) >> (63 - s); };
    uint64_t vn[4];
    for (int i = n - 1; i > 0; --i) vn[i] = (v[i] << s) | carry_bits(v[i - 1]);
    vn[0] = v[0] << s;
    uint64_t un[9];
    un[m] = carry_bits(u[m - 1]);
    for (int i = m - 1; i > 0; --i) un[i] = (u[i] << s) | carry_bits(u[i - 1]);
    un[0] = u[0] << s;

    const uint64_t v_top = vn[n - 1], v_next = vn[n - 2];
    for (int j = m - n; j >= 0; --j) {
        // D3: estimate the quotient limb from the top two limbs of the running remainder.
        uint64_t qhat, rhat;
        bool rhat_fits;  // rhat < 2^64: only then can the refinement below still apply
        if (un[j + n] >= v_top) {
            // The remainder's top limb equals v_top: the estimate would not fit a limb, so it is
            // capped at 2^64 - 1 and rhat = (top·2^64 + mid) - (2^64 - 1)·v_top = mid + v_top.
            qhat = ~uint64_t{0};
            rhat = un[j + n - 1] + v_top;
            rhat_fits = rhat >= v_top;
        } else {
            qhat = div_2by1(un[j + n], un[j + n - 1], v_top, rhat);
            rhat_fits = true;
        }
        // Refine with the second divisor limb (at most two corrections).
        while (rhat_fits && static_cast<u128>(qhat) * v_next > ((static_cast<u128>(rhat) << 64) | un[j + n - 2])) {
            --qhat;
            rhat += v_top;
            rhat_fits = rhat >= v_top;
        }
        // D4: un[j..j+n] -= qhat · vn.
        uint64_t borrow = 0;
        u128 carry = 0;
        for (int i = 0; i < n; ++i) {
            const u128 p = static_cast<u128>(qhat) * vn[i] + carry;
            carry = p >> 64;
            const uint64_t plo = static_cast<uint64_t>(p);
            const uint64_t t = un[i + j] - plo;
            const uint64_t b1 = un[i + j] < plo;
            un[i + j] = t - borrow;
            borrow = b1 + (t < borrow);
        }
        const u128 sub = carry + borrow;
        const bool negative = static_cast<u128>(un[j + n]) < sub;
        un[j + n] = static_cast<uint64_t>(un[j + n] - sub);
        // D6: the estimate was one too large (rare, probability ~2/2^64): add v back.
        if (negative) [[unlikely]] {
            --qhat;
            uint8_t c = 0;
            for (int i = 0; i < n; ++i) un[i + j] = addc(un[i + j], vn[i], c);
            un[j + n] += c;
        }
        if (q) q[j] = qhat;
    }
    // D8: unnormalise the remainder.
    for (int i = 0; i < n - 1; ++i) r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
    r[n - 1] = un[n - 1] >> s;
}

/// u (m limbs) / v (n limbs, top limb non-zero), m >= n.
inline void divmod_limbs(const uint64_t* u, int m, const uint64_t* v, int n, uint64_t* q, uint64_t* r) noexcept {
    if (n == 1)
        r[0] = divmod_by_limb(u, m, v[0], q);
    else
        divmod_knuth(u, m, v, n, q, r);
}

inline int significant_limbs(const uint64_t* x, int n) noexcept {
    while (n > 0 && x[n - 1] == 0) --n;
    return n;
}
}  // namespace uint256_detail

struct DivResult {
    uint256 quotient;
    uint256 remainder;
};

/// Unsigned division with remainder. Division by zero gives {0, 0} (the EVM's rule).
inline DivResult udivrem(const uint256& u, const uint256& v) noexcept {
    DivResult res;
    const int n = uint256_detail::significant_limbs(v.w, 4);
    if (n == 0) return res;
    const int m = uint256_detail::significant_limbs(u.w, 4);
    if (m < n || u < v) {
        res.remainder = u;
        return res;
    }
    if (m == 1) {  // both fit 64 bits
        res.quotient = u.w[0] / v.w[0];
        res.remainder = u.w[0] % v.w[0];
        return res;
    }
    uint256_detail::divmod_limbs(u.w, m, v.w, n, res.quotient.w, res.remainder.w);
    return res;
}

inline uint256 operator/(const uint256& a, const uint256& b) noexcept { return udivrem(a, b).quotient; }
inline uint256 operator%(const uint256& a, const uint256& b) noexcept { return udivrem(a, b).remainder; }

inline bool is_negative(const uint256& x) noexcept { return (x.w[3] >> 63) != 0; }

/// Signed division (two's complement); x / 0 = 0 and INT_MIN / -1 = INT_MIN.
inline uint256 sdiv(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    const uint256 q = udivrem(na ? -a : a, nb ? -b : b).quotient;
    return na != nb ? -q : q;
}
/// Signed remainder: takes the sign of the dividend; x % 0 = 0.
inline uint256 smod(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    const uint256 r = udivrem(na ? -a : a, nb ? -b : b).remainder;
    return na ? -r : r;
}
inline bool slt(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    return na != nb ? na : a < b;
}

/// (a + b) mod m with a 257-bit intermediate; m = 0 gives 0.
inline uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    using namespace uint256_detail;
    if (m.is_zero()) return {};
    uint256 sum;
    uint8_t carry = 0;
    for (int i = 0; i < 4; ++i) sum.w[i] = addc(a.w[i], b.w[i], carry);
    if (a < m && b < m) {
        // Both operands already reduced (the usual case in modular-arithmetic code): the sum is
        // below 2m, so one conditional subtraction reduces it. It is >= m exactly when the 257-bit
        // sum carried out or subtracting m does not borrow.
        uint256 diff;
        uint8_t borrow = 0;
        for (int i = 0; i < 4; ++i) diff.w[i] = subb(sum.w[i], m.w[i], borrow);
        return (carry || !borrow) ? diff : sum;
    }
    const uint64_t s[5] = {sum.w[0], sum.w[1], sum.w[2], sum.w[3], carry};
    const int n = significant_limbs(m.w, 4);
    const int sl = significant_limbs(s, 5);
    if (sl < n) return sum;
    uint256 r;
    divmod_limbs(s, sl, m.w, n, nullptr, r.w);
    return r;
}

/// Full 512-bit product, little-endian limbs.
inline void umul_full(const uint256& a, const uint256& b, uint64_t out[8]) noexcept {
    for (int i = 0; i < 8; ++i) out[i] = 0;
    for (int i = 0; i < 4; ++i) {
        u128 carry = 0;
        for (int j = 0; j < 4; ++j) {
            const u128 t = static_cast<u128>(a.w[i]) * b.w[j] + out[i + j] + carry;
            out[i + j] = static_cast<uint64_t>(t);
            carry = t >> 64;
        }
        out[i + 4] = static_cast<uint64_t>(carry);
    }
}

/// (a * b) mod m with a 512-bit intermediate; m = 0 gives 0.
inline uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    if (m.is_zero()) return {};
    uint64_t p[8];
    umul_full(a, b, p);
    const int n = uint256_detail::significant_limbs(m.w, 4);
    const int pl = uint256_detail::significant_limbs(p, 8);
    if (pl < n) return {p[0], p[1], p[2], p[3]};
    uint256 r;
    uint256_detail::divmod_limbs(p, pl, m.w, n, nullptr, r.w);
    return r;
}

/// base ** exponent mod 2^256.
inline uint256 exp(uint256 base, const uint256& exponent) noexcept {
    uint256 result = 1;
    const unsigned bits = exponent.bit_length();
    for (unsigned i = 0; i < bits; ++i) {
        if ((exponent.w[i / 64] >> (i % 64)) & 1) result *= base;
        base *= base;
    }
    return result;
}

/// SIGNEXTEND: extends the sign bit of byte `byte_index` (0 = least significant).
inline uint256 signextend(const uint256& byte_index, const uint256& x) noexcept {
    if (!byte_index.fits_u64() || byte_index.w[0] >= 31) return x;
    const unsigned bit = static_cast<unsigned>(byte_index.w[0]) * 8 + 7;
    const uint256 mask = (uint256{1} << (bit + 1)) - 1;
    const bool sign = ((x.w[bit / 64] >> (bit % 64)) & 1) != 0;
    return sign ? (x | ~mask) : (x & mask);
}

/// BYTE: the byte at big-endian index i (0 = most significant), 0 if i >= 32.
inline uint256 byte_at(const uint256& i, const uint256& x) noexcept {
    if (!i.fits_u64() || i.w[0] >= 32) return {};
    const unsigned shift = static_cast<unsigned>(31 - i.w[0]) * 8;
    return (x.w[shift / 64] >> (shift % 64)) & 0xff;
}

/// SAR: arithmetic right shift; shifts of 256 or more give 0 or all ones.
inline uint256 sar(const uint256& shift, const uint256& x) noexcept {
    const bool neg = is_negative(x);
    if (!shift.fits_u64() || shift.w[0] >= 256) return neg ? uint256::max() : uint256{};
    const uint64_t n = shift.w[0];
    uint256 r = x >> n;
    if (neg && n > 0) r = r | ~(uint256::max() >> n);
    return r;
}

inline uint256 shl(const uint256& shift, const uint256& x) noexcept {
    return shift.fits_u64() ? x << shift.w[0] : uint256{};
}
inline uint256 shr(const uint256& shift, const uint256& x) noexcept {
    return shift.fits_u64() ? x >> shift.w[0] : uint256{};
}

}  // namespace polyvm

template <>
struct std::hash<polyvm::uint256> {
    size_t operator()(const polyvm::uint256& v) const noexcept {
        return static_cast<size_t>((v.w[0] ^ v.w[2]) * 0x9E3779B97F4A7C15ULL ^ (v.w[1] + v.w[3]));
    }
};

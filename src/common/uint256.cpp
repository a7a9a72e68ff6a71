#include "common/uint256.hpp"

#include <algorithm>
#include <bit>
#include <optional>

namespace polyvm {

namespace {
using namespace uint256_detail;

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

/// Division by a normalised limb d (top bit set) through its reciprocal (Möller and Granlund,
/// "Improved division by invariant integers", 2011, algorithm 4): two multiplications and a few
/// adds per quotient limb instead of a DIV, once the reciprocal is known.
/// The reciprocal: floor((2^128 - 1) / d) - 2^64, i.e. (2^128 - 1 - d·2^64) / d (fits: ~d < d).
uint64_t reciprocal_2by1(uint64_t d) noexcept {
    uint64_t unused;
    return div_2by1(~d, ~uint64_t{0}, d, unused);
}

/// (hi·2^64 + lo) / d for hi < d, with v = reciprocal_2by1(d); the remainder goes to rem.
[[gnu::always_inline]] inline uint64_t div_2by1_reciprocal(uint64_t hi, uint64_t lo, uint64_t d, uint64_t v,
                                                           uint64_t& rem) noexcept {
    const u128 product = static_cast<u128>(v) * hi + ((static_cast<u128>(hi) << 64) | lo);
    uint64_t q = static_cast<uint64_t>(product >> 64) + 1;
    const uint64_t q0 = static_cast<uint64_t>(product);
    uint64_t r = lo - q * d;
    if (r > q0) {  // the estimate was one too large
        --q;
        r += d;
    }
    if (r >= d) [[unlikely]] {  // one too small
        ++q;
        r -= d;
    }
    rem = r;
    return q;
}

/// The 3-by-2 reciprocal of a normalised two-limb divisor d = (d1, d0), d1's top bit set:
/// floor((2^192 - 1) / d) - 2^64 (Möller and Granlund 2011, algorithm 6), from d1's 2-by-1
/// reciprocal by two corrections for d0.
uint64_t reciprocal_3by2(uint64_t d1, uint64_t d0) noexcept {
    uint64_t v = reciprocal_2by1(d1);
    uint64_t p = d1 * v + d0;  // mod 2^64
    if (p < d0) {  // the addition of d0 carried
        --v;
        if (p >= d1) {
            --v;
            p -= d1;
        }
        p -= d1;
    }
    const u128 t = static_cast<u128>(v) * d0;
    const uint64_t t1 = static_cast<uint64_t>(t >> 64), t0 = static_cast<uint64_t>(t);
    p += t1;
    if (p < t1) {  // carried
        --v;
        if (p > d1 || (p == d1 && t0 >= d0)) --v;
    }
    return v;
}

/// (u2, u1, u0) / (d1, d0) for (u2, u1) < (d1, d0), d normalised, v = reciprocal_3by2(d1, d0)
/// (Möller and Granlund 2011, algorithm 5): one quotient limb from two multiplications and
/// corrections, where Knuth's step costs a DIV and a refinement loop. The remainder goes to
/// (r1, r0).
[[gnu::always_inline]] inline uint64_t div_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0, uint64_t v,
                                                uint64_t& r1, uint64_t& r0) noexcept {
    const u128 q = static_cast<u128>(v) * u2 + ((static_cast<u128>(u2) << 64) | u1);
    uint64_t q1 = static_cast<uint64_t>(q >> 64);
    const uint64_t q0 = static_cast<uint64_t>(q);
    const u128 d = (static_cast<u128>(d1) << 64) | d0;
    const uint64_t high = u1 - q1 * d1;  // mod 2^64
    u128 r = ((static_cast<u128>(high) << 64) | u0) - static_cast<u128>(d0) * q1 - d;  // mod 2^128
    ++q1;
    if (static_cast<uint64_t>(r >> 64) >= q0) {  // the estimate was one too large
        --q1;
        r += d;
    }
    if (r >= d) [[unlikely]] {  // one too small
        ++q1;
        r -= d;
    }
    r1 = static_cast<uint64_t>(r >> 64);
    r0 = static_cast<uint64_t>(r);
    return q1;
}

/// u (m >= 2 limbs) / v (2 limbs, top limb non-zero): the quotient (m - 1 limbs) to q (may be
/// null), the remainder (2 limbs) to r. Normalised like Knuth's algorithm D, then one div_3by2
/// per quotient limb: 256-bit values divided by 65- to 128-bit ones (mulDiv's denominators,
/// square roots' Newton steps, fixed-point scales) come here.
void divmod_by_two_limbs(const uint64_t* u, int m, const uint64_t* v, uint64_t* q, uint64_t* r) noexcept {
    const int s = std::countl_zero(v[1]);
    auto carry_bits = [s](uint64_t x) { return (x >> 1) >> (63 - s); };  // x >> (64 - s), also for s == 0
    const uint64_t d1 = (v[1] << s) | carry_bits(v[0]), d0 = v[0] << s;
    const uint64_t reciprocal = reciprocal_3by2(d1, d0);
    // The running remainder starts as the top two limbs of u << s (its top limb < 2^s <= d1).
    uint64_t r1 = carry_bits(u[m - 1]);
    uint64_t r0 = (u[m - 1] << s) | carry_bits(u[m - 2]);
    for (int j = m - 2; j >= 0; --j) {
        const uint64_t next = (u[j] << s) | (j > 0 ? carry_bits(u[j - 1]) : 0);
        const uint64_t qj = div_3by2(r1, r0, next, d1, d0, reciprocal, r1, r0);
        if (q) q[j] = qj;
    }
    r[0] = (r0 >> s) | (r1 << 1 << (63 - s));  // (r1, r0) >> s, also for s == 0
    r[1] = r1 >> s;
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
/// to r. The divisor's limb count is a template parameter so that the inner loops (normalising,
/// multiply-subtract, add-back) unroll: MULMOD by a full 256-bit modulus spent most of its time
/// in loop control around them.
template <int n>
void divmod_knuth_fixed(const uint64_t* u, int m, const uint64_t* v, uint64_t* q, uint64_t* r) noexcept {
    // D1: normalise so that v's top bit is set; each quotient-limb estimate is then at most 2 too large.
    const int s = std::countl_zero(v[n - 1]);
    // x >> (64 - s) without the undefined shift by 64 when s == 0.
    auto carry_bits = [s](uint64_t x) { return (x >> 1) >> (63 - s); };
    uint64_t vn[4];
    #pragma GCC unroll 4
    for (int i = n - 1; i > 0; --i) vn[i] = (v[i] << s) | carry_bits(v[i - 1]);
    vn[0] = v[0] << s;
    uint64_t un[10];  // m <= 9: MULMOD's 512-bit product, or 2^512 for a Barrett constant
    un[m] = carry_bits(u[m - 1]);
    for (int i = m - 1; i > 0; --i) un[i] = (u[i] << s) | carry_bits(u[i - 1]);
    un[0] = u[0] << s;

    const uint64_t v_top = vn[n - 1], v_next = vn[n - 2];
    // The reciprocal costs one DIV itself: worth it from four quotient limbs on (MULMOD's
    // 512-bit product by a 4-limb modulus has five), not for the short divisions of DIV and MOD.
    const bool use_reciprocal = m - n + 1 >= 4;
    const uint64_t v_top_reciprocal = use_reciprocal ? reciprocal_2by1(v_top) : 0;  // v_top is normalised
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
            qhat = use_reciprocal ? div_2by1_reciprocal(un[j + n], un[j + n - 1], v_top, v_top_reciprocal, rhat)
                                  : div_2by1(un[j + n], un[j + n - 1], v_top, rhat);
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
        #pragma GCC unroll 4
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
            #pragma GCC unroll 4
            for (int i = 0; i < n; ++i) un[i + j] = addc(un[i + j], vn[i], c);
            un[j + n] += c;
        }
        if (q) q[j] = qhat;
    }
    // D8: unnormalise the remainder.
    #pragma GCC unroll 4
    for (int i = 0; i < n - 1; ++i) r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
    r[n - 1] = un[n - 1] >> s;
}

void divmod_knuth(const uint64_t* u, int m, const uint64_t* v, int n, uint64_t* q, uint64_t* r) noexcept {
    switch (n) {
        case 2: return divmod_by_two_limbs(u, m, v, q, r);
        case 3: return divmod_knuth_fixed<3>(u, m, v, q, r);
        default: return divmod_knuth_fixed<4>(u, m, v, q, r);
    }
}

/// u (m limbs) / v (n limbs, top limb non-zero), m >= n.
void divmod_limbs(const uint64_t* u, int m, const uint64_t* v, int n, uint64_t* q, uint64_t* r) noexcept {
    if (n == 1)
        r[0] = divmod_by_limb(u, m, v[0], q);
    else
        divmod_knuth(u, m, v, n, q, r);
}

/// Barrett reduction (Menezes, van Oorschot, Vanstone, Handbook of Applied Cryptography,
/// algorithm 14.42) of 512-bit products by a 4-limb modulus. Modular-arithmetic contracts
/// (curve arithmetic, fixed-point math, P-256 verification) reduce by the same modulus over and
/// over; with mu = floor(2^512 / m) known, the reduction is two multiplications whose partial
/// products are independent of each other, instead of Knuth's five dependent quotient steps.
struct BarrettModulus {
    uint256 modulus;  // zero: an empty entry
    uint64_t mu[5];
};

/// The constants of the two moduli used last, per thread. A modulus gets its constant on its
/// second use in a row of misses: computing mu costs more than one Knuth division, so a modulus
/// used once never pays for it.
struct BarrettCache {
    BarrettModulus entries[2]{};  // entries[0]: the most recent
    uint256 seen_once;            // the last modulus that missed, not yet given a constant

    /// The entry for m, or null when m should be reduced without one this time.
    const BarrettModulus* find(const uint256& m) noexcept {
        if (entries[0].modulus == m) [[likely]] return &entries[0];
        if (entries[1].modulus == m) {
            std::swap(entries[0], entries[1]);
            return &entries[0];
        }
        if (seen_once != m) {
            seen_once = m;
            return nullptr;
        }
        entries[1] = entries[0];
        uint64_t power[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};  // 2^512
        uint64_t quotient[6], remainder[4];
        divmod_knuth_fixed<4>(power, 9, m.w, quotient, remainder);
        std::copy_n(quotient, 5, entries[0].mu);  // quotient[5] is 0: mu <= 2^288
        entries[0].modulus = m;
        seen_once = uint256{};
        return &entries[0];
    }
};
thread_local BarrettCache barrett_cache;

/// Moduli for which mu fits 5 limbs with room to spare: m >= 2^224, so mu <= 2^288.
bool barrett_applies(const uint256& m) noexcept { return (m.w[3] >> 32) != 0; }

/// The product of an N-limb and an M-limb number, truncated to its low K limbs (schoolbook,
/// unrolled).
template <int N, int M, int K>
[[gnu::always_inline]] inline void multiply_limbs(const uint64_t* a, const uint64_t* b, uint64_t* out) noexcept {
    #pragma GCC unroll 10
    for (int k = 0; k < K; ++k) out[k] = 0;
    #pragma GCC unroll 5
    for (int i = 0; i < N; ++i) {
        uint64_t carry = 0;
        #pragma GCC unroll 5
        for (int j = 0; j < M; ++j) {
            if (i + j >= K) break;  // known after unrolling
            const u128 t = static_cast<u128>(a[i]) * b[j] + out[i + j] + carry;
            out[i + j] = static_cast<uint64_t>(t);
            carry = static_cast<uint64_t>(t >> 64);
        }
        if (i + M < K) out[i + M] = carry;
    }
}

/// x (8 limbs) mod m, for barrett_applies(m).
void barrett_reduce(const uint64_t x[8], const BarrettModulus& b, uint64_t* r) noexcept {
    // q3 = floor(floor(x / 2^192) * mu / 2^320): at most 2 below floor(x / m).
    uint64_t q2[10];
    multiply_limbs<5, 5, 10>(x + 3, b.mu, q2);
    const uint64_t* q3 = q2 + 5;
    // x - q3 * m < 3m < 2^320: computed modulo 2^320 it is exact.
    uint64_t product[5];
    multiply_limbs<5, 4, 5>(q3, b.modulus.w, product);
    uint64_t rem[5];
    uint8_t borrow = 0;
    #pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) rem[i] = subb(x[i], product[i], borrow);
    // At most two subtractions of m.
    for (int k = 0; k < 2; ++k) {
        uint64_t diff[5];
        borrow = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) diff[i] = subb(rem[i], b.modulus.w[i], borrow);
        diff[4] = subb(rem[4], 0, borrow);
        if (borrow) break;  // rem < m
        std::copy_n(diff, 5, rem);
    }
    std::copy_n(rem, 4, r);
}

/// The number of limbs of x (n of them) up to the highest non-zero one.
int significant_limbs(const uint64_t* x, int n) noexcept {
    while (n > 0 && x[n - 1] == 0) --n;
    return n;
}

/// v - 1 when v is a power of two (v != 0), for the fixed-point scales 2^96 and 2^128 that
/// Uniswap-style math divides and reduces by; nullopt otherwise.
std::optional<uint256> power_of_two_mask(const uint256& v) noexcept {
    const uint256 mask = v - uint256{1};
    if (!(v & mask).is_zero()) return std::nullopt;
    return mask;
}
}  // namespace

/// Unsigned division with remainder. Division by zero gives {0, 0} (the EVM's rule).
DivResult udivrem(const uint256& u, const uint256& v) noexcept {
    DivResult res;
    if (v.fits_u64()) {  // the common case (e.g. fixed-point scaling): one DIV per dividend limb
        const uint64_t d = v.w[0];
        if (d == 0) return res;
        if (u.fits_u64()) {
            res.quotient = u.w[0] / d;
            res.remainder = u.w[0] % d;
            return res;
        }
        res.remainder = divmod_by_limb(u.w, significant_limbs(u.w, 4), d, res.quotient.w);
        return res;
    }
    if (const auto mask = power_of_two_mask(v)) {  // a shift and a mask instead of Knuth's division
        int shift = 0;
        while (v.w[shift / 64] == 0) shift += 64;
        shift += std::countr_zero(v.w[shift / 64]);
        res.quotient = u >> static_cast<uint64_t>(shift);
        res.remainder = u & *mask;
        return res;
    }
    if (u < v) {
        res.remainder = u;
        return res;
    }
    const int u_limbs = significant_limbs(u.w, 4), v_limbs = significant_limbs(v.w, 4);
    if (u_limbs == v_limbs) {
        // Operands of one length, as in Euclid's algorithm (modular inverses) and continued
        // fractions: the quotient is 1 about 41% of the time (Gauss-Kuzmin), which a subtraction
        // and a compare settle without normalising or dividing.
        const uint256 difference = u - v;
        if (difference < v) {
            res.quotient = uint256{1};
            res.remainder = difference;
            return res;
        }
    }
    divmod_knuth(u.w, u_limbs, v.w, v_limbs, res.quotient.w, res.remainder.w);
    return res;
}

/// (a + b) mod m with a 257-bit intermediate; m = 0 gives 0.
uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    uint256 r;  // built in the caller's slot with 128-bit stores (store_wide)
    if (m.is_zero()) return r;
    uint64_t sum[4];
    uint8_t carry = 0;
    #pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) sum[i] = addc(a.w[i], b.w[i], carry);
    uint64_t out[4];
    if (a < m && b < m) {
        // Both operands already reduced (the usual case in modular-arithmetic code): the sum is
        // below 2m, so one conditional subtraction reduces it. It is >= m exactly when the 257-bit
        // sum carried out or subtracting m does not borrow.
        uint64_t diff[4];
        uint8_t borrow = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) diff[i] = subb(sum[i], m.w[i], borrow);
        const bool reduce = carry || !borrow;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) out[i] = reduce ? diff[i] : sum[i];
    } else {
        const uint64_t s[5] = {sum[0], sum[1], sum[2], sum[3], carry};
        const int n = significant_limbs(m.w, 4);
        const int sl = significant_limbs(s, 5);
        if (sl < n) {
            std::copy_n(sum, 4, out);
        } else {
            out[1] = out[2] = out[3] = 0;  // the remainder has n limbs
            divmod_limbs(s, sl, m.w, n, nullptr, out);
        }
    }
    store_wide(r, uint256{out[0], out[1], out[2], out[3]});
    return r;
}

/// (a * b) mod m with a 512-bit intermediate; m = 0 gives 0.
uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    // One named result, built in the caller's slot with 128-bit stores (store_wide).
    uint256 r;
    if (m.is_zero()) return r;
    uint64_t p[8];
    umul_full(a, b, p);
    uint64_t out[4];
    if ((m.w[0] & m.w[1] & m.w[2] & m.w[3]) == ~uint64_t{0}) {
        // m = 2^256 - 1, FullMath.mulDiv's way to the product's high half: 2^256 = 1 (mod m), so
        // the product's halves add up to it. Their sum is at most 2^257 - 2: the carry folds in
        // without carrying again.
        uint8_t carry = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) out[i] = addc(p[i], p[i + 4], carry);
        const uint64_t fold = carry;
        carry = 0;
        out[0] = addc(out[0], fold, carry);
        #pragma GCC unroll 3
        for (int i = 1; i < 4; ++i) out[i] = addc(out[i], 0, carry);
        if ((out[0] & out[1] & out[2] & out[3]) == ~uint64_t{0}) out[0] = out[1] = out[2] = out[3] = 0;
    } else {
        const int n = significant_limbs(m.w, 4);
        const int pl = significant_limbs(p, 8);
        const BarrettModulus* cached = nullptr;
        if (pl < n) {
            std::copy_n(p, 4, out);
        } else if (pl >= 7 && barrett_applies(m) && (cached = barrett_cache.find(m))) {
            // Barrett pays from four quotient limbs on (as the reciprocal does in Knuth's division).
            barrett_reduce(p, *cached, out);
        } else if (const auto mask = power_of_two_mask(m)) {  // Q96, Q128: the product's low bits
            #pragma GCC unroll 4
            for (int i = 0; i < 4; ++i) out[i] = p[i] & mask->w[i];
        } else {
            out[1] = out[2] = out[3] = 0;  // the remainder has n limbs
            divmod_limbs(p, pl, m.w, n, nullptr, out);
        }
    }
    store_wide(r, uint256{out[0], out[1], out[2], out[3]});
    return r;
}

/// base ** exponent mod 2^256.
uint256 exp(uint256 base, const uint256& exponent) noexcept {
    uint256 result = 1;
    const unsigned bits = exponent.bit_length();
    for (unsigned i = 0; i < bits; ++i) {
        if ((exponent.w[i / 64] >> (i % 64)) & 1) result *= base;
        base *= base;
    }
    return result;
}


std::optional<uint256> uint256::from_string(std::string_view s) noexcept {
    if (s.empty()) return std::nullopt;
    uint256 r;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        if (s.empty()) return uint256{};  // "0x" is zero, as in the fixtures
        while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
        if (s.size() > 64) return std::nullopt;
        for (char c : s) {
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return std::nullopt;
            r = (r << 4) | uint256{static_cast<uint64_t>(d)};
        }
        return r;
    }
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const uint256 ten_r = r * 10;
        // Overflow check: ten_r / 10 must give r back, and the addition must not wrap.
        if (ten_r / 10 != r) return std::nullopt;
        const uint256 next = ten_r + uint256{static_cast<uint64_t>(c - '0')};
        if (next < ten_r) return std::nullopt;
        r = next;
    }
    return r;
}

std::string uint256::to_hex() const {
    if (is_zero()) return "0x0";
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    uint256 x = *this;
    while (!x.is_zero()) {
        s.push_back(digits[x.w[0] & 0xf]);
        x = x >> 4;
    }
    s += "x0";
    std::reverse(s.begin(), s.end());
    return s;
}

std::string uint256::to_decimal() const {
    if (is_zero()) return "0";
    std::string s;
    uint256 x = *this;
    while (!x.is_zero()) {
        const auto qr = udivrem(x, 10);
        s.push_back(static_cast<char>('0' + qr.remainder.w[0]));
        x = qr.quotient;
    }
    std::reverse(s.begin(), s.end());
    return s;
}

}  // namespace polyvm

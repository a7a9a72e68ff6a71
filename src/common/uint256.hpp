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
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace polyvm {

using u128 = unsigned __int128;

namespace uint256_detail {
// Add-with-carry and subtract-with-borrow on 64-bit limbs. GCC 12 turns the portable
// `unsigned __int128` formulation of a carry chain into several instructions per limb (it
// materialises each carry in a register); the x86-64 intrinsics compile to one ADC/SBB per limb,
// which halves ADD, SUB and the comparisons. (The <x86intrin.h> names, which GCC and Clang both
// have, map to the same builtins in GCC.) The portable form stays for constant evaluation and
// other targets.

/// a + b + carry; carry (0 or 1) is updated.
[[gnu::always_inline]] constexpr uint64_t addc(uint64_t a, uint64_t b, uint8_t& carry) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r;
        carry = _addcarry_u64(carry, a, b, &r);
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
        borrow = _subborrow_u64(borrow, a, b, &r);
        return r;
    }
#endif
    const u128 t = static_cast<u128>(a) - b - borrow;
    borrow = static_cast<uint8_t>((t >> 64) & 1);
    return static_cast<uint64_t>(t);
}

/// (lo >> bits) | (hi << (64 - bits)) for bits < 64: x86's SHRD, one instruction on one count
/// register, where the portable form needs two counts (and x86 takes a variable count in CL
/// only, so GCC moves each into it in turn). GCC does not emit SHRD for this pattern itself.
[[gnu::always_inline]] constexpr uint64_t funnel_right(uint64_t lo, uint64_t hi, unsigned bits) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        __asm__("shrdq %%cl, %1, %0" : "+r"(lo) : "r"(hi), "c"(bits) : "cc");  // a count of 0 leaves lo
        return lo;
    }
#endif
    return lo >> bits | (hi << 1) << (63 - bits);
}

/// (hi << bits) | (lo >> (64 - bits)) for bits < 64: x86's SHLD.
[[gnu::always_inline]] constexpr uint64_t funnel_left(uint64_t hi, uint64_t lo, unsigned bits) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        __asm__("shldq %%cl, %1, %0" : "+r"(hi) : "r"(lo), "c"(bits) : "cc");
        return hi;
    }
#endif
    return hi << bits | (lo >> 1) >> (63 - bits);
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
#if defined(__x86_64__)
        if (!std::is_constant_evaluated()) {
            // The borrow of a - b, in one SUB/SBB chain (see operator+ on why asm).
            uint64_t t0 = a.w[0], t1 = a.w[1], t2 = a.w[2], t3 = a.w[3];
            bool borrow;
            asm("subq %[b0], %[t0]\n\tsbbq %[b1], %[t1]\n\tsbbq %[b2], %[t2]\n\tsbbq %[b3], %[t3]"
                : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), "=@ccb"(borrow)
                : [b0] "rm"(b.w[0]), [b1] "rm"(b.w[1]), [b2] "rm"(b.w[2]), [b3] "rm"(b.w[3]));
            return borrow;
        }
#endif
        // Borrow of a - b tells a < b without branches.
        uint8_t borrow = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) uint256_detail::subb(a.w[i], b.w[i], borrow);
        return borrow != 0;
    }
    friend constexpr bool operator>(const uint256& a, const uint256& b) noexcept { return b < a; }
    friend constexpr bool operator<=(const uint256& a, const uint256& b) noexcept { return !(b < a); }
    friend constexpr bool operator>=(const uint256& a, const uint256& b) noexcept { return !(a < b); }

    // ADD and SUB as one ADD/ADC (SUB/SBB) chain in asm: GCC 12 gives the carry intrinsics'
    // output a stack slot and stores every limb there besides the result (dead stores), and
    // the portable u128 form costs several instructions per limb. The outputs are early-clobber
    // ("+&r"): each is written before the later inputs are read, so none may share their register.
    friend constexpr uint256 operator+(const uint256& a, const uint256& b) noexcept {
#if defined(__x86_64__)
        if (!std::is_constant_evaluated()) {
            uint64_t r0 = a.w[0], r1 = a.w[1], r2 = a.w[2], r3 = a.w[3];
            asm("addq %[b0], %[r0]\n\tadcq %[b1], %[r1]\n\tadcq %[b2], %[r2]\n\tadcq %[b3], %[r3]"
                : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3)
                : [b0] "rm"(b.w[0]), [b1] "rm"(b.w[1]), [b2] "rm"(b.w[2]), [b3] "rm"(b.w[3])
                : "cc");
            return {r0, r1, r2, r3};
        }
#endif
        uint256 r;
        uint8_t carry = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) r.w[i] = uint256_detail::addc(a.w[i], b.w[i], carry);
        return r;
    }
    friend constexpr uint256 operator-(const uint256& a, const uint256& b) noexcept {
#if defined(__x86_64__)
        if (!std::is_constant_evaluated()) {
            uint64_t r0 = a.w[0], r1 = a.w[1], r2 = a.w[2], r3 = a.w[3];
            asm("subq %[b0], %[r0]\n\tsbbq %[b1], %[r1]\n\tsbbq %[b2], %[r2]\n\tsbbq %[b3], %[r3]"
                : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3)
                : [b0] "rm"(b.w[0]), [b1] "rm"(b.w[1]), [b2] "rm"(b.w[2]), [b3] "rm"(b.w[3])
                : "cc");
            return {r0, r1, r2, r3};
        }
#endif
        uint256 r;
        uint8_t borrow = 0;
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) r.w[i] = uint256_detail::subb(a.w[i], b.w[i], borrow);
        return r;
    }
    constexpr uint256 operator-() const noexcept { return uint256{} - *this; }
    friend constexpr uint256 operator*(const uint256& a, const uint256& b) noexcept {
        // Schoolbook product truncated to 256 bits, written out with named limbs: a loop over
        // the result's array kept it in memory, written 64 bits at a time and copied on 128 bits
        // at a time, which stalled store forwarding.
        const uint64_t a0 = a.w[0], a1 = a.w[1], a2 = a.w[2], a3 = a.w[3];
        const uint64_t b0 = b.w[0], b1 = b.w[1], b2 = b.w[2], b3 = b.w[3];
        u128 t = static_cast<u128>(a0) * b0;
        const uint64_t r0 = static_cast<uint64_t>(t);
        t = static_cast<u128>(a0) * b1 + static_cast<uint64_t>(t >> 64);
        uint64_t r1 = static_cast<uint64_t>(t);
        t = static_cast<u128>(a0) * b2 + static_cast<uint64_t>(t >> 64);
        uint64_t r2 = static_cast<uint64_t>(t);
        uint64_t r3 = a0 * b3 + static_cast<uint64_t>(t >> 64);
        t = static_cast<u128>(a1) * b0 + r1;
        r1 = static_cast<uint64_t>(t);
        t = static_cast<u128>(a1) * b1 + r2 + static_cast<uint64_t>(t >> 64);
        r2 = static_cast<uint64_t>(t);
        r3 += a1 * b2 + static_cast<uint64_t>(t >> 64);
        t = static_cast<u128>(a2) * b0 + r2;
        r2 = static_cast<uint64_t>(t);
        r3 += a2 * b1 + static_cast<uint64_t>(t >> 64) + a3 * b0;
        return {r0, r1, r2, r3};
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

    // Shifts select each result limb from a copy of the operand padded with zero limbs: no
    // branch on the shift amount (a loop whose trip count depended on it was mispredicted in
    // shift-heavy code), and the limbs are computed in registers (a result assembled by 64-bit
    // stores into a temporary and copied on with 128-bit loads stalled store forwarding).
    // `(v >> 1) >> (63 - bits)` is v >> (64 - bits) that gives 0 for bits = 0.

    /// Left shift; any shift of 256 or more gives zero.
    friend constexpr uint256 operator<<(const uint256& a, uint64_t n) noexcept {
        if (n >= 256) return {};
        const unsigned limbs = static_cast<unsigned>(n / 64), bits = static_cast<unsigned>(n % 64);
        const uint64_t padded[8] = {0, 0, 0, 0, a.w[0], a.w[1], a.w[2], a.w[3]};  // a.w[i] at 4 + i
        const uint64_t* src = padded + 4 - limbs;                                  // src[i] = a.w[i - limbs]
        using uint256_detail::funnel_left;
        return {funnel_left(src[0], src[-1], bits), funnel_left(src[1], src[0], bits), funnel_left(src[2], src[1], bits),
                funnel_left(src[3], src[2], bits)};
    }
    /// Logical right shift; any shift of 256 or more gives zero.
    friend constexpr uint256 operator>>(const uint256& a, uint64_t n) noexcept {
        if (n >= 256) return {};
        const unsigned limbs = static_cast<unsigned>(n / 64), bits = static_cast<unsigned>(n % 64);
        const uint64_t padded[8] = {a.w[0], a.w[1], a.w[2], a.w[3], 0, 0, 0, 0};
        const uint64_t* src = padded + limbs;  // src[i] = a.w[i + limbs]
        using uint256_detail::funnel_right;
        return {funnel_right(src[0], src[1], bits), funnel_right(src[1], src[2], bits), funnel_right(src[2], src[3], bits),
                funnel_right(src[3], src[4], bits)};
    }

    uint256& operator+=(const uint256& b) noexcept { return *this = *this + b; }
    uint256& operator-=(const uint256& b) noexcept { return *this = *this - b; }
    uint256& operator*=(const uint256& b) noexcept { return *this = *this * b; }

    /// Parses "0x..." hex or a decimal string; nullopt if malformed or wider than 256 bits.
    static std::optional<uint256> from_string(std::string_view s) noexcept;
    std::string to_hex() const;      // "0x" + minimal hex digits ("0x0" for zero)
    std::string to_decimal() const;  // base 10
};

/// Writes `value` to `slot` with two 128-bit stores. GCC copies stack items (DUP, SWAP,
/// AND/OR/XOR...) with 128-bit loads, which cannot be forwarded from 64-bit stores: a result
/// computed limb by limb in registers (ADD's carry chain, the shifts, MUL, MULMOD's reduction) and
/// stored limb by limb stalled the next instruction that read it that way (perf: the top samples
/// of sha1_shifts on SWAP's and AND's loads; a fifth of weierstrudel's after MULMOD). 64-bit
/// loads forward from the wide stores fine.
[[gnu::always_inline]] inline void store_wide(uint256& slot, const uint256& value) noexcept {
#if defined(__x86_64__)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&slot.w[0]),
                     _mm_set_epi64x(static_cast<long long>(value.w[1]), static_cast<long long>(value.w[0])));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&slot.w[2]),
                     _mm_set_epi64x(static_cast<long long>(value.w[3]), static_cast<long long>(value.w[2])));
#else
    slot = value;
#endif
}

struct DivResult {
    uint256 quotient;
    uint256 remainder;
};

/// Unsigned division with remainder. Division by zero gives {0, 0} (the EVM's rule).
///
/// Division, the modular operations and EXP are compiled out of line (uint256.cpp): they are
/// long, and inlined into the interpreter's single dispatch function they raised its register
/// pressure enough for GCC to spill the stack pointer in every instruction handler.
DivResult udivrem(const uint256& u, const uint256& v) noexcept;

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
uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept;

/// Full 512-bit product, little-endian limbs.
inline void umul_full(const uint256& a, const uint256& b, uint64_t out[8]) noexcept {
    for (int i = 0; i < 8; ++i) out[i] = 0;
    #pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
        u128 carry = 0;
        #pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
            const u128 t = static_cast<u128>(a.w[i]) * b.w[j] + out[i + j] + carry;
            out[i + j] = static_cast<uint64_t>(t);
            carry = t >> 64;
        }
        out[i + 4] = static_cast<uint64_t>(carry);
    }
}

/// (a * b) mod m with a 512-bit intermediate; m = 0 gives 0.
uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept;

/// base ** exponent mod 2^256.
uint256 exp(uint256 base, const uint256& exponent) noexcept;

/// SIGNEXTEND: extends the sign bit of byte `byte_index` (0 = least significant).
inline uint256 signextend(const uint256& byte_index, const uint256& x) noexcept {
    if (!byte_index.fits_u64() || byte_index.w[0] >= 31) return x;
    // Work on the limb holding the sign byte only: an arithmetic shift pair sign-extends it within
    // the limb, the limbs below are kept and the limbs above become copies of the sign.
    const auto e = static_cast<unsigned>(byte_index.w[0]);
    const unsigned limb = e / 8;
    const unsigned unused_bits = 56 - 8 * (e % 8);  // bits above the sign byte within the limb
    const auto extended = static_cast<uint64_t>(static_cast<int64_t>(x.w[limb] << unused_bits) >> unused_bits);
    const auto fill = static_cast<uint64_t>(static_cast<int64_t>(extended) >> 63);
    uint256 r;
    #pragma GCC unroll 4
    for (unsigned i = 0; i < 4; ++i) r.w[i] = i < limb ? x.w[i] : i == limb ? extended : fill;
    return r;
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
        return static_cast<size_t>(polyvm::hash_words(v.w[0], v.w[1], v.w[2], v.w[3]));
    }
};
// libstdc++ recomputes a node's hash on every step of a bucket walk unless the hasher is
// declared slow, which makes it store each hash in its node: with keyed hashes that is cheaper.
template <>
struct std::__is_fast_hash<std::hash<polyvm::uint256>> : std::false_type {};
template <>
struct std::__is_fast_hash<std::hash<polyvm::FixedBytes<20>>> : std::false_type {};
template <>
struct std::__is_fast_hash<std::hash<polyvm::FixedBytes<32>>> : std::false_type {};

// Numeric semantics that C++ does not give directly (core spec 4.3): float min/max with NaN
// and signed zeros, sign operations as bit operations, trapping and saturating truncation.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace polyvm::wasm::numeric {

template <typename F> struct FloatBits;
template <> struct FloatBits<float> { using U = uint32_t; static constexpr U sign = 0x80000000u; static constexpr U quiet = 0x00400000u; };
template <> struct FloatBits<double> { using U = uint64_t; static constexpr U sign = 0x8000000000000000u; static constexpr U quiet = 0x0008000000000000u; };

/// A NaN operand comes back quieted (an arithmetic NaN, as the spec allows).
template <typename F> F quiet(F x) {
    using B = FloatBits<F>;
    return std::bit_cast<F>(typename B::U(std::bit_cast<typename B::U>(x) | B::quiet));
}

template <typename F> F fmin(F a, F b) {
    if (std::isnan(a)) return quiet(a);
    if (std::isnan(b)) return quiet(b);
    if (a == b) return std::signbit(a) ? a : b;  // -0 < +0
    return a < b ? a : b;
}

template <typename F> F fmax(F a, F b) {
    if (std::isnan(a)) return quiet(a);
    if (std::isnan(b)) return quiet(b);
    if (a == b) return std::signbit(a) ? b : a;
    return a > b ? a : b;
}

template <typename F> F fabs_bits(F x) {
    using B = FloatBits<F>;
    return std::bit_cast<F>(typename B::U(std::bit_cast<typename B::U>(x) & ~B::sign));
}
template <typename F> F fneg_bits(F x) {
    using B = FloatBits<F>;
    return std::bit_cast<F>(typename B::U(std::bit_cast<typename B::U>(x) ^ B::sign));
}
template <typename F> F fcopysign_bits(F x, F y) {
    using B = FloatBits<F>;
    using U = typename B::U;
    return std::bit_cast<F>(U((std::bit_cast<U>(x) & ~B::sign) | (std::bit_cast<U>(y) & B::sign)));
}

/// Rounding functions of the C library may hand a signalling NaN back unchanged; the spec wants
/// a quiet (arithmetic) NaN.
template <typename F> F quiet_if_nan(F x) { return std::isnan(x) ? quiet(x) : x; }

template <typename F> F ceil(F x) { return quiet_if_nan(std::ceil(x)); }
template <typename F> F floor(F x) { return quiet_if_nan(std::floor(x)); }
template <typename F> F trunc(F x) { return quiet_if_nan(std::trunc(x)); }
/// Round to nearest, ties to even (the default rounding mode, which the engine never changes).
template <typename F> F nearest(F x) { return quiet_if_nan(std::nearbyint(x)); }
template <typename F> F sqrt(F x) { return quiet_if_nan(std::sqrt(x)); }

enum class TruncStatus { Ok, NaN, Overflow };

/// Truncation toward zero into integer type I; `lo`/`hi` are the exclusive float bounds of the
/// representable range (so that values between the bound and the next integer still fit).
template <typename I, typename F> TruncStatus truncate(F x, I& out) {
    if (std::isnan(x)) return TruncStatus::NaN;
    constexpr bool is_signed = std::numeric_limits<I>::is_signed;
    constexpr int bits = std::numeric_limits<I>::digits + (is_signed ? 1 : 0);
    // 2^(bits-1) for signed, 2^bits for unsigned: exact in both float types.
    const F upper = is_signed ? F(std::ldexp(F(1), bits - 1)) : F(std::ldexp(F(1), bits));
    const F t = std::trunc(x);
    if (is_signed) {
        if (!(t >= -upper && t < upper)) return TruncStatus::Overflow;
    } else {
        if (!(t > F(-1) && t < upper)) return TruncStatus::Overflow;
    }
    out = static_cast<I>(t);
    return TruncStatus::Ok;
}

// Always inline: the interpreter has a traced and an untraced instantiation of its loop, and with
// two callers GCC would call this out of line in both, changing the untraced loop's code.
template <typename I, typename F> [[gnu::always_inline]] inline I truncate_saturating(F x) {
    I out{};
    switch (truncate<I>(x, out)) {
        case TruncStatus::Ok: return out;
        case TruncStatus::NaN: return 0;
        case TruncStatus::Overflow: break;
    }
    return x < F(0) ? std::numeric_limits<I>::min() : std::numeric_limits<I>::max();
}

}  // namespace polyvm::wasm::numeric

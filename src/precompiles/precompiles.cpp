#include "precompiles/precompiles.hpp"

#include "common/uint256.hpp"
#include "precompiles/bls12_381_precompiles.hpp"
#include "crypto/blake2f.hpp"
#include "crypto/bn254.hpp"
#include "crypto/hashes.hpp"
#include "crypto/kzg.hpp"
#include "crypto/modexp.hpp"
#include "crypto/p256.hpp"
#include "crypto/secp256k1.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace polyvm {
namespace {

// Gas costs are computed in uint64_t and saturate here: anything above INT64_MAX is unaffordable.
constexpr uint64_t kUnaffordable = std::numeric_limits<uint64_t>::max();
constexpr u128 kU128Max = ~u128{0};

PrecompileResult out_of_gas() { return {Status::OutOfGas, 0, {}}; }
PrecompileResult failure() { return {Status::PrecompileFailure, 0, {}}; }
PrecompileResult unsupported() { return {Status::UnsupportedPrecompile, 0, {}}; }

bool affordable(uint64_t cost, int64_t gas) noexcept { return gas >= 0 && cost <= static_cast<uint64_t>(gas); }

uint64_t clamp_u64(u128 v) noexcept { return v > kUnaffordable ? kUnaffordable : static_cast<uint64_t>(v); }

u128 mul_saturating(u128 a, u128 b) noexcept { return (a != 0 && b > kU128Max / a) ? kU128Max : a * b; }

uint64_t add_saturating(uint64_t a, uint64_t b) noexcept {
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? kUnaffordable : r;
}

uint64_t saturate_u64(const uint256& v) noexcept { return v.fits_u64() ? v.low64() : kUnaffordable; }

/// base + per_word * ceil(size / 32): the Frontier pricing of 0x02, 0x03 and 0x04.
uint64_t word_priced(size_t size, uint64_t base, uint64_t per_word) noexcept {
    const u128 words = (static_cast<u128>(size) + 31) / 32;
    return clamp_u64(base + per_word * words);
}

/// 32 bytes of input at offset; input reads as zeros past its end (every precompile's convention).
uint256 word_at(bytes_view in, uint64_t offset) noexcept {
    uint8_t buf[32] = {};
    if (offset < in.size()) std::memcpy(buf, in.data() + offset, std::min<size_t>(32, in.size() - offset));
    return uint256::load_be(buf);
}

/// The low 16 bits of a precompile address, or 0 for an address with any higher byte set.
unsigned precompile_number(const Address& addr) noexcept {
    for (size_t i = 0; i < 18; ++i)
        if (addr[i] != 0) return 0;
    return (static_cast<unsigned>(addr[18]) << 8) | addr[19];
}

// ---------------------------------------------------------------------------------------------
// 0x01 ecrecover

PrecompileResult run_ecrecover(bytes_view in, int64_t gas) {
    constexpr uint64_t kCost = 3000;
    if (!affordable(kCost, gas)) return out_of_gas();
    const int64_t gas_left = gas - static_cast<int64_t>(kCost);

    uint8_t buf[128] = {};
    if (!in.empty()) std::memcpy(buf, in.data(), std::min<size_t>(128, in.size()));
    // v is a whole 32-byte word and must be exactly 27 or 28; a bad signature is not an error,
    // the call succeeds with empty output (gas is still charged).
    for (size_t i = 32; i < 63; ++i)
        if (buf[i] != 0) return {Status::Success, gas_left, {}};
    const uint8_t v = buf[63];
    if (v != 27 && v != 28) return {Status::Success, gas_left, {}};
    // r and s must lie in [1, n); ecrecover() checks that. No EIP-2 low-s rule for the precompile.
    const auto signer = ecrecover(Hash32::from(bytes_view{buf, 32}), uint256::load_be(buf + 64),
                                  uint256::load_be(buf + 96), v - 27u);
    if (!signer) return {Status::Success, gas_left, {}};
    bytes out(32, 0);
    std::memcpy(out.data() + 12, signer->data(), 20);
    return {Status::Success, gas_left, std::move(out)};
}

// ---------------------------------------------------------------------------------------------
// 0x02 sha256, 0x03 ripemd160, 0x04 identity

PrecompileResult run_sha256(bytes_view in, int64_t gas) {
    const uint64_t cost = word_priced(in.size(), 60, 12);
    if (!affordable(cost, gas)) return out_of_gas();
    const Hash32 digest = sha256(in);
    return {Status::Success, gas - static_cast<int64_t>(cost), bytes(digest.bytes.begin(), digest.bytes.end())};
}

PrecompileResult run_ripemd160(bytes_view in, int64_t gas) {
    const uint64_t cost = word_priced(in.size(), 600, 120);
    if (!affordable(cost, gas)) return out_of_gas();
    const Ripemd160Digest digest = ripemd160(in);
    bytes out(32, 0);  // the 20-byte digest, left-padded to a word
    std::memcpy(out.data() + 12, digest.data(), 20);
    return {Status::Success, gas - static_cast<int64_t>(cost), std::move(out)};
}

PrecompileResult run_identity(bytes_view in, int64_t gas) {
    const uint64_t cost = word_priced(in.size(), 15, 3);
    if (!affordable(cost, gas)) return out_of_gas();
    return {Status::Success, gas - static_cast<int64_t>(cost), bytes(in.begin(), in.end())};
}

// ---------------------------------------------------------------------------------------------
// 0x05 modexp (EIP-198, repriced by EIP-2565)

/// Operand bytes [offset, offset + len) of the input, which reads as zeros past its end.
PaddedBigEndian operand(bytes_view in, uint64_t offset, uint64_t len) noexcept {
    if (offset >= in.size()) return {{}, len};
    const uint64_t avail = std::min<uint64_t>(len, in.size() - offset);
    return {in.subspan(offset, avail), len - avail};
}

/// The first min(32, exp_len) bytes of the exponent as a number: EIP-198's exponent head.
uint256 exponent_head(const PaddedBigEndian& exp, uint64_t exp_len) noexcept {
    const size_t k = static_cast<size_t>(std::min<uint64_t>(32, exp_len));
    uint8_t buf[32] = {};
    if (!exp.head.empty()) std::memcpy(buf + (32 - k), exp.head.data(), std::min(k, exp.head.size()));
    return uint256::load_be(buf);
}

/// The three length words as read. Kept at full width: saturating the exponent length to 64 bits
/// would make a 2^256-byte exponent look affordable to a caller with 2^63 gas.
struct ModExpLengths {
    uint256 base, exp, mod;
};

/// EIP-198 ADJUSTED_EXPONENT_LENGTH: the index of the exponent head's highest set bit, plus
/// 8 bits per exponent byte beyond the first 32. EIP-2565 reuses it as the iteration count.
/// Saturates (for exponent lengths of 2^64 bytes or more, which no gas can pay for).
u128 adjusted_exponent_length(const uint256& exp_len, const uint256& head) noexcept {
    if (!exp_len.fits_u64()) return kU128Max;
    const unsigned bits = head.bit_length();
    const u128 head_index = bits == 0 ? 0 : bits - 1;
    if (exp_len.low64() <= 32) return head_index;
    return u128{8} * (exp_len.low64() - 32) + head_index;
}

// At 2^40 bytes or more, either formula costs over 2^63 gas whatever the exponent, so longer
// operands are unaffordable outright and the polynomials below stay well inside 128 bits.
constexpr uint64_t kMaxPricedLength = uint64_t{1} << 40;

/// EIP-198 (Byzantium to Istanbul): mult_complexity(max(base, mod)) * max(adj_exp_len, 1) / 20.
uint64_t modexp_gas_eip198(const ModExpLengths& len, const uint256& head) noexcept {
    const uint256 max_len = std::max(len.base, len.mod);
    if (max_len >= kMaxPricedLength) return kUnaffordable;
    const u128 x = max_len.low64();
    u128 complexity;
    if (x <= 64)
        complexity = x * x;
    else if (x <= 1024)
        complexity = x * x / 4 + 96 * x - 3072;
    else
        complexity = x * x / 16 + 480 * x - 199680;
    const u128 iterations = std::max<u128>(adjusted_exponent_length(len.exp, head), 1);
    return clamp_u64(mul_saturating(complexity, iterations) / 20);
}

/// EIP-2565 (Berlin on): ceil(max(base, mod) / 8)^2 * max(adj_exp_len, 1) / 3, at least 200.
uint64_t modexp_gas_eip2565(const ModExpLengths& len, const uint256& head) noexcept {
    const uint256 max_len = std::max(len.base, len.mod);
    if (max_len >= kMaxPricedLength) return kUnaffordable;
    const u128 words = (u128{max_len.low64()} + 7) / 8;
    const u128 iterations = std::max<u128>(adjusted_exponent_length(len.exp, head), 1);
    return std::max<uint64_t>(200, clamp_u64(mul_saturating(words * words, iterations) / 3));
}

/// EIP-7823 (Osaka): every operand length is at most 1024 bytes; a longer one fails the call.
constexpr uint64_t kModExpMaxLength = 1024;

/// EIP-7883 (Osaka): multiplication complexity 16 up to 32-byte operands, 2 * words^2 above;
/// 16 iterations per exponent byte past 32 (was 8); no division by 3; a minimum of 500.
uint64_t modexp_gas_eip7883(const ModExpLengths& len, const uint256& head) noexcept {
    const uint256 max_len = std::max(len.base, len.mod);
    // Only reached after the EIP-7823 bound; saturate anyway rather than trust the caller.
    if (max_len > kModExpMaxLength || len.exp > kModExpMaxLength) return kUnaffordable;
    const u128 x = max_len.low64();
    const u128 words = (x + 7) / 8;
    const u128 complexity = x > 32 ? 2 * words * words : 16;
    const unsigned bits = head.bit_length();
    const u128 head_index = bits == 0 ? 0 : bits - 1;
    const uint64_t exp_len = len.exp.low64();
    const u128 iterations = std::max<u128>(exp_len <= 32 ? head_index : 16 * u128{exp_len - 32} + head_index, 1);
    return std::max<uint64_t>(500, clamp_u64(complexity * iterations));
}

uint64_t modexp_gas(const ModExpLengths& len, const uint256& head, Revision rev) noexcept {
    if (rev >= Revision::Osaka) return modexp_gas_eip7883(len, head);
    if (rev >= Revision::Berlin) return modexp_gas_eip2565(len, head);
    return modexp_gas_eip198(len, head);
}

// Not a consensus rule: past the gas check, an operand this long would need a gas allowance of
// billions and hours of work. Such a call fails instead of exhausting memory or time.
constexpr uint64_t kMaxComputableLength = uint64_t{1} << 32;

PrecompileResult run_modexp(bytes_view in, int64_t gas, Revision rev) {
    // Input: three 32-byte lengths, then base, exponent and modulus back to back (EIP-198).
    const ModExpLengths len{word_at(in, 0), word_at(in, 32), word_at(in, 64)};
    // Offsets saturate: past 2^64 they are past the input anyway, and the gas check fails.
    const uint64_t base_len = saturate_u64(len.base), exp_len = saturate_u64(len.exp), mod_len = saturate_u64(len.mod);
    const uint64_t exp_start = add_saturating(96, base_len);
    const uint64_t mod_start = add_saturating(exp_start, exp_len);
    const PaddedBigEndian exp = operand(in, exp_start, exp_len);

    // EIP-7823 (Osaka): over-long operands fail like any precompile failure (all gas consumed).
    if (rev >= Revision::Osaka &&
        (len.base > kModExpMaxLength || len.exp > kModExpMaxLength || len.mod > kModExpMaxLength))
        return failure();

    // Nothing is allocated before this check: the lengths may be anything up to 2^256 - 1.
    const uint64_t cost = modexp_gas(len, exponent_head(exp, exp_len), rev);
    if (!affordable(cost, gas)) return out_of_gas();
    const int64_t gas_left = gas - static_cast<int64_t>(cost);

    // An empty modulus gives empty output whatever the rest (the spec returns early only when the
    // base is empty too, but a 0-byte result is empty either way).
    if (mod_len == 0) return {Status::Success, gas_left, {}};
    if (base_len > kMaxComputableLength || exp_len > kMaxComputableLength || mod_len > kMaxComputableLength)
        return {Status::Failure, 0, {}};

    bytes out(static_cast<size_t>(mod_len));
    modexp(operand(in, 96, base_len), exp, operand(in, mod_start, mod_len), out);
    return {Status::Success, gas_left, std::move(out)};
}

// ---------------------------------------------------------------------------------------------
// 0x06 ECADD, 0x07 ECMUL, 0x08 ECPAIRING on alt_bn128 (EIP-196, EIP-197; repriced by EIP-1108)

/// Gas is charged before any decoding: invalid input costs all the gas anyway, and a caller
/// without enough gas must not get the work done first.
template <class F>
PrecompileResult charged(uint64_t cost, int64_t gas, F&& run) {
    if (!affordable(cost, gas)) return out_of_gas();
    std::optional<bytes> out = run();
    if (!out) return failure();
    return {Status::Success, gas - static_cast<int64_t>(cost), std::move(*out)};
}

PrecompileResult run_ecadd(bytes_view in, int64_t gas, Revision rev) {
    const uint64_t cost = rev >= Revision::Istanbul ? 150 : 500;  // EIP-1108 : EIP-196
    return charged(cost, gas, [&] { return bn254::bn254_add(in); });
}

PrecompileResult run_ecmul(bytes_view in, int64_t gas, Revision rev) {
    const uint64_t cost = rev >= Revision::Istanbul ? 6000 : 40000;  // EIP-1108 : EIP-196
    return charged(cost, gas, [&] { return bn254::bn254_mul(in); });
}

PrecompileResult run_ecpairing(bytes_view in, int64_t gas, Revision rev) {
    // EIP-197: 100000 + 80000 k; EIP-1108 (Istanbul): 45000 + 34000 k, k = len / 192 rounded
    // down (a length that is not a multiple of 192 is charged, then fails).
    const bool istanbul = rev >= Revision::Istanbul;
    const u128 k = in.size() / 192;
    const uint64_t cost = clamp_u64(u128{istanbul ? 45000u : 100000u} + u128{istanbul ? 34000u : 80000u} * k);
    return charged(cost, gas, [&] { return bn254::bn254_pairing_check(in); });
}

// ---------------------------------------------------------------------------------------------
// 0x0a point evaluation (EIP-4844): flat 50000 gas; any invalid input fails with all gas consumed.

PrecompileResult run_point_evaluation(bytes_view in, int64_t gas) {
    return charged(kzg::kPointEvaluationGas, gas, [&] { return kzg::point_evaluation(in); });
}

// ---------------------------------------------------------------------------------------------
// 0x100 P256VERIFY (EIP-7951): flat 6900 gas; an invalid signature or malformed input is not a
// failure, it returns empty output (a valid one returns the 32-byte word 1).

PrecompileResult run_p256verify(bytes_view in, int64_t gas) {
    constexpr uint64_t kCost = 6900;
    if (!affordable(kCost, gas)) return out_of_gas();
    const int64_t gas_left = gas - static_cast<int64_t>(kCost);
    if (!p256_verify(in)) return {Status::Success, gas_left, {}};
    bytes out(32, 0);
    out[31] = 1;
    return {Status::Success, gas_left, std::move(out)};
}

// ---------------------------------------------------------------------------------------------
// 0x09 blake2f (EIP-152)

uint64_t load_le64(const uint8_t* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

void store_le64(uint8_t* p, uint64_t v) noexcept {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

PrecompileResult run_blake2f(bytes_view in, int64_t gas) {
    // EIP-152 layout: rounds (4, big-endian) | h (8 x 8, LE) | m (16 x 8, LE) | t (2 x 8, LE) | f (1).
    // The checks run in the spec's order: length, then gas, then the flag.
    if (in.size() != 213) return failure();
    const uint32_t rounds = (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
    if (!affordable(rounds, gas)) return out_of_gas();  // 1 gas per round
    const uint8_t flag = in[212];
    if (flag > 1) return failure();

    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; ++i) h[i] = load_le64(&in[4 + 8 * i]);
    for (int i = 0; i < 16; ++i) m[i] = load_le64(&in[68 + 8 * i]);
    t[0] = load_le64(&in[196]);
    t[1] = load_le64(&in[204]);
    blake2b_compress(rounds, h, m, t, flag == 1);

    bytes out(64);
    for (int i = 0; i < 8; ++i) store_le64(&out[8 * i], h[i]);
    return {Status::Success, gas - static_cast<int64_t>(rounds), std::move(out)};
}

}  // namespace

bool is_precompile(const Address& addr, Revision rev) noexcept {
    const unsigned n = precompile_number(addr);
    if (n >= 0x01 && n <= 0x04) return true;
    if (n >= 0x05 && n <= 0x08) return rev >= Revision::Byzantium;  // EIP-196/197/198
    if (n == 0x09) return rev >= Revision::Istanbul;                // EIP-152
    if (n == 0x0a) return rev >= Revision::Cancun;                  // EIP-4844 point evaluation
    if (n >= 0x0b && n <= 0x11) return rev >= Revision::Prague;     // EIP-2537 BLS12-381
    if (n == 0x100) return rev >= Revision::Osaka;                  // EIP-7951 P256VERIFY
    return false;
}

PrecompileResult run_precompile(const Address& addr, bytes_view input, int64_t gas, Revision rev) {
    if (!is_precompile(addr, rev)) return {Status::Failure, 0, {}};
    switch (precompile_number(addr)) {
    case 0x01:
        return run_ecrecover(input, gas);
    case 0x02:
        return run_sha256(input, gas);
    case 0x03:
        return run_ripemd160(input, gas);
    case 0x04:
        return run_identity(input, gas);
    case 0x05:
        return run_modexp(input, gas, rev);
    case 0x06:
        return run_ecadd(input, gas, rev);
    case 0x07:
        return run_ecmul(input, gas, rev);
    case 0x08:
        return run_ecpairing(input, gas, rev);
    case 0x09:
        return run_blake2f(input, gas);
    case 0x0a:
        return run_point_evaluation(input, gas);
    // EIP-2537 BLS12-381 (Prague): gas charged before any decoding; any invalid input fails
    // with all gas consumed.
    case 0x0b:
        return charged(eip2537::kG1AddGas, gas, [&] { return eip2537::g1_add(input); });
    case 0x0c:
        return charged(eip2537::g1_msm_gas(input.size()), gas, [&] { return eip2537::g1_msm(input); });
    case 0x0d:
        return charged(eip2537::kG2AddGas, gas, [&] { return eip2537::g2_add(input); });
    case 0x0e:
        return charged(eip2537::g2_msm_gas(input.size()), gas, [&] { return eip2537::g2_msm(input); });
    case 0x0f:
        return charged(eip2537::pairing_gas(input.size()), gas, [&] { return eip2537::pairing_check(input); });
    case 0x10:
        return charged(eip2537::kMapFpToG1Gas, gas, [&] { return eip2537::map_fp_to_g1(input); });
    case 0x11:
        return charged(eip2537::kMapFp2ToG2Gas, gas, [&] { return eip2537::map_fp2_to_g2(input); });
    case 0x100:
        return run_p256verify(input, gas);
    default:
        return unsupported();  // unreachable: is_precompile() admits only the numbers above
    }
}

}  // namespace polyvm

// EIP-2537 BLS12-381 precompiles: encoding, validation and gas. The curve arithmetic lives in
// crypto/bls12_381.* and the map-to-curve in crypto/bls12_381_map.*.
#include "precompiles/bls12_381_precompiles.hpp"

#include "crypto/bls12_381.hpp"
#include "crypto/bls12_381_map.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace polyvm::eip2537 {
namespace {

using namespace polyvm::bls12_381;

// EIP-2537 "G1/G2 MSM": discount(k) for k = 1..128, per mille; k > 128 uses the last entry
// (max_discount = 519 for G1, 524 for G2).
constexpr std::array<uint16_t, 128> kG1Discount = {
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665, 661,
    658,  654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615, 613, 611,
    609,  608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585, 584, 582, 581,
    580,  579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559,
    558,  557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545, 544, 543, 542, 541, 540,
    540,  539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531, 530, 529, 528, 528, 527, 526, 525, 525,
    524,  523, 522, 522, 521, 520, 520, 519};
constexpr std::array<uint16_t, 128> kG2Discount = {
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699, 693,
    688,  683,  679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629, 627, 624,
    622,  620,  618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593, 592, 590, 589, 587,
    586,  584,  583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562,
    561,  560,  559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548, 547, 546, 545, 545, 544,
    543,  542,  541, 541, 540, 539, 538, 537, 537, 536, 535, 535, 534, 533, 532, 532, 531, 530, 530, 529,
    528,  528,  527, 526, 526, 525, 524, 524};

constexpr uint64_t kUnaffordable = ~uint64_t{0};

uint64_t discount(const std::array<uint16_t, 128>& table, uint64_t k) noexcept {
    if (k == 0) return 0;
    return table[std::min<uint64_t>(k, table.size()) - 1];
}

/// k * mul_cost * discount(k) / 1000, saturating (k is bounded by the input size, which a caller
/// could make huge only by paying for it in memory expansion first, but saturate anyway).
uint64_t msm_gas(size_t len, size_t pair_len, uint64_t mul_cost, const std::array<uint16_t, 128>& table) noexcept {
    const uint64_t k = len / pair_len;
    if (k == 0) return 0;  // EIP-2537: no pairs costs 0; the call then fails on the length.
    const unsigned __int128 cost =
        static_cast<unsigned __int128>(k) * mul_cost * discount(table, k) / kMsmMultiplier;
    return cost > kUnaffordable ? kUnaffordable : static_cast<uint64_t>(cost);
}

// ---------------------------------------------------------------------------------------------
// Encoding (EIP-2537 "Fine points and encoding of base elements")

/// A 64-byte field element: the top 16 bytes must be zero and the value must be < p.
std::optional<Fp> decode_fp(const uint8_t* p) noexcept {
    for (size_t i = 0; i < 16; ++i)
        if (p[i] != 0) return std::nullopt;
    return Fp::from_be(p + 16);
}

/// c0 || c1.
std::optional<Fp2> decode_fp2(const uint8_t* p) noexcept {
    const auto c0 = decode_fp(p), c1 = decode_fp(p + kFpLen);
    if (!c0 || !c1) return std::nullopt;
    return Fp2{*c0, *c1};
}

/// x || y; all zeros is the point at infinity ((0, 0) is not on the curve, so the convention is
/// unambiguous). The point must be on the curve; the subgroup is the caller's business, because
/// G1ADD does not check it (EIP-2537 "There is no subgroup check for the G1 addition precompile").
std::optional<G1Affine> decode_g1(const uint8_t* p) noexcept {
    const auto x = decode_fp(p), y = decode_fp(p + kFpLen);
    if (!x || !y) return std::nullopt;  // encoding is checked before the infinity convention
    if (x->is_zero() && y->is_zero()) return G1Affine::identity();
    const G1Affine pt = G1Affine::of(*x, *y);
    if (!pt.is_on_curve()) return std::nullopt;
    return pt;
}

/// x.c0 || x.c1 || y.c0 || y.c1.
std::optional<G2Affine> decode_g2(const uint8_t* p) noexcept {
    const auto x = decode_fp2(p), y = decode_fp2(p + kFp2Len);
    if (!x || !y) return std::nullopt;
    if (x->is_zero() && y->is_zero()) return G2Affine::identity();
    const G2Affine pt = G2Affine::of(*x, *y);
    if (!pt.is_on_curve()) return std::nullopt;
    return pt;
}

/// 32-byte big-endian scalar, as a little-endian 256-bit integer (not reduced: EIP-2537 says
/// scalars need not be < q).
Scalar decode_scalar(const uint8_t* p) noexcept {
    Scalar s{};
    for (size_t i = 0; i < 4; ++i) {
        uint64_t w = 0;
        for (size_t j = 0; j < 8; ++j) w = (w << 8) | p[8 * (3 - i) + j];
        s[i] = w;
    }
    return s;
}

void encode_fp(const Fp& a, uint8_t* out) noexcept {
    std::fill(out, out + 16, uint8_t{0});
    a.to_be(out + 16);
}

bytes encode_g1(const G1Affine& p) {
    bytes out(kG1Len, 0);  // infinity: all zeros
    if (!p.infinity) {
        encode_fp(p.x, out.data());
        encode_fp(p.y, out.data() + kFpLen);
    }
    return out;
}

bytes encode_g2(const G2Affine& p) {
    bytes out(kG2Len, 0);
    if (!p.infinity) {
        encode_fp(p.x.c0, out.data());
        encode_fp(p.x.c1, out.data() + kFpLen);
        encode_fp(p.y.c0, out.data() + 2 * kFpLen);
        encode_fp(p.y.c1, out.data() + 3 * kFpLen);
    }
    return out;
}

}  // namespace

uint64_t g1_msm_discount(uint64_t k) noexcept { return discount(kG1Discount, k); }
uint64_t g2_msm_discount(uint64_t k) noexcept { return discount(kG2Discount, k); }

uint64_t g1_msm_gas(size_t len) noexcept { return msm_gas(len, kG1MsmPairLen, kG1MulGas, kG1Discount); }
uint64_t g2_msm_gas(size_t len) noexcept { return msm_gas(len, kG2MsmPairLen, kG2MulGas, kG2Discount); }

uint64_t pairing_gas(size_t len) noexcept {
    const unsigned __int128 cost =
        static_cast<unsigned __int128>(len / kPairingPairLen) * kPairingPerPairGas + kPairingBaseGas;
    return cost > kUnaffordable ? kUnaffordable : static_cast<uint64_t>(cost);
}

// ---------------------------------------------------------------------------------------------
// 0x0b G1ADD, 0x0d G2ADD: on-curve checks only, no subgroup check (EIP-2537).

std::optional<bytes> g1_add(bytes_view in) {
    if (in.size() != 2 * kG1Len) return std::nullopt;
    const auto a = decode_g1(in.data()), b = decode_g1(in.data() + kG1Len);
    if (!a || !b) return std::nullopt;
    return encode_g1(bls12_381::g1_add(*a, *b));
}

std::optional<bytes> g2_add(bytes_view in) {
    if (in.size() != 2 * kG2Len) return std::nullopt;
    const auto a = decode_g2(in.data()), b = decode_g2(in.data() + kG2Len);
    if (!a || !b) return std::nullopt;
    return encode_g2(bls12_381::g2_add(*a, *b));
}

// ---------------------------------------------------------------------------------------------
// 0x0c G1MSM, 0x0e G2MSM: k >= 1 pairs (point, scalar); every point on the curve and in the
// subgroup (EIP-2537 lists "not in the correct subgroup" as an error for MSM, which since the
// final version also covers k = 1, the former G1MUL/G2MUL).

std::optional<bytes> g1_msm(bytes_view in) {
    if (in.empty() || in.size() % kG1MsmPairLen != 0) return std::nullopt;
    const size_t k = in.size() / kG1MsmPairLen;
    std::vector<G1Affine> points;
    std::vector<Scalar> scalars;
    points.reserve(k);
    scalars.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* p = in.data() + i * kG1MsmPairLen;
        const auto pt = decode_g1(p);
        if (!pt || !g1_in_subgroup(*pt)) return std::nullopt;
        const Scalar s = reduce_mod_r(decode_scalar(p + kG1Len));
        // Terms that are zero contribute nothing (still validated above).
        if (pt->infinity || field::detail::is_zero(s)) continue;
        points.push_back(*pt);
        scalars.push_back(s);
    }
    // Every point is in G1 (checked above): the endomorphism-split MSM applies.
    return encode_g1(g1_msm_in_subgroup(points, scalars).to_affine());
}

std::optional<bytes> g2_msm(bytes_view in) {
    if (in.empty() || in.size() % kG2MsmPairLen != 0) return std::nullopt;
    const size_t k = in.size() / kG2MsmPairLen;
    std::vector<G2Affine> points;
    std::vector<Scalar> scalars;
    points.reserve(k);
    scalars.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* p = in.data() + i * kG2MsmPairLen;
        const auto pt = decode_g2(p);
        if (!pt || !g2_in_subgroup(*pt)) return std::nullopt;
        const Scalar s = reduce_mod_r(decode_scalar(p + kG2Len));
        if (pt->infinity || field::detail::is_zero(s)) continue;
        points.push_back(*pt);
        scalars.push_back(s);
    }
    // Every point is in G2 (checked above): the endomorphism-split MSM applies.
    return encode_g2(g2_msm_in_subgroup(points, scalars).to_affine());
}

// ---------------------------------------------------------------------------------------------
// 0x0f PAIRING_CHECK: k >= 1 pairs (G1, G2), both in their subgroups; output 32-byte 0 or 1.

std::optional<bytes> pairing_check(bytes_view in) {
    if (in.empty() || in.size() % kPairingPairLen != 0) return std::nullopt;
    const size_t k = in.size() / kPairingPairLen;
    std::vector<std::pair<G1Affine, G2Affine>> pairs;
    pairs.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* p = in.data() + i * kPairingPairLen;
        const auto a = decode_g1(p);
        if (!a || !g1_in_subgroup(*a)) return std::nullopt;
        const auto b = decode_g2(p + kG1Len);
        if (!b) return std::nullopt;
        // e(P, O) = e(O, Q) = 1: such a pair drops out of the product (still validated).
        if (b->infinity) continue;
        if (a->infinity) {
            if (!g2_in_subgroup(*b)) return std::nullopt;
            continue;
        }
        pairs.emplace_back(*a, *b);  // Q's subgroup is checked inside the pairing's Miller loop
    }
    const std::optional<bool> one = pairs.empty() ? true : bls12_381::pairing_check_g2_unchecked(pairs);
    if (!one) return std::nullopt;  // some Q outside G2
    bytes out(32, 0);
    out[31] = *one ? 1 : 0;
    return out;
}

// ---------------------------------------------------------------------------------------------
// 0x10 MAP_FP_TO_G1, 0x11 MAP_FP2_TO_G2: exactly one encoded field element.

std::optional<bytes> map_fp_to_g1(bytes_view in) {
    if (in.size() != kFpLen) return std::nullopt;
    const auto u = decode_fp(in.data());
    if (!u) return std::nullopt;
    return encode_g1(bls12_381::map_fp_to_g1(*u));
}

std::optional<bytes> map_fp2_to_g2(bytes_view in) {
    if (in.size() != kFp2Len) return std::nullopt;
    const auto u = decode_fp2(in.data());
    if (!u) return std::nullopt;
    return encode_g2(bls12_381::map_fp2_to_g2(*u));
}

}  // namespace polyvm::eip2537

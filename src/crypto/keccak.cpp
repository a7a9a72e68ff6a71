#include "crypto/keccak.hpp"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace polyvm {
namespace {
// Round constants of the iota step (FIPS 202, 3.2.5).
constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// Rotation offsets of the rho step for lane x + 5y (FIPS 202, 3.2.2).
constexpr int kRho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                          25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

constexpr size_t kRate = 136;  // bytes: 1600 - 2 * 256 bits

using Lanes = uint64_t[25];

// One round, written so that every array index is a compile-time constant (index_sequence
// expansions instead of loops): the compiler then keeps the lanes in registers (and spill slots)
// instead of memory arrays, and there is no loop control at all. That is ~10x fewer
// instructions than the straightforward loops with `% 5` indexing.
//
// theta's column parities C are not computed from the round's input: chi of the round before
// XORs each output lane into them as it is made (and iota's constant too), so each lane is
// loaded once per round instead of twice: ~5-9% faster on Zen 3. The XORs themselves stay (a
// round is ~130 integer-ALU operations however it is written, which is what bounds a
// permutation there: ~780 cycles on four ALUs; docs/performance.md).

// theta's addition, rho and pi, then chi, for output row Y. Output lane (X, Y) is input lane
// (x, y) = ((X + 3Y) mod 5, X) moved by pi, so each output row needs five input lanes only and
// no full intermediate state is built. The row's outputs start (Y = 0) or join the parities of
// the next round's columns.
template <size_t Y, size_t... X>
[[gnu::always_inline]] inline void row(const Lanes& a, const uint64_t (&d)[5], Lanes& e, uint64_t (&c)[5],
                                       std::index_sequence<X...>) noexcept {
    uint64_t b[5];
    ((b[X] = std::rotl(a[(X + 3 * Y) % 5 + 5 * X] ^ d[(X + 3 * Y) % 5], kRho[(X + 3 * Y) % 5 + 5 * X])), ...);
    if constexpr (Y == 0)
        ((c[X] = e[X + 5 * Y] = b[X] ^ (~b[(X + 1) % 5] & b[(X + 2) % 5])), ...);
    else
        ((c[X] ^= e[X + 5 * Y] = b[X] ^ (~b[(X + 1) % 5] & b[(X + 2) % 5])), ...);
}

// One round from a to e; c holds a's column parities on entry and e's on return.
template <size_t... Y>
[[gnu::always_inline]] inline void round(const Lanes& a, Lanes& e, uint64_t (&c)[5], uint64_t rc,
                                         std::index_sequence<Y...>) noexcept {
    uint64_t d[5];  // theta: the value added to every lane of column Y
    ((d[Y] = c[(Y + 4) % 5] ^ std::rotl(c[(Y + 1) % 5], 1)), ...);
    (row<Y>(a, d, e, c, std::make_index_sequence<5>{}), ...);
    e[0] ^= rc;  // iota
    c[0] ^= rc;
}

// Copies lanes one 8-byte load and store at a time, through a register. A memcpy compiles to
// 16-byte moves, and a 16-byte load of two lanes stored separately (the sponge's XORs, the
// rounds' spills) cannot be served by store-to-load forwarding: it waits until both stores have
// reached the cache, on the critical path of a chain of dependent hashes (a Merkle proof).
template <size_t N>
[[gnu::always_inline]] inline void copy_lanes(uint64_t* to, const uint64_t* from) noexcept {
#pragma GCC unroll 25
    for (size_t i = 0; i < N; ++i) {
        uint64_t lane = from[i];
        asm("" : "+r"(lane));  // keeps the compiler from merging the copies into vector moves
        to[i] = lane;
    }
}

/// Zeroes lanes From..To-1 with plain 8-byte stores: GCC makes a zero fill of a known size a
/// `rep stos`, whose start-up costs more than the ~25 stores (the zero is opaque to prevent it).
template <size_t From, size_t To>
[[gnu::always_inline]] inline void zero_lanes(uint64_t* lanes) noexcept {
    uint64_t zero = 0;
    asm("" : "+r"(zero));
#pragma GCC unroll 25
    for (size_t i = From; i < To; ++i) lanes[i] = zero;
}

[[gnu::always_inline]] inline void permute_scalar(uint64_t state[25]) noexcept {
    Lanes a, e;
    copy_lanes<25>(a, state);
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    // Two rounds per iteration, ping-ponging between a and e, so no state copy is needed.
    for (int i = 0; i < 24; i += 2) {
        round(a, e, c, kRoundConstants[i], std::make_index_sequence<5>{});
        round(e, a, c, kRoundConstants[i + 1], std::make_index_sequence<5>{});
    }
    copy_lanes<25>(state, a);
}
}  // namespace

void detail::keccak_f1600_scalar(uint64_t state[25]) noexcept { permute_scalar(state); }

#if defined(__x86_64__)
// The same code for CPUs with BMI1 and BMI2: ANDN does chi's `~b & c` in one non-destructive
// instruction and RORX rotates into another register, which saves most of the register copies
// that x86's two-operand forms need: 578 instructions for two rounds against 697 in the
// baseline x86-64 build, and ~20% faster (bench_keccak, Zen 3).
__attribute__((target("bmi,bmi2"))) void detail::keccak_f1600_bmi2(uint64_t state[25]) noexcept {
    permute_scalar(state);
}

bool detail::keccak_f1600_bmi2_available() noexcept {
    __builtin_cpu_init();  // may run in a static initialiser, before libgcc's own
    return __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
}
#else
void detail::keccak_f1600_bmi2(uint64_t state[25]) noexcept { permute_scalar(state); }
bool detail::keccak_f1600_bmi2_available() noexcept { return false; }
#endif

#if defined(__x86_64__)
// AVX-512 (F + VL), on 128-bit registers: 15 registers of two lanes each, kept in EVEX's 32 xmm
// registers. The 3-input VPTERNLOGQ does theta's XORs and chi (a ^ (~b & c)) in one instruction
// each and VPROLQ/VPROLVQ the rotations (rho with a different offset in each lane), so the two
// lanes of a register cost one instruction. The lanes are paired so that every step works on
// whole registers; the only data movement is 1-cycle shuffles within the register (VPUNPCKL/HQDQ,
// VPBLENDD: 13 a round to re-pair, VPALIGNR: 5 for theta's parities). No lane crosses a 128-bit
// boundary: the cross-lane permutations (~5 cycles' latency each on Zen 4) that pi needs when
// the rows are kept in five 512-bit registers made that layout ~1.5x slower than the scalar code.
// Measured on Zen 4 (EPYC): ~230 ns per permutation against ~290 ns for the scalar one.
//
// Lanes A[x, y], indices mod 5; pi moves A[x, y] to B[y, 2x + 3y], i.e. B[X, Y] = A[X + 3Y, X].
// Between rounds (the output of chi and iota) the state is in "column pairs":
//   e0[x] = (A[x, 0], A[x, 1])    e1[x] = (A[x, 2], A[x, 3])    u[k] = (A[k - 2, 4], A[k + 1, 4])
// (row 4 is held twice: each lane is in two u registers). A round first re-pairs into
//   f1[y] = (A[y, y], A[y + 3, y])        = (B[y, 0], B[y, 1])
//   f2[y] = (A[y + 1, y], A[y + 4, y])    = (B[y, 2], B[y, 3])
//   t[k]  = (A[k, k - 2], A[k + 3, k + 1]) = (B[k - 2, 4], B[k + 1, 4])
// In this form every register holds the lanes of two columns (k, k + 3) of A: f1[y] k = y,
// f2[y] k = y + 1, t[k] k. So does cp[k] = (C[k], C[k + 3]), the column parities, which come
// from g[k] = f1[k] ^ f2[k - 1] (rows k and k - 1 of both columns): C[k] = g[k].lo ^ g[k + 2].hi
// ^ t[k].lo, C[k + 3] = g[k + 3].lo ^ g[k].hi ^ t[k].hi. Theta's D for columns (k, k + 3) is
// cp[k - 1] ^ rotl(cp[k + 1], 1): one 3-input XOR per register adds it. rho is one VPROLVQ per
// register. The same registers are, read through pi, pairs of B lanes in the same row(s) whose
// neighbours in x are the next registers of the same family, so chi is one VPTERNLOGQ each:
//   e0[x] = chi(f1[x], f1[x + 1], f1[x + 2]), e1[x] likewise from f2, u[k] from t[k..k + 2],
// which is the column-pair form again, and iota XORs the round constant into e0[0]'s low lane.
namespace {
#define POLYVM_AVX512_TARGET __attribute__((target("avx512f,avx512vl")))
#define POLYVM_AVX512_INLINE __attribute__((target("avx512f,avx512vl"), always_inline)) inline

struct alignas(16) LanePair {
    uint64_t lo, hi;
};

constexpr LanePair rho_pair(int x0, int y0, int x1, int y1) noexcept {
    return {static_cast<uint64_t>(kRho[x0 % 5 + 5 * (y0 % 5)]), static_cast<uint64_t>(kRho[x1 % 5 + 5 * (y1 % 5)])};
}

// rho's offsets for the lanes of f1[i], f2[i] and t[i] (see above).
struct RhoPairs {
    LanePair f1[5], f2[5], t[5];
};
constexpr RhoPairs make_rho_pairs() noexcept {
    RhoPairs r{};
    for (int i = 0; i < 5; ++i) {
        r.f1[i] = rho_pair(i, i, i + 3, i);
        r.f2[i] = rho_pair(i + 1, i, i + 4, i);
        r.t[i] = rho_pair(i, i + 3, i + 3, i + 1);
    }
    return r;
}
constexpr RhoPairs kRhoPairs = make_rho_pairs();

POLYVM_AVX512_INLINE __m128i load(const LanePair& p) noexcept {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(&p));
}
POLYVM_AVX512_INLINE __m128i load_pair(const uint64_t* lo, const uint64_t* hi) noexcept {
    return _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(lo)),
                              _mm_loadl_epi64(reinterpret_cast<const __m128i*>(hi)));
}
POLYVM_AVX512_INLINE void store_lo(uint64_t* p, __m128i v) noexcept { _mm_storel_epi64(reinterpret_cast<__m128i*>(p), v); }
POLYVM_AVX512_INLINE void store_hi(uint64_t* p, __m128i v) noexcept {
    _mm_storeh_pd(reinterpret_cast<double*>(p), _mm_castsi128_pd(v));
}
POLYVM_AVX512_INLINE __m128i xor3(__m128i a, __m128i b, __m128i c) noexcept { return _mm_ternarylogic_epi64(a, b, c, 0x96); }
POLYVM_AVX512_INLINE __m128i chi(__m128i a, __m128i b, __m128i c) noexcept {
    return _mm_ternarylogic_epi64(a, b, c, 0xd2);  // a ^ (~b & c)
}
}  // namespace

POLYVM_AVX512_TARGET void detail::keccak_f1600_avx512(uint64_t state[25]) noexcept {
    __m128i e0[5], e1[5], u[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
        e0[x] = load_pair(state + x, state + x + 5);
        e1[x] = load_pair(state + x + 10, state + x + 15);
        u[x] = load_pair(state + 20 + (x + 3) % 5, state + 20 + (x + 1) % 5);
    }
    for (int i = 0; i < 24; ++i) {
        // Re-pair (lane sources from the column-pair form in the comments).
        __m128i f1[5], f2[5], t[5];
        f1[0] = _mm_unpacklo_epi64(e0[0], e0[3]);  // A[0,0] A[3,0]
        f1[1] = _mm_unpackhi_epi64(e0[1], e0[4]);  // A[1,1] A[4,1]
        f1[2] = _mm_unpacklo_epi64(e1[2], e1[0]);  // A[2,2] A[0,2]
        f1[3] = _mm_unpackhi_epi64(e1[3], e1[1]);  // A[3,3] A[1,3]
        f1[4] = u[1];                              // A[4,4] A[2,4]
        f2[0] = _mm_unpacklo_epi64(e0[1], e0[4]);  // A[1,0] A[4,0]
        f2[1] = _mm_unpackhi_epi64(e0[2], e0[0]);  // A[2,1] A[0,1]
        f2[2] = _mm_unpacklo_epi64(e1[3], e1[1]);  // A[3,2] A[1,2]
        f2[3] = _mm_unpackhi_epi64(e1[4], e1[2]);  // A[4,3] A[2,3]
        f2[4] = u[2];                              // A[0,4] A[3,4]
        t[0] = _mm_unpackhi_epi64(e1[0], e0[3]);   // A[0,3] A[3,1]
        t[1] = _mm_unpacklo_epi64(u[3], e1[4]);    // A[1,4] A[4,2]
        t[2] = _mm_blend_epi32(e0[2], e1[0], 0xc); // A[2,0] A[0,3]
        t[3] = _mm_unpackhi_epi64(e0[3], u[0]);    // A[3,1] A[1,4]
        t[4] = _mm_unpacklo_epi64(e1[4], e0[2]);   // A[4,2] A[2,0]
        // theta
        __m128i g[5], cp[5], cr[5];
#pragma GCC unroll 5
        for (int k = 0; k < 5; ++k) g[k] = _mm_xor_si128(f1[k], f2[(k + 4) % 5]);
#pragma GCC unroll 5
        for (int k = 0; k < 5; ++k) cp[k] = xor3(g[k], _mm_alignr_epi8(g[(k + 3) % 5], g[(k + 2) % 5], 8), t[k]);
#pragma GCC unroll 5
        for (int k = 0; k < 5; ++k) cr[k] = _mm_rol_epi64(cp[k], 1);
        // theta's addition and rho
#pragma GCC unroll 5
        for (int k = 0; k < 5; ++k) {
            f1[k] = _mm_rolv_epi64(xor3(f1[k], cp[(k + 4) % 5], cr[(k + 1) % 5]), load(kRhoPairs.f1[k]));
            f2[k] = _mm_rolv_epi64(xor3(f2[k], cp[k], cr[(k + 2) % 5]), load(kRhoPairs.f2[k]));
            t[k] = _mm_rolv_epi64(xor3(t[k], cp[(k + 4) % 5], cr[(k + 1) % 5]), load(kRhoPairs.t[k]));
        }
        // pi (in the pairing) and chi
#pragma GCC unroll 5
        for (int x = 0; x < 5; ++x) {
            e0[x] = chi(f1[x], f1[(x + 1) % 5], f1[(x + 2) % 5]);
            e1[x] = chi(f2[x], f2[(x + 1) % 5], f2[(x + 2) % 5]);
            u[x] = chi(t[x], t[(x + 1) % 5], t[(x + 2) % 5]);
        }
        // iota
        e0[0] = _mm_xor_si128(e0[0], _mm_cvtsi64_si128(static_cast<long long>(kRoundConstants[i])));
    }
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
        store_lo(state + x, e0[x]);
        store_hi(state + x + 5, e0[x]);
        store_lo(state + x + 10, e1[x]);
        store_hi(state + x + 15, e1[x]);
        store_lo(state + 20 + x, u[(x + 2) % 5]);
    }
}

#undef POLYVM_AVX512_TARGET
#undef POLYVM_AVX512_INLINE

bool detail::keccak_f1600_avx512_available() noexcept {
    __builtin_cpu_init();  // may run in a static initialiser, before libgcc's own
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}
#else
void detail::keccak_f1600_avx512(uint64_t state[25]) noexcept { keccak_f1600_scalar(state); }
bool detail::keccak_f1600_avx512_available() noexcept { return false; }
#endif

namespace {
enum class Permutation { scalar, bmi2, avx512 };

// Chosen once, during static initialisation. A call before that (from another translation unit's
// static initialiser) sees `scalar` and takes the portable permutation, which gives the same result.
Permutation choose_permutation() noexcept {
    const char* forced = std::getenv("POLYVM_KECCAK");
    if (forced && std::string_view{forced} == "scalar") return Permutation::scalar;
    if (detail::keccak_f1600_avx512_available()) return Permutation::avx512;
    if (detail::keccak_f1600_bmi2_available()) return Permutation::bmi2;
    return Permutation::scalar;
}
const Permutation kPermutation = choose_permutation();
}  // namespace

void keccak_f1600(uint64_t state[25]) noexcept {
    if (kPermutation == Permutation::avx512)
        detail::keccak_f1600_avx512(state);
    else if (kPermutation == Permutation::bmi2)
        detail::keccak_f1600_bmi2(state);
    else
        detail::keccak_f1600_scalar(state);
}

namespace {
/// The hash: the first four lanes, read one at a time (the permutation stored them so).
Hash32 squeeze_256(const uint64_t state[25]) noexcept {
    uint64_t out[4];
    copy_lanes<4>(out, state);
    Hash32 h;
    std::memcpy(h.data(), out, sizeof out);
    return h;
}
}  // namespace

Hash32 keccak256(bytes_view data) noexcept {
    uint64_t state[25];
    zero_lanes<0, 25>(state);
    const uint8_t* p = data.data();
    size_t n = data.size();
    while (n >= kRate) {
        for (size_t i = 0; i < kRate / 8; ++i) {
            uint64_t lane;
            std::memcpy(&lane, p + 8 * i, 8);
            state[i] ^= lane;  // x86-64 and AArch64 Linux are little-endian, as Keccak's lanes are
        }
        keccak_f1600(state);
        p += kRate;
        n -= kRate;
    }
    // The last, partial block goes into the state where it lies, with the padding XORed into
    // its bytes (the lanes are little-endian in memory, as on x86-64 and AArch64 Linux): no
    // zeroed block buffer is built and XORed in whole.
    size_t i = 0;
    for (; 8 * i + 8 <= n; ++i) {
        uint64_t lane;
        std::memcpy(&lane, p + 8 * i, 8);
        state[i] ^= lane;
    }
    if (const size_t tail = n - 8 * i) {
        uint64_t lane = 0;
        std::memcpy(&lane, p + 8 * i, tail);
        state[i] ^= lane;
    }
    // Keccak padding (not SHA-3's 0x06), XORed as whole lanes: a byte store into a lane that the
    // permutation then loads whole would not be forwarded either.
    state[n / 8] ^= uint64_t{0x01} << (8 * (n % 8));
    state[kRate / 8 - 1] ^= uint64_t{0x80} << 56;
    keccak_f1600(state);
    return squeeze_256(state);
}

Hash32 keccak256_64(const uint64_t words[8]) noexcept {
    uint64_t state[25];
    zero_lanes<8, 25>(state);
    copy_lanes<8>(state, words);
    state[8] = 0x01;  // the padding: right after the 64 bytes, and the rate's last bit
    state[kRate / 8 - 1] = uint64_t{0x80} << 56;
    keccak_f1600(state);
    return squeeze_256(state);
}

}  // namespace polyvm

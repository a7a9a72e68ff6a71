// Montgomery product kernels for x86-64 with BMI2 and ADX, for the fields whose Params supply
// a mont_mul_kernel (BN254 with 4 limbs, BLS12-381 with 6). Included only by those fields' .cpp
// files: the assembly is inlined there with the modulus as a constant memory operand.
//
// CIOS (Koc, Acar, Kaliski 1996) with the running sum t0..tN held in r8..r(8+N). Each row adds
// a[0..N-1] * d to t with mulx, the low halves on the carry-flag chain (adcx) and the high
// halves on the overflow-flag chain (adox), so the two carry chains run interleaved instead of
// one after the other; a row with d = b[i] is followed by a row with d = m = t0 (-p^-1) mod 2^64
// and p in place of a, which clears t0, and a one-word shift. The shift moves no data: the
// register that held t0 (now zero) becomes the new top word, so each iteration names its window
// of registers one further round (moves cost issue slots in these carry-bound loops: about 5%
// of a product on the Sapphire Rapids hosts of this project). Both moduli leave two spare bits
// (p < 2^(64N-2)): t stays below 2p between rows, so tN never overflows and the last row of
// each chain cannot carry out of it. One conditional subtraction of p at the end. The portable
// loop of field::Fp computes the same value; GCC compiles it to serial carry chains.
#pragma once

#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#define POLYVM_MULX_MONTGOMERY 1
#endif

namespace polyvm::field::mulx {

#ifdef POLYVM_MULX_MONTGOMERY

inline bool cpu_has_bmi2_adx() noexcept {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    return (ebx & (1u << 8)) && (ebx & (1u << 19));  // CPUID.7.0:EBX bit 8 BMI2, bit 19 ADX
}

// One row: T0..TN += rdx * (M0..M(N-1)), the registers named by their window; rcx = 0 afterwards.
#define POLYVM_MULX_STEP(M, LO, HI) "mulxq " M ", %%rax, %%rbx\n\tadcxq %%rax, %%" LO "\n\tadoxq %%rbx, %%" HI "\n\t"
#define POLYVM_MULX_ROW4(M0, M1, M2, M3, T0, T1, T2, T3, T4)                                  \
    "xorl %%ecx, %%ecx\n\t" POLYVM_MULX_STEP(M0, T0, T1) POLYVM_MULX_STEP(M1, T1, T2)            \
        POLYVM_MULX_STEP(M2, T2, T3) POLYVM_MULX_STEP(M3, T3, T4) "adcxq %%rcx, %%" T4 "\n\t"
#define POLYVM_MULX_ROW6(M0, M1, M2, M3, M4, M5, T0, T1, T2, T3, T4, T5, T6)                  \
    "xorl %%ecx, %%ecx\n\t" POLYVM_MULX_STEP(M0, T0, T1) POLYVM_MULX_STEP(M1, T1, T2)            \
        POLYVM_MULX_STEP(M2, T2, T3) POLYVM_MULX_STEP(M3, T3, T4) POLYVM_MULX_STEP(M4, T4, T5)   \
            POLYVM_MULX_STEP(M5, T5, T6) "adcxq %%rcx, %%" T6 "\n\t"
#define POLYVM_MULX_EXPAND(ROW, ...) ROW(__VA_ARGS__)
// The same for the steps that contain rows (a macro does not expand inside itself).
#define POLYVM_MULX_IN_WINDOW(STEP, ...) STEP(__VA_ARGS__)
#define POLYVM_MULX_A4 "0(%[a])", "8(%[a])", "16(%[a])", "24(%[a])"
#define POLYVM_MULX_P4 "%[p]", "8+%[p]", "16+%[p]", "24+%[p]"
#define POLYVM_MULX_A6 POLYVM_MULX_A4, "32(%[a])", "40(%[a])"
#define POLYVM_MULX_P6 POLYVM_MULX_P4, "32+%[p]", "40+%[p]"
// The register windows: window k starts k registers further round r8..r12 (4 limbs) or r8..r14.
#define POLYVM_MULX_W4_0 "r8", "r9", "r10", "r11", "r12"
#define POLYVM_MULX_W4_1 "r9", "r10", "r11", "r12", "r8"
#define POLYVM_MULX_W4_2 "r10", "r11", "r12", "r8", "r9"
#define POLYVM_MULX_W4_3 "r11", "r12", "r8", "r9", "r10"
#define POLYVM_MULX_W6_0 "r8", "r9", "r10", "r11", "r12", "r13", "r14"
#define POLYVM_MULX_W6_1 "r9", "r10", "r11", "r12", "r13", "r14", "r8"
#define POLYVM_MULX_W6_2 "r10", "r11", "r12", "r13", "r14", "r8", "r9"
#define POLYVM_MULX_W6_3 "r11", "r12", "r13", "r14", "r8", "r9", "r10"
#define POLYVM_MULX_W6_4 "r12", "r13", "r14", "r8", "r9", "r10", "r11"
#define POLYVM_MULX_W6_5 "r13", "r14", "r8", "r9", "r10", "r11", "r12"
#define POLYVM_MULX_W6_6 "r14", "r8", "r9", "r10", "r11", "r12", "r13"
// One CIOS iteration for the word of b at byte offset OFF in the window T0..: T0 is zero after
// it and serves as the next window's top word.
#define POLYVM_MULX_ITER4_IN(OFF, T0, T1, T2, T3, T4)                                             \
    "movq " #OFF "(%[b]), %%rdx\n\t" POLYVM_MULX_EXPAND(POLYVM_MULX_ROW4, POLYVM_MULX_A4, T0, T1, T2, T3, T4) \
    "movq %%" T0 ", %%rdx\n\timulq %[inv], %%rdx\n\t"                                              \
    POLYVM_MULX_EXPAND(POLYVM_MULX_ROW4, POLYVM_MULX_P4, T0, T1, T2, T3, T4)
#define POLYVM_MULX_ITER6_IN(OFF, T0, T1, T2, T3, T4, T5, T6)                                     \
    "movq " #OFF "(%[b]), %%rdx\n\t" POLYVM_MULX_EXPAND(POLYVM_MULX_ROW6, POLYVM_MULX_A6, T0, T1, T2, T3, T4, T5, T6) \
    "movq %%" T0 ", %%rdx\n\timulq %[inv], %%rdx\n\t"                                              \
    POLYVM_MULX_EXPAND(POLYVM_MULX_ROW6, POLYVM_MULX_P6, T0, T1, T2, T3, T4, T5, T6)
#define POLYVM_MULX_ITER4(OFF, W) POLYVM_MULX_IN_WINDOW(POLYVM_MULX_ITER4_IN, OFF, W)
#define POLYVM_MULX_ITER6(OFF, W) POLYVM_MULX_IN_WINDOW(POLYVM_MULX_ITER6_IN, OFF, W)

/// r = a b R^-1 mod P for P < 2^254 (4 limbs), Inv = -P^-1 mod 2^64; a, b below 2P; r may
/// alias a or b. P and Inv are template arguments so that they are constant memory operands.
template <const uint64_t (&P)[4], const uint64_t& Inv>
[[gnu::always_inline]] inline void mont_mul4(uint64_t* r, const uint64_t* a, const uint64_t* b) noexcept {
    asm volatile(
        "xorl %%r8d, %%r8d\n\txorl %%r9d, %%r9d\n\txorl %%r10d, %%r10d\n\txorl %%r11d, %%r11d\n\t"
        "xorl %%r12d, %%r12d\n\t"
        POLYVM_MULX_ITER4(0, POLYVM_MULX_W4_0) POLYVM_MULX_ITER4(8, POLYVM_MULX_W4_1)
        POLYVM_MULX_ITER4(16, POLYVM_MULX_W4_2) POLYVM_MULX_ITER4(24, POLYVM_MULX_W4_3)
        // t (window 4: r12, r8, r9, r10) < 2p: s = t - p; keep s unless that borrowed.
        "movq %%r12, %%rax\n\tmovq %%r8, %%rbx\n\tmovq %%r9, %%rcx\n\tmovq %%r10, %%rdx\n\t"
        "subq %[p], %%rax\n\tsbbq 8+%[p], %%rbx\n\tsbbq 16+%[p], %%rcx\n\tsbbq 24+%[p], %%rdx\n\t"
        "cmovncq %%rax, %%r12\n\tcmovncq %%rbx, %%r8\n\tcmovncq %%rcx, %%r9\n\tcmovncq %%rdx, %%r10\n\t"
        "movq %%r12, 0(%[r])\n\tmovq %%r8, 8(%[r])\n\tmovq %%r9, 16(%[r])\n\tmovq %%r10, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b), [p] "m"(P), [inv] "m"(Inv)
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
}

/// r = a b R^-1 mod P for P < 2^382 (6 limbs), as mont_mul4.
template <const uint64_t (&P)[6], const uint64_t& Inv>
[[gnu::always_inline]] inline void mont_mul6(uint64_t* r, const uint64_t* a, const uint64_t* b) noexcept {
    asm volatile(
        "xorl %%r8d, %%r8d\n\txorl %%r9d, %%r9d\n\txorl %%r10d, %%r10d\n\txorl %%r11d, %%r11d\n\t"
        "xorl %%r12d, %%r12d\n\txorl %%r13d, %%r13d\n\txorl %%r14d, %%r14d\n\t"
        POLYVM_MULX_ITER6(0, POLYVM_MULX_W6_0) POLYVM_MULX_ITER6(8, POLYVM_MULX_W6_1)
        POLYVM_MULX_ITER6(16, POLYVM_MULX_W6_2) POLYVM_MULX_ITER6(24, POLYVM_MULX_W6_3)
        POLYVM_MULX_ITER6(32, POLYVM_MULX_W6_4) POLYVM_MULX_ITER6(40, POLYVM_MULX_W6_5)
        // t (window 6: r14, r8 .. r12) < 2p: s = t - p; keep s unless that borrowed. a and b are
        // dead and serve as scratch.
        "movq %%r14, %%rax\n\tmovq %%r8, %%rbx\n\tmovq %%r9, %%rcx\n\tmovq %%r10, %%rdx\n\t"
        "movq %%r11, %[a]\n\tmovq %%r12, %[b]\n\t"
        "subq %[p], %%rax\n\tsbbq 8+%[p], %%rbx\n\tsbbq 16+%[p], %%rcx\n\tsbbq 24+%[p], %%rdx\n\t"
        "sbbq 32+%[p], %[a]\n\tsbbq 40+%[p], %[b]\n\t"
        "cmovncq %%rax, %%r14\n\tcmovncq %%rbx, %%r8\n\tcmovncq %%rcx, %%r9\n\tcmovncq %%rdx, %%r10\n\t"
        "cmovncq %[a], %%r11\n\tcmovncq %[b], %%r12\n\t"
        "movq %%r14, 0(%[r])\n\tmovq %%r8, 8(%[r])\n\tmovq %%r9, 16(%[r])\n\t"
        "movq %%r10, 24(%[r])\n\tmovq %%r11, 32(%[r])\n\tmovq %%r12, 40(%[r])\n\t"
        : [a] "+&r"(a), [b] "+&r"(b)
        : [r] "r"(r), [p] "m"(P), [inv] "m"(Inv)
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "cc", "memory");
}

// The two halves of mont_mul6, apart, for sums of products that share one reduction
// (Fp2 products with lazy reduction): t = a b as 12 limbs, and REDC of such a t.
// Rows in rotating windows as in mont_mul6: a product row stores its low word T0 and clears it
// for the next window's top; a reduction row leaves T0 zero itself.
#define POLYVM_MULX_WIDE_ROW_IN(OFF, T0, T1, T2, T3, T4, T5, T6)                                  \
    "movq " #OFF "(%[b]), %%rdx\n\t" POLYVM_MULX_EXPAND(POLYVM_MULX_ROW6, POLYVM_MULX_A6, T0, T1, T2, T3, T4, T5, T6) \
    "movq %%" T0 ", " #OFF "(%[t])\n\txorl %%" T0 "d, %%" T0 "d\n\t"
#define POLYVM_MULX_WIDE_ROW(OFF, W) POLYVM_MULX_IN_WINDOW(POLYVM_MULX_WIDE_ROW_IN, OFF, W)
#define POLYVM_MULX_REDC_ROW_IN(T0, T1, T2, T3, T4, T5, T6)                                       \
    "movq %%" T0 ", %%rdx\n\timulq %[inv], %%rdx\n\t"                                            \
    POLYVM_MULX_EXPAND(POLYVM_MULX_ROW6, POLYVM_MULX_P6, T0, T1, T2, T3, T4, T5, T6)
#define POLYVM_MULX_REDC_ROW(W) POLYVM_MULX_IN_WINDOW(POLYVM_MULX_REDC_ROW_IN, W)

/// t = a b (12 limbs) for a, b below 2^384. The running sum stays below 2^448 before each
/// shift, so the fresh top word never overflows.
[[gnu::always_inline]] inline void mul6_wide(uint64_t* t, const uint64_t* a, const uint64_t* b) noexcept {
    asm volatile(
        "xorl %%r8d, %%r8d\n\txorl %%r9d, %%r9d\n\txorl %%r10d, %%r10d\n\txorl %%r11d, %%r11d\n\t"
        "xorl %%r12d, %%r12d\n\txorl %%r13d, %%r13d\n\txorl %%r14d, %%r14d\n\t"
        POLYVM_MULX_WIDE_ROW(0, POLYVM_MULX_W6_0) POLYVM_MULX_WIDE_ROW(8, POLYVM_MULX_W6_1)
        POLYVM_MULX_WIDE_ROW(16, POLYVM_MULX_W6_2) POLYVM_MULX_WIDE_ROW(24, POLYVM_MULX_W6_3)
        POLYVM_MULX_WIDE_ROW(32, POLYVM_MULX_W6_4) POLYVM_MULX_WIDE_ROW(40, POLYVM_MULX_W6_5)
        // t[6..11] in window 6: r14, r8 .. r12.
        "movq %%r14, 48(%[t])\n\tmovq %%r8, 56(%[t])\n\tmovq %%r9, 64(%[t])\n\t"
        "movq %%r10, 72(%[t])\n\tmovq %%r11, 80(%[t])\n\tmovq %%r12, 88(%[t])\n\t"
        :
        : [t] "r"(t), [a] "r"(a), [b] "r"(b)
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "cc", "memory");
}

// Squaring: each cross product a_i a_j (i < j) once, into t[i + j]. Row i works in window i as
// mul6_wide's rows do, so a_j lands in its window's T_j (low half) and T_(j+1) (high half).
#define POLYVM_MULX_SQ(J, LO, HI) POLYVM_MULX_STEP(#J "(%[a])", LO, HI)
#define POLYVM_MULX_SQ_ROW_END(OFF, T0, T6) \
    "adcxq %%rcx, %%" T6 "\n\tmovq %%" T0 ", " #OFF "(%[t])\n\txorl %%" T0 "d, %%" T0 "d\n\t"
// Doubling the cross products and adding the squares a_k^2 at t[2k], t[2k + 1]: the doubling
// on the carry-flag chain (adcx x, x), the squares on the overflow-flag chain.
#define POLYVM_MULX_SQ_DIAG_MEM(K, OFF_LO, OFF_HI)                                                 \
    "movq " #K "(%[a]), %%rdx\n\tmulxq %%rdx, %%rax, %%rbx\n\t"                                \
    "movq " #OFF_LO "(%[t]), %%r13\n\tadcxq %%r13, %%r13\n\tadoxq %%rax, %%r13\n\tmovq %%r13, " #OFF_LO "(%[t])\n\t" \
    "movq " #OFF_HI "(%[t]), %%r13\n\tadcxq %%r13, %%r13\n\tadoxq %%rbx, %%r13\n\tmovq %%r13, " #OFF_HI "(%[t])\n\t"
#define POLYVM_MULX_SQ_DIAG_REG(K, LO, HI)                                                    \
    "movq " #K "(%[a]), %%rdx\n\tmulxq %%rdx, %%rax, %%rbx\n\t"                           \
    "adcxq %%" LO ", %%" LO "\n\tadoxq %%rax, %%" LO "\n\tadcxq %%" HI ", %%" HI "\n\tadoxq %%rbx, %%" HI "\n\t"

/// t = a^2 (12 limbs) for a below 2^384: 15 cross products, doubled, plus 6 squares (21 mulx
/// where mul6_wide takes 36). Each row's window stays below 2^448 as in mul6_wide.
[[gnu::always_inline]] inline void sqr6_wide(uint64_t* t, const uint64_t* a) noexcept {
    asm volatile(
        "xorl %%r8d, %%r8d\n\txorl %%r9d, %%r9d\n\txorl %%r10d, %%r10d\n\txorl %%r11d, %%r11d\n\t"
        "xorl %%r12d, %%r12d\n\txorl %%r13d, %%r13d\n\txorl %%r14d, %%r14d\n\t"
        // a_0 (a_1 .. a_5), window 0: r8 .. r14
        "xorl %%ecx, %%ecx\n\tmovq 0(%[a]), %%rdx\n\t" POLYVM_MULX_SQ(8, "r9", "r10") POLYVM_MULX_SQ(16, "r10", "r11")
        POLYVM_MULX_SQ(24, "r11", "r12") POLYVM_MULX_SQ(32, "r12", "r13") POLYVM_MULX_SQ(40, "r13", "r14")
        POLYVM_MULX_SQ_ROW_END(0, "r8", "r14")
        // a_1 (a_2 .. a_5), window 1: r9 .. r14, r8
        "xorl %%ecx, %%ecx\n\tmovq 8(%[a]), %%rdx\n\t" POLYVM_MULX_SQ(16, "r11", "r12") POLYVM_MULX_SQ(24, "r12", "r13")
        POLYVM_MULX_SQ(32, "r13", "r14") POLYVM_MULX_SQ(40, "r14", "r8")
        POLYVM_MULX_SQ_ROW_END(8, "r9", "r8")
        // a_2 (a_3 .. a_5), window 2: r10 .. r14, r8, r9
        "xorl %%ecx, %%ecx\n\tmovq 16(%[a]), %%rdx\n\t" POLYVM_MULX_SQ(24, "r13", "r14") POLYVM_MULX_SQ(32, "r14", "r8")
        POLYVM_MULX_SQ(40, "r8", "r9")
        POLYVM_MULX_SQ_ROW_END(16, "r10", "r9")
        // a_3 (a_4, a_5), window 3: r11 .. r14, r8 .. r10
        "xorl %%ecx, %%ecx\n\tmovq 24(%[a]), %%rdx\n\t" POLYVM_MULX_SQ(32, "r8", "r9") POLYVM_MULX_SQ(40, "r9", "r10")
        POLYVM_MULX_SQ_ROW_END(24, "r11", "r10")
        // a_4 a_5, window 4: r12 .. r14, r8 .. r11
        "xorl %%ecx, %%ecx\n\tmovq 32(%[a]), %%rdx\n\t" POLYVM_MULX_SQ(40, "r10", "r11")
        POLYVM_MULX_SQ_ROW_END(32, "r12", "r11")
        // t[5] is r13 (window 5); t[6..11] are r14, r8 .. r12 (window 6), r13 is free after it.
        "movq %%r13, 40(%[t])\n\t"
        "xorl %%ecx, %%ecx\n\t"
        POLYVM_MULX_SQ_DIAG_MEM(0, 0, 8) POLYVM_MULX_SQ_DIAG_MEM(8, 16, 24) POLYVM_MULX_SQ_DIAG_MEM(16, 32, 40)
        POLYVM_MULX_SQ_DIAG_REG(24, "r14", "r8") POLYVM_MULX_SQ_DIAG_REG(32, "r9", "r10")
        POLYVM_MULX_SQ_DIAG_REG(40, "r11", "r12")
        "movq %%r14, 48(%[t])\n\tmovq %%r8, 56(%[t])\n\tmovq %%r9, 64(%[t])\n\t"
        "movq %%r10, 72(%[t])\n\tmovq %%r11, 80(%[t])\n\tmovq %%r12, 88(%[t])\n\t"
        :
        : [t] "r"(t), [a] "r"(a)
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "cc", "memory");
}

/// r = t R^-1 mod P (fully reduced) for a 12-limb t < P R, P < 2^382: six reduction rows on
/// the low half give (t_low + M P) / R <= P, then the high half (< P) is added: below 2P,
/// one conditional subtraction.
template <const uint64_t (&P)[6], const uint64_t& Inv>
[[gnu::always_inline]] inline void redc6(uint64_t* r, const uint64_t* t) noexcept {
    asm volatile(
        "movq 0(%[t]), %%r8\n\tmovq 8(%[t]), %%r9\n\tmovq 16(%[t]), %%r10\n\t"
        "movq 24(%[t]), %%r11\n\tmovq 32(%[t]), %%r12\n\tmovq 40(%[t]), %%r13\n\txorl %%r14d, %%r14d\n\t"
        POLYVM_MULX_REDC_ROW(POLYVM_MULX_W6_0) POLYVM_MULX_REDC_ROW(POLYVM_MULX_W6_1)
        POLYVM_MULX_REDC_ROW(POLYVM_MULX_W6_2) POLYVM_MULX_REDC_ROW(POLYVM_MULX_W6_3)
        POLYVM_MULX_REDC_ROW(POLYVM_MULX_W6_4) POLYVM_MULX_REDC_ROW(POLYVM_MULX_W6_5)
        // (t_low + M P) / R in window 6: r14, r8 .. r12 (its top word r13 is zero).
        "addq 48(%[t]), %%r14\n\tadcq 56(%[t]), %%r8\n\tadcq 64(%[t]), %%r9\n\t"
        "adcq 72(%[t]), %%r10\n\tadcq 80(%[t]), %%r11\n\tadcq 88(%[t]), %%r12\n\t"
        "movq %%r14, %%rax\n\tmovq %%r8, %%rbx\n\tmovq %%r9, %%rcx\n\tmovq %%r10, %%rdx\n\t"
        "movq %%r11, %%r13\n\tmovq %%r12, %%r15\n\t"
        "subq %[p], %%rax\n\tsbbq 8+%[p], %%rbx\n\tsbbq 16+%[p], %%rcx\n\tsbbq 24+%[p], %%rdx\n\t"
        "sbbq 32+%[p], %%r13\n\tsbbq 40+%[p], %%r15\n\t"
        "cmovncq %%rax, %%r14\n\tcmovncq %%rbx, %%r8\n\tcmovncq %%rcx, %%r9\n\tcmovncq %%rdx, %%r10\n\t"
        "cmovncq %%r13, %%r11\n\tcmovncq %%r15, %%r12\n\t"
        "movq %%r14, 0(%[r])\n\tmovq %%r8, 8(%[r])\n\tmovq %%r9, 16(%[r])\n\t"
        "movq %%r10, 24(%[r])\n\tmovq %%r11, 32(%[r])\n\tmovq %%r12, 40(%[r])\n\t"
        :
        : [r] "r"(r), [t] "r"(t), [p] "m"(P), [inv] "m"(Inv)
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

#undef POLYVM_MULX_SQ_DIAG_REG
#undef POLYVM_MULX_SQ_DIAG_MEM
#undef POLYVM_MULX_SQ_ROW_END
#undef POLYVM_MULX_SQ
#undef POLYVM_MULX_REDC_ROW
#undef POLYVM_MULX_REDC_ROW_IN
#undef POLYVM_MULX_WIDE_ROW
#undef POLYVM_MULX_WIDE_ROW_IN
#undef POLYVM_MULX_ITER6
#undef POLYVM_MULX_ITER6_IN
#undef POLYVM_MULX_ITER4
#undef POLYVM_MULX_ITER4_IN
#undef POLYVM_MULX_W6_0
#undef POLYVM_MULX_W6_1
#undef POLYVM_MULX_W6_2
#undef POLYVM_MULX_W6_3
#undef POLYVM_MULX_W6_4
#undef POLYVM_MULX_W6_5
#undef POLYVM_MULX_W6_6
#undef POLYVM_MULX_W4_0
#undef POLYVM_MULX_W4_1
#undef POLYVM_MULX_W4_2
#undef POLYVM_MULX_W4_3
#undef POLYVM_MULX_P6
#undef POLYVM_MULX_A6
#undef POLYVM_MULX_P4
#undef POLYVM_MULX_A4
#undef POLYVM_MULX_EXPAND
#undef POLYVM_MULX_IN_WINDOW
#undef POLYVM_MULX_ROW6
#undef POLYVM_MULX_ROW4
#undef POLYVM_MULX_STEP

#endif  // POLYVM_MULX_MONTGOMERY

}  // namespace polyvm::field::mulx

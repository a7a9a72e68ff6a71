// BLS12-381: the EIP-4844 point evaluation precompile (0x0a) through run_precompile, and the
// building blocks EIP-2537 will reuse. Quote medians:
//   build/bench/bench_precompiles_bls12_381 --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "common/hex.hpp"
#include "crypto/bls12_381.hpp"
#include "crypto/bls12_381_map.hpp"
#include "crypto/kzg.hpp"
#include "precompiles/precompiles.hpp"

#include <benchmark/benchmark.h>

using namespace polyvm;
using namespace polyvm::bls12_381;

namespace {

bytes hex(std::string_view s) { return from_hex(s).value_or(bytes{}); }

/// c-kzg-4844's verify_kzg_proof_case_correct_proof_31ebd010e6098750 (mainnet setup) as a
/// 192-byte precompile input.
bytes point_evaluation_input() {
    const bytes c =
        hex("8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7");
    const bytes z = hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000");
    const bytes y = hex("1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9");
    const bytes pi =
        hex("a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c");
    bytes in;
    const Hash32 vh = kzg::kzg_to_versioned_hash(std::span<const uint8_t, 48>(c.data(), 48));
    in.insert(in.end(), vh.bytes.begin(), vh.bytes.end());
    in.insert(in.end(), z.begin(), z.end());
    in.insert(in.end(), y.begin(), y.end());
    in.insert(in.end(), c.begin(), c.end());
    in.insert(in.end(), pi.begin(), pi.end());
    return in;
}

Address precompile(unsigned n) {
    Address a;
    a[19] = static_cast<uint8_t>(n);
    return a;
}

const Scalar kScalar = {0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x0f1e2d3c4b5a6978ULL, 0x6a09e667f3bcc908ULL};

void BM_PointEvaluation(benchmark::State& state) {
    const bytes input = point_evaluation_input();
    constexpr int64_t kGas = 100000;
    (void)kzg::mainnet_verifying_key();  // the one-time setup decoding is not part of a call
    for (auto _ : state) {
        auto r = run_precompile(precompile(0x0a), input, kGas, Revision::Cancun);
        if (r.status != Status::Success || kGas - r.gas_left != kzg::kPointEvaluationGas) {
            state.SkipWithError("unexpected precompile result");
            return;
        }
        benchmark::DoNotOptimize(r.output.data());
    }
    state.counters["gas/s"] = benchmark::Counter(static_cast<double>(kzg::kPointEvaluationGas),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PointEvaluation)->Unit(benchmark::kMicrosecond);

/// e(aG1, bG2) e(-abG1, G2) = 1: two pairs, G2 arguments not prepared in advance (the
/// EIP-2537 PAIRING_CHECK shape).
void BM_PairingCheck2(benchmark::State& state) {
    const G1 g1 = G1::from_affine(g1_generator());
    const G2 g2 = G2::from_affine(g2_generator());
    const Scalar a = {5, 0, 0, 0}, b = {7, 0, 0, 0}, ab = {35, 0, 0, 0};
    const std::pair<G1Affine, G2Affine> pairs[2] = {{g1.mul(a).to_affine(), g2.mul(b).to_affine()},
                                                    {(-g1.mul(ab)).to_affine(), g2_generator()}};
    for (auto _ : state) {
        const bool ok = pairing_check(pairs);
        if (!ok) {
            state.SkipWithError("pairing check failed");
            return;
        }
        benchmark::DoNotOptimize(ok);
    }
}
BENCHMARK(BM_PairingCheck2)->Unit(benchmark::kMicrosecond);

/// The same check with both G2 lines precomputed (what the KZG verifier does).
void BM_PairingCheck2Prepared(benchmark::State& state) {
    const G1 g1 = G1::from_affine(g1_generator());
    const Scalar a = {5, 0, 0, 0}, ab = {35, 0, 0, 0};
    const G2Prepared q = g2_prepare(G2::from_affine(g2_generator()).mul(Scalar{7, 0, 0, 0}).to_affine());
    const G2Prepared g = g2_prepare(g2_generator());
    const PreparedPair pairs[2] = {{g1.mul(a).to_affine(), &q}, {(-g1.mul(ab)).to_affine(), &g}};
    for (auto _ : state) {
        const bool ok = pairing_check(pairs);
        if (!ok) {
            state.SkipWithError("pairing check failed");
            return;
        }
        benchmark::DoNotOptimize(ok);
    }
}
BENCHMARK(BM_PairingCheck2Prepared)->Unit(benchmark::kMicrosecond);

void BM_G1ScalarMul(benchmark::State& state) {
    const G1 p = G1::from_affine(g1_generator()).mul(Scalar{12345, 0, 0, 0});
    for (auto _ : state) benchmark::DoNotOptimize(g1_mul(p, kScalar));
}
BENCHMARK(BM_G1ScalarMul)->Unit(benchmark::kMicrosecond);

void BM_G1ScalarMulGlv(benchmark::State& state) {
    const G1Affine p = G1::from_affine(g1_generator()).mul(Scalar{12345, 0, 0, 0}).to_affine();
    for (auto _ : state) benchmark::DoNotOptimize(g1_mul_glv(p, kScalar));
}
BENCHMARK(BM_G1ScalarMulGlv)->Unit(benchmark::kMicrosecond);

void BM_G2ScalarMul(benchmark::State& state) {
    const G2 q = G2::from_affine(g2_generator()).mul(Scalar{12345, 0, 0, 0});
    for (auto _ : state) benchmark::DoNotOptimize(g2_mul(q, kScalar));
}
BENCHMARK(BM_G2ScalarMul)->Unit(benchmark::kMicrosecond);

void BM_G1Decompress(benchmark::State& state) {
    const auto enc = g1_compress(G1::from_affine(g1_generator()).mul(kScalar).to_affine());
    for (auto _ : state) benchmark::DoNotOptimize(g1_decompress(enc));
}
BENCHMARK(BM_G1Decompress)->Unit(benchmark::kMicrosecond);

void BM_MillerLoop2Prepared(benchmark::State& state) {
    const G2Prepared q = g2_prepare(g2_generator());
    const PreparedPair pairs[2] = {{g1_generator(), &q}, {g1_generator(), &q}};
    for (auto _ : state) benchmark::DoNotOptimize(miller_loop(pairs));
}
BENCHMARK(BM_MillerLoop2Prepared)->Unit(benchmark::kMicrosecond);

void BM_FinalExponentiation(benchmark::State& state) {
    const Fp12 f = miller_loop(g1_generator(), g2_generator());
    for (auto _ : state) benchmark::DoNotOptimize(final_exponentiation(f));
}
BENCHMARK(BM_FinalExponentiation)->Unit(benchmark::kMicrosecond);

void BM_FpMul(benchmark::State& state) {
    Fp a = Fp::from_u64(3), b = g1_generator().x;
    for (auto _ : state) {
        a = a * b;
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_FpMul);


// The parts of MAP_FP2_TO_G2 (EIP-2537), to see where its time goes.
Fp2 map_input() { return Fp2{g1_generator().x, g1_generator().y.sqr()}; }

void BM_MapG2_Sswu(benchmark::State& state) {
    const Fp2 u = map_input();
    for (auto _ : state) benchmark::DoNotOptimize(sswu_g2(u));
}
BENCHMARK(BM_MapG2_Sswu)->Unit(benchmark::kMicrosecond);

void BM_MapG2_ClearCofactor(benchmark::State& state) {
    const G2 q = G2::from_affine(g2_generator()).mul(Scalar{12345, 0, 0, 0});
    for (auto _ : state) benchmark::DoNotOptimize(clear_cofactor_g2(q));
}
BENCHMARK(BM_MapG2_ClearCofactor)->Unit(benchmark::kMicrosecond);

void BM_MapG2_Whole(benchmark::State& state) {
    const Fp2 u = map_input();
    for (auto _ : state) benchmark::DoNotOptimize(map_fp2_to_g2(u));
}
BENCHMARK(BM_MapG2_Whole)->Unit(benchmark::kMicrosecond);

void BM_FpInverse(benchmark::State& state) {
    Fp a = g1_generator().x;
    for (auto _ : state) {
        a = a.inverse() + Fp::one();
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_FpInverse);

void BM_FpSqrtExp(benchmark::State& state) {
    Fp a = g1_generator().x;
    for (auto _ : state) {
        a = fp_pow_sqrt_exp(a) + Fp::one();
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_FpSqrtExp);

}  // namespace

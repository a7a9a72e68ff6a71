// EIP-2537 BLS12-381 precompiles (Prague) through run_precompile: time per call and gas/s.
// Quote medians:
//   build-eip/bench/bench_precompiles_bls_eip2537 --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "crypto/bls12_381.hpp"
#include "precompiles/bls12_381_precompiles.hpp"
#include "precompiles/precompiles.hpp"

#include <benchmark/benchmark.h>

#include <random>

using namespace polyvm;
using namespace polyvm::bls12_381;

namespace {

Address precompile(unsigned n) {
    Address a;
    a[19] = static_cast<uint8_t>(n);
    return a;
}

std::mt19937_64& rng() {
    static std::mt19937_64 g(2537);
    return g;
}

/// A full 256-bit scalar (the worst case the EIP prices: scalars are not reduced).
Scalar random_scalar() {
    Scalar s;
    for (auto& w : s) w = rng()();
    return s;
}

void put_fp(bytes& out, const Fp& a) {
    uint8_t buf[48];
    a.to_be(buf);
    out.insert(out.end(), 16, 0);
    out.insert(out.end(), buf, buf + 48);
}
void put_g1(bytes& out, const G1Affine& p) {
    put_fp(out, p.x);
    put_fp(out, p.y);
}
void put_g2(bytes& out, const G2Affine& p) {
    put_fp(out, p.x.c0);
    put_fp(out, p.x.c1);
    put_fp(out, p.y.c0);
    put_fp(out, p.y.c1);
}
void put_scalar(bytes& out, const Scalar& s) {
    for (size_t i = 4; i-- > 0;)
        for (int b = 7; b >= 0; --b) out.push_back(static_cast<uint8_t>(s[i] >> (8 * b)));
}

G1Affine random_g1() { return g1_mul(G1::from_affine(g1_generator()), random_scalar()).to_affine(); }
G2Affine random_g2() { return g2_mul(G2::from_affine(g2_generator()), random_scalar()).to_affine(); }

/// Runs one precompile call per iteration, checks success and the gas charged, and reports gas/s.
void run(benchmark::State& state, unsigned n, const bytes& input, uint64_t expected_gas) {
    constexpr int64_t kGas = 100'000'000;
    for (auto _ : state) {
        auto r = run_precompile(precompile(n), input, kGas, Revision::Prague);
        if (r.status != Status::Success || static_cast<uint64_t>(kGas - r.gas_left) != expected_gas) {
            state.SkipWithError("unexpected precompile result");
            return;
        }
        benchmark::DoNotOptimize(r.output.data());
    }
    state.counters["gas"] = static_cast<double>(expected_gas);
    state.counters["gas/s"] =
        benchmark::Counter(static_cast<double>(expected_gas), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_G1Msm(benchmark::State& state) {
    const size_t k = static_cast<size_t>(state.range(0));
    bytes in;
    for (size_t i = 0; i < k; ++i) {
        put_g1(in, random_g1());
        put_scalar(in, random_scalar());
    }
    run(state, 0x0c, in, eip2537::g1_msm_gas(in.size()));
}
BENCHMARK(BM_G1Msm)->Arg(1)->Arg(8)->Arg(64)->Unit(benchmark::kMicrosecond);

void BM_G2Msm(benchmark::State& state) {
    const size_t k = static_cast<size_t>(state.range(0));
    bytes in;
    for (size_t i = 0; i < k; ++i) {
        put_g2(in, random_g2());
        put_scalar(in, random_scalar());
    }
    run(state, 0x0e, in, eip2537::g2_msm_gas(in.size()));
}
BENCHMARK(BM_G2Msm)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond);

void BM_PairingCheck2(benchmark::State& state) {
    // e(P, Q) e(-P, Q) = 1: the BLS-signature-verification shape.
    const G1Affine p = random_g1();
    const G2Affine q = random_g2();
    bytes in;
    put_g1(in, p);
    put_g2(in, q);
    put_g1(in, -p);
    put_g2(in, q);
    run(state, 0x0f, in, eip2537::pairing_gas(in.size()));
}
BENCHMARK(BM_PairingCheck2)->Unit(benchmark::kMicrosecond);

void BM_G1Add(benchmark::State& state) {
    bytes in;
    put_g1(in, random_g1());
    put_g1(in, random_g1());
    run(state, 0x0b, in, eip2537::kG1AddGas);
}
BENCHMARK(BM_G1Add)->Unit(benchmark::kMicrosecond);

void BM_G2Add(benchmark::State& state) {
    bytes in;
    put_g2(in, random_g2());
    put_g2(in, random_g2());
    run(state, 0x0d, in, eip2537::kG2AddGas);
}
BENCHMARK(BM_G2Add)->Unit(benchmark::kMicrosecond);

void BM_MapFpToG1(benchmark::State& state) {
    bytes in;
    put_fp(in, random_g1().x);  // any field element
    run(state, 0x10, in, eip2537::kMapFpToG1Gas);
}
BENCHMARK(BM_MapFpToG1)->Unit(benchmark::kMicrosecond);

void BM_MapFp2ToG2(benchmark::State& state) {
    const G2Affine q = random_g2();
    bytes in;
    put_fp(in, q.x.c0);
    put_fp(in, q.y.c1);
    run(state, 0x11, in, eip2537::kMapFp2ToG2Gas);
}
BENCHMARK(BM_MapFp2ToG2)->Unit(benchmark::kMicrosecond);

}  // namespace

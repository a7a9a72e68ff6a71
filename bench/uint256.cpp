// uint256 arithmetic behind the EVM's arithmetic opcodes, with operand sizes as contracts use
// them: fixed-point scaling (wide / 64-bit), full-width division, reduced operands modulo a
// 254-bit prime (elliptic-curve code such as weierstrudel) and unreduced ones. Run with
//   build/bench/bench_uint256 --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "common/uint256.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace polyvm;

namespace {

// The BN254 base-field prime: a realistic 254-bit ADDMOD/MULMOD modulus.
const uint256 kPrime = *uint256::from_string("0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");

/// Random values of `bits` significant bits (top bit set so the size is exact).
std::vector<uint256> random_values(unsigned bits, size_t n = 256, uint64_t seed = 1) {
    std::mt19937_64 rng(seed);
    std::vector<uint256> v(n);
    for (auto& x : v) {
        for (auto& w : x.w) w = rng();
        if (bits < 256) x = x & ((uint256{1} << bits) - 1);
        x = x | (uint256{1} << (bits - 1));
    }
    return v;
}

std::vector<uint256> reduced(std::vector<uint256> v) {
    for (auto& x : v) x = x % kPrime;
    return v;
}

template <typename F>
void run_binary(benchmark::State& state, const std::vector<uint256>& a, const std::vector<uint256>& b, F f) {
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(f(a[i], b[i]));
        i = (i + 1) % a.size();
    }
}

void BM_mul(benchmark::State& state) {
    run_binary(state, random_values(256), random_values(256, 256, 2), [](auto& x, auto& y) { return x * y; });
}
void BM_div_by_64bit(benchmark::State& state) {  // fixed-point: x * 1e18 / 1e18-ish
    run_binary(state, random_values(192), random_values(60, 256, 2), [](auto& x, auto& y) { return x / y; });
}
void BM_div_128_by_128(benchmark::State& state) {
    run_binary(state, random_values(128), random_values(100, 256, 2), [](auto& x, auto& y) { return x / y; });
}
void BM_div_256_by_128(benchmark::State& state) {
    run_binary(state, random_values(256), random_values(128, 256, 2), [](auto& x, auto& y) { return x / y; });
}
void BM_mod_256_by_254(benchmark::State& state) {
    run_binary(state, random_values(256), random_values(254, 256, 2), [](auto& x, auto& y) { return x % y; });
}
void BM_sdiv(benchmark::State& state) {
    auto a = random_values(150);
    for (size_t i = 0; i < a.size(); i += 2) a[i] = -a[i];
    run_binary(state, a, random_values(64, 256, 2), [](auto& x, auto& y) { return sdiv(x, y); });
}
void BM_addmod_reduced(benchmark::State& state) {
    run_binary(state, reduced(random_values(256)), reduced(random_values(256, 256, 2)),
               [](auto& x, auto& y) { return addmod(x, y, kPrime); });
}
void BM_addmod_unreduced(benchmark::State& state) {
    run_binary(state, random_values(256), random_values(256, 256, 2), [](auto& x, auto& y) { return addmod(x, y, kPrime); });
}
void BM_mulmod_reduced(benchmark::State& state) {
    run_binary(state, reduced(random_values(256)), reduced(random_values(256, 256, 2)),
               [](auto& x, auto& y) { return mulmod(x, y, kPrime); });
}
void BM_mulmod_64bit_modulus(benchmark::State& state) {
    const uint256 m = 0xffffffff00000001ULL;
    run_binary(state, random_values(256), random_values(256, 256, 2), [&](auto& x, auto& y) { return mulmod(x, y, m); });
}
void BM_exp_small_exponent(benchmark::State& state) {  // 10 ** 18 style
    run_binary(state, random_values(8), random_values(6, 256, 2), [](auto& x, auto& y) { return exp(x, y); });
}
void BM_exp_full_exponent(benchmark::State& state) {
    run_binary(state, random_values(256), random_values(256, 256, 2), [](auto& x, auto& y) { return exp(x, y); });
}
void BM_signextend(benchmark::State& state) {
    std::vector<uint256> idx(256);
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i % 32;
    run_binary(state, idx, random_values(256), [](auto& i, auto& x) { return signextend(i, x); });
}

}  // namespace

BENCHMARK(BM_mul);
BENCHMARK(BM_div_by_64bit);
BENCHMARK(BM_div_128_by_128);
BENCHMARK(BM_div_256_by_128);
BENCHMARK(BM_mod_256_by_254);
BENCHMARK(BM_sdiv);
BENCHMARK(BM_addmod_reduced);
BENCHMARK(BM_addmod_unreduced);
BENCHMARK(BM_mulmod_reduced);
BENCHMARK(BM_mulmod_64bit_modulus);
BENCHMARK(BM_exp_small_exponent);
BENCHMARK(BM_exp_full_exponent);
BENCHMARK(BM_signextend);

// alt_bn128 precompiles (EIP-196/197) through run_precompile at Cancun prices: time per call
// and gas throughput. Run with
//   build/bench/bench_precompiles_bn254 --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "common/hex.hpp"
#include "crypto/bn254.hpp"
#include "precompiles/precompiles.hpp"

#include <benchmark/benchmark.h>

#include <string>

using namespace polyvm;

namespace {

Address precompile(unsigned n) {
    Address a;
    a[19] = static_cast<uint8_t>(n);
    return a;
}

bytes hex(const std::string& s) { return from_hex(s).value_or(bytes{}); }

// go-ethereum's bn256Add.json chfast1: two distinct points.
const std::string kAddInput =
    "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9063c909c4720840cb5134cb9f59fa749755796819658d32e"
    "fc0d288198f3726607c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed06614e20c147e940f2d70da3f74c9a17"
    "df361706a4485c742bd6788478fa17d7";
// A point with a full-width 254-bit scalar (no small-scalar shortcut).
const std::string kMulInput =
    "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe31a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996ef"
    "dc33d92bf7f9f8f6"
    "2c8a9fc1b6f1b55a3f2b7e6c91d5a4e3b2c1f0e9d8c7b6a5948372615a4b3c2d";
// go-ethereum's bn256Pairing.json jeff1 (2 pairs, true).
const std::string kJeff1 =
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294"
    "e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28"
    "905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9"
    "845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e712"
    "97e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
    "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

void run(benchmark::State& state, unsigned addr, const bytes& input, int64_t gas_cost) {
    constexpr int64_t kGas = 10'000'000;
    for (auto _ : state) {
        auto r = run_precompile(precompile(addr), input, kGas, Revision::Cancun);
        if (r.status != Status::Success || kGas - r.gas_left != gas_cost) {
            state.SkipWithError("unexpected precompile result");
            return;
        }
        benchmark::DoNotOptimize(r.output.data());
    }
    state.counters["gas/s"] = benchmark::Counter(static_cast<double>(gas_cost), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_EcAdd(benchmark::State& state) { run(state, 6, hex(kAddInput), 150); }
void BM_EcMul(benchmark::State& state) { run(state, 7, hex(kMulInput), 6000); }
void BM_EcPairing(benchmark::State& state) {
    // k pairs: the first k pairs of jeff1 repeated (jeff1 twice is a valid 4-pair check too).
    const size_t k = static_cast<size_t>(state.range(0));
    const bytes two = hex(kJeff1);
    bytes in;
    while (in.size() < 192 * k) in.insert(in.end(), two.begin(), two.end());
    in.resize(192 * k);
    run(state, 8, in, 45000 + 34000 * static_cast<int64_t>(k));
}

// One field inversion (safegcd), the bulk of an ECADD: each input is the previous inverse + 1.
void BM_FpInverse(benchmark::State& state) {
    bn254::Fp x = bn254::Fp::from_u64(0x1234567890abcdefULL) * bn254::Fp::from_u64(0xfedcba0987654321ULL);
    for (auto _ : state) {
        x = x.inverse() + bn254::Fp::one();
        benchmark::DoNotOptimize(x);
    }
}

}  // namespace

BENCHMARK(BM_FpInverse);
BENCHMARK(BM_EcAdd);
BENCHMARK(BM_EcMul);
BENCHMARK(BM_EcPairing)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMicrosecond);

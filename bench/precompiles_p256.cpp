// EIP-7951 P256VERIFY (0x100, Osaka) through run_precompile: time per call and gas throughput.
//   build/bench/bench_precompiles_p256 --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "common/hex.hpp"
#include "precompiles/precompiles.hpp"

#include <benchmark/benchmark.h>

#include <string>

using namespace polyvm;

namespace {
// The valid vector of tests/unit/crypto/test_p256.cpp (made with Python `cryptography`).
const std::string kValid =
    "021569c3219c82a483e18a151878ee626dbc0aca15a90b4af70772f780b2beb7"
    "785a296d713a5acdfc9da59789fc684159ff76dce9e688532132291efd4cd5e8"
    "9a53a14eafe27c2df35d132cb4bd470eac30efad071a7e82db87d9ec9e3ca773"
    "36936e15f1c5271feca60d3d1d4ac7057359e5c6539d90528358feea5bf79424"
    "ae3ab56606312cee94611e28dad3b5a95b6e1316775d20d6e7be6098a6d8dd58";

void run(benchmark::State& state, const bytes& input, bool expect_valid) {
    Address addr;
    addr[18] = 0x01;  // 0x100
    constexpr int64_t kGas = 1'000'000;
    int64_t cost = 0;
    for (auto _ : state) {
        auto r = run_precompile(addr, input, kGas, Revision::Osaka);
        cost = kGas - r.gas_left;
        if (r.status != Status::Success || (r.output.size() == 32) != expect_valid) {
            state.SkipWithError("unexpected P256VERIFY result");
            return;
        }
        benchmark::DoNotOptimize(r.output.data());
    }
    state.counters["gas/s"] = benchmark::Counter(static_cast<double>(cost), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_P256VerifyValid(benchmark::State& state) { run(state, *from_hex(kValid), true); }
void BM_P256VerifyWrongHash(benchmark::State& state) {
    bytes input = *from_hex(kValid);
    input[0] ^= 1;  // a valid point and signature over another hash: the full verification runs
    run(state, input, false);
}
}  // namespace

BENCHMARK(BM_P256VerifyValid);
BENCHMARK(BM_P256VerifyWrongHash);

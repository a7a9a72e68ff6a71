// Code analysis (padded copy and JUMPDEST bitmap) of real contract code: the snailtracer code
// (17.7 kB, many PUSHes and JUMPDESTs) and the signextend micro-benchmark's code (24 kB, almost
// no PUSH data). The codes come from the bench fixtures: $POLYVM_FIXTURES/bench, or shared/
// beside the checkout (found from the source or build directory). Run with
//   build/bench/bench_analysis --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include "common/hex.hpp"
#include "evm/analysis.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace polyvm;

namespace {

std::filesystem::path fixtures_dir() {
    if (const char* env = std::getenv("POLYVM_FIXTURES")) return std::filesystem::path(env) / "bench";
    // shared/ lies beside the checkout: one level up from the source tree, two from a build dir.
    for (const char* up : {"../shared/fixtures/bench", "../../shared/fixtures/bench", "../../../shared/fixtures/bench"})
        if (std::filesystem::exists(up)) return up;
    return "../shared/fixtures/bench";
}

/// The longest code among the `pre` accounts of the fixture (the benchmarked contract).
bytes contract_code(const std::string& relative) {
    std::ifstream in(fixtures_dir() / relative);
    const auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    bytes best;
    if (!doc.is_object()) return best;
    for (const auto& [name, test] : doc.items())
        for (const auto& [address, account] : test.at("pre").items())
            if (auto code = from_hex(account.value("code", "0x")); code && code->size() > best.size()) best = *code;
    return best;
}

void analyse(benchmark::State& state, const std::string& fixture) {
    const bytes code = contract_code(fixture);
    if (code.empty()) {
        state.SkipWithError(("fixture not found: " + (fixtures_dir() / fixture).string()).c_str());
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(analyze(code));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * code.size()));
}

void BM_analyze_snailtracer(benchmark::State& state) { analyse(state, "main/snailtracer.json"); }
/// What the untraced interpreter needs: also the block-check table and the fused code.
void BM_analyze_snailtracer_for_revision(benchmark::State& state) {
    const bytes code = contract_code("main/snailtracer.json");
    if (code.empty()) {
        state.SkipWithError("fixture not found: main/snailtracer.json");
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(analyze(code, Revision::Osaka));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * code.size()));
}
void BM_analyze_signextend(benchmark::State& state) { analyse(state, "micro/signextend.json"); }
void BM_analyze_many_jumpdests(benchmark::State& state) { analyse(state, "micro/loop_with_many_jumpdests.json"); }

}  // namespace

BENCHMARK(BM_analyze_snailtracer);
BENCHMARK(BM_analyze_snailtracer_for_revision);
BENCHMARK(BM_analyze_signextend);
BENCHMARK(BM_analyze_many_jumpdests);

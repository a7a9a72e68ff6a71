// The interpreter on the evm-benchmarks fixtures (the same code, input and rules as `polyvm
// bench`), one Google Benchmark per case: main/snailtracer/benchmark is BM_execute/snailtracer/0.
// Its main use is instruction counting with callgrind, which is deterministic where timings on a
// shared machine are not. POLYVM_BENCH_ITERATIONS fixes the iteration count, so that
//   (Ir with 3 iterations - Ir with 1 iteration) / 2
// of `valgrind --tool=callgrind --toggle-collect='polyvm::execute(*'` is one steady-state
// execution (one-time costs such as the first allocation of the stack and memory cancel out);
// see docs/performance.md. Codes come from $POLYVM_FIXTURES/bench or shared/ beside the checkout.
#include "common/large_stack_thread.hpp"
#include "evm/interpreter.hpp"
#include "exec/execution_host.hpp"
#include "tools/bench_runner.hpp"
#include "tools/state_test.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

using namespace polyvm;

namespace {

std::filesystem::path fixtures_dir() {
    if (const char* env = std::getenv("POLYVM_FIXTURES")) return std::filesystem::path(env) / "bench";
    for (const char* up : {"../shared/fixtures/bench", "../../shared/fixtures/bench", "../../../shared/fixtures/bench"})
        if (std::filesystem::exists(up)) return up;
    return "../shared/fixtures/bench";
}

/// One benchmark case: the code's call with input `data_index` under the fixture's fork.
struct Case {
    tools::StateTest test;
    const tools::StateTestCase* c = nullptr;
};

void run_case(benchmark::State& state, const std::shared_ptr<Case>& bc) {
    std::string error;
    const std::optional<tools::BenchmarkCall> call = tools::prepare_benchmark_call(bc->test, *bc->c, error);
    if (!call) {
        state.SkipWithError(error.c_str());
        return;
    }
    const Message msg = call->message();
    const TxContext ctx = call->context();
    auto execute_once = [&] {
        State s = call->fresh_state();
        ExecutionHost host(s, call->revision, ctx, nullptr);
        return execute(host, call->revision, msg, call->analysis);
    };
    // Deep call stacks need the large stack the CLI runs on too.
    run_with_large_stack([&] {
        const ExecutionResult warm = execute_once();  // untimed: first allocations
        for (auto _ : state) benchmark::DoNotOptimize(execute_once());
        state.counters["gas"] = static_cast<double>(msg.gas - warm.gas_left);
        state.counters["gas/s"] = benchmark::Counter(static_cast<double>(msg.gas - warm.gas_left),
                                                     benchmark::Counter::kIsIterationInvariantRate);
    });
}

void register_all() {
    const char* iterations = std::getenv("POLYVM_BENCH_ITERATIONS");
    for (const char* folder : {"main", "micro"}) {
        const auto dir = fixtures_dir() / folder;
        if (!std::filesystem::exists(dir)) continue;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            if (entry.path().extension() != ".json") continue;
            for (auto& test : tools::load_state_test_file(entry.path(), entry.path().string())) {
                for (const auto& c : test.cases) {
                    if (!c.tx || !c.tx->to) continue;
                    auto bc = std::make_shared<Case>();
                    bc->test = test;
                    for (const auto& cc : bc->test.cases)
                        if (cc.indexes.data == c.indexes.data && cc.fork == c.fork) bc->c = &cc;
                    const std::string name = "BM_execute/" + entry.path().stem().string() + "/" +
                                             std::to_string(c.indexes.data);
                    auto* b = benchmark::RegisterBenchmark(name.c_str(), [bc](benchmark::State& s) { run_case(s, bc); });
                    b->Unit(benchmark::kMicrosecond);
                    if (iterations) b->Iterations(std::atoll(iterations));
                }
            }
        }
    }
}

const bool registered = (register_all(), true);

}  // namespace

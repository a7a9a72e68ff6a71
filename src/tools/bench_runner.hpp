// `polyvm bench`: times the top-level call of state-test-shaped benchmarks (ipsilon/evm-benchmarks,
// shared/README.md "fixtures/bench"). Setup (state copy, host, code analysis) is outside the timed
// region; the post-state is checked against the fixture once per case, so a benchmark run is also
// a correctness run.
#pragma once

#include "evm/analysis.hpp"
#include "evm/host.hpp"
#include "exec/block_info.hpp"
#include "state/state.hpp"
#include "tools/state_test.hpp"
#include "tx/transaction.hpp"

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::tools {

struct BenchOptions {
    std::vector<std::filesystem::path> paths;
    std::string filter;        // ECMAScript regex on the benchmark name
    unsigned repetitions = 10; // timed samples per case; the median is reported
    double min_time = 0.01;    // seconds of executions per sample (Google Benchmark's --benchmark_min_time)
    bool json = false;
};

struct BenchResult {
    std::string name;  // <folder>/<file>/<label>, e.g. main/snailtracer/benchmark
    int64_t gas_used = 0;
    double median_ns = 0;    // one execution of the top-level call
    double min_ns = 0;       // the fastest sample's (the least disturbed by the host)
    double analysis_ns = 0;  // jump-destination analysis of the called code
    bool correct = false;    // the transaction's post-state matched the fixture
    std::string error;
};

/// The timed region of one benchmark case, set up once: the top-level call of the transaction's
/// recipient code (no intrinsic gas, no transaction processing), on copies of the pre-state.
/// `polyvm bench` and bench/interpreter.cpp (callgrind counts) both time exactly this.
struct BenchmarkCall {
    Revision revision = Revision::London;
    BlockInfo block;
    uint256 chain_id;
    Transaction tx;
    State pre;
    CodeAnalysis analysis;

    Message message() const;     // views into `tx`: valid while this object lives
    TxContext context() const;   // likewise
    /// A copy of the pre-state, warmed as the transaction's own start would warm it (EIP-2929).
    State fresh_state() const;
};
/// Nullopt (with `error` set) when the case is not a call of an account with code.
std::optional<BenchmarkCall> prepare_benchmark_call(const StateTest& test, const StateTestCase& c, std::string& error);

/// Runs every benchmark under `options.paths`; prints a table (or JSON lines) to `out`.
/// Returns 0, 1 if a benchmark's result did not match its fixture, 2 for bad input.
int run_benchmarks(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace polyvm::tools

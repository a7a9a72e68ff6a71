// `polyvm bench`: times the top-level call of state-test-shaped benchmarks (ipsilon/evm-benchmarks,
// shared/README.md "fixtures/bench"). Setup (state copy, host, code analysis) is outside the timed
// region; the post-state is checked against the fixture once per case, so a benchmark run is also
// a correctness run.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace polyvm::tools {

struct BenchOptions {
    std::vector<std::filesystem::path> paths;
    std::string filter;        // ECMAScript regex on the benchmark name
    unsigned repetitions = 10; // timed samples per case; the median is reported
    bool json = false;
};

struct BenchResult {
    std::string name;  // <folder>/<file>/<label>, e.g. main/snailtracer/benchmark
    int64_t gas_used = 0;
    double median_ns = 0;    // one execution of the top-level call
    double analysis_ns = 0;  // jump-destination analysis of the called code
    bool correct = false;    // the transaction's post-state matched the fixture
    std::string error;
};

/// Runs every benchmark under `options.paths`; prints a table (or JSON lines) to `out`.
/// Returns 0, 1 if a benchmark's result did not match its fixture, 2 for bad input.
int run_benchmarks(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace polyvm::tools

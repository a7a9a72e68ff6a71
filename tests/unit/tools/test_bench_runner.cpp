// `polyvm bench` (tools/bench_runner): a benchmark run is also a correctness run, and its JSON
// lines carry what bench/side_by_side.py reads. Timings are not asserted (unit tests are not
// benchmarks); only that each case was timed and its post-state matched the fixture.
#include "tools/bench_runner.hpp"

#include "fixtures_path.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace polyvm;
using namespace polyvm::tools;

TEST(BenchRunner, TimesEachSelectedCaseAndChecksItsPostState) {
    POLYVM_REQUIRE_FIXTURES(folder, "bench/main");
    BenchOptions options;
    options.paths = {folder / "swap_math.json"};
    options.filter = "swap_math/(spent|received)";
    options.repetitions = 2;
    options.json = true;
    std::ostringstream out, err;
    ASSERT_EQ(run_benchmarks(options, out, err), 0) << err.str();

    std::istringstream lines(out.str());
    std::string line;
    int cases = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '{') continue;
        const auto result = nlohmann::json::parse(line);
        const std::string name = result.at("name");
        EXPECT_TRUE(name == "main/swap_math/spent" || name == "main/swap_math/received") << name;
        EXPECT_TRUE(result.at("correct").get<bool>()) << line;
        EXPECT_GT(result.at("gas_used").get<int64_t>(), 0) << line;  // the call ran code
        EXPECT_GT(result.at("median_ns").get<double>(), 0) << line;
        // The fastest sample is one of the samples: above zero, at most the median.
        EXPECT_GT(result.at("min_ns").get<double>(), 0) << line;
        EXPECT_LE(result.at("min_ns").get<double>(), result.at("median_ns").get<double>()) << line;
        ++cases;
    }
    EXPECT_EQ(cases, 2) << out.str();
}

TEST(BenchRunner, AFilterThatSelectsNothingRunsNothing) {
    POLYVM_REQUIRE_FIXTURES(folder, "bench/main");
    BenchOptions options;
    options.paths = {folder / "swap_math.json"};
    options.filter = "no_such_case";
    options.json = true;
    std::ostringstream out, err;
    run_benchmarks(options, out, err);
    EXPECT_EQ(out.str().find('{'), std::string::npos) << out.str();
}

TEST(BenchRunner, ASampleTimeOutsideItsRangeIsRefusedWithItsName) {
    POLYVM_REQUIRE_FIXTURES(folder, "bench/main");
    for (const double seconds : {0.0, -1.0, 61.0}) {
        BenchOptions options;
        options.paths = {folder / "swap_math.json"};
        options.min_time = seconds;
        std::ostringstream out, err;
        EXPECT_EQ(run_benchmarks(options, out, err), 2) << seconds;
        EXPECT_NE(err.str().find("--min-time"), std::string::npos) << err.str();
        EXPECT_EQ(out.str().find('{'), std::string::npos) << out.str();
    }
}

// `polyvm wasm run`: argument parsing, printed results, traps and fuel; `polyvm wasm bench`:
// results checked against expected.json, the exit status on a wrong one.
#include "tools/wasm_bench.hpp"
#include "tools/wasm_run.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace polyvm::tools;
namespace fs = std::filesystem;

namespace {

// Exports div(a, b) = a / b (i32.div_u) and loop() that never returns.
const std::vector<uint8_t> kDivModule = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0A, 0x02, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F, 0x60,
    0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x0E, 0x02, 0x03, 'd',  'i',  'v',  0x00, 0x00, 0x04, 'l',
    'o',  'o',  'p',  0x00, 0x01, 0x0A, 0x11, 0x02, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6E, 0x0B, 0x07, 0x00,
    0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B};

class WasmRun : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        path_ = fs::temp_directory_path() / ("polyvm_wasm_run_" + std::to_string(rd()) + ".wasm");
        std::ofstream out(path_, std::ios::binary);
        out.write(reinterpret_cast<const char*>(kDivModule.data()), std::streamsize(kDivModule.size()));
    }
    void TearDown() override { fs::remove(path_); }

    struct Result {
        int rc;
        std::string out, err;
    };
    Result run(const std::string& function, std::vector<std::string> args, std::optional<uint64_t> fuel = {}) {
        WasmRunOptions options{path_.string(), function, std::move(args), fuel};
        std::ostringstream out, err;
        const int rc = run_wasm_function(options, out, err);
        return {rc, out.str(), err.str()};
    }

    fs::path path_;
};

TEST_F(WasmRun, PrintsResults) {
    const Result r = run("div", {"7", "i32:2"});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "3\n");
    EXPECT_EQ(run("div", {"-1", "1"}).out, "4294967295\n");  // printed unsigned
}

TEST_F(WasmRun, TrapsAndFuelExitWithOne) {
    const Result trap = run("div", {"1", "0"});
    EXPECT_EQ(trap.rc, 1);
    EXPECT_NE(trap.err.find("integer divide by zero"), std::string::npos) << trap.err;
    const Result fuel = run("loop", {}, 1000);
    EXPECT_EQ(fuel.rc, 1);
    EXPECT_NE(fuel.err.find("out of fuel"), std::string::npos) << fuel.err;
    // Stopped before a block that no longer fits: what is left is less than one iteration.
    unsigned used = 0, left = 0;
    ASSERT_EQ(std::sscanf(fuel.err.c_str(), "fuel: %u used, %u left", &used, &left), 2) << fuel.err;
    EXPECT_EQ(used + left, 1000u);
    EXPECT_LT(left, 20u);
}

TEST_F(WasmRun, MeteredRunsReportTheFuelUsed) {
    const Result unmetered = run("div", {"7", "2"});
    EXPECT_EQ(unmetered.err, "");
    const Result metered = run("div", {"7", "2"}, 100);
    EXPECT_EQ(metered.rc, 0) << metered.err;
    EXPECT_EQ(metered.out, "3\n");
    // div is one block (local.get, local.get, i32.div_u; the end is free): a few units, not 0.
    unsigned used = 0, left = 0;
    ASSERT_EQ(std::sscanf(metered.err.c_str(), "fuel: %u used, %u left", &used, &left), 2) << metered.err;
    EXPECT_GT(used, 0u);
    EXPECT_EQ(used + left, 100u);
}

TEST_F(WasmRun, BadUsage) {
    EXPECT_EQ(run("div", {"1"}).rc, 2);             // too few arguments
    EXPECT_EQ(run("div", {"i64:1", "2"}).rc, 2);    // wrong type
    EXPECT_EQ(run("div", {"x", "2"}).rc, 2);        // not a number
    EXPECT_EQ(run("missing", {}).rc, 2);
}

class WasmBench : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        folder_ = fs::temp_directory_path() / ("polyvm_wasm_bench_" + std::to_string(rd()));
        fs::create_directories(folder_);
        std::ofstream out(folder_ / "div.wasm", std::ios::binary);
        out.write(reinterpret_cast<const char*>(kDivModule.data()), std::streamsize(kDivModule.size()));
    }
    void TearDown() override { fs::remove_all(folder_); }

    struct Result {
        int rc;
        std::string out, err;
    };
    Result bench(const std::string& expected_json, uint64_t fuel = uint64_t(1) << 62) {
        std::ofstream(folder_ / "expected.json") << expected_json;
        WasmBenchOptions options;
        options.folder = folder_;
        options.rounds = 2;
        options.fuel = fuel;
        std::ostringstream out, err;
        const int rc = run_wasm_bench(options, out, err);
        return {rc, out.str(), err.str()};
    }

    fs::path folder_;
};

TEST_F(WasmBench, ChecksEveryResult) {
    const Result ok = bench(R"({"modules": {"div.wasm": {"bench": {"export": "div", "args": [4294967295, 1], "expect": 4294967295},
                                "checks": [{"export": "div", "args": [7, 2], "expect": 3}]}}})");
    EXPECT_EQ(ok.rc, 0) << ok.err;
    EXPECT_NE(ok.out.find("div(4294967295, 1)"), std::string::npos) << ok.out;
    const Result wrong = bench(R"({"modules": {"div.wasm": {"bench": {"export": "div", "args": [7, 2], "expect": 4}}}})");
    EXPECT_EQ(wrong.rc, 1);
    EXPECT_NE(wrong.err.find("got 3, expected 4"), std::string::npos) << wrong.err;
    const Result wrong_check = bench(R"({"modules": {"div.wasm": {"bench": {"export": "div", "args": [7, 2], "expect": 3},
                                        "checks": [{"export": "div", "args": [1, 0], "expect": 0}]}}})");
    EXPECT_EQ(wrong_check.rc, 1);
    EXPECT_NE(wrong_check.err.find("integer divide by zero"), std::string::npos) << wrong_check.err;
}

TEST_F(WasmBench, RunsMetered) {
    const Result r = bench(R"({"modules": {"div.wasm": {"bench": {"export": "loop", "args": [], "expect": 0}}}})", 1000);
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("out of fuel"), std::string::npos) << r.err;
}

TEST_F(WasmBench, MissingInputIsUsage) {
    EXPECT_EQ(bench("not json").rc, 2);
    std::ofstream(folder_ / "expected.json") << R"({"modules": {}})";
    WasmBenchOptions options;
    options.folder = folder_;
    options.modules = {"absent"};
    std::ostringstream out, err;
    EXPECT_EQ(run_wasm_bench(options, out, err), 2);
}

}  // namespace

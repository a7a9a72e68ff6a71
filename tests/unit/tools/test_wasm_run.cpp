// `polyvm wasm run`: argument parsing, printed results, traps and fuel.
#include "tools/wasm_run.hpp"

#include <gtest/gtest.h>

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
}

TEST_F(WasmRun, BadUsage) {
    EXPECT_EQ(run("div", {"1"}).rc, 2);             // too few arguments
    EXPECT_EQ(run("div", {"i64:1", "2"}).rc, 2);    // wrong type
    EXPECT_EQ(run("div", {"x", "2"}).rc, 2);        // not a number
    EXPECT_EQ(run("missing", {}).rc, 2);
}

}  // namespace

// `polyvm wasm spectest` on small hand-written scripts: verdicts, skip reasons, output lines and
// exit codes.
#include "tools/wasm_spectest.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <vector>

using namespace polyvm::tools;
namespace fs = std::filesystem;

namespace {

const std::vector<uint8_t> kEmptyModule = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
// One function [] -> [i32] whose body is just `end`: decodes, fails validation.
const std::vector<uint8_t> kInvalidModule = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
                                             0x00, 0x01, 0x7F, 0x03, 0x02, 0x01, 0x00, 0x0A, 0x04, 0x01, 0x02, 0x00,
                                             0x0B};
const std::vector<uint8_t> kMalformedModule = {0x00, 0x61, 0x73, 0x6D, 0x02};
// Exports div(a, b) = a / b (i32.div_u) and loop() that never returns.
const std::vector<uint8_t> kDivModule = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0A, 0x02, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F, 0x60,
    0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x0E, 0x02, 0x03, 'd',  'i',  'v',  0x00, 0x00, 0x04, 'l',
    'o',  'o',  'p',  0x00, 0x01, 0x0A, 0x11, 0x02, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6E, 0x0B, 0x07, 0x00,
    0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B};
// Imports function "nope" from module "M".
const std::vector<uint8_t> kImportModule = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
                                            0x60, 0x00, 0x00, 0x02, 0x0A, 0x01, 0x01, 'M',  0x04, 'n',  'o',
                                            'p',  'e',  0x00, 0x00};
// A type section with a v128 parameter.
const std::vector<uint8_t> kSimdModule = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                                          0x01, 0x05, 0x01, 0x60, 0x01, 0x7B, 0x00};

class WasmSpecTestRunner : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        root_ = fs::temp_directory_path() / ("polyvm_wasm_spectest_" + std::to_string(rd()));
        fs::create_directories(root_ / "suite");
        write_binary("suite/valid.wasm", kEmptyModule);
        write_binary("suite/invalid.wasm", kInvalidModule);
        write_binary("suite/malformed.wasm", kMalformedModule);
        write_binary("suite/simd.wasm", kSimdModule);
        write_binary("suite/div.wasm", kDivModule);
        write_binary("suite/imports.wasm", kImportModule);
    }
    void TearDown() override { fs::remove_all(root_); }

    void write_binary(const std::string& relative, const std::vector<uint8_t>& bytes) {
        std::ofstream out(root_ / relative, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    void write_script(const std::string& relative, const std::string& commands) {
        std::ofstream(root_ / relative) << R"({"source_filename": "x.wast", "commands": [)" << commands << "]}";
    }

    struct Run {
        int rc;
        std::string out, err;
        std::string last_line() const {
            std::istringstream in(out);
            std::string line, last;
            while (std::getline(in, line)) last = line;
            return last;
        }
    };
    Run run(std::vector<fs::path> paths = {}, bool fail_when_empty = false) {
        WasmSpecTestOptions options;
        options.paths = paths.empty() ? std::vector<fs::path>{root_} : paths;
        options.fail_when_empty = fail_when_empty;
        std::ostringstream out, err;
        const int rc = run_wasm_spectests(options, out, err);
        return {rc, out.str(), err.str()};
    }

    fs::path root_;
};

TEST_F(WasmSpecTestRunner, DecidesWhatItCanAndCountsSkipsByReason) {
    write_script("suite/a.json", R"(
        {"type": "module", "line": 1, "filename": "valid.wasm"},
        {"type": "assert_invalid", "line": 2, "filename": "invalid.wasm", "text": "type mismatch", "module_type": "binary"},
        {"type": "assert_malformed", "line": 3, "filename": "malformed.wasm", "text": "unknown binary version", "module_type": "binary"},
        {"type": "assert_malformed", "line": 4, "filename": "a.0.wat", "text": "unexpected token", "module_type": "text"},
        {"type": "module", "line": 5, "filename": "simd.wasm"},
        {"type": "assert_return", "line": 6, "action": {"type": "invoke", "field": "f", "args": []}, "expected": [{"type": "i32", "value": "1"}]},
        {"type": "assert_return", "line": 7, "action": {"type": "invoke", "field": "g", "args": [{"type": "v128", "lane_type": "i32", "value": ["0", "0", "0", "0"]}]}, "expected": []},
        {"type": "register", "line": 8, "as": "M"})");
    const Run r = run();
    EXPECT_EQ(r.rc, 0) << r.out << r.err;
    EXPECT_EQ(r.last_line(), "3 passed, 0 failed, 5 skipped (SIMD: 2, text format: 1, uses a skipped SIMD module: 2)");
}

TEST_F(WasmSpecTestRunner, ReportsWrongVerdicts) {
    write_script("suite/b.json", R"(
        {"type": "module", "line": 10, "filename": "invalid.wasm"},
        {"type": "assert_invalid", "line": 11, "filename": "valid.wasm", "text": "type mismatch", "module_type": "binary"},
        {"type": "assert_invalid", "line": 12, "filename": "malformed.wasm", "text": "type mismatch", "module_type": "binary"},
        {"type": "assert_malformed", "line": 13, "filename": "invalid.wasm", "text": "x", "module_type": "binary"})");
    const Run r = run();
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.out.find("FAIL suite/b.json:10 module: invalid at byte"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL suite/b.json:11 assert_invalid: module is valid"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL suite/b.json:12 assert_invalid: decoding failed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL suite/b.json:13 assert_malformed: decoded, but validation failed"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.last_line(), "0 passed, 4 failed, 0 skipped");
}

TEST_F(WasmSpecTestRunner, ExecutesAssertions) {
    const std::string div = R"({"type": "invoke", "field": "div", "args": [{"type": "i32", "value": "%A"}, {"type": "i32", "value": "%B"}]})";
    auto call = [&](const char* a, const char* b) {
        std::string text = div;
        text.replace(text.find("%A"), 2, a);
        text.replace(text.find("%B"), 2, b);
        return text;
    };
    write_script("suite/e.json", R"({"type": "module", "line": 1, "filename": "div.wasm"},
        {"type": "assert_return", "line": 2, "action": )" + call("7", "2") + R"(, "expected": [{"type": "i32", "value": "3"}]},
        {"type": "assert_trap", "line": 3, "action": )" + call("1", "0") + R"(, "text": "integer divide by zero", "expected": [{"type": "i32"}]},
        {"type": "assert_return", "line": 4, "action": )" + call("7", "2") + R"(, "expected": [{"type": "i32", "value": "4"}]},
        {"type": "assert_trap", "line": 5, "action": )" + call("4", "2") + R"(, "text": "integer divide by zero", "expected": [{"type": "i32"}]},
        {"type": "register", "line": 6, "as": "M"},
        {"type": "assert_unlinkable", "line": 7, "filename": "imports.wasm", "text": "unknown import", "module_type": "binary"})");
    const Run r = run();
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.out.find("FAIL suite/e.json:4 assert_return: result 0 is i32:3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL suite/e.json:5 assert_trap: returned"), std::string::npos) << r.out;
    EXPECT_EQ(r.last_line(), "5 passed, 2 failed, 0 skipped");
}

TEST_F(WasmSpecTestRunner, UnreadableInputIsAUsageError) {
    EXPECT_EQ(run({root_ / "missing"}).rc, 2);
    write_script("suite/c.json", R"({"type": "module", "line": 1, "filename": "no_such.wasm"})");
    EXPECT_EQ(run().rc, 2);
    fs::remove(root_ / "suite/c.json");
    std::ofstream(root_ / "suite/d.json") << "{not json";
    EXPECT_EQ(run().rc, 2);
}

TEST_F(WasmSpecTestRunner, NothingDecidedFailsWhenAsked) {
    fs::create_directories(root_ / "empty");
    EXPECT_EQ(run({root_ / "empty"}).rc, 0);
    EXPECT_EQ(run({root_ / "empty"}, true).rc, 1);
}

}  // namespace

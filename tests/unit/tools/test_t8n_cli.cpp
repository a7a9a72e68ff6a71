// `polyvm t8n` as a command: files in and out of a base folder, stdin/stdout, trace files, and
// geth's exit codes for every kind of bad input.
#include "tools/cli.hpp"
#include "tools/t8n.hpp"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace polyvm::tools;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kSecret = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";

const json kAlloc = {{"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", {{"balance", "0xde0b6b3a7640000"}}},
                     {"0x1000000000000000000000000000000000000001", {{"code", "0x60016000a000"}}}};  // LOG0, STOP
const json kEnv = {{"currentCoinbase", "0xc0ffee0000000000000000000000000000000001"},
                   {"currentGasLimit", "30000000"},
                   {"currentNumber", "1"},
                   {"currentTimestamp", "1000"},
                   {"currentRandom", "0x02"},
                   {"currentBaseFee", "7"},
                   {"withdrawals", json::array()},
                   {"currentExcessBlobGas", "0"},
                   {"parentBeaconBlockRoot", "0x" + std::string(64, '0')}};
const json kTxs = json::array({{{"type", "0x2"},
                                {"chainId", "0x1"},
                                {"nonce", "0x0"},
                                {"maxFeePerGas", "0x10"},
                                {"maxPriorityFeePerGas", "0x1"},
                                {"gas", "0x186a0"},
                                {"to", "0x1000000000000000000000000000000000000001"},
                                {"value", "0x0"},
                                {"input", "0x"},
                                {"secretKey", kSecret}}});

class T8nCommand : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("polyvm-t8n-cli-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        write("alloc.json", kAlloc.dump());
        write("env.json", kEnv.dump());
        write("txs.json", kTxs.dump());
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    json read_json(const std::string& name) const {
        std::ifstream in(dir_ / name);
        return json::parse(in);
    }

    /// Runs `polyvm t8n <args>` in-process and returns its exit status.
    int run(std::vector<std::string> args) {
        CLI::App app;
        const Command command = add_t8n_command(app);
        args.insert(args.begin(), "t8n");
        std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
        app.parse(args);
        return command.run();
    }

    /// The usual inputs, outputs into the base folder, `extra` appended.
    std::vector<std::string> with_files(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--state.fork",   "Prague",           "--input.alloc",   path("alloc.json"),
                                         "--input.env",    path("env.json"),   "--input.txs",     path("txs.json"),
                                         "--output.basedir", path("out"),      "--output.body",   "body.rlp"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    fs::path dir_;
};

}  // namespace

TEST_F(T8nCommand, WritesResultAllocBodyAndTraces) {
    ASSERT_EQ(run(with_files({"--trace"})), t8n::kExitOk);
    const json result = read_json("out/result.json");
    EXPECT_EQ(result["receipts"].size(), 1u);
    EXPECT_EQ(result["receipts"][0]["logs"].size(), 1u);
    EXPECT_EQ(read_json("out/alloc.json")["0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"]["nonce"], "0x1");
    const json body = read_json("out/body.rlp");
    ASSERT_TRUE(body.is_string());
    EXPECT_EQ(body.get<std::string>().rfind("0xf8", 0), 0u) << body;  // a list of one typed transaction

    // The trace is named after the transaction's index and hash, and ends with the summary line.
    const std::string hash = result["receipts"][0]["transactionHash"];
    std::ifstream trace(dir_ / "out" / ("trace-0-" + hash + ".jsonl"));
    ASSERT_TRUE(trace.good());
    std::string line, last;
    size_t lines = 0;
    while (std::getline(trace, line)) {
        ++lines;
        last = line;
    }
    EXPECT_EQ(lines, 5u);  // PUSH1, PUSH1, LOG0, STOP, summary
    EXPECT_NE(last.find("\"gasUsed\""), std::string::npos) << last;

    // The body fed back as a `.rlp` transactions file builds the same block.
    fs::copy_file(dir_ / "out" / "body.rlp", dir_ / "txs.rlp");
    ASSERT_EQ(run({"--state.fork", "Prague", "--input.alloc", path("alloc.json"), "--input.env", path("env.json"),
                   "--input.txs", path("txs.rlp"), "--output.basedir", path("again")}),
              t8n::kExitOk);
    const json again = read_json("again/result.json");
    EXPECT_EQ(again["stateRoot"], result["stateRoot"]);
    EXPECT_EQ(again["txRoot"], result["txRoot"]);
    EXPECT_EQ(again["receiptsRoot"], result["receiptsRoot"]);
}

TEST_F(T8nCommand, StdinInStdoutOut) {
    const json document = {{"alloc", kAlloc}, {"env", kEnv}, {"txs", kTxs}};
    std::istringstream in(document.dump());
    std::streambuf* saved = std::cin.rdbuf(in.rdbuf());
    ::testing::internal::CaptureStdout();
    const int status = run({"--state.fork", "Prague", "--input.alloc", "stdin", "--input.env", "stdin", "--input.txs",
                            "stdin", "--output.result", "stdout", "--output.alloc", "stdout", "--output.body", "stdout"});
    const std::string out = ::testing::internal::GetCapturedStdout();
    std::cin.rdbuf(saved);
    ASSERT_EQ(status, t8n::kExitOk);
    const json printed = json::parse(out);
    EXPECT_TRUE(printed.contains("alloc"));
    EXPECT_TRUE(printed.contains("body"));
    EXPECT_EQ(printed["result"]["receipts"].size(), 1u);
    EXPECT_FALSE(fs::exists("result.json"));  // nothing went to files
}

TEST_F(T8nCommand, ExitCodesOfBadInputs) {
    ::testing::internal::CaptureStderr();
    // A file that is not there: I/O (11).
    EXPECT_EQ(run({"--state.fork", "Prague", "--input.alloc", path("missing.json"), "--input.env", path("env.json"),
                   "--input.txs", path("txs.json"), "--output.basedir", path("out")}),
              t8n::kErrorIo);
    // Malformed JSON (10), in each input.
    write("broken.json", "{\"a\": ");
    for (const char* which : {"--input.alloc", "--input.env", "--input.txs"}) {
        std::vector<std::string> args = with_files();
        *(std::find(args.begin(), args.end(), std::string(which)) + 1) = path("broken.json");
        EXPECT_EQ(run(args), t8n::kErrorJson) << which;
    }
    // JSON of the wrong shape (10).
    write("env_array.json", "[]");
    EXPECT_EQ(run({"--state.fork", "Prague", "--input.alloc", path("alloc.json"), "--input.env", path("env_array.json"),
                   "--input.txs", path("txs.json"), "--output.basedir", path("out")}),
              t8n::kErrorJson);
    // RLP that is not a list of transactions (12).
    write("bad.rlp", "\"0x80\"");
    EXPECT_EQ(run({"--state.fork", "Prague", "--input.alloc", path("alloc.json"), "--input.env", path("env.json"),
                   "--input.txs", path("bad.rlp"), "--output.basedir", path("out")}),
              t8n::kErrorRlp);
    // An unknown fork, and an env the fork cannot run with (3).
    std::vector<std::string> args = with_files();
    args[1] = "Prag";
    EXPECT_EQ(run(args), t8n::kErrorConfig);
    args[1] = "Paris";
    json no_random = kEnv;
    no_random.erase("currentRandom");
    write("env_no_random.json", no_random.dump());
    *(std::find(args.begin(), args.end(), std::string("--input.env")) + 1) = path("env_no_random.json");
    EXPECT_EQ(run(args), t8n::kErrorConfig);
    EXPECT_EQ(run(with_files({"--state.chainid", "x"})), t8n::kErrorConfig);
    // A base folder that cannot be created: a file is in the way (11).
    write("in_the_way", "");
    std::vector<std::string> blocked = with_files();
    *(std::find(blocked.begin(), blocked.end(), std::string("--output.basedir")) + 1) = path("in_the_way/sub");
    EXPECT_EQ(run(blocked), t8n::kErrorIo);
    const std::string errors = ::testing::internal::GetCapturedStderr();
    // Every failure says what it was, as geth prints it.
    EXPECT_NE(errors.find("ERROR(11): failed reading alloc file"), std::string::npos) << errors;
    EXPECT_NE(errors.find("ERROR(10):"), std::string::npos) << errors;
    EXPECT_NE(errors.find("ERROR(12):"), std::string::npos) << errors;
    EXPECT_NE(errors.find("ERROR(3): unknown fork \"Prag\""), std::string::npos) << errors;
}

// The driver with a fake case runner: ordering, known failures, filters, exit codes, output format.
#include "tools/statetest_driver.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

using namespace polyvm;
using namespace polyvm::tools;
namespace fs = std::filesystem;

namespace {

constexpr const char* kHash = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

std::string post_entries(const char* fork, int n) {
    std::string s = std::string("\"") + fork + "\": [";
    for (int i = 0; i < n; ++i) {
        if (i) s += ",";
        s += R"({"hash": ")" + std::string(kHash) + R"(", "logs": ")" + kHash + R"(", "indexes": {"data": )" +
             std::to_string(i) + R"(, "gas": 0, "value": 0}})";
    }
    return s + "]";
}

/// A test with `n` data entries and cases d=0..n-1 for each fork in `forks`.
std::string test_json(const std::string& name, int n, const std::vector<const char*>& forks) {
    std::string data;
    for (int i = 0; i < n; ++i) data += std::string(i ? "," : "") + "\"0x0" + std::to_string(i % 10) + "\"";
    std::string post;
    for (size_t i = 0; i < forks.size(); ++i) post += (i ? "," : "") + post_entries(forks[i], n);
    return "\"" + name + R"(": {
      "env": {"currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", "currentDifficulty": "0x020000",
              "currentGasLimit": "0x05f5e100", "currentNumber": "0x01", "currentTimestamp": "0x03e8"},
      "pre": {},
      "transaction": {"data": [)" + data + R"(], "gasLimit": ["0x061a80"], "gasPrice": "0x0a", "nonce": "0x00",
          "sender": "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b", "to": "", "value": ["0x00"]},
      "post": {)" + post + "}}";
}

class DriverTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        root_ = fs::temp_directory_path() / ("polyvm_driver_test_" + std::to_string(rd()));
        fs::create_directories(root_ / "stB");
        fs::create_directories(root_ / "stA" / "sub");
        write("stB/b.json", "{" + test_json("bTest", 3, {"Cancun", "Shanghai"}) + "}");
        write("stA/a.json", "{" + test_json("aTest2", 2, {"Cancun"}) + "," + test_json("aTest1", 2, {"Cancun"}) + "}");
        write("stA/sub/c.json", "{" + test_json("cTest", 4, {"Cancun", "Prague"}) + "}");
        write("stA/readme.txt", "not a fixture");
    }
    void TearDown() override { fs::remove_all(root_); }

    void write(const std::string& rel, const std::string& text) {
        std::ofstream(root_ / rel) << text;
    }

    struct Run {
        int rc;
        std::string out, err;
        std::vector<std::string> lines() const {
            std::vector<std::string> v;
            std::istringstream in(out);
            for (std::string l; std::getline(in, l);) v.push_back(l);
            return v;
        }
    };
    Run run(StateTestOptions o, const CaseRunner& runner) {
        if (o.paths.empty()) o.paths = {root_};
        std::ostringstream out, err;
        const int rc = run_state_tests(o, runner, out, err);
        return {rc, out.str(), err.str()};
    }

    fs::path root_;
};

/// Fails every case with an odd data index; sleeps a little so threads interleave.
CaseVerdict odd_fails(const StateTest& t, const StateTestCase& c) {
    std::this_thread::sleep_for(std::chrono::microseconds(200 * ((c.indexes.data * 7 + t.name.size()) % 5)));
    if (c.indexes.data % 2) return {CaseResult::Fail, "state root mismatch: got X, expected Y"};
    return {CaseResult::Pass, {}};
}

}  // namespace

TEST_F(DriverTest, CollectsJsonFilesSortedAndRelative) {
    const auto files = collect_fixture_files({root_});
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].relative, "stA/a.json");
    EXPECT_EQ(files[1].relative, "stA/sub/c.json");
    EXPECT_EQ(files[2].relative, "stB/b.json");
    const auto single = collect_fixture_files({root_ / "stB" / "b.json"});
    ASSERT_EQ(single.size(), 1u);
    EXPECT_EQ(single[0].relative, "b.json");
    EXPECT_THROW(collect_fixture_files({root_ / "missing"}), FixtureError);
}

// Every fork of the table is implemented now (Prague, Osaka, BPO1, BPO2 included), so c.json's
// Prague cases run; the driver's "fork not implemented" skip applies again once a fork is added
// to the table with implemented = false.
TEST_F(DriverTest, ReportsFailuresInOrder) {
    const Run r = run({}, odd_fails);
    EXPECT_EQ(r.rc, kExitFailed);
    const auto lines = r.lines();
    ASSERT_GE(lines.size(), 2u);
    // Cases: a.json 4 (2 fail), c.json Cancun 4 (2 fail) + Prague 4 (2 fail), b.json 6 (2 fail).
    EXPECT_EQ(lines.back(), "10 passed, 8 failed, 0 skipped");
    EXPECT_EQ(lines[0], "FAIL stA/a.json aTest1 Cancun d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[1], "FAIL stA/a.json aTest2 Cancun d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[2], "FAIL stA/sub/c.json cTest Cancun d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[3], "FAIL stA/sub/c.json cTest Cancun d=3 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[4], "FAIL stA/sub/c.json cTest Prague d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[5], "FAIL stA/sub/c.json cTest Prague d=3 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[6], "FAIL stB/b.json bTest Cancun d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines[7], "FAIL stB/b.json bTest Shanghai d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(lines.size(), 9u);
}

TEST_F(DriverTest, OutputDoesNotDependOnJobs) {
    StateTestOptions one;
    one.jobs = 1;
    StateTestOptions many;
    many.jobs = 7;
    const Run a = run(one, odd_fails);
    for (int i = 0; i < 3; ++i) {
        const Run b = run(many, odd_fails);
        EXPECT_EQ(a.out, b.out);
        EXPECT_EQ(a.rc, b.rc);
    }
    StateTestOptions json = many;
    json.json = true;
    StateTestOptions json1 = one;
    json1.json = true;
    EXPECT_EQ(run(json, odd_fails).out, run(json1, odd_fails).out);
}

TEST_F(DriverTest, RunsCasesConcurrently) {
    std::atomic<int> active{0}, peak{0};
    auto runner = [&](const StateTest&, const StateTestCase&) {
        const int now = ++active;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --active;
        return CaseVerdict{CaseResult::Pass, {}};
    };
    StateTestOptions o;
    o.jobs = 4;
    const Run r = run(o, runner);
    EXPECT_EQ(r.rc, kExitOk);
    EXPECT_GT(peak.load(), 1);
}

TEST_F(DriverTest, JsonOutput) {
    StateTestOptions o;
    o.json = true;
    o.paths = {root_ / "stB"};
    const Run r = run(o, odd_fails);
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[0],
              R"({"file":"b.json","test":"bTest","fork":"Cancun","indexes":{"data":0,"gas":0,"value":0},"result":"pass","reason":""})");
    EXPECT_EQ(
        lines[1],
        R"({"file":"b.json","test":"bTest","fork":"Cancun","indexes":{"data":1,"gas":0,"value":0},"result":"fail","reason":"state root mismatch: got X, expected Y"})");
    EXPECT_EQ(lines.back(), "4 passed, 2 failed, 0 skipped");
}

TEST_F(DriverTest, KnownFailuresAndFixedCases) {
    write("known.txt",
          "# comment\n"
          "stA/a.json aTest1 Cancun d=1 g=0 v=0 # known bug\n"
          "stA/a.json aTest2 Cancun d=0 g=0 v=0 # passes now\n");
    StateTestOptions o;
    o.paths = {root_ / "stA"};
    o.known_failures = root_ / "known.txt";
    const Run r = run(o, odd_fails);
    const auto lines = r.lines();
    // Paths are relative to the PATH argument (here stA/): the list's "stA/a.json" does not match.
    EXPECT_EQ(lines.back(), "6 passed, 6 failed, 0 skipped");

    o.paths = {root_};
    const Run r2 = run(o, odd_fails);
    const auto l2 = r2.lines();
    EXPECT_EQ(r2.rc, kExitFailed);  // the FIXED entry counts as failed
    EXPECT_EQ(l2[0], "KNOWN stA/a.json aTest1 Cancun d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_EQ(l2[1], "FIXED stA/a.json aTest2 Cancun d=0 g=0 v=0: remove it from the list");
    EXPECT_EQ(l2[2], "FAIL stA/a.json aTest2 Cancun d=1 g=0 v=0: state root mismatch: got X, expected Y");
    EXPECT_NE(r2.out.find("1 known failures (listed in "), std::string::npos);
    EXPECT_EQ(l2.back(), "9 passed, 8 failed, 0 skipped");

    // With only the known failure listed, nothing counts as failed.
    write("known2.txt", "stA/a.json aTest1 Cancun d=1 g=0 v=0\n");
    o.known_failures = root_ / "known2.txt";
    o.filter = "^stA/a\\.json/aTest1$";
    const Run r3 = run(o, odd_fails);
    EXPECT_EQ(r3.rc, kExitOk) << r3.out;
    EXPECT_EQ(r3.lines().back(), "1 passed, 0 failed, 0 skipped");
}

TEST_F(DriverTest, FilterAndFork) {
    StateTestOptions o;
    o.filter = "sub/c\\.json/cTest";
    EXPECT_EQ(run(o, odd_fails).lines().back(), "4 passed, 4 failed, 0 skipped");
    o.fork = Revision::Cancun;
    EXPECT_EQ(run(o, odd_fails).lines().back(), "2 passed, 2 failed, 0 skipped");
    o.filter.clear();
    o.fork = Revision::Shanghai;
    EXPECT_EQ(run(o, odd_fails).lines().back(), "2 passed, 1 failed, 0 skipped");
    o.fork = Revision::Berlin;
    const Run none = run(o, odd_fails);
    EXPECT_EQ(none.rc, kExitOk);
    EXPECT_EQ(none.lines().back(), "0 passed, 0 failed, 0 skipped");
}

TEST_F(DriverTest, EmptyRunFailsOnlyWhenAskedTo) {
    StateTestOptions o;
    o.fork = Revision::Berlin;  // no case of the fixtures
    o.fail_when_empty = true;
    const Run none = run(o, odd_fails);
    EXPECT_EQ(none.rc, kExitFailed);
    EXPECT_EQ(none.lines().back(), "0 passed, 0 failed, 0 skipped");
    EXPECT_NE(none.err.find("error: no case selected (CI=true"), std::string::npos) << none.err;
    // An empty folder selects nothing either.
    fs::create_directories(root_ / "empty");
    o.fork.reset();
    o.paths = {root_ / "empty"};
    EXPECT_EQ(run(o, odd_fails).rc, kExitFailed);
    // Cases that were selected but skipped are not an empty selection.
    o.paths = {root_ / "stB"};
    const Run skipped = run(o, [](const StateTest&, const StateTestCase&) {
        return CaseVerdict{CaseResult::Skip, "calls unimplemented precompile"};
    });
    EXPECT_EQ(skipped.rc, kExitOk) << skipped.err;
    EXPECT_TRUE(skipped.err.empty()) << skipped.err;
}

TEST_F(DriverTest, MinimumCaseCount) {
    auto pass = [](const StateTest&, const StateTestCase&) { return CaseVerdict{CaseResult::Pass, {}}; };
    StateTestOptions o;
    o.min_cases = 18;  // exactly the 18 cases of the fixtures
    Run r = run(o, pass);
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    o.min_cases = 19;
    r = run(o, pass);
    EXPECT_EQ(r.rc, kExitFailed);
    EXPECT_EQ(r.lines().back(), "18 passed, 0 failed, 0 skipped");
    EXPECT_NE(r.err.find("error: 18 cases ran, fewer than --min-cases 19"), std::string::npos) << r.err;
    // Failed and known-failing cases ran; skipped ones did not.
    o.min_cases = 18;
    EXPECT_EQ(run(o, odd_fails).err.find("--min-cases"), std::string::npos);
    write("known.txt", "stA/a.json aTest1 Cancun d=1 g=0 v=0\n");
    o.known_failures = root_ / "known.txt";
    EXPECT_EQ(run(o, odd_fails).err.find("--min-cases"), std::string::npos);
    o.known_failures.reset();
    const Run skips = run(o, [](const StateTest&, const StateTestCase& c) {
        return c.indexes.data == 0 ? CaseVerdict{CaseResult::Skip, "calls unimplemented precompile"}
                                   : CaseVerdict{CaseResult::Pass, {}};
    });
    EXPECT_EQ(skips.rc, kExitFailed);
    EXPECT_NE(skips.err.find("error: 12 cases ran, fewer than --min-cases 18"), std::string::npos) << skips.err;
}

TEST_F(DriverTest, SkipsAndExceptionsFromTheRunner) {
    auto runner = [](const StateTest&, const StateTestCase& c) -> CaseVerdict {
        if (c.indexes.data == 0) return {CaseResult::Skip, "calls unimplemented precompile"};
        if (c.indexes.data == 1) throw std::runtime_error("boom");
        return {CaseResult::Pass, {}};
    };
    StateTestOptions o;
    o.paths = {root_ / "stB"};
    const Run r = run(o, runner);
    EXPECT_EQ(r.rc, kExitFailed);
    const auto lines = r.lines();
    EXPECT_EQ(lines[0], "FAIL b.json bTest Cancun d=1 g=0 v=0: exception: boom");
    EXPECT_NE(r.out.find("2 skipped: calls unimplemented precompile (2)"), std::string::npos);
    EXPECT_EQ(lines.back(), "2 passed, 2 failed, 2 skipped");
}

TEST_F(DriverTest, MalformedFileIsExit2AndNamed) {
    write("stB/bad.json", R"({"t": {"env": {)");
    const Run r = run({}, odd_fails);
    EXPECT_EQ(r.rc, kExitUsage);
    EXPECT_NE(r.err.find("error: " + (root_ / "stB" / "bad.json").string() + ": malformed JSON"), std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("1 file(s) could not be loaded"), std::string::npos);
    // The other files still ran.
    EXPECT_EQ(r.lines().back(), "10 passed, 8 failed, 0 skipped");
}

TEST_F(DriverTest, UsageErrors) {
    StateTestOptions o;
    o.paths = {root_ / "nope"};
    Run r = run(o, odd_fails);
    EXPECT_EQ(r.rc, kExitUsage);
    EXPECT_NE(r.err.find("no such file or folder"), std::string::npos);

    o.paths = {root_};
    o.filter = "([";
    r = run(o, odd_fails);
    EXPECT_EQ(r.rc, kExitUsage);
    EXPECT_NE(r.err.find("--filter"), std::string::npos);

    o.filter.clear();
    o.known_failures = root_ / "missing.txt";
    r = run(o, odd_fails);
    EXPECT_EQ(r.rc, kExitUsage);
    EXPECT_NE(r.err.find("missing.txt"), std::string::npos);

    write("bad_list.txt", "stA/a.json aTest1 Cancun d=1\n");
    o.known_failures = root_ / "bad_list.txt";
    r = run(o, odd_fails);
    EXPECT_EQ(r.rc, kExitUsage);
    EXPECT_NE(r.err.find("bad_list.txt:1:"), std::string::npos);
}

// The case runner against the real execution layer, on a small shared fixture, and on deliberately
// wrong expectations to show each failure reason is detected.
#include "common/hex.hpp"
#include "fixtures_path.hpp"
#include "tools/state_runner.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::tools;

namespace {
std::vector<StateTest> load_add11(const std::filesystem::path& dir) {
    return load_state_test_file(dir / "add11.json", "add11.json");
}
}  // namespace

TEST(StateRunner, EmptyPreStateHasTheEmptyRoot) {
    // keccak256(rlp("")): the root of the empty trie.
    EXPECT_EQ(build_pre_state({}).root(),
              *hash_from_hex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"));
}

TEST(StateRunner, Add11PassesAndWrongExpectationsFail) {
    POLYVM_REQUIRE_FIXTURES(dir, "state/cancun/stExample");
    auto tests = load_add11(dir);
    ASSERT_FALSE(tests.empty());
    StateTest& t = tests[0];
    ASSERT_FALSE(t.cases.empty());
    for (const auto& c : t.cases) {
        if (!revision_implemented(c.revision)) continue;
        const CaseVerdict v = run_state_test_case(t, c);
        EXPECT_EQ(v.result, CaseResult::Pass) << c.fork << ": " << v.reason;
    }

    StateTestCase c = t.cases[0];
    ASSERT_TRUE(revision_implemented(c.revision));

    StateTestCase wrong_root = c;
    wrong_root.expected_state_root = Hash32{};
    CaseVerdict v = run_state_test_case(t, wrong_root);
    EXPECT_EQ(v.result, CaseResult::Fail);
    EXPECT_EQ(v.reason.rfind("state root mismatch: got 0x", 0), 0u) << v.reason;
    EXPECT_NE(v.reason.find("expected 0x0000"), std::string::npos);

    StateTestCase wrong_logs = c;
    wrong_logs.expected_logs_hash = Hash32{};
    v = run_state_test_case(t, wrong_logs);
    EXPECT_EQ(v.reason.rfind("logs mismatch", 0), 0u) << v.reason;

    StateTestCase expects_rejection = c;
    expects_rejection.expect_exception = "TransactionException.INTRINSIC_GAS_TOO_LOW";
    v = run_state_test_case(t, expects_rejection);
    EXPECT_EQ(v.reason.rfind("missing rejection (expected TransactionException.INTRINSIC_GAS_TOO_LOW)", 0), 0u)
        << v.reason;

    // A transaction whose gas limit cannot cover the intrinsic cost is rejected and changes nothing.
    StateTestCase rejected = c;
    rejected.tx->gas_limit = 20000;
    rejected.txbytes.reset();
    v = run_state_test_case(t, rejected);
    EXPECT_EQ(v.result, CaseResult::Fail);
    EXPECT_EQ(v.reason.rfind("unexpected rejection: ", 0), 0u) << v.reason;
    rejected.expect_exception = "TransactionException.INTRINSIC_GAS_TOO_LOW";
    rejected.expected_state_root = build_pre_state(t.pre).root();
    rejected.expected_logs_hash = logs_hash({});
    v = run_state_test_case(t, rejected);
    EXPECT_EQ(v.result, CaseResult::Pass) << v.reason;

    // A value that did not fit its type is a rejection too.
    StateTestCase overflow = rejected;
    overflow.tx.reset();
    overflow.tx_invalid_reason = "t.transaction.value[0] does not fit 256 bits";
    EXPECT_EQ(run_state_test_case(t, overflow).result, CaseResult::Pass);
    overflow.expect_exception.reset();
    v = run_state_test_case(t, overflow);
    EXPECT_EQ(v.reason.rfind("unexpected rejection: VALUE_OVERFLOW (t.transaction.value[0]", 0), 0u) << v.reason;

    // txbytes that encode another transaction than the fields describe.
    ASSERT_TRUE(c.txbytes.has_value());
    StateTestCase mismatch = c;
    mismatch.tx->data.push_back(0x01);
    v = run_state_test_case(t, mismatch);
    EXPECT_NE(v.reason.find("txbytes differ from the transaction fields: data"), std::string::npos) << v.reason;
}

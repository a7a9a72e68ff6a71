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

    // The rule decides too: a rejection for another rule than the expected one fails the case.
    StateTestCase wrong_rule = rejected;
    wrong_rule.expect_exception = "TransactionException.NONCE_MISMATCH_TOO_LOW";
    v = run_state_test_case(t, wrong_rule);
    EXPECT_EQ(v.result, CaseResult::Fail);
    EXPECT_EQ(v.reason.rfind("wrong rejection: got INTRINSIC_GAS_TOO_LOW (intrinsic gas 21000 > gas limit 20000), "
                             "expected TransactionException.NONCE_MISMATCH_TOO_LOW",
                             0),
              0u)
        << v.reason;
    // ... and any of "A|B" will do.
    wrong_rule.expect_exception =
        "TransactionException.NONCE_MISMATCH_TOO_LOW|TransactionException.INTRINSIC_GAS_TOO_LOW";
    v = run_state_test_case(t, wrong_rule);
    EXPECT_EQ(v.result, CaseResult::Pass) << v.reason;

    // A value that did not fit its type is a rejection too, under the rule the loader gave it.
    StateTestCase overflow = rejected;
    overflow.tx.reset();
    overflow.tx_invalid_rule = "RLP_INVALID_VALUE";
    overflow.tx_invalid_reason = "t.transaction.value[0] does not fit 256 bits";
    v = run_state_test_case(t, overflow);
    EXPECT_EQ(v.reason.rfind("wrong rejection: got RLP_INVALID_VALUE (t.transaction.value[0]", 0), 0u) << v.reason;
    overflow.expect_exception = "TransactionException.RLP_INVALID_VALUE";
    EXPECT_EQ(run_state_test_case(t, overflow).result, CaseResult::Pass);
    overflow.expect_exception.reset();
    v = run_state_test_case(t, overflow);
    EXPECT_EQ(v.reason.rfind("unexpected rejection: RLP_INVALID_VALUE (t.transaction.value[0]", 0), 0u) << v.reason;
    // txbytes that decode cannot stand for fields that do not fit.
    overflow.expect_exception = "TransactionException.RLP_INVALID_VALUE";
    overflow.txbytes = c.txbytes;
    v = run_state_test_case(t, overflow);
    EXPECT_NE(v.reason.find("txbytes decode, but the transaction fields do not fit their types"), std::string::npos)
        << v.reason;

    // txbytes that do not decode must be rejected for the expected rule as well: type 5 is no
    // transaction type at all.
    StateTestCase bad_bytes = rejected;
    bad_bytes.txbytes = bytes{0x05, 0xc0};
    v = run_state_test_case(t, bad_bytes);
    EXPECT_EQ(v.result, CaseResult::Fail);
    EXPECT_NE(v.reason.find("txbytes rejected for another rule: got TYPE_NOT_SUPPORTED"), std::string::npos)
        << v.reason;
    bad_bytes.expect_exception = "TransactionException.INTRINSIC_GAS_TOO_LOW|TransactionException.TYPE_NOT_SUPPORTED";
    v = run_state_test_case(t, bad_bytes);
    EXPECT_EQ(v.result, CaseResult::Pass) << v.reason;

    // txbytes that encode another transaction than the fields describe.
    ASSERT_TRUE(c.txbytes.has_value());
    StateTestCase mismatch = c;
    mismatch.tx->data.push_back(0x01);
    v = run_state_test_case(t, mismatch);
    EXPECT_NE(v.reason.find("txbytes differ from the transaction fields: data"), std::string::npos) << v.reason;
}

TEST(StateRunner, ValueOverflowIsRejectedUnderTheFixturesName) {
    // The value is wider than 256 bits both in the fields and in txbytes; the fixture expects
    // RLP_INVALID_VALUE, which the loader and the decoder must both report.
    POLYVM_REQUIRE_FIXTURES(dir, "state/cancun/stTransactionTest");
    const auto tests = load_state_test_file(dir / "ValueOverflowParis.json", "ValueOverflowParis.json");
    ASSERT_EQ(tests.size(), 1u);
    ASSERT_FALSE(tests[0].cases.empty());
    for (const StateTestCase& c : tests[0].cases) {
        ASSERT_FALSE(c.tx.has_value());
        EXPECT_EQ(c.tx_invalid_rule, "RLP_INVALID_VALUE");
        ASSERT_TRUE(c.txbytes.has_value());
        const auto decoded = decode_transaction(*c.txbytes);
        ASSERT_TRUE(std::holds_alternative<TransactionError>(decoded));
        EXPECT_EQ(std::get<TransactionError>(decoded).rule, "RLP_INVALID_VALUE");
        const CaseVerdict v = run_state_test_case(tests[0], c);
        EXPECT_EQ(v.result, CaseResult::Pass) << v.reason;
    }
}

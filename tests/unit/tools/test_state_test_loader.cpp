#include "common/hex.hpp"
#include "tools/state_test.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::tools;

namespace {

constexpr const char* kSender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
constexpr const char* kSecret = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
constexpr const char* kHash = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

/// A minimal one-test fixture; `tx_extra` adds/overrides transaction fields, `post` replaces the
/// post section, `top_extra` adds test-level sections (config).
std::string fixture(const std::string& tx_fields, const std::string& post = "", const std::string& top_extra = "") {
    const std::string default_post = R"("Cancun": [{"hash": ")" + std::string(kHash) + R"(", "logs": ")" + kHash +
                                     R"(", "indexes": {"data": 0, "gas": 0, "value": 0}}])";
    return R"({"t": {
      "env": {"currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", "currentDifficulty": "0x020000",
              "currentGasLimit": "0xff112233445566", "currentNumber": "0x01", "currentTimestamp": "0x03e8",
              "currentBaseFee": "0x0a", "currentExcessBlobGas": "0x00",
              "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000"},
      "pre": {"0x095e7baea6a6c7c4c2dfeb977efac326af552d87": {"balance": "0x0de0b6b3a7640000", "code": "0x600160010160005500",
                  "nonce": "0x01", "storage": {"0x00": "0x01", "0x01": "0x00", "0x02": "0x:bigint 0x05"}}},
      "transaction": {)" +
           tx_fields + R"(},
      "post": {)" +
           (post.empty() ? default_post : post) + "}" + top_extra + "}}";
}

std::string legacy_fields(const std::string& extra = "") {
    return std::string(R"("data": ["0x", "0x01"], "gasLimit": ["0x061a80", "0x:bigint 0x010000000000000000"],
        "gasPrice": "0x0a", "nonce": "0x00", "secretKey": ")") +
           kSecret + R"(", "sender": ")" + kSender + R"(", "to": "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
        "value": ["0x0186a0", "0x:bigint 0x1)" +
           std::string(64, '0') + R"("])" + extra;
}

std::string post_case(const char* fork, int d, int g, int v, const std::string& extra = "") {
    return std::string("\"") + fork + R"(": [{"hash": ")" + kHash + R"(", "logs": ")" + kHash +
           R"(", "indexes": {"data": )" + std::to_string(d) + R"(, "gas": )" + std::to_string(g) +
           R"(, "value": )" + std::to_string(v) + "}" + extra + "}]";
}

std::string load_error(const std::string& json) {
    try {
        parse_state_tests(json, "file.json");
    } catch (const FixtureError& e) {
        return e.what();
    }
    return "(no error)";
}

// By value: callers pass temporaries.
StateTestCase only_case(const std::vector<StateTest>& tests) {
    EXPECT_EQ(tests.size(), 1u);
    EXPECT_EQ(tests.at(0).cases.size(), 1u);
    return tests.at(0).cases.at(0);
}

}  // namespace

TEST(StateTestLoader, EnvPreAndLegacyTransaction) {
    const auto tests = parse_state_tests(fixture(legacy_fields()), "f.json");
    ASSERT_EQ(tests.size(), 1u);
    const StateTest& t = tests[0];
    EXPECT_EQ(t.name, "t");
    EXPECT_EQ(t.block.number, 1);
    EXPECT_EQ(t.block.timestamp, 1000);
    EXPECT_EQ(t.block.gas_limit, 0xff112233445566);
    EXPECT_EQ(t.block.base_fee, uint256{10});
    EXPECT_EQ(t.block.difficulty, uint256{0x20000});
    EXPECT_EQ(t.chain_id, uint256{1});
    ASSERT_EQ(t.pre.size(), 1u);
    EXPECT_EQ(t.pre[0].nonce, 1u);
    EXPECT_EQ(to_hex(t.pre[0].code), "600160010160005500");
    // The zero slot is dropped: a zero slot is no slot.
    ASSERT_EQ(t.pre[0].storage.size(), 2u);

    const StateTestCase c = only_case(tests);
    EXPECT_EQ(c.fork, "Cancun");
    EXPECT_EQ(c.revision, Revision::Cancun);
    ASSERT_TRUE(c.tx.has_value()) << c.tx_invalid_reason;
    EXPECT_EQ(c.tx->type, TransactionType::Legacy);
    EXPECT_FALSE(c.tx->chain_id.has_value());
    EXPECT_EQ(c.tx->gas_price, uint256{10});
    EXPECT_EQ(c.tx->max_fee_per_gas, uint256{10});
    EXPECT_EQ(c.tx->max_priority_fee_per_gas, uint256{10});
    EXPECT_EQ(c.tx->gas_limit, 400000u);
    EXPECT_EQ(c.tx->value, uint256{100000});
    EXPECT_EQ(to_hex_prefixed(c.tx->sender), kSender);
    ASSERT_TRUE(c.tx->to.has_value());
    EXPECT_FALSE(c.expect_exception.has_value());
}

TEST(StateTestLoader, SenderFromSecretKey) {
    std::string fields = legacy_fields();
    fields.replace(fields.find(R"("sender")"), std::string(R"("sender": ")").size() + 42 + 3, "");
    ASSERT_EQ(fields.find("sender"), std::string::npos) << fields;
    const StateTestCase c = only_case(parse_state_tests(fixture(fields), "f.json"));
    ASSERT_TRUE(c.tx);
    EXPECT_EQ(to_hex_prefixed(c.tx->sender), kSender);
}

TEST(StateTestLoader, CreationWithEmptyTo) {
    std::string fields = legacy_fields();
    fields.replace(fields.find("\"0x095e7baea6a6c7c4c2dfeb977efac326af552d87\""), 44, "\"\"");
    const StateTestCase c = only_case(parse_state_tests(fixture(fields), "f.json"));
    ASSERT_TRUE(c.tx);
    EXPECT_FALSE(c.tx->to.has_value());
}

TEST(StateTestLoader, OverflowMakesOnlyThatCaseInvalid) {
    const std::string post = R"("Cancun": [)"
                             R"({"hash": ")" + std::string(kHash) + R"(", "logs": ")" + kHash +
                             R"(", "indexes": {"data": 0, "gas": 0, "value": 0}},)"
                             R"({"hash": ")" + kHash + R"(", "logs": ")" + kHash +
                             R"(", "indexes": {"data": 0, "gas": 0, "value": 1}, "expectException": "TransactionException.X"},)"
                             R"({"hash": ")" + kHash + R"(", "logs": ")" + kHash +
                             R"(", "indexes": {"data": 1, "gas": 1, "value": 0}}])";
    const auto tests = parse_state_tests(fixture(legacy_fields(), post), "f.json");
    ASSERT_EQ(tests[0].cases.size(), 3u);
    EXPECT_TRUE(tests[0].cases[0].tx.has_value());
    EXPECT_FALSE(tests[0].cases[1].tx.has_value());  // value > 2^256
    EXPECT_NE(tests[0].cases[1].tx_invalid_reason.find("transaction.value[1]"), std::string::npos)
        << tests[0].cases[1].tx_invalid_reason;
    // The rule names the field, as the decoder names the same field of txbytes.
    EXPECT_EQ(tests[0].cases[1].tx_invalid_rule, "RLP_INVALID_VALUE");
    EXPECT_EQ(tests[0].cases[1].expect_exception, "TransactionException.X");
    EXPECT_FALSE(tests[0].cases[2].tx.has_value());  // gas limit >= 2^64
    EXPECT_NE(tests[0].cases[2].tx_invalid_reason.find("transaction.gasLimit[1]"), std::string::npos);
    EXPECT_NE(tests[0].cases[2].tx_invalid_reason.find("64 bits"), std::string::npos);
    EXPECT_EQ(tests[0].cases[2].tx_invalid_rule, "GASLIMIT_OVERFLOW");
    EXPECT_TRUE(tests[0].cases[0].tx_invalid_rule.empty());
}

TEST(StateTestLoader, NonceOverflowIsInvalidTransaction) {
    std::string fields = legacy_fields();
    fields.replace(fields.find(R"("nonce": "0x00")"), 15, R"("nonce": "0x010000000000000000")");
    const StateTestCase c = only_case(parse_state_tests(fixture(fields), "f.json"));
    EXPECT_FALSE(c.tx.has_value());
    EXPECT_NE(c.tx_invalid_reason.find("transaction.nonce"), std::string::npos);
    EXPECT_EQ(c.tx_invalid_rule, "NONCE_OVERFLOW");
}

TEST(StateTestLoader, TypeDetection) {
    const std::string al = R"(, "accessLists": [[{"address": "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
        "storageKeys": ["0x00", "0x0000000000000000000000000000000000000000000000000000000000000001"]}], null])";
    // accessLists -> type 1 (with chain id), a null entry -> legacy for that data index.
    {
        const auto t1 = parse_state_tests(fixture(legacy_fields(al)), "f.json");
        const StateTestCase c = only_case(t1);
        ASSERT_TRUE(c.tx);
        EXPECT_EQ(c.tx->type, TransactionType::AccessList);
        EXPECT_EQ(c.tx->chain_id, uint256{1});
        ASSERT_EQ(c.tx->access_list.size(), 1u);
        ASSERT_EQ(c.tx->access_list[0].storage_keys.size(), 2u);
        EXPECT_EQ(c.tx->access_list[0].storage_keys[1], uint256{1}.to_hash());

        const StateTestCase c2 = only_case(parse_state_tests(fixture(legacy_fields(al), post_case("Cancun", 1, 0, 0)), "f.json"));
        ASSERT_TRUE(c2.tx);
        EXPECT_EQ(c2.tx->type, TransactionType::Legacy);
        EXPECT_TRUE(c2.tx->access_list.empty());
    }
    // maxFeePerGas -> type 2; gas_price mirrors the fee cap; config.chainid applies.
    std::string fee = legacy_fields(al + R"(, "maxFeePerGas": "0x64", "maxPriorityFeePerGas": "0x02")");
    fee.replace(fee.find(R"("gasPrice": "0x0a",)"), 19, "");
    {
        const auto t = parse_state_tests(fixture(fee, "", R"(, "config": {"chainid": "0x05"})"), "f.json");
        const StateTestCase c = only_case(t);
        ASSERT_TRUE(c.tx);
        EXPECT_EQ(c.tx->type, TransactionType::DynamicFee);
        EXPECT_EQ(c.tx->max_fee_per_gas, uint256{100});
        EXPECT_EQ(c.tx->gas_price, uint256{100});
        EXPECT_EQ(c.tx->max_priority_fee_per_gas, uint256{2});
        EXPECT_EQ(c.tx->chain_id, uint256{5});
        EXPECT_EQ(t[0].chain_id, uint256{5});
        EXPECT_EQ(c.tx->access_list.size(), 1u);
    }
    // blobVersionedHashes -> type 3.
    {
        const std::string blob = fee + R"(, "maxFeePerBlobGas": "0x0a", "blobVersionedHashes":
            ["0x0100000000000000000000000000000000000000000000000000000000000000"])";
        const StateTestCase c = only_case(parse_state_tests(fixture(blob), "f.json"));
        ASSERT_TRUE(c.tx);
        EXPECT_EQ(c.tx->type, TransactionType::Blob);
        EXPECT_EQ(c.tx->max_fee_per_blob_gas, uint256{10});
        ASSERT_EQ(c.tx->blob_versioned_hashes.size(), 1u);
        EXPECT_EQ(c.tx->blob_versioned_hashes[0][0], 0x01);
    }
    // authorizationList -> type 4; yParity preferred over v.
    {
        const std::string auth = fee + R"(, "authorizationList": [{"chainId": "0x00", "address":
            "0x0000000000000000000000000000000000000001", "nonce": "0xffffffffffffffff", "v": "0x01", "yParity": "0x01",
            "r": "0x33", "s": "0x16", "signer": "0x8a0a19589531694250d570040a0c4b74576919b8"}])";
        const StateTestCase c = only_case(parse_state_tests(fixture(auth, post_case("Prague", 0, 0, 0)), "f.json"));
        ASSERT_TRUE(c.tx);
        EXPECT_EQ(c.tx->type, TransactionType::SetCode);
        ASSERT_EQ(c.tx->authorization_list.size(), 1u);
        EXPECT_EQ(c.tx->authorization_list[0].nonce, UINT64_MAX);
        EXPECT_EQ(c.tx->authorization_list[0].y_parity, 1);
        EXPECT_EQ(c.tx->authorization_list[0].r, uint256{0x33});
        EXPECT_EQ(c.revision, Revision::Prague);
    }
    // An authorization nonce >= 2^64 or a parity > 255 makes the transaction invalid.
    {
        const std::string auth = fee + R"(, "authorizationList": [{"chainId": "0x00", "address":
            "0x0000000000000000000000000000000000000001", "nonce": "0x010000000000000000", "v": "0x100",
            "r": "0x33", "s": "0x16"}])";
        const StateTestCase c = only_case(parse_state_tests(fixture(auth, post_case("Prague", 0, 0, 0)), "f.json"));
        EXPECT_FALSE(c.tx.has_value());
        EXPECT_NE(c.tx_invalid_reason.find("authorizationList[0].nonce"), std::string::npos) << c.tx_invalid_reason;
        EXPECT_EQ(c.tx_invalid_rule, "TYPE_4_INVALID_AUTHORIZATION_FORMAT");
    }
}

TEST(StateTestLoader, BlockForFork) {
    const auto tests = parse_state_tests(
        fixture(legacy_fields(), "",
                R"(, "config": {"blobSchedule": {"Cancun": {"target": "0x03", "max": "0x06", "baseFeeUpdateFraction": "0x32f0ed"},
                   "Prague": {"target": "0x06", "max": "0x09", "baseFeeUpdateFraction": "0x4c6964"},
                   "SomeFutureFork": {"target": "0x01", "max": "0x01", "baseFeeUpdateFraction": "0x01"}}})"),
        "f.json");
    const StateTest& t = tests[0];
    const BlockInfo london = block_for(t, Revision::London);
    EXPECT_FALSE(london.prev_randao.has_value());
    EXPECT_FALSE(london.blob_schedule.has_value());
    const BlockInfo paris = block_for(t, Revision::Paris);
    ASSERT_TRUE(paris.prev_randao.has_value());
    EXPECT_EQ(*paris.prev_randao, uint256{0x20000}.to_hash());
    const BlockInfo prague = block_for(t, Revision::Prague);
    ASSERT_TRUE(prague.blob_schedule.has_value());
    EXPECT_EQ(prague.blob_schedule->max, 9u);
    EXPECT_EQ(prague.blob_schedule->base_fee_update_fraction, 0x4c6964u);
    EXPECT_EQ(block_for(t, Revision::Cancun).blob_schedule->target, 3u);
}

TEST(StateTestLoader, ErrorsNameFileAndField) {
    std::string odd = legacy_fields();
    odd.replace(odd.find(R"(["0x", "0x01"])"), 14, R"(["0x", "0x012"])");
    EXPECT_EQ(load_error(fixture(odd)).rfind("file.json: t.transaction.data[1]: odd-length hex", 0), 0u)
        << load_error(fixture(odd));

    EXPECT_NE(load_error("{\"t\": ").find("file.json: malformed JSON"), std::string::npos);
    EXPECT_NE(load_error("[1, 2]").find("file.json: expected a JSON object"), std::string::npos);

    const std::string unknown_fork = load_error(fixture(legacy_fields(), post_case("Cancn", 0, 0, 0)));
    EXPECT_NE(unknown_fork.find("file.json: t.post.Cancn: unknown fork"), std::string::npos) << unknown_fork;
    EXPECT_NE(unknown_fork.find("Frontier"), std::string::npos);

    const std::string out_of_range = load_error(fixture(legacy_fields(), post_case("Cancun", 2, 0, 0)));
    EXPECT_NE(out_of_range.find("t.post.Cancun[0].indexes.data: index 2 is out of range"), std::string::npos)
        << out_of_range;

    std::string no_nonce = legacy_fields();
    no_nonce.replace(no_nonce.find(R"("nonce": "0x00",)"), 16, "");
    EXPECT_NE(load_error(fixture(no_nonce)).find("t.transaction.nonce: missing"), std::string::npos);

    std::string bad_to = legacy_fields();
    bad_to.replace(bad_to.find("0x095e7baea6a6c7c4c2dfeb977efac326af552d87"), 42, "0x1234");
    EXPECT_NE(load_error(fixture(bad_to)).find("t.transaction.to: an address must have 20 bytes"), std::string::npos);

    const std::string bad_hash = load_error(fixture(legacy_fields(), R"("Cancun": [{"hash": "0x12", "logs": ")" +
                                                                          std::string(kHash) +
                                                                          R"(", "indexes": {"data": 0, "gas": 0, "value": 0}}])"));
    EXPECT_NE(bad_hash.find("t.post.Cancun[0].hash: a hash must have 32 bytes"), std::string::npos) << bad_hash;

    // Overflow in the pre-state cannot be represented at all: that is the file's error.
    std::string text = fixture(legacy_fields());
    text.replace(text.find(R"("nonce": "0x01")"), 15, R"("nonce": "0x010000000000000000")");
    EXPECT_NE(load_error(text).find("t.pre.0x095e7baea6a6c7c4c2dfeb977efac326af552d87.nonce: value"), std::string::npos)
        << load_error(text);
}

TEST(StateTestLoader, TxbytesAndExpectException) {
    const auto tests = parse_state_tests(
        fixture(legacy_fields(), post_case("Cancun", 0, 0, 0,
                                           R"(, "txbytes": "0xf86380", "expectException": "TransactionException.A|TransactionException.B")")),
        "f.json");
    const StateTestCase c = only_case(tests);
    ASSERT_TRUE(c.txbytes.has_value());
    EXPECT_EQ(to_hex(*c.txbytes), "f86380");
    EXPECT_EQ(c.expect_exception, "TransactionException.A|TransactionException.B");
}

TEST(StateTestLoader, CompareTransactions) {
    const StateTestCase c = only_case(parse_state_tests(fixture(legacy_fields()), "f.json"));
    ASSERT_TRUE(c.tx);
    Transaction decoded = *c.tx;
    decoded.chain_id = 1;  // EIP-155 legacy: not comparable with the fields
    decoded.v = 37;
    EXPECT_FALSE(compare_transactions(*c.tx, decoded).has_value());
    decoded.nonce = 7;
    const auto diff = compare_transactions(*c.tx, decoded);
    ASSERT_TRUE(diff.has_value());
    EXPECT_NE(diff->find("nonce"), std::string::npos);
    decoded = *c.tx;
    decoded.data = {1, 2, 3};
    EXPECT_NE(compare_transactions(*c.tx, decoded).value_or("").find("data"), std::string::npos);
    decoded = *c.tx;
    decoded.to.reset();
    EXPECT_NE(compare_transactions(*c.tx, decoded).value_or("").find("to"), std::string::npos);
}

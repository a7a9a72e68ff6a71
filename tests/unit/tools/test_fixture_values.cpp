#include "tools/fixture_values.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::tools;

TEST(FixtureValues, HexNumbers) {
    uint256 v;
    EXPECT_EQ(parse_number("0x0a", v), NumberStatus::Ok);
    EXPECT_EQ(v, uint256{10});
    EXPECT_EQ(parse_number("0x", v), NumberStatus::Ok);  // bare prefix is zero
    EXPECT_EQ(v, uint256{0});
    EXPECT_EQ(parse_number("0xABCdef", v), NumberStatus::Ok);
    EXPECT_EQ(v, uint256{0xabcdef});
    // 64 leading zeros followed by a small value: the width that counts is the value's.
    EXPECT_EQ(parse_number("0x" + std::string(64, '0') + "20000", v), NumberStatus::Ok);
    EXPECT_EQ(v, uint256{0x20000});
}

TEST(FixtureValues, Uint256Limits) {
    uint256 v;
    EXPECT_EQ(parse_number("0x" + std::string(64, 'f'), v), NumberStatus::Ok);
    EXPECT_EQ(v, uint256::max());
    EXPECT_EQ(parse_number("0x1" + std::string(64, '0'), v), NumberStatus::Overflow);
    EXPECT_EQ(parse_number("0x:bigint 0x1" + std::string(64, '0'), v), NumberStatus::Overflow);
    EXPECT_EQ(parse_number("0x:bigint 0x10", v), NumberStatus::Ok);
    EXPECT_EQ(v, uint256{16});
    // 2^256 - 1 in decimal fits, 2^256 does not.
    EXPECT_EQ(parse_number("115792089237316195423570985008687907853269984665640564039457584007913129639935", v),
              NumberStatus::Ok);
    EXPECT_EQ(v, uint256::max());
    EXPECT_EQ(parse_number("115792089237316195423570985008687907853269984665640564039457584007913129639936", v),
              NumberStatus::Overflow);
}

TEST(FixtureValues, U64Limits) {
    uint64_t v = 0;
    EXPECT_EQ(parse_number("0xffffffffffffffff", v), NumberStatus::Ok);
    EXPECT_EQ(v, UINT64_MAX);
    EXPECT_EQ(parse_number("0x010000000000000000", v), NumberStatus::Overflow);
    EXPECT_EQ(parse_number("0x00000000000000000001", v), NumberStatus::Ok);  // long but small
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(parse_number("18446744073709551615", v), NumberStatus::Ok);
    EXPECT_EQ(parse_number("18446744073709551616", v), NumberStatus::Overflow);
}

TEST(FixtureValues, Malformed) {
    uint256 v;
    EXPECT_EQ(parse_number("", v), NumberStatus::Malformed);
    EXPECT_EQ(parse_number("0xg1", v), NumberStatus::Malformed);
    EXPECT_EQ(parse_number("12a", v), NumberStatus::Malformed);
    EXPECT_EQ(parse_number("-1", v), NumberStatus::Malformed);
    EXPECT_EQ(parse_number("0x:bigint 12", v), NumberStatus::Malformed);
}

TEST(FixtureValues, HexProblems) {
    EXPECT_EQ(hex_problem("0x00ff"), "");
    EXPECT_EQ(hex_problem("0x"), "");
    EXPECT_NE(hex_problem("0x0").find("odd-length"), std::string::npos);
    EXPECT_NE(hex_problem("0xzz").find("non-hex digit 'z'"), std::string::npos);
}

TEST(FixtureValues, RequireNamesTheField) {
    try {
        require_bytes("0x123", "t.transaction.data[0]");
        FAIL() << "odd-length hex accepted";
    } catch (const FixtureError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("t.transaction.data[0]: odd-length hex", 0), 0u) << e.what();
    }
    EXPECT_THROW(require_address("0x1234", "pre.x"), FixtureError);
    EXPECT_THROW(require_u64("0x10000000000000000", "nonce"), FixtureError);
    EXPECT_THROW(require_i64("0x8000000000000000", "currentGasLimit"), FixtureError);
    EXPECT_EQ(require_i64("0x7fffffffffffffff", "currentGasLimit"), INT64_MAX);
    EXPECT_EQ(require_word("0x01", "k"), uint256{1}.to_hash());
    EXPECT_THROW(require_hash("0x01", "hash"), FixtureError);
}

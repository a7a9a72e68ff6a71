// The expectException matcher shared by the state-test and blockchain-test runners.
#include "tools/exception_match.hpp"

#include <gtest/gtest.h>

using namespace polyvm::tools;

TEST(ExceptionMatch, OneNameWithOrWithoutItsClass) {
    EXPECT_TRUE(exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", "INTRINSIC_GAS_TOO_LOW"));
    EXPECT_TRUE(exception_matches("INTRINSIC_GAS_TOO_LOW", "INTRINSIC_GAS_TOO_LOW"));
    EXPECT_TRUE(exception_matches("BlockException.INCORRECT_BLOB_GAS_USED", "INCORRECT_BLOB_GAS_USED"));
    // A rule reported with its class matches too.
    EXPECT_TRUE(exception_matches("INTRINSIC_GAS_TOO_LOW", "TransactionException.INTRINSIC_GAS_TOO_LOW"));
    EXPECT_FALSE(exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", "INSUFFICIENT_ACCOUNT_FUNDS"));
}

TEST(ExceptionMatch, NamesCompareWholeAndExactly) {
    // No prefix or substring matches: EEST has names that extend others.
    EXPECT_FALSE(exception_matches("TransactionException.TYPE_3_TX_ZERO_BLOBS_PRE_FORK", "TYPE_3_TX_ZERO_BLOBS"));
    EXPECT_FALSE(exception_matches("TransactionException.TYPE_3_TX_ZERO_BLOBS", "TYPE_3_TX_ZERO_BLOBS_PRE_FORK"));
    EXPECT_FALSE(exception_matches("TransactionException.PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2",
                                   "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"));
    EXPECT_FALSE(exception_matches("TransactionException.intrinsic_gas_too_low", "INTRINSIC_GAS_TOO_LOW"));
    // The class is a prefix, not something to search for inside a name.
    EXPECT_FALSE(exception_matches("XTransactionException.NONCE_IS_MAX", "NONCE_IS_MAX"));
    EXPECT_FALSE(exception_matches("TransactionException.NONCE_IS_MAX", "TransactionException."));
}

TEST(ExceptionMatch, AnyAlternativeOfABar) {
    const char* expected =
        "TransactionException.INSUFFICIENT_ACCOUNT_FUNDS|TransactionException.INTRINSIC_GAS_TOO_LOW";
    EXPECT_TRUE(exception_matches(expected, "INSUFFICIENT_ACCOUNT_FUNDS"));
    EXPECT_TRUE(exception_matches(expected, "INTRINSIC_GAS_TOO_LOW"));
    EXPECT_FALSE(exception_matches(expected, "NONCE_MISMATCH_TOO_LOW"));
    // Mixed classes, and blanks around the bar.
    EXPECT_TRUE(exception_matches("BlockException.RLP_STRUCTURES_ENCODING | TransactionException.TYPE_3_TX_WITH_FULL_BLOBS",
                                  "TYPE_3_TX_WITH_FULL_BLOBS"));
    EXPECT_TRUE(exception_matches("BlockException.RLP_STRUCTURES_ENCODING | TransactionException.TYPE_3_TX_WITH_FULL_BLOBS",
                                  "RLP_STRUCTURES_ENCODING"));
    // Three alternatives: the last one counts as much as the first.
    EXPECT_TRUE(exception_matches("A|B|TransactionException.C", "C"));
    EXPECT_FALSE(exception_matches("A|B|TransactionException.C", "D"));
}

TEST(ExceptionMatch, EmptyNamesMatchNothing) {
    EXPECT_FALSE(exception_matches("", ""));
    EXPECT_FALSE(exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", ""));
    EXPECT_FALSE(exception_matches("INTRINSIC_GAS_TOO_LOW|", ""));
    EXPECT_FALSE(exception_matches("|", ""));
    EXPECT_FALSE(exception_matches("TransactionException.", ""));
    EXPECT_FALSE(exception_matches("", "INTRINSIC_GAS_TOO_LOW"));
    EXPECT_FALSE(exception_matches("|TransactionException.", "INTRINSIC_GAS_TOO_LOW"));
}

TEST(ExceptionMatch, NameWithoutItsClass) {
    EXPECT_EQ(exception_name("TransactionException.NONCE_IS_MAX"), "NONCE_IS_MAX");
    EXPECT_EQ(exception_name("BlockException.INVALID_GASLIMIT"), "INVALID_GASLIMIT");
    EXPECT_EQ(exception_name("  NONCE_IS_MAX "), "NONCE_IS_MAX");
    EXPECT_EQ(exception_name("EOFException.UNDEFINED_INSTRUCTION"), "EOFException.UNDEFINED_INSTRUCTION");
}

// A rejection that breaks two named rules at once (before Osaka, a transaction whose blobs alone
// exceed the block's maximum) matches a fixture that names either of them, and nothing else.
TEST(ExceptionMatch, ARejectionUnderTwoNamesMatchesEither) {
    const char* both = "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED|TYPE_3_TX_BLOB_COUNT_EXCEEDED";
    EXPECT_TRUE(exception_matches("TransactionException.TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", both));
    EXPECT_TRUE(exception_matches("TransactionException.TYPE_3_TX_BLOB_COUNT_EXCEEDED", both));
    EXPECT_TRUE(exception_matches("INTRINSIC_GAS_TOO_LOW|TYPE_3_TX_BLOB_COUNT_EXCEEDED", both));
    EXPECT_FALSE(exception_matches("TransactionException.INTRINSIC_GAS_TOO_LOW", both));
    EXPECT_FALSE(exception_matches("TYPE_3_TX_BLOB_COUNT_EXCEEDED", "|"));
}

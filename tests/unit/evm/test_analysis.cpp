// Code analysis: JUMPDEST positions (not inside PUSH data) and the zero-padded copy; the cache
// that shares analyses across transactions by code hash.
#include "crypto/keccak.hpp"
#include "evm/analysis.hpp"
#include "evm/opcodes.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

TEST(Analysis, JumpdestsOutsidePushDataOnly) {
    // JUMPDEST, PUSH2 0x5b5b (data, not destinations), JUMPDEST.
    const bytes code{OP_JUMPDEST, OP_PUSH1 + 1, OP_JUMPDEST, OP_JUMPDEST, OP_JUMPDEST};
    const CodeAnalysis a = analyze(code);
    EXPECT_TRUE(a.is_jumpdest(0));
    EXPECT_FALSE(a.is_jumpdest(2));
    EXPECT_FALSE(a.is_jumpdest(3));
    EXPECT_TRUE(a.is_jumpdest(4));
    EXPECT_FALSE(a.is_jumpdest(5));  // past the end
    EXPECT_EQ(bytes(a.code().begin(), a.code().end()), code);
    EXPECT_EQ(a.padded_code.size(), code.size() + CodeAnalysis::kPadding);
}

TEST(AnalysisCache, SharesOneAnalysisPerCodeAndStaysBounded) {
    // About 10 bytes held per code byte (the code and its fused copy, its block checks, the jump
    // bitmap): the first two codes fit in 1,000 bytes, the third does not.
    AnalysisCache cache(1000);
    const bytes first(60, OP_JUMPDEST);
    const bytes second(30, OP_STOP);
    const auto unfused = cache.get(keccak256(first), first, Revision::Cancun);
    const auto a = cache.get(keccak256(first), first, Revision::Cancun);  // the second use: fused
    EXPECT_NE(a, unfused);
    EXPECT_EQ(cache.get(keccak256(first), first, Revision::Cancun), a);  // the same object, not a new analysis
    EXPECT_TRUE(a->is_jumpdest(59));
    EXPECT_TRUE(unfused->is_jumpdest(59));  // still valid for whoever holds it
    const auto b = cache.get(keccak256(second), second, Revision::Cancun);
    EXPECT_NE(a, b);
    EXPECT_EQ(cache.size(), 2u);
    // A third code passes the bound: the cache starts over (analyses in use stay valid).
    const bytes third(50, OP_JUMPDEST);
    const auto c = cache.get(keccak256(third), third, Revision::Cancun);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_TRUE(a->is_jumpdest(10));
    EXPECT_EQ(bytes(c->code().begin(), c->code().end()), third);
    // A hash given with a code of another length is not trusted: that code is analysed, and
    // the cache keeps what it had.
    const auto mismatched = cache.get(keccak256(third), first, Revision::Cancun);
    EXPECT_EQ(bytes(mismatched->code().begin(), mismatched->code().end()), first);
    const auto c_fused = cache.get(keccak256(third), third, Revision::Cancun);
    EXPECT_EQ(bytes(c_fused->code().begin(), c_fused->code().end()), third);
    EXPECT_EQ(cache.get(keccak256(third), third, Revision::Cancun), c_fused);
    EXPECT_EQ(cache.size(), 1u);
}

// Arithmetic, comparison and bitwise instructions run through bytecode.
#include "mock_host.hpp"

#include "crypto/keccak.hpp"
#include "evm/keccak_memo.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

using namespace polyvm;
using namespace polyvm::test;

namespace {
uint256 U(const char* s) { return *uint256::from_string(s); }
const uint256 kMax = uint256::max();
const uint256 kIntMin = uint256{1} << 255;
const uint256 kMinusOne = kMax;

/// Evaluates `opcode` with operands a (top of stack), b, c.
uint256 eval(uint8_t opcode, std::vector<uint256> operands, Revision rev = Revision::Cancun) {
    bytes code;
    for (auto it = operands.rbegin(); it != operands.rend(); ++it) code = code + push(*it);
    code = code + op(opcode) + ret_top();
    MockHost host;
    const auto r = run_code(host, rev, code);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.size() == 32 ? uint256::load_be(r.output.data()) : uint256{};
}
}  // namespace

TEST(EvmArithmetic, AddSubMulWrap) {
    EXPECT_EQ(eval(0x01, {kMax, 1}), 0);
    EXPECT_EQ(eval(0x03, {0, 1}), kMax);  // 0 - 1
    EXPECT_EQ(eval(0x03, {10, 3}), 7);    // a - b with a on top
    EXPECT_EQ(eval(0x02, {kMax, kMax}), 1);
}

TEST(EvmArithmetic, DivisionByZeroIsZero) {
    EXPECT_EQ(eval(0x04, {7, 0}), 0);
    EXPECT_EQ(eval(0x05, {7, 0}), 0);
    EXPECT_EQ(eval(0x06, {7, 0}), 0);
    EXPECT_EQ(eval(0x07, {7, 0}), 0);
    EXPECT_EQ(eval(0x08, {7, 8, 0}), 0);
    EXPECT_EQ(eval(0x09, {7, 8, 0}), 0);
    EXPECT_EQ(eval(0x04, {7, 2}), 3);
}

TEST(EvmArithmetic, SignedDivision) {
    EXPECT_EQ(eval(0x05, {kIntMin, kMinusOne}), kIntMin);  // overflow case
    EXPECT_EQ(eval(0x05, {-uint256{7}, 2}), -uint256{3});   // truncates toward zero
    EXPECT_EQ(eval(0x07, {-uint256{7}, 2}), -uint256{1});   // sign of the dividend
    EXPECT_EQ(eval(0x07, {7, -uint256{2}}), 1);
}

TEST(EvmArithmetic, ModularWithWideIntermediate) {
    EXPECT_EQ(eval(0x08, {kMax, kMax, 7}), (kMax % 7 + kMax % 7) % 7);
    EXPECT_EQ(eval(0x08, {kMax, 2, kMax}), 2);
    EXPECT_EQ(eval(0x09, {kMax, kMax, 12}), 9);  // (2^256-1)^2 mod 12: 2^256-1 ≡ 3, 9
    EXPECT_EQ(eval(0x09, {kMax, kMax, kMax}), 0);
}

TEST(EvmArithmetic, ExpAndSignextend) {
    EXPECT_EQ(eval(0x0a, {2, 255}), kIntMin);
    EXPECT_EQ(eval(0x0a, {2, 256}), 0);
    EXPECT_EQ(eval(0x0a, {0, 0}), 1);
    EXPECT_EQ(eval(0x0b, {0, 0xff}), kMax);
    EXPECT_EQ(eval(0x0b, {0, 0x7f}), 0x7f);
    EXPECT_EQ(eval(0x0b, {1, 0x8000}), U("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8000"));
    EXPECT_EQ(eval(0x0b, {31, 0x80}), 0x80);
    EXPECT_EQ(eval(0x0b, {kMax, 0x80}), 0x80);
}

TEST(EvmArithmetic, Comparisons) {
    EXPECT_EQ(eval(0x10, {1, 2}), 1);  // 1 < 2
    EXPECT_EQ(eval(0x11, {1, 2}), 0);
    EXPECT_EQ(eval(0x12, {kMinusOne, 0}), 1);  // -1 < 0 signed
    EXPECT_EQ(eval(0x13, {kMinusOne, 0}), 0);
    EXPECT_EQ(eval(0x13, {0, kMinusOne}), 1);
    EXPECT_EQ(eval(0x14, {5, 5}), 1);
    EXPECT_EQ(eval(0x15, {0}), 1);
    EXPECT_EQ(eval(0x15, {kIntMin}), 0);
}

TEST(EvmArithmetic, Bitwise) {
    EXPECT_EQ(eval(0x16, {0xf0f0, 0xff00}), 0xf000);
    EXPECT_EQ(eval(0x17, {0xf0f0, 0xff00}), 0xfff0);
    EXPECT_EQ(eval(0x18, {0xf0f0, 0xff00}), 0x0ff0);
    EXPECT_EQ(eval(0x19, {0}), kMax);
    EXPECT_EQ(eval(0x1a, {31, 0x1234}), 0x34);
    EXPECT_EQ(eval(0x1a, {30, 0x1234}), 0x12);
    EXPECT_EQ(eval(0x1a, {32, 0x1234}), 0);
    EXPECT_EQ(eval(0x1a, {0, kIntMin}), 0x80);
}

TEST(EvmArithmetic, Shifts) {  // EIP-145 test vectors
    EXPECT_EQ(eval(0x1b, {1, 1}), 2);
    EXPECT_EQ(eval(0x1b, {255, 1}), kIntMin);
    EXPECT_EQ(eval(0x1b, {256, 1}), 0);
    EXPECT_EQ(eval(0x1b, {1, kMax}), kMax - 1);
    EXPECT_EQ(eval(0x1c, {1, kIntMin}), kIntMin >> 1);
    EXPECT_EQ(eval(0x1c, {255, kIntMin}), 1);
    EXPECT_EQ(eval(0x1c, {256, kIntMin}), 0);
    EXPECT_EQ(eval(0x1d, {1, kIntMin}), U("0xc000000000000000000000000000000000000000000000000000000000000000"));
    EXPECT_EQ(eval(0x1d, {255, kIntMin}), kMax);
    EXPECT_EQ(eval(0x1d, {256, kIntMin}), kMax);
    EXPECT_EQ(eval(0x1d, {kMax, kIntMin}), kMax);
    EXPECT_EQ(eval(0x1d, {254, U("0x4000000000000000000000000000000000000000000000000000000000000000")}), 1);
    EXPECT_EQ(eval(0x1d, {256, 1}), 0);
}

TEST(EvmArithmetic, ClzInOsaka) {  // EIP-7939
    EXPECT_EQ(eval(0x1e, {0}, Revision::Osaka), 256);
    EXPECT_EQ(eval(0x1e, {1}, Revision::Osaka), 255);
    EXPECT_EQ(eval(0x1e, {kMax}, Revision::Osaka), 0);
    EXPECT_EQ(eval(0x1e, {0x6ff}, Revision::Osaka), 245);
}

TEST(EvmArithmetic, Keccak256) {
    MockHost host;
    // KECCAK256 of the empty range, at a huge offset (size 0 touches no memory).
    const auto r = run_code(host, Revision::Cancun, push(0) + push(kMax) + op(0x20) + ret_top());
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(to_hex(r.output), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

// KECCAK256 of 64 bytes goes through a per-transaction memo (evm/keccak_memo.hpp): the same bytes
// hashed again, other bytes at the same place, and the first bytes restored all hash exactly.
TEST(EvmArithmetic, Keccak256Of64BytesRepeatedWithChangedMemory) {
    const uint256 key{0x1234}, slot{3}, other_slot{4};
    bytes code;
    auto hash_into = [&](uint64_t result_offset) {  // keccak256(memory[0..64]) -> memory[result_offset]
        code = code + push(64) + push(0) + op(0x20) + push(result_offset) + op(0x52);
    };
    code = code + push(key) + push(0) + op(0x52) + push(slot) + push(32) + op(0x52);
    hash_into(0x80);
    hash_into(0xa0);                                                     // the same bytes again
    code = code + push(other_slot) + push(32) + op(0x52);
    hash_into(0xc0);                                                     // other bytes, same place
    code = code + push(slot) + push(32) + op(0x52);
    hash_into(0xe0);                                                     // the first bytes again
    code = code + push(0x80) + push(0x80) + op(0xf3);                    // RETURN(0x80, 0x80)
    MockHost host;
    const auto r = run_code(host, Revision::Cancun, code);
    ASSERT_EQ(r.status, Status::Success);
    ASSERT_EQ(r.output.size(), 128u);
    auto expected = [&](const uint256& s) {
        uint8_t input[64];
        key.store_be(input);
        s.store_be(input + 32);
        return keccak256(bytes_view{input, 64});
    };
    const Hash32 first = expected(slot), second = expected(other_slot);
    EXPECT_NE(first, second);
    for (size_t i = 0; i < 4; ++i)
        EXPECT_EQ(Hash32::from(bytes_view{r.output.data() + 32 * i, 32}), i == 2 ? second : first) << i;
}

// The memo against the plain hash: inputs drawn from a small pool (so that most repeat and many
// share a table entry), some differing from a pooled one in a single byte, over several
// transactions.
TEST(EvmArithmetic, Keccak256MemoAgreesWithThePlainHash) {
    std::mt19937_64 rng(42);
    std::vector<std::array<uint8_t, 64>> pool(300);
    for (auto& input : pool)
        for (auto& byte : input) byte = static_cast<uint8_t>(rng());
    for (int transaction = 0; transaction < 5; ++transaction) {
        keccak_memo_new_transaction();
        for (int i = 0; i < 3000; ++i) {
            std::array<uint8_t, 64> input = pool[rng() % pool.size()];
            if (rng() % 4 == 0) input[rng() % 64] ^= static_cast<uint8_t>(1 + rng() % 255);
            uint256 memoized;
            keccak256_64_memoized(input.data(), memoized);
            ASSERT_EQ(memoized, uint256::from_hash(keccak256(bytes_view{input.data(), 64})))
                << "transaction " << transaction << ", draw " << i;
        }
    }
}

// GMP-backed modular exponentiation. Expected values are from EIP-198's examples or were computed
// independently with Python's built-in pow(base, exp, mod).
#include "common/hex.hpp"
#include "crypto/modexp.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
bytes H(std::string_view hex) { return *from_hex(hex); }

std::string run(const bytes& base, const bytes& exp, const bytes& mod, size_t out_len, uint64_t exp_tail = 0) {
    bytes out(out_len, 0xaa);  // pre-filled to show that every byte gets written
    modexp({base, 0}, {exp, exp_tail}, {mod, 0}, out);
    return to_hex(out);
}
}  // namespace

TEST(ModExp, Eip198FermatExample) {
    // 3^(p-1) mod p = 1 for p = 2^256 - 2^32 - 977.
    EXPECT_EQ(run(H("03"), H("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"),
                  H("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"), 32),
              "0000000000000000000000000000000000000000000000000000000000000001");
    // Base 0 with a non-zero exponent gives 0.
    EXPECT_EQ(run({}, H("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"),
                  H("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"), 32),
              std::string(64, '0'));
}

TEST(ModExp, SmallValues) {
    EXPECT_EQ(run(H("03"), H("ffff"), H("8000000000000000000000000000000000000000000000000000000000000000"), 32),
              "3b01b01ac41f2d6e917c6d6a221ce793802469026d9ab7578fa2e79e4da6aaab");  // 3^65535 mod 2^255
    EXPECT_EQ(run(H("03"), H("c8"), H("03e8"), 2), "0001");                           // 3^200 mod 1000 = 1
    EXPECT_EQ(run(H("1234567890abcdef"), H("010001"), H("fedcba0987654321fedcba0987654321"), 16),
              "125c8eae6a085d158e25f9d8fa89fb0e");
}

TEST(ModExp, Conventions) {
    EXPECT_EQ(run({}, {}, H("05"), 1), "01");              // 0^0 = 1, as Python's pow(0, 0, 5)
    EXPECT_EQ(run(H("07"), {}, H("01"), 1), "00");         // anything mod 1 is 0
    EXPECT_EQ(run(H("07"), H("02"), H("0000"), 2), "0000");  // zero modulus: all zeros (EIP-198)
    EXPECT_EQ(run(H("07"), H("02"), {}, 3), "000000");
    EXPECT_EQ(run(H("0002"), H("000a"), H("000003e8"), 4), "00000018");  // leading zero bytes: 2^10 mod 1000
}

TEST(ModExp, ExponentZeroTail) {
    // Exponent bytes 01 followed by one implicit zero byte = 256: 3^256 mod 1000 = 521.
    EXPECT_EQ(run(H("03"), H("01"), H("03e8"), 2, 1), "0209");
    // 5^(3 * 256^3) mod 1000003 = 0xeda30.
    EXPECT_EQ(run(H("05"), H("03"), H("0f4243"), 3, 3), "0eda30");
}

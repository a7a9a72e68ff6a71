#include "common/uint256.hpp"
#include "common/hex.hpp"
#include "crypto/keccak.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <gmp.h>
#include <random>
#include <unordered_set>

using namespace polyvm;

namespace {
uint256 U(const char* s) { return *uint256::from_string(s); }

// GMP as the reference for the arithmetic tests.
void to_mpz(const uint256& v, mpz_t out) { mpz_import(out, 4, -1, 8, 0, 0, v.w); }
uint256 from_mpz(mpz_t v) {  // v mod 2^256
    mpz_t m;
    mpz_init(m);
    mpz_fdiv_r_2exp(m, v, 256);
    uint256 r;
    size_t count = 0;
    mpz_export(r.w, &count, -1, 8, 0, 0, m);
    mpz_clear(m);
    return r;
}
}  // namespace

TEST(Uint256, AddSubWrap) {
    EXPECT_EQ(uint256::max() + 1, uint256{});
    EXPECT_EQ(uint256{} - 1, uint256::max());
    EXPECT_EQ(U("0xffffffffffffffff") + 1, U("0x10000000000000000"));
}

TEST(Uint256, Mul) {
    EXPECT_EQ(U("0xffffffffffffffff") * U("0xffffffffffffffff"), U("0xfffffffffffffffe0000000000000001"));
    EXPECT_EQ(uint256::max() * uint256::max(), uint256{1});
}

TEST(Uint256, DivMod) {
    EXPECT_EQ(uint256{7} / uint256{0}, uint256{});
    EXPECT_EQ(uint256{7} % uint256{0}, uint256{});
    EXPECT_EQ(uint256::max() / uint256{1}, uint256::max());
    EXPECT_EQ(uint256::max() / uint256::max(), uint256{1});
    const auto a = U("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");
    const auto b = U("0xfedcba0987654321fedcba09");
    const auto qr = udivrem(a, b);
    EXPECT_EQ(qr.quotient * b + qr.remainder, a);
    EXPECT_LT(qr.remainder, b);
    // Divisor with a top limb that forces the qhat correction path.
    const auto c = U("0x8000000000000000000000000000000000000000000000000000000000000001");
    const auto d = U("0x8000000000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(c / d, uint256{1});
    EXPECT_EQ(c % d, uint256{1});
    const auto e = U("0xffffffffffffffffffffffffffffffff00000000000000000000000000000000");
    const auto f = U("0xffffffffffffffff0000000000000001");
    const auto qr2 = udivrem(e, f);
    EXPECT_EQ(qr2.quotient * f + qr2.remainder, e);
    EXPECT_LT(qr2.remainder, f);
}

TEST(Uint256, Signed) {
    const uint256 int_min = uint256{1} << 255;
    const uint256 minus_one = uint256::max();
    EXPECT_EQ(sdiv(int_min, minus_one), int_min);
    EXPECT_EQ(sdiv(uint256{7}, uint256{0}), uint256{});
    EXPECT_EQ(sdiv(-uint256{7}, uint256{2}), -uint256{3});
    EXPECT_EQ(smod(-uint256{7}, uint256{2}), -uint256{1});
    EXPECT_EQ(smod(uint256{7}, -uint256{2}), uint256{1});
    EXPECT_EQ(smod(int_min, minus_one), uint256{});
    EXPECT_TRUE(slt(minus_one, uint256{0}));
    EXPECT_FALSE(slt(uint256{0}, minus_one));
}

TEST(Uint256, AddMulMod) {
    const uint256 m = uint256::max();
    EXPECT_EQ(addmod(m, m, m), uint256{});
    EXPECT_EQ(addmod(m, uint256{1}, uint256{10}), uint256{6});  // 2^256 mod 10 = 6
    EXPECT_EQ(addmod(uint256{1}, uint256{2}, uint256{0}), uint256{});
    EXPECT_EQ(mulmod(m, m, m - 1), uint256{1});  // (n+1)^2 mod n = 1 with n = 2^256 - 2
    EXPECT_EQ(mulmod(m, m, uint256{12}), uint256{9});  // (2^256-1) mod 12 = 3, 3^2 = 9
    EXPECT_EQ(mulmod(uint256{5}, uint256{6}, uint256{0}), uint256{});
}

TEST(Uint256, ExpShifts) {
    EXPECT_EQ(exp(uint256{2}, uint256{255}), uint256{1} << 255);
    EXPECT_EQ(exp(uint256{2}, uint256{256}), uint256{});
    EXPECT_EQ(exp(uint256{0}, uint256{0}), uint256{1});
    EXPECT_EQ(exp(uint256{3}, uint256{5}), uint256{243});
    EXPECT_EQ(uint256{1} << 256, uint256{});
    EXPECT_EQ(shl(U("0x10000000000000000"), uint256{1}), uint256{});
    EXPECT_EQ(uint256::max() >> 255, uint256{1});
    EXPECT_EQ(sar(uint256{255}, uint256::max()), uint256::max());
    EXPECT_EQ(sar(uint256{300}, uint256{1} << 255), uint256::max());
    EXPECT_EQ(sar(uint256{300}, uint256{5}), uint256{});
    EXPECT_EQ(sar(uint256{4}, (uint256{1} << 255)), U("0xf800000000000000000000000000000000000000000000000000000000000000"));
}

TEST(Uint256, SignextendByte) {
    EXPECT_EQ(signextend(uint256{0}, uint256{0xff}), uint256::max());
    EXPECT_EQ(signextend(uint256{0}, uint256{0x7f}), uint256{0x7f});
    EXPECT_EQ(signextend(uint256{31}, uint256{0x80}), uint256{0x80});
    EXPECT_EQ(signextend(U("0x10000000000000000"), uint256{0xff}), uint256{0xff});
    EXPECT_EQ(byte_at(uint256{31}, uint256{0xab}), uint256{0xab});
    EXPECT_EQ(byte_at(uint256{0}, uint256{1} << 248), uint256{1});
    EXPECT_EQ(byte_at(uint256{32}, uint256::max()), uint256{});
}

TEST(Uint256, Strings) {
    EXPECT_EQ(U("1234567890123456789012345678901234567890").to_decimal(), "1234567890123456789012345678901234567890");
    EXPECT_EQ(U("0xabc").to_hex(), "0xabc");
    EXPECT_FALSE(uint256::from_string("0x1" + std::string(64, '0')));
    EXPECT_FALSE(uint256::from_string("0xzz"));
    EXPECT_FALSE(uint256::from_string("115792089237316195423570985008687907853269984665640564039457584007913129639936"));
    EXPECT_TRUE(uint256::from_string("115792089237316195423570985008687907853269984665640564039457584007913129639935"));
    uint8_t buf[32];
    U("0x0102").store_be(buf);
    EXPECT_EQ(buf[30], 1);
    EXPECT_EQ(buf[31], 2);
    EXPECT_EQ(uint256::load_be(buf), uint256{0x102});
}

TEST(Keccak, KnownVectors) {
    EXPECT_EQ(to_hex(keccak256(std::string_view(""))), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(to_hex(keccak256(std::string_view("abc"))), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    const std::string long_input(200, 'a');  // crosses the 136-byte rate
    const std::string exact(136, 'b');
    EXPECT_NE(keccak256(std::string_view(long_input)), keccak256(std::string_view(exact)));
}

// Issue 8: keys chosen to collide under an unkeyed XOR hash (i | i << 128) must spread out.
TEST(Uint256Hash, ChosenKeysDoNotCollide) {
    std::unordered_set<size_t> hashes;
    for (uint64_t i = 1; i <= 7000; ++i) hashes.insert(std::hash<uint256>{}(uint256{i} | (uint256{i} << 128)));
    EXPECT_GE(hashes.size(), 6990u);
    std::unordered_set<size_t> address_hashes;
    for (uint64_t i = 1; i <= 7000; ++i) {
        Address a;
        std::memcpy(a.data(), &i, 8);
        std::memcpy(a.data() + 12, &i, 8);
        address_hashes.insert(std::hash<Address>{}(a));
    }
    EXPECT_GE(address_hashes.size(), 6990u);
}

// ADD, SUB, MUL, the comparison and the shifts against GMP on random operands (limbs drawn to
// hit carries: all ones, zero, small, random) and every shift amount up to 300.
TEST(Uint256, ArithmeticAndShiftsMatchGmp) {
    std::mt19937_64 rng(5);
    auto limb = [&]() -> uint64_t {
        switch (rng() % 4) {
            case 0: return ~uint64_t{0};
            case 1: return 0;
            case 2: return rng() % 4;
            default: return rng();
        }
    };
    mpz_t a, b, r;
    mpz_inits(a, b, r, nullptr);
    for (int round = 0; round < 2000; ++round) {
        const uint256 x{limb(), limb(), limb(), limb()}, y{limb(), limb(), limb(), limb()};
        to_mpz(x, a);
        to_mpz(y, b);
        mpz_add(r, a, b);
        ASSERT_EQ(x + y, from_mpz(r));
        mpz_sub(r, a, b);
        ASSERT_EQ(x - y, from_mpz(r));
        mpz_mul(r, a, b);
        ASSERT_EQ(x * y, from_mpz(r));
        ASSERT_EQ(x < y, mpz_cmp(a, b) < 0);
        ASSERT_EQ(x < x, false);
        const uint64_t n = rng() % 301;
        mpz_mul_2exp(r, a, n);
        ASSERT_EQ(x << n, from_mpz(r)) << n;
        mpz_fdiv_q_2exp(r, a, n);
        ASSERT_EQ(x >> n, from_mpz(r)) << n;
    }
    mpz_clears(a, b, r, nullptr);
    // Every amount on one value, both directions.
    const uint256 v{0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x0f0f0f0f0f0f0f0fULL, 0x8000000000000001ULL};
    for (uint64_t n = 0; n <= 300; ++n) {
        mpz_t x, y;
        mpz_inits(x, y, nullptr);
        to_mpz(v, x);
        mpz_mul_2exp(y, x, n);
        EXPECT_EQ(v << n, from_mpz(y)) << n;
        mpz_fdiv_q_2exp(y, x, n);
        EXPECT_EQ(v >> n, from_mpz(y)) << n;
        mpz_clears(x, y, nullptr);
    }
    // Constant evaluation takes the portable paths.
    static_assert(((uint256{1} << 200) >> 199) == uint256{2});
    static_assert(uint256{0, 1, 0, 0} - uint256{1} == uint256{~uint64_t{0}, 0, 0, 0});
    static_assert(uint256{~uint64_t{0}} * uint256{~uint64_t{0}} == uint256{1, ~uint64_t{0} - 1, 0, 0});
    static_assert(uint256{5} < uint256{0, 1, 0, 0});
}

// DIV, MOD, ADDMOD and MULMOD against GMP, with divisors and moduli of every limb count (the
// division is specialised by the divisor's size) and operands drawn to hit Knuth's corrections.
TEST(Uint256, DivisionAndModularMatchGmp) {
    std::mt19937_64 rng(9);
    auto limb = [&]() -> uint64_t {
        switch (rng() % 5) {
            case 0: return ~uint64_t{0};
            case 1: return 0;
            case 2: return rng() % 4;
            case 3: return uint64_t{1} << 63;
            default: return rng();
        }
    };
    auto value = [&](int limbs) {
        uint256 v;
        for (int i = 0; i < limbs; ++i) v.w[i] = limb();
        return v;
    };
    mpz_t a, b, m, t;
    mpz_inits(a, b, m, t, nullptr);
    for (int round = 0; round < 4000; ++round) {
        const uint256 x = value(1 + static_cast<int>(rng() % 4)), y = value(1 + static_cast<int>(rng() % 4));
        const uint256 mod = value(1 + static_cast<int>(rng() % 4));
        to_mpz(x, a);
        to_mpz(y, b);
        to_mpz(mod, m);
        if (!y.is_zero()) {
            mpz_fdiv_q(t, a, b);
            ASSERT_EQ(x / y, from_mpz(t));
            mpz_fdiv_r(t, a, b);
            ASSERT_EQ(x % y, from_mpz(t));
        }
        if (!mod.is_zero()) {
            mpz_add(t, a, b);
            mpz_fdiv_r(t, t, m);
            ASSERT_EQ(addmod(x, y, mod), from_mpz(t));
            mpz_mul(t, a, b);
            mpz_fdiv_r(t, t, m);
            ASSERT_EQ(mulmod(x, y, mod), from_mpz(t));
        }
    }
    mpz_clears(a, b, m, t, nullptr);
}

// Divisors of exactly two limbs (65 to 128 bits) take their own path: normalised, then one 3-by-2
// step per quotient limb through the divisor's reciprocal. Top limbs from 1 to 2^64 - 1 (every
// normalising shift), low limbs at the extremes, dividends of two to four limbs, and MULMOD's
// 512-bit products by such moduli, against GMP.
TEST(Uint256, DivisionByTwoLimbDivisorsMatchesGmp) {
    std::mt19937_64 rng(12);
    auto limb = [&]() -> uint64_t {
        switch (rng() % 6) {
            case 0: return ~uint64_t{0};
            case 1: return 0;
            case 2: return rng() % 4;
            case 3: return uint64_t{1} << 63;
            case 4: return (uint64_t{1} << (rng() % 64)) - (rng() % 2);
            default: return rng();
        }
    };
    mpz_t a, b, t;
    mpz_inits(a, b, t, nullptr);
    for (int round = 0; round < 200000; ++round) {
        uint256 divisor{limb(), limb(), 0, 0};
        if (divisor.w[1] == 0) divisor.w[1] = 1 + rng() % 3;
        if (round % 4 == 0) divisor.w[1] >>= rng() % 64;  // every normalising shift
        if (divisor.w[1] == 0) divisor.w[1] = 1;
        uint256 dividend;
        const int limbs = 2 + static_cast<int>(rng() % 3);
        for (int i = 0; i < limbs; ++i) dividend.w[i] = limb();
        to_mpz(dividend, a);
        to_mpz(divisor, b);
        mpz_fdiv_q(t, a, b);
        ASSERT_EQ(dividend / divisor, from_mpz(t)) << round;
        mpz_fdiv_r(t, a, b);
        ASSERT_EQ(dividend % divisor, from_mpz(t)) << round;
        if (round % 8 == 0) {
            uint256 other;
            for (int i = 0; i < 4; ++i) other.w[i] = limb();
            mpz_t c;
            mpz_init(c);
            to_mpz(other, c);
            mpz_mul(t, a, c);
            mpz_fdiv_r(t, t, b);
            ASSERT_EQ(mulmod(dividend, other, divisor), from_mpz(t)) << round;
            mpz_clear(c);
        }
    }
    mpz_clears(a, b, t, nullptr);
}

// MULMOD by moduli of at least 2^224 goes through Barrett reduction with per-thread cached
// constants: the field primes of the curves contracts use, the edges of the rule (2^224, 2^256 - 1,
// powers of two), moduli in runs, alternating and at random, so that entries are kept, taken in and replaced, and
// operands at the extremes, all against GMP.
TEST(Uint256, MulmodByLargeModuliMatchesGmp) {
    const uint256 moduli[] = {
        *uint256::from_string("0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"),  // BN254 p
        *uint256::from_string("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),  // secp256k1 p
        *uint256::from_string("0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),  // P-256 p
        *uint256::from_string("0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"),  // BLS12-381 r
        uint256{0, 0, 0, uint64_t{1} << 32},                                                        // 2^224
        uint256{1, 0, 0, uint64_t{1} << 32},                                                        // 2^224 + 1
        uint256{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, (uint64_t{1} << 32) - 1},                 // 2^224 - 1
        uint256{0, 0, 0, uint64_t{1} << 63},                                                        // 2^255
        uint256{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}},                            // 2^256 - 1
    };
    std::mt19937_64 rng(11);
    auto operand = [&](const uint256& m) {
        switch (rng() % 6) {
            case 0: return ~uint256{};
            case 1: return m - uint256{1};
            case 2: return m;
            case 3: return m + uint256{rng() % 3};
            case 4: return uint256{rng(), rng() % 4 ? rng() : 0, 0, 0};  // short products skip Barrett
            default: return uint256{rng(), rng(), rng(), rng()};
        }
    };
    mpz_t a, b, m, t;
    mpz_inits(a, b, m, t, nullptr);
    for (int round = 0; round < 20000; ++round) {
        // The cache keeps two moduli and takes one in on its second miss in a row: runs of one
        // modulus, two alternating (as FullMath.mulDiv does), three in turn, and a random one each call.
        const size_t count = std::size(moduli), block = static_cast<size_t>(round) / 64;
        size_t pick;
        switch (block % 4) {
            case 0: pick = block % count; break;
            case 1: pick = (block + static_cast<size_t>(round % 2)) % count; break;
            case 2: pick = (block + static_cast<size_t>(round % 3)) % count; break;
            default: pick = rng() % count;
        }
        const uint256& mod = moduli[pick];
        const uint256 x = operand(mod), y = operand(mod);
        to_mpz(x, a);
        to_mpz(y, b);
        to_mpz(mod, m);
        mpz_mul(t, a, b);
        mpz_fdiv_r(t, t, m);
        ASSERT_EQ(mulmod(x, y, mod), from_mpz(t)) << round;
    }
    mpz_clears(a, b, m, t, nullptr);
}

// Division and MULMOD by powers of two (fixed-point scales such as 2^96) take a shift and a mask:
// every power, against GMP.
TEST(Uint256, DivisionAndMulmodByPowersOfTwoMatchGmp) {
    std::mt19937_64 rng(13);
    mpz_t a, b, m, t;
    mpz_inits(a, b, m, t, nullptr);
    for (uint64_t k = 0; k < 256; ++k) {
        const uint256 v = uint256{1} << k;
        for (int round = 0; round < 8; ++round) {
            const uint256 x{rng(), rng(), rng(), round % 2 ? rng() : 0}, y{rng(), round % 3 ? rng() : 0, rng(), rng()};
            to_mpz(x, a);
            to_mpz(y, b);
            to_mpz(v, m);
            mpz_fdiv_q(t, a, m);
            ASSERT_EQ(x / v, from_mpz(t)) << k;
            mpz_fdiv_r(t, a, m);
            ASSERT_EQ(x % v, from_mpz(t)) << k;
            mpz_mul(t, a, b);
            mpz_fdiv_r(t, t, m);
            ASSERT_EQ(mulmod(x, y, v), from_mpz(t)) << k;
        }
    }
    mpz_clears(a, b, m, t, nullptr);
}

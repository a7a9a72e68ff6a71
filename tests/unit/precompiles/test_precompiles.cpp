// Precompiles 0x01-0x05 and 0x09: vectors from the EIPs (152, 198, 2565), go-ethereum's
// precompile test data, and standard hash test vectors; plus gas and activation rules.
#include "common/hex.hpp"
#include "crypto/secp256k1.hpp"
#include "precompiles/precompiles.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

using namespace polyvm;

namespace {

constexpr int64_t kLots = 1'000'000'000;
constexpr int64_t kMaxGas = std::numeric_limits<int64_t>::max();

Address A(unsigned n) {
    Address a;
    a[18] = static_cast<uint8_t>(n >> 8);
    a[19] = static_cast<uint8_t>(n);
    return a;
}
bytes H(std::string_view hex) {
    auto b = from_hex(hex);
    EXPECT_TRUE(b.has_value()) << hex;
    return b.value_or(bytes{});
}
std::string word(uint64_t v) { return to_hex(uint256{v}.to_hash()); }

/// Gas the call consumed, or -1 if it did not succeed.
int64_t gas_used(unsigned addr, const bytes& in, Revision rev) {
    const auto r = run_precompile(A(addr), in, kLots, rev);
    return r.status == Status::Success ? kLots - r.gas_left : -1;
}

void expect_oog(unsigned addr, const bytes& in, int64_t gas, Revision rev) {
    const auto r = run_precompile(A(addr), in, gas, rev);
    EXPECT_EQ(r.status, Status::OutOfGas);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_TRUE(r.output.empty());
}

// go-ethereum core/vm/contracts_test.go: the sample 128-byte input shared by 0x01-0x04.
const char* kGethInput =
    "38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e"
    "000000000000000000000000000000000000000000000000000000000000001b"
    "38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e"
    "789d1dd423d25f0772d2748d60f7e4b81bb14d086eba8e8e8efb6dcff8a4ae02";

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST(Precompiles, ActivationPerRevision) {
    for (unsigned n = 1; n <= 4; ++n) EXPECT_TRUE(is_precompile(A(n), Revision::Frontier)) << n;
    for (unsigned n = 5; n <= 8; ++n) {
        EXPECT_FALSE(is_precompile(A(n), Revision::SpuriousDragon)) << n;
        EXPECT_TRUE(is_precompile(A(n), Revision::Byzantium)) << n;
    }
    EXPECT_FALSE(is_precompile(A(9), Revision::Petersburg));
    EXPECT_TRUE(is_precompile(A(9), Revision::Istanbul));
    EXPECT_FALSE(is_precompile(A(10), Revision::Shanghai));
    EXPECT_TRUE(is_precompile(A(10), Revision::Cancun));
    EXPECT_FALSE(is_precompile(A(11), Revision::Cancun));
    EXPECT_TRUE(is_precompile(A(0x11), Revision::Prague));  // EIP-2537
    EXPECT_FALSE(is_precompile(A(0x12), Revision::Prague));
    EXPECT_FALSE(is_precompile(A(0x100), Revision::Prague));
    EXPECT_TRUE(is_precompile(A(0x100), Revision::Osaka));  // EIP-7951
    EXPECT_FALSE(is_precompile(A(0), Revision::Osaka));

    Address high = A(1);
    high[0] = 1;  // 0x0100..0001 is an ordinary address
    EXPECT_FALSE(is_precompile(high, Revision::Cancun));
}

TEST(Precompiles, UnsupportedAndInactive) {
    // 0x06-0x08 (alt_bn128) are covered by test_bn254_precompiles.cpp, 0x0a by test_point_evaluation.cpp.
    // 0x0b-0x11 (EIP-2537) are covered by test_bls12_381_precompiles.cpp; an empty G1ADD input fails.
    EXPECT_EQ(run_precompile(A(0x0b), {}, kLots, Revision::Prague).status, Status::PrecompileFailure);
    // Not a precompile before its fork.
    EXPECT_EQ(run_precompile(A(9), {}, kLots, Revision::Petersburg).status, Status::Failure);
}

// ---------------------------------------------------------------------------------------------
// 0x01 ecrecover

TEST(Ecrecover, GethVector) {
    const auto r = run_precompile(A(1), H(kGethInput), 5000, Revision::Cancun);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 2000);
    EXPECT_EQ(to_hex(r.output), "000000000000000000000000ceaccac640adf55b2028469bd36ba501f28b699d");
    expect_oog(1, H(kGethInput), 2999, Revision::Frontier);
}

namespace {
bytes ecrecover_input(const Hash32& hash, const uint256& v, const uint256& r, const uint256& s) {
    bytes in(128);
    std::memcpy(in.data(), hash.data(), 32);
    v.store_be(in.data() + 32);
    r.store_be(in.data() + 64);
    s.store_be(in.data() + 96);
    return in;
}
}  // namespace

TEST(Ecrecover, SignAndRecover) {
    const Hash32 secret = *hash_from_hex("4646464646464646464646464646464646464646464646464646464646464646");
    const Hash32 msg = *hash_from_hex("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    const auto sig = sign_hash(msg, secret);
    ASSERT_TRUE(sig);
    const auto signer = address_from_secret_key(secret);
    ASSERT_TRUE(signer);
    // EIP-155's example key: its address is well known.
    EXPECT_EQ(to_hex(*signer), "9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");

    const auto r = run_precompile(A(1), ecrecover_input(msg, 27 + sig->recovery_id, sig->r, sig->s), 3000,
                                  Revision::Cancun);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output), "000000000000000000000000" + to_hex(*signer));

    // No low-s rule in the precompile: (r, n - s) with the other recovery id is the same signer.
    const auto high_s = run_precompile(
        A(1), ecrecover_input(msg, 28 - sig->recovery_id, sig->r, kSecp256k1N - sig->s), 3000, Revision::Cancun);
    EXPECT_EQ(to_hex(high_s.output), "000000000000000000000000" + to_hex(*signer));
}

TEST(Ecrecover, InvalidInputsSucceedWithEmptyOutput) {
    const bytes good = H(kGethInput);
    auto expect_empty = [](const bytes& in) {
        const auto r = run_precompile(A(1), in, 3500, Revision::Cancun);
        EXPECT_EQ(r.status, Status::Success);
        EXPECT_EQ(r.gas_left, 500);  // still charged
        EXPECT_TRUE(r.output.empty());
    };
    bytes bad_v = good;
    bad_v[63] = 26;
    expect_empty(bad_v);
    bad_v[63] = 29;
    expect_empty(bad_v);
    bad_v[63] = 0x1b;
    bad_v[40] = 1;  // v must be 27 as a whole word, not just in its last byte
    expect_empty(bad_v);

    const Hash32 hash = Hash32::from(bytes_view{good.data(), 32});
    const uint256 r = uint256::load_be(good.data() + 64), s = uint256::load_be(good.data() + 96);
    expect_empty(ecrecover_input(hash, 27, 0, s));
    expect_empty(ecrecover_input(hash, 27, r, 0));
    expect_empty(ecrecover_input(hash, 27, kSecp256k1N, s));
    expect_empty(ecrecover_input(hash, 27, r, kSecp256k1N));
    expect_empty({});                                        // all zero after padding
    expect_empty(bytes(good.begin(), good.begin() + 96));   // s missing: reads as zero
}

TEST(Ecrecover, ExtraInputIgnored) {
    bytes in = H(kGethInput);
    in.resize(200, 0xff);
    const auto r = run_precompile(A(1), in, 3000, Revision::Cancun);
    EXPECT_EQ(to_hex(r.output), "000000000000000000000000ceaccac640adf55b2028469bd36ba501f28b699d");
}

// ---------------------------------------------------------------------------------------------
// 0x02 sha256, 0x03 ripemd160, 0x04 identity

TEST(Sha256Precompile, OutputAndGas) {
    auto r = run_precompile(A(2), {}, 60, Revision::Frontier);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    r = run_precompile(A(2), H("616263"), 100, Revision::Frontier);
    EXPECT_EQ(r.gas_left, 100 - 72);
    EXPECT_EQ(to_hex(r.output), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    r = run_precompile(A(2), H(kGethInput), 108, Revision::Cancun);  // 60 + 12 * 4
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output), "811c7003375852fabd0d362e40e68607a12bdabae61a7d068fe5fdd1dbbf2a5d");

    EXPECT_EQ(gas_used(2, bytes(32), Revision::Cancun), 72);
    EXPECT_EQ(gas_used(2, bytes(33), Revision::Cancun), 84);
    expect_oog(2, {}, 59, Revision::Cancun);
    expect_oog(2, bytes(33), 83, Revision::Cancun);
}

TEST(Ripemd160Precompile, OutputAndGas) {
    auto r = run_precompile(A(3), {}, 600, Revision::Frontier);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31");
    r = run_precompile(A(3), H("616263"), 1000, Revision::Frontier);
    EXPECT_EQ(r.gas_left, 1000 - 720);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    r = run_precompile(A(3), H(kGethInput), 1080, Revision::Cancun);  // 600 + 120 * 4
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output), "0000000000000000000000009215b8d9882ff46f0dfde6684d78e831467f65e6");
    expect_oog(3, H("616263"), 719, Revision::Cancun);
}

TEST(IdentityPrecompile, OutputAndGas) {
    const bytes in = H(kGethInput);
    auto r = run_precompile(A(4), in, 27, Revision::Frontier);  // 15 + 3 * 4
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(r.output, in);
    r = run_precompile(A(4), {}, 15, Revision::Frontier);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_TRUE(r.output.empty());
    EXPECT_EQ(gas_used(4, bytes(1), Revision::Cancun), 18);
    expect_oog(4, in, 26, Revision::Cancun);
}

// ---------------------------------------------------------------------------------------------
// 0x05 modexp

namespace {
bytes modexp_input(uint64_t base_len, uint64_t exp_len, uint64_t mod_len, std::string_view values_hex) {
    return H(word(base_len) + word(exp_len) + word(mod_len) + std::string(values_hex));
}
}  // namespace

TEST(ModExpPrecompile, Eip198Example1) {
    const bytes in = modexp_input(1, 32, 32,
                                  "03"
                                  "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
                                  "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    // EIP-198: mult_complexity(32) * 255 / 20 = 13056; EIP-2565: 4^2 * 255 / 3 = 1360.
    auto r = run_precompile(A(5), in, 13056, Revision::Byzantium);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output), word(1));
    EXPECT_EQ(gas_used(5, in, Revision::Istanbul), 13056);
    EXPECT_EQ(gas_used(5, in, Revision::Berlin), 1360);
    EXPECT_EQ(gas_used(5, in, Revision::Cancun), 1360);
    expect_oog(5, in, 13055, Revision::Byzantium);
    expect_oog(5, in, 1359, Revision::Berlin);
}

TEST(ModExpPrecompile, Eip198Example2ZeroBase) {
    const bytes in = modexp_input(0, 32, 32,
                                  "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
                                  "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");
    const auto r = run_precompile(A(5), in, kLots, Revision::Byzantium);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, kLots - 13056);
    EXPECT_EQ(to_hex(r.output), word(0));
}

TEST(ModExpPrecompile, Eip198Example3HugeModulusLength) {
    const bytes in = H(word(0) + word(32) + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
                       "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe" +
                       "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd");
    expect_oog(5, in, kMaxGas, Revision::Byzantium);
    expect_oog(5, in, kMaxGas, Revision::Berlin);
}

TEST(ModExpPrecompile, Eip198Examples4And5Padding) {
    // Base 3, exponent 0xffff, modulus 2^255; the trailing 07 is ignored, and a modulus cut short
    // (only its first byte 80 present) is right-padded with zeros to the same 2^255.
    const char* expected = "3b01b01ac41f2d6e917c6d6a221ce793802469026d9ab7578fa2e79e4da6aaab";  // Python pow()
    const bytes full = modexp_input(1, 2, 32, "03ffff" + ("80" + std::string(62, '0')) + "07");
    const bytes cut = modexp_input(1, 2, 32, "03ffff80");
    for (const auto& in : {full, cut}) {
        const auto r = run_precompile(A(5), in, kLots, Revision::Byzantium);
        EXPECT_EQ(r.status, Status::Success);
        EXPECT_EQ(to_hex(r.output), expected);
        EXPECT_EQ(kLots - r.gas_left, 32 * 32 * 15 / 20);  // adjusted exponent length 15
        EXPECT_EQ(gas_used(5, in, Revision::Berlin), 200);   // 16 * 15 / 3 = 80, raised to the minimum
    }
}

TEST(ModExpPrecompile, Eip2565TableNagydani) {
    // EIP-2565's test table: {length of base and modulus, exponent, EIP-198 gas, EIP-2565 gas}.
    struct Case {
        uint64_t len;
        const char* exp;
        int64_t byzantium, berlin;
    };
    const Case cases[] = {
        {64, "02", 204, 200},       {64, "03", 204, 200},       {64, "010001", 3276, 341},
        {128, "02", 665, 200},      {128, "03", 665, 200},      {128, "010001", 10649, 1365},
        {256, "02", 1894, 341},     {256, "03", 1894, 341},     {256, "010001", 30310, 5461},
        {512, "02", 5580, 1365},    {512, "03", 5580, 1365},    {512, "010001", 89292, 21845},
        {1024, "02", 17868, 5461},  {1024, "03", 17868, 5461},  {1024, "010001", 285900, 87381},
    };
    for (const auto& c : cases) {
        const std::string exp = c.exp;
        const std::string base(2 * c.len, 'e'), mod(2 * c.len, 'd');
        const bytes in = modexp_input(c.len, exp.size() / 2, c.len, base + exp + mod);
        EXPECT_EQ(gas_used(5, in, Revision::Byzantium), c.byzantium) << c.len << " " << exp;
        EXPECT_EQ(gas_used(5, in, Revision::Berlin), c.berlin) << c.len << " " << exp;
        const auto r = run_precompile(A(5), in, kLots, Revision::Berlin);
        EXPECT_EQ(r.output.size(), c.len);
    }
}

TEST(ModExpPrecompile, AdjustedExponentLengthBeyond32Bytes) {
    // EIP-198's example: a 100-byte exponent has adjusted length 8 * (100 - 32) + 253 = 797 when the
    // highest bit of its first 32 bytes is bit 253 (the EIP's text shows 00 00 01 00..., whose
    // highest bit is in fact bit 232; its arithmetic fits a leading byte of 0x20).
    std::string exp = "20" + std::string(2 * 99, '0');
    const bytes in = modexp_input(1, 100, 1, "02" + exp + "07");
    EXPECT_EQ(gas_used(5, in, Revision::Byzantium), 797 / 20);  // mult_complexity(1) = 1
    EXPECT_EQ(gas_used(5, in, Revision::Berlin), 265);          // 1 * 797 / 3
    // A zero head over 32 bytes still counts 8 per extra byte: 8 * (64 - 32) = 256.
    const bytes zero_head = modexp_input(1, 64, 1, "02" + std::string(128, '0') + "07");
    EXPECT_EQ(gas_used(5, zero_head, Revision::Byzantium), 256 / 20);
}

TEST(ModExpPrecompile, ExponentHeadIsRightPadded) {
    // Exponent length 32 but only its first byte (01) present: the head is 2^248, index 248.
    const bytes in = modexp_input(1, 32, 32, "0301");
    EXPECT_EQ(gas_used(5, in, Revision::Byzantium), 32 * 32 * 248 / 20);
    EXPECT_EQ(gas_used(5, in, Revision::Berlin), 16 * 248 / 3);
}

TEST(ModExpPrecompile, EmptyAndZeroCases) {
    // No input at all: every length is 0. EIP-198 charges 0, EIP-2565 its minimum of 200.
    auto r = run_precompile(A(5), {}, 0, Revision::Byzantium);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_TRUE(r.output.empty());
    EXPECT_EQ(gas_used(5, {}, Revision::Berlin), 200);
    expect_oog(5, {}, 199, Revision::Berlin);

    // Modulus length 0: empty output.
    r = run_precompile(A(5), modexp_input(1, 1, 0, "0302"), kLots, Revision::Berlin);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_TRUE(r.output.empty());

    // Zero modulus: mod_len zero bytes.
    r = run_precompile(A(5), modexp_input(1, 1, 4, "0302"), kLots, Revision::Berlin);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(to_hex(r.output), "00000000");

    // Modulus 1: zero output of the modulus length.
    r = run_precompile(A(5), modexp_input(1, 1, 2, "03020001"), kLots, Revision::Berlin);
    EXPECT_EQ(to_hex(r.output), "0000");
}

TEST(ModExpPrecompile, AstronomicalLengthsDoNotOverflow) {
    const std::string max_word(64, 'f');
    // Exponent length 2^256 - 1 with empty base and modulus: EIP-198 charges 0, EIP-2565 200,
    // and the exponent is never read.
    const bytes huge_exp = H(word(0) + max_word + word(0));
    auto r = run_precompile(A(5), huge_exp, 0, Revision::Byzantium);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_TRUE(r.output.empty());
    EXPECT_EQ(gas_used(5, huge_exp, Revision::Berlin), 200);
    // ... but with a 1-byte modulus it costs more than any gas.
    expect_oog(5, H(word(0) + max_word + word(1)), kMaxGas, Revision::Byzantium);
    expect_oog(5, H(word(0) + max_word + word(1)), kMaxGas, Revision::Berlin);
    // Huge base length.
    expect_oog(5, H(max_word + word(1) + word(1)), kMaxGas, Revision::Byzantium);
    expect_oog(5, H(max_word + word(1) + word(1)), kMaxGas, Revision::Berlin);
    // Lengths just past 64 bits.
    const std::string two_64 = "0000000000000000000000000000000000000000000000010000000000000000";
    expect_oog(5, H(word(0) + word(0) + two_64), kMaxGas, Revision::Berlin);
    expect_oog(5, H(word(1) + two_64 + word(1)), kMaxGas, Revision::Berlin);
    // Exponent length 2^40 with 1-byte operands: 8 * (2^40 - 32) / 3 gas, affordable in principle;
    // check the price only (the run itself would fail as beyond what is computable).
    const bytes big_exp = H(word(1) + word(uint64_t{1} << 40) + word(1));
    expect_oog(5, big_exp, static_cast<int64_t>(8 * ((uint64_t{1} << 40) - 32) / 3 - 1), Revision::Berlin);
    // Modulus length 2^40 is past the point where both formulas exceed 2^63.
    expect_oog(5, H(word(0) + word(0) + word(uint64_t{1} << 40)), kMaxGas, Revision::Berlin);
    expect_oog(5, H(word(0) + word(0) + word(uint64_t{1} << 40)), kMaxGas, Revision::Byzantium);
}

// ---------------------------------------------------------------------------------------------
// 0x09 blake2f (EIP-152 test vectors)

namespace {
const std::string kEip152Body =
    "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"  // h
    "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
    "61626300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"  // m
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "03000000000000000000000000000000"  // t
    "01";  // f
}  // namespace

TEST(Blake2fPrecompile, Eip152Vectors0To3Fail) {
    // 0: empty input; 1: 212 bytes; 2: 214 bytes; 3: final-block flag 2.
    const std::string body_flag2 = kEip152Body.substr(0, kEip152Body.size() - 2) + "02";
    for (const std::string& hex : {std::string{}, "00000c" + kEip152Body, "000000000c" + kEip152Body,
                                   "0000000c" + body_flag2}) {
        const auto r = run_precompile(A(9), H(hex), kLots, Revision::Istanbul);
        EXPECT_EQ(r.status, Status::PrecompileFailure) << hex.size() / 2;
        EXPECT_EQ(r.gas_left, 0);
        EXPECT_TRUE(r.output.empty());
    }
}

TEST(Blake2fPrecompile, Eip152Vectors4To7) {
    struct Case {
        std::string input;
        int64_t rounds;
        const char* output;
    };
    const std::string body_flag0 = kEip152Body.substr(0, kEip152Body.size() - 2) + "00";
    const Case cases[] = {
        {"00000000" + kEip152Body, 0,
         "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce0"
         "79217e1319cde05b"},
        {"0000000c" + kEip152Body, 12,
         "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf192"
         "5ab92386edd4009923"},
        {"0000000c" + body_flag0, 12,
         "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d6"
         "66a610c2116fde4735"},
        {"00000001" + kEip152Body, 1,
         "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c03"
         "4e717b9293fed7a421"},
    };
    for (const auto& c : cases) {
        const auto r = run_precompile(A(9), H(c.input), c.rounds, Revision::Istanbul);
        EXPECT_EQ(r.status, Status::Success) << c.rounds;
        EXPECT_EQ(r.gas_left, 0);
        EXPECT_EQ(to_hex(r.output), c.output) << c.rounds;
        if (c.rounds > 0) expect_oog(9, H(c.input), c.rounds - 1, Revision::Istanbul);
    }
}

TEST(Blake2fPrecompile, CheckOrderLengthGasFlag) {
    // execution-specs: length first, then gas, then the flag.
    const std::string body_flag2 = kEip152Body.substr(0, kEip152Body.size() - 2) + "02";
    EXPECT_EQ(run_precompile(A(9), H("0000000c" + body_flag2), 11, Revision::Cancun).status, Status::OutOfGas);
    EXPECT_EQ(run_precompile(A(9), H("0000000c" + body_flag2), 12, Revision::Cancun).status,
              Status::PrecompileFailure);
    EXPECT_EQ(run_precompile(A(9), H("ffffffff"), 0, Revision::Cancun).status, Status::PrecompileFailure);
}

// Vector 8 runs 2^32 - 1 rounds (tens of seconds): run with --gtest_also_run_disabled_tests.
TEST(Blake2fPrecompile, DISABLED_Eip152Vector8MaxRounds) {
    const auto r = run_precompile(A(9), H("ffffffff" + kEip152Body), 0xffffffff, Revision::Istanbul);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(to_hex(r.output),
              "fc59093aafa9ab43daae0e914c57635c5402d8e3d2130eb9b3cc181de7f0ecf9b22bf99a7815ce16419e200e01846e6b5df8cc7703"
              "041bbceb571de6631d2615");
}

// 0x0a point evaluation (EIP-4844) through run_precompile: activation, the flat 50000 gas, the
// success output and the failure convention. The cryptographic cases live in
// tests/unit/crypto/test_kzg.cpp; the input here is c-kzg-4844's
// verify_kzg_proof_case_correct_proof_31ebd010e6098750 (mainnet setup).
#include "common/hex.hpp"
#include "crypto/kzg.hpp"
#include "precompiles/precompiles.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {

Address A(unsigned n) {
    Address a;
    a[18] = static_cast<uint8_t>(n >> 8);
    a[19] = static_cast<uint8_t>(n);
    return a;
}

bytes valid_input() {
    const bytes c = *from_hex(
        "8f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3a952b7");
    const bytes z = *from_hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000");
    const bytes y = *from_hex("1522a4a7f34e1ea350ae07c29c96c7e79655aa926122e95fe69fcbd932ca49e9");
    const bytes pi = *from_hex(
        "a62ad71d14c5719385c0686f1871430475bf3a00f0aa3f7b8dd99a9abc2160744faf0070725e00b60ad9a026a15b1a8c");
    bytes in;
    const Hash32 vh = kzg::kzg_to_versioned_hash(std::span<const uint8_t, 48>(c.data(), 48));
    in.insert(in.end(), vh.bytes.begin(), vh.bytes.end());
    in.insert(in.end(), z.begin(), z.end());
    in.insert(in.end(), y.begin(), y.end());
    in.insert(in.end(), c.begin(), c.end());
    in.insert(in.end(), pi.begin(), pi.end());
    return in;
}

constexpr int64_t kGas = 100000;

}  // namespace

TEST(PointEvaluation, Activation) {
    EXPECT_FALSE(is_precompile(A(0x0a), Revision::Shanghai));
    EXPECT_TRUE(is_precompile(A(0x0a), Revision::Cancun));
    EXPECT_TRUE(is_precompile(A(0x0a), Revision::Prague));
    EXPECT_EQ(run_precompile(A(0x0a), valid_input(), kGas, Revision::Shanghai).status, Status::Failure);
}

TEST(PointEvaluation, ValidProof) {
    for (Revision rev : {Revision::Cancun, Revision::Prague}) {
        const auto r = run_precompile(A(0x0a), valid_input(), kGas, rev);
        ASSERT_EQ(r.status, Status::Success);
        EXPECT_EQ(r.gas_left, kGas - 50000);
        EXPECT_EQ(to_hex(r.output),
                  "0000000000000000000000000000000000000000000000000000000000001000"
                  "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    }
    // Exactly enough gas.
    const auto exact = run_precompile(A(0x0a), valid_input(), 50000, Revision::Cancun);
    EXPECT_EQ(exact.status, Status::Success);
    EXPECT_EQ(exact.gas_left, 0);
}

TEST(PointEvaluation, OutOfGas) {
    const auto r = run_precompile(A(0x0a), valid_input(), 49999, Revision::Cancun);
    EXPECT_EQ(r.status, Status::OutOfGas);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_TRUE(r.output.empty());
    // Gas is checked before the input: a malformed input without the gas is out of gas too.
    EXPECT_EQ(run_precompile(A(0x0a), {}, 49999, Revision::Cancun).status, Status::OutOfGas);
}

TEST(PointEvaluation, FailuresConsumeAllGas) {
    auto expect_failure = [](const bytes& in) {
        const auto r = run_precompile(A(0x0a), in, kGas, Revision::Cancun);
        EXPECT_EQ(r.status, Status::PrecompileFailure);
        EXPECT_EQ(r.gas_left, 0);
        EXPECT_TRUE(r.output.empty());
    };
    const bytes good = valid_input();
    expect_failure({});
    expect_failure(bytes(good.begin(), good.end() - 1));  // 191 bytes
    bytes longer = good;
    longer.push_back(0);
    expect_failure(longer);  // 193 bytes
    bytes wrong_hash = good;
    wrong_hash[0] = 0x00;  // versioned hash version byte
    expect_failure(wrong_hash);
    bytes wrong_y = good;
    wrong_y[95] ^= 1;  // false claim
    expect_failure(wrong_y);
    bytes big_z = good;
    kzg::kBlsModulus.store_be(big_z.data() + 32);  // z = BLS_MODULUS
    expect_failure(big_z);
    bytes bad_proof = good;
    bad_proof[144] &= 0x7f;  // compression flag cleared
    expect_failure(bad_proof);
}

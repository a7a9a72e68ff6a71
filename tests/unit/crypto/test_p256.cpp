// EIP-7951 P-256 verification. The valid signature was made once with an independent ECDSA
// implementation (Python `cryptography`, key derived from a fixed seed); the invalid inputs are
// that vector with one rule of EIP-7951 broken at a time.
#include "common/hex.hpp"
#include "crypto/p256.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
constexpr const char* kHash = "021569c3219c82a483e18a151878ee626dbc0aca15a90b4af70772f780b2beb7";
constexpr const char* kR = "785a296d713a5acdfc9da59789fc684159ff76dce9e688532132291efd4cd5e8";
constexpr const char* kS = "9a53a14eafe27c2df35d132cb4bd470eac30efad071a7e82db87d9ec9e3ca773";
constexpr const char* kSHigh = "65ac5eb0501d83d30ca2ecd34b42b8f110b60b009ffd20021831f0d65e267dde";  // n - s
constexpr const char* kQx = "36936e15f1c5271feca60d3d1d4ac7057359e5c6539d90528358feea5bf79424";
constexpr const char* kQy = "ae3ab56606312cee94611e28dad3b5a95b6e1316775d20d6e7be6098a6d8dd58";
// Curve constants of P-256 (SEC 2): the field prime p and the group order n.
constexpr const char* kP = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
constexpr const char* kN = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
constexpr const char* kZero = "0000000000000000000000000000000000000000000000000000000000000000";

bytes input(const char* h, const char* r, const char* s, const char* qx, const char* qy) {
    return *from_hex(std::string(h) + r + s + qx + qy);
}
bytes valid() { return input(kHash, kR, kS, kQx, kQy); }
}  // namespace

TEST(P256Verify, ValidSignatureVerifies) { EXPECT_TRUE(p256_verify(valid())); }

TEST(P256Verify, HighSIsAccepted) {
    // EIP-7951 has no low-s rule: (r, n - s) is the other valid signature of the same hash.
    EXPECT_TRUE(p256_verify(input(kHash, kR, kSHigh, kQx, kQy)));
}

TEST(P256Verify, WrongHashOrKeyFails) {
    bytes in = valid();
    in[0] ^= 1;  // another message
    EXPECT_FALSE(p256_verify(in));
    in = valid();
    in[40] ^= 1;  // another r
    EXPECT_FALSE(p256_verify(in));
}

TEST(P256Verify, InputMustBeExactly160Bytes) {
    bytes in = valid();
    in.push_back(0);
    EXPECT_FALSE(p256_verify(in));
    in.resize(159);
    EXPECT_FALSE(p256_verify(in));
    EXPECT_FALSE(p256_verify({}));
}

TEST(P256Verify, RAndSOutOfRangeFail) {
    EXPECT_FALSE(p256_verify(input(kHash, kZero, kS, kQx, kQy)));  // r = 0
    EXPECT_FALSE(p256_verify(input(kHash, kR, kZero, kQx, kQy)));  // s = 0
    EXPECT_FALSE(p256_verify(input(kHash, kN, kS, kQx, kQy)));     // r = n
    EXPECT_FALSE(p256_verify(input(kHash, kR, kN, kQx, kQy)));     // s = n
}

TEST(P256Verify, PointOffCurveOrOutOfFieldFails) {
    bytes in = valid();
    in[159] ^= 1;  // qy + 1 (or - 1): no longer on the curve
    EXPECT_FALSE(p256_verify(in));
    EXPECT_FALSE(p256_verify(input(kHash, kR, kS, kZero, kZero)));  // (0, 0): "infinity", not on the curve
    EXPECT_FALSE(p256_verify(input(kHash, kR, kS, kP, kQy)));       // qx = p
    EXPECT_FALSE(p256_verify(input(kHash, kR, kS, kQx, kP)));       // qy = p
}

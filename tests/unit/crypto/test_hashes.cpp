// SHA-256 and RIPEMD-160: FIPS 180-2 and the RIPEMD-160 authors' published test vectors.
#include "common/hex.hpp"
#include "crypto/hashes.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace polyvm;

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(to_hex(sha256(bytes_view{})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256(as_view("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256(as_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million_a(1000000, 'a');
    EXPECT_EQ(to_hex(sha256(as_view(million_a))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Ripemd160, KnownVectors) {
    EXPECT_EQ(to_hex(ripemd160(bytes_view{})), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
    EXPECT_EQ(to_hex(ripemd160(as_view("abc"))), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    EXPECT_EQ(to_hex(ripemd160(as_view("message digest"))), "5d0689ef49d2fae572b881b123a85ffa21595f36");
    EXPECT_EQ(to_hex(ripemd160(as_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
              "12a053384a9c0c88e405a06c27dcf49ada62eb2b");
}

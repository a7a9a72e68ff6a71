// EIP-191 personal-message hashes (web3.js documentation's "Hello World" vector), 65-byte
// signatures, and the EIP-712 "Mail" signature published with eth-sig-util's tests.
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "crypto/message_signing.hpp"

#include <gtest/gtest.h>

using namespace polyvm;

namespace {
Hash32 hash(std::string_view h) { return hash_from_hex(h).value(); }
}  // namespace

TEST(Eip191, PersonalMessageHash) {
    EXPECT_EQ(to_hex(eip191_personal_message_hash(as_view("Hello World"))),
              "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2");
    // Independent of the vector above: the preimage spelled out.
    const std::string message = "polyvm";
    EXPECT_EQ(eip191_personal_message_hash(as_view(message)),
              keccak256(std::string_view{"\x19" "Ethereum Signed Message:\n6polyvm"}));
    // The empty message still carries the length "0".
    EXPECT_EQ(eip191_personal_message_hash(bytes_view{}),
              keccak256(std::string_view{"\x19" "Ethereum Signed Message:\n0"}));
}

TEST(Eip191, LengthIsDecimalBytes) {
    const bytes message(1234, 0xff);
    bytes preimage;
    const std::string prefix = "\x19" "Ethereum Signed Message:\n1234";
    preimage.assign(prefix.begin(), prefix.end());
    preimage.insert(preimage.end(), message.begin(), message.end());
    EXPECT_EQ(eip191_personal_message_hash(message), keccak256(preimage));
}

TEST(MessageSignature, KnownEip712MailSignature) {
    // eth-sig-util's EIP-712 test: key keccak256("cow") signs the Mail digest be609a...; the
    // published signature is r ‖ s ‖ 0x1c (v = 28). RFC 6979 nonces make it deterministic.
    const Hash32 key = keccak256(std::string_view{"cow"});
    const Hash32 digest = hash("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
    const auto signature = sign_hash(digest, key);
    ASSERT_TRUE(signature.has_value());
    const auto wire = signature_bytes(*signature);
    EXPECT_EQ(to_hex(bytes_view{wire.data(), wire.size()}),
              "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6"
              "f72307f996231605b915621c");
    const auto signer = recover_signer_65(digest, bytes_view{wire.data(), wire.size()});
    ASSERT_TRUE(signer.has_value());
    EXPECT_EQ(to_hex(*signer), "cd2a3d9f938e13cd947ec05abc7fe734df8dd826");
}

TEST(MessageSignature, PersonalSignRoundTripWithKeyOne) {
    // The key 1 has the well-known address 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf.
    const Hash32 key = uint256{1}.to_hash();
    const Hash32 digest = eip191_personal_message_hash(as_view("Hello World"));
    const auto signature = sign_hash(digest, key);
    ASSERT_TRUE(signature.has_value());
    auto wire = signature_bytes(*signature);
    EXPECT_TRUE(wire[64] == 27 || wire[64] == 28);
    const auto expected = address_from_hex("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf").value();
    EXPECT_EQ(recover_signer_65(digest, bytes_view{wire.data(), wire.size()}), expected);
    // v as a bare recovery id (0/1) recovers the same signer.
    wire[64] = static_cast<uint8_t>(wire[64] - 27);
    EXPECT_EQ(recover_signer_65(digest, bytes_view{wire.data(), wire.size()}), expected);
    // The other recovery id gives another key (or none), never this signer.
    wire[64] ^= 1;
    EXPECT_NE(recover_signer_65(digest, bytes_view{wire.data(), wire.size()}), std::optional<Address>{expected});
}

TEST(MessageSignature, MalformedSignaturesRecoverNothing) {
    const Hash32 digest = eip191_personal_message_hash(as_view("x"));
    const auto good = signature_bytes(sign_hash(digest, uint256{7}.to_hash()).value());
    EXPECT_TRUE(recover_signer_65(digest, bytes_view{good.data(), good.size()}).has_value());
    EXPECT_FALSE(recover_signer_65(digest, bytes_view{good.data(), 64}).has_value());
    EXPECT_FALSE(recover_signer_65(digest, bytes{}).has_value());
    for (uint8_t v : {2, 26, 29, 35, 255}) {
        auto bad = good;
        bad[64] = v;
        EXPECT_FALSE(recover_signer_65(digest, bytes_view{bad.data(), bad.size()}).has_value()) << int(v);
    }
    auto zero_r = good;
    std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
    EXPECT_FALSE(recover_signer_65(digest, bytes_view{zero_r.data(), zero_r.size()}).has_value());
    auto big_s = good;
    std::fill(big_s.begin() + 32, big_s.begin() + 64, 0xff);
    EXPECT_FALSE(recover_signer_65(digest, bytes_view{big_s.data(), big_s.size()}).has_value());
}

TEST(MessageSignature, EthSigUtilPersonalSignVectors) {
    // @metamask/eth-sig-util personal_sign vectors: key, message bytes, 65-byte signature, signer.
    struct Vector {
        const char* key;
        bytes message;
        const char* signature;
        const char* address;
    };
    const Vector vectors[] = {
        {"6969696969696969696969696969696969696969696969696969696969696969", bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'},
         "ce909e8ea6851bc36c007a0072d0524b07a3ff8d4e623aca4c71ca8e57250c4d0a3fc38fa8fbaaa81ead4b9f6bd03356b6f8bf18bccad167d78891636e1d69561b",
         "be93f9bacbcffc8ee6663f2647917ed7a20a57bb"},
        {"6969696969696969696969696969696969696969696969696969696969696969",
         from_hex("0cc175b9c0f1b6a831c399e26977266192eb5ffee6ae2fec3ad71c777531578f").value(),
         "9ff8350cc7354b80740a3580d0e0fd4f1f02062040bc06b893d70906f8728bb5163837fd376bf77ce03b55e9bd092b32af60e86abce48f7b8d3539988ee5a9be1c",
         "be93f9bacbcffc8ee6663f2647917ed7a20a57bb"},
        {"4545454545454545454545454545454545454545454545454545454545454545",
         from_hex("0cc175b9c0f1b6a831c399e26977266192eb5ffee6ae2fec3ad71c777531578f").value(),
         "a2870db1d0c26ef93c7b72d2a0830fa6b841e0593f7186bc6c7cc317af8cf3a42fda03bd589a49949aa05db83300cdb553116274518dbe9d90c65d0213f4af491b",
         "e0da1edcea030875cd0f199d96eb70f6ab78faf2"},
    };
    for (const Vector& v : vectors) {
        const Hash32 digest = eip191_personal_message_hash(v.message);
        const auto signature = sign_hash(digest, hash(v.key));
        ASSERT_TRUE(signature.has_value());
        const auto wire = signature_bytes(*signature);
        EXPECT_EQ(to_hex(bytes_view{wire.data(), wire.size()}), v.signature);
        const bytes published = from_hex(v.signature).value();
        const auto signer = recover_signer_65(digest, published);
        ASSERT_TRUE(signer.has_value());
        EXPECT_EQ(to_hex(*signer), v.address);
    }
}

// BIP-39 seeds (Trezor's published vectors), BIP-32 test vector 1, and the Anvil/Hardhat default
// accounts (m/44'/60'/0'/0/i of "test test ... junk", addresses and keys as those tools print them).
#include "common/hex.hpp"
#include "crypto/bip32.hpp"
#include "crypto/bip39.hpp"
#include "crypto/secp256k1.hpp"

#include "unit/support/error_message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

using namespace polyvm;

namespace {
std::string seed_hex(std::string_view mnemonic, std::string_view passphrase) {
    const Seed512 seed = mnemonic_to_seed(mnemonic, passphrase);
    return to_hex(bytes_view{seed.data(), seed.size()});
}

bytes unhex(std::string_view h) { return from_hex(h).value(); }

Hash32 hash(std::string_view h) { return hash_from_hex(h).value(); }

constexpr std::string_view kAnvilMnemonic = "test test test test test test test test test test test junk";

}  // namespace

TEST(Bip39, TrezorVectorsWithPassphrase) {
    // trezor/python-mnemonic vectors.json (BIP-39's reference vectors), passphrase "TREZOR".
    EXPECT_EQ(seed_hex("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
                       "TREZOR"),
              "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4"
              "ab7c81b2f001698e7463b04");
    EXPECT_EQ(seed_hex("legal winner thank year wave sausage worth useful legal winner thank yellow", "TREZOR"),
              "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5b"
              "d381ee6260e8d9739fce1f607");
}

TEST(Bip39, WithoutPassphrase) {
    // The same phrase with the empty passphrase (published with the BIP-39 examples of many wallets).
    EXPECT_EQ(seed_hex("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", ""),
              "5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea66"
              "90f20ad3d8d48b2d2ce9e38e4");
}

TEST(Bip39, WhitespaceIsNormalized) {
    const Seed512 canonical = mnemonic_to_seed(kAnvilMnemonic);
    EXPECT_EQ(mnemonic_to_seed("  test test\ttest test  test test test test\ntest test test   junk \n"), canonical);
    EXPECT_NE(mnemonic_to_seed(kAnvilMnemonic, "x"), canonical);
}

TEST(Bip39, EmptyMnemonicIsRejected) {
    EXPECT_NE(test::error_message([] { mnemonic_to_seed(""); }).find("empty"), std::string::npos);
    EXPECT_NE(test::error_message([] { mnemonic_to_seed(" \t\n "); }).find("empty"), std::string::npos);
}

TEST(Bip32, MasterKeysOfBip39Seeds) {
    // Root keys published with the "abandon ... about" vectors as xprv strings, decoded (Base58Check
    // payload: chain code at bytes 13..44, key at 46..77). With "TREZOR" (Trezor's vectors.json):
    // xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF
    constexpr std::string_view phrase =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    const Seed512 trezor_seed = mnemonic_to_seed(phrase, "TREZOR");
    const ExtendedPrivateKey trezor = master_key_from_seed(bytes_view{trezor_seed.data(), trezor_seed.size()});
    EXPECT_EQ(to_hex(trezor.secret), "cbedc75b0d6412c85c79bc13875112ef912fd1e756631b5a00330866f22ff184");
    EXPECT_EQ(to_hex(trezor.chain_code), "a3fa8c983223306de0f0f65e74ebb1e98aba751633bf91d5fb56529aa5c132c1");
    // Without a passphrase (BIP-84's test vector root):
    // xprv9s21ZrQH143K3GJpoapnV8SFfukcVBSfeCficPSGfubmSFDxo1kuHnLisriDvSnRRuL2Qrg5ggqHKNVpxR86QEC8w35uxmGoggxtQTPvfUu
    const Seed512 plain_seed = mnemonic_to_seed(phrase);
    const ExtendedPrivateKey plain = master_key_from_seed(bytes_view{plain_seed.data(), plain_seed.size()});
    EXPECT_EQ(to_hex(plain.secret), "1837c1be8e2995ec11cda2b066151be2cfb48adf9e47b151d46adab3a21cdf67");
    EXPECT_EQ(to_hex(plain.chain_code), "7923408dadd3c7b56eed15567707ae5e5dca089de972e07f3b860450e2a3b70e");
}

TEST(Bip32, SpecTestVector1) {
    // BIP-32 test vector 1: seed 000102...0f, chain m/0H/1/2H/2/1000000000.
    const bytes seed = unhex("000102030405060708090a0b0c0d0e0f");
    const ExtendedPrivateKey master = master_key_from_seed(seed);
    EXPECT_EQ(to_hex(master.secret), "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35");
    EXPECT_EQ(to_hex(master.chain_code), "873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508");

    EXPECT_EQ(to_hex(derive_private_key(seed, "m")), "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35");
    EXPECT_EQ(to_hex(derive_private_key(seed, "m/0'")),
              "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea");
    EXPECT_EQ(to_hex(derive_private_key(seed, "m/0'/1")),
              "3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368");
    EXPECT_EQ(to_hex(derive_private_key(seed, "m/0H/1/2h")),
              "cbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca");
    EXPECT_EQ(to_hex(derive_private_key(seed, "m/0'/1/2'/2")),
              "0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4");
    EXPECT_EQ(to_hex(derive_private_key(seed, "m/0'/1/2'/2/1000000000")),
              "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8");

    // Chain codes along the way (BIP-32 lists them too): m/0H/1/2H/2/1000000000.
    ExtendedPrivateKey key = master;
    for (uint32_t index : parse_derivation_path("m/0'/1/2'/2/1000000000")) key = derive_child(key, index);
    EXPECT_EQ(to_hex(key.chain_code), "c783e67b921d2beb8f6b389cc646d7263b4145701dadd2161548a8b078e65e9e");
}

TEST(Bip32, AnvilDefaultAccounts) {
    const Seed512 seed = mnemonic_to_seed(kAnvilMnemonic);
    const bytes_view seed_view{seed.data(), seed.size()};
    struct Account {
        const char* key;
        const char* address;
    };
    const Account accounts[] = {
        {"ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"},
        {"59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "70997970c51812dc3a010c7d01b50e0d17dc79c8"},
        {"5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "3c44cdddb6a900fa2b585dd299e03d12fa4293bc"},
    };
    for (size_t i = 0; i < std::size(accounts); ++i) {
        const Hash32 key = derive_private_key(seed_view, "m/44'/60'/0'/0/" + std::to_string(i));
        EXPECT_EQ(to_hex(key), accounts[i].key) << "account " << i;
        const auto address = address_from_secret_key(key);
        ASSERT_TRUE(address.has_value());
        EXPECT_EQ(to_hex(*address), accounts[i].address) << "account " << i;
    }
}

TEST(Bip32, ParseDerivationPath) {
    EXPECT_EQ(parse_derivation_path("m"), std::vector<uint32_t>{});
    EXPECT_EQ(parse_derivation_path("m/44'/60'/0'/0/3"),
              (std::vector<uint32_t>{0x8000002Cu, 0x8000003Cu, 0x80000000u, 0u, 3u}));
    EXPECT_EQ(parse_derivation_path("m/2147483647h"), std::vector<uint32_t>{0xFFFFFFFFu});
}

TEST(Bip32, BadPathsNameTheComponent) {
    EXPECT_NE(test::error_message([] { parse_derivation_path(""); }).find("must start with \"m\""), std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("44'/60'"); }).find("must start with \"m\""), std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m44"); }).find("expected '/'"), std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/"); }).find("component 1 \"\" has no index"), std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/44'//0"); }).find("component 2 \"\" has no index"),
              std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/44'/6x0/0"); }).find("component 2 \"6x0\" is not a number"),
              std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/-1"); }).find("\"-1\" is not a number"), std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/0/'"); }).find("component 2 \"'\" has no index"),
              std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/2147483648"); }).find("too large"), std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/99999999999999999999999'"); }).find("too large"),
              std::string::npos);
    EXPECT_NE(test::error_message([] { parse_derivation_path("m/0/"); }).find("component 2 \"\" has no index"),
              std::string::npos);
}

TEST(Bip32, BadSeedsAreRejected) {
    EXPECT_NE(test::error_message([] { master_key_from_seed(bytes(15, 1)); }).find("16 to 64 bytes"), std::string::npos);
    EXPECT_NE(test::error_message([] { master_key_from_seed(bytes(65, 1)); }).find("16 to 64 bytes"), std::string::npos);
    EXPECT_NE(test::error_message([] { derive_private_key(bytes{}, "m/0"); }).find("16 to 64 bytes"), std::string::npos);
}

TEST(Bip32, InvalidParentIsRejected) {
    const ExtendedPrivateKey zero{};
    EXPECT_NE(test::error_message([&] { derive_child(zero, 0); }).find("parent key is invalid"), std::string::npos);
}

TEST(Secp256k1, SecretKeyValidity) {
    EXPECT_FALSE(is_valid_secret_key(Hash32{}));
    EXPECT_TRUE(is_valid_secret_key(hash("0x0000000000000000000000000000000000000000000000000000000000000001")));
    // n - 1 is the largest key, n itself is not one.
    EXPECT_TRUE(is_valid_secret_key((kSecp256k1N - uint256{1}).to_hash()));
    EXPECT_FALSE(is_valid_secret_key(kSecp256k1N.to_hash()));
    EXPECT_FALSE(is_valid_secret_key(uint256::max().to_hash()));
}

TEST(Secp256k1, CompressedPublicKeyOfOne) {
    // 1·G: the generator, x = 79be66...f81798 with even y (SEC 2).
    const auto pub = compressed_public_key(hash("0x0000000000000000000000000000000000000000000000000000000000000001"));
    ASSERT_TRUE(pub.has_value());
    EXPECT_EQ(to_hex(bytes_view{pub->data(), pub->size()}),
              "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    EXPECT_FALSE(compressed_public_key(Hash32{}).has_value());
}

TEST(Secp256k1, AddSecretKeys) {
    const Hash32 one = uint256{1}.to_hash();
    EXPECT_EQ(add_secret_keys(one, uint256{2}.to_hash()), uint256{3}.to_hash());
    // (n - 1) + 1 = 0 mod n: BIP-32's invalid child.
    EXPECT_FALSE(add_secret_keys((kSecp256k1N - uint256{1}).to_hash(), one).has_value());
    // A tweak >= n is invalid (BIP-32: IL >= n).
    EXPECT_FALSE(add_secret_keys(one, kSecp256k1N.to_hash()).has_value());
    EXPECT_FALSE(add_secret_keys(Hash32{}, one).has_value());
}

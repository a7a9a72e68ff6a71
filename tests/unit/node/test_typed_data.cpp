// EIP-712 hashing (eth_signTypedData_v4) against published vectors: the EIP's own "Mail"
// example, MetaMask eth-sig-util's V4 fixtures (bytes, recursive types, arrays, 2-d arrays),
// geth's apitypes tests (Gnosis Safe, arrays, custom array type, the failure cases), and viem's
// signatures by the first Anvil account. Expected values are the published ones, never ours.
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "crypto/message_signing.hpp"
#include "node/typed_data.hpp"

#include "unit/support/error_message.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

using namespace polyvm;
using nlohmann::json;

namespace {
std::string hex_of(const Hash32& h) { return to_hex(h); }

// keccak256 of a published encodeData string: hashStruct by EIP-712's definition.
std::string keccak_of_hex(std::string_view encoded) { return to_hex(keccak256(from_hex(encoded).value())); }


const char* const kMailDomainTypes = R"([
    {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}])";

const char* const kEtherMailDomain =
    R"({"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"})";

// The example of EIP-712 itself.
json mail_example() {
    json t;
    t["types"]["EIP712Domain"] = json::parse(kMailDomainTypes);
    t["types"]["Person"] = json::parse(R"([{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}])");
    t["types"]["Mail"] = json::parse(
        R"([{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}])");
    t["primaryType"] = "Mail";
    t["domain"] = json::parse(kEtherMailDomain);
    t["message"] = json::parse(R"({
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!"})");
    return t;
}

// eth-sig-util's "Type data with array" fixture.
json array_example() {
    return json::parse(R"({"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"Person":[{"name":"name","type":"string"},{"name":"wallets","type":"address[]"}],"Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person[]"},{"name":"contents","type":"string"}],"Group":[{"name":"name","type":"string"},{"name":"members","type":"Person[]"}]},"domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},"primaryType":"Mail","message":{"from":{"name":"Cow","wallets":["0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826","0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF"]},"to":[{"name":"Bob","wallets":["0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB","0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57","0xB0B0b0b0b0b0B000000000000000000000000000"]}],"contents":"Hello, Bob!"}})");
}

// viem's "complex" example (Name/Person/Mail with string[3], uint8, bool, bytes, UTF-8).
json viem_complex() {
    return json::parse(R"({
        "domain": {"name": "Ether Mail 🥵", "version": "1.1.1", "chainId": 1,
                   "verifyingContract": "0x0000000000000000000000000000000000000000"},
        "types": {
            "Name": [{"name": "first", "type": "string"}, {"name": "last", "type": "string"}],
            "Person": [{"name": "name", "type": "Name"}, {"name": "wallet", "type": "address"},
                       {"name": "favoriteColors", "type": "string[3]"}, {"name": "foo", "type": "uint256"},
                       {"name": "age", "type": "uint8"}, {"name": "isCool", "type": "bool"}],
            "Mail": [{"name": "timestamp", "type": "uint256"}, {"name": "from", "type": "Person"},
                     {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"},
                     {"name": "hash", "type": "bytes"}]},
        "primaryType": "Mail",
        "message": {
            "timestamp": 1234567890, "contents": "Hello, Bob! 🖤",
            "hash": "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef",
            "from": {"name": {"first": "Cow", "last": "Burns"}, "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826",
                     "age": 69, "foo": 123123123123123123, "favoriteColors": ["red", "green", "blue"], "isCool": false},
            "to": {"name": {"first": "Bob", "last": "Builder"}, "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB",
                   "age": 70, "foo": 123123123123123123, "favoriteColors": ["orange", "yellow", "green"], "isCool": true}}})");
}

// The 65-byte signature of the typed data by Anvil's first account (its key is public).
std::string anvil0_signature(const json& typed_data) {
    const Hash32 key = hash_from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").value();
    const auto signature = signature_bytes(sign_hash(typed_data_hash(typed_data), key).value());
    return to_hex(bytes_view{signature.data(), signature.size()});
}
}  // namespace

TEST(TypedData, Eip712MailExample) {
    const json t = mail_example();
    EXPECT_EQ(encode_type(t["types"], "Mail"), "Mail(Person from,Person to,string contents)Person(string name,address wallet)");
    EXPECT_EQ(encode_type(t["types"], "EIP712Domain"),
              "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    EXPECT_EQ(hex_of(keccak256(std::string_view{encode_type(t["types"], "Mail")})),
              "a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Person", t["message"]["from"])),
              "fc71e5fa27ff56c350aa531bc129ebdf613b772b6604664f5d8dbe21b85eb0c8");
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Person", t["message"]["to"])),
              "cd54f074a4af31b4411ff6a60c9719dbd559c221c8ac3492d9d872b041d703d1");
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Mail", t["message"])),
              "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
    EXPECT_EQ(hex_of(domain_separator(t)), "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
}

TEST(TypedData, RequestAsJsonText) {
    // ethers sends the request as a string of JSON, viem as an object: both hash the same.
    const std::string text = mail_example().dump();
    EXPECT_EQ(hex_of(typed_data_hash_of_text(text)), "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
    EXPECT_EQ(hex_of(typed_data_hash(json(text))), "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
    EXPECT_NE(test::error_message([] { typed_data_hash_of_text("{\"types\": "); }).find("not valid JSON"), std::string::npos);
    EXPECT_NE(test::error_message([] { typed_data_hash(json("nope")); }).find("not valid JSON"), std::string::npos);
}

TEST(TypedData, LowercaseAddressesHashTheSame) {
    json t = mail_example();
    t["domain"]["verifyingContract"] = "0xcccccccccccccccccccccccccccccccccccccccc";
    t["message"]["from"]["wallet"] = "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826";
    t["message"]["to"]["wallet"] = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    EXPECT_EQ(hex_of(typed_data_hash(t)), "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
}

TEST(TypedData, EthSigUtilBytesMember) {
    json t = mail_example();
    t["types"]["Mail"].push_back({{"name", "payload"}, {"type", "bytes"}});
    t["message"]["payload"] = "0x25192142931f380985072cdd991e37f65cf8253ba7a0e675b54163a1d133b8ca";
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Mail", t["message"])),
              "e004bdc1ca57ba9ad5ea8c81e54dcbdb3bfce2d1d5ad92113f0871fb2a6eb052");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "b4aaf457227fec401db772ec22d2095d1235ee5d0833f56f59108c9ffc90fb4b");
}

TEST(TypedData, EthSigUtilRecursiveTypes) {
    // V4: absent struct members (Lyanna's mother, ...) encode as zero words.
    const json t = json::parse(R"({"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"Person":[{"name":"name","type":"string"},{"name":"mother","type":"Person"},{"name":"father","type":"Person"}]},"domain":{"name":"Family Tree","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},"primaryType":"Person","message":{"name":"Jon","mother":{"name":"Lyanna","father":{"name":"Rickard"}},"father":{"name":"Rhaegar","father":{"name":"Aeris II"}}}})");
    EXPECT_EQ(encode_type(t["types"], "Person"), "Person(string name,Person mother,Person father)");
    EXPECT_EQ(hex_of(keccak256(std::string_view{encode_type(t["types"], "Person")})),
              "7c5c8e90cb92c8da53b893b24962513be98afcf1b57b00327ae4cc14e3a64116");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "807773b9faa9879d4971b43856c4d60c2da15c6f8c062bd9d33afefb756de19c");
}

TEST(TypedData, EthSigUtilReplyToRecursion) {
    const json types = json::parse(R"({"EIP712Domain": [],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
                 {"name": "contents", "type": "string"}, {"name": "replyTo", "type": "Mail"}]})");
    const json message = json::parse(R"({
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!",
        "replyTo": {"to": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                    "from": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                    "contents": "Hello!"}})");
    EXPECT_EQ(hex_of(hash_struct(types, "Mail", message)),
              keccak_of_hex("66658e9662034bcd21df657297dab8ba47f0ae05dd8aa253cc935d9aacfd9d10"
                            "fc71e5fa27ff56c350aa531bc129ebdf613b772b6604664f5d8dbe21b85eb0c8"
                            "cd54f074a4af31b4411ff6a60c9719dbd559c221c8ac3492d9d872b041d703d1"
                            "b5aadf3154a261abdd9086fc627b61efca26ae5702701d05cd2305f7c52a2fc8"
                            "161abe35f76debc1e0496baa54308eb1f1331218276bf01c4af34ee637780b25"));
}

TEST(TypedData, EthSigUtilArrays) {
    const json t = array_example();
    EXPECT_EQ(encode_type(t["types"], "Mail"),
              "Mail(Person from,Person[] to,string contents)Person(string name,address[] wallets)");
    EXPECT_EQ(hex_of(keccak256(std::string_view{encode_type(t["types"], "Mail")})),
              "4bd8a9a2b93427bb184aca81e24beb30ffa3c747e2a33d4225ec08bf12e2e753");
    EXPECT_EQ(hex_of(keccak256(std::string_view{encode_type(t["types"], "Person")})),
              "fabfe1ed996349fc6027709802be19d047da1aa5d6894ff5f6486d92db2e6860");
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Person", t["message"]["from"])),
              "9b4846dd48b866f0ac54d61b9b21a9e746f921cefa4ee94c4c0a1c49c774f67f");
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Person", t["message"]["to"][0])),
              "efa62530c7ae3a290f8a13a5fc20450bdb3a6af19d9d9d2542b5a94e631a9168");
    EXPECT_EQ(hex_of(hash_struct(t["types"], "Mail", t["message"])),
              "eb4221181ff3f1a83ea7313993ca9218496e424604ba9492bb4052c03d5c3df8");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "a85c2e2b118698e88db68a8105b794a8cc7cec074e89ef991cb4f5f533819cc2");
}

TEST(TypedData, EthSigUtilTwoDimensionalArrayOfSignedInts) {
    json t = array_example();
    t["types"]["Person"].push_back({{"name", "logo_matrix"}, {"type", "int[][]"}});
    t["message"]["from"]["logo_matrix"] = json::parse("[[0,255],[-255,-1]]");
    t["message"]["to"][0]["logo_matrix"] = json::parse("[[0,0],[0,0]]");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "5370bb332dbe5d922832f1654d01b5d42cbbfd7bb999e939836f4a40a12a8bd4");
}

TEST(TypedData, FixedBytesMember) {
    json t = mail_example();
    t["types"]["Person"].push_back({{"name", "count"}, {"type", "bytes8"}});
    t["primaryType"] = "Person";
    t["message"] = json::parse(
        R"({"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", "count": "0x1122334455667788"})");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "2a3e64893ed4ba30ea34dbff3b0aa08c7677876cfdf7112362eccf3111f58d1d");
}

TEST(TypedData, GethGnosisSafeTransaction) {
    // Integers as decimal strings and JSON numbers, empty bytes, a domain of one field.
    const json t = json::parse(R"({
        "types": {"EIP712Domain": [{"type": "address", "name": "verifyingContract"}],
                  "SafeTx": [{"type": "address", "name": "to"}, {"type": "uint256", "name": "value"},
                             {"type": "bytes", "name": "data"}, {"type": "uint8", "name": "operation"},
                             {"type": "uint256", "name": "safeTxGas"}, {"type": "uint256", "name": "baseGas"},
                             {"type": "uint256", "name": "gasPrice"}, {"type": "address", "name": "gasToken"},
                             {"type": "address", "name": "refundReceiver"}, {"type": "uint256", "name": "nonce"}]},
        "domain": {"verifyingContract": "0x25a6c4BBd32B2424A9c99aEB0584Ad12045382B3"},
        "primaryType": "SafeTx",
        "message": {"to": "0x9eE457023bB3De16D51A003a247BaEaD7fce313D", "value": "20000000000000000", "data": "0x",
                    "operation": 0, "safeTxGas": 27845, "baseGas": 0, "gasPrice": "0",
                    "gasToken": "0x0000000000000000000000000000000000000000",
                    "refundReceiver": "0x0000000000000000000000000000000000000000", "nonce": 3}})");
    EXPECT_EQ(hex_of(typed_data_hash(t)), "28bae2bd58d894a1d9b69e5e9fde3570c4b98a6fc5499aefb54fb830137e831f");
}

TEST(TypedData, GethArraysOfBasicTypes) {
    // uint[] elements as a 0x string, a decimal string and an integral float.
    const json types = json::parse(R"({"Foo": [{"name": "addys", "type": "address[]"},
        {"name": "stringies", "type": "string[]"}, {"name": "inties", "type": "uint[]"}]})");
    const json message = json::parse(R"({
        "addys": ["0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002",
                  "0x0000000000000000000000000000000000000003"],
        "stringies": ["lorem", "ipsum", "dolores"],
        "inties": ["0x0000000000000000000000000000000000000001", "3", 4.0]})");
    EXPECT_EQ(hex_of(hash_struct(types, "Foo", message)),
              keccak_of_hex("20259eda63cf4f1c8c331d57d8e044683c26c3bb1c97b25c56f0c2ff963f3f9d"
                            "6e0c627900b24bd432fe7b1f713f1b0744091a646a9fe4a65a18dfed21f2949c"
                            "fdd277c623d919b59ae5ce87e31a89f081611b0036f04a506517bb1b2b17747c"
                            "aba7d5d4fe9af307550a2b994140e4d4aec2a2dc7c3a38ffb88b0c020c377417"));
}

TEST(TypedData, GethCustomArrayType) {
    const json types = json::parse(R"({"Person": [{"name": "name", "type": "string"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person[]"},
                 {"name": "contents", "type": "string"}]})");
    const json message =
        json::parse(R"({"from": {"name": "Cow"}, "to": [{"name": "Moose"}, {"name": "Goose"}], "contents": "Hello, Bob!"})");
    EXPECT_EQ(hex_of(hash_struct(types, "Mail", message)),
              keccak_of_hex("ef61350d5e86546c92ecd89ebd469611ddf0af2e7e89a0b20aa97f91bff967b2"
                            "bfb54ec5e6bf391ea339a110356cb0fd003296b0dabe4b0b2e51d0e50c815c8a"
                            "44470a26ef91e1456b46eab63fd9c426f81bfd7869b3c51f1e33aff56cede602"
                            "b5aadf3154a261abdd9086fc627b61efca26ae5702701d05cd2305f7c52a2fc8"));
}

TEST(TypedData, ViemSignaturesByAnvilAccount0) {
    // viem's test vectors, signed by 0xf39F...2266. "basic" has no EIP712Domain in types: it is made
    // from the domain's fields.
    json basic = mail_example();
    basic["types"].erase("EIP712Domain");
    basic["domain"]["verifyingContract"] = "0x0000000000000000000000000000000000000000";
    EXPECT_EQ(anvil0_signature(basic),
              "32f3d5975ba38d6c2fba9b95d5cbed1febaa68003d3d588d51f2de522ad54117760cfc249470a75232552e43991f53953a3d74edf"
              "6944553c6bef2469bb9e5921b");

    // primaryType EIP712Domain: keccak256("\x19\x01" ‖ domainSeparator) alone.
    const json minimal = json::parse(R"({"types": {"EIP712Domain": []}, "primaryType": "EIP712Domain", "domain": {}, "message": {}})");
    EXPECT_EQ(anvil0_signature(minimal),
              "da87197eb020923476a6d0149ca90bc1c894251cc30b38e0dd2cdd48567e12386d3ed40a509397410a4fd2d66e1300a39ac42f828"
              "f8a5a2cb948b35c22cf29e81c");

    json complex = viem_complex();
    EXPECT_EQ(anvil0_signature(complex),
              "c4d8bcda762d35ea79d9542b23200f46c2c1899db15bf929bbacaf609581db0831538374a01206517edd934e474212a0f1e2d62e9"
              "a01cd64f1cf94ea2e0988491c");
    complex["domain"] = json::parse(R"({"chainId": 0})");
    EXPECT_EQ(anvil0_signature(complex),
              "0ab57c83d3eebb0015ea5382d70aae9a5724a35fb9904f52c505bf783c10364639c126471a542ac6a1b5dcd8f1dc2dc5b1ce346f0"
              "63ff6104750d53029a7c8cb1c");
    complex["domain"] = json::parse(R"({"name": ""})");
    EXPECT_EQ(anvil0_signature(complex),
              "270eb0f0209a0d43d328327dad9b04bf1ec67dc1fca3fb3235385b7b4a64410621fea5d2d64d3ef41266b17fffda854bc03083ba"
              "7ce8e9b740d643ac9dc98e911c");
    complex["domain"] = json::parse(R"({"verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"})");
    EXPECT_EQ(anvil0_signature(complex),
              "a74d8aa1ff14231fedeaf7a929e86ac55d80256bee24e1f8ebba9bd092a9351651b6669da7f5d0a7209243f8dee1026b018ed03d"
              "d5ce01b7ecb75a8880deeeb01b");
}

TEST(TypedData, GethFailureCases) {
    // geth's apitypes failure fixtures, each rejected with the member named.
    const json base = mail_example();
    {
        json t = base;  // a struct named "Person[]" must not stand in for the array type
        t["types"]["Person[]"] = json::parse(R"([{"name": "baz", "type": "string"}])");
        t["types"]["Mail"][1]["type"] = "Person[]";
        t["message"]["to"] = json::parse(R"({"baz": "foo"})");
        EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("message.to: expected an array"), std::string::npos);
    }
    {
        json t = base;  // datamismatch_1: a string where a Person is declared
        t["types"]["Mail"][2]["type"] = "Person";
        EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("message.contents: expected an object of type Person"),
                  std::string::npos);
    }
    {
        json t = base;  // extradata1: garbage after a type name
        t["types"]["EIP712Domain"][2]["type"] = "uint256 ... and now for something completely different";
        EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("types.EIP712Domain.chainId: unknown type"), std::string::npos);
    }
    {
        json t = base;  // malformeddomainkeys: verifyingContract misspelled
        t["domain"].erase("verifyingContract");
        t["domain"]["vFAILFAILerifyingContract"] = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC";
        EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("domain.verifyingContract: missing value"), std::string::npos);
    }
    {
        json t = base;  // nonexistant_type
        t["types"]["Mail"][2]["type"] = "Blahonga";
        EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("types.Mail.contents: unknown type \"Blahonga\""),
                  std::string::npos);
    }
    json small = base;
    small["types"]["Mail"] = json::parse(R"([{"name": "test", "type": "uint8"}])");
    for (const char* bad : {R"("257")", "257", R"("255.3")", "255.3", "-1", R"("-1")"}) {
        small["message"] = {{"test", json::parse(bad)}};
        const std::string error = test::error_message([&] { typed_data_hash(small); });
        EXPECT_NE(error.find("message.test"), std::string::npos) << bad << ": " << error;
    }
}

TEST(TypedData, IntegerFormsAndRanges) {
    const json types = json::parse(R"({"N": [{"name": "v", "type": "int8"}], "U": [{"name": "v", "type": "uint16"}]})");
    const auto hash_of = [&](const char* type, const json& v) { return hash_struct(types, type, json{{"v", v}}); };
    // By EIP-712's definition: keccak256(typeHash ‖ 32-byte two's-complement word).
    const auto expected = [](std::string_view type_string, const uint256& word) {
        bytes preimage;
        const Hash32 type_hash = keccak256(type_string);
        preimage.insert(preimage.end(), type_hash.bytes.begin(), type_hash.bytes.end());
        const Hash32 w = word.to_hash();
        preimage.insert(preimage.end(), w.bytes.begin(), w.bytes.end());
        return keccak256(preimage);
    };
    const Hash32 minus_128 = expected("N(int8 v)", -uint256{128});
    EXPECT_EQ(hash_of("N", -128), minus_128);
    EXPECT_EQ(hash_of("N", "-128"), minus_128);
    EXPECT_EQ(hash_of("N", "-0x80"), minus_128);
    EXPECT_EQ(hash_of("N", -128.0), minus_128);
    EXPECT_EQ(hash_of("N", 127), expected("N(int8 v)", uint256{127}));
    EXPECT_EQ(hash_of("U", "0xFFFF"), expected("U(uint16 v)", uint256{65535}));
    EXPECT_EQ(hash_of("U", "65535"), expected("U(uint16 v)", uint256{65535}));
    EXPECT_EQ(hash_of("U", "-0"), expected("U(uint16 v)", uint256{0}));
    for (const json& bad : {json(-129), json(128), json("0x80"), json("-0x81")})
        EXPECT_NE(test::error_message([&] { hash_of("N", bad); }).find("out of range for int8"), std::string::npos) << bad;
    EXPECT_NE(test::error_message([&] { hash_of("U", 65536); }).find("out of range for uint16"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_of("U", -1); }).find("negative"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_of("U", 1e300); }).find("not an exact integer"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_of("U", "12a"); }).find("not a number"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_of("U", "0x"); }).find("not a number"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_of("U", ""); }).find("not a number"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_of("U", true); }).find("expected an integer"), std::string::npos);
    const std::string huge(80, '9');
    EXPECT_NE(test::error_message([&] { hash_of("U", huge); }).find("does not fit in 256 bits"), std::string::npos);

    // uint256 bounds: 2^256 - 1 fits, int256's minimum is -2^255.
    const json wide = json::parse(R"({"W": [{"name": "v", "type": "uint256"}], "S": [{"name": "v", "type": "int256"}]})");
    EXPECT_EQ(hash_struct(wide, "W", json{{"v", "0x" + std::string(64, 'f')}}), expected("W(uint256 v)", uint256::max()));
    EXPECT_EQ(hash_struct(wide, "S", json{{"v", "-0x8" + std::string(63, '0')}}),
              expected("S(int256 v)", uint256{1} << 255));
    EXPECT_NE(test::error_message([&] { hash_struct(wide, "S", json{{"v", "0x8" + std::string(63, '0')}}); }).find("out of range"),
              std::string::npos);
}

TEST(TypedData, OtherMemberErrorsNameTheMember) {
    const json types = json::parse(R"({"T": [
        {"name": "flag", "type": "bool"}, {"name": "who", "type": "address"}, {"name": "b4", "type": "bytes4"},
        {"name": "raw", "type": "bytes"}, {"name": "text", "type": "string"}, {"name": "pair", "type": "uint8[2]"}]})");
    const json good = json::parse(
        R"({"flag": "true", "who": "CD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", "b4": "0x01020304", "raw": "0x", "text": "", "pair": [1, "2"]})");
    EXPECT_NO_THROW(hash_struct(types, "T", good));
    // "true" as a string and true as a bool encode alike (geth accepts both).
    json as_bool = good;
    as_bool["flag"] = true;
    EXPECT_EQ(hash_struct(types, "T", good), hash_struct(types, "T", as_bool));

    const auto error_with = [&](const char* member, const json& value) {
        json t = good;
        t[member] = value;
        return test::error_message([&] { hash_struct(types, "T", t); });
    };
    EXPECT_NE(error_with("flag", 1).find("T.flag: expected a bool"), std::string::npos);
    EXPECT_NE(error_with("who", "0x1234").find("T.who: \"0x1234\" is not a 20-byte hex address"), std::string::npos);
    EXPECT_NE(error_with("who", 5).find("T.who: expected an address"), std::string::npos);
    EXPECT_NE(error_with("b4", "0x010203").find("T.b4: bytes4 needs exactly 4 bytes, got 3"), std::string::npos);
    EXPECT_NE(error_with("b4", "01020304").find("T.b4: \"01020304\" is not 0x-prefixed hex"), std::string::npos);
    EXPECT_NE(error_with("raw", "0xabc").find("T.raw: \"0xabc\" is not valid hex"), std::string::npos);
    EXPECT_NE(error_with("text", 7).find("T.text: expected a string"), std::string::npos);
    EXPECT_NE(error_with("pair", json::parse("[1]")).find("T.pair: uint8[2] needs 2 elements, got 1"), std::string::npos);
    EXPECT_NE(error_with("pair", json::parse("[1, 256]")).find("T.pair[1]: 256 is out of range for uint8"),
              std::string::npos);
    EXPECT_NE(error_with("pair", "12").find("T.pair: expected an array"), std::string::npos);
    json missing = good;
    missing.erase("text");
    EXPECT_NE(test::error_message([&] { hash_struct(types, "T", missing); }).find("T.text: missing value of type string"),
              std::string::npos);
    // Invalid UTF-8 in a bad value still gives an std::invalid_argument (the message replaces it).
    EXPECT_NE(error_with("who", std::string("\xff\xfe")).find("T.who"), std::string::npos);
    json null_member = good;
    null_member["who"] = nullptr;
    EXPECT_NE(test::error_message([&] { hash_struct(types, "T", null_member); }).find("T.who: missing value"), std::string::npos);
}

TEST(TypedData, MalformedRequestsAndTypes) {
    const json mail = mail_example();
    EXPECT_NE(test::error_message([] { typed_data_hash(json::array()); }).find("must be a JSON object"), std::string::npos);
    for (const char* key : {"types", "primaryType", "domain", "message"}) {
        json t = mail;
        t.erase(key);
        EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find(std::string("no \"") + key + "\""), std::string::npos) << key;
    }
    json t = mail;
    t["primaryType"] = "Letter";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("primaryType \"Letter\" is not defined"), std::string::npos);
    t = mail;
    t["primaryType"] = 3;
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("\"primaryType\" must be a string"), std::string::npos);
    t = mail;
    t["types"]["Person"] = "name,wallet";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("types.Person must be an array"), std::string::npos);
    t = mail;
    t["types"]["Person"][1] = json::parse(R"({"name": "wallet"})");
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("types.Person[1] must be an object"), std::string::npos);
    t = mail;
    t["types"]["Mail"][0]["type"] = "Person[x]";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("bad array length"), std::string::npos);
    t = mail;
    t["types"]["Mail"][0]["type"] = "Person[0]";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("array length 0"), std::string::npos);
    t = mail;
    t["types"]["Mail"][0]["type"] = "uint7";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("unknown type \"uint7\""), std::string::npos);
    t = mail;
    t["types"]["Mail"][0]["type"] = "bytes33";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("unknown type \"bytes33\""), std::string::npos);
    t = mail;
    t["message"] = "hello";
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("message: expected an object of type Mail"), std::string::npos);
    // Without EIP712Domain in types, a domain field outside the standard five is refused.
    t = mail;
    t["types"].erase("EIP712Domain");
    t["domain"]["chain"] = 1;
    EXPECT_NE(test::error_message([&] { typed_data_hash(t); }).find("domain.chain is not an EIP712Domain field"), std::string::npos);
    EXPECT_NE(test::error_message([&] { hash_struct(mail["types"], "Nobody", json::object()); }).find("\"Nobody\" is not defined"),
              std::string::npos);
}

TEST(TypedData, CyclicTypesTerminate) {
    // encodeType of a cycle lists each type once; a value nested past the limit is refused.
    const json types = json::parse(R"({"A": [{"name": "b", "type": "B"}], "B": [{"name": "a", "type": "A[]"}]})");
    EXPECT_EQ(encode_type(types, "A"), "A(B b)B(A[] a)");
    EXPECT_EQ(encode_type(types, "B"), "B(A[] a)A(B b)");
    json value = json::object();  // A with b absent: the zero word
    for (int i = 0; i < 100; ++i) value = json{{"b", json{{"a", json::array({value})}}}};
    EXPECT_NE(test::error_message([&] { hash_struct(types, "A", value); }).find("nested deeper than 64"), std::string::npos);
    json shallow = json{{"b", json{{"a", json::array({json::object()})}}}};
    EXPECT_NO_THROW(hash_struct(types, "A", shallow));

    std::string deep_type = "uint8";
    json deep_value = 1;
    for (int i = 0; i < 80; ++i) {
        deep_type += "[]";
        deep_value = json::array({deep_value});
    }
    const json array_types = json{{"D", json::array({json{{"name", "v"}, {"type", deep_type}}})}};
    EXPECT_NE(test::error_message([&] { hash_struct(array_types, "D", json{{"v", deep_value}}); }).find("nested deeper than 64"),
              std::string::npos);
}

// Hand-written transaction tests: round trips per type, signing and recovery, the EIP-155
// example, intrinsic gas per fork, the static validation rules, and decoder robustness.
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "tx/transaction.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace polyvm;

namespace {

const Hash32 kKey = *hash_from_hex("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8");

uint256 U(const char* s) { return *uint256::from_string(s); }

Transaction base(TransactionType type) {
    Transaction tx;
    tx.type = type;
    tx.chain_id = uint256{1};
    tx.nonce = 7;
    tx.gas_limit = 100000;
    tx.to = *address_from_hex("0x095e7baea6a6c7c4c2dfeb977efac326af552d87");
    tx.value = U("1000000000000000000");
    tx.data = {0x00, 0x01, 0x02, 0x00, 0xff};
    if (type == TransactionType::Legacy || type == TransactionType::AccessList) {
        tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = uint256{10};
    } else {
        tx.max_fee_per_gas = tx.gas_price = uint256{30};
        tx.max_priority_fee_per_gas = uint256{2};
    }
    if (type != TransactionType::Legacy) {
        tx.access_list = {{*address_from_hex("0x00000000000000000000000000000000000000aa"),
                           {Hash32{}, *hash_from_hex("0x01000000000000000000000000000000000000000000000000000000000000ff")}},
                          {*address_from_hex("0x00000000000000000000000000000000000000bb"), {}}};
    }
    if (type == TransactionType::Blob) {
        tx.max_fee_per_blob_gas = uint256{5};
        Hash32 h{};
        h[0] = 0x01;
        h[31] = 0x42;
        tx.blob_versioned_hashes = {h, h};
    }
    if (type == TransactionType::SetCode) {
        Authorization a;
        a.chain_id = uint256{1};
        a.address = *address_from_hex("0x00000000000000000000000000000000000000cc");
        a.nonce = 3;
        a.y_parity = 1;
        a.r = U("0x1234");
        a.s = U("0x5678");
        tx.authorization_list = {a};
    }
    return tx;
}

Transaction decode_ok(bytes_view b) {
    auto r = decode_transaction(b);
    if (auto* e = std::get_if<TransactionError>(&r)) {
        ADD_FAILURE() << "decode failed: " << e->rule << " " << e->detail;
        return {};
    }
    return std::get<Transaction>(r);
}

std::string decode_rule(bytes_view b) {
    auto r = decode_transaction(b);
    if (auto* e = std::get_if<TransactionError>(&r)) return e->rule;
    return "OK";
}

void expect_same(const Transaction& a, const Transaction& b) {
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.chain_id, b.chain_id);
    EXPECT_EQ(a.nonce, b.nonce);
    EXPECT_EQ(a.gas_price, b.gas_price);
    EXPECT_EQ(a.max_priority_fee_per_gas, b.max_priority_fee_per_gas);
    EXPECT_EQ(a.max_fee_per_gas, b.max_fee_per_gas);
    EXPECT_EQ(a.gas_limit, b.gas_limit);
    EXPECT_EQ(a.to, b.to);
    EXPECT_EQ(a.value, b.value);
    EXPECT_EQ(a.data, b.data);
    ASSERT_EQ(a.access_list.size(), b.access_list.size());
    for (size_t i = 0; i < a.access_list.size(); ++i) {
        EXPECT_EQ(a.access_list[i].address, b.access_list[i].address);
        EXPECT_EQ(a.access_list[i].storage_keys, b.access_list[i].storage_keys);
    }
    EXPECT_EQ(a.max_fee_per_blob_gas, b.max_fee_per_blob_gas);
    EXPECT_EQ(a.blob_versioned_hashes, b.blob_versioned_hashes);
    ASSERT_EQ(a.authorization_list.size(), b.authorization_list.size());
    for (size_t i = 0; i < a.authorization_list.size(); ++i) {
        const auto &x = a.authorization_list[i], &y = b.authorization_list[i];
        EXPECT_EQ(x.chain_id, y.chain_id);
        EXPECT_EQ(x.address, y.address);
        EXPECT_EQ(x.nonce, y.nonce);
        EXPECT_EQ(x.y_parity, y.y_parity);
        EXPECT_EQ(x.r, y.r);
        EXPECT_EQ(x.s, y.s);
    }
    EXPECT_EQ(a.v, b.v);
    EXPECT_EQ(a.r, b.r);
    EXPECT_EQ(a.s, b.s);
}

}  // namespace

TEST(TxCodec, SignEncodeDecodeRecoverEveryType) {
    const Address signer = *address_from_secret_key(kKey);
    struct Case {
        TransactionType type;
        bool with_chain_id;
        Revision rev;
    };
    const Case cases[] = {
        {TransactionType::Legacy, false, Revision::Frontier}, {TransactionType::Legacy, true, Revision::SpuriousDragon},
        {TransactionType::AccessList, true, Revision::Berlin}, {TransactionType::DynamicFee, true, Revision::London},
        {TransactionType::Blob, true, Revision::Cancun},       {TransactionType::SetCode, true, Revision::Prague},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(transaction_type_name(c.type)) + (c.with_chain_id ? " with chain id" : ""));
        Transaction tx = base(c.type);
        if (!c.with_chain_id) tx.chain_id.reset();
        ASSERT_TRUE(sign_transaction(tx, kKey));
        EXPECT_EQ(tx.sender, signer);
        if (c.type == TransactionType::Legacy && c.with_chain_id)
            EXPECT_TRUE(tx.v == uint256{37} || tx.v == uint256{38});  // EIP-155, chain id 1
        else if (c.type == TransactionType::Legacy)
            EXPECT_TRUE(tx.v == uint256{27} || tx.v == uint256{28});
        else
            EXPECT_TRUE(tx.v <= uint256{1});  // typed: y_parity
        const bytes enc = encode_transaction(tx);
        if (c.type == TransactionType::Legacy)
            EXPECT_GE(enc[0], 0xc0);
        else
            EXPECT_EQ(enc[0], static_cast<uint8_t>(c.type));
        Transaction dec = decode_ok(enc);
        expect_same(tx, dec);
        EXPECT_EQ(encode_transaction(dec), enc);
        EXPECT_EQ(transaction_hash(dec), keccak256(enc));
        EXPECT_EQ(signing_hash(dec), signing_hash(tx));
        auto who = recover_sender(dec, c.rev);
        ASSERT_TRUE(std::holds_alternative<Address>(who)) << std::get<TransactionError>(who).detail;
        EXPECT_EQ(std::get<Address>(who), signer);
        EXPECT_EQ(dec.sender, signer);
        EXPECT_FALSE(validate_transaction_static(dec, c.rev).has_value());
        // Tampering with any signed field changes the recovered sender.
        Transaction bad = dec;
        bad.nonce += 1;
        auto other = recover_sender(bad, c.rev);
        if (auto* a = std::get_if<Address>(&other)) {
            EXPECT_NE(*a, signer);
        }
    }
}

TEST(TxCodec, LegacyVValues) {
    Transaction tx = base(TransactionType::Legacy);
    tx.chain_id.reset();
    ASSERT_TRUE(sign_transaction(tx, kKey));
    EXPECT_TRUE(tx.v == uint256{27} || tx.v == uint256{28});
    tx.chain_id = uint256{5};
    ASSERT_TRUE(sign_transaction(tx, kKey));
    EXPECT_TRUE(tx.v == uint256{45} || tx.v == uint256{46});  // 5 * 2 + 35 + {0, 1}
    Transaction dec = decode_ok(encode_transaction(tx));
    EXPECT_EQ(dec.chain_id, uint256{5});
    // EIP-155 signatures only from Spurious Dragon.
    EXPECT_EQ(std::get<TransactionError>(recover_sender(dec, Revision::TangerineWhistle)).rule, "INVALID_SIGNATURE_VRS");
    EXPECT_TRUE(std::holds_alternative<Address>(recover_sender(dec, Revision::SpuriousDragon)));
    EXPECT_EQ(validate_chain_id(dec, Revision::SpuriousDragon, uint256{1})->rule, "INVALID_CHAINID");
    EXPECT_FALSE(validate_chain_id(dec, Revision::SpuriousDragon, uint256{5}).has_value());
    EXPECT_EQ(validate_transaction_static(dec, Revision::London, TxValidationContext{uint256{1}, {}})->rule,
              "INVALID_CHAINID");
    // v = 29 is neither form.
    dec.v = uint256{29};
    EXPECT_EQ(std::get<TransactionError>(recover_sender(dec, Revision::Frontier)).rule, "INVALID_SIGNATURE_VRS");
    EXPECT_EQ(std::get<TransactionError>(recover_sender(dec, Revision::Cancun)).rule, "INVALID_CHAINID");
}

TEST(TxCodec, Eip155Example) {
    // The example of EIP-155: nonce 9, gas price 20 gwei, gas 21000, to 0x3535..., 1 ether.
    Transaction tx;
    tx.nonce = 9;
    tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = U("20000000000");
    tx.gas_limit = 21000;
    tx.to = *address_from_hex("0x3535353535353535353535353535353535353535");
    tx.value = U("1000000000000000000");
    tx.chain_id = uint256{1};
    const bytes signing_data =
        *from_hex("0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080");
    EXPECT_EQ(signing_hash(tx), keccak256(signing_data));
    EXPECT_EQ(to_hex(signing_hash(tx)), "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    // The EIP's signed transaction, by key 0x4646...46, recovers that key's address.
    const Hash32 key = *hash_from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
    const bytes signed_tx = *from_hex(
        "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc"
        "2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a"
        "3b6d83");
    Transaction dec = decode_ok(signed_tx);
    EXPECT_EQ(dec.chain_id, uint256{1});
    EXPECT_EQ(dec.v, uint256{37});
    EXPECT_EQ(signing_hash(dec), signing_hash(tx));
    auto who = recover_sender(dec, Revision::Cancun);
    ASSERT_TRUE(std::holds_alternative<Address>(who)) << std::get<TransactionError>(who).detail;
    EXPECT_EQ(std::get<Address>(who), *address_from_hex("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"));
    EXPECT_EQ(std::get<Address>(who), *address_from_secret_key(key));
    // RFC 6979 signing is deterministic: signing the same transaction gives the same bytes.
    ASSERT_TRUE(sign_transaction(tx, key));
    EXPECT_EQ(to_hex(encode_transaction(tx)), to_hex(signed_tx));
}

TEST(TxCodec, SignatureRules) {
    Transaction tx = base(TransactionType::DynamicFee);
    ASSERT_TRUE(sign_transaction(tx, kKey));
    Transaction t = tx;
    t.v = uint256{2};
    EXPECT_EQ(std::get<TransactionError>(recover_sender(t, Revision::London)).rule, "INVALID_SIGNATURE_VRS");
    t = tx;
    t.r = uint256{};
    EXPECT_EQ(std::get<TransactionError>(recover_sender(t, Revision::London)).rule, "INVALID_SIGNATURE_VRS");
    t = tx;
    t.s = kSecp256k1N;
    EXPECT_EQ(std::get<TransactionError>(recover_sender(t, Revision::London)).rule, "INVALID_SIGNATURE_VRS");
    // EIP-2: (r, n - s) with the other recovery id is the same signature, refused from Homestead.
    Transaction legacy = base(TransactionType::Legacy);
    legacy.chain_id.reset();
    ASSERT_TRUE(sign_transaction(legacy, kKey));
    Transaction flipped = legacy;
    flipped.s = kSecp256k1N - legacy.s;
    flipped.v = legacy.v == uint256{27} ? uint256{28} : uint256{27};
    EXPECT_EQ(std::get<TransactionError>(recover_sender(flipped, Revision::Homestead)).rule, "INVALID_SIGNATURE_VRS");
    auto frontier = recover_sender(flipped, Revision::Frontier);
    ASSERT_TRUE(std::holds_alternative<Address>(frontier));
    EXPECT_EQ(std::get<Address>(frontier), *address_from_secret_key(kKey));
}

TEST(TxCodec, IntrinsicGas) {
    Transaction call;
    call.to = Address{};
    call.data = {0, 0, 1, 2};
    EXPECT_EQ(intrinsic_gas(call, Revision::Frontier), 21000 + 2 * 4 + 2 * 68);
    EXPECT_EQ(intrinsic_gas(call, Revision::Petersburg), 21000 + 2 * 4 + 2 * 68);
    EXPECT_EQ(intrinsic_gas(call, Revision::Istanbul), 21000 + 2 * 4 + 2 * 16);  // EIP-2028

    Transaction create = call;
    create.to.reset();
    create.data = bytes(33, 1);
    EXPECT_EQ(intrinsic_gas(create, Revision::Frontier), 21000 + 33 * 68);
    EXPECT_EQ(intrinsic_gas(create, Revision::Homestead), 53000 + 33 * 68);        // EIP-2
    EXPECT_EQ(intrinsic_gas(create, Revision::Paris), 53000 + 33 * 16);
    EXPECT_EQ(intrinsic_gas(create, Revision::Shanghai), 53000 + 33 * 16 + 2 * 2);  // EIP-3860: 2 words

    Transaction al = base(TransactionType::AccessList);
    al.data.clear();
    EXPECT_EQ(intrinsic_gas(al, Revision::Berlin), 21000 + 2 * 2400 + 2 * 1900);  // EIP-2930

    Transaction sc = base(TransactionType::SetCode);
    sc.data.clear();
    EXPECT_EQ(intrinsic_gas(sc, Revision::Prague), 21000 + 2 * 2400 + 2 * 1900 + 25000);  // EIP-7702

    // EIP-7623 floor: 21000 + 10 * (zeros + 4 * non-zeros), only from Prague.
    EXPECT_EQ(calldata_floor_gas(call, Revision::Cancun), 0);
    EXPECT_EQ(calldata_floor_gas(call, Revision::Prague), 21000 + 10 * (2 + 4 * 2));
}

TEST(TxCodec, StaticValidation) {
    auto rule = [](const Transaction& tx, Revision rev) {
        auto e = validate_transaction_static(tx, rev);
        return e ? e->rule : std::string("OK");
    };
    Transaction t = base(TransactionType::DynamicFee);
    EXPECT_EQ(rule(t, Revision::Berlin), "TYPE_NOT_SUPPORTED");
    EXPECT_EQ(rule(t, Revision::London), "OK");
    EXPECT_EQ(rule(base(TransactionType::AccessList), Revision::Istanbul), "TYPE_NOT_SUPPORTED");
    // Blob and set-code transactions have execution-spec-tests names of their own before their fork.
    EXPECT_EQ(rule(base(TransactionType::Blob), Revision::Shanghai), "TYPE_3_TX_PRE_FORK");
    EXPECT_EQ(rule(base(TransactionType::SetCode), Revision::Cancun), "TYPE_4_TX_PRE_FORK");

    t.max_priority_fee_per_gas = t.max_fee_per_gas + uint256{1};
    EXPECT_EQ(rule(t, Revision::London), "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS");

    t = base(TransactionType::DynamicFee);
    t.gas_limit = 21000;
    EXPECT_EQ(rule(t, Revision::London), "INTRINSIC_GAS_TOO_LOW");

    t = base(TransactionType::DynamicFee);
    t.nonce = ~uint64_t{0};
    EXPECT_EQ(rule(t, Revision::London), "NONCE_IS_MAX");
    t.nonce = ~uint64_t{0} - 1;
    EXPECT_EQ(rule(t, Revision::London), "OK");

    t = base(TransactionType::DynamicFee);
    t.max_fee_per_gas = t.max_priority_fee_per_gas = uint256::max();
    EXPECT_EQ(rule(t, Revision::London), "GASLIMIT_PRICE_PRODUCT_OVERFLOW");

    Transaction create = base(TransactionType::Legacy);
    create.to.reset();
    create.gas_limit = 10'000'000;
    create.data = bytes(kMaxInitcodeSize, 0x01);
    EXPECT_EQ(rule(create, Revision::Shanghai), "OK");
    create.data.push_back(0x01);
    EXPECT_EQ(rule(create, Revision::Shanghai), "INITCODE_SIZE_EXCEEDED");
    EXPECT_EQ(rule(create, Revision::Paris), "OK");

    Transaction blob = base(TransactionType::Blob);
    EXPECT_EQ(rule(blob, Revision::Cancun), "OK");
    blob.to.reset();
    EXPECT_EQ(rule(blob, Revision::Cancun), "TYPE_3_TX_CONTRACT_CREATION");
    blob = base(TransactionType::Blob);
    blob.blob_versioned_hashes.clear();
    EXPECT_EQ(rule(blob, Revision::Cancun), "TYPE_3_TX_ZERO_BLOBS");
    blob = base(TransactionType::Blob);
    blob.blob_versioned_hashes[1][0] = 0x02;
    EXPECT_EQ(rule(blob, Revision::Cancun), "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH");
    blob = base(TransactionType::Blob);
    blob.blob_versioned_hashes.resize(7, blob.blob_versioned_hashes[0]);
    // Before Osaka the block's limit is the only one: one transaction over it has too many blobs.
    EXPECT_EQ(rule(blob, Revision::Cancun), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    EXPECT_EQ(rule(blob, Revision::Prague), "OK");
    EXPECT_EQ(rule(blob, Revision::Osaka), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    // From Osaka, exceeding the block's limit is reported first, as its blob gas allowance.
    blob.blob_versioned_hashes.resize(10, blob.blob_versioned_hashes[0]);
    EXPECT_EQ(rule(blob, Revision::Prague), "TYPE_3_TX_BLOB_COUNT_EXCEEDED");
    EXPECT_EQ(rule(blob, Revision::Osaka), "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED");
    blob.blob_versioned_hashes.resize(7);
    EXPECT_EQ(validate_transaction_static(blob, Revision::Cancun, TxValidationContext{uint256{1}, 10}), std::nullopt);

    Transaction sc = base(TransactionType::SetCode);
    EXPECT_EQ(rule(sc, Revision::Prague), "OK");
    sc.authorization_list.clear();
    EXPECT_EQ(rule(sc, Revision::Prague), "TYPE_4_EMPTY_AUTHORIZATION_LIST");
    sc = base(TransactionType::SetCode);
    sc.to.reset();
    EXPECT_EQ(rule(sc, Revision::Prague), "TYPE_4_TX_CONTRACT_CREATION");

    Transaction big = base(TransactionType::DynamicFee);
    big.gas_limit = kMaxTransactionGasLimit + 1;
    EXPECT_EQ(rule(big, Revision::Prague), "OK");
    EXPECT_EQ(rule(big, Revision::Osaka), "GAS_LIMIT_EXCEEDS_MAXIMUM");

    Transaction floor = base(TransactionType::DynamicFee);
    floor.access_list.clear();
    floor.data = bytes(100, 0xff);  // intrinsic 21000 + 1600, floor 21000 + 4000
    floor.gas_limit = 23000;
    EXPECT_EQ(rule(floor, Revision::Cancun), "OK");
    // Below the EIP-7623 floor is the same rule as below the intrinsic gas (execution-specs).
    const auto below_floor = validate_transaction_static(floor, Revision::Prague);
    ASSERT_TRUE(below_floor);
    EXPECT_EQ(below_floor->rule, "INTRINSIC_GAS_TOO_LOW");
    EXPECT_NE(below_floor->detail.find("calldata floor 25000"), std::string::npos) << below_floor->detail;
    floor.gas_limit = 25000;
    EXPECT_EQ(rule(floor, Revision::Prague), "OK");
}

TEST(TxCodec, DecodeErrors) {
    EXPECT_EQ(decode_rule({}), "RLP_ERROR_EOF");
    EXPECT_EQ(decode_rule(*from_hex("05c0")), "TYPE_NOT_SUPPORTED");
    EXPECT_EQ(decode_rule(*from_hex("00c0")), "TYPE_NOT_SUPPORTED");
    EXPECT_EQ(decode_rule(*from_hex("02")), "RLP_ERROR_EOF");
    EXPECT_EQ(decode_rule(*from_hex("02c0")), "RLP_TOO_FEW_ELEMENTS");
    EXPECT_EQ(decode_rule(*from_hex("8180")), "TYPE_NOT_SUPPORTED");

    // Blob transaction with a 31-byte versioned hash.
    Transaction blob = base(TransactionType::Blob);
    ASSERT_TRUE(sign_transaction(blob, kKey));
    bytes enc = encode_transaction(blob);
    EXPECT_EQ(decode_rule(enc), "OK");
    // Appending a byte after the envelope is a size error.
    bytes longer = enc;
    longer.push_back(0);
    EXPECT_EQ(decode_rule(longer), "RLP_ERROR_SIZE");
    // Too many elements.
    {
        auto items = rlp::list_items(*rlp::decode_item(bytes_view{enc}.subspan(1)));
        rlp::ListBuilder b;
        for (const auto& i : *items) b.add_raw(i.encoded);
        b.add(uint64_t{1});
        bytes extra = b.finish();
        extra.insert(extra.begin(), 0x03);
        EXPECT_EQ(decode_rule(extra), "RLP_TOO_MANY_ELEMENTS");
    }
    // Nonce of 9 bytes, gas limit as a list, `to` of 19 bytes.
    auto legacy_with = [](size_t index, const bytes& encoded_field) {
        Transaction t = base(TransactionType::Legacy);
        t.v = uint256{27};
        t.r = t.s = uint256{1};
        const bytes e = encode_transaction(t);
        auto items = rlp::list_items(*rlp::decode_item(e));
        rlp::ListBuilder b;
        for (size_t i = 0; i < items->size(); ++i) b.add_raw(i == index ? bytes_view{encoded_field} : (*items)[i].encoded);
        return decode_rule(b.finish());
    };
    EXPECT_EQ(legacy_with(0, rlp::encode(bytes(9, 0x11))), "NONCE_OVERFLOW");
    EXPECT_EQ(legacy_with(0, *from_hex("820001")), "RLP_LEADING_ZEROS_NONCE");
    EXPECT_EQ(legacy_with(0, *from_hex("8105")), "RLP_LEADING_ZEROS_NONCE_SIZE");
    EXPECT_EQ(legacy_with(2, rlp::encode_list({})), "RLP_INVALID_GASLIMIT");
    EXPECT_EQ(legacy_with(3, rlp::encode(bytes(19, 0x11))), "ADDRESS_TOO_SHORT");
    EXPECT_EQ(legacy_with(3, rlp::encode(bytes(21, 0x11))), "ADDRESS_TOO_LONG");
    // A value over 256 bits: the name the state and blockchain fixtures expect (ValueOverflowParis).
    EXPECT_EQ(legacy_with(4, rlp::encode(bytes(33, 0x11))), "RLP_INVALID_VALUE");
    EXPECT_EQ(legacy_with(7, rlp::encode(bytes(33, 0x11))), "INVALID_SIGNATURE_VRS");
    EXPECT_EQ(legacy_with(5, rlp::encode_list({})), "RLP_INVALID_DATA");
}

TEST(TxCodec, DecoderNeverCrashesOnMutations) {
    // Truncations and random byte flips of valid encodings of every type: the decoder must
    // return (a transaction or an error with a rule), never crash or read out of bounds.
    std::mt19937_64 rng(42);
    size_t errors = 0, total = 0;
    for (auto type : {TransactionType::Legacy, TransactionType::AccessList, TransactionType::DynamicFee,
                      TransactionType::Blob, TransactionType::SetCode}) {
        Transaction tx = base(type);
        ASSERT_TRUE(sign_transaction(tx, kKey));
        const bytes enc = encode_transaction(tx);
        for (size_t n = 0; n < enc.size(); ++n) {
            auto r = decode_transaction(bytes_view{enc.data(), n});
            ASSERT_TRUE(std::holds_alternative<TransactionError>(r)) << "truncation to " << n << " accepted";
            EXPECT_FALSE(std::get<TransactionError>(r).rule.empty());
            ++errors, ++total;
        }
        for (int i = 0; i < 3000; ++i) {
            bytes m = enc;
            const int flips = 1 + static_cast<int>(rng() % 3);
            for (int f = 0; f < flips; ++f) m[rng() % m.size()] = static_cast<uint8_t>(rng());
            auto r = decode_transaction(m);
            ++total;
            if (auto* e = std::get_if<TransactionError>(&r)) {
                ++errors;
                EXPECT_FALSE(e->rule.empty());
            } else {
                // Whatever decodes must re-encode to the same bytes (canonical decoding).
                EXPECT_EQ(encode_transaction(std::get<Transaction>(r)), m);
            }
        }
    }
    EXPECT_GT(errors, 0u);
    EXPECT_GT(total, errors);
}

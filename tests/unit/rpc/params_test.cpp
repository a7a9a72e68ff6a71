// Parameter decoding with geth's error texts (go-ethereum common/hexutil, rpc/types.go), and the
// result encoders.
#include "rpc/params.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::rpc;

namespace {

// The -32602 message a call throws ("" when it does not throw).
template <typename F>
std::string invalid_params_message(F&& f) {
    try {
        f();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, kInvalidParams);
        return e.what();
    }
    return "";
}

json args(std::string_view text) { return json::parse(text); }

}  // namespace

TEST(Params, QuantityU64) {
    EXPECT_EQ(param_quantity_u64(args(R"(["0x0"])"), 0), 0u);
    EXPECT_EQ(param_quantity_u64(args(R"(["0x1a"])"), 0), 26u);
    EXPECT_EQ(param_quantity_u64(args(R"(["0xFFffFFffFFffFFff"])"), 0), 0xffffffffffffffffULL);
    EXPECT_EQ(param_quantity_u64(args(R"([5])"), 0), 5u);  // plain JSON integer, as Anvil accepts
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"(["1a"])"), 0); }),
              "invalid argument 0: hex string without 0x prefix");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"(["0x"])"), 0); }), "invalid argument 0: hex string \"0x\"");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"([""])"), 0); }), "invalid argument 0: empty hex string");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"(["0x01"])"), 0); }),
              "invalid argument 0: hex number with leading zero digits");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"(["0x10000000000000000"])"), 0); }),
              "invalid argument 0: hex number > 64 bits");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"(["0xzz"])"), 0); }), "invalid argument 0: invalid hex string");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"([1, true])"), 1); }),
              "invalid argument 1: json: cannot unmarshal non-string into Go value of type hexutil.Uint64");
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"([-1])"), 0); }),
              "invalid argument 0: json: cannot unmarshal non-string into Go value of type hexutil.Uint64");
}

TEST(Params, MissingAndOptional) {
    EXPECT_EQ(invalid_params_message([] { param_quantity_u64(args(R"(["0x1"])"), 1); }), "missing value for required argument 1");
    EXPECT_EQ(invalid_params_message([] { param_address(args(R"([null])"), 0); }), "missing value for required argument 0");
    EXPECT_FALSE(param_optional_quantity_u64(args(R"([])"), 0));
    EXPECT_FALSE(param_optional_quantity_u64(args(R"([null])"), 0));
    EXPECT_EQ(param_optional_quantity_u64(args(R"(["0x2"])"), 0), std::optional<uint64_t>(2));
    EXPECT_FALSE(param_optional_bool(args("[]"), 0));
    EXPECT_EQ(invalid_params_message([] { param_optional_data(args(R"(["zz"])"), 0); }),
              "invalid argument 0: hex string without 0x prefix");
    EXPECT_EQ(invalid_params_message([] { param_at(args(R"({"a":1})"), 0); }), "non-array args");
}

TEST(Params, Count) {
    EXPECT_NO_THROW(param_count(args("[1,2]"), 2));
    EXPECT_NO_THROW(param_count(json(), 0));
    EXPECT_EQ(invalid_params_message([] { param_count(args("[1,2,3]"), 2); }), "too many arguments, want at most 2");
}

TEST(Params, Quantity256) {
    const uint256 max = param_quantity(args(R"(["0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"])"), 0);
    EXPECT_EQ(max, uint256::max());
    // 2^128 + 0x1234: independent of the decoder, built from limbs.
    EXPECT_EQ(param_quantity(args(R"(["0x100000000000000000000000000001234"])"), 0), (uint256{0x1234, 0, 1, 0}));
    EXPECT_EQ(param_quantity(args(R"(["0x0"])"), 0), uint256{});
    EXPECT_EQ(invalid_params_message([] { param_quantity(args(R"(["0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"])"), 0); }),
              "invalid argument 0: hex number > 256 bits");
    EXPECT_EQ(invalid_params_message([] { param_quantity(args(R"([{}])"), 0); }),
              "invalid argument 0: json: cannot unmarshal non-string into Go value of type *hexutil.Big");
}

TEST(Params, Data) {
    EXPECT_EQ(param_data(args(R"(["0x"])"), 0), bytes{});
    EXPECT_EQ(param_data(args(R"([""])"), 0), bytes{});
    EXPECT_EQ(param_data(args(R"(["0x00ff1A"])"), 0), (bytes{0x00, 0xff, 0x1a}));
    EXPECT_EQ(invalid_params_message([] { param_data(args(R"(["0x123"])"), 0); }), "invalid argument 0: hex string of odd length");
    EXPECT_EQ(invalid_params_message([] { param_data(args(R"(["0x12zz"])"), 0); }), "invalid argument 0: invalid hex string");
    EXPECT_EQ(invalid_params_message([] { param_data(args(R"(["1234"])"), 0); }), "invalid argument 0: hex string without 0x prefix");
    EXPECT_EQ(invalid_params_message([] { param_data(args(R"([12])"), 0); }),
              "invalid argument 0: json: cannot unmarshal non-string into Go value of type hexutil.Bytes");
}

TEST(Params, AddressAndHash) {
    const Address a = param_address(args(R"(["0x00000000000000000000000000000000000000Ab"])"), 0);
    EXPECT_EQ(a[19], 0xab);
    EXPECT_EQ(a[0], 0);
    EXPECT_EQ(invalid_params_message([] { param_address(args(R"(["0x000000000000000000000000000000000000ab"])"), 0); }),
              "invalid argument 0: hex string has length 38, want 40 for common.Address");
    EXPECT_EQ(invalid_params_message([] { param_address(args(R"(["00000000000000000000000000000000000000ab"])"), 0); }),
              "invalid argument 0: hex string without 0x prefix");
    EXPECT_EQ(invalid_params_message([] { param_address(args(R"(["0x00000000000000000000000000000000000000ag"])"), 0); }),
              "invalid argument 0: invalid hex string");
    const Hash32 h = param_hash(args(R"([1, "0x0100000000000000000000000000000000000000000000000000000000000002"])"), 1);
    EXPECT_EQ(h[0], 1);
    EXPECT_EQ(h[31], 2);
    EXPECT_EQ(invalid_params_message([] { param_hash(args(R"(["0x01"])"), 0); }),
              "invalid argument 0: hex string has length 2, want 64 for common.Hash");
}

TEST(Params, Bool) {
    EXPECT_TRUE(param_bool(args("[true]"), 0));
    EXPECT_FALSE(param_bool(args("[false]"), 0));
    EXPECT_EQ(invalid_params_message([] { param_bool(args(R"(["true"])"), 0); }),
              "invalid argument 0: json: cannot unmarshal string into Go value of type bool");
}

TEST(Params, BlockSelectors) {
    using Tag = BlockSelector::Tag;
    const BlockSelector fallback = BlockSelector::latest();
    EXPECT_EQ(param_block(args("[]"), 0, fallback).tag, Tag::Latest);
    EXPECT_EQ(param_block(args("[null]"), 0, BlockSelector::of_number(9)), BlockSelector::of_number(9));
    EXPECT_EQ(param_block(args(R"(["latest"])"), 0, fallback).tag, Tag::Latest);
    EXPECT_EQ(param_block(args(R"(["pending"])"), 0, fallback).tag, Tag::Pending);
    EXPECT_EQ(param_block(args(R"(["safe"])"), 0, fallback).tag, Tag::Safe);
    EXPECT_EQ(param_block(args(R"(["finalized"])"), 0, fallback).tag, Tag::Finalized);
    EXPECT_EQ(param_block(args(R"(["earliest"])"), 0, fallback).tag, Tag::Earliest);
    EXPECT_EQ(param_block(args(R"(["0x10"])"), 0, fallback), BlockSelector::of_number(16));
    EXPECT_EQ(param_block(args(R"([16])"), 0, fallback), BlockSelector::of_number(16));

    // EIP-1898 objects.
    const std::string hash = "0x00000000000000000000000000000000000000000000000000000000000000aa";
    Hash32 expected{};
    expected[31] = 0xaa;
    EXPECT_EQ(param_block(args(R"([{"blockNumber":"0x5"}])"), 0, fallback), BlockSelector::of_number(5));
    EXPECT_EQ(param_block(args(R"([{"blockNumber":"safe"}])"), 0, fallback).tag, Tag::Safe);
    EXPECT_EQ(param_block(json::array({json{{"blockHash", hash}}}), 0, fallback), BlockSelector::of_hash(expected, false));
    EXPECT_EQ(param_block(json::array({json{{"blockHash", hash}, {"requireCanonical", true}}}), 0, fallback),
              BlockSelector::of_hash(expected, true));
    EXPECT_EQ(param_block(json::array({hash}), 0, fallback), BlockSelector::of_hash(expected, false));

    EXPECT_EQ(invalid_params_message([&] { param_block(json::array({json{{"blockHash", hash}, {"blockNumber", "0x1"}}}), 0, fallback); }),
              "invalid argument 0: cannot specify both BlockHash and BlockNumber, choose one or the other");
    EXPECT_EQ(invalid_params_message([] { param_block(args("[{}]"), 0, BlockSelector::latest()); }),
              "invalid argument 0: invalid arguments; neither block nor hash specified");
    EXPECT_EQ(invalid_params_message([] { param_block(args(R"(["newest"])"), 0, BlockSelector::latest()); }),
              "invalid argument 0: hex string without 0x prefix");
    EXPECT_EQ(invalid_params_message([] { param_block(args(R"(["0x8000000000000000"])"), 0, BlockSelector::latest()); }),
              "invalid argument 0: block number larger than int64");
    EXPECT_EQ(invalid_params_message([] { param_block(args(R"([1, {"blockHash":"0x12"}])"), 1, BlockSelector::latest()); }),
              "invalid argument 1: hex string has length 2, want 64 for common.Hash");
}

TEST(Params, Encoders) {
    EXPECT_EQ(quantity(uint64_t{0}), "0x0");
    EXPECT_EQ(quantity(uint64_t{26}), "0x1a");
    EXPECT_EQ(quantity(uint64_t{0x100}), "0x100");
    EXPECT_EQ(quantity(~uint64_t{0}), "0xffffffffffffffff");
    EXPECT_EQ(quantity(uint256{}), "0x0");
    EXPECT_EQ(quantity(uint256{0x1a}), "0x1a");
    EXPECT_EQ(quantity(uint256{0, 1, 0, 0}), "0x10000000000000000");
    EXPECT_EQ(data_hex(bytes{}), "0x");
    EXPECT_EQ(data_hex(bytes{0x00, 0xab}), "0x00ab");
    Address a{};
    a[19] = 0xcd;
    EXPECT_EQ(hex(a), "0x00000000000000000000000000000000000000cd");
    Hash32 h{};
    h[0] = 0xef;
    EXPECT_EQ(hex(h), "0xef00000000000000000000000000000000000000000000000000000000000000");
}

#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "fixtures_path.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>

using namespace polyvm;
using nlohmann::json;

namespace {

json load_json(const std::filesystem::path& p) {
    std::ifstream f(p);
    return json::parse(f);
}

bytes hex(std::string_view s) {
    auto b = from_hex(s);
    EXPECT_TRUE(b.has_value()) << "bad hex in test: " << s;
    return b.value_or(bytes{});
}

/// Decimal string of any size to minimal big-endian bytes (the fixtures' "#..." integers can be
/// wider than 256 bits, e.g. 2^256).
bytes decimal_to_be(std::string_view dec) {
    bytes be;  // big-endian accumulator
    for (char c : dec) {
        unsigned carry = static_cast<unsigned>(c - '0');
        for (size_t i = be.size(); i-- > 0;) {
            const unsigned t = be[i] * 10u + carry;
            be[i] = static_cast<uint8_t>(t);
            carry = t >> 8;
        }
        while (carry) {
            be.insert(be.begin(), static_cast<uint8_t>(carry));
            carry >>= 8;
        }
    }
    while (!be.empty() && be[0] == 0) be.erase(be.begin());
    return be;
}

/// Converts a fixture's "in" value to the RLP tree it denotes.
rlp::Value to_value(const json& in) {
    rlp::Value v;
    if (in.is_array()) {
        v.is_list = true;
        for (const auto& e : in) v.items.push_back(to_value(e));
    } else if (in.is_number_unsigned() || in.is_number_integer()) {
        const uint64_t n = in.get<uint64_t>();
        const bytes enc = rlp::encode(n);
        auto item = rlp::decode_item(enc);
        v.str.assign(item->payload.begin(), item->payload.end());
    } else {
        const std::string s = in.get<std::string>();
        if (!s.empty() && s[0] == '#')
            v.str = decimal_to_be(std::string_view{s}.substr(1));
        else
            v.str.assign(s.begin(), s.end());
    }
    return v;
}

bool same(const rlp::Value& a, const rlp::Value& b) {
    if (a.is_list != b.is_list) return false;
    if (!a.is_list) return a.str == b.str;
    if (a.items.size() != b.items.size()) return false;
    for (size_t i = 0; i < a.items.size(); ++i)
        if (!same(a.items[i], b.items[i])) return false;
    return true;
}

}  // namespace

TEST(Rlp, EncodeBasics) {
    EXPECT_EQ(rlp::encode(bytes_view{}), hex("80"));
    EXPECT_EQ(rlp::encode(uint64_t{0}), hex("80"));
    EXPECT_EQ(rlp::encode(uint64_t{0x7f}), hex("7f"));
    EXPECT_EQ(rlp::encode(uint64_t{0x80}), hex("8180"));
    EXPECT_EQ(rlp::encode(uint64_t{0x0400}), hex("820400"));
    EXPECT_EQ(rlp::encode(uint256{}), hex("80"));
    EXPECT_EQ(rlp::encode(uint256::max()), hex("a0" + std::string(64, 'f')));
    EXPECT_EQ(rlp::encode("dog"), hex("83646f67"));
    EXPECT_EQ(rlp::encode_list({rlp::encode("cat"), rlp::encode("dog")}), hex("c88363617483646f67"));
    EXPECT_EQ(rlp::ListBuilder{}.add("cat").add(uint64_t{1}).add_raw(rlp::encode_list({})).finish(),
              hex("c6836361740" "1c0"));
    const bytes long_str(1024, 0xaa);
    const bytes enc = rlp::encode(long_str);
    EXPECT_EQ(bytes(enc.begin(), enc.begin() + 3), hex("b90400"));
}

TEST(Rlp, ListBuilderTakeGivesWhatFinishGives) {
    // take() moves the header in front of the items in the builder's own buffer; the encoding
    // must be finish()'s for every header size (empty, short, long with 1 and 2 length bytes).
    for (size_t items : {0u, 1u, 18u, 19u, 200u, 3000u}) {
        rlp::ListBuilder reserved(items * 3);
        rlp::ListBuilder plain;
        for (size_t i = 0; i < items; ++i) {
            reserved.add(uint64_t{i + 200});
            plain.add(uint64_t{i + 200});
        }
        const bytes expected = plain.finish();
        EXPECT_EQ(reserved.take(), expected) << items << " items";
        EXPECT_EQ(plain.take(), expected) << items << " items, without a reservation";
    }
}

TEST(Rlp, EncodedSizesAreWhatAppendWrites) {
    // Each size helper against what append writes, at every boundary of the encoding: single
    // bytes below and at 0x80, strings of 55 and 56 bytes, integers of 0..32 bytes.
    for (size_t n : {0u, 1u, 2u, 55u, 56u, 255u, 256u, 70000u})
        for (uint8_t fill : {uint8_t{0x00}, uint8_t{0x7f}, uint8_t{0x80}, uint8_t{0xff}}) {
            const bytes data(n, fill);
            bytes out;
            rlp::append(out, bytes_view{data});
            EXPECT_EQ(rlp::encoded_size(bytes_view{data}), out.size()) << n << " bytes of " << int{fill};
            bytes header;
            rlp::append_header(header, n, true);
            EXPECT_EQ(rlp::header_size(n), header.size()) << n;
            EXPECT_EQ(rlp::list_size(n), header.size() + n) << n;
        }
    for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x7f}, uint64_t{0x80}, uint64_t{0xffff}, ~uint64_t{0}}) {
        bytes out;
        rlp::append(out, v);
        EXPECT_EQ(rlp::encoded_size(v), out.size()) << v;
    }
    for (unsigned bits = 0; bits <= 256; bits += 8) {
        const uint256 v = bits == 0 ? uint256{} : (bits == 256 ? ~uint256{} : (uint256{1} << bits) - uint256{1});
        bytes out;
        rlp::append(out, v);
        EXPECT_EQ(rlp::encoded_size(v), out.size()) << bits << " bits";
    }
}

TEST(Rlp, IntegersAreStrict) {
    auto dec_int = [](const char* h) {
        const bytes b = *from_hex(h);
        auto item = rlp::decode_item(b);
        EXPECT_TRUE(item.ok()) << h;
        return rlp::to_uint256(*item);
    };
    EXPECT_EQ(*dec_int("80"), uint256{0});
    EXPECT_EQ(*dec_int("7f"), uint256{0x7f});
    EXPECT_EQ(*dec_int("820400"), uint256{0x400});
    EXPECT_EQ(dec_int("00").error().code, rlp::Errc::IntegerLeadingZeros);
    EXPECT_EQ(dec_int("820004").error().code, rlp::Errc::IntegerLeadingZeros);
    EXPECT_EQ(dec_int(("a1" + std::string(66, '1')).c_str()).error().code, rlp::Errc::IntegerTooLarge);
    EXPECT_EQ(dec_int("c0").error().code, rlp::Errc::ExpectedString);

    const bytes nine = *from_hex("89010000000000000000");
    EXPECT_EQ(rlp::to_u64(*rlp::decode_item(nine)).error().code, rlp::Errc::IntegerTooLarge);
    const bytes eight = *from_hex("88ffffffffffffffff");
    EXPECT_EQ(*rlp::to_u64(*rlp::decode_item(eight)), ~uint64_t{0});
}

TEST(Rlp, DecoderErrorCodes) {
    auto code = [](const char* h) {
        const bytes b = *from_hex(h);
        auto r = rlp::decode(b);
        EXPECT_FALSE(r.ok()) << h;
        return r.ok() ? rlp::Errc::TooDeep : r.error().code;
    };
    EXPECT_EQ(code(""), rlp::Errc::InputTooShort);
    EXPECT_EQ(code("b8"), rlp::Errc::InputTooShort);
    EXPECT_EQ(code("83aabb"), rlp::Errc::LengthExceedsInput);
    EXPECT_EQ(code("8100"), rlp::Errc::NonCanonicalSize);
    EXPECT_EQ(code("b80100"), rlp::Errc::NonCanonicalSize);
    EXPECT_EQ(code("b90001aa"), rlp::Errc::LeadingZerosInLength);
    EXPECT_EQ(code("8080"), rlp::Errc::TrailingBytes);
    EXPECT_EQ(code("c28100"), rlp::Errc::NonCanonicalSize);
    EXPECT_EQ(code("ffffffffffffffffff"), rlp::Errc::LengthExceedsInput);
    // Deep nesting is refused, not recursed into.
    bytes nested = rlp::encode_list({});
    for (size_t i = 0; i < rlp::kMaxDepth + 5; ++i) nested = rlp::wrap_list(nested);
    auto r = rlp::decode(nested);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, rlp::Errc::TooDeep);
    // Every truncation of a valid encoding is an error, never a crash.
    const bytes ok = *from_hex("f8468203e8b841" + std::string(130, 'a'));
    ASSERT_TRUE(rlp::decode(ok).ok());
    for (size_t n = 0; n < ok.size(); ++n) EXPECT_FALSE(rlp::decode(bytes_view{ok.data(), n}).ok()) << n;
}

TEST(Rlp, FixedSize) {
    const Address a = *address_from_hex("0x095e7baea6a6c7c4c2dfeb977efac326af552d87");
    const bytes enc = rlp::encode(a);
    auto item = rlp::decode_item(enc);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(*rlp::to_fixed<20>(*item), a);
    EXPECT_EQ(rlp::to_fixed<32>(*item).error().code, rlp::Errc::WrongSize);
}

TEST(RlpFixtures, ValidVectors) {
    POLYVM_REQUIRE_FIXTURES(path, "rlp/rlptest.json");
    const json j = load_json(path);
    size_t cases = 0;
    for (const auto& [name, tc] : j.items()) {
        SCOPED_TRACE(name);
        const bytes expected = hex(tc["out"].get<std::string>());
        const rlp::Value in = to_value(tc["in"]);
        // Encoding the input gives exactly the expected bytes...
        EXPECT_EQ(to_hex(rlp::encode(in)), to_hex(expected));
        // ...and the strict decoder accepts them and gives back the input.
        auto dec = rlp::decode(expected);
        ASSERT_TRUE(dec.ok()) << dec.error().message;
        EXPECT_TRUE(same(*dec, in));
        // Integers also round-trip through the typed readers where they fit.
        if (tc["in"].is_number()) {
            auto item = rlp::decode_item(expected);
            ASSERT_TRUE(item.ok());
            auto v = rlp::to_u64(*item);
            ASSERT_TRUE(v.ok()) << v.error().message;
            EXPECT_EQ(*v, tc["in"].get<uint64_t>());
            EXPECT_EQ(rlp::encode(*v), expected);
        }
        ++cases;
    }
    EXPECT_EQ(cases, j.size());
    EXPECT_GT(cases, 20u);
}

TEST(RlpFixtures, InvalidVectors) {
    POLYVM_REQUIRE_FIXTURES(path, "rlp/invalidRLPTest.json");
    const json j = load_json(path);
    size_t cases = 0;
    for (const auto& [name, tc] : j.items()) {
        SCOPED_TRACE(name);
        ASSERT_EQ(tc["in"], "INVALID");
        const bytes input = hex(tc["out"].get<std::string>());
        auto dec = rlp::decode(input);
        EXPECT_FALSE(dec.ok()) << "accepted " << to_hex(input);
        if (!dec.ok()) {
            EXPECT_FALSE(dec.error().message.empty());
        }
        ++cases;
    }
    EXPECT_GT(cases, 20u);
}

TEST(RlpFixtures, RandomVectors) {
    POLYVM_REQUIRE_FIXTURES(path, "rlp/RandomRLPTests/example.json");
    const json j = load_json(path);
    size_t cases = 0;
    for (const auto& [name, tc] : j.items()) {
        SCOPED_TRACE(name);
        const bytes input = hex(tc["out"].get<std::string>());
        auto dec = rlp::decode(input);
        if (tc["in"] == "VALID") {
            ASSERT_TRUE(dec.ok()) << dec.error().message;
            EXPECT_EQ(rlp::encode(*dec), input);  // canonical: re-encoding is the identity
        } else {
            EXPECT_FALSE(dec.ok());
        }
        ++cases;
    }
    EXPECT_GT(cases, 0u);
}

TEST(Rlp, MutationsDecodeCanonicallyOrFail) {
    // Random mutations of valid encodings: the strict decoder either rejects the input or
    // accepts exactly one canonical encoding, so re-encoding what it accepted gives the input.
    std::mt19937_64 rng(1);
    const bytes seeds[] = {
        *from_hex("c7c0c1c0c3c0c1c0"),
        rlp::encode_list({rlp::encode("cat"), rlp::encode(uint64_t{1024}), rlp::encode(bytes(60, 7)),
                          rlp::encode_list({rlp::encode(uint256::max()), rlp::encode(bytes_view{})})}),
        rlp::encode(bytes(300, 0x55)),
    };
    size_t accepted = 0, rejected = 0;
    for (const bytes& seed : seeds) {
        for (int i = 0; i < 5000; ++i) {
            bytes m = seed;
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                switch (rng() % 3) {
                    case 0: m[rng() % m.size()] = static_cast<uint8_t>(rng()); break;
                    case 1: m.insert(m.begin() + static_cast<long>(rng() % (m.size() + 1)), static_cast<uint8_t>(rng())); break;
                    default:
                        if (m.size() > 1) m.erase(m.begin() + static_cast<long>(rng() % m.size()));
                }
            }
            auto r = rlp::decode(m);
            if (r.ok()) {
                ++accepted;
                EXPECT_EQ(rlp::encode(*r), m) << to_hex(m);
            } else {
                ++rejected;
                EXPECT_FALSE(r.error().message.empty());
            }
        }
    }
    EXPECT_GT(accepted, 0u);
    EXPECT_GT(rejected, 0u);
}

// parse_json against nlohmann::json::parse: the same value (and number types) for every
// document, the same exception and message for every bad one. Documents are generated at
// random (nesting, strings with escapes and non-ASCII text, integers at the 64-bit edges,
// fractions, exponents) and then damaged at random (cut, bytes changed, inserted, removed).
#include "rpc/json_parse.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

using polyvm::rpc::parse_json;
using json = nlohmann::json;

namespace {

void expect_same(const std::string& text) {
    std::optional<json> expected;
    std::string expected_error;
    try {
        expected = json::parse(text);
    } catch (const json::exception& e) {
        expected_error = e.what();
    }
    std::optional<json> actual;
    std::string actual_error;
    try {
        actual = parse_json(text);
    } catch (const json::exception& e) {
        actual_error = e.what();
    }
    ASSERT_EQ(actual.has_value(), expected.has_value()) << text;
    if (!expected) {
        EXPECT_EQ(actual_error, expected_error) << text;
        return;
    }
    // dump() tells number types apart only by their text; compare the types along the tree too.
    EXPECT_EQ(actual->dump(), expected->dump()) << text;
    std::function<void(const json&, const json&)> same_types = [&](const json& a, const json& b) {
        ASSERT_EQ(a.type(), b.type()) << text;
        if (a.is_structured())
            for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) same_types(*ia, *ib);
    };
    same_types(*actual, *expected);
}

class Generator {
public:
    explicit Generator(uint32_t seed) : rng_(seed) {}

    std::string document() { return value(0); }

private:
    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    std::string space() {
        static const char* kinds[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
        return kinds[pick(7)];
    }
    std::string string_value() {
        static const char* pieces[] = {"0x", "deadbeef", "eth_call", "latest", " ", "\\\"", "\\\\", "\\n", "\\u00e9",
                                       "\\ud83d\\ude00", "\xc3\xa9", "\xe2\x82\xac", "2.0", "", "a/b", "\\/"};
        std::string s = "\"";
        for (size_t i = pick(5); i > 0; --i) s += pieces[pick(16)];
        return s + "\"";
    }
    std::string number() {
        static const char* numbers[] = {"0", "-0", "1", "-1", "42", "18446744073709551615", "18446744073709551616",
                                        "9223372036854775807", "-9223372036854775808", "-9223372036854775809",
                                        "9999999999999999999", "99999999999999999999", "1.5", "-2.25e3", "1e400",
                                        "0.0", "1E2", "123456789012345678"};
        return numbers[pick(18)];
    }
    std::string value(int depth) {
        const size_t kind = depth > 5 ? 2 + pick(4) : pick(6);
        switch (kind) {
        case 0: {
            std::string s = "{" + space();
            for (size_t i = pick(4); i > 0; --i) {
                s += string_value() + space() + ":" + value(depth + 1);
                if (i > 1) s += ",";
            }
            return s + space() + "}";
        }
        case 1: {
            std::string s = "[" + space();
            for (size_t i = pick(4); i > 0; --i) {
                s += value(depth + 1);
                if (i > 1) s += "," + space();
            }
            return s + "]";
        }
        case 2: return space() + string_value() + space();
        case 3: return space() + number() + space();
        case 4: return pick(2) ? "true" : "false";
        default: return pick(2) ? "null" : space() + "null";
        }
    }

    std::mt19937 rng_;
};

}  // namespace

TEST(JsonParse, RequestsParseAsNlohmannParsesThem) {
    for (const char* text : {
             R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]})",
             R"({"jsonrpc":"2.0","id":"abc","method":"eth_call","params":[{"to":"0x00000000000000000000000000000000000e2c20","data":"0x70a08231"},"latest"]})",
             R"([{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":"b","params":[true,false,null,-7]}])",
             R"({"a":1,"a":2})", R"(  {"x" : [ ] , "y" : { } }  )", "0", "-0", "\"\"", "[]", "{}",
             "", " ", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "-", "1.", "[1 2]", "nul", "tru", "\"abc", "{}x",
             "\xef\xbb\xbf{}", "// c\n{}", "{\"k\":\"tab\there\"}", "\"\x01\"", "1e5", "-1.0e-5",
         })
        expect_same(text);
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "[";
    for (int i = 0; i < 300; ++i) deep += "]";
    expect_same(deep);
}

TEST(JsonParse, RandomDocumentsAndDamagedOnesMatchNlohmann) {
    Generator generator(20261204);
    std::mt19937 rng(7);
    for (int i = 0; i < 4000; ++i) {
        const std::string text = generator.document();
        ASSERT_NO_FATAL_FAILURE(expect_same(text));
        if (text.empty()) continue;
        std::string damaged = text;
        const size_t at = rng() % damaged.size();
        switch (rng() % 4) {
        case 0: damaged.resize(at); break;
        case 1: damaged[at] = "{}[],:\"\\ 0-e.x\x80"[rng() % 16]; break;
        case 2: damaged.insert(at, 1, "{}[],:\"\\ 0-e.x\x01"[rng() % 16]); break;
        default: damaged.erase(at, 1); break;
        }
        ASSERT_NO_FATAL_FAILURE(expect_same(damaged));
    }
}

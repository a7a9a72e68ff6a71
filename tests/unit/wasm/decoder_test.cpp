#include "module_builder.hpp"
#include "wasm/byte_reader.hpp"

#include <gtest/gtest.h>

namespace polyvm::wasm::test {
namespace {

std::optional<Error> decode_error(const Bytes& bytes) {
    auto result = decode(bytes);
    if (result) return std::nullopt;
    return result.error();
}

TEST(WasmLeb128, UnsignedLimits) {
    const auto read = [](Bytes bytes, uint32_t& value) {
        ByteReader reader(bytes);
        const bool ok = reader.read_u32(value);
        return std::make_pair(ok, ok ? std::string() : reader.error()->message);
    };
    uint32_t value = 0;
    EXPECT_TRUE(read({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, value).first);
    EXPECT_EQ(value, 0xFFFFFFFFu);
    EXPECT_TRUE(read({0x80, 0x80, 0x80, 0x80, 0x00}, value).first);  // overlong but within 5 bytes
    EXPECT_EQ(value, 0u);
    EXPECT_EQ(read({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, value).second, "integer too large");
    EXPECT_EQ(read({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, value).second, "integer representation too long");
    EXPECT_EQ(read({0x80, 0x80}, value).second, "unexpected end");
}

TEST(WasmLeb128, SignedLimits) {
    const auto read32 = [](Bytes bytes, int32_t& value) {
        ByteReader reader(bytes);
        const bool ok = reader.read_s32(value);
        return ok ? std::string() : reader.error()->message;
    };
    int32_t value = 0;
    EXPECT_EQ(read32({0x7F}, value), "");
    EXPECT_EQ(value, -1);
    EXPECT_EQ(read32({0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, value), "");  // -1, sign bits all set
    EXPECT_EQ(value, -1);
    EXPECT_EQ(read32({0x80, 0x80, 0x80, 0x80, 0x78}, value), "");  // INT32_MIN
    EXPECT_EQ(value, INT32_MIN);
    EXPECT_EQ(read32({0xFF, 0xFF, 0xFF, 0xFF, 0x07}, value), "");  // INT32_MAX
    EXPECT_EQ(value, INT32_MAX);
    EXPECT_EQ(read32({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, value), "integer too large");  // unused bits not sign
    EXPECT_EQ(read32({0x80, 0x80, 0x80, 0x80, 0x70}, value), "integer too large");
    EXPECT_EQ(read32({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, value), "integer representation too long");

    int64_t wide = 0;
    // The readers borrow their bytes: keep them alive.
    const Bytes minimum_bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F};
    const Bytes too_large_bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    const Bytes s33_bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    ByteReader minimum(minimum_bytes);
    ASSERT_TRUE(minimum.read_s64(wide));
    EXPECT_EQ(wide, INT64_MIN);
    ByteReader too_large(too_large_bytes);
    EXPECT_FALSE(too_large.read_s64(wide));
    EXPECT_EQ(too_large.error()->message, "integer too large");
    ByteReader s33(s33_bytes);  // 2^32-1 fits 33 signed bits
    ASSERT_TRUE(s33.read_s33(wide));
    EXPECT_EQ(wide, 0xFFFFFFFFll);
}

TEST(WasmUtf8, RejectsOverlongSurrogatesAndTruncation) {
    const auto valid = [](Bytes text) { return is_valid_utf8(text); };
    EXPECT_TRUE(valid({'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80}));
    EXPECT_FALSE(valid({0xC0, 0x80}));              // overlong NUL
    EXPECT_FALSE(valid({0xED, 0xA0, 0x80}));        // surrogate
    EXPECT_FALSE(valid({0xF4, 0x90, 0x80, 0x80}));  // past U+10FFFF
    EXPECT_FALSE(valid({0xE2, 0x82}));              // truncated
    EXPECT_FALSE(valid({0x80}));                    // stray continuation
}

TEST(WasmDecoder, HeaderAndEmptyModule) {
    EXPECT_FALSE(decode_error(header()));
    EXPECT_EQ(decode_error({0x00, 0x61, 0x73})->message, "unexpected end");
    EXPECT_EQ(decode_error({0x00, 0x41, 0x53, 0x4D, 0x01, 0, 0, 0})->message, "magic header not detected");
    EXPECT_EQ(decode_error({0x00, 0x61, 0x73, 0x6D, 0x02, 0, 0, 0})->message, "unknown binary version");
}

TEST(WasmDecoder, SectionOrder) {
    const Bytes types = section(1, vec({function_type({}, {})}));
    const Bytes functions = section(3, vec({{0x00}}));
    const Bytes code = section(10, vec({code_entry({0x00}, {0x0B})}));
    const Bytes custom = section(0, concat({uleb(4), {'n', 'a', 'm', 'e'}, {1, 2, 3}}));
    EXPECT_FALSE(decode_error(module({custom, types, custom, functions, custom, code, custom})));
    EXPECT_TRUE(decode_error(module({functions, types, code})));            // out of order
    EXPECT_TRUE(decode_error(module({types, types, functions, code})));     // repeated
    EXPECT_FALSE(decode_error(module({section(12, uleb(0)), section(11, vec({}))})));  // data count before data
    EXPECT_TRUE(decode_error(module({types, functions, code, section(12, uleb(0))})));  // data count after code
    EXPECT_EQ(decode_error(module({section(13, {})}))->message, "malformed section id");
}

TEST(WasmDecoder, SectionSizeMustMatchContents) {
    // A type section claiming one byte more than its contents.
    Bytes bytes = header();
    const Bytes payload = vec({function_type({}, {})});
    const Bytes longer = concat({{0x01}, uleb(payload.size() + 1), payload, {0x00}});
    bytes.insert(bytes.end(), longer.begin(), longer.end());
    EXPECT_EQ(decode_error(bytes)->message, "section size mismatch");
    // A section larger than the module.
    EXPECT_TRUE(decode_error(concat({header(), {0x01, 0x10, 0x00}})));
    // A custom section whose name runs past the section.
    EXPECT_TRUE(decode_error(module({section(0, {0x05, 'a'})})));
}

TEST(WasmDecoder, FunctionAndCodeCountsMustAgree) {
    const Bytes types = section(1, vec({function_type({}, {})}));
    const Bytes two_functions = section(3, vec({{0x00}, {0x00}}));
    const Bytes one_body = section(10, vec({code_entry({0x00}, {0x0B})}));
    EXPECT_EQ(decode_error(module({types, two_functions, one_body}))->message,
              "function and code section have inconsistent lengths");
    EXPECT_EQ(decode_error(module({types, two_functions}))->message,
              "function and code section have inconsistent lengths");
    EXPECT_EQ(decode_error(module({types, one_body}))->message, "function and code section have inconsistent lengths");
}

TEST(WasmDecoder, DataCountMustMatchDataSection) {
    const Bytes memory = section(5, vec({{0x00, 0x01}}));
    const Bytes passive = section(11, vec({{0x01, 0x00}}));
    EXPECT_FALSE(decode_error(module({memory, section(12, uleb(1)), passive})));
    EXPECT_EQ(decode_error(module({memory, section(12, uleb(2)), passive}))->message,
              "data count and data section have inconsistent lengths");
    EXPECT_EQ(decode_error(module({memory, section(12, uleb(1))}))->message,
              "data count and data section have inconsistent lengths");
}

TEST(WasmDecoder, DataDropNeedsDataCountSection) {
    const Bytes body = {0xFC, 0x09, 0x00, 0x0B};  // data.drop 0
    const Bytes bytes = module({section(1, vec({function_type({}, {})})), section(3, vec({{0x00}})),
                                section(5, vec({{0x00, 0x01}})), section(10, vec({code_entry({0x00}, body)})),
                                section(11, vec({{0x01, 0x00}}))});
    EXPECT_EQ(decode_error(bytes)->message, "data count section required");
}

TEST(WasmDecoder, TooManyLocals) {
    const Bytes locals = vec({concat({uleb(0xFFFFFFFF), {0x7F}}), concat({uleb(1), {0x7E}})});
    const Bytes bytes = single_function_module({}, {}, {0x0B});
    const Bytes many = module({section(1, vec({function_type({}, {})})), section(3, vec({{0x00}})),
                               section(10, vec({code_entry(locals, {0x0B})}))});
    EXPECT_EQ(decode_error(many)->message, "too many locals");
    // Exactly 2^32-1 locals decode (and are not materialised by the validator).
    const Bytes most = module({section(1, vec({function_type({}, {})})), section(3, vec({{0x00}})),
                               section(10, vec({code_entry(vec({concat({uleb(0xFFFFFFFF), {0x7F}})}), {0x0B})}))});
    EXPECT_TRUE(check(most).valid);
    EXPECT_TRUE(check(bytes).valid);
}

TEST(WasmDecoder, BodySyntax) {
    EXPECT_EQ(check(single_function_module({}, {}, {0x01})).error->message, "END opcode expected");
    EXPECT_EQ(check(single_function_module({}, {}, {0x0B, 0x01})).error->message, "section size mismatch");
    EXPECT_FALSE(check(single_function_module({}, {}, {0x05, 0x0B})).decoded);  // else outside if
    EXPECT_FALSE(check(single_function_module({}, {}, {0x06, 0x0B})).decoded);  // unknown opcode
    EXPECT_FALSE(check(single_function_module({}, {}, {0xFC, 0x12, 0x0B})).decoded);
    // memory.size needs the single byte 0x00, not a LEB128 zero.
    const Bytes memory = section(5, vec({{0x00, 0x01}}));
    EXPECT_TRUE(check(single_function_module({}, {}, {0x3F, 0x00, 0x1A, 0x0B}, {memory})).valid);
    EXPECT_EQ(check(single_function_module({}, {}, {0x3F, 0x80, 0x00, 0x1A, 0x0B}, {memory})).error->message,
              "zero byte expected");
    EXPECT_EQ(check(single_function_module({}, {}, {0x3F, 0x01, 0x1A, 0x0B}, {memory})).error->message,
              "zero byte expected");
}

TEST(WasmDecoder, MalformedTypesAndKinds) {
    EXPECT_FALSE(check(module({section(1, vec({function_type({0x7A}, {})}))})).decoded);  // bad value type
    EXPECT_FALSE(check(module({section(4, vec({{0x7F, 0x00, 0x01}}))})).decoded);        // table of i32
    EXPECT_FALSE(check(module({section(6, vec({{0x7F, 0x02, 0x41, 0x00, 0x0B}}))})).decoded);  // mutability 2
    EXPECT_FALSE(check(module({section(2, vec({{0x01, 'm', 0x01, 'f', 0x04, 0x00}}))})).decoded);  // import kind
    EXPECT_FALSE(check(module({section(2, vec({{0x01, 0xFF, 0x01, 'f', 0x00, 0x00}}))})).decoded);  // bad UTF-8
    EXPECT_FALSE(check(module({section(9, vec({{0x08}}))})).decoded);  // element segment kind 8
}

TEST(WasmDecoder, SimdIsUnsupported) {
    const auto simd_type = check(module({section(1, vec({function_type({0x7B}, {})}))}));
    ASSERT_FALSE(simd_type.decoded);
    EXPECT_EQ(simd_type.error->kind, ErrorKind::Unsupported);
    EXPECT_EQ(simd_type.error->message.rfind("SIMD is not supported", 0), 0u);
    const auto simd_op = check(single_function_module({}, {}, {0xFD, 0x0C, 0x0B}));
    ASSERT_FALSE(simd_op.decoded);
    EXPECT_EQ(simd_op.error->kind, ErrorKind::Unsupported);
}

TEST(WasmDecoder, HugeCountsAreRejectedBeforeAllocation) {
    // Counts near 2^32 with no bytes behind them must fail quickly, not reserve memory.
    EXPECT_EQ(decode_error(module({section(1, uleb(0xFFFFFFFF))}))->message, "length out of bounds");
    EXPECT_TRUE(decode_error(module({section(3, uleb(0xFFFFFFFF))})));
    EXPECT_TRUE(decode_error(single_function_module({}, {}, concat({{0x0E}, uleb(0xFFFFFFF0), {0x0B}}))));
}

TEST(WasmDecoder, SegmentsAndModuleContents) {
    const Bytes bytes = module({
        section(1, vec({function_type({0x7F}, {0x7F})})),
        section(2, vec({concat({{0x02, 's', 't', 0x01, 'g'}, {0x03, 0x7F, 0x00}})})),
        section(3, vec({{0x00}})),
        section(4, vec({{0x70, 0x00, 0x01}})),
        section(5, vec({{0x01, 0x01, 0x02}})),
        section(7, vec({{0x01, 'f', 0x00, 0x00}})),
        section(9, vec({{0x00, 0x41, 0x00, 0x0B, 0x01, 0x00}, {0x05, 0x70, 0x01, 0xD0, 0x70, 0x0B}})),
        section(12, uleb(2)),
        section(10, vec({code_entry(vec({{0x02, 0x7E}}), {0x20, 0x00, 0x0B})})),
        section(11, vec({{0x00, 0x41, 0x00, 0x0B, 0x02, 'h', 'i'}, {0x01, 0x00}})),
    });
    auto decoded = decode(bytes);
    ASSERT_TRUE(decoded) << describe(decoded.error());
    const Module& m = decoded.value();
    EXPECT_EQ(m.imported_global_count, 1u);
    ASSERT_EQ(m.functions.size(), 1u);
    EXPECT_EQ(m.functions[0].local_count, 2u);
    ASSERT_EQ(m.elements.size(), 2u);
    EXPECT_EQ(m.elements[0].mode, SegmentMode::Active);
    EXPECT_EQ(m.elements[0].function_indices, std::vector<uint32_t>{0});
    EXPECT_EQ(m.elements[1].mode, SegmentMode::Passive);
    EXPECT_TRUE(m.elements[1].uses_expressions);
    ASSERT_EQ(m.data.size(), 2u);
    EXPECT_EQ(m.data[0].contents.size(), 2u);
    EXPECT_EQ(m.data[1].mode, SegmentMode::Passive);
    EXPECT_EQ(m.memories[0].limits.max, std::optional<uint32_t>(2));
    EXPECT_FALSE(validate(m));
}

}  // namespace
}  // namespace polyvm::wasm::test

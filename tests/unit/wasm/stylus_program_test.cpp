// Stylus's deployment format: prefix, dictionary byte, Brotli stream; limits and bad input.
#include "wasm/stylus_program.hpp"

#include <gtest/gtest.h>

#include <random>

namespace polyvm::wasm {
namespace {

bytes sample_module(size_t size, uint64_t seed) {
    // Compressible but not trivial: a wasm header and a repeating pattern with noise.
    bytes m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    std::mt19937_64 rng(seed);
    while (m.size() < size) m.push_back(static_cast<uint8_t>((m.size() % 7 == 0) ? rng() : m.size() % 31));
    return m;
}

TEST(StylusProgram, RoundTripsAndRecognisesThePrefix) {
    for (size_t size : {size_t{8}, size_t{1000}, size_t{100'000}, kMaxStylusModuleSize}) {
        const bytes module = sample_module(size, size);
        const bytes code = compress_stylus_program(module);
        ASSERT_GT(code.size(), 4u);
        EXPECT_TRUE(is_stylus_program(code));
        EXPECT_EQ(code[3], 0x00);  // the empty dictionary
        const auto back = decompress_stylus_program(code);
        ASSERT_TRUE(back.ok()) << back.error().message;
        EXPECT_EQ(back.value(), module);
    }
    EXPECT_FALSE(is_stylus_program(bytes{0xEF, 0xF0}));
    EXPECT_FALSE(is_stylus_program(bytes{0x60, 0x80, 0x60, 0x40}));
    EXPECT_FALSE(is_stylus_program(bytes{0xEF, 0x00, 0x01}));  // EOF's magic, not Stylus
}

TEST(StylusProgram, RejectsWhatIsNotADeployableProgram) {
    const bytes code = compress_stylus_program(sample_module(5000, 1));
    const auto message = [](const bytes& c) {
        const auto r = decompress_stylus_program(c);
        EXPECT_FALSE(r.ok());
        return r.ok() ? std::string() : r.error().message;
    };
    EXPECT_NE(message(bytes{0x60, 0x00}).find("not a Stylus program"), std::string::npos);
    EXPECT_NE(message(bytes{0xEF, 0xF0, 0x00}).find("dictionary"), std::string::npos);
    bytes other_dictionary = code;
    other_dictionary[3] = 0x01;
    EXPECT_NE(message(other_dictionary).find("unsupported Stylus dictionary 1"), std::string::npos);
    bytes truncated(code.begin(), code.end() - 5);
    EXPECT_NE(message(truncated).find("truncated"), std::string::npos);
    bytes trailing = code;
    trailing.push_back(0x00);
    EXPECT_NE(message(trailing).find("after the end"), std::string::npos);
    // One byte over the module limit, however well it compresses.
    const bytes too_large = compress_stylus_program(bytes(kMaxStylusModuleSize + 1, 0x41));
    EXPECT_LT(too_large.size(), 1000u);
    EXPECT_NE(message(too_large).find("larger than"), std::string::npos);
    // A bomb: 16 MiB of zeros compresses to a few bytes; decompression stops at the limit.
    const bytes bomb = compress_stylus_program(bytes(16u << 20, 0));
    EXPECT_NE(message(bomb).find("larger than"), std::string::npos);
}

TEST(StylusProgram, RandomDamageGivesAnErrorOrAModuleNeverACrash) {
    const bytes code = compress_stylus_program(sample_module(20'000, 7));
    std::mt19937_64 rng(2026);
    size_t errors = 0;
    for (int i = 0; i < 3000; ++i) {
        bytes damaged = code;
        const size_t flips = 1 + rng() % 4;
        for (size_t f = 0; f < flips; ++f) damaged[4 + rng() % (damaged.size() - 4)] ^= static_cast<uint8_t>(1u << (rng() % 8));
        if (rng() % 4 == 0) damaged.resize(4 + rng() % (damaged.size() - 4));
        const auto r = decompress_stylus_program(damaged);
        if (!r.ok()) {
            ++errors;
            EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
        } else {
            EXPECT_LE(r.value().size(), kMaxStylusModuleSize);
        }
    }
    EXPECT_GT(errors, 1500u);  // most damage is detected (Brotli has no checksum: not all)
}

}  // namespace
}  // namespace polyvm::wasm

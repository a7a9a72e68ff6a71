// Mutates valid modules (bit flips, truncation, inserted and overwritten bytes) and checks that
// decoding and validation always come back with a verdict, and that running the valid ones on a
// small fuel budget ends in a result: no crash, hang or runaway allocation.
// Seeded, so a failure reproduces.
#include "fixtures_path.hpp"
#include "module_builder.hpp"
#include "wasm/compiler.hpp"
#include "wasm/instance.hpp"
#include "wasm/interpreter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace polyvm::wasm::test {
namespace {

/// POLYVM_WASM_FUZZ_ITERATIONS scales a run up (e.g. under the sanitizers); the default is quick.
int iterations(int default_count) {
    if (const char* text = std::getenv("POLYVM_WASM_FUZZ_ITERATIONS"); text && *text) return std::atoi(text);
    return default_count;
}

/// Applies 1-4 random mutations.
void mutate(Bytes& bytes, std::mt19937_64& random) {
    const int mutations = 1 + static_cast<int>(random() % 4);
    for (int m = 0; m < mutations && !bytes.empty(); ++m) {
        const size_t at = random() % bytes.size();
        switch (random() % 5) {
            case 0: bytes[at] ^= static_cast<uint8_t>(1u << (random() % 8)); break;  // bit flip
            case 1: bytes.resize(at); break;                                         // truncation
            case 2: bytes.insert(bytes.begin() + at, static_cast<uint8_t>(random())); break;
            case 3: bytes[at] = static_cast<uint8_t>(random()); break;
            case 4:  // a run of 0xFF: long LEB128s and huge counts
                bytes.insert(bytes.begin() + at, 1 + random() % 6, 0xFF);
                break;
        }
    }
}

/// A valid module is instantiated (no imports) and each exported function called with zero
/// arguments on a small fuel budget: whatever it does must end in a result, not a crash or hang.
void execute(const Bytes& bytes) {
    static Executor executor(ExecutionLimits{500, size_t(1) << 16});
    auto decoded = decode(bytes);
    ASSERT_TRUE(decoded.ok());
    auto compiled = compile(std::move(decoded.value()));
    ASSERT_TRUE(compiled.ok()) << describe(compiled.error());
    Store store;
    store.memory_page_limit = 16;
    executor.set_fuel(10000);
    const Instantiation instance = instantiate(store, compiled.value(), nullptr, executor);
    if (!instance.ok()) return;
    for (const auto& [name, value] : instance.instance->exports) {
        if (value.kind != ExternalKind::Function) continue;
        std::vector<Value> args;
        for (auto type : value.function->type.params) args.push_back(Value{type, 0});
        executor.set_fuel(10000);
        const ExecutionResult result = executor.invoke(*value.function, args);
        if (!result.ok()) {
            EXPECT_FALSE(result.message.empty());
        }
    }
}

/// A rejected module must say why and where; an accepted one is run.
void expect_verdict(const Bytes& bytes, size_t& rejected) {
    const Outcome outcome = check(bytes);
    if (outcome.valid) return execute(bytes);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_FALSE(outcome.error->message.empty());
    EXPECT_LE(outcome.error->offset, bytes.size());
    ++rejected;
}

std::vector<Bytes> seed_modules() {
    constexpr uint8_t I32 = 0x7F, FUNCREF = 0x70;
    std::vector<Bytes> seeds;
    // Control flow, locals, memory and a call.
    seeds.push_back(module({
        section(1, vec({function_type({I32}, {I32}), function_type({I32, I32}, {I32})})),
        section(3, vec({{0x00}, {0x00}})),
        section(4, vec({{FUNCREF, 0x00, 0x02}})),
        section(5, vec({{0x01, 0x01, 0x02}})),
        section(6, vec({{I32, 0x01, 0x41, 0x07, 0x0B}})),
        section(7, vec({{0x01, 'f', 0x00, 0x00}, {0x01, 'm', 0x02, 0x00}})),
        section(9, vec({{0x00, 0x41, 0x00, 0x0B, 0x02, 0x00, 0x01}})),
        section(12, uleb(1)),
        section(10, vec({code_entry(vec({{0x01, I32}}),
                                    {0x20, 0x00, 0x04, I32, 0x20, 0x00, 0x41, 0x01, 0x6B, 0x10, 0x01, 0x05, 0x41, 0x00,
                                     0x28, 0x02, 0x00, 0x0B, 0x22, 0x01, 0x02, 0x40, 0x20, 0x01, 0x0D, 0x00, 0x0B, 0x0B}),
                         code_entry({0x00}, {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x20, 0x00,
                                             0x41, 0x00, 0x11, 0x00, 0x00, 0x0B})})),
        section(11, vec({{0x01, 0x03, 'a', 'b', 'c'}})),
        section(0, concat({uleb(4), {'n', 'a', 'm', 'e'}, {0x00}})),
    }));
    // Multi-value blocks, br_table, reference instructions, tables.
    seeds.push_back(module({
        section(1, vec({function_type({}, {}), function_type({I32, I32}, {I32, I32})})),
        section(2, vec({{0x01, 'm', 0x01, 't', 0x01, FUNCREF, 0x01, 0x01, 0x05}})),
        section(3, vec({{0x00}})),
        section(9, vec({{0x07, FUNCREF, 0x01, 0xD2, 0x00, 0x0B}})),
        section(10, vec({code_entry({0x00}, {0x41, 0x01, 0x41, 0x02, 0x02, 0x01, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x00, 0x0B,
                                             0x1A, 0x1A, 0xD2, 0x00, 0x41, 0x01, 0xFC, 0x0F, 0x00, 0x1A, 0xFC, 0x10,
                                             0x00, 0x1A, 0x0B})})),
    }));
    return seeds;
}

TEST(WasmFuzz, SeedsAreValid) {
    for (const auto& seed : seed_modules()) {
        const Outcome outcome = check(seed);
        EXPECT_TRUE(outcome.valid) << (outcome.error ? describe(*outcome.error) : "");
    }
}

TEST(WasmFuzz, MutatedModulesAlwaysGetAVerdict) {
    std::mt19937_64 random(20261204);
    const auto seeds = seed_modules();
    size_t rejected = 0;
    const int count = iterations(6000);
    for (int iteration = 0; iteration < count; ++iteration) {
        Bytes bytes = seeds[iteration % seeds.size()];
        mutate(bytes, random);
        expect_verdict(bytes, rejected);
    }
    // Most mutations break something; if none did, the mutator is not mutating.
    EXPECT_GT(rejected, size_t(count / 2));
}

TEST(WasmFuzz, RandomBytesBehindAValidHeader) {
    std::mt19937_64 random(7);
    for (int iteration = 0, count = iterations(3000); iteration < count; ++iteration) {
        Bytes bytes = header();
        const size_t length = random() % 64;
        for (size_t i = 0; i < length; ++i) bytes.push_back(static_cast<uint8_t>(random()));
        const Outcome outcome = check(bytes);
        if (!outcome.valid) {
            ASSERT_TRUE(outcome.error.has_value());
        }
    }
}

/// The spec suite's binaries (SIMD scripts left out) are a richer corpus: every instruction and
/// section kind appears in them.
TEST(WasmFuzz, MutatedSpecTestModules) {
    POLYVM_REQUIRE_FIXTURES(folder, "wasm/spec");
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
        const auto& path = entry.path();
        if (path.extension() == ".wasm" && path.parent_path().filename().string().rfind("simd", 0) != 0)
            files.push_back(path);
    }
    ASSERT_FALSE(files.empty());
    std::sort(files.begin(), files.end());  // directory order varies; the seed must mean the same run
    std::mt19937_64 random(4019);
    size_t rejected = 0;
    for (int iteration = 0, count = iterations(4000); iteration < count; ++iteration) {
        std::ifstream in(files[random() % files.size()], std::ios::binary);
        Bytes bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        mutate(bytes, random);
        expect_verdict(bytes, rejected);
    }
}

}  // namespace
}  // namespace polyvm::wasm::test

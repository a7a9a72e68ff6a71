// The vm_hooks functions one group at a time, through contracts/wasm/src/probe.c: what each
// returns, what it costs where that is observable, and what a static frame refuses, are
// documents in tests/fixtures/stylus/hooks.json (stylus_documents_test.cpp runs them); here,
// what a document cannot say (gas against ink), and the program cache.
#include "unit/stylus/document_runner.hpp"

#include <thread>

using namespace polyvm;
using namespace polyvm::stylus_test;

namespace {

uint256 word_at(const bytes& output, size_t i) {
    return output.size() >= 32 * (i + 1) ? uint256::load_be(output.data() + 32 * i) : uint256{};
}

TEST(StylusHooks, GasAndInkLeftAgree) {
    REQUIRE_CONTRACT(probe, "probe");
    const DocumentRun r = run(named_document("GasAndInkLeftAgree"));
    ASSERT_EQ(r.outcomes.size(), 1u);
    const uint256 gas = word_at(r.outcomes[0].output, 0), ink = word_at(r.outcomes[0].output, 1);
    EXPECT_LT(gas, uint256{100'000 - 21'000});
    EXPECT_GT(gas, uint256{100'000 - 21'000 - kProgramCallOverhead});
    // Ink is read after gas: evm_ink_left itself costs 2 gas (20,000 ink) and the few
    // instructions between the two reads one gas each, so ink is a little under gas * 10,000.
    EXPECT_LE(ink, (gas - 2) * uint256{stylus::kInkPerGas});
    EXPECT_GT(ink, (gas - 50) * uint256{stylus::kInkPerGas});
}

// --- the program cache ---------------------------------------------------------------------

TEST(StylusProgramCache, ActivatesOncePerCodeAndRemembersFailures) {
    REQUIRE_CONTRACT(counter, "counter");
    stylus::ProgramCache cache;
    const Hash32 hash = keccak256(counter);
    const auto first = cache.get(hash, counter);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(cache.get(hash, counter), first);  // the same translated module, shared
    const bytes broken = {0xEF, 0xF0, 0x00, 0x00, 0x01};
    EXPECT_EQ(cache.get(keccak256(broken), broken), nullptr);
    EXPECT_EQ(cache.get(keccak256(broken), broken), nullptr);
    EXPECT_EQ(cache.size(), 2u);
    // A caller whose hash does not belong to its code is not given the cached entry.
    EXPECT_EQ(cache.get(hash, broken), nullptr);
}

TEST(StylusProgramCache, ConcurrentLookupsShareOneModule) {
    REQUIRE_CONTRACT(erc20, "erc20");
    stylus::ProgramCache cache;
    const Hash32 hash = keccak256(erc20);
    std::vector<stylus::CompiledProgram> seen(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < seen.size(); ++i) threads.emplace_back([&, i] { seen[i] = cache.get(hash, erc20); });
    for (auto& t : threads) t.join();
    ASSERT_NE(seen[0], nullptr);
    for (const auto& program : seen) EXPECT_EQ(program, seen[0]);
    EXPECT_EQ(cache.size(), 1u);
}

}  // namespace

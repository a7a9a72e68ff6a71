// The vm_hooks functions one group at a time, through contracts/wasm/src/probe.c: what each
// returns, what it costs where that is observable, and what a static frame refuses.
#include "unit/stylus/documents.hpp"

#include <thread>

using namespace polyvm;
using namespace polyvm::stylus_test;

namespace {

const Address kProbe = addr(0x0b, 0x77);

bytes words(std::initializer_list<uint256> values) {
    bytes out;
    for (const uint256& v : values) {
        const bytes w = word(v);
        out.insert(out.end(), w.begin(), w.end());
    }
    return out;
}

uint256 word_at(const bytes& output, size_t i) {
    return output.size() >= 32 * (i + 1) ? uint256::load_be(output.data() + 32 * i) : uint256{};
}

TEST(StylusHooks, ContextOfTheBlockTransactionAndMessage) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    // Effective gas price: base fee 7 plus the tip min(2, 10 - 7).
    doc.steps = {{.to = kProbe,
                  .data = selector("environment()"),
                  .output = words({uint256::from_address(kSender), uint256::from_address(kProbe),
                                   uint256::from_address(kSender), 5, 1, 1, 1000, 30'000'000, 7,
                                   uint256::from_address(kCoinbase), 9, stylus::kInkPerGas, 0}),
                  .value = 5}};
    run(doc);
}

TEST(StylusHooks, AccountBalanceCodeAndHash) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}, {kEvm, kEvmStoreCaller, {}, 123}};
    bytes first_code_word = kEvmStoreCaller;
    first_code_word.resize(32);
    const Hash32 code_hash = keccak256(kEvmStoreCaller);
    const bytes expected = concat({words({123, kEvmStoreCaller.size()}), bytes(code_hash.data(), code_hash.data() + 32),
                                   first_code_word});
    doc.steps = {
        {.to = kProbe, .data = concat({selector("account(address)"), word(kEvm)}), .output = expected},
        // An account that does not exist: no balance, no code, hash zero (EIP-1052).
        {.to = kProbe, .data = concat({selector("account(address)"), word(addr(0x99))}),
         .output = words({0, 0, 0, 0})},
    };
    const DocumentRun r = run(doc);
    // Both calls touch one cold account (2,600 gas); reading the probe's own code is warm.
    EXPECT_GT(r.outcomes[0].gas_used, 21'000 + 2'600);
}

TEST(StylusHooks, MathAsTheEvmComputesIt) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    const uint256 big = uint256::max() - 1;  // 2^256 - 2: sums and products wrap in the EVM, not here
    doc.steps = {
        {.to = kProbe, .data = concat({selector("math(uint256,uint256,uint256)"), words({100, 7, 9})}),
         .output = words({14, 2, uint256{100'000'000'000'000ULL}, 107 % 9, 700 % 9})},
        // Division and modulus by zero give zero; x ** 0 = 1; a zero modulus gives zero.
        {.to = kProbe, .data = concat({selector("math(uint256,uint256,uint256)"), words({100, 0, 0})}),
         .output = words({0, 0, 1, 0, 0})},
        // ADDMOD and MULMOD reduce the full 257- and 512-bit results.
        {.to = kProbe, .data = concat({selector("math(uint256,uint256,uint256)"), words({big, 3, 10})}),
         .output = words({big / 3, big % 3, exp(big, 3), addmod(big, 3, 10), mulmod(big, 3, 10)})},
    };
    run(doc);
}

TEST(StylusHooks, TransientStorageAndStaticFrames) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}, {kEvm, evm_forwarder(kProbe, kEvmStaticCall), {}, 0}};
    doc.steps = {
        {.to = kProbe, .data = concat({selector("transient(uint256)"), word(uint256{42})}), .output = word(uint256{42})},
        // TSTORE in a static frame fails the frame; the forwarder reverts with nothing.
        {.to = kEvm, .data = concat({selector("transient(uint256)"), word(uint256{42})}), .status = Status::Revert,
         .output = bytes{}},
    };
    run(doc);
}

TEST(StylusHooks, EmitLogAndStaticFrames) {
    REQUIRE_CONTRACT(probe, "probe");
    const Hash32 probe_topic = keccak256(std::string_view("Probe()"));
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}, {kEvm, evm_forwarder(kProbe, kEvmStaticCall), {}, 0}};
    doc.steps = {
        {.to = kProbe, .data = selector("emit()"), .output = bytes{},
         .logs = std::vector<ExpectedLog>{{kProbe, {probe_topic}, word(uint256{7})}}},
        {.to = kEvm, .data = selector("emit()"), .status = Status::Revert, .logs = std::vector<ExpectedLog>{}},
    };
    const DocumentRun r = run(doc);
    // LOG1 with 32 bytes of data: 375 + 375 + 8 * 32.
    EXPECT_GT(r.outcomes[0].gas_used, 21'000 + 1'006);
}

TEST(StylusHooks, Create1AndCreate2DeployEvmInitCode) {
    REQUIRE_CONTRACT(probe, "probe");
    REQUIRE_CONTRACT(counter, "counter");
    const bytes counter_init = stylus::init_code_returning(counter);
    Hash32 salt;
    salt[31] = 5;
    // The probe's nonce is 1 (a contract's first); create1 uses it, then it is 2.
    const Address first = create_address(kProbe, 1);
    const Address salted = create2_address(kProbe, salt, counter_init);
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    doc.steps = {
        {.to = kProbe, .data = concat({selector("create(uint256)"), word(uint256{0}), counter_init}),
         .output = words({uint256::from_address(first), 0})},
        {.to = kProbe, .data = concat({selector("create(uint256)"), word(uint256{5}), counter_init}),
         .output = words({uint256::from_address(salted), 0})},
        // The same salt and code again: a collision, address zero and no revert data.
        {.to = kProbe, .data = concat({selector("create(uint256)"), word(uint256{5}), counter_init}),
         .output = words({0, 0})},
        // Init code that reverts with 4 bytes: address zero, their length, its store undone.
        {.to = kProbe, .data = concat({selector("create(uint256)"), word(uint256{0}), kEvmStoreThenRevert}),
         .output = words({0, 4})},
        // The deployed counters run.
        {.to = first, .data = selector("increment()")},
        {.to = salted, .data = selector("count()"), .output = word(uint256{0})},
    };
    doc.post = {{first, {{0, 1}}, counter}, {salted, {}, counter}};
    run(doc);
}

TEST(StylusHooks, GasAndInkLeftAgree) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    doc.steps = {{.to = kProbe, .data = selector("gas()"), .gas_limit = 100'000}};
    const DocumentRun r = run(doc);
    const uint256 gas = word_at(r.outcomes[0].output, 0), ink = word_at(r.outcomes[0].output, 1);
    EXPECT_LT(gas, uint256{100'000 - 21'000});
    EXPECT_GT(gas, uint256{100'000 - 21'000 - kProgramCallOverhead});
    // Ink is read after gas: evm_ink_left itself costs 2 gas (20,000 ink) and the few
    // instructions between the two reads one gas each, so ink is a little under gas * 10,000.
    EXPECT_LE(ink, (gas - 2) * uint256{stylus::kInkPerGas});
    EXPECT_GT(ink, (gas - 50) * uint256{stylus::kInkPerGas});
}

TEST(StylusHooks, MsgReentrantOnlyWhenTheProgramIsAlreadyRunning) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    doc.steps = {
        {.to = kProbe, .data = selector("reentrant()"), .output = word(uint256{0})},
        {.to = kProbe, .data = selector("call_self_reentrant()"), .output = word(uint256{1})},
    };
    run(doc);
}

TEST(StylusHooks, CallWithValueTransfersItUnlessStatic) {
    REQUIRE_CONTRACT(probe, "probe");
    const Address payee = addr(0x51, 0x99);
    const bytes pay_300 = concat({selector("pay(address,uint256)"), word(payee), word(uint256{300})});
    const bytes pay_too_much = concat({selector("pay(address,uint256)"), word(payee), word(uint256{10'000})});
    Document doc;
    doc.pre = {{kProbe, probe, {}, 1000}, {kEvm, evm_forwarder(kProbe, kEvmStaticCall), {}, 0}};
    doc.steps = {
        {.to = kProbe, .data = pay_300, .output = words({0, 300})},
        // More than the probe has: the call does not start and fails (status 1).
        {.to = kProbe, .data = pay_too_much, .output = words({1, 300})},
        // A value transfer from a static frame fails the whole frame.
        {.to = kEvm, .data = pay_300, .status = Status::Revert, .output = bytes{}},
    };
    doc.post = {{kProbe, {}, std::nullopt, 700}, {payee, {}, std::nullopt, 300}};
    const DocumentRun r = run(doc);
    // The first payment brings a cold account to life: 2,600 for the access, 9,000 for the
    // value, 25,000 for the account; the callee's 2,300 stipend is free and comes back unused,
    // as in the EVM.
    EXPECT_GT(r.outcomes[0].gas_used, 21'000 + 2'600 + 9'000 + 25'000 - 2'300);
    EXPECT_LT(r.outcomes[0].gas_used, 21'000 + 2'600 + 9'000 + 25'000 - 2'300 + kProgramCallOverhead);
}

TEST(StylusHooks, PointerOutsideMemoryTraps) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    doc.steps = {{.to = kProbe, .data = selector("out_of_bounds()"), .status = Status::Failure, .gas_limit = 60'000}};
    const DocumentRun r = run(doc);
    EXPECT_EQ(r.outcomes[0].gas_used, 60'000);
}

TEST(StylusHooks, ExitEarlyEndsWithItsStatusAndTheResultSoFar) {
    REQUIRE_CONTRACT(probe, "probe");
    Document doc;
    doc.pre = {{kProbe, probe, {}, 0}};
    doc.steps = {
        {.to = kProbe, .data = concat({selector("exit_early(uint256)"), word(uint256{0})}),
         .output = word(uint256{0x99})},
        {.to = kProbe, .data = concat({selector("exit_early(uint256)"), word(uint256{1})}), .status = Status::Revert,
         .output = word(uint256{0x99})},
    };
    const DocumentRun r = run(doc);
    // A revert keeps its unused gas.
    EXPECT_LT(r.outcomes[1].gas_used, 30'000);
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

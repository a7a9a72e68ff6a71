// Gas of memory expansion and of the per-revision priced instructions.
#include "mock_host.hpp"
#include "evm/opcodes.hpp"
#include "unit/support/sanitizers.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>
#include <limits>

using namespace polyvm;
using namespace polyvm::test;

TEST(EvmGas, MemoryCostFormula) {
    EXPECT_EQ(memory_cost(0), 0);
    EXPECT_EQ(memory_cost(1), 3);
    EXPECT_EQ(memory_cost(32), 98);           // 96 + 1024/512
    EXPECT_EQ(memory_cost(314), 942 + 192);   // 98596 / 512 = 192
    EXPECT_EQ(memory_cost(1024), 3072 + 2048);
}

TEST(EvmGas, MemoryExpansionThroughMstore) {
    MockHost host;
    // MSTORE at 0: 3 + 3 + 3 + 3 (one word).
    EXPECT_EQ(gas_used(run_hex(host, Revision::Cancun, "6000600052")), 12);
    // MSTORE at 10000: covers 10032 bytes = 314 words.
    auto r = run_code(host, Revision::Cancun, push(0) + push(10000) + op(0x52));
    EXPECT_EQ(gas_used(r), 9 + memory_cost(314));
    // A second store inside the paid region costs no expansion; MSIZE reports 314 words.
    r = run_code(host, Revision::Cancun,
                 push(0) + push(10000) + op(0x52) + push(0) + push(0) + op(0x52) + op(0x59) + ret_top());
    EXPECT_EQ(uint256::load_be(r.output.data()), 314 * 32);
    // MSTORE8 touches a single byte.
    EXPECT_EQ(gas_used(run_code(host, Revision::Cancun, push(0) + push(31) + op(0x53))), 9 + 3);
    EXPECT_EQ(gas_used(run_code(host, Revision::Cancun, push(0) + push(32) + op(0x53))), 9 + 6);
}

TEST(EvmGas, HugeMemoryIsOutOfGas) {
    MockHost host;
    auto r = run_code(host, Revision::Cancun, push(0) + push(uint256{1} << 40) + op(0x52), 1'000'000'000);
    EXPECT_EQ(r.status, Status::OutOfGas);
    r = run_code(host, Revision::Cancun, push(0) + push(uint256::max()) + op(0x51));
    EXPECT_EQ(r.status, Status::OutOfGas);
    r = run_code(host, Revision::Cancun, push(uint256{1} << 64) + push(0) + op(0x20));
    EXPECT_EQ(r.status, Status::OutOfGas);
    // Exactly enough gas for the expansion succeeds, one less fails.
    const int64_t need = 6 + 3 + memory_cost(num_words(1000 + 32));
    EXPECT_EQ(run_code(host, Revision::Cancun, push(0) + push(1000) + op(0x52), need).status, Status::Success);
    EXPECT_EQ(run_code(host, Revision::Cancun, push(0) + push(1000) + op(0x52), need - 1).status, Status::OutOfGas);
}

namespace {
/// With 1 GiB of address space, runs an MSTORE just below the 2^32 memory cap with gas that pays
/// for the 4 GiB; exits 0 if the frame ends OutOfGas.
[[noreturn, maybe_unused]] void store_near_the_memory_cap_with_little_address_space() {
    const rlimit limit{rlim_t{1} << 30, rlim_t{1} << 30};
    setrlimit(RLIMIT_AS, &limit);
    MockHost host;
    const auto r = run_code(host, Revision::Cancun, push(0) + push((uint256{1} << 32) - 32) + op(0x52),
                            std::numeric_limits<int64_t>::max());
    std::exit(r.status == Status::OutOfGas ? 0 : 1);
}
}  // namespace

TEST(EvmGas, MemoryTheHostCannotAllocateIsOutOfGasNotACrash) {
#if defined(POLYVM_ADDRESS_SANITIZER) || defined(POLYVM_THREAD_SANITIZER)
    GTEST_SKIP() << "the sanitizers reserve more address space than the limit allows";
#else
    // A frame whose gas pays for more memory than the host can give must end OutOfGas, not
    // terminate on std::bad_alloc inside the noexcept interpreter.
    EXPECT_EXIT(store_near_the_memory_cap_with_little_address_space(), testing::ExitedWithCode(0), "");
#endif
}

TEST(EvmGas, ExpPerByteEip160) {
    MockHost host;
    // EXP 2 ** 0x0100 (2-byte exponent).
    const bytes code = push(0x100) + push(2) + op(0x0a);
    EXPECT_EQ(gas_used(run_code(host, Revision::TangerineWhistle, code)), 6 + 10 + 2 * 10);
    EXPECT_EQ(gas_used(run_code(host, Revision::SpuriousDragon, code)), 6 + 10 + 2 * 50);
    EXPECT_EQ(gas_used(run_code(host, Revision::Cancun, push(0) + push(2) + op(0x0a))), 6 + 10);
}

TEST(EvmGas, Keccak256PerWord) {
    MockHost host;
    // KECCAK256 of 33 bytes at 0: 30 + 2 words * 6 + memory of 2 words.
    EXPECT_EQ(gas_used(run_code(host, Revision::Cancun, push(33) + push(0) + op(0x20))), 6 + 30 + 12 + 6);
}

TEST(EvmGas, LogCost) {
    MockHost host;
    // LOG2 of 5 bytes at 0 with topics 7 and 8.
    const auto r = run_code(host, Revision::Cancun, push(8) + push(7) + push(5) + push(0) + op(0xa2));
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(gas_used(r), 12 + 375 + 2 * 375 + 5 * 8 + 3);
    ASSERT_EQ(host.logs.size(), 1u);
    EXPECT_EQ(host.logs[0].address, kSelf);
    EXPECT_EQ(host.logs[0].data.size(), 5u);
    ASSERT_EQ(host.logs[0].topics.size(), 2u);
    EXPECT_EQ(uint256::from_hash(host.logs[0].topics[0]), 7);  // first topic is the 3rd stack item
    EXPECT_EQ(uint256::from_hash(host.logs[0].topics[1]), 8);
}

TEST(EvmGas, BaseGasTableRepricings) {
    auto g = [](Revision rev, uint8_t op) { return gas_table(rev)[op]; };
    using R = Revision;
    EXPECT_EQ(g(R::Frontier, OP_SLOAD), 50);
    EXPECT_EQ(g(R::TangerineWhistle, OP_SLOAD), 200);
    EXPECT_EQ(g(R::Istanbul, OP_SLOAD), 800);
    EXPECT_EQ(g(R::Berlin, OP_SLOAD), 100);
    EXPECT_EQ(g(R::Frontier, OP_BALANCE), 20);
    EXPECT_EQ(g(R::TangerineWhistle, OP_BALANCE), 400);
    EXPECT_EQ(g(R::Istanbul, OP_BALANCE), 700);
    EXPECT_EQ(g(R::Constantinople, OP_EXTCODEHASH), 400);
    EXPECT_EQ(g(R::Istanbul, OP_EXTCODEHASH), 700);
    EXPECT_EQ(g(R::Homestead, OP_CALL), 40);
    EXPECT_EQ(g(R::TangerineWhistle, OP_CALL), 700);
    EXPECT_EQ(g(R::Byzantium, OP_STATICCALL), 700);
    EXPECT_EQ(g(R::Cancun, OP_STATICCALL), 100);
    EXPECT_EQ(g(R::Homestead, OP_SELFDESTRUCT), 0);
    EXPECT_EQ(g(R::TangerineWhistle, OP_SELFDESTRUCT), 5000);
    EXPECT_EQ(g(R::Frontier, OP_EXTCODECOPY), 20);
    EXPECT_EQ(g(R::TangerineWhistle, OP_EXTCODECOPY), 700);
    EXPECT_EQ(g(R::Frontier, 0xa4), 375 * 5);
    EXPECT_EQ(g(R::Cancun, OP_BLOBHASH), 3);
    EXPECT_EQ(g(R::Cancun, OP_TLOAD), 100);
    EXPECT_EQ(g(R::Shanghai, OP_TLOAD), -1);
    EXPECT_EQ(g(R::Frontier, OP_DELEGATECALL), -1);
}

TEST(EvmGas, SloadPerRevision) {
    const bytes code = push(1) + op(0x54);
    for (auto [rev, expected] : {std::pair{Revision::Frontier, 53}, {Revision::TangerineWhistle, 203},
                                 {Revision::Istanbul, 803}, {Revision::Berlin, 2103}, {Revision::Cancun, 2103}}) {
        MockHost host;
        EXPECT_EQ(gas_used(run_code(host, rev, code)), expected) << static_cast<int>(rev);
    }
    // Berlin: the second read of the slot is warm.
    MockHost host;
    EXPECT_EQ(gas_used(run_code(host, Revision::Berlin, code + code)), 2103 + 103);
}

TEST(EvmGas, AccountAccessEip2929) {
    const Address other = address_of(0xabc);
    for (uint8_t opcode : {OP_BALANCE, OP_EXTCODESIZE, OP_EXTCODEHASH}) {
        MockHost host;
        host.account(other).balance = 5;
        const bytes code = push(other) + op(opcode);
        EXPECT_EQ(gas_used(run_code(host, Revision::Berlin, code + code)), 3 + 2600 + 3 + 100) << int(opcode);
        MockHost old;
        EXPECT_EQ(gas_used(run_code(old, Revision::Istanbul, code)), 3 + gas_table(Revision::Istanbul)[opcode]);
    }
    // EXTCODECOPY: cold access + copy + memory.
    MockHost host;
    host.account(other).code = code_from_hex("6001600201");
    const bytes code = push(32) + push(0) + push(0) + push(other) + op(OP_EXTCODECOPY) + push(32) + push(0) + op(0xf3);
    const auto r = run_code(host, Revision::Cancun, code);
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(to_hex(r.output), "6001600201000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(gas_used(r), 12 + 2600 + 3 + 3 + 6);
}

TEST(EvmGas, Selfbalance) {
    MockHost host;
    host.account(kSelf).balance = 1234;
    const auto r = run_code(host, Revision::Istanbul, op(0x47) + ret_top());
    EXPECT_EQ(uint256::load_be(r.output.data()), 1234);
}

TEST(EvmGas, SelfdestructCostsAndRefunds) {
    const Address beneficiary = address_of(0xbeef);
    const bytes code = push(beneficiary) + op(OP_SELFDESTRUCT);
    struct Case {
        Revision rev;
        bool self_has_balance;
        bool beneficiary_exists;
        int64_t gas;
        int64_t refund;
    };
    const Case cases[] = {
        {Revision::Frontier, true, false, 3, 24000},
        {Revision::Homestead, true, false, 3, 24000},
        {Revision::TangerineWhistle, false, false, 3 + 5000 + 25000, 24000},  // pre-158: any new account
        {Revision::TangerineWhistle, false, true, 3 + 5000, 24000},
        {Revision::SpuriousDragon, false, false, 3 + 5000, 24000},  // nothing to send: no new account
        {Revision::SpuriousDragon, true, false, 3 + 5000 + 25000, 24000},
        {Revision::Berlin, true, true, 3 + 5000 + 2600, 24000},
        {Revision::London, true, true, 3 + 5000 + 2600, 0},  // EIP-3529: no refund
        {Revision::Cancun, true, false, 3 + 5000 + 2600 + 25000, 0},
    };
    for (const auto& c : cases) {
        MockHost host;
        if (c.self_has_balance) host.account(kSelf).balance = 1;
        if (c.beneficiary_exists) host.account(beneficiary);
        const auto r = run_code(host, c.rev, code);
        ASSERT_EQ(r.status, Status::Success) << static_cast<int>(c.rev);
        EXPECT_EQ(gas_used(r), c.gas) << static_cast<int>(c.rev);
        EXPECT_EQ(r.gas_refund, c.refund) << static_cast<int>(c.rev);
        ASSERT_EQ(host.selfdestructs.size(), 1u);
        EXPECT_EQ(host.selfdestructs[0].second, beneficiary);
    }
    // Berlin: a warm beneficiary pays nothing extra; the second self-destruct earns no refund.
    MockHost host;
    host.account(beneficiary);
    host.warm_accounts.insert(beneficiary);
    host.selfdestructs.emplace_back(kSelf, beneficiary);
    const auto r = run_code(host, Revision::Berlin, code);
    EXPECT_EQ(gas_used(r), 3 + 5000);
    EXPECT_EQ(r.gas_refund, 0);
}

TEST(EvmGas, ReturndataCopyBounds) {
    MockHost host;
    host.call_handler = [](const Message& m) {
        ExecutionResult r;
        r.status = Status::Success;
        r.gas_left = m.gas;
        r.output = {1, 2, 3, 4};
        return r;
    };
    const Address callee = address_of(0xca);
    const bytes call = push(0) + push(0) + push(0) + push(0) + push(callee) + push(10000) + op(OP_STATICCALL) + op(0x50);
    // In bounds: copy bytes 1..3.
    auto r = run_code(host, Revision::Cancun,
                      call + push(3) + push(1) + push(0) + op(0x3e) + push(3) + push(0) + op(0xf3));
    ASSERT_EQ(r.status, Status::Success);
    EXPECT_EQ(to_hex(r.output), "020304");
    // Past the end: exceptional halt.
    r = run_code(host, Revision::Cancun, call + push(4) + push(1) + push(0) + op(0x3e));
    EXPECT_EQ(r.status, Status::InvalidMemoryAccess);
    EXPECT_EQ(r.gas_left, 0);
    // Offset past the end with size 0 also fails; offset == size with size 0 is fine.
    EXPECT_EQ(run_code(host, Revision::Cancun, call + push(0) + push(5) + push(0) + op(0x3e)).status,
              Status::InvalidMemoryAccess);
    EXPECT_EQ(run_code(host, Revision::Cancun, call + push(0) + push(4) + push(0) + op(0x3e)).status, Status::Success);
    // Without any call the buffer is empty.
    EXPECT_EQ(run_code(host, Revision::Cancun, push(1) + push(0) + push(0) + op(0x3e)).status,
              Status::InvalidMemoryAccess);
}

// WebAssembly contracts in transactions: deployment, calls between the two VMs in every
// direction, reverts and failures crossing the boundary, and the switch that keeps EIP-3541.
#include "unit/stylus/documents.hpp"

using namespace polyvm;
using namespace polyvm::stylus_test;

namespace {
// --- deployment and calls ------------------------------------------------------------------

TEST(StylusTransactions, CounterDeployedByCreationTransactionThenCalled) {
    REQUIRE_CONTRACT(counter, "counter");
    const Address created = create_address(kSender, 0);
    Document doc;
    doc.steps = {
        {.to = std::nullopt, .data = stylus::init_code_returning(counter), .output = bytes{}},
        {.to = created, .data = selector("increment()"), .output = bytes{}},
        {.to = created, .data = selector("increment()")},
        {.to = created, .data = selector("count()"), .output = word(uint256{2})},
        {.to = created, .data = selector("nonexistent()"), .status = Status::Revert},
    };
    doc.post = {{created, {{0, 2}}, counter}};
    const DocumentRun r = run(doc);
    ASSERT_EQ(r.outcomes.size(), 5u);
    ASSERT_TRUE(r.outcomes[0].created_address);
    EXPECT_EQ(*r.outcomes[0].created_address, created);
    // The deployment pays the code deposit (200 gas a byte) like any contract's.
    EXPECT_GT(r.outcomes[0].gas_used, static_cast<int64_t>(53'000 + 200 * counter.size()));
    // 0 -> 1 in a cold slot is SSTORE's 20,000 + 2,100; 1 -> 2 is 2,900 + 2,100.
    EXPECT_GT(r.outcomes[1].gas_used, 21'000 + 22'100);
    EXPECT_LT(r.outcomes[1].gas_used, 21'000 + 22'100 + kProgramCallOverhead);
    EXPECT_GT(r.outcomes[2].gas_used, 21'000 + 5'000);
    EXPECT_LT(r.outcomes[2].gas_used, 21'000 + 5'000 + kProgramCallOverhead);
}

TEST(StylusTransactions, Erc20TransferEmitsTransferAndRevertsOnInsufficientBalance) {
    REQUIRE_CONTRACT(erc20, "erc20");
    const Address alice = kSender, bob = addr(0xb0);
    const Hash32 transfer_hash = keccak256(std::string_view("Transfer(address,address,uint256)"));
    const bytes transfer_topic = bytes(transfer_hash.data(), transfer_hash.data() + 32);
    const bytes mint = concat({selector("mint(address,uint256)"), word(alice), word(uint256{1000})});
    const bytes transfer_300 = concat({selector("transfer(address,uint256)"), word(bob), word(uint256{300})});
    const bytes transfer_too_much = concat({selector("transfer(address,uint256)"), word(bob), word(uint256{701})});
    Document doc;
    doc.pre = {{kWasm, erc20, {}, 0}};
    doc.steps = {
        {.to = kWasm, .data = mint},
        {.to = kWasm,
         .data = transfer_300,
         .output = word(uint256{1}),
         .logs = std::vector<ExpectedLog>{
             {kWasm, {topic(transfer_topic), topic(word(alice)), topic(word(bob))}, word(uint256{300})}}},
        // OpenZeppelin 5: ERC20InsufficientBalance(sender, balance, needed); no state change.
        {.to = kWasm,
         .data = transfer_too_much,
         .status = Status::Revert,
         .output = concat({selector("ERC20InsufficientBalance(address,uint256,uint256)"), word(alice),
                           word(uint256{700}), word(uint256{701})}),
         .logs = std::vector<ExpectedLog>{}},
        {.to = kWasm, .data = concat({selector("balanceOf(address)"), word(alice)}), .output = word(uint256{700})},
        {.to = kWasm, .data = concat({selector("balanceOf(address)"), word(bob)}), .output = word(uint256{300})},
        {.to = kWasm, .data = selector("totalSupply()"), .output = word(uint256{1000})},
    };
    run(doc);
}

TEST(StylusTransactions, EvmContractCallsWasmContract) {
    REQUIRE_CONTRACT(counter, "counter");
    Document doc;
    doc.pre = {{kWasm, counter, {{0, 41}}, 0}, {kEvm, evm_forwarder(kWasm, kEvmCall), {}, 0}};
    doc.steps = {
        {.to = kEvm, .data = selector("increment()"), .output = bytes{}},
        {.to = kEvm, .data = selector("count()"), .output = word(uint256{42})},
    };
    doc.post = {{kWasm, {{0, 42}}, std::nullopt}, {kEvm, {{0, 0}}, std::nullopt}};
    run(doc);
}

TEST(StylusTransactions, WasmContractCallsEvmContract) {
    REQUIRE_CONTRACT(caller, "caller");
    Document doc;
    doc.pre = {{kWasm, caller, {}, 0}, {kEvm, kEvmStoreCaller, {}, 0}};
    doc.steps = {{.to = kWasm,
                  .data = forward_through_wasm(0, kEvm, {}),
                  .output = word(kWasm)}};
    // The EVM contract saw the WebAssembly contract as its caller and its store stayed.
    doc.post = {{kEvm, {{0, uint256::from_address(kWasm)}}, std::nullopt}};
    run(doc);
}

TEST(StylusTransactions, WasmContractCallsWasmContractThroughStaticCall) {
    REQUIRE_CONTRACT(caller, "caller");
    REQUIRE_CONTRACT(counter, "counter");
    Document doc;
    doc.pre = {{kWasm, caller, {}, 0}, {kWasm2, counter, {{0, 5}}, 0}};
    doc.steps = {
        {.to = kWasm, .data = forward_through_wasm(2, kWasm2, selector("count()")), .output = word(uint256{5})},
        // The counter's store under a static call fails it; the caller reverts with no data.
        {.to = kWasm, .data = forward_through_wasm(2, kWasm2, selector("increment()")), .status = Status::Revert,
         .output = bytes{}},
    };
    doc.post = {{kWasm2, {{0, 5}}, std::nullopt}};
    run(doc);
}

TEST(StylusTransactions, RevertFromWasmIntoEvmUndoesTheWasmStores) {
    REQUIRE_CONTRACT(failures, "failures");
    Document doc;
    doc.pre = {{kWasm, failures, {}, 0}, {kEvm, evm_recorder(kWasm), {{0, 7}}, 0}};
    doc.steps = {{.to = kEvm, .data = selector("store_and_revert()")}};
    // The EVM caller saw the call fail (0) and went on; the callee's flushed store is undone.
    doc.post = {{kEvm, {{0, 0}}, std::nullopt}, {kWasm, {{0, 0}}, std::nullopt}};
    run(doc);
}

TEST(StylusTransactions, RevertFromEvmIntoWasmUndoesTheEvmStores) {
    REQUIRE_CONTRACT(caller, "caller");
    Document doc;
    doc.pre = {{kWasm, caller, {}, 0}, {kEvm, kEvmStoreThenRevert, {}, 0}, {kEvm2, evm_recorder(kWasm), {{0, 7}}, 0}};
    doc.steps = {
        // The WebAssembly caller passes the EVM callee's revert data on.
        {.to = kWasm, .data = forward_through_wasm(0, kEvm, {}), .status = Status::Revert,
         .output = bytes{0xde, 0xad, 0xbe, 0xef}},
        // Under an EVM caller that records the failure, the EVM callee's store is still undone.
        {.to = kEvm2, .data = forward_through_wasm(0, kEvm, {})},
    };
    doc.post = {{kEvm, {{0, 0}}, std::nullopt}, {kEvm2, {{0, 0}}, std::nullopt}};
    run(doc);
}

TEST(StylusTransactions, DelegateCallFromEvmProxyWritesTheProxysStorage) {
    REQUIRE_CONTRACT(counter, "counter");
    Document doc;
    doc.pre = {{kWasm, counter, {{0, 100}}, 0}, {kEvm, evm_forwarder(kWasm, kEvmDelegateCall), {{0, 9}}, 0}};
    doc.steps = {
        {.to = kEvm, .data = selector("increment()")},
        {.to = kEvm, .data = selector("count()"), .output = word(uint256{10})},
    };
    doc.post = {{kEvm, {{0, 10}}, std::nullopt}, {kWasm, {{0, 100}}, std::nullopt}};
    run(doc);
}

TEST(StylusTransactions, StaticCallFromEvmIntoWasmThatWritesFails) {
    REQUIRE_CONTRACT(counter, "counter");
    Document doc;
    doc.pre = {{kWasm, counter, {{0, 3}}, 0}, {kEvm, evm_forwarder(kWasm, kEvmStaticCall), {}, 0}};
    doc.steps = {
        {.to = kEvm, .data = selector("count()"), .output = word(uint256{3})},
        {.to = kEvm, .data = selector("increment()"), .status = Status::Revert, .output = bytes{}},
    };
    doc.post = {{kWasm, {{0, 3}}, std::nullopt}};
    const DocumentRun r = run(doc);
    // A static-mode violation is an exceptional halt: the callee's 63/64 of the gas is gone.
    EXPECT_GT(r.outcomes[1].gas_used, 1'900'000);
}

// --- failures ------------------------------------------------------------------------------

TEST(StylusTransactions, EndlessLoopRunsOutOfGasConsumingAll) {
    REQUIRE_CONTRACT(failures, "failures");
    Document doc;
    doc.pre = {{kWasm, failures, {}, 0}};
    doc.steps = {{.to = kWasm, .data = selector("spin()"), .status = Status::OutOfGas, .gas_limit = 100'000}};
    const DocumentRun r = run(doc);
    EXPECT_EQ(r.outcomes[0].gas_used, 100'000);
}

TEST(StylusTransactions, TrapsFailConsumingAllGas) {
    REQUIRE_CONTRACT(failures, "failures");
    Document doc;
    doc.pre = {{kWasm, failures, {}, 0}};
    doc.steps = {
        {.to = kWasm, .data = selector("trap()"), .status = Status::Failure, .gas_limit = 100'000},
        {.to = kWasm, .data = concat({selector("divide(uint256)"), word(uint256{0})}), .status = Status::Failure,
         .gas_limit = 100'000},
        {.to = kWasm, .data = concat({selector("divide(uint256)"), word(uint256{8})}), .output = word(uint256{125}),
         .gas_limit = 100'000},
    };
    const DocumentRun r = run(doc);
    EXPECT_EQ(r.outcomes[0].gas_used, 100'000);
    EXPECT_EQ(r.outcomes[1].gas_used, 100'000);
    EXPECT_LT(r.outcomes[2].gas_used, 30'000);
}

TEST(StylusTransactions, InvalidProgramDeploymentFails) {
    // Stylus's prefix over a Brotli stream of a module that is no contract (no user_entrypoint),
    // and over bytes that are no Brotli stream at all.
    const uint8_t empty_module[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    const bytes not_a_contract = wasm::compress_stylus_program(bytes_view{empty_module, sizeof empty_module});
    const bytes not_brotli = {0xEF, 0xF0, 0x00, 0x00, 0x12, 0x34, 0x56};
    ASSERT_FALSE(not_a_contract.empty());
    Document doc;
    doc.steps = {
        {.to = std::nullopt, .data = stylus::init_code_returning(not_a_contract),
         .status = Status::ContractValidationFailure, .gas_limit = 200'000},
        {.to = std::nullopt, .data = stylus::init_code_returning(not_brotli),
         .status = Status::ContractValidationFailure, .gas_limit = 200'000},
    };
    const DocumentRun r = run(doc);
    EXPECT_EQ(r.outcomes[0].gas_used, 200'000);
    EXPECT_FALSE(r.outcomes[0].created_address);
    EXPECT_EQ(r.state.find(create_address(kSender, 0)), nullptr);
}

TEST(StylusTransactions, WithTheSwitchOffStylusCodeIsRefusedByEip3541) {
    REQUIRE_CONTRACT(counter, "counter");
    Document doc;
    doc.wasm_contracts = false;
    doc.pre = {{kWasm, counter, {}, 0}};
    doc.steps = {
        {.to = std::nullopt, .data = stylus::init_code_returning(counter),
         .status = Status::ContractValidationFailure, .gas_limit = 500'000},
        // Code already there runs as EVM code: 0xEF is an invalid instruction.
        {.to = kWasm, .data = selector("increment()"), .status = Status::UndefinedInstruction, .gas_limit = 100'000},
    };
    doc.post = {{kWasm, {{0, 0}}, std::nullopt}};
    const DocumentRun r = run(doc);
    EXPECT_EQ(r.state.find(create_address(kSender, 0)), nullptr);
}

// --- tracing -------------------------------------------------------------------------------

// Counts what a tracer is told.
struct CountingTracer : Tracer {
    int calls_started = 0, calls_ended = 0, frames_started = 0, frames_ended = 0, steps = 0;
    std::vector<Status> frame_results;
    void on_frame_start(const Message&, Revision, bytes_view) override { ++frames_started; }
    void on_step(const TraceStep&) override { ++steps; }
    void on_frame_end(const Message&, const ExecutionResult& result) override {
        ++frames_ended;
        frame_results.push_back(result.status);
    }
    void on_call_start(const Message&) override { ++calls_started; }
    void on_call_end(const Message&, const ExecutionResult&) override { ++calls_ended; }
};

TEST(StylusTransactions, TracersSeeWasmFramesWithoutSteps) {
    REQUIRE_CONTRACT(counter, "counter");
    CountingTracer direct, through_evm;
    Document doc;
    doc.pre = {{kWasm, counter, {}, 0}, {kEvm, evm_forwarder(kWasm, kEvmCall), {}, 0}};
    doc.tracer = &direct;
    doc.steps = {{.to = kWasm, .data = selector("increment()")}};
    run(doc);
    EXPECT_EQ(direct.calls_started, 1);
    EXPECT_EQ(direct.calls_ended, 1);
    EXPECT_EQ(direct.frames_started, 1);
    EXPECT_EQ(direct.frames_ended, 1);
    EXPECT_EQ(direct.steps, 0);

    doc.tracer = &through_evm;
    doc.steps = {{.to = kEvm, .data = selector("nonexistent()"), .status = Status::Revert}};
    run(doc);
    EXPECT_EQ(through_evm.calls_started, 2);
    EXPECT_EQ(through_evm.frames_started, 2);
    EXPECT_GT(through_evm.steps, 10);  // the EVM forwarder's instructions only
    // The inner (wasm) frame ends first, reverting; then the forwarder reverts too.
    EXPECT_EQ(through_evm.frame_results, (std::vector<Status>{Status::Revert, Status::Revert}));
}

// --- a Keccak and Merkle workload -----------------------------------------------------------

/// The reference: the same tree as contracts/wasm/src/merkle.c, computed here.
Hash32 merkle_root_of(size_t leaves) {
    if (leaves == 0) return Hash32{};
    std::vector<Hash32> level;
    for (size_t i = 0; i < leaves; ++i) level.push_back(keccak256(bytes_view{word(uint256{i})}));
    while (level.size() > 1) {
        std::vector<Hash32> parents;
        for (size_t i = 0; i + 1 < level.size(); i += 2) {
            bytes pair(level[i].data(), level[i].data() + 32);
            pair.insert(pair.end(), level[i + 1].data(), level[i + 1].data() + 32);
            parents.push_back(keccak256(bytes_view{pair}));
        }
        if (level.size() % 2) parents.push_back(level.back());
        level = std::move(parents);
    }
    return level[0];
}

TEST(StylusTransactions, KeccakAndMerkleWorkloadMatchTheReference) {
    REQUIRE_CONTRACT(merkle, "merkle");
    const Address program = addr(0x3e);
    Hash32 chained = uint256{7}.to_hash();
    for (int i = 0; i < 100; ++i) chained = keccak256(bytes_view{chained.data(), 32});
    const auto as_bytes = [](const Hash32& h) { return bytes(h.data(), h.data() + 32); };
    Document doc;
    doc.pre = {{program, merkle, {}, 0}};
    doc.steps = {
        {.to = program, .data = concat({selector("hashChain(uint256,uint256)"), word(uint256{7}), word(uint256{100})}),
         .output = as_bytes(chained)},
        {.to = program, .data = concat({selector("merkleRoot(uint256)"), word(uint256{0})}), .output = word(uint256{})},
        {.to = program, .data = concat({selector("merkleRoot(uint256)"), word(uint256{1})}), .output = as_bytes(merkle_root_of(1))},
        {.to = program, .data = concat({selector("merkleRoot(uint256)"), word(uint256{7})}), .output = as_bytes(merkle_root_of(7))},
        {.to = program, .data = concat({selector("merkleRoot(uint256)"), word(uint256{500})}), .output = as_bytes(merkle_root_of(500))},
        {.to = program, .data = concat({selector("merkleRoot(uint256)"), word(uint256{513})}), .status = Status::Revert},
    };
    const DocumentRun r = run(doc);
    ASSERT_EQ(r.outcomes.size(), 6u);
    // 999 hashes of 32 and 64 bytes (30 + 6 per word each) and the work around them: the gas
    // grows with the tree.
    EXPECT_GT(r.outcomes[4].gas_used, r.outcomes[3].gas_used + 499 * 42 + 500 * 36);
}

}  // namespace

// Tracing WebAssembly contracts: every WebAssembly instruction a program runs is a step of its
// frame (TraceVm::Wasm) through the same Tracer as the EVM's, with its mnemonic, its offset in
// the module, the gas left and the frame's depth; and tracing changes nothing in the result.
#include "unit/stylus/document_runner.hpp"

#include "trace/transaction_trace.hpp"

#include <sstream>

using namespace polyvm;
using namespace polyvm::stylus_test;

namespace {

struct RecordedStep {
    TraceVm vm;
    std::string name;
    uint32_t pc;
    uint8_t opcode;
    int64_t gas_left;
    int32_t depth;
};

// Keeps every step, and counts the frames and calls it is told about.
struct RecordingTracer : Tracer {
    std::vector<RecordedStep> steps;
    int calls_started = 0, calls_ended = 0, frames_started = 0, frames_ended = 0;
    std::vector<Status> frame_results;
    void on_frame_start(const Message&, Revision, bytes_view) override { ++frames_started; }
    void on_step(const TraceStep& s) override { steps.push_back({s.vm, std::string(s.op_name), s.pc, s.opcode, s.gas_left, s.depth}); }
    void on_frame_end(const Message&, const ExecutionResult& result) override {
        ++frames_ended;
        frame_results.push_back(result.status);
    }
    void on_call_start(const Message&) override { ++calls_started; }
    void on_call_end(const Message&, const ExecutionResult&) override { ++calls_ended; }

    size_t count(TraceVm vm, int32_t depth) const {
        return size_t(std::count_if(steps.begin(), steps.end(), [&](const RecordedStep& s) { return s.vm == vm && s.depth == depth; }));
    }
    bool has(std::string_view name) const {
        return std::any_of(steps.begin(), steps.end(), [&](const RecordedStep& s) { return s.name == name; });
    }
};

// Runs the document twice, untraced and with `tracer`: the outcomes and the states must agree.
void run_traced_and_untraced(Document doc, Tracer& tracer) {
    doc.tracer = nullptr;
    const DocumentRun plain = run(doc);
    doc.tracer = &tracer;
    const DocumentRun traced = run(doc);
    ASSERT_EQ(plain.outcomes.size(), traced.outcomes.size());
    for (size_t i = 0; i < plain.outcomes.size(); ++i) {
        EXPECT_EQ(plain.outcomes[i].status, traced.outcomes[i].status) << "transaction " << i;
        EXPECT_EQ(plain.outcomes[i].gas_used, traced.outcomes[i].gas_used) << "transaction " << i;
        EXPECT_EQ(plain.outcomes[i].output, traced.outcomes[i].output) << "transaction " << i;
        EXPECT_EQ(plain.outcomes[i].logs.size(), traced.outcomes[i].logs.size()) << "transaction " << i;
    }
}

TEST(StylusTracing, EveryWasmInstructionIsAStepWithItsMnemonicAndGas) {
    REQUIRE_CONTRACT(counter, "counter");
    RecordingTracer tracer;
    run_traced_and_untraced(named_document("CounterIncrementedDirectly"), tracer);  // 200,000 gas

    EXPECT_EQ(tracer.frames_started, 1);
    ASSERT_GT(tracer.steps.size(), 100u);
    EXPECT_EQ(tracer.count(TraceVm::Wasm, 0), tracer.steps.size());
    // Instructions that the translator folds into others are still steps of their own.
    for (const char* name : {"i32.const", "local.get", "call", "i32.store", "i32.load", "end"})
        EXPECT_TRUE(tracer.has(name)) << name;
    // pc is the offset of the instruction's opcode in the module (as wasm-objdump shows it).
    std::ifstream file(std::string(POLYVM_WASM_CONTRACTS_DIR) + "/counter.wasm", std::ios::binary);
    const bytes module{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    for (const RecordedStep& s : tracer.steps) {
        EXPECT_FALSE(s.name.empty()) << "pc " << s.pc;
        ASSERT_LT(s.pc, module.size());
        EXPECT_EQ(module[s.pc], s.opcode) << "pc " << s.pc << " " << s.name;
    }
    // The first instruction runs once instantiation and the starting page are paid for.
    EXPECT_LE(tracer.steps.front().gas_left, 200'000 - 21'000 - stylus::kProgramInstantiationGas);
    // Gas never goes up within the frame; a call to storage_load_bytes32 costs a cold SLOAD.
    bool cold_load_seen = false;
    for (size_t i = 1; i < tracer.steps.size(); ++i) {
        const RecordedStep &before = tracer.steps[i - 1], &after = tracer.steps[i];
        EXPECT_LE(after.gas_left, before.gas_left) << "step " << i << " " << after.name;
        if (before.name == "call" && before.gas_left - after.gas_left >= 2'100) cold_load_seen = true;
    }
    EXPECT_TRUE(cold_load_seen);
    // An instruction's cost is at least one gas, except where a host call runs in between.
    EXPECT_GE(tracer.steps.front().gas_left - tracer.steps.back().gas_left, static_cast<int64_t>(tracer.steps.size()) - 1);
}

TEST(StylusTracing, WasmAndEvmStepsNestWithTheirDepths) {
    REQUIRE_CONTRACT(caller, "caller");
    REQUIRE_CONTRACT(counter, "counter");
    // A WebAssembly contract calls an EVM contract: its steps at depth 1, the program's at 0.
    RecordingTracer wasm_calls_evm;
    run_traced_and_untraced(named_document("WasmContractCallsEvmContract"), wasm_calls_evm);
    EXPECT_GT(wasm_calls_evm.count(TraceVm::Wasm, 0), 50u);
    EXPECT_EQ(wasm_calls_evm.count(TraceVm::Evm, 1), 9u);  // CALLER DUP1 PUSH0 SSTORE PUSH0 MSTORE PUSH1 PUSH0 RETURN
    EXPECT_EQ(wasm_calls_evm.count(TraceVm::Wasm, 0) + wasm_calls_evm.count(TraceVm::Evm, 1), wasm_calls_evm.steps.size());
    // The EVM steps come between the program's steps: the program's call is still running.
    const auto first_evm = std::find_if(wasm_calls_evm.steps.begin(), wasm_calls_evm.steps.end(),
                                        [](const RecordedStep& s) { return s.vm == TraceVm::Evm; });
    ASSERT_NE(first_evm, wasm_calls_evm.steps.begin());
    EXPECT_EQ(std::prev(first_evm)->name, "call");

    // An EVM contract calls a WebAssembly contract: the reverse.
    RecordingTracer evm_calls_wasm;
    run_traced_and_untraced(named_document("EvmContractForwardsARevertFromWasm"), evm_calls_wasm);
    EXPECT_EQ(evm_calls_wasm.calls_started, 2);
    EXPECT_EQ(evm_calls_wasm.frames_started, 2);
    EXPECT_GT(evm_calls_wasm.count(TraceVm::Evm, 0), 10u);
    EXPECT_GT(evm_calls_wasm.count(TraceVm::Wasm, 1), 10u);
    EXPECT_EQ(evm_calls_wasm.count(TraceVm::Evm, 0) + evm_calls_wasm.count(TraceVm::Wasm, 1), evm_calls_wasm.steps.size());
    // The inner (wasm) frame ends first, reverting; then the forwarder reverts too.
    EXPECT_EQ(evm_calls_wasm.frame_results, (std::vector<Status>{Status::Revert, Status::Revert}));
}

TEST(StylusTracing, OutOfGasInsideAProgramKeepsItsSteps) {
    REQUIRE_CONTRACT(failures, "failures");
    RecordingTracer tracer;
    run_traced_and_untraced(named_document("EndlessLoopRunsOutOfGasConsumingAll"), tracer);
    ASSERT_GT(tracer.steps.size(), 1'000u);
    EXPECT_TRUE(tracer.has("br"));
    EXPECT_GE(tracer.steps.back().gas_left, 0);
    EXPECT_LT(tracer.steps.back().gas_left, 100);
}

// debug_traceTransaction's answer for a call of the counter, with the tracer `options` choose.
nlohmann::json trace_counter_increment(const bytes& counter, const nlohmann::json& options) {
    State state;
    Account sender;
    sender.balance = uint256{1} << 100;
    state.put_account(kSender, sender);
    Account program;
    program.nonce = 1;
    state.set_code(state.put_account(kWasm, program), counter);
    ExecutionOptions execution;
    execution.wasm_contracts = true;
    const Transaction tx = transaction(Step{.to = kWasm, .data = selector("increment()")}, 0);
    return trace::trace_transaction(state, test::simple_block(kCoinbase), tx, kRevision, 1, options, execution);
}

TEST(StylusTracing, StructLoggerShowsWasmMnemonics) {
    REQUIRE_CONTRACT(counter, "counter");
    const nlohmann::json result = trace_counter_increment(counter, nlohmann::json::object());
    EXPECT_EQ(result["failed"], false);
    const nlohmann::json& logs = result["structLogs"];
    ASSERT_GT(logs.size(), 100u);
    EXPECT_EQ(logs[0]["depth"], 1);
    bool saw_const = false, saw_call = false;
    for (size_t i = 0; i < logs.size(); ++i) {
        const std::string op = logs[i]["op"];
        saw_const = saw_const || op == "i32.const";
        saw_call = saw_call || op == "call";
        EXPECT_TRUE(logs[i]["stack"].empty()) << i;
        EXPECT_FALSE(logs[i].contains("storage")) << i;
        // Each step's cost is what the gas went down by until the next one.
        if (i + 1 < logs.size()) {
            EXPECT_EQ(logs[i]["gasCost"].get<int64_t>(), logs[i]["gas"].get<int64_t>() - logs[i + 1]["gas"].get<int64_t>()) << i;
        }
    }
    EXPECT_TRUE(saw_const);
    EXPECT_TRUE(saw_call);
}

TEST(StylusTracing, TracersReadingEvmOperandsSkipWasmSteps) {
    // Their opcode switches must not take a WebAssembly opcode for an EVM one (0x54, i64.lt_u,
    // is SLOAD): the program's storage access reaches them through the host instead.
    REQUIRE_CONTRACT(counter, "counter");
    const nlohmann::json prestate = trace_counter_increment(counter, {{"tracer", "prestateTracer"}});
    EXPECT_TRUE(prestate.contains("0x7700000000000000000000000000000000000001")) << prestate.dump();
    const nlohmann::json calls = trace_counter_increment(counter, {{"tracer", "callTracer"}});
    EXPECT_EQ(calls["to"], "0x7700000000000000000000000000000000000001") << calls.dump();
    EXPECT_FALSE(calls.contains("error")) << calls.dump();
}

TEST(StylusTracing, Eip3155LinesNameWasmInstructions) {
    REQUIRE_CONTRACT(counter, "counter");
    std::ostringstream out;
    Eip3155Tracer tracer(out);
    run_traced_and_untraced(named_document("CounterIncrementedDirectly"), tracer);
    const std::string text = out.str();
    EXPECT_NE(text.find("\"opName\":\"i32.const\""), std::string::npos);
    EXPECT_NE(text.find("\"opName\":\"call\""), std::string::npos);
    EXPECT_NE(text.find("\"gasUsed\""), std::string::npos);  // the summary line of the frame
}

}  // namespace

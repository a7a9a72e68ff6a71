// The interpreter's edge cases, one small hand-built module each: integer traps, float rules,
// truncation, memory bounds, call_indirect errors, call depth, fuel and tracing.
#include "module_builder.hpp"
#include "wasm/compiler.hpp"
#include "wasm/instance.hpp"
#include "wasm/fuel.hpp"
#include "wasm/instruction_names.hpp"
#include "wasm/interpreter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace polyvm::wasm::test {
namespace {

constexpr uint8_t I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, F64 = 0x7C;
const Bytes kExportF = section(7, vec({{0x01, 'f', 0x00, 0x00}}));

/// Instantiates `bytes` and calls its export "f".
class Machine {
public:
    explicit Machine(const Bytes& bytes, ExecutionLimits limits = {}, CompileOptions options = {}) : executor_(limits) {
        auto decoded = decode(bytes);
        EXPECT_TRUE(decoded.ok()) << describe(decoded.error());
        auto compiled = compile(std::move(decoded.value()), options);
        EXPECT_TRUE(compiled.ok()) << describe(compiled.error());
        const Instantiation instance = instantiate(store_, compiled.value(), nullptr, executor_);
        EXPECT_TRUE(instance.ok()) << instance.message;
        function_ = instance.instance->exports.at("f").function;
    }

    ExecutionResult call(std::vector<Value> args, std::optional<uint64_t> fuel = std::nullopt) {
        executor_.set_fuel(fuel);
        return executor_.invoke(*function_, args);
    }
    uint64_t fuel_left() const { return executor_.fuel_left(); }
    void observe(StepObserver* observer) { executor_.set_step_observer(observer); }

private:
    Store store_;
    Executor executor_;
    FunctionInstance* function_ = nullptr;
};

/// f(params) -> results with `body` (which ends with 0x0B), exported as "f".
Bytes function_module(const Bytes& params, const Bytes& results, const Bytes& body,
                      std::initializer_list<Bytes> before_export = {}) {
    Bytes out = header();
    const auto append = [&](const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); };
    append(section(1, vec({function_type(params, results)})));
    append(section(3, vec({{0x00}})));
    for (const auto& s : before_export) append(s);
    append(kExportF);
    append(section(10, vec({code_entry({0x00}, body)})));
    return out;
}

/// A binary operation `op` on the two parameters.
Bytes binary(uint8_t type, uint8_t result, uint8_t op) {
    return function_module({type, type}, {result}, {0x20, 0x00, 0x20, 0x01, op, 0x0B});
}
Bytes unary(uint8_t type, uint8_t result, std::initializer_list<uint8_t> op) {
    Bytes body = {0x20, 0x00};
    body.insert(body.end(), op.begin(), op.end());
    body.push_back(0x0B);
    return function_module({type}, {result}, body);
}

void expect_trap(const ExecutionResult& result, const std::string& message) {
    EXPECT_EQ(result.status, ExecutionStatus::Trap);
    EXPECT_EQ(result.message, message);
}

uint64_t single(const ExecutionResult& result) {
    EXPECT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(result.values.size(), 1u);
    return result.values.empty() ? 0 : result.values[0].bits;
}

TEST(WasmInterpreter, IntegerDivisionTraps) {
    Machine div_s(binary(I32, I32, 0x6D));
    expect_trap(div_s.call({Value::i32(1), Value::i32(0)}), "integer divide by zero");
    expect_trap(div_s.call({Value::i32(0x80000000u), Value::i32(0xFFFFFFFFu)}), "integer overflow");
    EXPECT_EQ(single(div_s.call({Value::i32(uint32_t(-7)), Value::i32(2)})), uint32_t(-3));
    Machine rem_s(binary(I32, I32, 0x6F));
    EXPECT_EQ(single(rem_s.call({Value::i32(0x80000000u), Value::i32(0xFFFFFFFFu)})), 0u);
    Machine rem_u64(binary(I64, I64, 0x82));
    expect_trap(rem_u64.call({Value::i64(5), Value::i64(0)}), "integer divide by zero");
}

TEST(WasmInterpreter, ShiftsAndRotatesTakeTheCountModuloTheWidth) {
    Machine shl(binary(I32, I32, 0x74));
    EXPECT_EQ(single(shl.call({Value::i32(1), Value::i32(33)})), 2u);
    Machine rotr(binary(I64, I64, 0x8A));
    EXPECT_EQ(single(rotr.call({Value::i64(1), Value::i64(65)})), 0x8000000000000000u);
}

TEST(WasmInterpreter, FloatMinMaxNearest) {
    Machine min32(binary(F32, F32, 0x96));
    EXPECT_EQ(single(min32.call({Value::f32(0.0f), Value::f32(-0.0f)})), 0x80000000u);
    Machine max64(binary(F64, F64, 0xA5));
    EXPECT_EQ(single(max64.call({Value::f64(-0.0), Value::f64(0.0)})), 0u);
    const double nan = std::bit_cast<double>(uint64_t(0x7FF0000000000001));  // signalling
    const uint64_t bits = single(max64.call({Value::f64(1.0), Value::f64(nan)}));
    EXPECT_EQ(bits & 0x7FF8000000000000u, 0x7FF8000000000000u);  // an arithmetic (quiet) NaN
    Machine nearest(unary(F32, F32, {0x90}));
    EXPECT_EQ(single(nearest.call({Value::f32(2.5f)})), Value::f32(2.0f).bits);
    EXPECT_EQ(single(nearest.call({Value::f32(3.5f)})), Value::f32(4.0f).bits);
    EXPECT_EQ(single(nearest.call({Value::f32(-0.5f)})), Value::f32(-0.0f).bits);
    Machine neg(unary(F64, F64, {0x9A}));
    EXPECT_EQ(single(neg.call({Value{ValueType::F64, 0x7FF8000000000001u}})), 0xFFF8000000000001u);
}

TEST(WasmInterpreter, TruncationTrapsAndSaturates) {
    Machine trunc(unary(F32, I32, {0xA8}));
    expect_trap(trunc.call({Value::f32(NAN)}), "invalid conversion to integer");
    expect_trap(trunc.call({Value::f32(2147483648.0f)}), "integer overflow");
    EXPECT_EQ(single(trunc.call({Value::f32(-2147483648.0f)})), 0x80000000u);
    Machine trunc_u(unary(F64, I32, {0xAB}));
    EXPECT_EQ(single(trunc_u.call({Value::f64(-0.9)})), 0u);
    expect_trap(trunc_u.call({Value::f64(-1.0)}), "integer overflow");
    EXPECT_EQ(single(trunc_u.call({Value::f64(4294967295.9)})), 0xFFFFFFFFu);
    Machine saturating(unary(F32, I32, {0xFC, 0x00}));
    EXPECT_EQ(single(saturating.call({Value::f32(3e9f)})), 0x7FFFFFFFu);
    EXPECT_EQ(single(saturating.call({Value::f32(-3e9f)})), 0x80000000u);
    EXPECT_EQ(single(saturating.call({Value::f32(NAN)})), 0u);
    Machine saturating_u64(unary(F64, I64, {0xFC, 0x07}));
    EXPECT_EQ(single(saturating_u64.call({Value::f64(-5.0)})), 0u);
    EXPECT_EQ(single(saturating_u64.call({Value::f64(1e30)})), UINT64_MAX);
}

TEST(WasmInterpreter, MemoryBoundsAtTheEdge) {
    const Bytes memory = section(5, vec({{0x00, 0x01}}));  // one page
    // f(address) = i32.load offset=0
    Machine load(function_module({I32}, {I32}, {0x20, 0x00, 0x28, 0x02, 0x00, 0x0B}, {memory}));
    EXPECT_EQ(single(load.call({Value::i32(65532)})), 0u);
    expect_trap(load.call({Value::i32(65533)}), "out of bounds memory access");
    expect_trap(load.call({Value::i32(0xFFFFFFFFu)}), "out of bounds memory access");
    // i64.load offset=0xFFFFFFFF: address + offset does not wrap around 32 bits
    Machine far(function_module({I32}, {I64}, {0x20, 0x00, 0x29, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0B}, {memory}));
    expect_trap(far.call({Value::i32(1)}), "out of bounds memory access");
    // memory.grow past the maximum of the engine (and the spec's 65536 pages) gives -1
    Machine grow(function_module({I32}, {I32}, {0x20, 0x00, 0x40, 0x00, 0x0B}, {memory}));
    EXPECT_EQ(single(grow.call({Value::i32(1)})), 1u);
    EXPECT_EQ(single(grow.call({Value::i32(70000)})), 0xFFFFFFFFu);
}

TEST(WasmInterpreter, CallIndirectErrors) {
    // f(i) = call_indirect (type 1: [] -> []) table[i]; table = [f, null]; f has type 0.
    const Bytes bytes = module({
        section(1, vec({function_type({I32}, {I32}), function_type({}, {})})),
        section(3, vec({{0x00}})),
        section(4, vec({{0x70, 0x00, 0x02}})),
        kExportF,
        section(9, vec({{0x00, 0x41, 0x00, 0x0B, 0x01, 0x00}})),
        section(10, vec({code_entry({0x00}, {0x20, 0x00, 0x11, 0x01, 0x00, 0x41, 0x07, 0x0B})})),
    });
    Machine machine(bytes);
    expect_trap(machine.call({Value::i32(0)}), "indirect call type mismatch");
    expect_trap(machine.call({Value::i32(1)}), "uninitialized element");
    expect_trap(machine.call({Value::i32(2)}), "undefined element");
}

TEST(WasmInterpreter, CallDepthIsBounded) {
    Machine machine(function_module({}, {}, {0x10, 0x00, 0x0B}), ExecutionLimits{1000, size_t(1) << 16});
    const ExecutionResult result = machine.call({});
    EXPECT_EQ(result.status, ExecutionStatus::Exhausted);
    EXPECT_EQ(result.message, "call stack exhausted");
    // The executor is usable again afterwards.
    EXPECT_EQ(machine.call({}).status, ExecutionStatus::Exhausted);
}

TEST(WasmInterpreter, UnreachableTraps) {
    expect_trap(Machine(function_module({}, {}, {0x00, 0x0B})).call({}), "unreachable");
}

TEST(WasmInterpreter, FuelRunsOutExactlyAtABlockBoundary) {
    // i32.const 1; drop; end: one block of three instructions.
    Machine machine(function_module({}, {}, {0x41, 0x01, 0x1A, 0x0B}));
    EXPECT_TRUE(machine.call({}, 3).ok());
    EXPECT_EQ(machine.fuel_left(), 0u);
    const ExecutionResult result = machine.call({}, 2);
    EXPECT_EQ(result.status, ExecutionStatus::OutOfFuel);
    EXPECT_EQ(result.message, "out of fuel");
    EXPECT_EQ(machine.fuel_left(), 2u);  // a block that does not fit is not charged
    EXPECT_TRUE(machine.call({}).ok());  // unmetered again
}

TEST(WasmInterpreter, FuelGivenBackByAnEarlyExit) {
    // f(x): block { br_if 0 (x); i32.const 1; drop; i32.const 2; drop } i32.const 7. The block
    // up to its `end` is one fuel block (8 units, charged at entry); a taken br_if gives back the
    // 5 it skips, and the label after the block (i32.const 7; end) costs 2.
    const Bytes body = {0x02, 0x40, 0x20, 0x00, 0x0D, 0x00, 0x41, 0x01, 0x1A, 0x41, 0x02, 0x1A, 0x0B, 0x41, 0x07, 0x0B};
    Machine machine(function_module({I32}, {I32}, body));
    EXPECT_EQ(single(machine.call({Value::i32(1)}, 100)), 7u);
    EXPECT_EQ(machine.fuel_left(), 95u);  // 3 + 2: exactly what ran
    EXPECT_EQ(single(machine.call({Value::i32(0)}, 100)), 7u);
    EXPECT_EQ(machine.fuel_left(), 90u);  // 8 + 2
    // The whole block must fit when it is entered, even if the branch will leave after 3 units.
    EXPECT_EQ(machine.call({Value::i32(1)}, 7).status, ExecutionStatus::OutOfFuel);
    EXPECT_EQ(machine.fuel_left(), 7u);
    EXPECT_EQ(single(machine.call({Value::i32(1)}, 8)), 7u);
    EXPECT_EQ(machine.fuel_left(), 3u);
    // Unmetered, the refunds leave no trace either.
    EXPECT_EQ(single(machine.call({Value::i32(1)})), 7u);
    EXPECT_EQ(machine.fuel_left(), 0u);
}

// Keeps the instructions a traced invocation reports.
struct InstructionLog : StepObserver {
    std::vector<ExecutedInstruction> seen;
    void on_instruction(const ExecutedInstruction& instruction) override { seen.push_back(instruction); }
    std::vector<uint16_t> opcodes() const {
        std::vector<uint16_t> out;
        for (const ExecutedInstruction& i : seen) out.push_back(i.opcode);
        return out;
    }
    std::vector<uint64_t> fuel() const {
        std::vector<uint64_t> out;
        for (const ExecutedInstruction& i : seen) out.push_back(i.fuel_left);
        return out;
    }
};

TEST(WasmInterpreter, TracedRunsReportEveryInstructionWithItsFuel) {
    // The early-exit function above: every instruction is reported, those the translator folds
    // away (block, local.get, i32.const, drop, end) included, with the fuel left before it as if
    // each were charged on its own, although blocks are charged at their entry.
    const Bytes body = {0x02, 0x40, 0x20, 0x00, 0x0D, 0x00, 0x41, 0x01, 0x1A, 0x41, 0x02, 0x1A, 0x0B, 0x41, 0x07, 0x0B};
    const Bytes module = function_module({I32}, {I32}, body);
    Machine machine(module);
    InstructionLog log;
    machine.observe(&log);
    EXPECT_EQ(single(machine.call({Value::i32(0)}, 100)), 7u);
    EXPECT_EQ(log.opcodes(), (std::vector<uint16_t>{0x02, 0x20, 0x0D, 0x41, 0x1A, 0x41, 0x1A, 0x0B, 0x41, 0x0B}));
    EXPECT_EQ(log.fuel(), (std::vector<uint64_t>{100, 99, 98, 97, 96, 95, 94, 93, 92, 91}));
    EXPECT_EQ(machine.fuel_left(), 90u);
    for (const ExecutedInstruction& i : log.seen) {
        ASSERT_LT(i.offset, module.size());
        EXPECT_EQ(module[i.offset], i.opcode);  // offsets are the module binary's
    }
    // The branch taken: the rest of the block is skipped, and its fuel given back.
    log.seen.clear();
    EXPECT_EQ(single(machine.call({Value::i32(1)}, 100)), 7u);
    EXPECT_EQ(log.opcodes(), (std::vector<uint16_t>{0x02, 0x20, 0x0D, 0x41, 0x0B}));
    EXPECT_EQ(log.fuel(), (std::vector<uint64_t>{100, 99, 98, 97, 96}));
    EXPECT_EQ(machine.fuel_left(), 95u);
    // Unmetered: the same instructions, no fuel.
    log.seen.clear();
    EXPECT_EQ(single(machine.call({Value::i32(1)})), 7u);
    EXPECT_EQ(log.fuel(), (std::vector<uint64_t>{0, 0, 0, 0, 0}));
    // No observer: nothing reported.
    machine.observe(nullptr);
    log.seen.clear();
    EXPECT_EQ(single(machine.call({Value::i32(1)}, 100)), 7u);
    EXPECT_TRUE(log.seen.empty());
}

TEST(WasmInterpreter, TracedLoopsReportEachIteration) {
    // f(n): loop { n = n - 1; br_if 0 (n) } -> 0 (FuelInsideALoop): loop, then 5 per iteration, then 3.
    const Bytes body = {0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6B, 0x22, 0x00, 0x0D, 0x00, 0x0B, 0x20, 0x00, 0x0B};
    Machine machine(function_module({I32}, {I32}, body));
    InstructionLog log;
    machine.observe(&log);
    EXPECT_EQ(single(machine.call({Value::i32(3)}, 1000)), 0u);
    ASSERT_EQ(log.seen.size(), 1u + 5 * 3 + 3);
    EXPECT_EQ(log.seen.front().opcode, 0x03);
    const std::vector<uint16_t> opcodes = log.opcodes();
    EXPECT_EQ(std::count(opcodes.begin(), opcodes.end(), 0x6B), 3);  // i32.sub
    // Fuel goes down by one an instruction, to what the executor has left after the last.
    for (size_t i = 0; i < log.seen.size(); ++i) EXPECT_EQ(log.seen[i].fuel_left, 1000 - i) << i;
    EXPECT_EQ(machine.fuel_left(), 1000 - log.seen.size());
}

TEST(WasmInterpreter, InstructionNames) {
    EXPECT_EQ(instruction_name(0x41), "i32.const");
    EXPECT_EQ(instruction_name(0x10), "call");
    EXPECT_EQ(instruction_name(0x6A), "i32.add");
    EXPECT_EQ(instruction_name(0xC4), "i64.extend32_s");
    EXPECT_EQ(instruction_name(0xD2), "ref.func");
    EXPECT_EQ(instruction_name(0xFC0A), "memory.copy");
    EXPECT_EQ(instruction_name(0xFC11), "table.fill");
    EXPECT_EQ(instruction_name(0x06), "");
    EXPECT_EQ(instruction_name(0xFC12), "");
    EXPECT_EQ(instruction_name(0xFD00), "");
}

TEST(WasmInterpreter, BulkMemoryPaysForItsSize) {
    // f(n): memory.fill(0, 7, n); return the byte at 0. One page of memory.
    const Bytes body = {0x41, 0x00, 0x41, 0x07, 0x20, 0x00, 0xFC, 0x0B, 0x00, 0x41, 0x00, 0x2D, 0x00, 0x00, 0x0B};
    const Bytes module = function_module({I32}, {I32}, body, {section(5, vec({{0x00, 0x01}}))});
    Machine machine(module);
    EXPECT_EQ(single(machine.call({Value::i32(0)}, 1000)), 0u);
    const uint64_t block = 1000 - machine.fuel_left();  // the instructions alone
    EXPECT_EQ(single(machine.call({Value::i32(64)}, 1000)), 7u);
    EXPECT_EQ(1000 - machine.fuel_left(), block + bulk_memory_cost(64));
    EXPECT_EQ(bulk_memory_cost(65), 3 * kFuelPerBulkMemoryWord);
    // A fill it cannot pay for does not happen: out of fuel with the block paid, memory untouched.
    Machine fresh(module);
    const uint64_t budget = block + bulk_memory_cost(65536) - 1;
    EXPECT_EQ(fresh.call({Value::i32(65536)}, budget).status, ExecutionStatus::OutOfFuel);
    EXPECT_EQ(fresh.fuel_left(), budget - block);
    EXPECT_EQ(single(fresh.call({Value::i32(0)})), 0u);
}

TEST(WasmInterpreter, FuelInsideALoop) {
    // f(n): loop { n = n - 1; br_if 0 (n) } -> 0. Costs: 1 (loop) + 5 per iteration + 2 (the ends).
    const Bytes body = {0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6B, 0x22, 0x00, 0x0D, 0x00, 0x0B, 0x20, 0x00, 0x0B};
    Machine machine(function_module({I32}, {I32}, body));
    // the tail after the loop is local.get + end + loop's end
    const uint64_t exact = 1 + 5 * 3 + 3;
    EXPECT_EQ(single(machine.call({Value::i32(3)}, exact)), 0u);
    EXPECT_EQ(machine.fuel_left(), 0u);
    EXPECT_EQ(machine.call({Value::i32(3)}, exact - 1).status, ExecutionStatus::OutOfFuel);
    // 10 units: the entry (1) and one iteration (5) fit, the second iteration (5) does not.
    EXPECT_EQ(machine.call({Value::i32(3)}, 10).status, ExecutionStatus::OutOfFuel);
    EXPECT_EQ(machine.fuel_left(), 4u);
    // Code compiled without metering charges nothing.
    Machine unmetered(function_module({I32}, {I32}, body), ExecutionLimits{}, CompileOptions{false});
    EXPECT_EQ(single(unmetered.call({Value::i32(3)}, 1)), 0u);
    EXPECT_EQ(unmetered.fuel_left(), 1u);
    // An endless loop ends too.
    Machine endless(function_module({}, {}, {0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B}));
    EXPECT_EQ(endless.call({}, 1000000).status, ExecutionStatus::OutOfFuel);
}

}  // namespace
}  // namespace polyvm::wasm::test

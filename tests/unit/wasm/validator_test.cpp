#include "module_builder.hpp"
#include "wasm/function_validator.hpp"

#include <gtest/gtest.h>

namespace polyvm::wasm::test {
namespace {

constexpr uint8_t I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, FUNCREF = 0x70, EXTERNREF = 0x6F;

/// Validates a one-function module and returns the error message ("" when valid).
std::string verdict(const Bytes& params, const Bytes& results, const Bytes& body,
                    std::initializer_list<Bytes> extra_sections = {}) {
    const Outcome outcome = check(single_function_module(params, results, body, extra_sections));
    if (!outcome.decoded) return "malformed: " + outcome.error->message;
    return outcome.valid ? "" : outcome.error->message;
}

TEST(WasmValidator, OperandStackTyping) {
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B}), "");             // i32.add
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0x01, 0x42, 0x02, 0x6A, 0x0B}), "type mismatch");  // i32 + i64
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0x01, 0x6A, 0x0B}), "type mismatch");              // underflow
    EXPECT_EQ(verdict({}, {}, {0x41, 0x01, 0x0B}), "type mismatch");                        // left on stack
    EXPECT_EQ(verdict({}, {I64}, {0x41, 0x01, 0xAC, 0x0B}), "");                            // i64.extend_i32_s
    EXPECT_EQ(verdict({I32}, {I32}, {0x20, 0x00, 0x0B}), "");
    EXPECT_EQ(verdict({I32}, {I32}, {0x20, 0x01, 0x0B}), "unknown local");
    EXPECT_EQ(verdict({}, {F32}, {0x43, 0, 0, 0x80, 0x3F, 0x8B, 0x0B}), "");  // f32.abs 1.0
}

TEST(WasmValidator, PolymorphicStackAfterUnconditionalBranches) {
    EXPECT_EQ(verdict({}, {I32}, {0x00, 0x0B}), "");                  // unreachable gives any results
    EXPECT_EQ(verdict({}, {I32}, {0x00, 0x6A, 0x0B}), "");            // i32.add on the polymorphic stack
    EXPECT_EQ(verdict({}, {I32}, {0x00, 0x42, 0x00, 0x6A, 0x0B}), "type mismatch");  // known i64 operand
    EXPECT_EQ(verdict({}, {I32}, {0x00, 0x1B, 0x0B}), "");            // select of unknowns
    EXPECT_EQ(verdict({}, {I32}, {0x0F, 0x0B}), "type mismatch");     // return still needs its value
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0x01, 0x0C, 0x00, 0x6A, 0x0B}), "");  // add after br: polymorphic
    EXPECT_EQ(verdict({}, {}, {0x00, 0x41, 0x00, 0x0B}), "type mismatch");  // pushed after unreachable
}

TEST(WasmValidator, BranchesAndLabels) {
    // block (result i32) i32.const 1 br 0 end
    EXPECT_EQ(verdict({}, {I32}, {0x02, I32, 0x41, 0x01, 0x0C, 0x00, 0x0B, 0x0B}), "");
    EXPECT_EQ(verdict({}, {I32}, {0x02, I32, 0x42, 0x01, 0x0C, 0x00, 0x0B, 0x0B}), "type mismatch");
    EXPECT_EQ(verdict({}, {}, {0x0C, 0x01, 0x0B}), "unknown label");
    // loop labels take the loop's parameters (none), so br 0 inside loop (result i32) needs nothing.
    EXPECT_EQ(verdict({}, {I32}, {0x03, I32, 0x0C, 0x00, 0x0B, 0x0B}), "");
    // br_if keeps the label values on the stack.
    EXPECT_EQ(verdict({}, {I32}, {0x02, I32, 0x41, 0x07, 0x41, 0x01, 0x0D, 0x00, 0x0B, 0x0B}), "");
    // br_table: all targets need the same arity.
    const Bytes br_table_mixed = {0x02, I32, 0x02, 0x40, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x41, 0x00, 0x0B, 0x0B};
    EXPECT_EQ(verdict({}, {I32}, br_table_mixed), "type mismatch");
    const Bytes br_table_ok = {0x02, 0x40, 0x41, 0x00, 0x0E, 0x02, 0x00, 0x01, 0x00, 0x0B, 0x0B};
    EXPECT_EQ(verdict({}, {}, br_table_ok), "");
    // if without else must not change the types.
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0x01, 0x04, I32, 0x41, 0x01, 0x0B, 0x0B}), "type mismatch");
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0x01, 0x04, I32, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0B, 0x0B}), "");
}

TEST(WasmValidator, MultiValueBlocks) {
    // Type 1: [i32 i32] -> [i32]; block type 1 consumes two values and leaves one.
    const Bytes types = section(1, vec({function_type({}, {I32}), function_type({I32, I32}, {I32})}));
    const Bytes functions = section(3, vec({{0x00}}));
    const auto with_body = [&](const Bytes& body) {
        return check(module({types, functions, section(10, vec({code_entry({0x00}, body)}))}));
    };
    EXPECT_TRUE(with_body({0x41, 0x01, 0x41, 0x02, 0x02, 0x01, 0x6A, 0x0B, 0x0B}).valid);
    EXPECT_FALSE(with_body({0x41, 0x01, 0x02, 0x01, 0x6A, 0x0B, 0x0B}).valid);  // one argument missing
    EXPECT_EQ(with_body({0x41, 0x01, 0x41, 0x02, 0x02, 0x05, 0x6A, 0x0B, 0x0B}).error->message, "unknown type");
    // A loop's label takes its parameters: br 0 inside must supply [i32 i32].
    EXPECT_TRUE(with_body({0x41, 0x01, 0x41, 0x02, 0x03, 0x01, 0x6A, 0x0B, 0x0B}).valid);
    EXPECT_FALSE(with_body({0x41, 0x01, 0x41, 0x02, 0x03, 0x01, 0x6A, 0x0C, 0x00, 0x0B, 0x0B}).valid);
}

TEST(WasmValidator, RefFuncNeedsDeclaration) {
    const Bytes body = {0xD2, 0x00, 0x1A, 0x0B};  // ref.func 0; drop
    EXPECT_EQ(verdict({}, {}, body), "undeclared function reference");
    const Bytes declarative = section(9, vec({{0x03, 0x00, 0x01, 0x00}}));  // elem declare func 0
    EXPECT_EQ(verdict({}, {}, body, {declarative}), "");
    const Bytes exported = section(7, vec({{0x01, 'f', 0x00, 0x00}}));
    EXPECT_EQ(verdict({}, {}, body, {exported}), "");
    EXPECT_EQ(verdict({}, {}, {0xD2, 0x01, 0x1A, 0x0B}, {exported}), "unknown function");
}

TEST(WasmValidator, SelectAndReferences) {
    EXPECT_EQ(verdict({}, {I32}, {0x41, 1, 0x41, 2, 0x41, 0, 0x1B, 0x0B}), "");
    // Untyped select refuses references; the annotated form takes them.
    EXPECT_EQ(verdict({}, {}, {0xD0, FUNCREF, 0xD0, FUNCREF, 0x41, 0, 0x1B, 0x1A, 0x0B}), "type mismatch");
    EXPECT_EQ(verdict({}, {}, {0xD0, FUNCREF, 0xD0, FUNCREF, 0x41, 0, 0x1C, 0x01, FUNCREF, 0x1A, 0x0B}), "");
    EXPECT_EQ(verdict({}, {}, {0x41, 1, 0x41, 2, 0x41, 0, 0x1C, 0x02, I32, I32, 0x1A, 0x0B}), "invalid result arity");
    EXPECT_EQ(verdict({}, {I32}, {0xD0, EXTERNREF, 0xD1, 0x0B}), "");
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0, 0xD1, 0x0B}), "type mismatch");
}

TEST(WasmValidator, MemoryInstructions) {
    const Bytes memory = section(5, vec({{0x00, 0x01}}));
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0, 0x28, 0x02, 0x00, 0x0B}, {memory}), "");
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0, 0x28, 0x03, 0x00, 0x0B}, {memory}), "alignment must not be larger than natural");
    EXPECT_EQ(verdict({}, {I32}, {0x41, 0, 0x28, 0x02, 0x00, 0x0B}), "unknown memory");
    EXPECT_EQ(verdict({}, {}, {0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0B, 0x00, 0x0B}, {memory}), "");  // memory.fill
    EXPECT_FALSE(check(module({section(5, vec({{0x00, 0x01}, {0x00, 0x01}}))})).valid);  // two memories
    EXPECT_FALSE(check(module({section(5, vec({{0x00, 0x81, 0x80, 0x04}}))})).valid);   // 65537 pages
    EXPECT_FALSE(check(module({section(5, vec({{0x01, 0x02, 0x01}}))})).valid);         // min > max
    EXPECT_TRUE(check(module({section(5, vec({{0x01, 0x00, 0x80, 0x80, 0x04}}))})).valid);  // max 65536
}

TEST(WasmValidator, GlobalsAndConstantExpressions) {
    // A mutable i32 global set from code; an immutable one refuses global.set.
    const Bytes globals = section(6, vec({{I32, 0x01, 0x41, 0x00, 0x0B}, {I32, 0x00, 0x41, 0x00, 0x0B}}));
    EXPECT_EQ(verdict({}, {}, {0x41, 5, 0x24, 0x00, 0x0B}, {globals}), "");
    EXPECT_EQ(verdict({}, {}, {0x41, 5, 0x24, 0x01, 0x0B}, {globals}), "global is immutable");
    // Initialisers: wrong type, non-constant instruction, reference to a defined global.
    EXPECT_FALSE(check(module({section(6, vec({{I32, 0x00, 0x42, 0x00, 0x0B}}))})).valid);
    EXPECT_FALSE(check(module({section(6, vec({{I32, 0x00, 0x41, 0x00, 0x41, 0x00, 0x6A, 0x0B}}))})).valid);
    EXPECT_FALSE(check(module({section(6, vec({{I32, 0x00, 0x41, 0x00, 0x0B}, {I32, 0x00, 0x23, 0x00, 0x0B}}))})).valid);
    // An immutable imported global may be read; a mutable one may not.
    const Bytes immutable_import = section(2, vec({{0x01, 'm', 0x01, 'g', 0x03, I32, 0x00}}));
    const Bytes mutable_import = section(2, vec({{0x01, 'm', 0x01, 'g', 0x03, I32, 0x01}}));
    const Bytes reads_import = section(6, vec({{I32, 0x00, 0x23, 0x00, 0x0B}}));
    EXPECT_TRUE(check(module({immutable_import, reads_import})).valid);
    EXPECT_FALSE(check(module({mutable_import, reads_import})).valid);
}

TEST(WasmValidator, TablesAndElements) {
    const Bytes table = section(4, vec({{FUNCREF, 0x00, 0x01}}));
    const Bytes type_section = section(1, vec({function_type({}, {})}));
    // call_indirect through table 0 with type 0
    EXPECT_EQ(verdict({}, {}, {0x41, 0, 0x11, 0x00, 0x00, 0x0B}, {table}), "");
    EXPECT_EQ(verdict({}, {}, {0x41, 0, 0x11, 0x00, 0x01, 0x0B}, {table}), "unknown table");
    // table.grow takes (ref, i32) and gives i32
    EXPECT_EQ(verdict({}, {I32}, {0xD0, FUNCREF, 0x41, 1, 0xFC, 0x0F, 0x00, 0x0B}, {table}), "");
    EXPECT_EQ(verdict({}, {I32}, {0xD0, EXTERNREF, 0x41, 1, 0xFC, 0x0F, 0x00, 0x0B}, {table}), "type mismatch");
    // An externref element segment cannot be active in a funcref table.
    const Bytes externref_segment = section(9, vec({{0x06, 0x00, 0x41, 0x00, 0x0B, EXTERNREF, 0x00}}));
    EXPECT_FALSE(check(module({type_section, table, externref_segment})).valid);
    EXPECT_EQ(verdict({}, {}, {0xFC, 0x0D, 0x00, 0x0B}), "unknown elem segment");
}

TEST(WasmValidator, StartAndExports) {
    const Bytes types = section(1, vec({function_type({I32}, {})}));
    const Bytes functions = section(3, vec({{0x00}}));
    const Bytes code = section(10, vec({code_entry({0x00}, {0x0B})}));
    EXPECT_FALSE(check(module({types, functions, section(8, uleb(0)), code})).valid);  // start takes a param
    EXPECT_FALSE(check(module({types, functions, section(8, uleb(1)), code})).valid);  // unknown function
    const Bytes duplicate = section(7, vec({{0x01, 'a', 0x00, 0x00}, {0x01, 'a', 0x00, 0x00}}));
    EXPECT_EQ(check(module({types, functions, duplicate, code})).error->message, "duplicate export name");
}

/// Calls of a type with many results pile up until `end` would reject them: the stack is capped
/// first, so an invalid module cannot grow it quadratically in its own size.
TEST(WasmValidator, OperandStackHeightIsBounded) {
    const Bytes results(5000, I32);
    Bytes body;
    for (int i = 0; i < 900; ++i) body.insert(body.end(), {0x10, 0x00});  // call 0: 4.5M values in all
    body.push_back(0x0B);
    const Outcome outcome = check(single_function_module({}, results, body));
    ASSERT_TRUE(outcome.decoded);
    ASSERT_FALSE(outcome.valid);
    EXPECT_EQ(outcome.error->message, "operand stack exceeds the implementation limit");
}

/// The observer sees every instruction in order with the stack after it.
TEST(WasmValidator, ObserverSeesEachInstruction) {
    auto decoded = decode(single_function_module({}, {I32}, {0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B}));
    ASSERT_TRUE(decoded);
    struct Recorder : InstructionObserver {
        std::vector<std::pair<uint16_t, size_t>> seen;
        void on_instruction(const Instruction& instruction, std::span<const OperandType> operands,
                            std::span<const ControlFrame>) override {
            seen.emplace_back(instruction.opcode, operands.size());
        }
    } recorder;
    const ValidationContext context = make_validation_context(decoded.value());
    FunctionValidator validator(context);
    EXPECT_FALSE(validator.validate(0, &recorder));
    const std::vector<std::pair<uint16_t, size_t>> expected = {{0x41, 1}, {0x41, 2}, {0x6A, 1}, {0x0B, 0}};
    EXPECT_EQ(recorder.seen, expected);
}

}  // namespace
}  // namespace polyvm::wasm::test

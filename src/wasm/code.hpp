// The internal code a function body is translated into: a register machine over the frame's
// 64-bit slots. A frame is [locals (params first)][operand stack]; since the validator knows the
// operand-stack height at every instruction, each operand has a static slot, so `i32.add` is
// "R[dst] = R[x] + R[y]" with x and y possibly naming locals directly (local.get emits nothing).
// Branch targets and the copies a branch makes are resolved at translation time.
#pragma once

#include <cstdint>
#include <vector>

namespace polyvm::wasm {

/// Internal opcodes. Single-byte Wasm opcodes keep their value (0x00-0xD2) where they exist
/// internally; the 0xFC group is moved to 0xE0 + sub-opcode; the rest are the translator's own.
/// Everything stays below code::Count so that dispatch is one dense table.
namespace code {
inline constexpr uint8_t MiscBase = 0xE0;   // 0xE0..0xF1: 0xFC 0..17
/// A call to a function the module defines (not an import): imm is its CompiledFunction, in the
/// same CompiledModule, and it runs in the caller's instance; arguments from slot x.
inline constexpr uint8_t CallDefined = 0xF2;
inline constexpr uint8_t ShiftRightAndImm = 0xF3;  // R[dst] = (u32(R[x]) >> y) & imm: a bit field, i32
inline constexpr uint8_t Copy = 0xF4;       // R[dst] = R[x]
inline constexpr uint8_t Copy2 = 0xF7;      // R[dst] = R[x], then R[y] = R[imm]: two copies in a row
inline constexpr uint8_t Const = 0xF5;      // R[dst] = imm
inline constexpr uint8_t BrWhen = 0xF6;     // if R[x] != 0 goto imm (a br_if carrying no values)
inline constexpr uint8_t BrUnless = 0xF8;   // if R[x] == 0 goto imm (if/else)
inline constexpr uint8_t Fuel = 0xF9;       // charge imm units at the entry of a fuel block (see below)
inline constexpr uint8_t BrTableX = 0xFA;   // br_table with targets in CompiledFunction::branch_table
/// An integer comparison (0x45-0x5A) fused with the br_if (or the if) that tests it, when the
/// branch carries no values: "if R[x] <cmp> R[y] goto imm" (BrUnless: when it does not hold).
inline constexpr uint16_t FusedBrIf = 0x100;      // + (comparison opcode - 0x45)
inline constexpr uint16_t FusedBrUnless = 0x120;  // + (comparison opcode - 0x45)
/// An integer binary operation (0x6A-0x8A, division and remainder excepted) whose second operand
/// is a constant: "R[dst] = R[x] <op> imm". The constant then needs no frame slot, so calls copy
/// fewer constants, and the handler reads one operand less.
inline constexpr uint16_t BinaryImm = 0x140;      // + (opcode - 0x6A)
inline constexpr uint16_t Count = 0x161;          // internal opcodes are below this
}  // namespace code

/// Fuel blocks: a Fuel op charges the cost of the straight-line code from it up to the next label
/// (a point other code branches to) or unconditional transfer. Conditional branches inside it
/// that carry no values (BrWhen, BrUnless, FusedBrIf, FusedBrUnless) leave it early: when taken
/// they give back, in `dst`, the cost of the part not run, so the fuel consumed is exactly the
/// cost of what ran, and the fall-through of such a branch pays no charge of its own.
/// A branch into a fuel block charges that block itself and goes past its Fuel op, so a taken
/// branch (a loop's back edge, a br_table's case) costs no extra dispatch: Br, BrWhen, BrUnless
/// and the fused branches hold that charge in imm's high 32 bits, br_table entries in `charge`
/// (BrIf keeps its condition there and goes to the Fuel op).
///
/// One instruction (24 bytes): slots are indices into the frame, relative to its base. The frame
/// is [params, locals][constants][operand stack].
/// Branches (Br, BrIf): copy y values from slots x.. to dst.., then go to imm's low 32 bits;
/// BrIf tests the slot in imm's high 32 bits.
/// Branch targets, in ops and in br_table entries, are signed distances from the branch op (as
/// int32_t), so that a taken branch adds to the op's address instead of loading the code's base.
struct Op {
    uint16_t code = 0;
    uint32_t dst = 0;
    uint32_t x = 0;
    uint32_t y = 0;
    uint64_t imm = 0;
};

/// A branch as br_table stores it.
struct BranchTarget {
    uint32_t target = 0;       // relative to the BrTableX op, as int32_t
    uint32_t source = 0;       // first slot of the values carried
    uint32_t destination = 0;  // where they go (the label's height)
    uint32_t keep = 0;
    uint32_t charge = 0;       // the fuel block entered, when `target` is just past its Fuel op
};

/// A WebAssembly instruction as the source of internal code, for tracers: each op runs the
/// instructions translated into it (those that emit nothing, as local.get or i32.const, ride on
/// the next op), so a traced run reports them when the op runs. Without fuel metering, those
/// right before a label (`loop`, a block's `end`) are left out: no op runs only on that path.
struct SourceInstruction {
    uint32_t offset = 0;  // of its opcode in the module binary (as wasm-objdump prints it)
    uint16_t opcode = 0;  // opcodes.hpp: 0xFC00 | sub-opcode for the prefixed ones
    /// The fuel its block charges for it and the instructions after it in the block: the fuel
    /// left before it ran is the fuel left after the block's charge plus this (0 unmetered).
    uint64_t fuel_to_block_end = 0;
};

struct CompiledFunction {
    uint32_t type_index = 0;
    uint32_t param_count = 0;
    uint32_t result_count = 0;
    uint32_t local_count = 0;       // declared locals, parameters excluded
    uint32_t max_stack_height = 0;  // operand slots above the locals
    std::vector<Op> ops;
    std::vector<BranchTarget> branch_table;
    /// The body's constants, copied into the frame after the locals at each call so that
    /// instructions read them as operands like any slot (i32.const emits nothing).
    std::vector<uint64_t> constants;
    /// Tracing only: ops[i] ran source_instructions[source_begin[i] .. source_begin[i + 1]).
    std::vector<uint32_t> source_begin;
    std::vector<SourceInstruction> source_instructions;

    /// Slots one activation needs: [params, locals][constants][operand stack].
    uint64_t frame_size() const { return uint64_t(param_count) + local_count + constants.size() + max_stack_height; }
};

}  // namespace polyvm::wasm

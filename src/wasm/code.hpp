// The internal code a function body is translated into: one flat array of fixed-size
// instructions for a stack machine whose slots are 64-bit. Branch targets, the number of values
// a branch keeps and the number of slots it drops are resolved at translation time, so the
// interpreter never searches for a label or inspects a block type.
#pragma once

#include <cstdint>
#include <vector>

namespace polyvm::wasm {

/// Internal opcodes. Single-byte Wasm opcodes keep their value (0x00-0xD2); the 0xFC group is
/// moved to 0xE0 + sub-opcode; the rest are instructions only the translator emits. Everything
/// stays below 256 so that the interpreter's switch is one dense jump table.
namespace code {
inline constexpr uint8_t MiscBase = 0xE0;   // 0xE0..0xF1: 0xFC 0..17
inline constexpr uint8_t BrUnless = 0xF8;   // pop i32; branch when zero (if/else)
inline constexpr uint8_t Fuel = 0xF9;       // charge `a` units at basic-block entry
inline constexpr uint8_t BrTableX = 0xFA;   // br_table with targets in CompiledFunction::branch_table
}  // namespace code

/// One instruction (16 bytes). `a` is an index, count or memory offset; `b` a constant.
/// Branches keep `a` values on top, drop `b >> 32` slots below them, and go to `b & 0xFFFFFFFF`.
struct Op {
    uint8_t code = 0;
    uint32_t a = 0;
    uint64_t b = 0;
};

/// A branch as br_table stores it: where to go, how many values to keep, how many to drop.
struct BranchTarget {
    uint32_t target = 0;
    uint32_t keep = 0;
    uint32_t drop = 0;
};

struct CompiledFunction {
    uint32_t type_index = 0;
    uint32_t param_count = 0;
    uint32_t result_count = 0;
    uint32_t local_count = 0;      // declared locals, parameters excluded
    uint32_t max_stack_height = 0; // operand slots above the locals
    std::vector<Op> ops;
    std::vector<BranchTarget> branch_table;
};

}  // namespace polyvm::wasm

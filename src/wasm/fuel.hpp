// Fuel costs. Metered execution charges each basic block's cost when the block is entered, so
// the common path pays once per block; the table is per opcode so that a later calibration only
// edits numbers here. One unit is the price of one simple instruction; a contract pays one EVM
// gas (10,000 ink) per unit (stylus/runtime.hpp), which the measurement in
// docs/wasm_contracts.md ("Gas and ink") found a fair price of the interpreter's time.
#pragma once

#include "wasm/opcodes.hpp"

#include <array>
#include <cstdint>

namespace polyvm::wasm {

/// Cost of one instruction of each single-byte opcode (index = opcode). Uniform for now.
inline constexpr std::array<uint8_t, 256> kInstructionCost = [] {
    std::array<uint8_t, 256> costs{};
    costs.fill(1);
    return costs;
}();

/// Cost of each 0xFC-prefixed instruction (index = sub-opcode).
inline constexpr std::array<uint8_t, 18> kMiscInstructionCost = [] {
    std::array<uint8_t, 18> costs{};
    costs.fill(1);
    return costs;
}();

/// Charged per 64 KiB page by memory.grow, on top of the instruction itself (and by contracts for
/// the pages they start with): 1 per 32-byte word, about the time zeroing a page takes at the
/// EVM's rate of gas per second; a third of the EVM's linear memory cost for 64 KiB.
inline constexpr uint64_t kFuelPerMemoryPage = 2048;

/// memory.copy, memory.fill and memory.init pay per 32-byte word, as the EVM's copies (3 gas).
inline constexpr uint64_t kFuelPerBulkMemoryWord = 3;
/// table.copy, table.fill, table.init and table.grow pay per element.
inline constexpr uint64_t kFuelPerTableElement = 1;

constexpr uint64_t bulk_memory_cost(uint64_t bytes) { return (bytes + 31) / 32 * kFuelPerBulkMemoryWord; }

constexpr uint32_t instruction_cost(uint16_t opcode) {
    if ((opcode & 0xFF00) == op::Misc) {
        const uint16_t sub = opcode & 0xFF;
        return sub < kMiscInstructionCost.size() ? kMiscInstructionCost[sub] : 1;
    }
    return kInstructionCost[opcode & 0xFF];
}

}  // namespace polyvm::wasm

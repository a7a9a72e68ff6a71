// Fuel costs. Metered execution charges each basic block's cost when the block is entered, so
// the common path pays once per block; the table is per opcode so that a later calibration only
// edits numbers here.
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

/// Charged per 64 KiB page by memory.grow, on top of the instruction itself.
inline constexpr uint64_t kFuelPerMemoryPage = 64;

constexpr uint32_t instruction_cost(uint16_t opcode) {
    if ((opcode & 0xFF00) == op::Misc) {
        const uint16_t sub = opcode & 0xFF;
        return sub < kMiscInstructionCost.size() ? kMiscInstructionCost[sub] : 1;
    }
    return kInstructionCost[opcode & 0xFF];
}

}  // namespace polyvm::wasm

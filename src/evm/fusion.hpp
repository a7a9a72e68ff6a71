// Fused instructions for the untraced interpreter (Mode::Blocks): a PUSH and the instruction
// after it run in one dispatch. The analysis writes, per revision, a copy of the code in which
// the PUSH opcode of each fused pair is replaced by a fused opcode, a byte no revision defines;
// the PUSH data and the second instruction stay as they are, so positions, jumps and PC are those
// of the real code. Each fused opcode's handler is the two instructions' own steps in a row,
// derived from the opcode table; only PUSH + JUMP/JUMPI is special: the analysis fuses it only
// when the constant destination is a JUMPDEST, so the handler jumps without the bitmap check.
// Traced and per-instruction runs use the real code and never see a fused opcode.
#pragma once

#include "evm/opcodes.hpp"

#include <array>
#include <cstdint>

namespace polyvm {

struct Fusion {
    uint8_t push;  // PUSH1..PUSH32
    uint8_t next;  // the instruction right after the PUSH's data
};

/// The pairs, chosen from the frequent ones in compiled contracts (Solidity's `PUSH2 dest JUMPI`,
/// `PUSH1 0x20 ADD`, `PUSH1 n DUPk`, and the memory accesses at constant offsets of hand-written
/// code). The fused opcode of kFusions[i] is kFirstFusedOpcode + i.
namespace fusion_detail {
inline constexpr uint8_t kPush2 = OP_PUSH1 + 1, kPush4 = OP_PUSH1 + 3;
inline constexpr uint8_t kDup2 = OP_DUP1 + 1, kDup3 = OP_DUP1 + 2, kDup4 = OP_DUP1 + 3, kDup5 = OP_DUP1 + 4;
inline constexpr uint8_t kSwap2 = OP_SWAP1 + 1;
}  // namespace fusion_detail

inline constexpr std::array<Fusion, 29> kFusions = [] {
    using namespace fusion_detail;
    return std::array<Fusion, 29>{{
        {kPush2, OP_JUMPI}, {kPush2, OP_JUMP}, {kPush2, OP_MLOAD}, {kPush2, OP_MSTORE},
        {kPush2, OP_AND}, {kPush2, OP_ADD}, {kPush2, OP_MUL}, {kPush2, kDup2},
        {OP_PUSH1, OP_ADD}, {OP_PUSH1, OP_SUB}, {OP_PUSH1, OP_MUL}, {OP_PUSH1, OP_AND}, {OP_PUSH1, OP_OR},
        {OP_PUSH1, OP_SHL}, {OP_PUSH1, OP_SHR}, {OP_PUSH1, OP_EQ}, {OP_PUSH1, OP_LT}, {OP_PUSH1, OP_GT},
        {OP_PUSH1, OP_MLOAD}, {OP_PUSH1, OP_MSTORE}, {OP_PUSH1, OP_DUP1}, {OP_PUSH1, kDup2},
        {OP_PUSH1, kDup3}, {OP_PUSH1, kDup4}, {OP_PUSH1, kDup5}, {OP_PUSH1, OP_SWAP1},
        {OP_PUSH1, kSwap2}, {OP_PUSH1, OP_JUMPI}, {kPush4, OP_EQ},
    }};
}();

/// 0xc0..0xdf: undefined in every revision (checked below), and not used by any EIP in sight.
inline constexpr uint8_t kFirstFusedOpcode = 0xc0;
/// What the fused code holds where the real code has an undefined instruction whose byte is a
/// fused opcode: another undefined byte, so that it still halts as undefined.
inline constexpr uint8_t kUndefinedInFusedCode = 0xef;

inline constexpr bool is_fused_opcode(uint8_t byte) noexcept {
    return byte >= kFirstFusedOpcode && byte - kFirstFusedOpcode < static_cast<int>(kFusions.size());
}

namespace fusion_detail {
constexpr bool fusions_are_valid() {
    if (kFirstFusedOpcode + kFusions.size() > 0xe0) return false;
    for (int r = 0; r < kNumRevisions; ++r) {
        const auto rev = static_cast<Revision>(r);
        if (is_defined(kUndefinedInFusedCode, rev) || is_fused_opcode(kUndefinedInFusedCode)) return false;
        for (size_t i = 0; i < kFusions.size(); ++i)
            if (is_defined(static_cast<uint8_t>(kFirstFusedOpcode + i), rev)) return false;
    }
    for (size_t i = 0; i < kFusions.size(); ++i) {
        const Fusion f = kFusions[i];
        if (f.push < OP_PUSH1 || f.push > OP_PUSH32) return false;
        // The second instruction has no immediate (the handler's PC arithmetic assumes one byte)
        // and is not a JUMPDEST (a jump may land there: it must stay a real instruction start).
        if (kOpcodeTable[f.next].immediate_size != 0 || f.next == OP_JUMPDEST || !kOpcodeTable[f.next].defined)
            return false;
        for (size_t j = 0; j < i; ++j)
            if (kFusions[j].push == f.push && kFusions[j].next == f.next) return false;
    }
    return true;
}
static_assert(fusions_are_valid());

/// kFusedOpcodeFor[PUSHn - PUSH1][next]: the fused opcode, or 0 where the pair is not fused.
constexpr std::array<std::array<uint8_t, 256>, 32> make_fused_opcode_table() {
    std::array<std::array<uint8_t, 256>, 32> t{};
    for (size_t i = 0; i < kFusions.size(); ++i)
        t[kFusions[i].push - OP_PUSH1][kFusions[i].next] = static_cast<uint8_t>(kFirstFusedOpcode + i);
    return t;
}
}  // namespace fusion_detail

inline constexpr std::array<std::array<uint8_t, 256>, 32> kFusedOpcodeFor = fusion_detail::make_fused_opcode_table();

}  // namespace polyvm

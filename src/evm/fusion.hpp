// Fused instructions for the untraced interpreter (Mode::Blocks): a frequent sequence of two to
// four instructions runs in one dispatch. The analysis writes, per revision, a copy of the code in
// which the first opcode of each such sequence is replaced by its fused opcode, a byte no revision
// defines; PUSH data and the other instructions stay as they are, so positions, jumps and PC are
// those of the real code. Each fused opcode's handler is the sequence's own steps in a row,
// derived from the opcode table; only a sequence ending in PUSH + JUMP/JUMPI is special: the
// analysis fuses it only when the constant destination is a JUMPDEST, so the handler jumps
// without the bitmap check. Traced and per-instruction runs use the real code and never see a
// fused opcode.
#pragma once

#include "evm/opcodes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace polyvm {

/// A sequence of two to four instructions run in one dispatch.
struct Fusion {
    std::array<uint8_t, 4> ops{};
    uint8_t length = 0;

    constexpr Fusion() = default;
    constexpr Fusion(std::initializer_list<uint8_t> sequence) : length(static_cast<uint8_t>(sequence.size())) {
        size_t i = 0;
        for (const uint8_t op : sequence) ops[i++] = op;
    }
};

namespace fusion_detail {
inline constexpr uint8_t kPush2 = OP_PUSH1 + 1, kPush4 = OP_PUSH1 + 3;
inline constexpr uint8_t kDup2 = OP_DUP1 + 1, kDup3 = OP_DUP1 + 2, kDup4 = OP_DUP1 + 3, kDup5 = OP_DUP1 + 4;
inline constexpr uint8_t kSwap2 = OP_SWAP1 + 1;
inline constexpr bool is_push(uint8_t op) noexcept { return op >= OP_PUSH1 && op <= OP_PUSH32; }
}  // namespace fusion_detail

/// The sequences, chosen from the frequent ones in compiled contracts: Solidity's
/// `PUSH2 dest JUMPI`, `ISZERO PUSH2 dest JUMPI`, the selector dispatch `PUSH4 sel EQ PUSH2 dest
/// JUMPI`, `PUSH1 0x20 ADD`, `SWAP1 POP`, a JUMPDEST and what follows it, and the memory
/// accesses at constant offsets of hand-written code. The fused opcode of kFusions[i] is
/// kFirstFusedOpcode + i. Where sequences overlap, the analysis fuses the longest one that
/// starts at an instruction.
inline constexpr auto kFusions = [] {
    using namespace fusion_detail;
    return std::to_array<Fusion>({
        {kPush2, OP_JUMPI}, {kPush2, OP_JUMP}, {kPush2, OP_MLOAD}, {kPush2, OP_MSTORE},
        {kPush2, OP_AND}, {kPush2, OP_ADD}, {kPush2, OP_MUL}, {kPush2, kDup2},
        {OP_PUSH1, OP_ADD}, {OP_PUSH1, OP_SUB}, {OP_PUSH1, OP_MUL}, {OP_PUSH1, OP_AND}, {OP_PUSH1, OP_OR},
        {OP_PUSH1, OP_SHL}, {OP_PUSH1, OP_SHR}, {OP_PUSH1, OP_EQ}, {OP_PUSH1, OP_LT}, {OP_PUSH1, OP_GT},
        {OP_PUSH1, OP_MLOAD}, {OP_PUSH1, OP_MSTORE}, {OP_PUSH1, OP_DUP1}, {OP_PUSH1, kDup2},
        {OP_PUSH1, kDup3}, {OP_PUSH1, kDup4}, {OP_PUSH1, kDup5}, {OP_PUSH1, OP_SWAP1},
        {OP_PUSH1, kSwap2}, {OP_PUSH1, OP_JUMPI}, {kPush4, OP_EQ},
        // Conditional jumps to constant destinations.
        {kPush4, OP_EQ, kPush2, OP_JUMPI}, {OP_ISZERO, kPush2, OP_JUMPI}, {OP_EQ, kPush2, OP_JUMPI},
        {OP_LT, kPush2, OP_JUMPI}, {OP_GT, kPush2, OP_JUMPI}, {OP_LT, OP_ISZERO, kPush2, OP_JUMPI},
        {OP_GT, OP_ISZERO, kPush2, OP_JUMPI}, {OP_SLT, OP_ISZERO, kPush2, OP_JUMPI},
        {OP_DUP1, OP_ISZERO, kPush2, OP_JUMPI}, {kDup2, kPush2, OP_JUMPI},
        // Stack clean-up and returns.
        {OP_SWAP1, OP_POP}, {kSwap2, OP_POP}, {OP_POP, OP_POP}, {OP_POP, kPush2, OP_JUMP},
        {OP_POP, OP_JUMP}, {OP_SWAP1, OP_JUMP},
        // A jump's destination and its first instruction.
        {OP_JUMPDEST, OP_DUP1}, {OP_JUMPDEST, kDup2}, {OP_JUMPDEST, kDup3}, {OP_JUMPDEST, OP_PUSH1},
        {OP_JUMPDEST, OP_POP}, {OP_JUMPDEST, OP_SWAP1},
        // Addresses and memory.
        {OP_ADD, OP_MLOAD}, {kDup2, OP_ADD}, {kDup3, OP_ADD}, {kDup2, OP_MSTORE}, {OP_DUP1, OP_MLOAD},
    });
}();

/// 0xa5..0xee: undefined in every revision (checked below), and not used by any EIP in sight.
inline constexpr uint8_t kFirstFusedOpcode = 0xa5;
/// What the fused code holds where the real code has an undefined instruction whose byte is a
/// fused opcode: another undefined byte, so that it still halts as undefined.
inline constexpr uint8_t kUndefinedInFusedCode = 0xef;

inline constexpr bool is_fused_opcode(uint8_t byte) noexcept {
    return byte >= kFirstFusedOpcode && byte - kFirstFusedOpcode < static_cast<int>(kFusions.size());
}

/// True for JUMPDEST and the fused opcodes of sequences that start with one: where a block starts
/// in the fused code. (Those sequences are contiguous in kFusions, checked below.)
inline constexpr bool starts_with_jumpdest(uint8_t byte) noexcept {
    constexpr auto first = [] {
        for (size_t i = 0; i < kFusions.size(); ++i)
            if (kFusions[i].ops[0] == OP_JUMPDEST) return i;
        return kFusions.size();
    }();
    constexpr auto count = [] {
        size_t n = 0;
        for (const Fusion& f : kFusions) n += f.ops[0] == OP_JUMPDEST;
        return n;
    }();
    return byte == OP_JUMPDEST || static_cast<unsigned>(byte - (kFirstFusedOpcode + first)) < count;
}

/// The sequence ends in PUSHn + JUMP/JUMPI: fused only where the destination is a JUMPDEST.
inline constexpr bool ends_in_constant_jump(const Fusion& f) noexcept {
    return f.length >= 2 && fusion_detail::is_push(f.ops[f.length - 2]) &&
           (f.ops[f.length - 1] == OP_JUMP || f.ops[f.length - 1] == OP_JUMPI);
}

namespace fusion_detail {
constexpr bool fusions_are_valid() {
    if (kFirstFusedOpcode + kFusions.size() > kUndefinedInFusedCode) return false;
    for (int r = 0; r < kNumRevisions; ++r) {
        const auto rev = static_cast<Revision>(r);
        if (is_defined(kUndefinedInFusedCode, rev)) return false;
        for (size_t i = 0; i < kFusions.size(); ++i)
            if (is_defined(static_cast<uint8_t>(kFirstFusedOpcode + i), rev)) return false;
    }
    for (size_t i = 0; i < kFusions.size(); ++i) {
        const Fusion& f = kFusions[i];
        if (f.length < 2 || f.length > 4) return false;
        for (size_t k = 0; k < f.length; ++k) {
            const uint8_t op = f.ops[k];
            if (!kOpcodeTable[op].defined) return false;
            // Only the first may be a JUMPDEST (a jump lands on a sequence's start, never inside
            // it), and only the last may end a block (jump, halt, GAS...): the handler runs the
            // steps in a row.
            if (k > 0 && op == OP_JUMPDEST) return false;
            if (checked_alone(op)) return false;  // a block of its own
            if (k + 1 < f.length && ends_check_block(op)) return false;
            if (kOpcodeTable[op].immediate_size != 0 && !is_push(op)) return false;
        }
        for (size_t j = 0; j < i; ++j)
            if (kFusions[j].ops == f.ops && kFusions[j].length == f.length) return false;
        if (starts_with_jumpdest(static_cast<uint8_t>(kFirstFusedOpcode + i)) != (f.ops[0] == OP_JUMPDEST)) return false;
    }
    return true;
}
static_assert(fusions_are_valid());

/// The analysis's lookup: a row per distinct first opcode, and in it, per second opcode, the
/// indexes into kFusions of the sequences starting with those two, longest first (-1: unused).
inline constexpr size_t kMaxCandidates = 3;
using CandidateRow = std::array<std::array<int8_t, kMaxCandidates>, 256>;

constexpr size_t count_first_opcodes() {
    std::array<bool, 256> seen{};
    size_t n = 0;
    for (const Fusion& f : kFusions)
        if (!seen[f.ops[0]]) seen[f.ops[0]] = true, ++n;
    return n;
}

struct FusionLookup {
    std::array<int8_t, 256> row_of_first{};  // -1: no sequence starts with this opcode
    std::array<CandidateRow, count_first_opcodes()> rows{};
};

constexpr FusionLookup make_lookup() {
    FusionLookup t;
    t.row_of_first.fill(-1);
    int8_t rows = 0;
    for (const Fusion& f : kFusions)
        if (t.row_of_first[f.ops[0]] < 0) t.row_of_first[f.ops[0]] = rows++;
    for (auto& row : t.rows)
        for (auto& candidates : row) candidates.fill(-1);
    for (int length = 4; length >= 2; --length)
        for (size_t i = 0; i < kFusions.size(); ++i) {
            const Fusion& f = kFusions[i];
            if (f.length != length) continue;
            auto& candidates = t.rows[static_cast<size_t>(t.row_of_first[f.ops[0]])][f.ops[1]];
            size_t k = 0;
            while (k < kMaxCandidates && candidates[k] >= 0) ++k;
            if (k == kMaxCandidates) throw "too many fused sequences start with the same two opcodes";
            candidates[k] = static_cast<int8_t>(i);
        }
    return t;
}
}  // namespace fusion_detail

inline constexpr fusion_detail::FusionLookup kFusionLookup = fusion_detail::make_lookup();

}  // namespace polyvm

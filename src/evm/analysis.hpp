// Code analysis, done once per code and cached by the caller: a zero-padded copy of the code (so
// PUSH data reaching past the end reads zeros and execution then runs into STOP without a bounds
// check per instruction) and a bitmap of valid JUMPDEST positions (not inside PUSH data).
#pragma once

#include "common/types.hpp"

#include <cstdint>
#include <vector>

namespace polyvm {

struct CodeAnalysis {
    /// The longest read past the end: PUSH32's 32 data bytes, then one STOP to end on.
    static constexpr size_t kPadding = 33;

    bytes padded_code;                   // code followed by kPadding zero bytes
    size_t code_size = 0;                // length of the real code
    std::vector<uint64_t> jumpdest_map;  // bit i set: position i is a JUMPDEST opcode

    bytes_view code() const noexcept { return {padded_code.data(), code_size}; }

    bool is_jumpdest(uint64_t pos) const noexcept {
        return pos < code_size && ((jumpdest_map[pos / 64] >> (pos % 64)) & 1) != 0;
    }
};

CodeAnalysis analyze(bytes_view code);

}  // namespace polyvm

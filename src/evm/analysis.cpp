#include "evm/analysis.hpp"

#include "evm/opcodes.hpp"


namespace polyvm {

CodeAnalysis analyze(bytes_view code) {
    CodeAnalysis a;
    a.code_size = code.size();
    a.padded_code.reserve(code.size() + CodeAnalysis::kPadding);
    a.padded_code.assign(code.begin(), code.end());
    a.padded_code.resize(code.size() + CodeAnalysis::kPadding, 0);
    a.jumpdest_map.assign((code.size() + 63) / 64, 0);
    for (size_t pos = 0; pos < code.size(); ++pos) {
        const uint8_t op = code[pos];
        if (op == OP_JUMPDEST)
            a.jumpdest_map[pos / 64] |= uint64_t{1} << (pos % 64);
        else if (op >= OP_PUSH1 && op <= OP_PUSH32)
            pos += static_cast<size_t>(op - OP_PUSH1 + 1);  // skip the immediate data
    }
    return a;
}

}  // namespace polyvm

#include "evm/disassembler.hpp"

#include "common/hex.hpp"
#include "evm/opcodes.hpp"

#include <cstdio>

namespace polyvm {

std::string disassemble(bytes_view code) {
    std::string out;
    for (size_t pc = 0; pc < code.size(); ++pc) {
        const uint8_t op = code[pc];
        const OpcodeInfo& info = kOpcodeTable[op];
        char prefix[48];
        if (info.defined)
            std::snprintf(prefix, sizeof prefix, "%04zx %.*s", pc, static_cast<int>(info.name.size()), info.name.data());
        else
            std::snprintf(prefix, sizeof prefix, "%04zx UNDEFINED(0x%02x)", pc, op);
        out += prefix;
        if (info.immediate_size) {
            const size_t available = std::min<size_t>(info.immediate_size, code.size() - pc - 1);
            out += ' ';
            out += to_hex_prefixed(code.subspan(pc + 1, available));
            if (available < info.immediate_size) out += " (truncated)";
            pc += available;
        }
        out += '\n';
    }
    return out;
}

}  // namespace polyvm

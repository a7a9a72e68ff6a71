#include "wasm/expression_syntax.hpp"

#include "wasm/instruction_reader.hpp"
#include "wasm/opcodes.hpp"

#include <vector>

namespace polyvm::wasm {

bool read_expression_syntax(ByteReader& reader, ExpressionSyntax& info) {
    // One entry per open block: whether it is an `if` still allowed an `else`.
    std::vector<bool> open_blocks{false};
    Instruction instruction;
    while (!open_blocks.empty()) {
        if (reader.at_end()) return reader.fail("END opcode expected");
        if (!read_instruction(reader, instruction)) return false;
        switch (instruction.opcode) {
            case op::Block:
            case op::Loop:
                open_blocks.push_back(false);
                break;
            case op::If:
                open_blocks.push_back(true);
                break;
            case op::Else:
                if (!open_blocks.back() || open_blocks.size() == 1)
                    return reader.fail_at(instruction.offset, "END opcode expected");
                open_blocks.back() = false;
                break;
            case op::End:
                open_blocks.pop_back();
                break;
            case op::MemoryInit:
            case op::DataDrop:
                info.uses_data_segment_index = true;
                break;
            default:
                break;
        }
    }
    return true;
}

}  // namespace polyvm::wasm

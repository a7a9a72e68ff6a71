// Human-readable listing of EVM bytecode, derived from the opcode table.
#pragma once

#include "common/types.hpp"

#include <string>

namespace polyvm {

/// One instruction per line: "<pc, 4+ hex digits> <mnemonic>[ 0x<immediate>]\n", e.g.
/// "0000 PUSH1 0x80". Bytes no revision defines print as "UNDEFINED(0x0c)"; PUSH data cut
/// short by the end of the code prints the bytes present followed by " (truncated)".
std::string disassemble(bytes_view code);

}  // namespace polyvm

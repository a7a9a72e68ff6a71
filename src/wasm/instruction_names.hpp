// The text-format mnemonic of each WebAssembly 2.0 instruction ("i32.add", "memory.copy"), for
// tracers and diagnostics.
#pragma once

#include <cstdint>
#include <string_view>

namespace polyvm::wasm {

/// The mnemonic of `opcode` (opcodes.hpp: 0xFC00 | sub-opcode for the 0xFC group); an empty view
/// for a value that names no instruction. The view is static.
std::string_view instruction_name(uint16_t opcode);

}  // namespace polyvm::wasm

// `polyvm wasm pack`: a WebAssembly contract module as deployable code (Stylus's format) and as
// the EVM init code of a deployment transaction that stores it.
#pragma once

#include "common/types.hpp"

#include <string>
#include <variant>

namespace polyvm::tools {

struct PackedContract {
    bytes code;       // 0xEF 0xF0 0x00, dictionary 0x00, Brotli-compressed module
    bytes init_code;  // EVM init code returning `code`
};

/// Checks the module (decoding, validation, the contract rules, the size limits) and packs it;
/// the error text names the first problem.
std::variant<PackedContract, std::string> pack_contract(bytes_view module);

/// EVM init code that returns `code` (CODECOPY of the bytes appended after it, then RETURN).
bytes init_code_returning(bytes_view code);

}  // namespace polyvm::tools

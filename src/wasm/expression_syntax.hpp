// Checks that a run of instructions is well-formed: every opcode known, blocks nested and closed,
// `else` only inside `if`. Used by the decoder for function bodies and constant expressions.
#pragma once

#include "wasm/byte_reader.hpp"

namespace polyvm::wasm {

struct ExpressionSyntax {
    bool uses_data_segment_index = false;  // memory.init or data.drop: needs the data count section
};

/// Reads instructions up to and including the `end` that closes the expression.
bool read_expression_syntax(ByteReader& reader, ExpressionSyntax& info);

}  // namespace polyvm::wasm

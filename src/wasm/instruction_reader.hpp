// Reads one instruction (opcode and immediates) at a time. Shared by the decoder, which only
// checks that bodies are well-formed, and the validator, which types them: the binary syntax is
// written once.
#pragma once

#include "wasm/byte_reader.hpp"
#include "wasm/module.hpp"

#include <cstdint>
#include <vector>

namespace polyvm::wasm {

/// A block type: none, one value type, or a type index (multi-value).
struct BlockType {
    enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
    ValueType value = ValueType::I32;
    uint32_t type_index = 0;
};

struct MemoryArgument {
    uint32_t align_log2 = 0;
    uint32_t offset = 0;
};

struct Instruction {
    uint16_t opcode = 0;  // see opcodes.hpp
    size_t offset = 0;    // of the first opcode byte
    BlockType block_type;
    uint32_t index = 0;         // local/global/function/table/type/label/segment index
    uint32_t second_index = 0;  // call_indirect's table, table.copy's source, table.init's table
    MemoryArgument memory;
    uint64_t constant = 0;  // i32/i64 value (sign-extended to 64 bits) or float bits
    ValueType reference_type = ValueType::FuncRef;
    /// br_table's targets (default last) and select's annotation; reused between instructions.
    std::vector<uint32_t> labels;
    std::vector<ValueType> select_types;
};

/// Reads a value type byte. V128 gives ErrorKind::Unsupported.
bool read_value_type(ByteReader& reader, ValueType& out);
/// Reads a reference type byte (funcref or externref).
bool read_reference_type(ByteReader& reader, ValueType& out);

/// Reads the next instruction into `out`. Unknown opcodes are malformed; SIMD is Unsupported.
bool read_instruction(ByteReader& reader, Instruction& out);

}  // namespace polyvm::wasm

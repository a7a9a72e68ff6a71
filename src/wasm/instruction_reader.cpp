#include "wasm/instruction_reader.hpp"

#include "wasm/opcodes.hpp"

#include <cstdio>

namespace polyvm::wasm {
namespace {

constexpr const char* kSimdMessage = "SIMD is not supported";

bool is_value_type_byte(uint8_t byte) {
    return byte == 0x7F || byte == 0x7E || byte == 0x7D || byte == 0x7C || byte == 0x7B || byte == 0x70 ||
           byte == 0x6F;
}

// memory.size, memory.grow, memory.copy/fill/init carry a memory index that Wasm 2.0 requires
// to be the single byte 0x00 (not a LEB128 that happens to be zero).
bool read_zero_byte(ByteReader& reader) {
    uint8_t byte = 0;
    if (!reader.read_byte(byte)) return false;
    if (byte != 0) return reader.fail_at(reader.position() - 1, "zero byte expected");
    return true;
}

bool read_block_type(ByteReader& reader, BlockType& out) {
    uint8_t byte = 0;
    if (!reader.peek_byte(byte)) return reader.read_byte(byte);  // reports the end
    if (byte == 0x40) {
        reader.skip(1);
        out.kind = BlockType::Kind::Empty;
        return true;
    }
    if (is_value_type_byte(byte)) {
        out.kind = BlockType::Kind::Value;
        return read_value_type(reader, out.value);
    }
    const size_t start = reader.position();
    int64_t index = 0;
    if (!reader.read_s33(index)) return false;
    if (index < 0) return reader.fail_at(start, "malformed value type");
    out.kind = BlockType::Kind::TypeIndex;
    out.type_index = static_cast<uint32_t>(index);  // s33 non-negative fits 32 bits
    return true;
}

// An alignment exponent of 32 or more cannot describe a 32-bit address (bit 6 would name a
// memory index under multi-memory, which Wasm 2.0 lacks): malformed, not merely invalid.
bool read_memory_argument(ByteReader& reader, MemoryArgument& out) {
    const size_t start = reader.position();
    if (!reader.read_u32(out.align_log2)) return false;
    if (out.align_log2 >= 32) return reader.fail_at(start, "malformed memop flags");
    return reader.read_u32(out.offset);
}

bool read_misc_instruction(ByteReader& reader, Instruction& out) {
    uint32_t sub = 0;
    if (!reader.read_u32(sub)) return false;
    if (sub > 17) {
        char message[64];
        std::snprintf(message, sizeof message, "illegal opcode fc %x", sub);
        return reader.fail_at(out.offset, message);
    }
    out.opcode = static_cast<uint16_t>(op::Misc | sub);
    switch (out.opcode) {
        case op::MemoryInit:
            return reader.read_u32(out.index) && read_zero_byte(reader);
        case op::DataDrop:
        case op::ElemDrop:
        case op::TableGrow:
        case op::TableSize:
        case op::TableFill:
            return reader.read_u32(out.index);
        case op::MemoryCopy:
            return read_zero_byte(reader) && read_zero_byte(reader);
        case op::MemoryFill:
            return read_zero_byte(reader);
        case op::TableInit:  // elem index, then table index
            return reader.read_u32(out.index) && reader.read_u32(out.second_index);
        case op::TableCopy:  // destination table, then source table
            return reader.read_u32(out.index) && reader.read_u32(out.second_index);
        default:  // saturating truncations
            return true;
    }
}

}  // namespace

bool read_value_type(ByteReader& reader, ValueType& out) {
    uint8_t byte = 0;
    if (!reader.read_byte(byte)) return false;
    if (!is_value_type_byte(byte)) return reader.fail_at(reader.position() - 1, "malformed value type");
    if (byte == 0x7B) return reader.fail_at(reader.position() - 1, kSimdMessage, ErrorKind::Unsupported);
    out = static_cast<ValueType>(byte);
    return true;
}

bool read_reference_type(ByteReader& reader, ValueType& out) {
    uint8_t byte = 0;
    if (!reader.read_byte(byte)) return false;
    if (byte != 0x70 && byte != 0x6F) return reader.fail_at(reader.position() - 1, "malformed reference type");
    out = static_cast<ValueType>(byte);
    return true;
}

bool read_instruction(ByteReader& reader, Instruction& out) {
    out.offset = reader.position();
    uint8_t byte = 0;
    if (!reader.read_byte(byte)) return false;
    out.opcode = byte;
    switch (byte) {
        case op::Block:
        case op::Loop:
        case op::If:
            return read_block_type(reader, out.block_type);
        case op::Br:
        case op::BrIf:
        case op::Call:
        case op::LocalGet:
        case op::LocalSet:
        case op::LocalTee:
        case op::GlobalGet:
        case op::GlobalSet:
        case op::TableGet:
        case op::TableSet:
        case op::RefFunc:
            return reader.read_u32(out.index);
        case op::BrTable: {
            uint32_t count = 0;
            if (!reader.read_count(count)) return false;
            out.labels.clear();
            out.labels.reserve(count + size_t(1));
            for (uint32_t i = 0; i <= count; ++i) {  // the targets, then the default
                uint32_t label = 0;
                if (!reader.read_u32(label)) return false;
                out.labels.push_back(label);
            }
            return true;
        }
        case op::CallIndirect:  // type index, then table index
            return reader.read_u32(out.index) && reader.read_u32(out.second_index);
        case op::SelectTyped: {
            uint32_t count = 0;
            if (!reader.read_count(count)) return false;
            out.select_types.clear();
            for (uint32_t i = 0; i < count; ++i) {
                ValueType type{};
                if (!read_value_type(reader, type)) return false;
                out.select_types.push_back(type);
            }
            return true;
        }
        case op::MemorySize:
        case op::MemoryGrow:
            return read_zero_byte(reader);
        case op::I32Const: {
            int32_t value = 0;
            if (!reader.read_s32(value)) return false;
            out.constant = static_cast<uint64_t>(static_cast<int64_t>(value));
            return true;
        }
        case op::I64Const: {
            int64_t value = 0;
            if (!reader.read_s64(value)) return false;
            out.constant = static_cast<uint64_t>(value);
            return true;
        }
        case op::F32Const: {
            uint32_t bits = 0;
            if (!reader.read_fixed32(bits)) return false;
            out.constant = bits;
            return true;
        }
        case op::F64Const:
            return reader.read_fixed64(out.constant);
        case op::RefNull:
            return read_reference_type(reader, out.reference_type);
        case op::MiscPrefix:
            return read_misc_instruction(reader, out);
        case op::SimdPrefix:
            return reader.fail_at(out.offset, kSimdMessage, ErrorKind::Unsupported);
        default:
            break;
    }
    const bool no_immediates = byte == op::Unreachable || byte == op::Nop || byte == op::Else || byte == op::End ||
                               byte == op::Return || byte == op::Drop || byte == op::Select ||
                               (byte >= op::FirstNumeric && byte <= op::LastNumeric) || byte == op::RefIsNull;
    if (no_immediates) return true;
    if (byte >= op::FirstLoad && byte <= op::LastStore) return read_memory_argument(reader, out.memory);
    char message[40];
    std::snprintf(message, sizeof message, "illegal opcode %02x", byte);
    return reader.fail_at(out.offset, message);
}

}  // namespace polyvm::wasm

// The decoded form of a WebAssembly 2.0 module (core spec, binary format). Everything here is
// plain data: the decoder fills it, the validator checks it. Function bodies and constant
// expressions stay as byte ranges into `bytes`, because their instructions are read again by
// the validator (and later by the translator) in one pass each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::wasm {

/// Value types with their binary encodings (one byte each in Wasm 2.0).
enum class ValueType : uint8_t {
    I32 = 0x7F,
    I64 = 0x7E,
    F32 = 0x7D,
    F64 = 0x7C,
    V128 = 0x7B,
    FuncRef = 0x70,
    ExternRef = 0x6F,
};

constexpr bool is_reference_type(ValueType type) {
    return type == ValueType::FuncRef || type == ValueType::ExternRef;
}

constexpr bool is_number_type(ValueType type) {
    return type == ValueType::I32 || type == ValueType::I64 || type == ValueType::F32 || type == ValueType::F64;
}

const char* value_type_name(ValueType type);

/// Parameters and results; Wasm 2.0 allows several results (multi-value).
struct FunctionType {
    std::vector<ValueType> params;
    std::vector<ValueType> results;

    bool operator==(const FunctionType&) const = default;
};

/// Sizes of tables (elements) and memories (64 KiB pages).
struct Limits {
    uint32_t min = 0;
    std::optional<uint32_t> max;
};

struct TableType {
    ValueType element_type = ValueType::FuncRef;
    Limits limits;
};

struct MemoryType {
    Limits limits;
};

struct GlobalType {
    ValueType type = ValueType::I32;
    bool is_mutable = false;
};

/// The four kinds of things a module imports or exports; the values are the binary tags.
enum class ExternalKind : uint8_t { Function = 0, Table = 1, Memory = 2, Global = 3 };

/// A byte range [begin, end) of Module::bytes.
struct ByteRange {
    uint32_t begin = 0;
    uint32_t end = 0;

    uint32_t size() const { return end - begin; }
};

/// A constant expression (global initialiser, segment offset, element); the range ends after
/// its `end` opcode. Its instructions are checked by the validator.
struct ConstantExpression {
    ByteRange range;
};

struct Import {
    std::string module_name;
    std::string field_name;
    ExternalKind kind = ExternalKind::Function;
    // Only the member matching `kind` is meaningful.
    uint32_t function_type_index = 0;
    TableType table;
    MemoryType memory;
    GlobalType global;
};

struct Export {
    std::string name;
    ExternalKind kind = ExternalKind::Function;
    uint32_t index = 0;
};

struct Global {
    GlobalType type;
    ConstantExpression initializer;
};

/// Locals are declared run-length encoded; the count per run is kept as encoded.
struct LocalRun {
    uint32_t count = 0;
    ValueType type = ValueType::I32;
};

/// A function defined in this module (imports are not here).
struct Function {
    uint32_t type_index = 0;
    std::vector<LocalRun> locals;
    uint64_t local_count = 0;  // sum of the runs (checked to fit 32 bits)
    ByteRange body;            // the instructions after the local declarations, `end` included
};

enum class SegmentMode : uint8_t { Passive, Active, Declarative };

struct ElementSegment {
    SegmentMode mode = SegmentMode::Passive;
    ValueType element_type = ValueType::FuncRef;
    uint32_t table_index = 0;      // active only
    ConstantExpression offset;     // active only
    /// Encodings 0-3 list function indices, 4-7 list constant expressions; one of the two is used.
    bool uses_expressions = false;
    std::vector<uint32_t> function_indices;
    std::vector<ConstantExpression> expressions;

    size_t size() const { return uses_expressions ? expressions.size() : function_indices.size(); }
};

struct DataSegment {
    SegmentMode mode = SegmentMode::Passive;  // Passive or Active
    uint32_t memory_index = 0;                // active only
    ConstantExpression offset;                // active only
    ByteRange contents;
};

struct CustomSection {
    std::string name;
    ByteRange contents;
};

struct Module {
    std::vector<uint8_t> bytes;  // the binary, owned so that byte ranges stay valid

    std::vector<FunctionType> types;
    std::vector<Import> imports;
    std::vector<Function> functions;  // defined functions; type index from the function section
    std::vector<TableType> tables;
    std::vector<MemoryType> memories;
    std::vector<Global> globals;
    std::vector<Export> exports;
    std::optional<uint32_t> start_function;
    std::vector<ElementSegment> elements;
    std::optional<uint32_t> data_count;
    std::vector<DataSegment> data;
    std::vector<CustomSection> custom_sections;

    // Imports come first in each index space; these count them.
    uint32_t imported_function_count = 0;
    uint32_t imported_table_count = 0;
    uint32_t imported_memory_count = 0;
    uint32_t imported_global_count = 0;
};

}  // namespace polyvm::wasm

#include "wasm/function_validator.hpp"

#include "wasm/opcodes.hpp"

#include <algorithm>

namespace polyvm::wasm {
namespace {

using VT = ValueType;

// Peak operand-stack height a body may reach. The spec sets no bound, but an invalid body (calls
// of a function type with very many results, piling up until the block's `end` rejects them)
// could otherwise grow the stack quadratically in the module's size. No real program comes near.
constexpr size_t kMaxOperandStackHeight = size_t(1) << 22;

// Block types of one value point into this table, so frames need no storage of their own.
constexpr ValueType kSingleTypes[] = {VT::I32, VT::I64, VT::F32, VT::F64, VT::V128, VT::FuncRef, VT::ExternRef};

std::span<const ValueType> single_type(ValueType type) {
    for (const auto& entry : kSingleTypes)
        if (entry == type) return {&entry, 1};
    return {};
}

bool is_number_or_unknown(OperandType type) { return type == kUnknownType || is_number_type(type); }
bool is_reference_or_unknown(OperandType type) { return type == kUnknownType || is_reference_type(type); }

struct NumericSignature {
    VT operand;  // every operand has this type
    int operand_count;
    VT result;
};

// Opcodes 0x45-0xC4 in ranges of one signature each (core spec 5.4.7).
bool numeric_signature(uint16_t opcode, NumericSignature& out) {
    struct Range {
        uint16_t first, last;
        NumericSignature signature;
    };
    static constexpr Range ranges[] = {
        {0x45, 0x45, {VT::I32, 1, VT::I32}}, {0x46, 0x4F, {VT::I32, 2, VT::I32}}, {0x50, 0x50, {VT::I64, 1, VT::I32}},
        {0x51, 0x5A, {VT::I64, 2, VT::I32}}, {0x5B, 0x60, {VT::F32, 2, VT::I32}}, {0x61, 0x66, {VT::F64, 2, VT::I32}},
        {0x67, 0x69, {VT::I32, 1, VT::I32}}, {0x6A, 0x78, {VT::I32, 2, VT::I32}}, {0x79, 0x7B, {VT::I64, 1, VT::I64}},
        {0x7C, 0x8A, {VT::I64, 2, VT::I64}}, {0x8B, 0x91, {VT::F32, 1, VT::F32}}, {0x92, 0x98, {VT::F32, 2, VT::F32}},
        {0x99, 0x9F, {VT::F64, 1, VT::F64}}, {0xA0, 0xA6, {VT::F64, 2, VT::F64}}, {0xA7, 0xA7, {VT::I64, 1, VT::I32}},
        {0xA8, 0xA9, {VT::F32, 1, VT::I32}}, {0xAA, 0xAB, {VT::F64, 1, VT::I32}}, {0xAC, 0xAD, {VT::I32, 1, VT::I64}},
        {0xAE, 0xAF, {VT::F32, 1, VT::I64}}, {0xB0, 0xB1, {VT::F64, 1, VT::I64}}, {0xB2, 0xB3, {VT::I32, 1, VT::F32}},
        {0xB4, 0xB5, {VT::I64, 1, VT::F32}}, {0xB6, 0xB6, {VT::F64, 1, VT::F32}}, {0xB7, 0xB8, {VT::I32, 1, VT::F64}},
        {0xB9, 0xBA, {VT::I64, 1, VT::F64}}, {0xBB, 0xBB, {VT::F32, 1, VT::F64}}, {0xBC, 0xBC, {VT::F32, 1, VT::I32}},
        {0xBD, 0xBD, {VT::F64, 1, VT::I64}}, {0xBE, 0xBE, {VT::I32, 1, VT::F32}}, {0xBF, 0xBF, {VT::I64, 1, VT::F64}},
        {0xC0, 0xC1, {VT::I32, 1, VT::I32}}, {0xC2, 0xC4, {VT::I64, 1, VT::I64}},
        // 0xFC 0-7: saturating truncations
        {op::Misc | 0, op::Misc | 1, {VT::F32, 1, VT::I32}}, {op::Misc | 2, op::Misc | 3, {VT::F64, 1, VT::I32}},
        {op::Misc | 4, op::Misc | 5, {VT::F32, 1, VT::I64}}, {op::Misc | 6, op::Misc | 7, {VT::F64, 1, VT::I64}},
    };
    for (const auto& range : ranges) {
        if (opcode >= range.first && opcode <= range.last) {
            out = range.signature;
            return true;
        }
    }
    return false;
}

struct MemoryAccess {
    VT type;
    uint32_t natural_alignment_log2;
    bool is_store;
};

MemoryAccess memory_access(uint16_t opcode) {
    static constexpr MemoryAccess accesses[] = {
        {VT::I32, 2, false}, {VT::I64, 3, false}, {VT::F32, 2, false}, {VT::F64, 3, false},  // 0x28-0x2B
        {VT::I32, 0, false}, {VT::I32, 0, false}, {VT::I32, 1, false}, {VT::I32, 1, false},  // 0x2C-0x2F
        {VT::I64, 0, false}, {VT::I64, 0, false}, {VT::I64, 1, false}, {VT::I64, 1, false},  // 0x30-0x33
        {VT::I64, 2, false}, {VT::I64, 2, false},                                            // 0x34-0x35
        {VT::I32, 2, true},  {VT::I64, 3, true},  {VT::F32, 2, true},  {VT::F64, 3, true},   // 0x36-0x39
        {VT::I32, 0, true},  {VT::I32, 1, true},  {VT::I64, 0, true},  {VT::I64, 1, true},   // 0x3A-0x3D
        {VT::I64, 2, true},                                                                  // 0x3E
    };
    return accesses[opcode - op::FirstLoad];
}

}  // namespace

std::span<const ValueType> ControlFrame::label_types() const { return opcode == op::Loop ? params : results; }

bool FunctionValidator::fail(const std::string& message) {
    if (!error_) error_ = Error{ErrorKind::Invalid, offset_, message};
    return false;
}

void FunctionValidator::push_all(std::span<const ValueType> types) {
    for (auto type : types) push(type);
}

bool FunctionValidator::pop(OperandType& out) {
    const ControlFrame& frame = frames_.back();
    if (operands_.size() == frame.height) {
        if (frame.unreachable) {
            out = kUnknownType;
            return true;
        }
        return fail("type mismatch");
    }
    out = operands_.back();
    operands_.pop_back();
    return true;
}

bool FunctionValidator::pop_expect(OperandType expected, OperandType* actual_out) {
    OperandType actual{};
    if (!pop(actual)) return false;
    if (actual != expected && actual != kUnknownType && expected != kUnknownType) return fail("type mismatch");
    if (actual_out) *actual_out = actual;
    return true;
}

bool FunctionValidator::pop_all(std::span<const ValueType> types) {
    for (size_t i = types.size(); i-- > 0;)
        if (!pop_expect(types[i])) return false;
    return true;
}

void FunctionValidator::push_frame(uint16_t opcode, std::span<const ValueType> params,
                                   std::span<const ValueType> results) {
    frames_.push_back(ControlFrame{opcode, params, results, operands_.size(), false});
    push_all(params);
}

bool FunctionValidator::pop_frame(ControlFrame& out) {
    if (frames_.empty()) return fail("unexpected end");
    if (!pop_all(frames_.back().results)) return false;
    if (operands_.size() != frames_.back().height) return fail("type mismatch");
    out = frames_.back();
    frames_.pop_back();
    return true;
}

void FunctionValidator::mark_unreachable() {
    operands_.resize(frames_.back().height);
    frames_.back().unreachable = true;
}

bool FunctionValidator::resolve_block_type(const BlockType& block_type, std::span<const ValueType>& params,
                                           std::span<const ValueType>& results) {
    params = {};
    results = {};
    switch (block_type.kind) {
        case BlockType::Kind::Empty:
            return true;
        case BlockType::Kind::Value:
            results = single_type(block_type.value);
            return true;
        case BlockType::Kind::TypeIndex:
            if (block_type.type_index >= context_.module->types.size()) return fail("unknown type");
            params = context_.module->types[block_type.type_index].params;
            results = context_.module->types[block_type.type_index].results;
            return true;
    }
    return fail("unknown type");
}

bool FunctionValidator::local_type(uint32_t index, ValueType& out) const {
    const auto run = std::upper_bound(local_runs_.begin(), local_runs_.end(), uint64_t(index),
                                      [](uint64_t value, const auto& entry) { return value < entry.first; });
    if (run == local_runs_.end()) return false;
    out = run->second;
    return true;
}

std::optional<Error> FunctionValidator::validate(uint32_t defined_index, InstructionObserver* observer) {
    const Module& module = *context_.module;
    const Function& function = module.functions[defined_index];
    const FunctionType& type = module.types[function.type_index];
    error_.reset();
    local_runs_.clear();
    uint64_t local_count = 0;
    for (auto param : type.params) local_runs_.emplace_back(++local_count, param);
    for (const auto& run : function.locals)
        if (run.count != 0) local_runs_.emplace_back(local_count += run.count, run.type);
    operands_.clear();
    frames_.clear();
    push_frame(op::Block, {}, type.results);

    ByteReader reader(module.bytes, function.body.begin, function.body.end);
    Instruction instruction;
    while (!frames_.empty()) {
        if (!read_instruction(reader, instruction)) return reader.take_error();  // the decoder checked the syntax
        offset_ = instruction.offset;
        if (!check(instruction)) return error_;
        if (operands_.size() > kMaxOperandStackHeight) {
            fail("operand stack exceeds the implementation limit");
            return error_;
        }
        if (observer) observer->on_instruction(instruction, operands_, frames_);
    }
    return std::nullopt;
}

bool FunctionValidator::check(const Instruction& instruction) {
    const uint16_t opcode = instruction.opcode;
    OperandType type{};
    switch (opcode) {
        case op::Unreachable:
            mark_unreachable();
            return true;
        case op::Nop:
            return true;
        case op::Block:
        case op::Loop:
        case op::If: {
            std::span<const ValueType> params, results;
            if (!resolve_block_type(instruction.block_type, params, results)) return false;
            if (opcode == op::If && !pop_expect(VT::I32)) return false;
            if (!pop_all(params)) return false;
            push_frame(opcode, params, results);
            return true;
        }
        case op::Else: {
            ControlFrame frame;
            if (frames_.back().opcode != op::If) return fail("else without if");
            if (!pop_frame(frame)) return false;
            push_frame(op::Else, frame.params, frame.results);
            return true;
        }
        case op::End: {
            ControlFrame frame;
            if (!pop_frame(frame)) return false;
            // An `if` without `else` passes its parameters through the missing branch.
            if (frame.opcode == op::If && !std::equal(frame.params.begin(), frame.params.end(),
                                                      frame.results.begin(), frame.results.end()))
                return fail("type mismatch");
            if (!frames_.empty()) push_all(frame.results);
            return true;
        }
        case op::Br:
            if (instruction.index >= frames_.size()) return fail("unknown label");
            if (!pop_all(frames_[frames_.size() - 1 - instruction.index].label_types())) return false;
            mark_unreachable();
            return true;
        case op::BrIf: {
            if (instruction.index >= frames_.size()) return fail("unknown label");
            if (!pop_expect(VT::I32)) return false;
            const auto labels = frames_[frames_.size() - 1 - instruction.index].label_types();
            if (!pop_all(labels)) return false;
            push_all(labels);
            return true;
        }
        case op::BrTable: {
            if (!pop_expect(VT::I32)) return false;
            const uint32_t default_label = instruction.labels.back();
            if (default_label >= frames_.size()) return fail("unknown label");
            const auto default_types = frames_[frames_.size() - 1 - default_label].label_types();
            for (size_t i = 0; i + 1 < instruction.labels.size(); ++i) {
                const uint32_t label = instruction.labels[i];
                if (label >= frames_.size()) return fail("unknown label");
                const auto types = frames_[frames_.size() - 1 - label].label_types();
                if (types.size() != default_types.size()) return fail("type mismatch");
                // Check each target against the operands, keeping what was popped for the next.
                scratch_.assign(types.size(), kUnknownType);
                for (size_t k = types.size(); k-- > 0;)
                    if (!pop_expect(types[k], &scratch_[k])) return false;
                push_all(scratch_);
            }
            if (!pop_all(default_types)) return false;
            mark_unreachable();
            return true;
        }
        case op::Return:
            if (!pop_all(frames_.front().results)) return false;
            mark_unreachable();
            return true;
        case op::Call: {
            if (instruction.index >= context_.function_type_indices.size()) return fail("unknown function");
            const FunctionType& callee = context_.function_type(instruction.index);
            if (!pop_all(callee.params)) return false;
            push_all(callee.results);
            return true;
        }
        case op::CallIndirect: {
            if (instruction.second_index >= context_.tables.size()) return fail("unknown table");
            if (context_.tables[instruction.second_index].element_type != VT::FuncRef) return fail("type mismatch");
            if (instruction.index >= context_.module->types.size()) return fail("unknown type");
            const FunctionType& callee = context_.module->types[instruction.index];
            if (!pop_expect(VT::I32) || !pop_all(callee.params)) return false;
            push_all(callee.results);
            return true;
        }
        case op::Drop:
            return pop(type);
        case op::Select: {
            OperandType first{}, second{};
            if (!pop_expect(VT::I32) || !pop(first) || !pop(second)) return false;
            // Untyped select is for numbers only; references need the annotated form.
            if (!is_number_or_unknown(first) || !is_number_or_unknown(second)) return fail("type mismatch");
            if (first != second && first != kUnknownType && second != kUnknownType) return fail("type mismatch");
            push(first == kUnknownType ? second : first);
            return true;
        }
        case op::SelectTyped: {
            if (instruction.select_types.size() != 1) return fail("invalid result arity");
            const VT expected = instruction.select_types[0];
            if (!pop_expect(VT::I32) || !pop_expect(expected) || !pop_expect(expected)) return false;
            push(expected);
            return true;
        }
        case op::LocalGet:
        case op::LocalSet:
        case op::LocalTee: {
            VT local{};
            if (!local_type(instruction.index, local)) return fail("unknown local");
            if (opcode == op::LocalGet) {
                push(local);
                return true;
            }
            if (!pop_expect(local)) return false;
            if (opcode == op::LocalTee) push(local);
            return true;
        }
        case op::GlobalGet:
            if (instruction.index >= context_.globals.size()) return fail("unknown global");
            push(context_.globals[instruction.index].type);
            return true;
        case op::GlobalSet:
            if (instruction.index >= context_.globals.size()) return fail("unknown global");
            if (!context_.globals[instruction.index].is_mutable) return fail("global is immutable");
            return pop_expect(context_.globals[instruction.index].type);
        case op::TableGet:
            if (instruction.index >= context_.tables.size()) return fail("unknown table");
            if (!pop_expect(VT::I32)) return false;
            push(context_.tables[instruction.index].element_type);
            return true;
        case op::TableSet:
            if (instruction.index >= context_.tables.size()) return fail("unknown table");
            return pop_expect(context_.tables[instruction.index].element_type) && pop_expect(VT::I32);
        case op::MemorySize:
            if (context_.memories.empty()) return fail("unknown memory");
            push(VT::I32);
            return true;
        case op::MemoryGrow:
            if (context_.memories.empty()) return fail("unknown memory");
            if (!pop_expect(VT::I32)) return false;
            push(VT::I32);
            return true;
        case op::I32Const:
            push(VT::I32);
            return true;
        case op::I64Const:
            push(VT::I64);
            return true;
        case op::F32Const:
            push(VT::F32);
            return true;
        case op::F64Const:
            push(VT::F64);
            return true;
        case op::RefNull:
            push(instruction.reference_type);
            return true;
        case op::RefIsNull:
            if (!pop(type)) return false;
            if (!is_reference_or_unknown(type)) return fail("type mismatch");
            push(VT::I32);
            return true;
        case op::RefFunc:
            if (instruction.index >= context_.function_type_indices.size()) return fail("unknown function");
            if (!context_.declared_function_references[instruction.index]) return fail("undeclared function reference");
            push(VT::FuncRef);
            return true;
        default:
            break;
    }
    if (opcode >= op::FirstLoad && opcode <= op::LastStore) return check_memory_access(instruction);
    if (opcode >= op::MemoryInit && opcode <= op::TableFill) return check_misc(instruction);
    return check_numeric(opcode);
}

bool FunctionValidator::check_numeric(uint16_t opcode) {
    NumericSignature signature{};
    if (!numeric_signature(opcode, signature)) return fail("illegal opcode");
    for (int i = 0; i < signature.operand_count; ++i)
        if (!pop_expect(signature.operand)) return false;
    push(signature.result);
    return true;
}

bool FunctionValidator::check_memory_access(const Instruction& instruction) {
    if (context_.memories.empty()) return fail("unknown memory");
    const MemoryAccess access = memory_access(instruction.opcode);
    if (instruction.memory.align_log2 > access.natural_alignment_log2)
        return fail("alignment must not be larger than natural");
    if (access.is_store) return pop_expect(access.type) && pop_expect(VT::I32);
    if (!pop_expect(VT::I32)) return false;
    push(access.type);
    return true;
}

bool FunctionValidator::check_misc(const Instruction& instruction) {
    const auto pop_three_i32 = [&] { return pop_expect(VT::I32) && pop_expect(VT::I32) && pop_expect(VT::I32); };
    const auto table_exists = [&](uint32_t index) { return index < context_.tables.size() || fail("unknown table"); };
    switch (instruction.opcode) {
        case op::MemoryInit:
            if (context_.memories.empty()) return fail("unknown memory");
            if (!context_.data_count || instruction.index >= *context_.data_count) return fail("unknown data segment");
            return pop_three_i32();
        case op::DataDrop:
            if (!context_.data_count || instruction.index >= *context_.data_count) return fail("unknown data segment");
            return true;
        case op::MemoryCopy:
        case op::MemoryFill:
            if (context_.memories.empty()) return fail("unknown memory");
            return pop_three_i32();
        case op::TableInit:
            if (!table_exists(instruction.second_index)) return false;
            if (instruction.index >= context_.element_types.size()) return fail("unknown elem segment");
            if (context_.element_types[instruction.index] != context_.tables[instruction.second_index].element_type)
                return fail("type mismatch");
            return pop_three_i32();
        case op::ElemDrop:
            if (instruction.index >= context_.element_types.size()) return fail("unknown elem segment");
            return true;
        case op::TableCopy:
            if (!table_exists(instruction.index) || !table_exists(instruction.second_index)) return false;
            if (context_.tables[instruction.index].element_type != context_.tables[instruction.second_index].element_type)
                return fail("type mismatch");
            return pop_three_i32();
        case op::TableGrow:
            if (!table_exists(instruction.index)) return false;
            if (!pop_expect(VT::I32) || !pop_expect(context_.tables[instruction.index].element_type)) return false;
            push(VT::I32);
            return true;
        case op::TableSize:
            if (!table_exists(instruction.index)) return false;
            push(VT::I32);
            return true;
        case op::TableFill:
            if (!table_exists(instruction.index)) return false;
            return pop_expect(VT::I32) && pop_expect(context_.tables[instruction.index].element_type) &&
                   pop_expect(VT::I32);
    }
    return fail("illegal opcode");
}

}  // namespace polyvm::wasm

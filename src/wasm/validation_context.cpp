#include "wasm/validation_context.hpp"

#include "wasm/instruction_reader.hpp"
#include "wasm/opcodes.hpp"

namespace polyvm::wasm {
namespace {

// Marks the targets of ref.func in a constant expression as declared references.
void collect_references(const Module& module, const ConstantExpression& expression, std::vector<bool>& declared) {
    ByteReader reader(module.bytes, expression.range.begin, expression.range.end);
    Instruction instruction;
    while (!reader.at_end() && read_instruction(reader, instruction))
        if (instruction.opcode == op::RefFunc && instruction.index < declared.size()) declared[instruction.index] = true;
}

}  // namespace

ValidationContext make_validation_context(const Module& module) {
    ValidationContext context;
    context.module = &module;
    for (const auto& import : module.imports) {
        switch (import.kind) {
            case ExternalKind::Function: context.function_type_indices.push_back(import.function_type_index); break;
            case ExternalKind::Table: context.tables.push_back(import.table); break;
            case ExternalKind::Memory: context.memories.push_back(import.memory); break;
            case ExternalKind::Global: context.globals.push_back(import.global); break;
        }
    }
    for (const auto& function : module.functions) context.function_type_indices.push_back(function.type_index);
    context.tables.insert(context.tables.end(), module.tables.begin(), module.tables.end());
    context.memories.insert(context.memories.end(), module.memories.begin(), module.memories.end());
    for (const auto& global : module.globals) context.globals.push_back(global.type);
    for (const auto& segment : module.elements) context.element_types.push_back(segment.element_type);
    context.data_count = module.data_count;

    auto& declared = context.declared_function_references;
    declared.assign(context.function_type_indices.size(), false);
    for (const auto& entry : module.exports)
        if (entry.kind == ExternalKind::Function && entry.index < declared.size()) declared[entry.index] = true;
    for (const auto& segment : module.elements) {
        for (auto index : segment.function_indices)
            if (index < declared.size()) declared[index] = true;
        for (const auto& expression : segment.expressions) collect_references(module, expression, declared);
    }
    for (const auto& global : module.globals) collect_references(module, global.initializer, declared);
    return context;
}

}  // namespace polyvm::wasm

#include "wasm/instance.hpp"

#include "wasm/instruction_reader.hpp"
#include "wasm/opcodes.hpp"

#include <algorithm>

namespace polyvm::wasm {
namespace {

Instantiation failure(InstantiationStatus status, std::string message, ModuleInstance* instance = nullptr) {
    return Instantiation{status, std::move(message), instance};
}

/// Evaluates a validated constant expression (const, ref.null, ref.func, global.get).
Slot evaluate(const Module& module, const ConstantExpression& expression, const ModuleInstance& instance) {
    ByteReader reader(module.bytes, expression.range.begin, expression.range.end);
    Instruction instruction;
    Slot value = 0;
    while (!reader.at_end() && read_instruction(reader, instruction)) {
        switch (instruction.opcode) {
            case op::I32Const:
            case op::F32Const: value = instruction.constant & 0xFFFFFFFFu; break;
            case op::I64Const:
            case op::F64Const: value = instruction.constant; break;
            case op::RefNull: value = 0; break;
            case op::RefFunc: value = slot_from_function(instance.functions[instruction.index]); break;
            case op::GlobalGet: value = instance.globals[instruction.index]->value; break;
            default: break;  // `end`
        }
    }
    return value;
}

bool import_matches(const Import& import, const ExternalValue& value, const Module& module) {
    if (import.kind != value.kind) return false;
    switch (import.kind) {
        case ExternalKind::Function: return value.function->type == module.types[import.function_type_index];
        case ExternalKind::Table:
            return value.table->type.element_type == import.table.element_type &&
                   limits_match(value.table->type.limits, import.table.limits);
        case ExternalKind::Memory: return limits_match(value.memory->type.limits, import.memory.limits);
        case ExternalKind::Global:
            return value.global->type.type == import.global.type && value.global->type.is_mutable == import.global.is_mutable;
    }
    return false;
}

}  // namespace

bool limits_match(const Limits& actual, const Limits& expected) {
    if (actual.min < expected.min) return false;
    if (!expected.max) return true;
    return actual.max && *actual.max <= *expected.max;
}

Instantiation instantiate(Store& store, std::shared_ptr<const CompiledModule> compiled, const ImportResolver& imports,
                          Executor& executor) {
    const Module& module = compiled->module;
    // Linking comes first: nothing is allocated for a module whose imports do not resolve.
    std::vector<ExternalValue> resolved;
    for (const auto& import : module.imports) {
        const ExternalValue* value = imports ? imports(import.module_name, import.field_name) : nullptr;
        if (value == nullptr) return failure(InstantiationStatus::Unlinkable, "unknown import");
        if (!import_matches(import, *value, module))
            return failure(InstantiationStatus::Unlinkable, "incompatible import type");
        resolved.push_back(*value);
    }

    ModuleInstance& instance = store.instances.emplace_back();
    instance.module = compiled;
    for (const auto& value : resolved) {
        switch (value.kind) {
            case ExternalKind::Function: instance.functions.push_back(value.function); break;
            case ExternalKind::Table: instance.tables.push_back(value.table); break;
            case ExternalKind::Memory: instance.memory = value.memory; break;
            case ExternalKind::Global: instance.globals.push_back(value.global); break;
        }
    }
    for (size_t i = 0; i < module.functions.size(); ++i) {
        FunctionInstance& function = store.functions.emplace_back();
        function.type = module.types[module.functions[i].type_index];
        function.instance = &instance;
        function.code = &compiled->functions[i];
        instance.functions.push_back(&function);
    }
    for (const auto& type : module.tables) {
        TableInstance& table = store.tables.emplace_back();
        table.type = type;
        table.elements.assign(type.limits.min, 0);
        instance.tables.push_back(&table);
    }
    for (const auto& type : module.memories) {
        MemoryInstance& memory = store.memories.emplace_back();
        memory.type = type;
        memory.max_pages = std::min(type.limits.max.value_or(65536), store.memory_page_limit);
        if (type.limits.min > memory.max_pages)
            return failure(InstantiationStatus::Uninstantiable, "memory size exceeds the engine's limit");
        memory.bytes.assign(uint64_t(type.limits.min) * kPageSize, 0);
        instance.memory = &memory;
    }
    for (const auto& definition : module.globals) {
        GlobalInstance& global = store.globals.emplace_back();
        global.type = definition.type;
        global.value = evaluate(module, definition.initializer, instance);  // may read imported globals only
        instance.globals.push_back(&global);
    }
    for (const auto& segment : module.elements) {
        std::vector<Slot> references;
        if (segment.uses_expressions) {
            for (const auto& expression : segment.expressions) references.push_back(evaluate(module, expression, instance));
        } else {
            for (uint32_t index : segment.function_indices) references.push_back(slot_from_function(instance.functions[index]));
        }
        instance.elements.push_back(std::move(references));
    }
    for (const auto& segment : module.data)
        instance.data.emplace_back(module.bytes.data() + segment.contents.begin, segment.contents.size());
    for (const auto& entry : module.exports) {
        ExternalValue value{entry.kind};
        switch (entry.kind) {
            case ExternalKind::Function: value.function = instance.functions[entry.index]; break;
            case ExternalKind::Table: value.table = instance.tables[entry.index]; break;
            case ExternalKind::Memory: value.memory = instance.memory; break;
            case ExternalKind::Global: value.global = instance.globals[entry.index]; break;
        }
        instance.exports.emplace(entry.name, value);
    }

    // Active segments in order, as table.init/memory.init then drop: a failing one traps, and
    // the ones before it stay applied.
    for (size_t i = 0; i < module.elements.size(); ++i) {
        const ElementSegment& segment = module.elements[i];
        if (segment.mode == SegmentMode::Active) {
            const uint64_t offset = uint32_t(evaluate(module, segment.offset, instance));
            TableInstance& table = *instance.tables[segment.table_index];
            const auto& references = instance.elements[i];
            if (offset + references.size() > table.elements.size())
                return failure(InstantiationStatus::Uninstantiable, "out of bounds table access", &instance);
            std::copy(references.begin(), references.end(), table.elements.begin() + ptrdiff_t(offset));
        }
        if (segment.mode != SegmentMode::Passive) instance.elements[i].clear();
    }
    for (size_t i = 0; i < module.data.size(); ++i) {
        const DataSegment& segment = module.data[i];
        if (segment.mode != SegmentMode::Active) continue;
        const uint64_t offset = uint32_t(evaluate(module, segment.offset, instance));
        const auto contents = instance.data[i];
        if (offset + contents.size() > instance.memory->bytes.size())
            return failure(InstantiationStatus::Uninstantiable, "out of bounds memory access", &instance);
        std::copy(contents.begin(), contents.end(), instance.memory->bytes.begin() + ptrdiff_t(offset));
        instance.data[i] = {};
    }
    if (module.start_function) {
        const ExecutionResult result = executor.invoke(*instance.functions[*module.start_function], {});
        switch (result.status) {
            case ExecutionStatus::Ok: break;
            case ExecutionStatus::Trap: return failure(InstantiationStatus::Uninstantiable, result.message, &instance);
            case ExecutionStatus::Exhausted:
            case ExecutionStatus::OutOfFuel: return failure(InstantiationStatus::Exhausted, result.message, &instance);
        }
    }
    return Instantiation{InstantiationStatus::Ok, {}, &instance};
}

}  // namespace polyvm::wasm

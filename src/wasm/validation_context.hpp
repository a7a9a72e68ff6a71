// The index spaces a module's code is checked against (the spec's context C): imports first,
// then the module's own definitions.
#pragma once

#include "wasm/module.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace polyvm::wasm {

struct ValidationContext {
    const Module* module = nullptr;
    std::vector<uint32_t> function_type_indices;  // every function's type index, imports first
    std::vector<TableType> tables;
    std::vector<MemoryType> memories;
    std::vector<GlobalType> globals;
    std::vector<ValueType> element_types;  // per element segment
    std::optional<uint32_t> data_count;    // data segments code may name (the data count section)
    /// C.refs: functions named outside function bodies (exports, element segments, global
    /// initialisers); only these may be taken by ref.func inside a body.
    std::vector<bool> declared_function_references;

    const FunctionType& function_type(uint32_t function_index) const {
        return module->types[function_type_indices[function_index]];
    }
};

/// Builds the context; indices are assumed checked (the validator checks them first).
ValidationContext make_validation_context(const Module& module);

}  // namespace polyvm::wasm

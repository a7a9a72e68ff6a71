// The host functions a WebAssembly contract may import: Arbitrum Stylus's `vm_hooks` module, with
// each function's WebAssembly signature (pointers, sizes, booleans and u16 are i32 on wasm32; gas,
// ink and block values are i64). One table for the deployment checks and, later, the host's
// implementation, so the two cannot disagree. Semantics: docs/wasm_contracts.md.
#pragma once

#include "wasm/module.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace polyvm::wasm {

inline constexpr std::string_view kHostModuleName = "vm_hooks";

struct HostFunctionSignature {
    std::string_view name;
    uint8_t i32_params = 0;  // leading i32 parameters
    bool i64_then_i32 = false;  // the call functions: ..., i64 gas, i32 return_data_len pointer
    std::optional<ValueType> result;
};

/// The WebAssembly function type of a host function.
FunctionType function_type_of(const HostFunctionSignature& signature);

/// The host function named `name`, or nullptr.
const HostFunctionSignature* find_host_function(std::string_view name);

/// Every host function, in no particular order.
std::span<const HostFunctionSignature> host_functions();

}  // namespace polyvm::wasm

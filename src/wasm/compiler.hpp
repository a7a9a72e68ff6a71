// Validates a decoded module and translates every function body into internal code (code.hpp)
// in the same pass: the validator's instruction observer supplies the operand-stack height and
// the control frames, from which branch targets and stack adjustments are resolved.
#pragma once

#include "wasm/code.hpp"
#include "wasm/error.hpp"
#include "wasm/module.hpp"

#include <memory>
#include <vector>

namespace polyvm::wasm {

struct CompiledModule {
    Module module;
    std::vector<uint32_t> function_type_indices;  // every function, imports first
    std::vector<CompiledFunction> functions;      // defined functions
};

/// Decodes nothing: `module` must come from decode(). Fails as validate() does.
Result<std::shared_ptr<const CompiledModule>> compile(Module module);

}  // namespace polyvm::wasm

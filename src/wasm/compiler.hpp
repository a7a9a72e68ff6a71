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
    CompiledModule() = default;
    // Not copyable: calls between a module's own functions hold their CompiledFunction's address
    // (code::CallDefined), which a copy would keep pointing into the original.
    CompiledModule(const CompiledModule&) = delete;
    CompiledModule& operator=(const CompiledModule&) = delete;

    Module module;
    bool fuel_metering = true;  // as compiled (CompileOptions)
    std::vector<uint32_t> function_type_indices;  // every function, imports first
    std::vector<CompiledFunction> functions;      // defined functions
};

struct CompileOptions {
    /// Emit the per-block fuel charges. Code compiled without them never consumes fuel, even on
    /// an Executor with a budget; leaving them out saves one dispatch per basic block.
    bool fuel_metering = true;
};

/// Decodes nothing: `module` must come from decode(). Fails as validate() does.
Result<std::shared_ptr<const CompiledModule>> compile(Module module, CompileOptions options = {});

}  // namespace polyvm::wasm

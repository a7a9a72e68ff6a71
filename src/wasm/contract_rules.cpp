#include "wasm/contract_rules.hpp"

#include "wasm/host_interface.hpp"
#include "wasm/validation_context.hpp"

namespace polyvm::wasm {
namespace {

Error invalid(std::string message) { return Error{ErrorKind::Invalid, 0, std::move(message)}; }

}  // namespace

std::optional<Error> check_contract_module(const Module& module) {
    for (const Import& import : module.imports) {
        const std::string what = "import " + import.module_name + "." + import.field_name;
        if (import.module_name != kHostModuleName) return invalid(what + ": contracts import only from vm_hooks");
        if (import.kind != ExternalKind::Function) return invalid(what + ": contracts import only functions");
        const HostFunctionSignature* host = find_host_function(import.field_name);
        if (!host) return invalid(what + ": not a host function");
        if (import.function_type_index >= module.types.size() ||
            module.types[import.function_type_index] != function_type_of(*host))
            return invalid(what + ": wrong signature");
    }
    if (module.start_function) return invalid("contracts may not have a start function");

    // The module is validated, so export indices are in range.
    const ValidationContext context = make_validation_context(module);
    bool entrypoint = false, memory = false;
    for (const Export& e : module.exports) {
        if (e.name == "user_entrypoint") {
            if (e.kind != ExternalKind::Function) return invalid("user_entrypoint is not a function");
            if (context.function_type(e.index) != FunctionType{{ValueType::I32}, {ValueType::I32}})
                return invalid("user_entrypoint must have type (i32) -> i32");
            entrypoint = true;
        } else if (e.name == "memory") {
            if (e.kind != ExternalKind::Memory) return invalid("the export named memory is not a memory");
            memory = true;
        }
    }
    if (!entrypoint) return invalid("a contract exports user_entrypoint");
    if (!memory) return invalid("a contract exports its memory as memory");
    for (const MemoryType& m : module.memories)
        if (m.limits.min > kMaxContractInitialPages)
            return invalid("initial memory of " + std::to_string(m.limits.min) + " pages (at most " +
                           std::to_string(kMaxContractInitialPages) + ")");
    return std::nullopt;
}

}  // namespace polyvm::wasm

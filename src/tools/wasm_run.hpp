// `polyvm wasm run`: instantiate one module (no imports) and call one export.
#pragma once

#include "wasm/compiler.hpp"
#include "wasm/instance.hpp"
#include "wasm/interpreter.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace polyvm::tools {

struct WasmRunOptions {
    std::string file;
    std::string function;
    /// Decimal integers take the parameter's type; `i32:`, `i64:`, `f32:`, `f64:` force one.
    std::vector<std::string> args;
    std::optional<uint64_t> fuel;
};

/// Prints the results one per line (integers unsigned decimal, floats as decimals) and, when
/// metered, "fuel: N used, M left" on `err`. Returns 0,
/// 1 on a trap, exhaustion or running out of fuel (the reason on `err`), 2 on bad usage or an
/// unusable module.
int run_wasm_function(const WasmRunOptions& options, std::ostream& out, std::ostream& err);

/// Decodes, validates and translates a module for `wasm run` and `wasm bench`; null after
/// "error: ..." on `err` (the commands then exit with kExitUsage).
std::shared_ptr<const wasm::CompiledModule> compile_module_bytes(std::span<const uint8_t> bytes, bool fuel_metering,
                                                                 std::ostream& err);

/// Instantiates `module` (no imports) in `store` and finds its exported function `name`; null
/// after "error: ..." on `err`. `exit_status` says how the command exits then.
wasm::FunctionInstance* instantiate_for_call(wasm::Store& store, std::shared_ptr<const wasm::CompiledModule> module,
                                             wasm::Executor& executor, const std::string& name, std::ostream& err,
                                             int& exit_status);

/// The bytes of a module file for the wasm commands; nullopt after "error: PATH: cannot open"
/// on `err` (the commands then exit with kExitUsage).
std::optional<std::vector<uint8_t>> read_module_file(const std::string& path, std::ostream& err);

}  // namespace polyvm::tools

// Instantiation (core spec 4.5.4): resolves imports, allocates the module's tables, memory and
// globals in a store, applies active segments in order, drops declarative ones and runs the
// start function.
#pragma once

#include "wasm/compiler.hpp"
#include "wasm/interpreter.hpp"
#include "wasm/runtime.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace polyvm::wasm {

/// Finds an import by module and field name; null when there is none.
using ImportResolver = std::function<const ExternalValue*(std::string_view module, std::string_view field)>;

enum class InstantiationStatus {
    Ok,
    Unlinkable,      // "unknown import", "incompatible import type"
    Uninstantiable,  // a segment out of bounds or the start function trapped
    Exhausted,       // the start function hit a limit or ran out of fuel
};

struct Instantiation {
    InstantiationStatus status = InstantiationStatus::Ok;
    std::string message;
    /// Set when linking succeeded, even if a segment or the start function then failed: under
    /// Wasm 2.0 the segments applied before the failure stay in (possibly shared) tables/memories.
    ModuleInstance* instance = nullptr;

    bool ok() const { return status == InstantiationStatus::Ok; }
};

Instantiation instantiate(Store& store, std::shared_ptr<const CompiledModule> module, const ImportResolver& imports,
                          Executor& executor);

/// Whether an external value of type `actual` may be imported where `expected` is declared.
bool limits_match(const Limits& actual, const Limits& expected);

}  // namespace polyvm::wasm

// The `spectest` host module the core spec scripts import: globals, a table, a memory and
// no-op print functions (see shared/fixtures/wasm/README.md).
#pragma once

#include "wasm/runtime.hpp"

namespace polyvm::tools {

/// Allocates the host module's objects in `store` and returns its exports.
wasm::ExportMap make_spectest_host(wasm::Store& store);

}  // namespace polyvm::tools

// Validates a decoded module against the WebAssembly 2.0 rules (core spec, chapter 3), SIMD
// excepted: types, limits, index spaces, constant expressions, segments, exports, start, and
// every function body.
#pragma once

#include "wasm/error.hpp"
#include "wasm/module.hpp"

#include <optional>

namespace polyvm::wasm {

/// Returns nothing when the module is valid, otherwise the first error found.
std::optional<Error> validate(const Module& module);

}  // namespace polyvm::wasm

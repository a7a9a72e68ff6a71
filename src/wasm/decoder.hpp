// Decodes the binary format of a WebAssembly 2.0 module (core spec, chapter 5) into a Module.
// Decoding checks well-formedness only (including the syntax of every function body, so that
// malformed code is reported as such); typing is the validator's job.
#pragma once

#include "wasm/error.hpp"
#include "wasm/module.hpp"

#include <cstdint>
#include <span>

namespace polyvm::wasm {

/// Never throws on bad input; allocations are bounded by the size of `bytes`.
Result<Module> decode(std::span<const uint8_t> bytes);

}  // namespace polyvm::wasm

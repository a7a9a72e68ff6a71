// `polyvm wasm pack`: a WebAssembly contract module as deployable code (Stylus's format) and as
// the EVM init code of a deployment transaction that stores it. The packing itself lives in the
// Stylus layer, where the tests of deployments use it too.
#pragma once

#include "stylus/program.hpp"

namespace polyvm::tools {

using stylus::init_code_returning;
using stylus::pack_contract;
using stylus::PackedContract;

}  // namespace polyvm::tools

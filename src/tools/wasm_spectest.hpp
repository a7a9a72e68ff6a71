// Runs the WebAssembly core spec tests (wast2json's .json scripts): decoding and validation
// verdicts, instantiation, and execution. Text-format and SIMD commands are counted as skipped.
#pragma once

#include <filesystem>
#include <ostream>
#include <vector>

namespace polyvm::tools {

struct WasmSpecTestOptions {
    std::vector<std::filesystem::path> paths;  // .json files or folders searched recursively
    /// A run that decides no command at all is a failure (set under CI=true).
    bool fail_when_empty = false;
};

/// Prints "FAIL <file>:<line> <command>: <reason>" per failure, then the summary line
/// "N passed, M failed, K skipped (reason: count, ...)". Returns 0 when nothing failed, 1 on
/// failures, 2 on unreadable paths or scripts.
int run_wasm_spectests(const WasmSpecTestOptions& options, std::ostream& out, std::ostream& err);

}  // namespace polyvm::tools

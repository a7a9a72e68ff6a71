// `polyvm wasm bench`: the benchmark modules of fixtures/wasm/bench timed in process, each
// call's result checked against expected.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace polyvm::tools {

struct WasmBenchOptions {
    std::filesystem::path folder;         // holds expected.json and the modules it names
    unsigned rounds = 5;                  // timed calls (and translations) per module
    std::vector<std::string> modules;     // names, ".wasm" optional; empty: every module
    uint64_t fuel = uint64_t(1) << 62;    // metered, as contracts run
};

/// Per module: the quick `checks` calls once, in one instance and in order (some read state a
/// run left), then the timed `bench` call `rounds` times, each in a fresh instance. Prints the
/// median CPU time of the timed call and of translation (decode, validation, compilation), the
/// latter also per KiB of function bodies. Returns 0, 1 when a call trapped or returned other
/// than expected (reported on `err`), 2 on bad usage or an unreadable fixture.
int run_wasm_bench(const WasmBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace polyvm::tools

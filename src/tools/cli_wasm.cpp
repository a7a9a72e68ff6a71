#include "tools/cli.hpp"
#include "tools/statetest_driver.hpp"
#include "tools/wasm_run.hpp"
#include "tools/wasm_spectest.hpp"
#include "wasm/decoder.hpp"
#include "wasm/validator.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string_view>

namespace polyvm::tools {
namespace {

int validate_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "error: " << path << ": cannot open\n";
        return kExitUsage;
    }
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto decoded = wasm::decode(bytes);
    if (!decoded) {
        std::cout << wasm::describe(decoded.error()) << "\n";
        return kExitFailed;
    }
    if (auto error = wasm::validate(decoded.value())) {
        std::cout << wasm::describe(*error) << "\n";
        return kExitFailed;
    }
    std::cout << "valid\n";
    return kExitOk;
}

bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string_view(ci) == "true";
}

}  // namespace

Command add_wasm_command(CLI::App& parent) {
    struct Args {
        std::string file;
        std::vector<std::string> paths;
        WasmRunOptions run;
        uint64_t fuel = 0;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("wasm", "WebAssembly 2.0 tools: validate, run a function, run the spec tests");
    cmd->require_subcommand(1, 1);
    CLI::App* validate = cmd->add_subcommand("validate", "Decode and validate a .wasm module; prints \"valid\" or the error");
    validate->add_option("FILE", args->file, "WebAssembly binary module")->required();
    CLI::App* spectest = cmd->add_subcommand("spectest", "Run WebAssembly core spec tests (wast2json .json scripts)");
    spectest->footer(
        "Instantiates modules (with the spectest host module) and checks every assertion;\n"
        "text-format and SIMD commands are skipped. Prints\n"
        "  FAIL <file>:<line> <command>: <reason>\n"
        "per failure and ends with \"N passed, M failed, K skipped (reason: count, ...)\".\n"
        "Exit status: 0 nothing failed, 1 a failure (or, under CI=true, nothing decided), 2 bad\n"
        "usage or an unreadable file.");
    spectest->add_option("PATH", args->paths, "Script files or folders")->required();
    CLI::App* run = cmd->add_subcommand("run", "Instantiate a module without imports and call one exported function");
    run->add_option("MODULE", args->run.file, "WebAssembly binary module")->required();
    run->add_option("--invoke", args->run.function, "Exported function to call")->required();
    run->add_option("ARGS", args->run.args, "Arguments: decimal (the parameter's type) or typed, e.g. i64:5 f64:1.5");
    CLI::Option* fuel = run->add_option("--fuel", args->fuel, "Fuel budget (default: unmetered)");
    run->footer("Prints the results one per line. Exit status: 0 returned, 1 trap/exhaustion/out of fuel\n"
                "(reason on stderr), 2 bad usage or a module that does not load.");

    Command c;
    c.app = cmd;
    c.run = [args, validate, run, fuel]() -> int {
        if (validate->parsed()) return validate_file(args->file);
        if (run->parsed()) {
            if (fuel->count() != 0) args->run.fuel = args->fuel;
            return run_wasm_function(args->run, std::cout, std::cerr);
        }
        WasmSpecTestOptions options;
        for (const auto& p : args->paths) options.paths.emplace_back(p);
        options.fail_when_empty = running_in_ci();
        return run_wasm_spectests(options, std::cout, std::cerr);
    };
    return c;
}

}  // namespace polyvm::tools

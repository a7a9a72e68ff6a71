#include "tools/cli.hpp"
#include "tools/statetest_driver.hpp"
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
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("wasm", "WebAssembly 2.0 tools (decoder and validator; no execution yet)");
    cmd->require_subcommand(1, 1);
    CLI::App* validate = cmd->add_subcommand("validate", "Decode and validate a .wasm module; prints \"valid\" or the error");
    validate->add_option("FILE", args->file, "WebAssembly binary module")->required();
    CLI::App* spectest = cmd->add_subcommand("spectest", "Run WebAssembly core spec tests (wast2json .json scripts)");
    spectest->footer(
        "Decides module (decode+validate), assert_invalid, and binary assert_malformed commands;\n"
        "text-format, SIMD and execution commands are skipped. Prints\n"
        "  FAIL <file>:<line> <command>: <reason>\n"
        "per failure and ends with \"N passed, M failed, K skipped (reason: count, ...)\".\n"
        "Exit status: 0 nothing failed, 1 a failure (or, under CI=true, nothing decided), 2 bad\n"
        "usage or an unreadable file.");
    spectest->add_option("PATH", args->paths, "Script files or folders")->required();

    Command c;
    c.app = cmd;
    c.run = [args, validate]() -> int {
        if (validate->parsed()) return validate_file(args->file);
        WasmSpecTestOptions options;
        for (const auto& p : args->paths) options.paths.emplace_back(p);
        options.fail_when_empty = running_in_ci();
        return run_wasm_spectests(options, std::cout, std::cerr);
    };
    return c;
}

}  // namespace polyvm::tools

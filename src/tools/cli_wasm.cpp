#include "tools/cli.hpp"
#include "tools/statetest_driver.hpp"
#include "common/hex.hpp"
#include "tools/wasm_bench.hpp"
#include "tools/wasm_pack.hpp"
#include "tools/wasm_run.hpp"
#include "tools/wasm_spectest.hpp"
#include "wasm/decoder.hpp"
#include "wasm/validator.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string_view>

namespace polyvm::tools {
namespace {

int validate_file(const std::string& path) {
    const auto bytes = read_module_file(path, std::cerr);
    if (!bytes) return kExitUsage;
    auto decoded = wasm::decode(*bytes);
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

int pack_file(const std::string& path, bool init_code) {
    const auto module = read_module_file(path, std::cerr);
    if (!module) return kExitUsage;
    const auto packed = pack_contract(*module);
    if (const auto* error = std::get_if<std::string>(&packed)) {
        std::cerr << "error: " << path << ": " << *error << "\n";
        return kExitFailed;
    }
    const auto& contract = std::get<PackedContract>(packed);
    std::cout << to_hex_prefixed(init_code ? contract.init_code : contract.code) << "\n";
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
        WasmBenchOptions bench;
        std::string bench_fixtures;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("wasm", "WebAssembly 2.0 tools: validate, run a function, run the spec tests, benchmark, pack a contract");
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

    CLI::App* bench = cmd->add_subcommand("bench", "Time the benchmark modules' calls in process, checking every result");
    bench->add_option("--fixtures", args->bench_fixtures, "Folder with expected.json and the modules")
        ->type_name("DIR");
    bench->add_option("--rounds", args->bench.rounds, "Timed calls and translations per module (medians reported)")
        ->capture_default_str();
    bench->add_option("--modules", args->bench.modules, "Only these modules, e.g. coremark,fib")->delimiter(',');
    bench->add_option("--fuel", args->bench.fuel, "Fuel budget of each call (metering is always on)")->capture_default_str();
    bench->footer("Default DIR: $POLYVM_FIXTURES/wasm/bench (or ../shared/fixtures/wasm/bench). Per module: the\n"
                  "expected.json `checks` once (one instance, in order), then the `bench` call --rounds times\n"
                  "(a fresh instance each). Prints the median CPU time of the timed call and of translation\n"
                  "(decode, validation, compilation), also per KiB of function bodies.\n"
                  "Exit status: 0, 1 a call trapped or returned other than expected, 2 bad usage or input.");

    CLI::App* pack = cmd->add_subcommand("pack", "Check a contract module and print it as deployable code (hex)");
    pack->add_option("MODULE", args->file, "WebAssembly contract module")->required();
    auto init_code = std::make_shared<bool>(false);
    pack->add_flag("--init-code", *init_code, "Print EVM init code that deploys it (a deployment's data)");
    pack->footer("The code is Stylus's format: 0xEF 0xF0 0x00, dictionary 0x00, the module compressed\n"
                 "with Brotli (docs/wasm_contracts.md). Checks: valid WebAssembly, the contract rules,\n"
                 "24 KiB packed and 128 KiB unpacked. Exit status: 0 packed, 1 refused, 2 unreadable.");

    Command c;
    c.app = cmd;
    c.run = [args, validate, run, fuel, bench, pack, init_code]() -> int {
        if (validate->parsed()) return validate_file(args->file);
        if (bench->parsed()) {
            if (args->bench_fixtures.empty()) {
                const char* env = std::getenv("POLYVM_FIXTURES");
                args->bench_fixtures = env && *env ? std::string(env) + "/wasm/bench" : std::string("../shared/fixtures/wasm/bench");
            }
            args->bench.folder = args->bench_fixtures;
            return run_wasm_bench(args->bench, std::cout, std::cerr);
        }
        if (pack->parsed()) return pack_file(args->file, *init_code);
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

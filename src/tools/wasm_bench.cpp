#include "tools/wasm_bench.hpp"

#include "tools/statetest_driver.hpp"
#include "tools/wasm_run.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace polyvm::tools {
namespace {

using json = nlohmann::ordered_json;  // modules in the file's order

/// CPU seconds of this process: the measure the side-by-side script takes of whole processes,
/// and steadier than wall time on a shared machine.
double cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

double median(std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    const size_t n = samples.size();
    return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

struct Call {
    std::string function;
    std::vector<int64_t> args;
    uint64_t expect = 0;

    std::string text() const {
        std::ostringstream s;
        s << function << "(";
        for (size_t i = 0; i < args.size(); ++i) s << (i ? ", " : "") << args[i];
        s << ")";
        return s.str();
    }
};

Call parse_call(const json& entry) {
    return Call{entry.at("export").get<std::string>(), entry.at("args").get<std::vector<int64_t>>(), entry.at("expect").get<uint64_t>()};
}

/// Invokes `call` in `store` with a fresh instance of `module` when `function` is null (and
/// sets it); false after a FAIL line on `err` if it traps or returns other than expected.
/// `seconds` gets the CPU time of the invocation alone.
bool run_call(const std::shared_ptr<const wasm::CompiledModule>& module, wasm::Store& store, wasm::Executor& executor,
              wasm::FunctionInstance*& function, const std::string& module_name, const Call& call, std::ostream& err,
              double& seconds) {
    if (!function) {
        int exit_status = kExitOk;
        function = instantiate_for_call(store, module, executor, call.function, err, exit_status);
        if (!function) return false;
    }
    const wasm::FunctionType& type = function->type;
    if (type.params.size() != call.args.size()) {
        err << "FAIL " << module_name << " " << call.text() << ": takes " << type.params.size() << " arguments\n";
        return false;
    }
    std::vector<wasm::Value> args;
    for (size_t i = 0; i < call.args.size(); ++i) {
        // expected.json's arguments are integers for integer parameters.
        if (type.params[i] == wasm::ValueType::I32) args.push_back(wasm::Value::i32(uint32_t(call.args[i])));
        else if (type.params[i] == wasm::ValueType::I64) args.push_back(wasm::Value::i64(uint64_t(call.args[i])));
        else {
            err << "FAIL " << module_name << " " << call.text() << ": parameter " << i + 1 << " is a "
                << wasm::value_type_name(type.params[i]) << "\n";
            return false;
        }
    }
    const double start = cpu_seconds();
    const wasm::ExecutionResult result = executor.invoke(*function, args);
    seconds = cpu_seconds() - start;
    if (!result.ok()) {
        err << "FAIL " << module_name << " " << call.text() << ": " << result.message << "\n";
        return false;
    }
    if (result.values.size() != 1 || result.values[0].bits != call.expect) {
        err << "FAIL " << module_name << " " << call.text() << ": got "
            << (result.values.empty() ? std::string("no value") : std::to_string(result.values[0].bits)) << ", expected "
            << call.expect << "\n";
        return false;
    }
    return true;
}

}  // namespace

int run_wasm_bench(const WasmBenchOptions& options, std::ostream& out, std::ostream& err) {
    const std::filesystem::path expected_path = options.folder / "expected.json";
    std::ifstream in(expected_path);
    if (!in) {
        err << "error: " << expected_path.string() << ": cannot open\n";
        return kExitUsage;
    }
    json expected;
    try {
        expected = json::parse(in).at("modules");
    } catch (const json::exception& e) {
        err << "error: " << expected_path.string() << ": " << e.what() << "\n";
        return kExitUsage;
    }
    std::vector<std::string> names;
    for (const std::string& wanted : options.modules) {
        const std::string name = wanted.ends_with(".wasm") ? wanted : wanted + ".wasm";
        if (!expected.contains(name)) {
            err << "error: " << name << " is not in " << expected_path.string() << "\n";
            return kExitUsage;
        }
        names.push_back(name);
    }
    if (names.empty())
        for (const auto& [name, entry] : expected.items()) names.push_back(name);
    const unsigned rounds = std::max(options.rounds, 1u);

    char line[256];
    std::snprintf(line, sizeof line, "%-10s %-18s %12s %10s %14s %9s %16s\n", "module", "call", "result", "median s",
                  "translate ms", "code KiB", "translate us/KiB");
    out << line;
    bool all_correct = true;
    for (const std::string& name : names) {
        const json& entry = expected.at(name);
        Call bench;
        std::vector<Call> checks;
        try {
            bench = parse_call(entry.at("bench"));
            if (entry.contains("checks"))
                for (const json& check : entry.at("checks")) checks.push_back(parse_call(check));
        } catch (const json::exception& e) {
            err << "error: " << expected_path.string() << ": " << name << ": " << e.what() << "\n";
            return kExitUsage;
        }
        const auto bytes = read_module_file((options.folder / name).string(), err);
        if (!bytes) return kExitUsage;

        std::vector<double> translation;
        std::shared_ptr<const wasm::CompiledModule> module;
        for (unsigned round = 0; round < rounds; ++round) {
            const double start = cpu_seconds();
            module = compile_module_bytes(*bytes, true, err);
            translation.push_back(cpu_seconds() - start);
            if (!module) return kExitUsage;
        }
        uint64_t code_bytes = 0;
        for (const auto& function : module->module.functions) code_bytes += function.body.size();

        bool correct = true;
        {
            wasm::Store store;
            wasm::Executor executor;
            executor.set_fuel(options.fuel);
            wasm::ModuleInstance* instance = nullptr;  // the checks' one instance, made by the first
            for (const Call& check : checks) {
                wasm::FunctionInstance* function = nullptr;
                if (instance) {
                    const auto found = instance->exports.find(check.function);
                    if (found == instance->exports.end() || found->second.kind != wasm::ExternalKind::Function) {
                        err << "FAIL " << name << " " << check.text() << ": no exported function\n";
                        correct = false;
                        continue;
                    }
                    function = found->second.function;
                }
                double seconds = 0;
                correct = run_call(module, store, executor, function, name, check, err, seconds) && correct;
                if (function) instance = function->instance;
            }
        }
        std::vector<double> times;
        for (unsigned round = 0; round < rounds && correct; ++round) {
            wasm::Store store;
            wasm::Executor executor;
            executor.set_fuel(options.fuel);
            wasm::FunctionInstance* function = nullptr;
            double seconds = 0;
            correct = run_call(module, store, executor, function, name, bench, err, seconds);
            times.push_back(seconds);
        }
        all_correct = all_correct && correct;
        const std::string module_name = name.substr(0, name.size() - 5);
        const double translate_s = median(translation);
        const double kib = double(code_bytes) / 1024;
        std::snprintf(line, sizeof line, "%-10s %-18s %12s %10.3f %14.3f %9.1f %16.2f\n", module_name.c_str(), bench.text().c_str(),
                      correct ? std::to_string(bench.expect).c_str() : "FAILED", correct ? median(times) : 0.0,
                      translate_s * 1e3, kib, kib > 0 ? translate_s * 1e6 / kib : 0.0);
        out << line << std::flush;
    }
    return all_correct ? kExitOk : kExitFailed;
}

}  // namespace polyvm::tools

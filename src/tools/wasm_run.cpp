#include "tools/wasm_run.hpp"

#include "tools/statetest_driver.hpp"
#include "wasm/compiler.hpp"
#include "wasm/decoder.hpp"
#include "wasm/instance.hpp"
#include "wasm/interpreter.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace polyvm::tools {
namespace {

using wasm::ValueType;

template <typename T> bool parse_number(const std::string& text, T& out) {
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

bool parse_integer(const std::string& text, unsigned bits, uint64_t& out) {
    if (!text.empty() && text[0] == '-') {
        int64_t value = 0;
        if (!parse_number(text, value)) return false;
        if (bits == 32 && value < INT32_MIN) return false;
        out = bits == 32 ? uint32_t(int32_t(value)) : uint64_t(value);
        return true;
    }
    uint64_t value = 0;
    if (!parse_number(text, value)) return false;
    if (bits == 32 && value > UINT32_MAX) return false;
    out = value;
    return true;
}

bool parse_argument(const std::string& text, ValueType expected, wasm::Value& out) {
    std::string body = text;
    ValueType type = expected;
    if (const auto colon = text.find(':'); colon != std::string::npos) {
        const std::string prefix = text.substr(0, colon);
        body = text.substr(colon + 1);
        if (prefix == "i32") type = ValueType::I32;
        else if (prefix == "i64") type = ValueType::I64;
        else if (prefix == "f32") type = ValueType::F32;
        else if (prefix == "f64") type = ValueType::F64;
        else return false;
    }
    if (type != expected) return false;
    out.type = type;
    switch (type) {
        case ValueType::I32: return parse_integer(body, 32, out.bits);
        case ValueType::I64: return parse_integer(body, 64, out.bits);
        case ValueType::F32:
        case ValueType::F64: {
            char* end = nullptr;
            const double value = std::strtod(body.c_str(), &end);
            if (body.empty() || *end != '\0') return false;
            out = type == ValueType::F32 ? wasm::Value::f32(float(value)) : wasm::Value::f64(value);
            return true;
        }
        default: return false;  // references cannot be written on a command line
    }
}

std::string format(const wasm::Value& value) {
    char buffer[64];
    switch (value.type) {
        case ValueType::I32:
        case ValueType::I64: return std::to_string(value.bits);
        case ValueType::F32: std::snprintf(buffer, sizeof buffer, "%.9g", double(std::bit_cast<float>(uint32_t(value.bits)))); return buffer;
        case ValueType::F64: std::snprintf(buffer, sizeof buffer, "%.17g", std::bit_cast<double>(value.bits)); return buffer;
        default: return value.bits == 0 ? "null" : "ref";
    }
}

}  // namespace

std::optional<std::vector<uint8_t>> read_module_file(const std::string& path, std::ostream& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err << "error: " << path << ": cannot open\n";
        return std::nullopt;
    }
    return std::vector<uint8_t>{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<const wasm::CompiledModule> compile_module_bytes(std::span<const uint8_t> bytes, bool fuel_metering,
                                                                 std::ostream& err) {
    auto decoded = wasm::decode(bytes);
    if (!decoded) {
        err << "error: " << wasm::describe(decoded.error()) << "\n";
        return nullptr;
    }
    auto compiled = wasm::compile(std::move(decoded.value()), wasm::CompileOptions{fuel_metering});
    if (!compiled) {
        err << "error: " << wasm::describe(compiled.error()) << "\n";
        return nullptr;
    }
    return compiled.value();
}

wasm::FunctionInstance* instantiate_for_call(wasm::Store& store, std::shared_ptr<const wasm::CompiledModule> module,
                                             wasm::Executor& executor, const std::string& name, std::ostream& err,
                                             int& exit_status) {
    const wasm::Instantiation instance = wasm::instantiate(store, std::move(module), nullptr, executor);
    if (!instance.ok()) {
        err << "error: instantiation failed: " << instance.message << "\n";
        exit_status = instance.status == wasm::InstantiationStatus::Unlinkable ? kExitUsage : kExitFailed;
        return nullptr;
    }
    const auto entry = instance.instance->exports.find(name);
    if (entry == instance.instance->exports.end() || entry->second.kind != wasm::ExternalKind::Function) {
        err << "error: no exported function " << name << "\n";
        exit_status = kExitUsage;
        return nullptr;
    }
    return entry->second.function;
}

int run_wasm_function(const WasmRunOptions& options, std::ostream& out, std::ostream& err) {
    const auto bytes = read_module_file(options.file, err);
    if (!bytes) return kExitUsage;
    // Unmetered runs leave the fuel charges out of the code.
    const auto compiled = compile_module_bytes(*bytes, options.fuel.has_value(), err);
    if (!compiled) return kExitUsage;
    wasm::Store store;
    wasm::Executor executor;
    executor.set_fuel(options.fuel);
    int exit_status = kExitOk;
    wasm::FunctionInstance* const entry = instantiate_for_call(store, compiled, executor, options.function, err, exit_status);
    if (!entry) return exit_status;
    wasm::FunctionInstance& function = *entry;
    if (options.args.size() != function.type.params.size()) {
        err << "error: " << options.function << " takes " << function.type.params.size() << " arguments\n";
        return kExitUsage;
    }
    std::vector<wasm::Value> args(options.args.size());
    for (size_t i = 0; i < args.size(); ++i) {
        if (!parse_argument(options.args[i], function.type.params[i], args[i])) {
            err << "error: argument " << i + 1 << " (" << options.args[i] << ") is not a "
                << wasm::value_type_name(function.type.params[i]) << "\n";
            return kExitUsage;
        }
    }
    const wasm::ExecutionResult result = executor.invoke(function, args);
    // What the call cost, for a contract's author and for calibrating the fuel table (stderr:
    // stdout stays the results alone).
    if (options.fuel) err << "fuel: " << *options.fuel - executor.fuel_left() << " used, " << executor.fuel_left() << " left\n";
    if (!result.ok()) {
        err << "error: " << result.message << "\n";
        return kExitFailed;
    }
    for (const auto& value : result.values) out << format(value) << "\n";
    return kExitOk;
}

}  // namespace polyvm::tools

#include "tools/wasm_spectest.hpp"

#include "tools/fixture_values.hpp"
#include "tools/statetest_driver.hpp"
#include "tools/wasm_spectest_host.hpp"
#include "wasm/compiler.hpp"
#include "wasm/decoder.hpp"
#include "wasm/instance.hpp"
#include "wasm/interpreter.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace polyvm::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSkipText = "text format";
constexpr const char* kSkipSimd = "SIMD";

enum class Outcome { Pass, Fail, Skip };

struct Verdict {
    Outcome outcome = Outcome::Pass;
    std::string reason;
};

Verdict pass() { return {Outcome::Pass, {}}; }
Verdict fail(std::string reason) { return {Outcome::Fail, std::move(reason)}; }
Verdict skip(std::string reason) { return {Outcome::Skip, std::move(reason)}; }

std::vector<uint8_t> read_binary(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FixtureError(path.string() + ": cannot open");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool mentions_v128(const json& value) {
    if (value.is_object()) {
        if (auto type = value.find("type"); type != value.end() && *type == "v128") return true;
        for (const auto& item : value) if (mentions_v128(item)) return true;
    } else if (value.is_array()) {
        for (const auto& item : value) if (mentions_v128(item)) return true;
    }
    return false;
}

/// Decoding plus validation and translation: the compiled module or the error, and whether the
/// error came from the decoder.
struct ModuleCheck {
    std::shared_ptr<const wasm::CompiledModule> module;
    std::optional<wasm::Error> error;
    bool malformed = false;
};

ModuleCheck check_module(const std::vector<uint8_t>& bytes) {
    auto decoded = wasm::decode(bytes);
    if (!decoded) return {nullptr, decoded.error(), true};
    auto compiled = wasm::compile(std::move(decoded.value()));
    if (!compiled) return {nullptr, compiled.error(), false};
    return {compiled.value(), std::nullopt, false};
}

wasm::ValueType parse_type(const std::string& name) {
    using VT = wasm::ValueType;
    if (name == "i32") return VT::I32;
    if (name == "i64") return VT::I64;
    if (name == "f32") return VT::F32;
    if (name == "f64") return VT::F64;
    if (name == "funcref") return VT::FuncRef;
    if (name == "externref") return VT::ExternRef;
    throw FixtureError("unknown value type " + name);
}

// Host references ("ref.extern N") are stored as N + 1 so that 0 stays ref.null.
wasm::Value parse_value(const json& value) {
    const wasm::ValueType type = parse_type(value.at("type").get<std::string>());
    const std::string text = value.value("value", "null");
    if (wasm::is_reference_type(type)) return {type, text == "null" ? 0 : std::stoull(text) + 1};
    return {type, wasm::normalize_bits(type, std::stoull(text))};
}

std::string describe_value(const wasm::Value& value) {
    return std::string(wasm::value_type_name(value.type)) + ":" + std::to_string(value.bits);
}

bool matches(const json& expected, const wasm::Value& actual) {
    const wasm::ValueType type = parse_type(expected.at("type").get<std::string>());
    if (type != actual.type) return false;
    const auto text = expected.find("value");
    if (wasm::is_reference_type(type)) {
        if (text == expected.end()) return actual.bits != 0;  // any non-null reference
        if (*text == "null") return actual.bits == 0;
        return type == wasm::ValueType::ExternRef ? actual.bits == std::stoull(text->get<std::string>()) + 1
                                                  : actual.bits != 0;
    }
    const std::string value = text->get<std::string>();
    if (value == "nan:canonical" || value == "nan:arithmetic") {
        const bool canonical = value == "nan:canonical";
        if (type == wasm::ValueType::F32) {
            const uint32_t bits = uint32_t(actual.bits) & 0x7FFFFFFFu;
            return canonical ? bits == 0x7FC00000u : (bits & 0x7FC00000u) == 0x7FC00000u;
        }
        const uint64_t bits = actual.bits & 0x7FFFFFFFFFFFFFFFull;
        return canonical ? bits == 0x7FF8000000000000ull : (bits & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
    }
    return actual.bits == wasm::normalize_bits(type, std::stoull(value));
}

/// A module command's result as later commands see it.
struct ModuleSlot {
    wasm::ModuleInstance* instance = nullptr;
    std::string skip_reason;  // legitimately not run (SIMD, text format): dependents are skipped
};

/// The state of one script: a store shared by its modules, the registered import names.
class ScriptRunner {
public:
    explicit ScriptRunner(fs::path folder) : folder_(std::move(folder)) {
        registry_["spectest"] = make_spectest_host(store_);
    }

    Verdict decide(const json& command) {
        const std::string type = command.at("type").get<std::string>();
        if (type == "assert_malformed" && command.value("module_type", "binary") == "text") return skip(kSkipText);
        if (type == "module") return run_module(command);
        if (type == "assert_invalid" || type == "assert_malformed") return decide_invalid(command, type);
        if (type == "assert_unlinkable" || type == "assert_uninstantiable") return decide_instantiation(command, type);
        if (type == "register") return run_register(command);
        if (mentions_v128(command)) return skip(kSkipSimd);
        if (type == "action") return run_action(command, type);
        if (type == "assert_return" || type == "assert_trap" || type == "assert_exhaustion") return run_action(command, type);
        return fail("unknown command type");
    }

private:
    ModuleCheck load(const json& command, Verdict& early) {
        const std::string filename = command.value("filename", "");
        if (filename.empty()) throw FixtureError("command without filename");
        if (fs::path(filename).extension() == ".wat") {
            early = skip(kSkipText);
            return {};
        }
        ModuleCheck result = check_module(read_binary(folder_ / filename));
        if (result.error && result.error->kind == wasm::ErrorKind::Unsupported) early = skip(kSkipSimd);
        return result;
    }

    wasm::Instantiation instantiate(const std::shared_ptr<const wasm::CompiledModule>& module) {
        auto resolver = [this](std::string_view module_name, std::string_view field) -> const wasm::ExternalValue* {
            const auto exports = registry_.find(module_name);
            if (exports == registry_.end()) return nullptr;
            const auto value = exports->second.find(field);
            return value == exports->second.end() ? nullptr : &value->second;
        };
        executor_.set_fuel(std::nullopt);
        return wasm::instantiate(store_, module, resolver, executor_);
    }

    Verdict run_module(const json& command) {
        Verdict early = pass();
        ModuleCheck check = load(command, early);
        ModuleSlot slot;
        Verdict verdict = pass();
        if (early.outcome == Outcome::Skip) {
            slot.skip_reason = early.reason + " module";
            verdict = early;
        } else if (check.error) {
            verdict = fail(wasm::describe(*check.error));
        } else {
            const wasm::Instantiation result = instantiate(check.module);
            if (result.ok()) slot.instance = result.instance;
            else verdict = fail("instantiation failed: " + result.message);
        }
        current_ = slot;
        if (command.contains("name")) named_[command.at("name").get<std::string>()] = slot;
        return verdict;
    }

    Verdict decide_invalid(const json& command, const std::string& type) {
        Verdict early = pass();
        const ModuleCheck result = load(command, early);
        if (early.outcome == Outcome::Skip) return early;
        const std::string expected = command.value("text", "");
        if (type == "assert_invalid") {
            if (!result.error) return fail("module is valid, expected invalid (\"" + expected + "\")");
            if (result.malformed)
                return fail("decoding failed (" + result.error->message + "), expected a validation error (\"" + expected + "\")");
            return pass();
        }
        if (!result.error) return fail("module decoded and validated, expected malformed (\"" + expected + "\")");
        if (!result.malformed)
            return fail("decoded, but validation failed (" + result.error->message + "); expected malformed (\"" + expected + "\")");
        return pass();
    }

    Verdict decide_instantiation(const json& command, const std::string& type) {
        Verdict early = pass();
        const ModuleCheck check = load(command, early);
        if (early.outcome == Outcome::Skip) return early;
        if (check.error) return fail(wasm::describe(*check.error));
        const wasm::Instantiation result = instantiate(check.module);
        const std::string expected = command.value("text", "");
        if (result.ok()) return fail("instantiated, expected \"" + expected + "\"");
        const auto wanted = type == "assert_unlinkable" ? wasm::InstantiationStatus::Unlinkable
                                                        : wasm::InstantiationStatus::Uninstantiable;
        if (result.status != wanted) return fail("failed with \"" + result.message + "\", expected \"" + expected + "\"");
        return pass();
    }

    const ModuleSlot* find_slot(const json& holder, Verdict& verdict) {
        const ModuleSlot* slot = &current_;
        if (auto name = holder.find("module"); name != holder.end()) {
            const auto found = named_.find(name->get<std::string>());
            if (found == named_.end()) {
                verdict = fail("unknown module " + name->get<std::string>());
                return nullptr;
            }
            slot = &found->second;
        }
        if (!slot->skip_reason.empty()) {
            verdict = skip("uses a skipped " + slot->skip_reason);
            return nullptr;
        }
        if (slot->instance == nullptr) {
            verdict = fail("no instantiated module");
            return nullptr;
        }
        return slot;
    }

    Verdict run_register(const json& command) {
        Verdict verdict = pass();
        const ModuleSlot* slot = find_slot(command.contains("name") ? json{{"module", command.at("name")}} : json::object(), verdict);
        if (!slot) return verdict;
        registry_[command.at("as").get<std::string>()] = slot->instance->exports;
        return pass();
    }

    Verdict run_action(const json& command, const std::string& type) {
        const json& action = command.at("action");
        Verdict verdict = pass();
        const ModuleSlot* slot = find_slot(action, verdict);
        if (!slot) return verdict;
        const std::string field = action.at("field").get<std::string>();
        const auto entry = slot->instance->exports.find(field);
        if (entry == slot->instance->exports.end()) return fail("no export " + field);
        wasm::ExecutionResult result;
        const std::string kind = action.at("type").get<std::string>();
        if (kind == "get") {
            if (entry->second.kind != wasm::ExternalKind::Global) return fail(field + " is not a global");
            const wasm::GlobalInstance& global = *entry->second.global;
            result.values.push_back({global.type.type, wasm::normalize_bits(global.type.type, global.value)});
        } else if (kind == "invoke") {
            if (entry->second.kind != wasm::ExternalKind::Function) return fail(field + " is not a function");
            std::vector<wasm::Value> args;
            for (const auto& arg : action.value("args", json::array())) args.push_back(parse_value(arg));
            executor_.set_fuel(std::nullopt);
            result = executor_.invoke(*entry->second.function, args);
        } else {
            return fail("unknown action " + kind);
        }
        if (type == "assert_trap") {
            if (result.status == wasm::ExecutionStatus::Trap) return pass();
            return fail(result.ok() ? "returned, expected trap \"" + command.value("text", "") + "\"" : result.message);
        }
        if (type == "assert_exhaustion") {
            if (result.status == wasm::ExecutionStatus::Exhausted) return pass();
            return fail(result.ok() ? "returned, expected exhaustion" : result.message);
        }
        if (!result.ok()) return fail(result.message);
        if (type == "action") return pass();
        const json& expected = command.at("expected");
        if (expected.size() != result.values.size()) return fail("wrong number of results");
        for (size_t i = 0; i < expected.size(); ++i) {
            if (!matches(expected[i], result.values[i]))
                return fail("result " + std::to_string(i) + " is " + describe_value(result.values[i]) + ", expected " +
                            expected[i].dump());
        }
        return pass();
    }

    fs::path folder_;
    wasm::Store store_;
    wasm::Executor executor_;
    std::map<std::string, wasm::ExportMap, std::less<>> registry_;
    ModuleSlot current_;
    std::map<std::string, ModuleSlot> named_;
};

}  // namespace

int run_wasm_spectests(const WasmSpecTestOptions& options, std::ostream& out, std::ostream& err) {
    std::vector<FixtureFile> files;
    try {
        files = collect_fixture_files(options.paths);
    } catch (const FixtureError& e) {
        err << "error: " << e.what() << "\n";
        return kExitUsage;
    }
    size_t passed = 0, failed = 0, skipped = 0;
    std::map<std::string, size_t> skip_reasons;
    for (const auto& file : files) {
        try {
            std::ifstream in(file.path);
            if (!in) throw FixtureError("cannot open");
            const json script = json::parse(in);
            auto runner = std::make_unique<ScriptRunner>(file.path.parent_path());
            for (const auto& command : script.at("commands")) {
                const Verdict verdict = runner->decide(command);
                switch (verdict.outcome) {
                    case Outcome::Pass: ++passed; break;
                    case Outcome::Skip:
                        ++skipped;
                        ++skip_reasons[verdict.reason];
                        break;
                    case Outcome::Fail:
                        ++failed;
                        out << "FAIL " << file.relative << ":" << command.value("line", 0) << " "
                            << command.at("type").get<std::string>() << ": " << verdict.reason << "\n";
                        break;
                }
            }
        } catch (const std::exception& e) {  // unreadable script or module file, malformed JSON
            err << "error: " << file.path.string() << ": " << e.what() << "\n";
            return kExitUsage;
        }
    }
    out << passed << " passed, " << failed << " failed, " << skipped << " skipped";
    if (!skip_reasons.empty()) {
        out << " (";
        const char* separator = "";
        for (const auto& [reason, count] : skip_reasons) {
            out << separator << reason << ": " << count;
            separator = ", ";
        }
        out << ")";
    }
    out << "\n";
    if (options.fail_when_empty && passed + failed == 0) {
        err << "error: no command was decided (CI=true): wrong path?\n";
        return kExitFailed;
    }
    return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace polyvm::tools

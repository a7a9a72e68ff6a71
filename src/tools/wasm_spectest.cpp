#include "tools/wasm_spectest.hpp"

#include "tools/fixture_values.hpp"
#include "tools/statetest_driver.hpp"
#include "wasm/decoder.hpp"
#include "wasm/validator.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>

namespace polyvm::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSkipText = "text format";
constexpr const char* kSkipSimd = "SIMD";
constexpr const char* kSkipExecution = "no execution engine yet";

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

/// Decode and validate; the error (if any) and whether it came from the decoder.
struct ModuleCheck {
    std::optional<wasm::Error> error;
    bool malformed = false;
};

ModuleCheck check_module(const std::vector<uint8_t>& bytes) {
    auto decoded = wasm::decode(bytes);
    if (!decoded) return {decoded.error(), true};
    if (auto error = wasm::validate(decoded.value())) return {*error, false};
    return {};
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

Verdict decide_module_command(const json& command, const fs::path& folder) {
    const std::string type = command.at("type").get<std::string>();
    const std::string filename = command.value("filename", "");
    if (filename.empty()) throw FixtureError("command without filename");
    if (fs::path(filename).extension() == ".wat") return skip(kSkipText);
    const ModuleCheck result = check_module(read_binary(folder / filename));
    if (result.error && result.error->kind == wasm::ErrorKind::Unsupported) return skip(kSkipSimd);
    const std::string expected = command.value("text", "");
    if (type == "module") {
        if (result.error) return fail(wasm::describe(*result.error));
        return pass();
    }
    if (type == "assert_invalid") {
        if (!result.error) return fail("module is valid, expected invalid (\"" + expected + "\")");
        if (result.malformed)
            return fail("decoding failed (" + result.error->message + "), expected a validation error (\"" + expected + "\")");
        return pass();
    }
    // assert_malformed, binary
    if (!result.error) return fail("module decoded and validated, expected malformed (\"" + expected + "\")");
    if (!result.malformed)
        return fail("decoded, but validation failed (" + result.error->message + "); expected malformed (\"" + expected + "\")");
    return pass();
}

Verdict decide(const json& command, const fs::path& folder) {
    const std::string type = command.at("type").get<std::string>();
    if (type == "assert_malformed" && command.value("module_type", "binary") == "text") return skip(kSkipText);
    if (type == "module" || type == "assert_invalid" || type == "assert_malformed")
        return decide_module_command(command, folder);
    if (mentions_v128(command)) return skip(kSkipSimd);
    return skip(kSkipExecution);
}

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
            const fs::path folder = file.path.parent_path();
            for (const auto& command : script.at("commands")) {
                const Verdict verdict = decide(command, folder);
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

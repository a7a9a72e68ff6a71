// The JSON documents the tools read from files that users, and whoever hands them a fixture,
// write: state tests, blockchain tests, geth genesis files, and t8n's alloc, env and txs. Never
// a crash, and a document that cannot be used is refused with the loader's own error
// (FixtureError, T8nError: they name the file and the field), never a library's exception that
// names neither (an uncaught one aborts the target).
// Input: loader (1 byte: state test, blockchain test, genesis, t8n) || the document.
#include "fuzz_target.hpp"

#include "tools/blockchain_test.hpp"
#include "tools/fixture_values.hpp"
#include "tools/genesis.hpp"
#include "tools/state_test.hpp"
#include "tools/t8n.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

using namespace polyvm;
using namespace polyvm::tools;

namespace {

/// t8n's stdin document {"alloc", "env", "txs"}: each member read as the tool reads it.
void read_t8n_document(std::string_view text) {
    const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return;  // the tool refuses these before reading
    static const nlohmann::json kNull;
    const auto member = [&](const char* key) -> const nlohmann::json& {
        const auto it = doc.find(key);
        return it == doc.end() ? kNull : *it;
    };
    t8n::read_alloc(member("alloc"));
    const t8n::Env env = t8n::read_env(member("env"));
    (void)env;
    t8n::read_json_transactions(member("txs"), uint256{1});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 4) {
            case 0: parse_state_tests(text, "fuzz"); break;
            case 1: parse_blockchain_tests(text, "fuzz"); break;
            case 2: parse_genesis(text, "fuzz"); break;
            default: read_t8n_document(text); break;
        }
    } catch (const FixtureError&) {
    } catch (const t8n::T8nError&) {
    }
    return 0;
}

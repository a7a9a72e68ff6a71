// The WebAssembly decoder, validator and contract rules: never a crash or a hang on any module;
// the contract rules only ever see validated modules, as deployment runs them.
#include "fuzz_target.hpp"
#include "wasm/contract_rules.hpp"
#include "wasm/decoder.hpp"
#include "wasm/validator.hpp"

using namespace polyvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto module = wasm::decode(std::span<const uint8_t>(data, size));
    if (module && !wasm::validate(module.value())) (void)wasm::check_contract_module(module.value());
    return 0;
}

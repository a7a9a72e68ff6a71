#include "tools/wasm_pack.hpp"

#include "wasm/contract_rules.hpp"
#include "wasm/decoder.hpp"
#include "wasm/stylus_program.hpp"
#include "wasm/validator.hpp"

namespace polyvm::tools {

bytes init_code_returning(bytes_view code) {
    // PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY (to memory 0 from code offset 12), PUSH1 0,
    // RETURN (memory 0, len): 12 bytes, then the code itself.
    const auto len = static_cast<uint16_t>(code.size());
    bytes out = {0x61, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0x80, 0x60, 0x0c,
                 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3};
    out.insert(out.end(), code.begin(), code.end());
    return out;
}

std::variant<PackedContract, std::string> pack_contract(bytes_view module) {
    if (module.size() > wasm::kMaxStylusModuleSize)
        return "module of " + std::to_string(module.size()) + " bytes (at most " +
               std::to_string(wasm::kMaxStylusModuleSize) + ")";
    auto decoded = wasm::decode(module);
    if (!decoded) return wasm::describe(decoded.error());
    if (auto error = wasm::validate(decoded.value())) return wasm::describe(*error);
    if (auto error = wasm::check_contract_module(decoded.value())) return "not a contract: " + error->message;
    PackedContract packed;
    packed.code = wasm::compress_stylus_program(module);
    if (packed.code.empty()) return "Brotli compression failed";
    if (packed.code.size() > wasm::kMaxStylusCodeSize)
        return "packed code of " + std::to_string(packed.code.size()) + " bytes (at most " +
               std::to_string(wasm::kMaxStylusCodeSize) + ")";
    packed.init_code = init_code_returning(packed.code);
    return packed;
}

}  // namespace polyvm::tools

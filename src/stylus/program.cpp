#include "stylus/program.hpp"

#include "wasm/contract_rules.hpp"
#include "wasm/decoder.hpp"
#include "wasm/stylus_program.hpp"
#include "wasm/validator.hpp"

#include <cstring>

namespace polyvm::stylus {

std::variant<CompiledProgram, std::string> activate_program(bytes_view code) {
    if (code.size() > wasm::kMaxStylusCodeSize)
        return "program of " + std::to_string(code.size()) + " bytes (at most " +
               std::to_string(wasm::kMaxStylusCodeSize) + ")";
    auto module_bytes = wasm::decompress_stylus_program(code);
    if (!module_bytes) return wasm::describe(module_bytes.error());
    auto decoded = wasm::decode(module_bytes.value());
    if (!decoded) return wasm::describe(decoded.error());
    // compile() validates as it translates; the contract rules need a validated module.
    auto compiled = wasm::compile(std::move(decoded.value()), wasm::CompileOptions{.fuel_metering = true});
    if (!compiled) return wasm::describe(compiled.error());
    if (auto error = wasm::check_contract_module(compiled.value()->module)) return "not a contract: " + error->message;
    return std::move(compiled.value());
}

CompiledProgram ProgramCache::get(const Hash32& code_hash, bytes_view code) {
    {
        std::lock_guard lock(mutex_);
        const auto it = programs_.find(code_hash);
        // A caller whose hash does not match its code gets a fresh activation, not the entry.
        if (it != programs_.end() && it->second.code_size == code.size()) return it->second.program;
    }
    auto activated = activate_program(code);  // outside the lock: other codes need not wait
    CompiledProgram program;
    if (auto* compiled = std::get_if<CompiledProgram>(&activated)) program = std::move(*compiled);
    // The translated code is a few times the module, which is a few times the compressed code.
    const size_t bytes = code.size() * 16 + 256;
    std::lock_guard lock(mutex_);
    if (bytes_ + bytes > capacity_bytes_) {
        programs_.clear();
        bytes_ = 0;
    }
    const auto [it, inserted] = programs_.emplace(code_hash, Entry{program, code.size()});
    if (inserted) bytes_ += bytes;
    return it->second.code_size == code.size() ? it->second.program : program;
}

size_t ProgramCache::size() const {
    std::lock_guard lock(mutex_);
    return programs_.size();
}

ProgramCache& ProgramCache::shared() {
    static ProgramCache cache;
    return cache;
}

bytes init_code_returning(bytes_view code) {
    // PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY (to memory 0 from code offset 12), PUSH1 0,
    // RETURN (memory 0, len): 12 bytes, then the code itself.
    const auto len = static_cast<uint16_t>(code.size());
    const uint8_t header[] = {0x61, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0x80, 0x60, 0x0c,
                              0x60, 0x00, 0x39, 0x60, 0x00, 0xf3};
    bytes out(sizeof(header) + code.size());
    std::memcpy(out.data(), header, sizeof(header));
    if (!code.empty()) std::memcpy(out.data() + sizeof(header), code.data(), code.size());
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

}  // namespace polyvm::stylus

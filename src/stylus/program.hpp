// Stylus programs as the execution layer sees them: a contract's code in Stylus's format
// (wasm/stylus_program.hpp) checked and translated once per code hash, then shared by every call.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"  // before any map keyed by Hash32: it declares their hashes slow
#include "wasm/compiler.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

namespace polyvm::stylus {

using CompiledProgram = std::shared_ptr<const wasm::CompiledModule>;

/// Decompresses, decodes, validates and translates `code` (with fuel metering) and checks the
/// deployment rules (wasm/contract_rules.hpp) and the size limits: what Arbitrum calls
/// activation. The error text names the first problem.
std::variant<CompiledProgram, std::string> activate_program(bytes_view code);

/// Activated programs by code hash, process-wide and thread-safe. A translated module never
/// changes once shared; each call instantiates it afresh.
class ProgramCache {
public:
    explicit ProgramCache(size_t capacity_bytes = size_t{256} << 20) : capacity_bytes_(capacity_bytes) {}
    /// The program of `code` (keccak256 = `code_hash`), or null when it does not activate. Failures
    /// are remembered too, so that calling a bad program (possible only through a pre-state that
    /// was never deployed) costs its check once.
    CompiledProgram get(const Hash32& code_hash, bytes_view code);
    size_t size() const;
    static ProgramCache& shared();

private:
    struct Entry {
        CompiledProgram program;  // null: does not activate
        size_t code_size = 0;
    };
    size_t capacity_bytes_;
    mutable std::mutex mutex_;
    std::unordered_map<Hash32, Entry> programs_;
    size_t bytes_ = 0;
};

/// A contract module packed for deployment (`polyvm wasm pack`, tests).
struct PackedContract {
    bytes code;       // 0xEF 0xF0 0x00, dictionary 0x00, Brotli-compressed module
    bytes init_code;  // EVM init code returning `code`
};

/// Checks the module (decoding, validation, the contract rules, the size limits) and packs it;
/// the error text names the first problem.
std::variant<PackedContract, std::string> pack_contract(bytes_view module);

/// EVM init code that returns `code` (CODECOPY of the bytes appended after it, then RETURN);
/// `code` must be under 64 KiB.
bytes init_code_returning(bytes_view code);

}  // namespace polyvm::stylus

// Code analysis, done once per code and cached by the caller: a zero-padded copy of the code (so
// PUSH data reaching past the end reads zeros and execution then runs into STOP without a bounds
// check per instruction) and a bitmap of valid JUMPDEST positions (not inside PUSH data).
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"  // the hash of Hash32 keys

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace polyvm {

struct CodeAnalysis {
    /// The longest read past the end: PUSH32's 32 data bytes, then one STOP to end on.
    static constexpr size_t kPadding = 33;

    bytes padded_code;                   // code followed by kPadding zero bytes
    size_t code_size = 0;                // length of the real code
    std::vector<uint64_t> jumpdest_map;  // bit i set: position i is a JUMPDEST opcode

    bytes_view code() const noexcept { return {padded_code.data(), code_size}; }

    bool is_jumpdest(uint64_t pos) const noexcept {
        return pos < code_size && ((jumpdest_map[pos / 64] >> (pos % 64)) & 1) != 0;
    }
};

CodeAnalysis analyze(bytes_view code);

/// Analyses kept across transactions and blocks, by code hash (an analysis depends on the code
/// alone): a contract called in every block (a token, a router, the system contracts) is copied
/// and analysed once, not once per block. Thread-safe. Bounded: emptied when the codes it holds
/// pass `capacity_bytes` (analyses in use stay alive through their shared pointers).
class AnalysisCache {
public:
    explicit AnalysisCache(size_t capacity_bytes = size_t{64} << 20) : capacity_bytes_(capacity_bytes) {}
    /// The analysis of `code`, whose keccak256 is `code_hash`.
    std::shared_ptr<const CodeAnalysis> get(const Hash32& code_hash, bytes_view code);
    size_t size() const;
    /// The process's cache, used by every ExecutionHost.
    static AnalysisCache& shared();

private:
    size_t capacity_bytes_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<Hash32, std::shared_ptr<const CodeAnalysis>> analyses_;
    size_t bytes_ = 0;
};

}  // namespace polyvm

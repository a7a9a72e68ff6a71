// Code analysis, done once per code and cached by the caller: a zero-padded copy of the code (so
// PUSH data reaching past the end reads zeros and execution then runs into STOP without a bounds
// check per instruction) and a bitmap of valid JUMPDEST positions (not inside PUSH data).
#pragma once

#include "common/types.hpp"
#include "common/revision.hpp"
#include "common/uint256.hpp"  // the hash of Hash32 keys

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace polyvm {

/// The checks of one basic block, made once when execution enters it instead of per instruction
/// (the untraced interpreter). Exact: if the block's base gas or its stack needs are not met, the
/// frame would halt exceptionally within the block anyway, and the interpreter then reruns the
/// block instruction by instruction to halt exactly where and how the EVM does.
/// Kept packed in 64 bits (gas | stack_min << 32 | stack_heights << 48); all zeros means "not
/// computed yet" and fails the check like a block that must run checked.
struct BlockCheck {
    uint32_t gas = 0;            // the base gas of the block's instructions
    uint16_t stack_min = 0;      // stack items the block needs on entry
    uint16_t stack_heights = 0;  // entry heights allowed: stack_min .. stack_min + stack_heights - 1

    /// Entering with `height` items and `gas_left` gas passes the block's checks.
    bool admits(uint64_t height, int64_t gas_left) const noexcept {
        return gas_left >= static_cast<int64_t>(gas) && height - stack_min < stack_heights;
    }
    uint64_t pack() const noexcept {
        return gas | uint64_t{stack_min} << 32 | uint64_t{stack_heights} << 48;
    }
    static BlockCheck unpack(uint64_t packed) noexcept {
        return {static_cast<uint32_t>(packed), static_cast<uint16_t>(packed >> 32), static_cast<uint16_t>(packed >> 48)};
    }
};

struct CodeAnalysis {
    /// The longest read past the end: PUSH32's 32 data bytes, then one STOP to end on.
    static constexpr size_t kPadding = 33;

    bytes padded_code;                   // code followed by kPadding zero bytes
    size_t code_size = 0;                // length of the real code
    std::vector<uint64_t> jumpdest_map;  // bit i set: position i is a JUMPDEST opcode

    bytes_view code() const noexcept { return {padded_code.data(), code_size}; }

    /// What the untraced interpreter (with block checks) executes: padded_code with the first
    /// opcode of each fused sequence replaced by its fused opcode (evm/fusion.hpp), or a plain
    /// copy when analysed with FusedCode::No. Same length and positions. Empty when analysed
    /// without a revision.
    bytes fused_code;
    bool fused = false;  // fused_code holds the fused sequences

    // Block checks for one revision (base gas differs between revisions), packed BlockChecks
    // indexed by the position of a block's first instruction (0, each JUMPDEST, the one after each
    // ends_check_block instruction), code_size + 1 entries, computed when execution first enters
    // the block (block_check_at): most of a contract's blocks never run in a given transaction.
    // Written by any thread that runs the code, through std::atomic_ref (each entry is written
    // whole, and every writer writes the same value). Null when analysed without a revision.
    struct FreeDeleter {
        void operator()(uint64_t* p) const noexcept;
    };
    mutable std::unique_ptr<uint64_t[], FreeDeleter> block_checks;
    int blocks_revision = -1;  // the Revision the block checks are for; -1: none

    bool has_blocks_for(Revision rev) const noexcept { return blocks_revision == static_cast<int>(rev); }

    bool is_jumpdest(uint64_t pos) const noexcept {
        return pos < code_size && ((jumpdest_map[pos / 64] >> (pos % 64)) & 1) != 0;
    }
};

CodeAnalysis analyze(bytes_view code);
/// With room for the block checks of `rev` (what the untraced interpreter's fast path needs).
/// Fusing instructions costs about four times the rest of the analysis (a walk over every
/// instruction): worth it for code that runs more than once.
enum class FusedCode : bool { No, Yes };
CodeAnalysis analyze(bytes_view code, Revision rev, FusedCode fused = FusedCode::Yes);

/// The check of the block starting at `position` (for `analysis.blocks_revision`), computed and
/// stored on first use.
BlockCheck block_check_at(const CodeAnalysis& analysis, size_t position) noexcept;

/// Analyses kept across transactions and blocks, by code hash and revision (an analysis depends
/// on the code and, through its block checks, on the revision's gas): a contract called in every
/// block (a token, a router, the system contracts) is copied and analysed once, not once per
/// block. Thread-safe. Bounded: emptied when the analyses it holds (about 10 bytes per code byte)
/// pass `capacity_bytes` (analyses in use stay alive through their shared pointers).
class AnalysisCache {
public:
    explicit AnalysisCache(size_t capacity_bytes = size_t{256} << 20) : capacity_bytes_(capacity_bytes) {}
    /// The analysis of `code`, whose keccak256 is `code_hash`, with the block checks of `rev`.
    /// The first call analyses without fusing instructions (much code runs once: initcode,
    /// one-off calls); the second replaces the entry by a fused analysis (callers holding the
    /// first keep it: analyses never change once shared).
    std::shared_ptr<const CodeAnalysis> get(const Hash32& code_hash, bytes_view code, Revision rev);
    size_t size() const;
    /// The process's cache, used by every ExecutionHost.
    static AnalysisCache& shared();

private:
    size_t capacity_bytes_;
    mutable std::shared_mutex mutex_;
    struct KeyHash {
        size_t operator()(const std::pair<Hash32, Revision>& key) const noexcept {
            return std::hash<Hash32>{}(key.first) ^ static_cast<size_t>(key.second);
        }
    };
    std::unordered_map<std::pair<Hash32, Revision>, std::shared_ptr<const CodeAnalysis>, KeyHash> analyses_;
    size_t bytes_ = 0;
};

}  // namespace polyvm

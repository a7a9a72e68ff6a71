#include "evm/analysis.hpp"

#include "evm/fusion.hpp"
#include "evm/gas_constants.hpp"
#include "evm/opcodes.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

namespace polyvm {
namespace {

constexpr uint64_t kEveryByte = 0x0101010101010101ULL;

/// Non-zero iff one of the 8 bytes of `word` is in [0x5b, 0x7f]: JUMPDEST, PUSH1..PUSH32 (the
/// only bytes that matter to the analysis) or 0x5c..0x5f. SWAR: with
/// bit 7 cleared, adding 0x25 carries into bit 7 exactly for values >= 0x5b, and no byte
/// overflows into its neighbour (0x7f + 0x25 < 0x100); bytes >= 0x80 are masked out after.
constexpr uint64_t interesting_bytes(uint64_t word) noexcept {
    static_assert(OP_JUMPDEST == 0x5b && OP_PUSH1 == 0x60 && OP_PUSH32 == 0x7f);
    return ((word & (0x7f * kEveryByte)) + 0x25 * kEveryByte) & ~word & (0x80 * kEveryByte);
}

/// What the block walk needs of one opcode in one revision, packed into 8 bytes.
struct BlockStep {
    enum Kind : uint8_t { Continues, EndsBlock, Undefined };
    uint16_t gas = 0;
    uint8_t inputs = 0;
    int8_t growth = 0;  // outputs - inputs
    uint8_t length = 1; // the opcode and its immediate
    Kind kind = Undefined;
};

using BlockSteps = std::array<BlockStep, 256>;

constexpr std::array<BlockSteps, kNumRevisions> make_block_steps() {
    std::array<BlockSteps, kNumRevisions> all{};
    for (int r = 0; r < kNumRevisions; ++r) {
        for (int op = 0; op < 256; ++op) {
            const auto rev = static_cast<Revision>(r);
            const OpcodeInfo& info = kOpcodeTable[op];
            BlockStep& step = all[r][op];
            if (!is_defined(static_cast<uint8_t>(op), rev)) continue;
            step.gas = static_cast<uint16_t>(gas_table(rev)[op]);
            step.inputs = info.inputs;
            step.growth = static_cast<int8_t>(info.outputs - info.inputs);
            step.length = static_cast<uint8_t>(1 + info.immediate_size);
            step.kind = ends_check_block(static_cast<uint8_t>(op)) ? BlockStep::EndsBlock : BlockStep::Continues;
        }
    }
    return all;
}

constexpr std::array<BlockSteps, kNumRevisions> kBlockSteps = make_block_steps();

/// The check of the block that starts at `start`: a walk over its instructions, adding up base
/// gas and following the stack height relative to the block's entry.
BlockCheck compute_block_check(const CodeAnalysis& a, size_t start, Revision rev) noexcept {
    const BlockSteps& steps = kBlockSteps[static_cast<int>(rev)];
    const uint8_t* const code = a.padded_code.data();
    const size_t size = a.code_size;
    uint64_t gas = 0;
    int height = 0, needed = 0, highest = 0;  // relative to the entry height
    for (size_t pos = start; pos < size;) {  // at size: the implicit STOP, which checks nothing
        const uint8_t op = code[pos];
        if (starts_check_block(op) && pos != start) break;  // the next block
        const BlockStep& step = steps[op];
        if (step.kind == BlockStep::Undefined) break;  // halts: nothing after it runs
        needed = std::max(needed, step.inputs - height);
        height += step.growth;
        highest = std::max(highest, height);
        gas += step.gas;
        pos += step.length;
        if (step.kind == BlockStep::EndsBlock) break;
    }
    // Needs no entry height can meet (or a sum past 32 bits): a check that always fails, so the
    // block always runs checked.
    if (gas > UINT32_MAX || needed + highest > gas::kStackLimit) return BlockCheck{0, 1, 0};
    return BlockCheck{static_cast<uint32_t>(gas), static_cast<uint16_t>(needed),
                      static_cast<uint16_t>(gas::kStackLimit - needed - highest + 1)};
}

/// The length of the instruction at `pos` with its immediate.
/// Each opcode's length with its immediate (1 + n for PUSHn, 1 otherwise).
constexpr std::array<uint8_t, 256> kInstructionLength = [] {
    std::array<uint8_t, 256> t{};
    for (int op = 0; op < 256; ++op) t[op] = static_cast<uint8_t>(1 + kOpcodeTable[op].immediate_size);
    return t;
}();

/// True if the instructions from `pos` are the sequence `f`, all defined (per `gas`, the
/// revision's gas table), and (for a sequence that ends in a constant jump) the destination is a
/// JUMPDEST.
bool matches(const CodeAnalysis& a, size_t pos, const Fusion& f, const int16_t* gas) noexcept {
    const uint8_t* const code = a.padded_code.data();
    size_t last = pos;
    for (size_t k = 0; k < f.length; ++k) {
        if (pos >= a.code_size || code[pos] != f.ops[k] || gas[code[pos]] < 0) return false;
        last = pos;
        pos += kInstructionLength[code[pos]];
    }
    if (!ends_in_constant_jump(f)) return true;
    // `last` is the jump's position; the PUSH's data ends just before it.
    const size_t n = f.ops[f.length - 2] - OP_PUSH1 + 1u;
    if (n > 8) return false;
    uint64_t destination = 0;
    for (size_t i = last - n; i < last; ++i) destination = destination << 8 | code[i];
    return a.is_jumpdest(destination);
}

/// The code the untraced interpreter runs (CodeAnalysis::fused_code): at each instruction that
/// starts a fused sequence (evm/fusion.hpp), the longest one, its fused opcode. Undefined
/// instructions whose byte is a fused opcode become another undefined byte.
bytes fuse_instructions(const CodeAnalysis& a, Revision rev) {
    bytes fused = a.padded_code;
    const uint8_t* const code = a.padded_code.data();
    uint8_t* const out = fused.data();
    const int16_t* const gas = gas_table(rev).data();
    const size_t size = a.code_size;
    for (size_t pos = 0; pos < size;) {
        const uint8_t op = code[pos];
        const size_t second = pos + kInstructionLength[op];
        const int8_t row = kFusionLookup.row_of_first[op];
        if (row >= 0) {
            // Reading code[second] past the end is safe (padding); a match checks the bounds.
            for (const int8_t index : kFusionLookup.rows[static_cast<size_t>(row)][code[second]]) {
                if (index < 0) break;
                if (matches(a, pos, kFusions[static_cast<size_t>(index)], gas)) {
                    out[pos] = static_cast<uint8_t>(kFirstFusedOpcode + index);
                    break;
                }
            }
        } else if (is_fused_opcode(op)) {
            out[pos] = kUndefinedInFusedCode;
        }
        pos = second;
    }
    return fused;
}

}  // namespace

void CodeAnalysis::FreeDeleter::operator()(uint64_t* p) const noexcept { std::free(p); }

CodeAnalysis analyze(bytes_view code, Revision rev, FusedCode fused) {
    CodeAnalysis a = analyze(code);
    // calloc: all entries "not computed yet" (zero), and large tables come as fresh zero pages,
    // touched only where blocks run.
    a.block_checks.reset(static_cast<uint64_t*>(std::calloc(code.size() + 1, sizeof(uint64_t))));
    if (!a.block_checks) throw std::bad_alloc();
    a.blocks_revision = static_cast<int>(rev);
    a.fused = fused == FusedCode::Yes;
    a.fused_code = a.fused ? fuse_instructions(a, rev) : a.padded_code;
    return a;
}

BlockCheck block_check_at(const CodeAnalysis& analysis, size_t position) noexcept {
    std::atomic_ref<uint64_t> entry(analysis.block_checks[position]);
    if (const uint64_t packed = entry.load(std::memory_order_relaxed)) return BlockCheck::unpack(packed);
    const BlockCheck check = compute_block_check(analysis, position, static_cast<Revision>(analysis.blocks_revision));
    entry.store(check.pack(), std::memory_order_relaxed);
    return check;
}

CodeAnalysis analyze(bytes_view code) {
    CodeAnalysis a;
    const size_t size = code.size();
    a.code_size = size;
    a.padded_code.reserve(size + CodeAnalysis::kPadding);
    a.padded_code.assign(code.begin(), code.end());
    a.padded_code.resize(size + CodeAnalysis::kPadding, 0);
    a.jumpdest_map.assign((size + 63) / 64, 0);

    // Eight bytes at a time: a window without JUMPDEST or PUSH bytes (common in code without
    // much PUSH data) is skipped whole; otherwise its opcodes are walked one by one. The byte walk
    // keeps its branches on purpose: they are well predicted, so the CPU runs ahead speculatively,
    // where any branch-free formulation makes each opcode's position wait for the previous
    // opcode's load (measured 2-3x slower on snailtracer's dense code). Loads may run into the
    // zero padding, whose bytes are STOPs.
    const uint8_t* const p = a.padded_code.data();
    uint64_t* const map = a.jumpdest_map.data();
    size_t pos = 0;
    while (pos < size) {
        uint64_t word;
        static_assert(std::endian::native == std::endian::little);  // byte i of word is p[pos + i]
        std::memcpy(&word, p + pos, 8);
        if (interesting_bytes(word) == 0) {
            pos += 8;
            continue;
        }
        const size_t window_end = pos + 8;
        do {
            const uint8_t op = p[pos];
            if (op == OP_JUMPDEST)
                map[pos / 64] |= uint64_t{1} << (pos % 64);  // pos < size: the padding is all zeros
            else if (op >= OP_PUSH1 && op <= OP_PUSH32)
                pos += static_cast<size_t>(op - OP_PUSH1 + 1);  // skip the immediate data
            ++pos;
        } while (pos < window_end);
    }
    return a;
}

std::shared_ptr<const CodeAnalysis> AnalysisCache::get(const Hash32& code_hash, bytes_view code, Revision rev) {
    const std::pair key{code_hash, rev};
    bool seen = false;  // a second use: fused, replacing the first's analysis
    {
        std::shared_lock lock(mutex_);
        const auto it = analyses_.find(key);
        if (it != analyses_.end()) {
            // A cheap guard against a caller whose hash does not match its code: not cached.
            if (it->second->code_size != code.size()) return std::make_shared<const CodeAnalysis>(analyze(code, rev));
            if (it->second->fused) return it->second;
            seen = true;
        }
    }
    auto analysis = std::make_shared<const CodeAnalysis>(analyze(code, rev, seen ? FusedCode::Yes : FusedCode::No));
    // What an analysis holds: the padded and fused code, the jump bitmap, a block check per byte.
    const size_t bytes = code.size() * (2 + sizeof(BlockCheck)) + code.size() / 8;
    std::unique_lock lock(mutex_);
    if (bytes_ + bytes > capacity_bytes_) {
        analyses_.clear();
        bytes_ = 0;
    }
    const auto [it, inserted] = analyses_.emplace(key, analysis);
    if (inserted) bytes_ += bytes;
    else if (analysis->fused && !it->second->fused) it->second = analysis;
    return it->second->code_size == code.size() ? it->second : analysis;
}

size_t AnalysisCache::size() const {
    std::shared_lock lock(mutex_);
    return analyses_.size();
}

AnalysisCache& AnalysisCache::shared() {
    static AnalysisCache cache;
    return cache;
}

}  // namespace polyvm

#include "evm/analysis.hpp"

#include "evm/opcodes.hpp"

#include <bit>
#include <cstring>

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

}  // namespace

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

std::shared_ptr<const CodeAnalysis> AnalysisCache::get(const Hash32& code_hash, bytes_view code) {
    {
        std::shared_lock lock(mutex_);
        const auto it = analyses_.find(code_hash);
        if (it != analyses_.end()) {
            if (it->second->code_size == code.size()) return it->second;
            // A cheap guard against a caller whose hash does not match its code: not cached.
            return std::make_shared<const CodeAnalysis>(analyze(code));
        }
    }
    auto analysis = std::make_shared<const CodeAnalysis>(analyze(code));
    std::unique_lock lock(mutex_);
    if (bytes_ + code.size() > capacity_bytes_) {
        analyses_.clear();
        bytes_ = 0;
    }
    const auto [it, inserted] = analyses_.emplace(code_hash, analysis);
    if (inserted) bytes_ += code.size();
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

// KECCAK256 of 64 bytes remembered for the rest of a transaction. Solidity hashes a mapping's slot
// as keccak256(key . slot) each time the mapping is used, and contracts use the same entries again
// and again within one transaction: an ERC-20 reads a balance and then writes it, an allowance is
// read, checked and lowered, a router quotes its pools and then swaps through them (85-96% of the
// 64-byte hashes of bench/realworld's ERC-20 and Uniswap inputs repeat one computed earlier in the
// same call). A hit costs a 64-byte compare instead of a permutation (3,500-7,000 instructions,
// depending on the CPU).
// The table is per thread and starts over at every depth-0 EVM execution (a generation count, so
// nothing is cleared): a transaction does not reuse an earlier one's hashes (a benchmark that runs
// one call again and again starts cold each time). Reuse would be correct anyway: the hash is a
// pure function of the compared input. crypto/keccak_cache.hpp's cached_keccak256 is the
// long-lived twin for the trie's keys and blooms; it keeps its values across blocks, which is
// what those want and what this per-transaction memo must not do.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"
#include "crypto/keccak.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace polyvm {

struct KeccakMemo {
    struct Entry {
        uint64_t generation = 0;  // valid while equal to the table's
        uint64_t input[8] = {};
        uint256 hash{};           // as the opcode pushes it
    };
    static constexpr size_t kEntries = 64;  // direct-mapped: a collision only costs a recomputation
    uint64_t generation = 1;
    std::array<Entry, kEntries> entries{};
};

// Constant-initialised, so that reading it needs no per-thread initialisation check.
inline constinit thread_local KeccakMemo keccak_memo;

/// Called when a transaction's (or a call's) depth-0 execution starts: forget what came before.
inline void keccak_memo_new_transaction() noexcept { ++keccak_memo.generation; }

/// keccak256 of the 64 bytes at `data`, computed once per transaction, into the stack slot `hash`.
/// An out-parameter written by store_wide (uint256.hpp), as the other results the interpreter
/// pushes: returned by value, the word went through memory and was copied with loads that the
/// stores before them could not forward.
inline void keccak256_64_memoized(const uint8_t* data, uint256& hash) noexcept {
    KeccakMemo& memo = keccak_memo;
    // The input word by word through a register: MSTORE wrote it 8 bytes at a time, and a wider
    // load across two such stores would wait for them to reach the cache instead of being
    // forwarded (a chain of hashes, as in a Merkle proof, waits on it every time).
    uint64_t input[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
        std::memcpy(&input[i], data + 8 * i, 8);
        asm("" : "+r"(input[i]));
    }
    const uint64_t key = hash_words(input[0] ^ input[4], input[1] ^ input[5], input[2] ^ input[6], input[3] ^ input[7]);
    KeccakMemo::Entry& entry = memo.entries[key % KeccakMemo::kEntries];
    if (entry.generation == memo.generation && std::memcmp(entry.input, input, sizeof input) == 0) {
        store_wide(hash, entry.hash);
        return;
    }
    const uint256 computed = uint256::from_hash(keccak256_64(input));  // 8-byte loads: forwarded
    store_wide(hash, computed);
    store_wide(entry.hash, computed);
    entry.generation = memo.generation;
    // A plain copy: the input's stores are long in the cache by now (a permutation ago), and
    // nothing waits on the entry.
    std::memcpy(entry.input, input, sizeof input);
}

}  // namespace polyvm

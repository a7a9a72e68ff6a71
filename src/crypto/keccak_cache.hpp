// keccak256 of a fixed-size value (an address, a slot, a log topic), remembered per thread for
// the last 1,024 values of each size seen (direct-mapped). Blocks hash the same few values again
// and again: the trie keys of the accounts and slots they touch (the sender, the coinbase, a
// token and the system contracts), the bloom bits of their logs' addresses and topics (a swap's
// five logs come from three contracts with four event signatures), and the accounts an eth_call
// reads from LMDB. A permutation costs about 230 ns; a hit costs a compare.
#pragma once

#include "common/types.hpp"
#include "crypto/keccak.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace polyvm {

template <size_t N>
Hash32 cached_keccak256(const FixedBytes<N>& value) {
    struct Slot {
        FixedBytes<N> value;
        Hash32 hash;
        bool used = false;
    };
    static constexpr size_t kSlots = 1024;
    thread_local std::array<Slot, kSlots> slots;
    uint64_t w[3] = {0, 0, 0};
    std::memcpy(w, value.bytes.data(), std::min<size_t>(N, sizeof w));
    Slot& slot = slots[hash_words(w[0], w[1], w[2], N > sizeof w ? value.bytes[N - 1] : 0) % kSlots];
    if (!slot.used || slot.value != value) {  // a pure function: a stale slot is just replaced
        slot.value = value;
        slot.hash = keccak256(value);
        slot.used = true;
    }
    return slot.hash;
}

}  // namespace polyvm

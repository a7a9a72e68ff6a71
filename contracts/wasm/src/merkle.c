/* A Keccak and Merkle workload: hashChain(uint256 seed, uint256 rounds) hashes a word `rounds`
 * times (h = keccak256(h), from h = seed); merkleRoot(uint256 leaves) builds the tree of the
 * leaves keccak256(word(i)) for i < leaves (at most 512), each parent keccak256(left . right),
 * an odd node carried up unchanged, and returns its root (the zero word for no leaves). */
#include "contract_abi.h"

enum {
    kHashChain = 0xc1446dd2,  /* hashChain(uint256,uint256) */
    kMerkleRoot = 0x3c70b357, /* merkleRoot(uint256) */
};

#define MAX_LEAVES 512
static word level[MAX_LEAVES];

static uint64_t small_argument(size_t i, int* ok) {
    const word w = argument(i);
    *ok = (load8(w.bytes) | load8(w.bytes + 8) | load8(w.bytes + 16)) == 0;
    uint64_t v = 0;
    for (int k = 24; k < 32; ++k) v = (v << 8) | w.bytes[k];
    return v;
}

static int hash_chain(void) {
    int ok = 0;
    word h = argument(0);
    const uint64_t rounds = small_argument(1, &ok);
    if (!ok) return 1;
    for (uint64_t r = 0; r < rounds; ++r) native_keccak256(h.bytes, 32, h.bytes);
    return return_word(&h);
}

static int merkle_root(void) {
    int ok = 0;
    uint64_t n = small_argument(0, &ok);
    if (!ok || n > MAX_LEAVES) return 1;
    if (n == 0) {
        const word zero = word_zero();
        return return_word(&zero);
    }
    for (uint64_t i = 0; i < n; ++i) {
        const word index = word_from_u64(i);
        native_keccak256(index.bytes, 32, level[i].bytes);
    }
    while (n > 1) {
        uint64_t parents = 0;
        for (uint64_t i = 0; i + 1 < n; i += 2) {
            uint8_t pair[64];
            copy32(pair, level[i].bytes);
            copy32(pair + 32, level[i + 1].bytes);
            native_keccak256(pair, 64, level[parents++].bytes);
        }
        if (n % 2) level[parents++] = level[n - 1];
        n = parents;
    }
    return return_word(&level[0]);
}

__attribute__((export_name("user_entrypoint"))) int user_entrypoint(int args_len) {
    if (!load_calldata(args_len)) return 1;
    switch (selector()) {
        case kHashChain: return hash_chain();
        case kMerkleRoot: return merkle_root();
        default: return 1;
    }
}

// Differential: three Merkle-Patricia tries on the same key/value histories. The incremental
// trie (db/merkle_trie.hpp: nodes kept by path, only touched paths re-hashed), the root from
// scratch (state/trie.hpp) and a naive reference written here from the Yellow Paper's
// definition (appendix D: c(I, i), n(I, i), hex-prefix encoding, with its own RLP) must give the
// same root after every batch of writes; the incremental trie's proofs must be state/trie.hpp's.
// A second incremental trie takes every batch of two writes or more on two threads (subtrees
// below the root on forks of its store, mpt::update_trie): it must store exactly the same nodes.
// Input: batches, each: count || per write: key choice (an earlier key, or a new one of 0-6
// bytes, its nibbles drawn from a small alphabet or not, so keys share prefixes and are prefixes
// of each other), value length (0 deletes; from 32 bytes on a node is hashed, not embedded), value.
#include "byte_reader.hpp"
#include "fuzz_target.hpp"

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "db/merkle_trie.hpp"
#include "state/trie.hpp"

#include <map>
#include <vector>

using namespace polyvm;
using namespace polyvm::mpt;

namespace {

// --- The naive reference: its own RLP and the Yellow Paper's functions, nothing shared. ---

bytes rlp_length_prefix(size_t length, uint8_t short_base, uint8_t long_base) {
    if (length < 56) return bytes{static_cast<uint8_t>(short_base + length)};
    bytes digits;
    for (size_t n = length; n > 0; n >>= 8) digits.insert(digits.begin(), static_cast<uint8_t>(n & 0xff));
    bytes out{static_cast<uint8_t>(long_base + digits.size())};
    out.insert(out.end(), digits.begin(), digits.end());
    return out;
}

bytes rlp_string(const bytes& s) {
    if (s.size() == 1 && s[0] < 0x80) return s;
    bytes out = rlp_length_prefix(s.size(), 0x80, 0xb7);
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

/// A list of items given already encoded.
bytes rlp_list(const std::vector<bytes>& items) {
    bytes payload;
    for (const bytes& item : items) payload.insert(payload.end(), item.begin(), item.end());
    bytes out = rlp_length_prefix(payload.size(), 0xc0, 0xf7);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

/// HP(x, t): the nibbles packed two to a byte after a flag nibble (2 for a leaf, +1 if odd).
bytes hex_prefix(const std::vector<uint8_t>& nibbles, size_t from, size_t to, bool leaf) {
    const size_t count = to - from;
    const uint8_t flag = static_cast<uint8_t>((leaf ? 2 : 0) + (count % 2));
    bytes out;
    size_t i = from;
    if (count % 2) out.push_back(static_cast<uint8_t>(flag << 4 | nibbles[i++]));
    else out.push_back(static_cast<uint8_t>(flag << 4));
    for (; i < to; i += 2) out.push_back(static_cast<uint8_t>(nibbles[i] << 4 | nibbles[i + 1]));
    return out;
}

struct Item {
    std::vector<uint8_t> key;  // nibbles
    bytes value;
};

bytes structural(const std::vector<const Item*>& items, size_t i);

/// n(I, i): a node as its parent holds it: empty, embedded (under 32 bytes) or its hash.
bytes reference(const std::vector<const Item*>& items, size_t i) {
    if (items.empty()) return rlp_string({});
    const bytes node = structural(items, i);
    if (node.size() < 32) return node;
    const Hash32 h = keccak256(node);
    return rlp_string(bytes(h.bytes.begin(), h.bytes.end()));
}

/// c(I, i): a leaf for one item; an extension over the nibbles all items share from i; else a
/// branch of the items by their nibble at i, with the value of the item that ends at i.
bytes structural(const std::vector<const Item*>& items, size_t i) {
    if (items.size() == 1) {
        const Item& only = *items[0];
        return rlp_list({rlp_string(hex_prefix(only.key, i, only.key.size(), true)), rlp_string(only.value)});
    }
    size_t shared = i;  // how far all keys go on together
    for (;; ++shared) {
        const std::vector<uint8_t>& first = items[0]->key;
        bool all_same = first.size() > shared;
        for (const Item* item : items) all_same = all_same && item->key.size() > shared && item->key[shared] == first[shared];
        if (!all_same) break;
    }
    if (shared > i) return rlp_list({rlp_string(hex_prefix(items[0]->key, i, shared, false)), reference(items, shared)});
    std::vector<bytes> branch;
    bytes value;
    for (uint8_t nibble = 0; nibble < 16; ++nibble) {
        std::vector<const Item*> below;
        for (const Item* item : items)
            if (item->key.size() > i && item->key[i] == nibble) below.push_back(item);
        branch.push_back(reference(below, i + 1));
    }
    for (const Item* item : items)
        if (item->key.size() == i) value = item->value;
    branch.push_back(rlp_string(value));
    return rlp_list(branch);
}

Hash32 naive_root(const std::map<bytes, bytes>& entries) {
    std::vector<Item> items;
    for (const auto& [key, value] : entries) {
        Item item;
        for (uint8_t b : key) item.key.push_back(b >> 4), item.key.push_back(b & 0x0f);
        item.value = value;
        items.push_back(std::move(item));
    }
    std::vector<const Item*> all;
    for (const Item& item : items) all.push_back(&item);
    if (all.empty()) return keccak256(rlp_string({}));
    return keccak256(structural(all, 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ByteReader in(data, size);
    MemoryTrieNodeStore store, parallel_store(true);
    std::map<bytes, bytes> entries;
    std::vector<bytes> keys;
    for (int batch = 0; !in.done() && batch < 32; ++batch) {
        std::vector<TrieWrite> writes;
        for (size_t count = 1 + in.next() % 8; count > 0; --count) {
            const uint8_t choice = in.next();
            bytes key;
            if (!keys.empty() && choice % 2 == 0) {
                key = keys[(choice / 2) % keys.size()];
            } else {
                const bool small_alphabet = choice & 2;
                for (size_t n = (choice >> 2) % 7; n > 0; --n) key.push_back(small_alphabet ? (in.next() & 0x11) : in.next());
                keys.push_back(key);
            }
            const uint8_t length = in.next() % 48;
            bytes value(length, 0);
            for (uint8_t& b : value) b = in.next();
            writes.push_back(TrieWrite{key, value});
            if (value.empty()) entries.erase(key);
            else entries[key] = value;
        }
        const Hash32 incremental = update_trie(store, writes);
        FUZZ_CHECK(update_trie(parallel_store, writes, 2, 2) == incremental, "a parallel update gives the same root");
        FUZZ_CHECK(parallel_store.nodes() == store.nodes() && parallel_store.extras() == store.extras(),
                   "a parallel update stores the same nodes");
        std::vector<std::pair<bytes, bytes>> list(entries.begin(), entries.end());
        const Hash32 from_scratch = trie_root(list);
        FUZZ_CHECK(from_scratch == naive_root(entries), "the root from scratch is the Yellow Paper's");
        FUZZ_CHECK(incremental == from_scratch, "the incremental root is the root from scratch");
        FUZZ_CHECK(stored_trie_root(store) == incremental, "the stored root is the one update_trie returned");
        // An empty trie stores no node (prove_key gives []; the node answers [] as geth does),
        // while trie_proof gives the empty root's encoding: compared on non-empty tries.
        if (entries.empty()) continue;
        for (const TrieWrite& write : writes) {
            const auto stored = prove_key(store, write.key);
            const auto computed = trie_proof(list, write.key);
            if (stored != computed && std::getenv("FUZZ_VERBOSE")) {
                std::fprintf(stderr, "key %s (%s), %zu entries; stored proof %zu nodes, computed %zu\n", to_hex(write.key).c_str(),
                             entries.count(write.key) ? "present" : "absent", entries.size(), stored.size(), computed.size());
                for (const auto& [k, v] : entries) std::fprintf(stderr, "  %s = %zu bytes\n", to_hex(k).c_str(), v.size());
                for (const auto& n : stored) std::fprintf(stderr, " s %s\n", to_hex(n).c_str());
                for (const auto& n : computed) std::fprintf(stderr, " c %s\n", to_hex(n).c_str());
            }
            FUZZ_CHECK(stored == computed, "the stored trie's proofs are state/trie.hpp's");
        }
    }
    return 0;
}

// Merkle-Patricia trie root computation (Yellow Paper, appendix D).
//
// polyvm keeps state in flat maps and needs only the *root hash* of a set of key/value pairs
// (state root, storage roots, transaction/receipt roots). So instead of a persistent node
// database we sort the keys once and build the node encodings bottom-up in one recursive pass:
// O(n log n) for the sort and O(total key length) for the build, with no per-node allocation
// beyond the encodings themselves.
#pragma once

#include "common/types.hpp"

#include <map>
#include <utility>
#include <vector>

namespace polyvm {

/// keccak256(rlp("")) = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421,
/// the root of a trie with no entries.
inline constexpr Hash32 kEmptyTrieRoot{{
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
}};

/// Root of the trie holding these raw keys. Duplicate keys: the last occurrence wins.
/// Entries with an empty value are absent (the trie cannot store an empty value; writing one
/// deletes the key). Keys are used as given: hash them first for a secure trie.
Hash32 trie_root(std::vector<std::pair<bytes, bytes>> entries);

/// The Merkle proof of `key` (EIP-1186, eth_getProof): the RLP encodings of the nodes on the path
/// from the root towards the key, root first; embedded nodes are inside their parents. For a
/// missing key the path ends where the key would diverge.
std::vector<bytes> trie_proof(std::vector<std::pair<bytes, bytes>> entries, const bytes& key);
/// Root of the secure trie (keys replaced by keccak256(key)), as used for the state and
/// storage tries.
Hash32 secure_trie_root(const std::vector<std::pair<bytes, bytes>>& entries);

/// Root of a trie keyed by rlp(index) for index = 0, 1, ... (transactions, receipts, withdrawals).
Hash32 ordered_trie_root(const std::vector<bytes>& values);

/// A small mutable key/value set whose root can be taken at any time (tests, tooling).
class TrieBuilder {
public:
    /// Inserts or replaces; an empty value deletes, like in the trie itself.
    void put(bytes key, bytes value);
    void erase(const bytes& key) { entries_.erase(key); }
    size_t size() const noexcept { return entries_.size(); }
    Hash32 root() const;

private:
    std::map<bytes, bytes> entries_;
};

}  // namespace polyvm

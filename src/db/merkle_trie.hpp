// A Merkle-Patricia trie kept node by node in a store, so that a batch of writes re-encodes and
// re-hashes only the nodes on the paths it touches. (state/trie.hpp computes a root from all
// entries at once; this one keeps the work proportional to the change, not to the trie.)
//
// Every node is stored under its nibble path from the root, the path a lookup walks to reach
// it. Nodes that their parent embeds (encoding under 32 bytes) are stored too, so the structure
// can always be walked by path without decoding embedded children. A node is stored as its RLP
// encoding, which is exactly what its parent hashes; a branch's encoding holds the references of
// all its children, so updating one child never reads its siblings.
//
// The trie is kept canonical after every batch (no branch with a single child and no value, no
// extension pointing at a leaf or an extension), so its root equals the root state/trie.hpp
// computes from the same entries.
#pragma once

#include "common/types.hpp"

#include <map>
#include <optional>
#include <span>

namespace polyvm::mpt {

/// A path in the trie: one nibble (0..15) per element, the high nibble of each key byte first.
using NibblePath = std::span<const uint8_t>;

/// Where one trie keeps its nodes. A trie owns its store exclusively (for several tries in one
/// key-value store, prefix the keys per trie).
class TrieNodeStore {
public:
    virtual ~TrieNodeStore() = default;
    /// The encoded node at `path`, or nullopt.
    virtual std::optional<bytes> load(NibblePath path) = 0;
    virtual void store(NibblePath path, bytes_view encoded_node) = 0;
    /// Removing an absent node is not an error.
    virtual void remove(NibblePath path) = 0;
};

/// An in-memory node store (tests, tools).
class MemoryTrieNodeStore final : public TrieNodeStore {
public:
    std::optional<bytes> load(NibblePath path) override;
    void store(NibblePath path, bytes_view encoded_node) override;
    void remove(NibblePath path) override;

    /// Every stored node by nibble path (one byte per nibble).
    const std::map<bytes, bytes>& nodes() const noexcept { return nodes_; }

private:
    std::map<bytes, bytes> nodes_;
};

/// One write to a trie: an empty value deletes the key (a trie cannot hold an empty value).
struct TrieWrite {
    bytes key;
    bytes value;
};

/// Applies `writes` (the last write of a key wins) to the trie in `store` and returns the new
/// root hash. Keys may have any length, including keys that are prefixes of others. Throws
/// polyvm::DatabaseError when the store holds a node that does not decode or is missing.
Hash32 update_trie(TrieNodeStore& store, std::span<const TrieWrite> writes);

/// The root hash of the trie in `store` (kEmptyTrieRoot when it holds no node).
Hash32 stored_trie_root(TrieNodeStore& store);

/// Appends the key of a nibble path in an ordered byte-string store: two nibbles per byte (the
/// last one padded with 0 when the count is odd), then the nibble count, so [1] and [1, 0]
/// differ. The nodes of a subtree sort next to each other, which keeps one update's pages
/// together. Paths longer than 255 nibbles (keys over 127 bytes) throw DatabaseError.
void append_packed_path(bytes& out, NibblePath path);

}  // namespace polyvm::mpt

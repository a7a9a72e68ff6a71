// A Merkle-Patricia trie kept node by node in a store, so that a batch of writes re-encodes and
// re-hashes only the nodes on the paths it touches. (state/trie.hpp computes a root from all
// entries at once; this one keeps the work proportional to the change, not to the trie.)
//
// Every node is stored under its nibble path from the root, the path a lookup walks to reach
// it. Nodes that their parent embeds (encoding under 32 bytes) are stored too, so the structure
// can always be walked by path without decoding embedded children. A branch or an extension is
// stored as its RLP encoding, which is exactly what its parent hashes; a branch's encoding holds
// the references of all its children, so updating one child never reads its siblings. A leaf is
// given to the store with its parts too (the rest of its key, its value, and extra bytes the
// caller attaches to the key, e.g. its preimage): a store may keep it in any form it can give
// back.
//
// The trie is kept canonical after every batch (no branch with a single child and no value, no
// extension pointing at a leaf or an extension), so its root equals the root state/trie.hpp
// computes from the same entries.
#pragma once

#include "common/types.hpp"

#include <map>
#include <memory>
#include <set>
#include <optional>
#include <span>
#include <vector>

namespace polyvm::mpt {

/// A path in the trie: one nibble (0..15) per element, the high nibble of each key byte first.
using NibblePath = std::span<const uint8_t>;

/// A node as a store gives it back. A store keeps branches and extensions as their encoding; it
/// may keep a leaf as its encoding too, or by its parts (a store that keeps a leaf's extra bytes,
/// or rebuilds the rest of its key from them, as the state database's account trie does).
struct StoredNode {
    /// The node's RLP encoding, lent by the store (not copied): valid until the store's next
    /// call, the trie decodes it at once. Empty for a leaf given by its parts.
    bytes_view encoded;
    /// A leaf given by its parts: the rest of its key (nibbles after the node's path) and its value.
    std::vector<uint8_t> rest;
    bytes value;
    /// A leaf's extra bytes (see TrieWrite), from either form; empty for other nodes.
    bytes extra;
};

/// Where one trie keeps its nodes, one node per path. A trie owns its store exclusively (for
/// several tries in one key-value store, prefix the keys per trie).
class TrieNodeStore {
public:
    virtual ~TrieNodeStore() = default;
    /// The node at `path`, or nullopt.
    virtual std::optional<StoredNode> load(NibblePath path) = 0;
    /// Stores a branch or an extension, given by its encoding, at `path` (replacing any node there).
    virtual void store_node(NibblePath path, bytes_view encoded_node) = 0;
    /// The same with an encoding the store may keep as it is instead of copying it.
    virtual void store_node(NibblePath path, bytes&& encoded_node) { store_node(path, bytes_view{encoded_node}); }
    /// Stores a leaf at `path` (replacing any node there): the rest of its key, its value, its
    /// extra bytes, and its encoding (for a store that keeps leaves encoded).
    virtual void store_leaf(NibblePath path, NibblePath rest, bytes_view value, bytes_view extra, bytes_view encoded_node) = 0;
    /// Removing an absent node is not an error.
    virtual void remove(NibblePath path) = 0;

    /// For update_trie on several threads: a store that another thread may use while this one
    /// is neither written nor read, which reads this store's nodes as they are now and its own
    /// writes, and keeps those writes apart until join(); nullptr (the default) keeps the update
    /// on one thread.
    virtual std::unique_ptr<TrieNodeStore> fork() { return nullptr; }
    /// Takes over the writes of a store that fork() made (no other fork wrote at its paths).
    virtual void join(TrieNodeStore& /*forked*/) {}
};

/// An in-memory node store (tests, tools): every node encoded, leaves' extra bytes beside.
class MemoryTrieNodeStore final : public TrieNodeStore {
public:
    MemoryTrieNodeStore() = default;
    /// `forkable`: fork() gives stores over this one (tests of parallel updates).
    explicit MemoryTrieNodeStore(bool forkable) : forkable_(forkable) {}

    std::optional<StoredNode> load(NibblePath path) override;
    void store_node(NibblePath path, bytes_view encoded_node) override { store(path, encoded_node); }
    void store_leaf(NibblePath path, NibblePath rest, bytes_view value, bytes_view extra, bytes_view encoded_node) override;
    void remove(NibblePath path) override;
    std::unique_ptr<TrieNodeStore> fork() override;
    void join(TrieNodeStore& forked) override;

    /// Puts `encoded_node` at `path` as it is (tests: a damaged store).
    void store(NibblePath path, bytes_view encoded_node);
    /// Every stored node by nibble path (one byte per nibble).
    const std::map<bytes, bytes>& nodes() const noexcept { return nodes_; }
    /// The extra bytes of the leaves that have some, by nibble path.
    const std::map<bytes, bytes>& extras() const noexcept { return extras_; }

private:
    std::map<bytes, bytes> nodes_;
    std::map<bytes, bytes> extras_;
    bool forkable_ = false;
    /// A fork's view of its parent, and what it removed (nullptr: not a fork).
    MemoryTrieNodeStore* parent_ = nullptr;
    std::set<bytes> removed_;
};

/// One write to a trie: an empty value deletes the key (a trie cannot hold an empty value).
/// `extra`: bytes the store keeps with the key's leaf that are no part of the trie (its hashes
/// ignore them), such as the preimage of a hashed key. They move with the leaf and are replaced
/// by the next write of the key. A key that ends at a branch (a key that is a prefix of another)
/// has no leaf and keeps no extra bytes: give them for tries of keys of one length only.
struct TrieWrite {
    bytes key;
    bytes value;
    bytes extra = {};
};

/// Applies `writes` (the last write of a key wins) to the trie in `store` and returns the new
/// root hash. Keys may have any length, including keys that are prefixes of others. Throws
/// polyvm::DatabaseError when the store holds a node that does not decode or is missing.
/// With `threads` > 1, a store that can fork() and a root branch, a batch of at least
/// `parallel_minimum` writes updates the subtrees below the root on up to that many threads (the
/// calling one included), each on a fork of the store, joined before the root is stored: the
/// same nodes, in less time.
inline constexpr size_t kParallelTrieUpdateMinimum = 256;  // below it, forking costs more than it saves
Hash32 update_trie(TrieNodeStore& store, std::span<const TrieWrite> writes, unsigned threads = 1,
                   size_t parallel_minimum = kParallelTrieUpdateMinimum);

/// The Merkle proof of `key` (EIP-1186's form, as state/trie.hpp's trie_proof gives it): the
/// encodings of the nodes on the key's path that their parent refers to by hash, and the root,
/// from the root down; for an absent key, those of its longest existing prefix. Throws
/// polyvm::DatabaseError when the store holds a node that does not decode.
std::vector<bytes> prove_key(TrieNodeStore& store, bytes_view key);

/// The root hash of the trie in `store` (kEmptyTrieRoot when it holds no node).
Hash32 stored_trie_root(TrieNodeStore& store);

/// Appends the key of a nibble path in an ordered byte-string store: two nibbles per byte (the
/// last one padded with 0 when the count is odd), then the nibble count, so [1] and [1, 0]
/// differ. The nodes of a subtree sort next to each other, which keeps one update's pages
/// together. Paths longer than 255 nibbles (keys over 127 bytes) throw DatabaseError.
void append_packed_path(bytes& out, NibblePath path);

}  // namespace polyvm::mpt

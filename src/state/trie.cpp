#include "state/trie.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"

#include <algorithm>

namespace polyvm {

namespace {

using Entry = std::pair<bytes, bytes>;

/// Nibble i of a key (high nibble first): the trie branches on 4-bit digits.
inline unsigned nibble(const bytes& key, size_t i) noexcept {
    const uint8_t b = key[i / 2];
    return (i % 2 == 0) ? (b >> 4) : (b & 0x0f);
}
inline size_t nibble_count(const bytes& key) noexcept { return key.size() * 2; }

/// Hex-prefix encoding (Yellow Paper, appendix C) of key[from, from + len): the first nibble
/// carries two flags, "odd length" (bit 0) and "leaf" (bit 1), so a path is self-describing.
bytes hex_prefix(const bytes& key, size_t from, size_t len, bool leaf) {
    bytes out;
    out.reserve(len / 2 + 1);
    const unsigned flag = leaf ? 2 : 0;
    size_t i = from;
    if (len % 2 == 1) {
        out.push_back(static_cast<uint8_t>(((flag + 1) << 4) | nibble(key, i)));
        ++i;
    } else {
        out.push_back(static_cast<uint8_t>(flag << 4));
    }
    for (; i < from + len; i += 2) out.push_back(static_cast<uint8_t>((nibble(key, i) << 4) | nibble(key, i + 1)));
    return out;
}

/// How a node is referenced from its parent: nodes whose encoding is shorter than 32 bytes are
/// embedded in place, larger ones by their keccak hash (Yellow Paper, appendix D, c(J, i)).
void add_reference(rlp::ListBuilder& parent, const bytes& child) {
    if (child.size() < 32)
        parent.add_raw(child);
    else
        parent.add(keccak256(child));
}

/// A Merkle proof being collected: the nodes on the path to `key`, deepest first.
struct ProofTarget {
    const bytes* key;
    std::vector<bytes>* nodes;
    /// Whether the node at `depth` over keys starting like `sample` lies on the path to the key.
    bool on_path(const bytes& sample, size_t depth) const {
        if (depth > nibble_count(*key)) return false;
        for (size_t i = 0; i < depth; ++i)
            if (nibble(sample, i) != nibble(*key, i)) return false;
        return true;
    }
};

bytes build(const std::vector<Entry>& entries, size_t lo, size_t hi, size_t depth, const ProofTarget* proof);

/// build() plus, for a proof, the node's encoding when it lies on the proven path.
bytes build_node(const std::vector<Entry>& entries, size_t lo, size_t hi, size_t depth, const ProofTarget* proof) {
    bytes node = build(entries, lo, hi, depth, proof);
    if (proof && proof->on_path(entries[lo].first, depth)) proof->nodes->push_back(node);
    return node;
}

/// Encodes the node covering entries[lo, hi) whose keys share their first `depth` nibbles.
/// Entries are sorted, unique and non-empty-valued; hi - lo >= 1.
bytes build(const std::vector<Entry>& entries, size_t lo, size_t hi, size_t depth, const ProofTarget* proof) {
    const bytes& first = entries[lo].first;
    if (hi - lo == 1) {
        // Leaf: the rest of the key and the value.
        return rlp::ListBuilder{}
            .add(hex_prefix(first, depth, nibble_count(first) - depth, true))
            .add(entries[lo].second)
            .finish();
    }
    // Sorted keys: the common prefix of the first and last key is common to all of them.
    const bytes& last = entries[hi - 1].first;
    const size_t limit = std::min(nibble_count(first), nibble_count(last));
    size_t common = depth;
    while (common < limit && nibble(first, common) == nibble(last, common)) ++common;
    if (common > depth) {
        // Extension: the shared path, then the branch where the keys diverge.
        rlp::ListBuilder ext;
        ext.add(hex_prefix(first, depth, common - depth, false));
        add_reference(ext, build_node(entries, lo, hi, common, proof));
        return ext.finish();
    }
    // Branch: 16 children by next nibble, then the value of the key that ends here (if any).
    // A key that ends at this depth sorts before all keys that continue past it.
    rlp::ListBuilder branch;
    size_t i = lo;
    const bytes* value_here = nullptr;
    if (nibble_count(first) == depth) {
        value_here = &entries[lo].second;
        ++i;
    }
    for (unsigned n = 0; n < 16; ++n) {
        size_t j = i;
        while (j < hi && nibble(entries[j].first, depth) == n) ++j;
        if (j == i)
            branch.add(bytes_view{});
        else
            add_reference(branch, build_node(entries, i, j, depth + 1, proof));
        i = j;
    }
    branch.add(value_here ? bytes_view{*value_here} : bytes_view{});
    return branch.finish();
}

Hash32 root_of_sorted(const std::vector<Entry>& entries) {
    if (entries.empty()) return kEmptyTrieRoot;
    // The root is always referenced by hash, even when its encoding is short.
    return keccak256(build(entries, 0, entries.size(), 0, nullptr));
}

}  // namespace

namespace {
std::vector<Entry> sorted_unique(std::vector<Entry> entries) {
    // Stable sort keeps insertion order among equal keys, so "last occurrence wins" is the last
    // element of each run.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.first < b.first; });
    std::vector<Entry> unique;
    unique.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        if (i + 1 < entries.size() && entries[i + 1].first == entries[i].first) continue;
        if (entries[i].second.empty()) continue;  // an empty value is a deletion
        unique.push_back(std::move(entries[i]));
    }
    return unique;
}
}  // namespace

Hash32 trie_root(std::vector<std::pair<bytes, bytes>> entries) { return root_of_sorted(sorted_unique(std::move(entries))); }

std::vector<bytes> trie_proof(std::vector<std::pair<bytes, bytes>> entries, const bytes& key) {
    const std::vector<Entry> unique = sorted_unique(std::move(entries));
    if (unique.empty()) return {rlp::encode(bytes_view{})};
    std::vector<bytes> nodes;
    const ProofTarget target{&key, &nodes};
    bytes root = build(unique, 0, unique.size(), 0, &target);
    // Embedded nodes (under 32 bytes) travel inside their parents; the root always counts.
    std::vector<bytes> proof{std::move(root)};
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it)
        if (it->size() >= 32) proof.push_back(std::move(*it));
    return proof;
}

Hash32 secure_trie_root(const std::vector<std::pair<bytes, bytes>>& entries) {
    std::vector<Entry> hashed;
    hashed.reserve(entries.size());
    for (const auto& [k, v] : entries) {
        const Hash32 h = keccak256(k);
        hashed.emplace_back(bytes(h.bytes.begin(), h.bytes.end()), v);
    }
    return trie_root(std::move(hashed));
}

Hash32 ordered_trie_root(const std::vector<bytes>& values) {
    // One value (a development chain's block of one transaction): the trie is a single leaf
    // whose key is rlp(0) = 0x80, hex-prefixed as an even leaf path: 0x20 0x80.
    if (values.size() == 1 && !values[0].empty()) {
        static constexpr uint8_t kPath[] = {0x20, 0x80};
        return keccak256(rlp::ListBuilder{}.add(bytes_view{kPath, 2}).add(values[0]).finish());
    }
    std::vector<Entry> entries;
    entries.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) entries.emplace_back(rlp::encode(uint64_t{i}), values[i]);
    return trie_root(std::move(entries));
}

void TrieBuilder::put(bytes key, bytes value) {
    if (value.empty())
        entries_.erase(key);
    else
        entries_.insert_or_assign(std::move(key), std::move(value));
}

Hash32 TrieBuilder::root() const {
    // std::map iterates in key order and holds no empty values: already in build() form.
    std::vector<Entry> entries(entries_.begin(), entries_.end());
    return root_of_sorted(entries);
}

}  // namespace polyvm

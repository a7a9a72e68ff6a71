#include "db/merkle_trie.hpp"

#include "common/rlp.hpp"
#include "common/worker_pool.hpp"
#include "crypto/keccak.hpp"
#include "state/database.hpp"
#include "state/trie.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace polyvm::mpt {

namespace {

using Nibbles = std::vector<uint8_t>;

/// How a parent refers to a child: the child's encoding when under 32 bytes, else the 33-byte
/// encoding of its hash; kept in place (a branch has 16 of them).
class Ref {
public:
    bool empty() const noexcept { return size_ == 0; }
    void clear() noexcept { size_ = 0; }
    void assign(bytes_view encoded) {
        if (encoded.size() > data_.size()) throw DatabaseError("trie child reference longer than 33 bytes");
        std::copy(encoded.begin(), encoded.end(), data_.begin());
        size_ = static_cast<uint8_t>(encoded.size());
    }
    operator bytes_view() const noexcept { return {data_.data(), size_}; }  // NOLINT

private:
    std::array<uint8_t, 33> data_;
    uint8_t size_ = 0;
};

/// A decoded node. Child references are kept as the RLP items the parent's encoding holds
/// (an embedded node's encoding, or the 33-byte encoding of a hash), so re-encoding a node
/// needs nothing but the node itself.
struct Node {
    enum class Kind : uint8_t { Leaf, Extension, Branch };
    Kind kind = Kind::Branch;
    Nibbles path;                    // Leaf: the key's remaining nibbles; Extension: the shared ones
    bytes value;                     // Leaf: the value; Branch: the value of a key ending here, or empty
    Ref child;                       // Extension: reference to the branch below
    std::array<Ref, 16> children;    // Branch: references by next nibble (empty: no child)
    bytes extra;                     // Leaf: the store's extra bytes (TrieWrite::extra)
};

/// One write, its key split into nibbles; an empty value deletes.
struct Op {
    Nibbles key;
    bytes_view value;
    bytes_view extra;
};
using Ops = std::span<const Op* const>;

[[noreturn]] void corrupt(NibblePath path, const std::string& what) {
    std::string hex;
    for (uint8_t n : path) hex.push_back("0123456789abcdef"[n & 0x0f]);
    throw DatabaseError("corrupt trie node at path [" + hex + "]: " + what);
}

Nibbles to_nibbles(bytes_view key) {
    Nibbles out(key.size() * 2);
    for (size_t i = 0; i < key.size(); ++i) {
        out[2 * i] = key[i] >> 4;
        out[2 * i + 1] = key[i] & 0x0f;
    }
    return out;
}

/// Hex-prefix encoding (Yellow Paper, appendix C): the first nibble carries "odd length" (1)
/// and "leaf" (2), so the path's length and the node's kind survive the packing into bytes.
/// Its first byte; the rest packs the remaining nibbles two to a byte.
uint8_t hex_prefix_first_byte(const Nibbles& path, bool leaf) noexcept {
    const unsigned flag = leaf ? 2 : 0;
    return path.size() % 2 == 1 ? static_cast<uint8_t>(((flag + 1) << 4) | path[0]) : static_cast<uint8_t>(flag << 4);
}

/// The hex-prefixed path's size as an RLP string. A path of 0 or 1 nibble packs into one byte
/// below 0x40, which is its own encoding.
size_t hex_prefix_encoded_size(const Nibbles& path) noexcept {
    const size_t length = path.size() / 2 + 1;
    return length == 1 ? 1 : rlp::header_size(length) + length;
}

void append_hex_prefix(bytes& out, const Nibbles& path, bool leaf) {
    const size_t length = path.size() / 2 + 1;
    const uint8_t first = hex_prefix_first_byte(path, leaf);
    if (length == 1) {
        out.push_back(first);
        return;
    }
    rlp::append_header(out, length, false);
    out.push_back(first);
    for (size_t i = path.size() % 2; i < path.size(); i += 2) out.push_back(static_cast<uint8_t>((path[i] << 4) | path[i + 1]));
}

/// A node's RLP encoding, sized first and written once into a buffer of that size (a block
/// encodes and hashes a few dozen nodes; most are branches of 16 references).
bytes encode(const Node& node) {
    bytes out;
    if (node.kind == Node::Kind::Branch) {
        size_t references = 0;
        for (const Ref& child : node.children) references += child.empty() ? 1 : bytes_view{child}.size();
        const size_t payload = references + rlp::encoded_size(bytes_view{node.value});
        out.reserve(rlp::list_size(payload));
        rlp::append_header(out, payload, true);
        const size_t at = out.size();
        out.resize(at + references);
        uint8_t* p = out.data() + at;
        for (const Ref& child : node.children) {
            const bytes_view reference = child;
            if (reference.empty()) {
                *p++ = 0x80;  // no child: the empty string
            } else {
                std::memcpy(p, reference.data(), reference.size());
                p += reference.size();
            }
        }
        rlp::append(out, bytes_view{node.value});
        return out;
    }
    const bool leaf = node.kind == Node::Kind::Leaf;
    const bytes_view second = leaf ? bytes_view{node.value} : bytes_view{node.child};
    const size_t payload = hex_prefix_encoded_size(node.path) + (leaf ? rlp::encoded_size(second) : second.size());
    out.reserve(rlp::list_size(payload));
    rlp::append_header(out, payload, true);
    append_hex_prefix(out, node.path, leaf);
    if (leaf)
        rlp::append(out, second);
    else
        out.insert(out.end(), second.begin(), second.end());  // the child's reference, already an item
    return out;
}

/// How a parent refers to a node (Yellow Paper, appendix D, c(J, i)): short encodings in place,
/// others by hash.
Ref reference(const bytes& encoded) {
    Ref out;
    if (encoded.size() < 32) {
        out.assign(encoded);
    } else {
        uint8_t hash_item[33] = {0xa0};
        const Hash32 hash = keccak256(encoded);
        std::copy(hash.bytes.begin(), hash.bytes.end(), hash_item + 1);
        out.assign(bytes_view{hash_item, 33});
    }
    return out;
}

/// A child reference as stored in a branch or an extension: an embedded node (a list) or a hash.
bool valid_reference(const rlp::Item& item) {
    return item.is_list ? item.encoded.size() < 32 : item.payload.size() == 32;
}

/// A branch read straight from its list's payload, for the forms every stored branch takes:
/// each child absent (0x80), a hash (0xa0 and 32 bytes) or an embedded node (a list under 32
/// bytes), then the value as a string ending the payload. nullopt for anything else, which the
/// general reader below then decodes or rejects: the item boundaries are the same either way.
std::optional<Node> decode_branch(bytes_view payload) {
    Node node;
    node.kind = Node::Kind::Branch;
    size_t at = 0, children = 0;
    for (size_t i = 0; i < 16; ++i) {
        if (at >= payload.size()) return std::nullopt;
        const uint8_t first = payload[at];
        size_t size;
        if (first == 0x80) {
            ++at;
            continue;
        }
        if (first == 0xa0)
            size = 33;
        else if (first >= 0xc0 && first <= 0xf7)
            size = 1 + (first - 0xc0u);
        else
            return std::nullopt;
        if (size >= 32 && first != 0xa0) return std::nullopt;  // an embedded node must be short
        if (payload.size() - at < size) return std::nullopt;
        node.children[i].assign(payload.subspan(at, size));
        at += size;
        ++children;
    }
    const auto value = rlp::decode_item(payload.subspan(at));
    if (!value || value->is_list) return std::nullopt;
    node.value.assign(value->payload.begin(), value->payload.end());
    if (children + (node.value.empty() ? 0 : 1) < 2) return std::nullopt;
    return node;
}

Node decode(NibblePath path, bytes_view encoded) {
    const auto top = rlp::decode_item(encoded);
    if (!top || !top->is_list) corrupt(path, "not an RLP list");
    if (auto branch = decode_branch(top->payload)) return std::move(*branch);
    std::array<rlp::Item, 17> items;  // read in place: no allocation per node
    size_t item_count = 0;
    for (rlp::ListReader reader(*top); !reader.empty(); ++item_count) {
        const auto item = reader.next();
        if (!item) corrupt(path, "bad RLP list");
        if (item_count == items.size()) corrupt(path, "a node has 2 or 17 items");
        items[item_count] = *item;
    }
    Node node;
    if (item_count == 17) {
        node.kind = Node::Kind::Branch;
        size_t children = 0;
        for (size_t i = 0; i < 16; ++i) {
            const rlp::Item& item = items[i];
            if (!item.is_list && item.payload.empty()) continue;
            if (!valid_reference(item)) corrupt(path, "bad child reference");
            node.children[i].assign(item.encoded);
            ++children;
        }
        const rlp::Item& value = items[16];
        if (value.is_list) corrupt(path, "branch value is a list");
        node.value.assign(value.payload.begin(), value.payload.end());
        if (children + (node.value.empty() ? 0 : 1) < 2) corrupt(path, "branch with fewer than two entries");
        return node;
    }
    if (item_count != 2) corrupt(path, "a node has 2 or 17 items");
    const rlp::Item& prefix = items[0];
    if (prefix.is_list || prefix.payload.empty()) corrupt(path, "bad hex-prefix path");
    const unsigned flags = prefix.payload[0] >> 4;
    if (flags > 3 || ((flags & 1) == 0 && (prefix.payload[0] & 0x0f) != 0)) corrupt(path, "bad hex-prefix flags");
    if (flags & 1) node.path.push_back(prefix.payload[0] & 0x0f);
    for (size_t i = 1; i < prefix.payload.size(); ++i) {
        node.path.push_back(prefix.payload[i] >> 4);
        node.path.push_back(prefix.payload[i] & 0x0f);
    }
    const rlp::Item& second = items[1];
    if (flags & 2) {
        node.kind = Node::Kind::Leaf;
        if (second.is_list || second.payload.empty()) corrupt(path, "bad leaf value");
        node.value.assign(second.payload.begin(), second.payload.end());
    } else {
        node.kind = Node::Kind::Extension;
        if (node.path.empty() || !valid_reference(second)) corrupt(path, "bad extension");
        node.child.assign(second.encoded);
    }
    return node;
}

/// Applies one sorted batch to the subtree at `path_`. Each step gets the node that is at the
/// current path (or nullopt) and the writes below it, and returns the node that is there
/// afterwards; the caller stores that node (or removes the path). Every node below the current
/// path is stored or removed before the step returns. A node that its parent absorbs while
/// staying canonical (a leaf or extension under a collapsing branch or an extension) changes
/// path: the parent removes it from its old one.
class Updater {
public:
    explicit Updater(TrieNodeStore& store) : store_(store) {}

    std::optional<Node> apply(std::optional<Node> existing, Ops ops) {
        if (ops.empty()) return existing;
        if (!existing) return build(ops);
        switch (existing->kind) {
        case Node::Kind::Leaf:
            return apply_to_leaf(std::move(*existing), ops);
        case Node::Kind::Extension:
            return apply_to_extension(std::move(*existing), ops);
        case Node::Kind::Branch:
            return apply_to_branch(std::move(*existing), ops);
        }
        return existing;
    }

    std::optional<Node> load_node() {
        std::optional<StoredNode> stored = store_.load(path_);
        if (!stored) return std::nullopt;
        if (!stored->encoded.empty()) {
            Node node = decode(path_, stored->encoded);
            if (node.kind == Node::Kind::Leaf) node.extra = std::move(stored->extra);
            return node;
        }
        Node leaf;
        leaf.kind = Node::Kind::Leaf;
        leaf.path = std::move(stored->rest);
        leaf.value = std::move(stored->value);
        leaf.extra = std::move(stored->extra);
        if (leaf.value.empty()) corrupt(path_, "leaf without a value");
        return leaf;
    }

    /// The current path's length, and a step down it (prove_key's walk).
    size_t depth() const noexcept { return path_.size(); }
    void descend(const Nibbles& nibbles) { path_.insert(path_.end(), nibbles.begin(), nibbles.end()); }

    Node load_existing_node() {
        auto node = load_node();
        if (!node) corrupt(path_, "missing node");
        return std::move(*node);
    }

    /// Stores `node` at the current path; returns how its parent refers to it.
    Ref save(const Node& node) {
        bytes encoded = encode(node);
        const Ref ref = reference(encoded);
        if (node.kind == Node::Kind::Leaf)
            store_.store_leaf(path_, node.path, node.value, node.extra, encoded);
        else
            store_.store_node(path_, std::move(encoded));  // the store keeps this buffer
        return ref;
    }

    /// Stores `node` at the current path; returns its encoding.
    bytes save_encoded(const Node& node) {
        bytes encoded = encode(node);
        if (node.kind == Node::Kind::Leaf)
            store_.store_leaf(path_, node.path, node.value, node.extra, encoded);
        else
            store_.store_node(path_, encoded);
        return encoded;
    }

    /// apply() for a branch at the root, the subtrees of its children updated on up to `threads`
    /// threads, each on a fork of the store (joined before the branch is made canonical, which
    /// may read a child). Falls back to one thread when the store cannot fork.
    std::optional<Node> apply_to_root_branch_in_parallel(Node branch, Ops ops, unsigned threads) {
        size_t i = 0;
        if (ops[0]->key.empty()) {  // sorted: only the first key can end at the root
            branch.value.assign(ops[0]->value.begin(), ops[0]->value.end());
            i = 1;
        }
        struct Part {
            uint8_t nibble = 0;
            Ops ops;
            std::optional<Ref> ref;  // the child's new reference; none with `removed`: it is gone
            bool removed = false;
        };
        std::vector<Part> parts;
        while (i < ops.size()) {
            const uint8_t nibble = ops[i]->key[0];
            size_t j = i + 1;
            while (j < ops.size() && ops[j]->key[0] == nibble) ++j;
            parts.push_back(Part{nibble, ops.subspan(i, j - i), std::nullopt, false});
            i = j;
        }
        const size_t workers = std::min<size_t>(threads, parts.size());
        if (workers < 2) return apply_to_branch(std::move(branch), ops);
        std::vector<std::unique_ptr<TrieNodeStore>> forks(workers);
        for (auto& fork : forks)
            if (!(fork = store_.fork())) return apply_to_branch(std::move(branch), ops);

        WorkerPool::shared().for_each_chunk(static_cast<unsigned>(workers - 1), parts.size(), 1, [&](unsigned worker, size_t p, size_t) {
            Part& part = parts[p];
            Updater sub(*forks[worker]);
            const bool had_child = !branch.children[part.nibble].empty();  // read only here
            sub.path_.assign(1, part.nibble);
            std::optional<Node> existing;
            if (had_child) existing = sub.load_existing_node();
            const std::optional<Node> child = sub.apply(std::move(existing), part.ops);
            if (child) {
                part.ref = sub.save(*child);
            } else if (had_child) {
                sub.store_.remove(sub.path_);
                part.removed = true;
            }
        });
        for (auto& fork : forks) store_.join(*fork);
        for (const Part& part : parts) {
            if (part.ref)
                branch.children[part.nibble] = *part.ref;
            else if (part.removed)
                branch.children[part.nibble].clear();
        }
        return canonical_branch(std::move(branch));
    }

private:
    /// A leaf holds one entry: merge it into the writes (which win for the same key) and build.
    std::optional<Node> apply_to_leaf(Node leaf, Ops ops) {
        Op entry;
        entry.key = path_;
        entry.key.insert(entry.key.end(), leaf.path.begin(), leaf.path.end());
        entry.value = leaf.value;
        entry.extra = leaf.extra;
        std::vector<const Op*> merged;
        merged.reserve(ops.size() + 1);
        bool placed = false;
        for (const Op* op : ops) {
            if (!placed && entry.key <= op->key) {
                if (entry.key < op->key) merged.push_back(&entry);
                placed = true;  // equal keys: the write replaces the entry
            }
            merged.push_back(op);
        }
        if (!placed) merged.push_back(&entry);
        return build(merged);
    }

    std::optional<Node> apply_to_extension(Node extension, Ops ops) {
        const size_t depth = path_.size();
        const Nibbles& shared = extension.path;
        const auto below = [&](const Op* op) {
            return op->key.size() >= depth + shared.size() &&
                   std::equal(shared.begin(), shared.end(), op->key.begin() + static_cast<ptrdiff_t>(depth));
        };
        // Sorted keys: the keys under a prefix form an interval, so the ends decide for all.
        if (!below(ops.front()) || !below(ops.back())) {
            // Some key leaves the shared path: continue as the equivalent branch, whose one child
            // is the rest of the extension (stored at its new path) or the branch below it.
            Node branch;
            branch.kind = Node::Kind::Branch;
            const uint8_t first = shared[0];
            if (shared.size() == 1) {
                branch.children[first] = std::move(extension.child);
            } else {
                Node rest;
                rest.kind = Node::Kind::Extension;
                rest.path.assign(shared.begin() + 1, shared.end());
                rest.child = std::move(extension.child);
                path_.push_back(first);
                branch.children[first] = save(rest);
                path_.pop_back();
            }
            return apply_to_branch(std::move(branch), ops);
        }
        path_.insert(path_.end(), shared.begin(), shared.end());
        std::optional<Node> child = apply(load_existing_node(), ops);
        std::optional<Node> result;
        if (!child) {
            store_.remove(path_);
        } else if (child->kind == Node::Kind::Branch) {
            extension.child = save(*child);
            result = std::move(extension);
        } else {
            // A leaf or an extension below an extension merges into it.
            store_.remove(path_);
            child->path.insert(child->path.begin(), shared.begin(), shared.end());
            result = std::move(child);
        }
        path_.resize(depth);
        return result;
    }

    std::optional<Node> apply_to_branch(Node branch, Ops ops) {
        const size_t depth = path_.size();
        size_t i = 0;
        if (ops[0]->key.size() == depth) {  // sorted: only the first key can end here
            branch.value.assign(ops[0]->value.begin(), ops[0]->value.end());
            i = 1;
        }
        while (i < ops.size()) {
            const uint8_t nibble = ops[i]->key[depth];
            size_t j = i + 1;
            while (j < ops.size() && ops[j]->key[depth] == nibble) ++j;
            path_.push_back(nibble);
            Ref& child_ref = branch.children[nibble];
            std::optional<Node> existing_child;
            if (!child_ref.empty()) existing_child = load_existing_node();
            std::optional<Node> child = apply(std::move(existing_child), ops.subspan(i, j - i));
            if (child) {
                child_ref = save(*child);
            } else if (!child_ref.empty()) {
                store_.remove(path_);
                child_ref.clear();
            }
            path_.pop_back();
            i = j;
        }
        return canonical_branch(std::move(branch));
    }

    /// A branch left with fewer than two entries becomes a leaf or an extension.
    std::optional<Node> canonical_branch(Node branch) {
        size_t count = 0;
        uint8_t only = 0;
        for (uint8_t n = 0; n < 16; ++n) {
            if (!branch.children[n].empty()) {
                ++count;
                only = n;
            }
        }
        if (count == 0) {
            if (branch.value.empty()) return std::nullopt;
            Node leaf;
            leaf.kind = Node::Kind::Leaf;
            leaf.value = std::move(branch.value);
            return leaf;
        }
        if (count > 1 || !branch.value.empty()) return branch;
        path_.push_back(only);
        Node child = load_existing_node();
        if (child.kind == Node::Kind::Branch) {
            path_.pop_back();
            Node extension;
            extension.kind = Node::Kind::Extension;
            extension.path = {only};
            extension.child = std::move(branch.children[only]);
            return extension;
        }
        store_.remove(path_);  // the leaf or extension moves up to this path
        path_.pop_back();
        child.path.insert(child.path.begin(), only);
        return child;
    }

    /// The subtree holding exactly the non-deleting writes (nothing is stored below yet).
    std::optional<Node> build(Ops ops) {
        std::vector<const Op*> entries;
        entries.reserve(ops.size());
        for (const Op* op : ops)
            if (!op->value.empty()) entries.push_back(op);
        return build_entries(entries);
    }

    std::optional<Node> build_entries(Ops entries) {
        if (entries.empty()) return std::nullopt;
        const size_t depth = path_.size();
        const Nibbles& first = entries.front()->key;
        if (entries.size() == 1) {
            Node leaf;
            leaf.kind = Node::Kind::Leaf;
            leaf.path.assign(first.begin() + static_cast<ptrdiff_t>(depth), first.end());
            leaf.value.assign(entries.front()->value.begin(), entries.front()->value.end());
            leaf.extra.assign(entries.front()->extra.begin(), entries.front()->extra.end());
            return leaf;
        }
        // Sorted keys: the prefix the first and last keys share is shared by all.
        const Nibbles& last = entries.back()->key;
        const size_t limit = std::min(first.size(), last.size());
        size_t common = depth;
        while (common < limit && first[common] == last[common]) ++common;
        if (common > depth) {
            Node extension;
            extension.kind = Node::Kind::Extension;
            extension.path.assign(first.begin() + static_cast<ptrdiff_t>(depth), first.begin() + static_cast<ptrdiff_t>(common));
            path_.insert(path_.end(), extension.path.begin(), extension.path.end());
            extension.child = save(*build_entries(entries));  // keys diverge here: a branch
            path_.resize(depth);
            return extension;
        }
        Node branch;
        branch.kind = Node::Kind::Branch;
        size_t i = 0;
        if (first.size() == depth) {
            branch.value.assign(entries.front()->value.begin(), entries.front()->value.end());
            i = 1;
        }
        while (i < entries.size()) {
            const uint8_t nibble = entries[i]->key[depth];
            size_t j = i + 1;
            while (j < entries.size() && entries[j]->key[depth] == nibble) ++j;
            path_.push_back(nibble);
            branch.children[nibble] = save(*build_entries(entries.subspan(i, j - i)));
            path_.pop_back();
            i = j;
        }
        return branch;
    }

    TrieNodeStore& store_;
    Nibbles path_;
};

}  // namespace

std::optional<StoredNode> MemoryTrieNodeStore::load(NibblePath path) {
    const bytes key(path.begin(), path.end());
    const auto it = nodes_.find(key);
    if (it == nodes_.end()) {
        // A fork reads its parent where it has not written.
        if (!parent_ || removed_.count(key)) return std::nullopt;
        return parent_->load(path);
    }
    StoredNode out;
    out.encoded = it->second;
    if (const auto extra = extras_.find(key); extra != extras_.end()) out.extra = extra->second;
    return out;
}

void MemoryTrieNodeStore::store_leaf(NibblePath path, NibblePath, bytes_view, bytes_view extra, bytes_view encoded_node) {
    store(path, encoded_node);
    if (!extra.empty()) extras_.insert_or_assign(bytes(path.begin(), path.end()), bytes(extra.begin(), extra.end()));
}

void MemoryTrieNodeStore::store(NibblePath path, bytes_view encoded_node) {
    const bytes key(path.begin(), path.end());
    nodes_.insert_or_assign(key, bytes(encoded_node.begin(), encoded_node.end()));
    extras_.erase(key);
    removed_.erase(key);
}

void MemoryTrieNodeStore::remove(NibblePath path) {
    const bytes key(path.begin(), path.end());
    nodes_.erase(key);
    extras_.erase(key);
    if (parent_) removed_.insert(key);
}

std::unique_ptr<TrieNodeStore> MemoryTrieNodeStore::fork() {
    if (!forkable_) return nullptr;
    auto forked = std::make_unique<MemoryTrieNodeStore>();
    forked->parent_ = this;
    return forked;
}

void MemoryTrieNodeStore::join(TrieNodeStore& forked) {
    auto& from = dynamic_cast<MemoryTrieNodeStore&>(forked);
    if (from.parent_ != this) throw std::logic_error("MemoryTrieNodeStore::join: not a fork of this store");
    for (const bytes& key : from.removed_) {
        nodes_.erase(key);
        extras_.erase(key);
    }
    for (auto& [key, node] : from.nodes_) {
        nodes_.insert_or_assign(key, std::move(node));
        extras_.erase(key);
    }
    for (auto& [key, extra] : from.extras_) extras_.insert_or_assign(key, std::move(extra));
    from.nodes_.clear();
    from.extras_.clear();
    from.removed_.clear();
}

Hash32 update_trie(TrieNodeStore& store, std::span<const TrieWrite> writes, unsigned threads, size_t parallel_minimum) {
    if (writes.empty()) return stored_trie_root(store);
    const bool parallel = threads > 1 && writes.size() >= std::max<size_t>(parallel_minimum, 2);
    std::vector<Op> ops(writes.size());
    std::vector<const Op*> sorted(ops.size());
    // Stable: among equal keys the last write stays last, and only it is kept.
    const auto by_key = [](const Op* a, const Op* b) { return a->key < b->key; };
    const auto prepare = [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) {
            ops[i].key = to_nibbles(writes[i].key);
            ops[i].value = writes[i].value;
            ops[i].extra = writes[i].extra;
            sorted[i] = &ops[i];
        }
        std::stable_sort(sorted.begin() + static_cast<ptrdiff_t>(first), sorted.begin() + static_cast<ptrdiff_t>(last), by_key);
    };
    if (!parallel) {
        prepare(0, ops.size());
    } else {
        // A large update (a block's accounts, a token's slots) converts and sorts its writes in
        // one run per thread, then merges the sorted runs pairwise: merging keeps the earlier
        // run's writes first among equal keys, so the result is the one stable sort's.
        const size_t runs = threads;
        const auto run_start = [&](size_t run) { return ops.size() * run / runs; };
        WorkerPool::shared().for_each_chunk(threads - 1, runs, 1, [&](unsigned, size_t run, size_t) {
            prepare(run_start(run), run_start(run + 1));
        });
        for (size_t width = 1; width < runs; width *= 2)
            for (size_t run = 0; run + width < runs; run += 2 * width)
                std::inplace_merge(sorted.begin() + static_cast<ptrdiff_t>(run_start(run)),
                                   sorted.begin() + static_cast<ptrdiff_t>(run_start(run + width)),
                                   sorted.begin() + static_cast<ptrdiff_t>(run_start(std::min(runs, run + 2 * width))), by_key);
    }
    std::vector<const Op*> unique;
    unique.reserve(sorted.size());
    for (size_t i = 0; i < sorted.size(); ++i)
        if (i + 1 == sorted.size() || sorted[i + 1]->key != sorted[i]->key) unique.push_back(sorted[i]);

    Updater updater(store);
    std::optional<Node> existing = updater.load_node();
    std::optional<Node> root;
    if (parallel && unique.size() >= std::max<size_t>(parallel_minimum, 2) && existing && existing->kind == Node::Kind::Branch)
        root = updater.apply_to_root_branch_in_parallel(std::move(*existing), unique, threads);
    else
        root = updater.apply(std::move(existing), unique);
    if (!root) {
        store.remove({});
        return kEmptyTrieRoot;
    }
    return keccak256(updater.save_encoded(*root));  // the root is referenced by hash even when short
}

std::vector<bytes> prove_key(TrieNodeStore& store, bytes_view key) {
    const Nibbles nibbles = to_nibbles(key);
    Updater reader(store);
    std::vector<bytes> proof;
    for (;;) {
        std::optional<Node> node = reader.load_node();
        if (!node) return proof;
        const bytes encoded = encode(*node);
        // Embedded nodes (under 32 bytes) are inside their parent's encoding already.
        if (reader.depth() == 0 || encoded.size() >= 32) proof.push_back(encoded);
        const size_t depth = reader.depth();
        switch (node->kind) {
        case Node::Kind::Leaf:
            return proof;
        case Node::Kind::Extension: {
            const Nibbles& shared = node->path;
            if (nibbles.size() < depth + shared.size() ||
                !std::equal(shared.begin(), shared.end(), nibbles.begin() + static_cast<ptrdiff_t>(depth)))
                return proof;
            reader.descend(shared);
            break;
        }
        case Node::Kind::Branch: {
            if (depth == nibbles.size() || node->children[nibbles[depth]].empty()) return proof;
            reader.descend(Nibbles{nibbles[depth]});
            break;
        }
        }
    }
}

Hash32 stored_trie_root(TrieNodeStore& store) {
    Updater updater(store);
    const std::optional<Node> root = updater.load_node();
    return root ? keccak256(encode(*root)) : kEmptyTrieRoot;
}

void append_packed_path(bytes& out, NibblePath path) {
    if (path.size() > 255) throw DatabaseError("trie path longer than 255 nibbles");
    for (size_t i = 0; i < path.size(); i += 2)
        out.push_back(static_cast<uint8_t>((path[i] << 4) | (i + 1 < path.size() ? path[i + 1] : 0)));
    out.push_back(static_cast<uint8_t>(path.size()));
}

}  // namespace polyvm::mpt

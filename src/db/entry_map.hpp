// A hash map from byte-string keys to optional byte-string values (a value, or nullopt for a
// deleted key), for the write-back deltas of the LMDB backend, which hold up to a million
// entries and are looked up on every trie node and slot a block touches.
//
// Why not std::unordered_map: its lookup is four dependent loads (bucket, the node before,
// the node, the key's heap block), each a cache miss in a table of that size; here it is one
// for an absent key (a flat array of slots holding each entry's hash) and two for a present
// one (the entry holds its key inline). Entries never move, so views of their keys stay valid
// until they are erased; growing moves slots only, and reads no entry.
#pragma once

#include "common/types.hpp"

#include <cstring>
#include <new>
#include <optional>
#include <utility>
#include <vector>

namespace polyvm {

/// `Hash` maps a bytes_view to a 64-bit hash whose low bits are well mixed (slots are chosen
/// by masking).
template <typename Hash>
class EntryMap {
public:
    class Entry {
    public:
        std::optional<bytes> value;
        bytes_view key() const noexcept { return {reinterpret_cast<const uint8_t*>(this + 1), key_size_}; }

    private:
        friend class EntryMap;
        Entry(uint64_t hash, uint32_t key_size) noexcept : hash_(hash), key_size_(key_size) {}
        uint64_t hash_;
        uint32_t key_size_;
    };

    EntryMap() = default;
    ~EntryMap() { destroy_all(); }
    EntryMap(EntryMap&& other) noexcept : slots_(std::move(other.slots_)), size_(std::exchange(other.size_, 0)) {
        other.slots_.clear();
    }
    EntryMap& operator=(EntryMap&& other) noexcept {
        if (this != &other) {
            destroy_all();
            slots_ = std::move(other.slots_);
            size_ = std::exchange(other.size_, 0);
            other.slots_.clear();
        }
        return *this;
    }
    EntryMap(const EntryMap&) = delete;
    EntryMap& operator=(const EntryMap&) = delete;

    size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    Entry* find(bytes_view key) const noexcept { return find(key, static_cast<uint64_t>(Hash{}(key))); }

    /// The entry of `key`, added without a value when absent; `second`: whether it was added.
    std::pair<Entry*, bool> try_emplace(bytes_view key) {
        const uint64_t hash = static_cast<uint64_t>(Hash{}(key));
        if (Entry* found = find(key, hash)) return {found, false};
        reserve_one();
        Entry* entry = make_entry(hash, key);
        place(Slot{hash, entry});
        ++size_;
        return {entry, true};
    }

    /// Removes and frees `entry` (which must be in this map).
    void erase(Entry* entry) noexcept {
        const size_t mask = slots_.size() - 1;
        size_t hole = entry->hash_ & mask;
        while (slots_[hole].entry != entry) hole = (hole + 1) & mask;
        // Backward-shift deletion (linear probing without tombstones): pull back each later
        // slot of the run whose home lies outside (hole, its position].
        for (size_t next = (hole + 1) & mask; slots_[next].entry; next = (next + 1) & mask) {
            const size_t home = slots_[next].hash & mask;
            const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (stays) continue;
            slots_[hole] = slots_[next];
            hole = next;
        }
        slots_[hole] = Slot{};
        --size_;
        free_entry(entry);
    }

    /// Moves every entry of `from` into this map, `from` ending empty. For a key present in both,
    /// `replace(entry here, value from there)` is called and the other entry freed; an entry that
    /// moves over as it is (no copy of its key or value) is passed to `added`.
    template <typename Replace, typename Added>
    void absorb(EntryMap&& from, Replace&& replace, Added&& added) {
        for (Slot& slot : from.slots_) {
            if (!slot.entry) continue;
            Entry* moving = std::exchange(slot.entry, nullptr);
            --from.size_;
            if (Entry* existing = find(moving->key(), slot.hash)) {
                replace(*existing, std::move(moving->value));
                free_entry(moving);
                continue;
            }
            reserve_one();
            place(Slot{slot.hash, moving});
            ++size_;
            added(*moving);
        }
        from.slots_.clear();
    }

    /// Calls `visit(entry)` for every entry, in no particular order.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for (const Slot& slot : slots_)
            if (slot.entry) visit(static_cast<const Entry&>(*slot.entry));
    }
    /// The same, where `visit` may move an entry's value out.
    template <typename Visit>
    void for_each(Visit&& visit) {
        for (Slot& slot : slots_)
            if (slot.entry) visit(*slot.entry);
    }

private:
    struct Slot {
        uint64_t hash = 0;
        Entry* entry = nullptr;  // nullptr: free
    };
    static constexpr size_t kMinimumSlots = 16;

    Entry* find(bytes_view key, uint64_t hash) const noexcept {
        if (slots_.empty()) return nullptr;
        const size_t mask = slots_.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            const Slot& slot = slots_[i];
            if (!slot.entry) return nullptr;
            if (slot.hash == hash && slot.entry->key_size_ == key.size() &&
                (key.empty() || std::memcmp(slot.entry + 1, key.data(), key.size()) == 0))
                return slot.entry;
        }
    }

    /// Keeps at most half the slots used: short probe runs, and a miss usually ends at once.
    void reserve_one() {
        if ((size_ + 1) * 2 <= slots_.size()) return;
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(std::max(kMinimumSlots, old.size() * 2), Slot{});
        for (const Slot& slot : old)
            if (slot.entry) place(slot);
    }

    void place(const Slot& slot) noexcept {
        const size_t mask = slots_.size() - 1;
        size_t i = slot.hash & mask;
        while (slots_[i].entry) i = (i + 1) & mask;
        slots_[i] = slot;
    }

    static Entry* make_entry(uint64_t hash, bytes_view key) {
        void* raw = ::operator new(sizeof(Entry) + key.size());
        Entry* entry = new (raw) Entry(hash, static_cast<uint32_t>(key.size()));
        if (!key.empty()) std::memcpy(reinterpret_cast<uint8_t*>(entry + 1), key.data(), key.size());  // the bytes after the entry
        return entry;
    }
    static void free_entry(Entry* entry) noexcept {
#if defined(__cpp_sized_deallocation)
        const size_t bytes_allocated = sizeof(Entry) + entry->key_size_;
        entry->~Entry();
        ::operator delete(static_cast<void*>(entry), bytes_allocated);  // jemalloc skips a size lookup
#else
        entry->~Entry();  // Clang before 16 has no sized deallocation by default
        ::operator delete(static_cast<void*>(entry));
#endif
    }
    void destroy_all() noexcept {
        for (Slot& slot : slots_)
            if (slot.entry) free_entry(std::exchange(slot.entry, nullptr));
        size_ = 0;
    }

    std::vector<Slot> slots_;  // a power of two in size, or empty
    size_t size_ = 0;
};

}  // namespace polyvm

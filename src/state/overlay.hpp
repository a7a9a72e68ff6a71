// Change sets layered over a StateReader: the development node's state before a block is mined
// (anvil_setBalance and friends change the world between blocks) and the state at an older block
// (the head's state with the reverse change sets of the blocks above it applied).
#pragma once

#include "state/database.hpp"

#include <map>
#include <unordered_map>

namespace polyvm {

/// `first` then `second` as one change set (same rules as applying both in order).
ChangeSet merge_change_sets(const ChangeSet& first, const ChangeSet& second);

/// A StateReader that sees `base` with change sets applied on top, in memory.
class OverlayReader final : public StateReader {
public:
    explicit OverlayReader(StateReader& base) : base_(base) {}

    /// Applies `changes` after the ones already applied.
    void apply(const ChangeSet& changes);
    bool empty() const noexcept { return accounts_.empty() && codes_.empty(); }

    /// What the overlay says about an account's storage: whether base's storage is gone and
    /// the slots written (zero values included). Empty and false when the overlay has no entry.
    struct StorageChanges {
        bool wiped = false;
        std::map<uint256, uint256> slots;
    };
    StorageChanges storage_changes(const Address& address) const;
    /// Addresses the overlay changes (deleted ones included).
    std::vector<Address> addresses() const;

    std::optional<AccountInfo> read_account(const Address& address) override;
    uint256 read_storage(const Address& address, const uint256& key) override;
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override;
    std::optional<Hash32> read_block_hash(uint64_t number) override { return base_.read_block_hash(number); }

private:
    struct Entry {
        std::optional<AccountInfo> account;  // nullopt: deleted
        bool storage_wiped = false;          // nothing of base's storage shows through
        std::map<uint256, uint256> storage;
    };
    StateReader& base_;
    std::unordered_map<Address, Entry> accounts_;
    std::unordered_map<Hash32, std::shared_ptr<const bytes>> codes_;
};

}  // namespace polyvm

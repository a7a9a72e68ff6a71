// The in-memory StateDatabase: ordered maps, the state root recomputed from scratch on request.
// It serves state tests, t8n and `polyvm run`, and is the reference the LMDB backend is checked
// against (same change sets in, same roots, dumps and reverse change sets out).
#pragma once

#include "state/database.hpp"

#include <map>
#include <string>
#include <unordered_map>

namespace polyvm {

class MemoryDatabase final : public StateDatabase {
public:
    /// Loading a genesis or pre-state (not journaled, no reverse change set).
    void put_account(const Address& address, const AccountInfo& info, bytes_view code = {},
                     const std::vector<std::pair<uint256, uint256>>& storage = {});
    /// BLOCKHASH answers for tools that have no chain (state tests, t8n, `polyvm run`).
    void set_block_hash(uint64_t number, const Hash32& hash);

    std::optional<AccountInfo> read_account(const Address& address) override;
    uint256 read_storage(const Address& address, const uint256& key) override;
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override;
    std::optional<Hash32> read_block_hash(uint64_t number) override;

    ChangeSet commit(const ChangeSet& changes, std::span<const RecordWrite> records = {}) override;
    std::optional<bytes> read_record(std::string_view table, bytes_view key) override;
    Hash32 state_root() override;
    std::vector<DumpedAccount> dump() override;

    size_t account_count() const noexcept { return accounts_.size(); }

private:
    struct StoredAccount {
        AccountInfo info;
        std::map<uint256, uint256> storage;  // non-zero slots only
    };
    std::map<Address, StoredAccount> accounts_;
    std::unordered_map<Hash32, std::shared_ptr<const bytes>> codes_;
    std::map<std::string, std::map<bytes, bytes>, std::less<>> records_;
};

/// Storage root of an account's non-zero slots (secure trie of rlp(value) by keccak(key)).
Hash32 storage_root(const std::vector<std::pair<uint256, uint256>>& slots);
/// RLP [nonce, balance, storage root, code hash]: the value of an account in the state trie.
bytes encode_account(const AccountInfo& info, const Hash32& storage_root);

}  // namespace polyvm

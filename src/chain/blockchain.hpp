// A chain over a StateDatabase: the genesis, a tree of imported blocks, a head that is a choice
// (the last accepted block by default, or one the caller names, as a consensus client's
// forkchoice does), and reorgs that unwind the database to the common ancestor with the reverse
// change set kept per block and replay the other branch with its forward change sets.
//
// Every accepted block commits in one database commit: its state changes with its header, body,
// receipts, change sets, canonical hash and the new head. A crash leaves the database at a
// committed block, never in between.
#pragma once

#include "chain/block.hpp"
#include "chain/block_executor.hpp"
#include "chain/chain_config.hpp"
#include "state/database.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace polyvm {

/// Record tables of the chain (besides kCanonicalHashTable).
namespace chain_tables {
inline constexpr std::string_view kHeaders = "header";        // hash -> rlp(header)
inline constexpr std::string_view kBodies = "block";          // hash -> rlp(block)
inline constexpr std::string_view kReceipts = "receipts";     // hash -> rlp([receipt...])
inline constexpr std::string_view kUndo = "undo";             // hash -> reverse change set
inline constexpr std::string_view kRedo = "redo";             // hash -> forward change set
inline constexpr std::string_view kTransactionIndex = "tx";   // tx hash -> block hash ‖ 8-byte index
inline constexpr std::string_view kMeta = "meta";             // "head" -> hash, "config" -> network
}  // namespace chain_tables

/// The alloc of a genesis: accounts with code and storage.
struct GenesisAccount {
    Address address;
    AccountInfo info;
    bytes code;
    std::vector<std::pair<uint256, uint256>> storage;
};

class Blockchain {
public:
    /// Opens the chain stored in `db`; call initialize() once on an empty database.
    Blockchain(StateDatabase& db, ChainConfig config);

    /// Writes the genesis state and block. Fails (and writes nothing) when the alloc's root differs
    /// from the header's state root.
    /// `extra_records` are committed with it (a tool's own metadata, e.g. the genesis file).
    std::optional<BlockError> initialize(const BlockHeader& genesis, const std::vector<GenesisAccount>& alloc,
                                         std::vector<RecordWrite> extra_records = {});
    bool initialized();

    /// Validates, executes and stores the block; on success it becomes the head. An invalid
    /// block leaves no trace (and the head where it was).
    BlockResult<Hash32> import_block(bytes_view encoded);
    BlockResult<Hash32> import_block(Block block, size_t encoded_size);

    /// Moves the head to a stored block, unwinding and replaying the database as needed.
    std::optional<BlockError> set_head(const Hash32& hash);

    /// The records a block commits with its state changes (header, body, receipts, forward change
    /// set, canonical hash, head, transaction index); the reverse change set is added by the commit.
    /// `transaction_hashes` and `encoded_changes` (encode_change_set(changes)): when the caller
    /// has them (else computed).
    static std::vector<RecordWrite> block_records(const Block& block, const Hash32& hash, const std::vector<Receipt>& receipts,
                                                  const ChangeSet& changes, std::span<const Hash32> transaction_hashes = {},
                                                  const bytes* encoded_changes = nullptr);

    Hash32 head_hash();
    BlockHeader head_header();
    std::optional<BlockHeader> header(const Hash32& hash);
    /// How blocks execute (the parallel executor's threads, ...); the result never depends on it.
    void set_execution_options(const BlockExecutionOptions& options) { execution_options_ = options; }
    StateDatabase& database() noexcept { return db_; }
    const ChainConfig& config() const noexcept { return config_; }
    /// A development chain's new chain id (anvil_setChainId): blocks from now on execute and
    /// validate transactions with it; those before keep theirs.
    void set_chain_id(const uint256& chain_id) noexcept { config_.chain_id = chain_id; }

private:
    std::optional<BlockError> unwind_one();
    std::optional<BlockError> replay_one(const Hash32& hash);

    StateDatabase& db_;
    ChainConfig config_;
    BlockExecutionOptions execution_options_;
};

}  // namespace polyvm

// The development chain behind `polyvm node`: a Blockchain over LMDB (or memory) that mines its
// own blocks, plus what a development node may do between blocks (anvil_setBalance and friends,
// time travel, snapshots). Not thread-safe: the node serialises writers and readers (node.hpp).
#pragma once

#include "chain/block_builder.hpp"
#include "chain/blockchain.hpp"
#include "state/overlay.hpp"

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace polyvm::node {

/// A genesis: configuration, header (state root computed) and alloc.
struct DevGenesis {
    ChainConfig config;
    BlockHeader header;
    std::vector<GenesisAccount> alloc;
};

/// A mined block as the RPC methods show it: senders recovered, per-transaction figures derived.
struct BlockView {
    Block block;
    Hash32 hash;
    size_t encoded_size = 0;
    std::vector<Receipt> receipts;
    std::vector<Hash32> transaction_hashes;
    std::vector<uint64_t> gas_used;                        // per transaction
    std::vector<std::optional<Address>> contract_addresses;  // creations
    std::vector<uint32_t> first_log_index;                 // block-wide index of each receipt's first log
};
using BlockPtr = std::shared_ptr<const BlockView>;

/// A transaction the node sent for an impersonated sender: it carries no signature (r = s = 0,
/// which no signature has). Such a sender may even have code (EIP-3607 is not applied to it).
inline bool is_impersonated(const Transaction& tx) noexcept { return tx.r.is_zero() && tx.s.is_zero(); }

struct StorageOptions {
    bool in_memory = false;  // nothing kept: a private LMDB in a temporary folder, removed on close
    std::filesystem::path data_dir = ".polyvm/dev";
    bool durable = false;  // flush every block (default: flush on a timer and at shutdown)
};

/// The state as of one block, readable through StateReader (the head's includes the changes made
/// since it was mined, as Anvil's `latest` does).
class StateView final : public StateReader {
public:
    StateView(StateReader& base) : overlay_(base) {}  // NOLINT
    OverlayReader& overlay() noexcept { return overlay_; }
    std::optional<AccountInfo> read_account(const Address& a) override { return overlay_.read_account(a); }
    uint256 read_storage(const Address& a, const uint256& k) override { return overlay_.read_storage(a, k); }
    std::shared_ptr<const bytes> read_code(const Hash32& h) override { return overlay_.read_code(h); }
    std::optional<Hash32> read_block_hash(uint64_t n) override;
    uint64_t number = 0;  // BLOCKHASH sees only the ancestors of this block

private:
    OverlayReader overlay_;
};

class DevChain {
public:
    /// Opens the chain in storage, or creates it from `genesis` (then `created()` is true).
    /// A stored chain of another chain id is refused with a message naming both.
    DevChain(const StorageOptions& storage, const DevGenesis& genesis);
    ~DevChain();
    DevChain(const DevChain&) = delete;
    DevChain& operator=(const DevChain&) = delete;

    bool created() const noexcept { return created_; }
    const ChainConfig& config() const noexcept { return chain_->config(); }
    const BlockHeader& head() const noexcept { return head_; }
    const Hash32& head_hash() const noexcept { return head_hash_; }
    /// The head's number, readable without the node's lock (eth_blockNumber, the hottest method).
    uint64_t head_number_now() const noexcept { return head_number_.load(std::memory_order_acquire); }
    Revision revision() const noexcept { return config().revision_at(head_.timestamp); }

    BlockPtr block_by_number(uint64_t number);
    BlockPtr block_by_hash(const Hash32& hash);
    /// The block holding a transaction and its index, or nullopt.
    std::optional<std::pair<BlockPtr, size_t>> find_transaction(const Hash32& tx_hash);

    /// The state after block `number` (the head: with the changes made since).
    std::unique_ptr<StateView> state_at(uint64_t number);
    /// The state a mined block started from: its parent's, with the changes made between them
    /// (anvil_set*), which were committed with it. Not for the genesis.
    std::unique_ptr<StateView> state_before(const BlockView& block);

    // ---- mining ----
    struct NextBlock {
        std::optional<uint64_t> timestamp;  // exact; otherwise from the clock (and offset)
    };
    /// Mines a block with `transactions` (signed, senders set; invalid ones are left out and
    /// reported in `rejected`) on the head. Throws DatabaseError when the database cannot take it.
    BlockResult<MinedBlock> mine(std::vector<Transaction> transactions, NextBlock next = {},
                                 std::function<Tracer*(size_t, const Transaction&)> tracer_for = {});
    /// Automine: each transaction in a block of its own, in order, as mine() one by one would
    /// make them; each block's execution runs beside its parent's commit (on a pool thread) when
    /// nothing set for the next block alone asks for the chain as it is (changes since the head,
    /// a chosen timestamp, base fee or PREVRANDAO). Stops after a block that left its
    /// transaction out. `on_mined` runs on the calling thread for each block, in order, once it
    /// is the head; `mined_count` counts them (also when this throws: the transaction at that
    /// index failed, the ones after it were not mined).
    void mine_each(std::vector<Transaction> transactions, const std::function<void(const MinedBlock&)>& on_mined,
                   size_t& mined_count);
    /// The block mine() would make now with `transactions`, not committed (the `pending`
    /// block): its view (hash: of its header, state root included) and the changes its
    /// transactions make over state_at(head).
    struct PreviewedNext {
        BlockPtr view;
        ChangeSet changes;
    };
    PreviewedNext preview_next(std::vector<Transaction> transactions);
    /// Bumped whenever the changes made since the head (anvil_set*) change: with the head's hash,
    /// what a cached `pending` block depends on besides the pool.
    uint64_t pending_changes_generation() const noexcept { return pending_generation_; }
    /// The header values the next block will get (what eth_call and pending see).
    BlockInfo next_block_info();
    uint64_t next_timestamp() const;
    /// A block's timestamp after `parent` by the clock (and offset, or the fixed interval).
    uint64_t timestamp_after(const BlockHeader& parent) const;
    uint256 next_base_fee() const;

    // ---- changes between blocks (anvil_set*) ----
    void modify(const ChangeSet& changes);
    /// One storage slot set on top of the head's state (anvil_setStorageAt, anvil_dealERC20).
    void set_storage(const Address& address, const uint256& slot, const uint256& value);
    const ChangeSet& pending_changes() const noexcept { return pending_; }

    // ---- time and block parameters ----
    int64_t time_offset = 0;                       // evm_increaseTime
    std::optional<uint64_t> next_timestamp_override;  // evm_setNextBlockTimestamp
    std::optional<uint64_t> block_timestamp_interval; // anvil_setBlockTimestampInterval: parent + this
    std::optional<Hash32> next_prev_randao_override;  // hardhat_setPrevRandao (the next block only)
    /// evm_setTime / anvil_setTime: the clock reads `timestamp` now (time_offset follows).
    /// Returns the new offset in seconds.
    int64_t set_time(uint64_t timestamp);
    /// Blocks from now on use `chain_id`; the data dir records it, so a restart needs it as
    /// --chain-id.
    void set_chain_id(uint64_t chain_id);
    std::optional<uint256> next_base_fee_override;    // anvil_setNextBlockBaseFeePerGas
    uint64_t gas_limit = 30'000'000;               // evm_setBlockGasLimit
    Address coinbase;                              // anvil_setCoinbase
    unsigned execution_threads = 1;                // --threads: blocks of many transactions run in parallel
    /// mine_each: a block's execution beside its parent's commit. A development node turns it on
    /// from four threads (see DevNode): on two cores the commit's thread competes with the
    /// request threads, and the bursts measured slower.
    bool pipelined_mining = false;
    /// What mine_each did: blocks executed beside their parent's commit, and those of them
    /// executed again because a transaction read the parent's hash.
    struct MiningStatistics {
        uint64_t pipelined = 0;
        uint64_t executed_again = 0;
    };
    const MiningStatistics& mining_statistics() const noexcept { return mining_statistics_; }

    // ---- snapshots (evm_snapshot / evm_revert) ----
    uint64_t snapshot();
    /// Returns false for an unknown id. Reverting drops that snapshot and every later one.
    bool revert(uint64_t id);

    /// anvil_reset: the head back to the genesis, every snapshot and change since dropped.
    void reset_to_genesis();
    /// anvil_rollback / anvil_reorg: the head back `depth` blocks, to its ancestor, and the
    /// changes made since the head (anvil_set*) dropped, as the ancestor's state has none of them.
    /// The blocks above stay stored, off the chain (a snapshot taken on them can still go back
    /// there). Throws std::invalid_argument when the chain is not `depth` blocks long.
    void rewind(uint64_t depth);
    /// rewind's check alone: std::invalid_argument when the chain is not `depth` blocks long.
    void check_rewind_depth(uint64_t depth) const;

    /// Group commit of the blocks mined in between (LmdbDatabase::begin_group): they become
    /// durable together when the group ends. When end_group() throws, the group's blocks are
    /// gone and the chain is back where it was at begin_group().
    void begin_group();
    void end_group();
    /// Makes the chain durable now (shutdown, the flush timer).
    void flush();
    StateDatabase& database() noexcept { return *db_; }

private:
    BlockPtr load_block(const Hash32& hash);
    /// `transaction_hashes` and `encoded_size`: when the miner has them (else computed).
    BlockPtr make_view(Block block, const Hash32& hash, std::vector<Receipt> receipts,
                       std::vector<Hash32> transaction_hashes = {}, std::optional<size_t> encoded_size = {});
    void set_head_cached();
    /// The head is a block just mined: its header, hash and view.
    void set_mined_head(const MinedBlock& mined);
    /// A block after `parent` as the clock and the chain's settings make it (next_block_template
    /// adds what is set for the next block alone).
    BlockTemplate template_after(const BlockHeader& parent, const Hash32& parent_hash,
                                 std::vector<Transaction> transactions) const;
    MiningOptions mining_options_after(const BlockHeader& parent) const;
    /// Whether mine_each may execute a block beside its parent's commit.
    bool can_pipeline(const std::vector<Transaction>& transactions) const;
    void persist_pending();
    /// After a dropped group: the head, the pending changes and the block cache from the database.
    void reload();
    /// The changes made since the head was mined (anvil_set*), as the database keeps them.
    void load_pending();

    MiningStatistics mining_statistics_;
    std::unique_ptr<StateDatabase> db_;
    std::unique_ptr<Blockchain> chain_;
    bool created_ = false;
    std::filesystem::path temporary_dir_;  // --in-memory
    bool lmdb_ = false;
    BlockHeader head_;
    Hash32 head_hash_;
    std::atomic<uint64_t> head_number_{0};
    ChangeSet pending_;
    uint64_t pending_generation_ = 0;
    /// The template and options mine() and preview_next() build the next block with. `state`
    /// keeps the reader the options point to.
    std::pair<BlockTemplate, MiningOptions> next_block_template(std::vector<Transaction> transactions, NextBlock next,
                                                               std::unique_ptr<StateView>& state);
    /// pending_ over the database, built once per change (every read of `latest` goes through it).
    std::unique_ptr<OverlayReader> pending_overlay_;
    void rebuild_pending_overlay();
    /// Blocks as the RPC methods show them. Readers fill it under the node's shared lock, so it
    /// has a lock of its own.
    std::mutex cache_mutex_;
    /// Block views made or loaded, by hash; emptied when it reaches kMaxCachedBlocks (views load
    /// again from the database), so that a long chain does not live in memory twice.
    std::unordered_map<Hash32, BlockPtr> by_hash_;
    static constexpr size_t kMaxCachedBlocks = 4096;

    struct Snapshot {
        Hash32 head;
        ChangeSet pending;
        int64_t time_offset;
        std::optional<uint64_t> next_timestamp_override;
        uint64_t gas_limit;
        Address coinbase;
    };
    std::map<uint64_t, Snapshot> snapshots_;
    uint64_t next_snapshot_id_ = 1;
};

/// A block as the RPC methods show it (senders recovered where missing, per-transaction figures
/// derived from the receipts). `transaction_hashes` and `encoded_size`: when known (else computed).
BlockPtr make_block_view(Block block, const Hash32& hash, std::vector<Receipt> receipts, Revision revision,
                         std::vector<Hash32> transaction_hashes = {}, std::optional<size_t> encoded_size = {});

/// The node's default genesis: the funded accounts, the EIP-4788/2935/7002/7251 system contracts,
/// every header field of `fork` (Osaka by default).
DevGenesis default_dev_genesis(const ChainConfig& config, const std::vector<Address>& funded, const uint256& balance,
                               uint64_t gas_limit, const uint256& base_fee, uint64_t timestamp);

/// A genesis file without the EIP-4788/2935/7002/7251 system contracts gets them (a development
/// chain of Cancun or later cannot mine without them), and its header's state root follows.
void add_missing_system_contracts(DevGenesis& genesis);

/// Builds the genesis header for an alloc (state root computed in memory).
BlockHeader genesis_header_for(const ChainConfig& config, const std::vector<GenesisAccount>& alloc, uint64_t gas_limit,
                               const uint256& base_fee, uint64_t timestamp);

}  // namespace polyvm::node

// `polyvm node`: a local development chain behind Ethereum JSON-RPC (HTTP and WebSocket on one
// port), as Anvil and Hardhat's node are. The methods live in methods_*.cpp; this class holds
// what they share: the chain, the unlocked accounts, the mempool, filters and subscriptions.
//
// Concurrency: requests arrive on several server threads. Reads take `chain_mutex_` shared,
// anything that changes the chain (mining, anvil_set*, snapshots) takes it exclusively. Automined
// transactions go to one miner thread, which admits and mines whatever arrived meanwhile in one
// pass (a block per transaction, one group commit per pass) while the server threads go on
// serving; their senders are answered when the pass is durable.
#pragma once

#include "common/large_stack_thread.hpp"
#include "node/dev_chain.hpp"
#include "node/mempool.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/params.hpp"
#include "rpc/server.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <thread>

namespace polyvm::node {

/// From this many threads (--threads) on, automine executes each block beside its parent's
/// commit (DevChain::mine_each); with fewer, the commit's thread shares the request threads'
/// cores, and bursts of transactions measured slower (docs/performance.md).
inline constexpr unsigned kPipelinedMiningThreads = 4;

struct NodeOptions {
    rpc::ServerOptions server;
    StorageOptions storage;
    uint64_t chain_id = 31337;
    Revision fork = Revision::Osaka;
    uint64_t gas_limit = 30'000'000;
    uint256 base_fee = 1'000'000'000;         // of the genesis block; EIP-1559 from there
    uint256 balance = uint256{10'000} * uint256{1'000'000'000'000'000'000ull};  // wei per account
    size_t accounts = 10;
    std::string mnemonic = "test test test test test test test test test test test junk";
    std::optional<DevGenesis> genesis;        // --genesis (replaces the default accounts' funding)
    std::optional<double> block_time;         // interval mining (seconds); automine otherwise
    bool quiet = false;
    bool wasm_contracts = true;               // --no-wasm turns WebAssembly (Stylus) contracts off
    /// Threads of the parallel executor for blocks of many transactions (interval mining,
    /// evm_mine with automine off); 1: sequential. Blocks of few transactions run sequentially.
    /// `polyvm node` gives the machine's cores (its --threads); 1 here for embedders and tests.
    unsigned execution_threads = 1;
    std::optional<std::string> load_state;    // a file written by anvil_dumpState / --dump-state
    std::optional<std::string> dump_state;    // written on shutdown
};

struct DevAccount {
    Address address;
    Hash32 secret_key;
};

class DevNode final : public rpc::RequestHandler {
public:
    explicit DevNode(NodeOptions options);
    ~DevNode() override;

    /// Starts the server; returns the bound port.
    uint16_t start();
    /// Stops mining and the server, flushes the database, writes --dump-state.
    void stop();

    std::string handle(std::string_view body, const rpc::CallContext& context) override;
    void handle_async(std::string_view body, const rpc::CallContext& context, std::function<void(std::string)> reply) override;
    void on_close(uint64_t connection_id) override;

    const std::vector<DevAccount>& accounts() const noexcept { return accounts_; }
    const NodeOptions& options() const noexcept { return options_; }
    DevChain& chain() noexcept { return *chain_; }
    /// The line printed at start-up about the chain (created or continued).
    std::string chain_status_line();

    // ---- shared by the method files ----
    std::shared_mutex chain_mutex_;
    /// Resolves a block parameter to a number on the current chain (throws for unknown blocks
    /// only when `must_exist`; returns nullopt for a missing one otherwise).
    std::optional<uint64_t> resolve_block(const rpc::BlockSelector& selector, bool must_exist = true);

    /// The `pending` block (geth's and Anvil's): what mining now would make of the pool's ready
    /// transactions on the head, and the changes it makes over the head's state. Built when
    /// asked and kept until the head, the pool, the changes since the head or the next block's
    /// values change. The caller holds chain_mutex_ (shared is enough).
    struct PendingBlock {
        BlockPtr view;
        ChangeSet changes;
    };
    std::shared_ptr<const PendingBlock> pending_block();
    /// Where the methods take a block number, this one stands for the pending block.
    static constexpr uint64_t kPendingBlockNumber = UINT64_MAX;
    /// chain().state_at(number), or for kPendingBlockNumber the head's state with the pending
    /// block's changes on top.
    std::unique_ptr<StateView> state_at(uint64_t number);
    /// resolve_block, except that `pending` gives kPendingBlockNumber.
    uint64_t resolve_state_block(const rpc::BlockSelector& selector);
    /// Adds a signed transaction to the pool and, when automining, mines it; then `done` gets its
    /// hash, or the RpcError with geth's message that refused it. Automining, the transaction
    /// goes to the miner thread, which admits every transaction that arrived meanwhile, mines
    /// each ready one in a block of its own, makes those blocks durable together (one group
    /// commit) and then answers them all: `done` runs on the miner thread. Otherwise it runs
    /// before this returns.
    using SubmitDone = std::function<void(std::exception_ptr error, Hash32 hash)>;
    void submit_transaction_async(Transaction tx, SubmitDone done);
    /// Each sender's next nonce as the head's state has it (0 for an absent account): what the
    /// pool's ready and pending rules count from. Holds the head's state; takes no lock.
    std::function<uint64_t(const Address&)> head_nonces();
    /// The nonces of `sender`'s transactions waiting for the miner (not yet in the pool).
    std::vector<uint64_t> incoming_nonces(const Address& sender);
    /// Mines `count` blocks (anvil_mine / evm_mine), with the pool's ready transactions. The
    /// methods refuse more than kMaxBlocksPerMineCall in one request.
    static constexpr uint64_t kMaxBlocksPerMineCall = 100'000;
    void mine_blocks(uint64_t count, std::optional<uint64_t> timestamp, uint64_t interval);
    /// anvil_rollback and anvil_reorg: the head back `depth` blocks (DevChain::rewind), then one
    /// block per entry of `blocks`, each with exactly those transactions (one a block leaves out
    /// is dropped and logged, as the miner does), the new blocks durable together. Log and block
    /// filters that had reported the blocks taken off report their replacements. Refused (an
    /// RpcError, nothing changed) when the head is no longer `expected_head`, where given: the
    /// caller prepared the transactions against it. Takes the chain lock.
    void rewind_and_mine(uint64_t depth, std::vector<std::vector<Transaction>> blocks,
                         const std::optional<Hash32>& expected_head = std::nullopt);
    /// The secret key of an unlocked account, or nullopt.
    std::optional<Hash32> secret_key_of(const Address& address) const;
    bool can_send_from(const Address& address);  // takes the chain lock shared
    /// can_send_from for a caller holding the chain lock (shared or unique).
    bool can_send_from_locked(const Address& address) const;
    /// Refuses (an RpcError with geth's message) a transaction that is invalid on its own, as the
    /// pool checks it before looking at the state: fields, intrinsic gas, chain id, for the next
    /// block's fork. Caller holds the chain lock.
    void check_transaction_alone_locked(const Transaction& tx) const;

    std::atomic<bool> logging;  // request and block lines (off with --quiet; anvil_setLoggingEnabled)
    std::atomic<bool> automine{true};
    std::atomic<uint64_t> interval_ms{0};
    /// The chain id methods answer with (--chain-id, then anvil_setChainId; the chain's config
    /// holds the same, read under chain_mutex_).
    std::atomic<uint64_t> chain_id;
    uint256 min_gas_price;                     // anvil_setMinGasPrice (legacy transactions)
    std::set<Address> impersonated;
    bool auto_impersonate = false;
    Mempool mempool;
    void log_line(const std::string& line);

    // Filters (eth_newFilter & co.) and WebSocket subscriptions.
    struct Filter {
        enum class Kind { Logs, Blocks, PendingTransactions } kind;
        explicit Filter(Kind k) : kind(k) {}
        rpc::json criteria;           // Logs
        uint64_t first_block = 0;     // Logs, Blocks: the first block it reports (the head + 1 when installed)
        uint64_t next_block = 0;      // polled: first block not yet reported
        std::vector<Hash32> pending;  // PendingTransactions: hashes since the last poll
        std::vector<rpc::json> removed_logs;  // polled Logs: reported logs of blocks taken off since
        uint64_t connection = 0;      // subscriptions: the WebSocket connection
        std::shared_ptr<rpc::Connection> push_to;  // subscriptions only
    };
    std::mutex filters_mutex_;

private:
    struct PendingKey {
        Hash32 head;
        uint64_t pool = 0, changes = 0, timestamp = 0, gas_limit = 0;
        uint256 base_fee;
        Address coinbase;
        friend bool operator==(const PendingKey&, const PendingKey&) = default;
    };
    std::mutex pending_mutex_;  // readers build it under the shared chain lock
    PendingKey pending_key_;
    std::shared_ptr<const PendingBlock> pending_;

public:
    std::map<std::string, Filter> filters_;
    std::string new_filter_id();
    /// After a block is mined: notifications to subscriptions.
    void notify_block(const BlockPtr& block);
    /// After the head moved back from `old_head` (anvil_rollback, anvil_reorg, evm_revert,
    /// anvil_reset), what filters had reported of the blocks taken off is taken back, as geth does
    /// on a reorg: logs subscriptions get those blocks' logs again with `removed: true` at once,
    /// polled logs filters at their next poll (before the new chain's logs), oldest block first;
    /// logs and block filters then go on from the block after the new head. At most
    /// kMaxBlocksPerMineCall blocks are looked at. Caller holds the chain lock (unique).
    void head_moved_back_locked(const Hash32& old_head);
    void notify_pending(const Hash32& hash);

private:
    void register_methods();
    void interval_loop();
    /// Mines one block with all the pool's ready transactions (interval mining, evm_mine). Caller holds the write lock.
    BlockPtr mine_locked(std::optional<uint64_t> timestamp);
    BlockPtr mine_transactions_locked(std::vector<Transaction> transactions, std::optional<uint64_t> timestamp);
    /// A block just mined: its log lines, and its subscribers notified (at once, or when the
    /// group it belongs to is durable). Returns its view.
    BlockPtr announce_mined_locked(const MinedBlock& mined);
    std::vector<Mempool::Entry> take_ready_locked(size_t max_transactions);
    /// Automine: each ready transaction of the pool in a block of its own. Caller holds the write lock.
    void automine_locked();
    /// Runs `mine` (calls of mine_locked) in one group commit; the first failure is rethrown
    /// after the blocks mined before it are made durable. Caller holds the write lock.
    void mine_grouped(const std::function<void()>& mine);
    bool grouping_ = false;                 // inside mine_grouped (under the chain's unique lock)
    std::vector<BlockPtr> mined_in_group_;  // the group's blocks, notified once it is durable
    /// Checks a transaction against the head's state and adds it to the pool (geth's pool rules;
    /// throws RpcError). Caller holds the write lock.
    void admit_locked(Transaction tx, const Hash32& hash);
    void miner_loop();
    void load_state_file(const std::string& path);

    NodeOptions options_;
    std::vector<DevAccount> accounts_;
    std::unique_ptr<DevChain> chain_;
    rpc::Dispatcher dispatcher_;
    std::unique_ptr<rpc::Server> server_;
    // Both mine blocks (interval mining, automine): threads with the execution stack budget.
    std::optional<LargeStackThread> interval_thread_;
    // Transactions for the miner thread (automine), in arrival order.
    struct Submission {
        Transaction tx;
        Hash32 hash;
        SubmitDone done;
    };
    /// One pass of the miner over `batch` (the fallback runs it over one transaction): admit
    /// each, mine (automine) in one group, then call each `done`. Takes the write lock.
    void run_pass(std::vector<Submission>& batch);
    std::mutex incoming_mutex_;
    std::condition_variable incoming_cv_;
    std::vector<Submission> incoming_;
    bool miner_running_ = false;   // guarded by incoming_mutex_, like miner_stopping_
    bool miner_stopping_ = false;
    std::optional<LargeStackThread> miner_thread_;
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    std::mutex log_mutex_;
    std::atomic<uint64_t> filter_counter_{1};
    friend void register_eth_methods(DevNode&, rpc::Dispatcher&);
    friend void register_dev_methods(DevNode&, rpc::Dispatcher&);
};

void register_eth_methods(DevNode& node, rpc::Dispatcher& dispatcher);
void register_dev_methods(DevNode& node, rpc::Dispatcher& dispatcher);
void register_debug_methods(DevNode& node, rpc::Dispatcher& dispatcher);
void register_filter_methods(DevNode& node, rpc::Dispatcher& dispatcher);
void register_proof_methods(DevNode& node, rpc::Dispatcher& dispatcher);
void register_txpool_methods(DevNode& node, rpc::Dispatcher& dispatcher);
void register_otterscan_methods(DevNode& node, rpc::Dispatcher& dispatcher);

/// The next block's timestamp etc. as a BlockInfo for calls on `pending`/`latest`.
BlockInfo call_block_info(DevNode& node, uint64_t number);

}  // namespace polyvm::node

#include "node/dev_chain.hpp"

#include "chain/header_validation.hpp"
#include "common/hex.hpp"
#include "common/worker_pool.hpp"
#include "crypto/keccak.hpp"
#include "db/lmdb_database.hpp"
#include "exec/execution_host.hpp"
#include "exec/system_contracts.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace polyvm::node {
namespace {
constexpr std::string_view kPendingKey = "node_pending_changes";
/// block hash -> the changes made between its parent and it (anvil_set*), committed with it.
constexpr std::string_view kPrestateTable = "node_block_prestate";
constexpr std::string_view kChainIdKey = "node_chain_id";

bytes as_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }
bytes as_bytes(const Hash32& h) { return bytes(h.bytes.begin(), h.bytes.end()); }

uint64_t now_seconds() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

std::optional<Hash32> StateView::read_block_hash(uint64_t n) {
    if (n >= number) return std::nullopt;
    return overlay_.read_block_hash(n);
}

namespace {
/// The system contracts every chain from Cancun (EIP-4788) and Prague (EIP-2935/7002/7251) needs.
std::vector<GenesisAccount> system_contract_accounts() {
    const std::pair<const Address*, std::string_view> contracts[] = {
        {&kBeaconRootsAddress, kBeaconRootsCode},
        {&kHistoryStorageAddress, kHistoryStorageCode},
        {&kWithdrawalRequestAddress, kWithdrawalRequestCode},
        {&kConsolidationRequestAddress, kConsolidationRequestCode},
    };
    std::vector<GenesisAccount> out;
    for (const auto& [address, code_hex] : contracts) {
        GenesisAccount account;
        account.address = *address;
        account.code = from_hex(code_hex).value();
        account.info.nonce = 1;
        account.info.code_hash = keccak256(account.code);
        out.push_back(std::move(account));
    }
    return out;
}

Hash32 alloc_root(const std::vector<GenesisAccount>& alloc) {
    MemoryDatabase memory;
    for (const GenesisAccount& a : alloc) memory.put_account(a.address, a.info, a.code, a.storage);
    return memory.state_root();
}
}  // namespace

void add_missing_system_contracts(DevGenesis& genesis) {
    bool added = false;
    for (GenesisAccount& contract : system_contract_accounts()) {
        const bool present = std::any_of(genesis.alloc.begin(), genesis.alloc.end(),
                                         [&](const GenesisAccount& a) { return a.address == contract.address; });
        if (present) continue;
        genesis.alloc.push_back(std::move(contract));
        added = true;
    }
    if (added) genesis.header.state_root = alloc_root(genesis.alloc);
}

BlockHeader genesis_header_for(const ChainConfig& config, const std::vector<GenesisAccount>& alloc, uint64_t gas_limit,
                               const uint256& base_fee, uint64_t timestamp) {
    BlockHeader h;
    h.ommers_hash = kEmptyOmmersHash;
    h.state_root = alloc_root(alloc);
    h.transactions_root = kEmptyTrieRoot;
    h.receipts_root = kEmptyTrieRoot;
    h.gas_limit = gas_limit;
    h.timestamp = timestamp;
    const Revision rev = config.revision_at(timestamp);
    if (rev >= Revision::London) h.base_fee_per_gas = base_fee;
    if (rev >= Revision::Shanghai) h.withdrawals_root = kEmptyTrieRoot;
    if (rev >= Revision::Cancun) {
        h.blob_gas_used = 0;
        h.excess_blob_gas = 0;
        h.parent_beacon_block_root = Hash32{};
    }
    if (rev >= Revision::Prague) h.requests_hash = requests_hash({});
    return h;
}

DevGenesis default_dev_genesis(const ChainConfig& config, const std::vector<Address>& funded, const uint256& balance,
                               uint64_t gas_limit, const uint256& base_fee, uint64_t timestamp) {
    DevGenesis g;
    g.config = config;
    for (const Address& a : funded) {
        GenesisAccount account;
        account.address = a;
        account.info.balance = balance;
        g.alloc.push_back(std::move(account));
    }
    // The system contracts, so that blocks of Cancun and later run their system calls as on
    // mainnet (EIP-7002/7251 blocks are invalid without them).
    for (GenesisAccount& contract : system_contract_accounts()) g.alloc.push_back(std::move(contract));
    g.header = genesis_header_for(config, g.alloc, gas_limit, base_fee, timestamp);
    return g;
}

DevChain::DevChain(const StorageOptions& storage, const DevGenesis& genesis) {
    if (storage.in_memory) {
        // Nothing is kept, but the chain still wants the incremental trie of the LMDB backend
        // (MemoryDatabase rebuilds the whole root at every commit): a private database in a
        // temporary folder (in /dev/shm when there is one), removed when the chain closes.
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        std::string pattern = (base / "polyvm-node-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder in " + base.string());
        temporary_dir_ = pattern;
        LmdbOptions options;
        options.defer_flush = true;
        options.journal = false;  // a crash loses the chain anyway: the folder is temporary
        db_ = std::make_unique<LmdbDatabase>(temporary_dir_, options);
        lmdb_ = false;  // never flushed: it is thrown away
    } else {
        LmdbOptions options;
        options.sync_every_commit = storage.durable;
        options.defer_flush = !storage.durable;
        // Write-back (the default): blocks are kept in memory above the tables and made durable
        // by their journal entries, so that the miner's group commits cost one small write per
        // group (LmdbDatabase::begin_group).
        db_ = std::make_unique<LmdbDatabase>(storage.data_dir, options);
        lmdb_ = true;
    }
    chain_ = std::make_unique<Blockchain>(*db_, genesis.config);
    const std::string chain_id = genesis.config.chain_id.to_hex();
    if (!chain_->initialized()) {
        std::vector<RecordWrite> extra = {
            RecordWrite{std::string(chain_tables::kMeta), as_bytes(kChainIdKey), as_bytes(chain_id)}};
        if (auto e = chain_->initialize(genesis.header, genesis.alloc, std::move(extra)))
            throw std::runtime_error("cannot write the genesis: " + e->to_string());
        created_ = true;
    } else {
        const auto stored = db_->read_record(chain_tables::kMeta, as_bytes(kChainIdKey));
        const std::string stored_id = stored ? std::string(stored->begin(), stored->end()) : "unknown";
        if (stored_id != chain_id)
            throw std::runtime_error("the data dir holds a chain with chain id " + stored_id + ", not " + chain_id +
                                     " (use another --data-dir or the same --chain-id)");
        load_pending();
    }
    set_head_cached();
    gas_limit = head_.gas_limit;
}

DevChain::~DevChain() {
    try {
        flush();
    } catch (...) {
    }
    chain_.reset();
    db_.reset();
    if (!temporary_dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(temporary_dir_, ignored);
    }
}

void DevChain::set_head_cached() {
    head_hash_ = chain_->head_hash();
    head_ = *chain_->header(head_hash_);
    head_number_.store(head_.number, std::memory_order_release);
}

void DevChain::begin_group() { static_cast<LmdbDatabase&>(*db_).begin_group(); }

void DevChain::end_group() {
    try {
        static_cast<LmdbDatabase&>(*db_).end_group();
    } catch (...) {
        reload();
        throw;
    }
}

void DevChain::reload() {
    {
        std::lock_guard lock(cache_mutex_);
        by_hash_.clear();
    }
    load_pending();
    set_head_cached();
}

void DevChain::load_pending() {
    pending_ = {};
    if (const auto pending = db_->read_record(chain_tables::kMeta, as_bytes(kPendingKey)))
        if (auto decoded = decode_change_set(*pending)) pending_ = std::move(*decoded);
    rebuild_pending_overlay();
}

void DevChain::flush() {
    if (lmdb_) static_cast<LmdbDatabase&>(*db_).sync_to_disk();
}

BlockPtr make_block_view(Block block, const Hash32& hash, std::vector<Receipt> receipts, Revision rev,
                         std::vector<Hash32> transaction_hashes, std::optional<size_t> encoded_size) {
    auto view = std::make_shared<BlockView>();
    view->encoded_size = encoded_size ? *encoded_size : encode_block(block).size();
    const bool hashes_given = transaction_hashes.size() == block.transactions.size();
    if (hashes_given) view->transaction_hashes = std::move(transaction_hashes);
    uint64_t previous_cumulative = 0;
    uint32_t log_index = 0;
    for (size_t i = 0; i < block.transactions.size(); ++i) {
        Transaction& tx = block.transactions[i];
        if (tx.sender.is_zero()) recover_sender(tx, rev);
        if (!hashes_given) view->transaction_hashes.push_back(transaction_hash(tx));
        const uint64_t cumulative = i < receipts.size() ? receipts[i].cumulative_gas_used : previous_cumulative;
        view->gas_used.push_back(cumulative - previous_cumulative);
        previous_cumulative = cumulative;
        view->contract_addresses.push_back(tx.to ? std::nullopt
                                                 : std::optional<Address>(create_address(tx.sender, tx.nonce)));
        view->first_log_index.push_back(log_index);
        if (i < receipts.size()) log_index += static_cast<uint32_t>(receipts[i].logs.size());
    }
    view->block = std::move(block);
    view->hash = hash;
    view->receipts = std::move(receipts);
    return view;
}

BlockPtr DevChain::make_view(Block block, const Hash32& hash, std::vector<Receipt> receipts,
                             std::vector<Hash32> transaction_hashes, std::optional<size_t> encoded_size) {
    const Revision rev = config().revision_at(block.header.timestamp);
    BlockPtr view = make_block_view(std::move(block), hash, std::move(receipts), rev, std::move(transaction_hashes),
                                    encoded_size);
    std::lock_guard lock(cache_mutex_);
    if (by_hash_.size() >= kMaxCachedBlocks) by_hash_.clear();
    by_hash_[hash] = view;
    return view;
}

BlockPtr DevChain::load_block(const Hash32& hash) {
    {
        std::lock_guard lock(cache_mutex_);
        if (const auto it = by_hash_.find(hash); it != by_hash_.end()) return it->second;
    }
    const auto body = db_->read_record(chain_tables::kBodies, as_bytes(hash));
    if (!body) {
        // The genesis is stored as a header only.
        const auto header = chain_->header(hash);
        if (!header) return nullptr;
        Block block;
        block.header = *header;
        if (config().revision_at(header->timestamp) >= Revision::Shanghai) block.withdrawals.emplace();
        return make_view(std::move(block), hash, {});
    }
    auto block = decode_block(*body);
    if (!std::holds_alternative<Block>(block)) return nullptr;
    std::vector<Receipt> receipts;
    if (const auto stored = db_->read_record(chain_tables::kReceipts, as_bytes(hash)))
        if (auto decoded = decode_receipts(*stored)) receipts = std::move(*decoded);
    return make_view(std::move(std::get<Block>(block)), hash, std::move(receipts));
}

BlockPtr DevChain::block_by_hash(const Hash32& hash) { return load_block(hash); }

BlockPtr DevChain::block_by_number(uint64_t number) {
    if (number > head_.number) return nullptr;
    const auto hash = db_->read_block_hash(number);
    if (!hash) return nullptr;
    return load_block(*hash);
}

std::optional<std::pair<BlockPtr, size_t>> DevChain::find_transaction(const Hash32& tx_hash) {
    const auto location = db_->read_record(chain_tables::kTransactionIndex, as_bytes(tx_hash));
    if (!location || location->size() != 40) return std::nullopt;
    const Hash32 block_hash = Hash32::from(bytes_view(location->data(), 32));
    uint64_t index = 0;
    for (size_t i = 32; i < 40; ++i) index = (index << 8) | (*location)[i];
    // The index keeps entries of blocks that a revert took off the chain: only canonical ones count.
    BlockPtr block = load_block(block_hash);
    if (!block || block->block.header.number > head_.number) return std::nullopt;
    const auto canonical = db_->read_block_hash(block->block.header.number);
    if (!canonical || *canonical != block_hash || index >= block->block.transactions.size()) return std::nullopt;
    return std::make_pair(block, static_cast<size_t>(index));
}

void DevChain::rebuild_pending_overlay() {
    ++pending_generation_;
    if (pending_.empty()) {
        pending_overlay_.reset();
        return;
    }
    pending_overlay_ = std::make_unique<OverlayReader>(*db_);
    pending_overlay_->apply(pending_);
}

std::unique_ptr<StateView> DevChain::state_before(const BlockView& block) {
    auto view = state_at(block.block.header.number - 1);
    view->number = block.block.header.number;
    if (const auto changes = db_->read_record(kPrestateTable, as_bytes(block.hash)))
        if (auto decoded = decode_change_set(*changes)) view->overlay().apply(*decoded);
    return view;
}

std::unique_ptr<StateView> DevChain::state_at(uint64_t number) {
    if (number >= head_.number) {
        // The head's state: the database with the changes made since, which are applied once
        // (in rebuild_pending_overlay), not per read.
        auto view = std::make_unique<StateView>(pending_overlay_ ? static_cast<StateReader&>(*pending_overlay_)
                                                                 : static_cast<StateReader&>(*db_));
        view->number = head_.number + 1;
        return view;
    }
    auto view = std::make_unique<StateView>(*db_);
    view->number = number + 1;
    // The head's state with the reverse change sets of the blocks above `number` applied, newest first.
    for (uint64_t n = head_.number; n > number; --n) {
        const auto hash = db_->read_block_hash(n);
        if (!hash) throw std::runtime_error("no canonical block " + std::to_string(n));
        const auto undo = db_->read_record(chain_tables::kUndo, as_bytes(*hash));
        if (!undo) throw std::runtime_error("no reverse change set for block " + std::to_string(n));
        auto reverse = decode_change_set(*undo);
        if (!reverse) throw std::runtime_error("damaged reverse change set for block " + std::to_string(n));
        view->overlay().apply(*reverse);
    }
    return view;
}

uint64_t DevChain::next_timestamp() const {
    if (next_timestamp_override) return *next_timestamp_override;
    return timestamp_after(head_);
}

uint64_t DevChain::timestamp_after(const BlockHeader& parent) const {
    if (block_timestamp_interval) return parent.timestamp + *block_timestamp_interval;
    const int64_t clock = static_cast<int64_t>(now_seconds()) + time_offset;
    const uint64_t from_clock = clock > 0 ? static_cast<uint64_t>(clock) : 0;
    return std::max(from_clock, parent.timestamp + 1);
}

int64_t DevChain::set_time(uint64_t timestamp) {
    time_offset = static_cast<int64_t>(timestamp) - static_cast<int64_t>(now_seconds());
    return time_offset;
}

uint256 DevChain::next_base_fee() const {
    if (next_base_fee_override) return *next_base_fee_override;
    if (!head_.base_fee_per_gas) return uint256{};
    return expected_base_fee(head_);
}

namespace {
/// PREVRANDAO: something that changes per block, as a beacon chain's would; derived from the
/// parent's, not its hash, so that a block can execute before its parent's hash is known.
Hash32 prev_randao_after(const BlockHeader& parent) { return keccak256(as_bytes(parent.mix_hash)); }

/// What a pipelined block's template carries as its parent's hash until that is known; its
/// EIP-2935 write is then put right (complete_block_candidate).
const Hash32& parent_hash_stand_in() {
    static const Hash32 stand_in = keccak256(as_bytes(std::string_view("polyvm: the parent's hash, not known yet")));
    return stand_in;
}
}  // namespace

BlockInfo DevChain::next_block_info() {
    BlockHeader h;
    h.number = head_.number + 1;
    h.timestamp = next_timestamp();
    h.gas_limit = gas_limit;
    h.coinbase = coinbase;
    h.base_fee_per_gas = next_base_fee();
    const Revision rev = config().revision_at(h.timestamp);
    if (rev >= Revision::Cancun) {
        ParentBlobInfo parent{head_.excess_blob_gas.value_or(0), head_.blob_gas_used.value_or(0),
                              head_.base_fee_per_gas.value_or(uint256{})};
        h.excess_blob_gas = calc_excess_blob_gas(parent, *config().blob_schedule(rev), rev);
    }
    return block_environment(h, config()).info;
}

std::pair<BlockTemplate, MiningOptions> DevChain::next_block_template(std::vector<Transaction> transactions, NextBlock next,
                                                                     std::unique_ptr<StateView>& state) {
    // The head's successor, with what was set for the next block alone (the clock and the base
    // fee rule are applied once, by template_after and mining_options_after).
    BlockTemplate t = template_after(head_, head_hash_, std::move(transactions));
    if (next.timestamp)
        t.timestamp = *next.timestamp;
    else if (next_timestamp_override)
        t.timestamp = *next_timestamp_override;
    if (next_prev_randao_override) t.prev_randao = *next_prev_randao_override;
    MiningOptions options = mining_options_after(head_);
    options.parent = &head_;  // the template's parent: read and decoded from the database otherwise
    if (head_.base_fee_per_gas && next_base_fee_override) options.base_fee = *next_base_fee_override;
    if (!pending_.empty()) {
        state = state_at(head_.number);
        options.reader = state.get();
        options.pending = &pending_;
    }
    options.parallel.threads = execution_threads;
    return {std::move(t), std::move(options)};
}

BlockTemplate DevChain::template_after(const BlockHeader& parent, const Hash32& parent_hash,
                                       std::vector<Transaction> transactions) const {
    BlockTemplate t;
    t.parent_hash = parent_hash;
    t.timestamp = timestamp_after(parent);
    t.coinbase = coinbase;
    t.gas_limit = gas_limit;
    t.prev_randao = prev_randao_after(parent);
    t.transactions = std::move(transactions);
    return t;
}

MiningOptions DevChain::mining_options_after(const BlockHeader& parent) const {
    MiningOptions options;
    if (parent.base_fee_per_gas) options.base_fee = expected_base_fee(parent);
    options.senders_known = true;
    options.sender_code_allowed = is_impersonated;  // a contract the node impersonates may send, as in Anvil and Hardhat
    return options;
}

DevChain::PreviewedNext DevChain::preview_next(std::vector<Transaction> transactions) {
    std::unique_ptr<StateView> state;
    auto [t, options] = next_block_template(std::move(transactions), {}, state);
    auto previewed = preview_block(*chain_, t, options);
    if (auto* e = std::get_if<BlockError>(&previewed)) throw std::runtime_error("pending block: " + e->to_string());
    PreviewedBlock& p = std::get<PreviewedBlock>(previewed);
    const Hash32 hash = header_hash(p.block.header);
    const Revision rev = config().revision_at(p.block.header.timestamp);
    return {make_block_view(std::move(p.block), hash, std::move(p.executed.receipts), rev, std::move(p.transaction_hashes)),
            std::move(p.changes)};
}

BlockResult<MinedBlock> DevChain::mine(std::vector<Transaction> transactions, NextBlock next,
                                       std::function<Tracer*(size_t, const Transaction&)> tracer_for) {
    std::unique_ptr<StateView> state;
    auto [t, options] = next_block_template(std::move(transactions), next, state);
    if (!pending_.empty()) {
        // Kept with the block: re-running it (traces) must start from the same state.
        options.extra_records = [this](const Hash32& hash) {
            return std::vector<RecordWrite>{
                RecordWrite{std::string(kPrestateTable), as_bytes(hash), encode_change_set(pending_)}};
        };
    }
    options.tracer_for = std::move(tracer_for);
    auto mined = mine_block(*chain_, t, options);
    if (auto* e = std::get_if<BlockError>(&mined)) return *e;
    MinedBlock& m = std::get<MinedBlock>(mined);
    if (!pending_.empty()) {
        pending_ = {};
        persist_pending();
    }
    // A block at a chosen time moves the clock there (Anvil): later evm_increaseTime adds to it.
    if (next.timestamp || next_timestamp_override)
        time_offset = static_cast<int64_t>(m.block.header.timestamp) - static_cast<int64_t>(now_seconds());
    next_timestamp_override.reset();
    next_base_fee_override.reset();
    next_prev_randao_override.reset();
    set_mined_head(m);
    return mined;
}

void DevChain::set_mined_head(const MinedBlock& m) {
    head_ = m.block.header;
    head_number_.store(head_.number, std::memory_order_release);
    head_hash_ = m.hash;
    make_view(m.block, m.hash, m.executed.receipts, m.transaction_hashes, m.encoded_size);
}

bool DevChain::can_pipeline(const std::vector<Transaction>& transactions) const {
    if (!pipelined_mining || transactions.size() < 2 || !pending_.empty() || next_timestamp_override || next_base_fee_override ||
        next_prev_randao_override)
        return false;
    // The system address's own transaction could write the history contract's slot that a
    // pipelined block writes after its transactions (impersonated: it has no key).
    return std::none_of(transactions.begin(), transactions.end(),
                        [](const Transaction& tx) { return tx.sender == kSystemAddress; });
}

void DevChain::mine_each(std::vector<Transaction> transactions, const std::function<void(const MinedBlock&)>& on_mined,
                         size_t& mined_count) {
    mined_count = 0;
    const auto rejected = [](const BlockError& e) { return std::runtime_error("block rejected: " + e.to_string()); };
    if (!can_pipeline(transactions)) {
        for (Transaction& tx : transactions) {
            std::vector<Transaction> one;
            one.push_back(std::move(tx));
            auto mined = mine(std::move(one));
            if (auto* e = std::get_if<BlockError>(&mined)) throw rejected(*e);
            const MinedBlock& m = std::get<MinedBlock>(mined);
            ++mined_count;
            on_mined(m);
            if (m.block.transactions.empty()) break;  // its transaction was left out
        }
        return;
    }

    // Each step executes block i over its parent's post-state (the head's, with the parent's
    // change set on top while the parent is being committed) while a pool thread commits the
    // parent; whichever thread is free first commits. The parent's hash is known only after its
    // commit: block i carries a stand-in until then (complete_block_candidate), and is executed
    // again if a transaction read it.
    const auto template_on = [&](const BlockHeader& parent, const Hash32& parent_hash, const Transaction& tx) {
        return template_after(parent, parent_hash, std::vector<Transaction>{tx});
    };
    std::optional<BlockCandidate> committing;  // the parent, while it is committed
    for (size_t i = 0; i < transactions.size(); ++i) {
        const BlockHeader parent = committing ? committing->block.header : head_;
        const MiningOptions options = mining_options_after(parent);
        std::optional<BlockResult<BlockCandidate>> executed;
        std::optional<MinedBlock> committed;
        if (!committing) {
            executed = execute_block_candidate(config(), parent, template_on(parent, head_hash_, transactions[i]), options,
                                               *db_, true);
        } else {
            OverlayReader parent_state(*db_);
            parent_state.apply(committing->changes);
            std::atomic<bool> commit_claimed{false};
            std::exception_ptr commit_failure;
            const auto commit = [&] {
                if (commit_claimed.exchange(true)) return;
                try {
                    committed = commit_block_candidate(*chain_, std::move(*committing));
                } catch (...) {
                    commit_failure = std::current_exception();
                }
            };
            std::exception_ptr execution_failure;
            WorkerPool::shared().run(1, [&](unsigned worker) {
                if (worker == 0) {
                    try {
                        executed = execute_block_candidate(config(), parent,
                                                           template_on(parent, parent_hash_stand_in(), transactions[i]),
                                                           options, parent_state, false);
                    } catch (...) {
                        execution_failure = std::current_exception();
                    }
                }
                commit();  // the helper at once; the calling thread if no helper took it
            });
            committing.reset();
            if (commit_failure) std::rethrow_exception(commit_failure);
            ++mined_count;
            set_mined_head(*committed);
            on_mined(*committed);
            if (execution_failure) std::rethrow_exception(execution_failure);
        }
        if (auto* e = std::get_if<BlockError>(&*executed)) throw rejected(*e);
        BlockCandidate candidate = std::move(std::get<BlockCandidate>(*executed));
        if (committed) ++mining_statistics_.pipelined;
        if (committed && !complete_block_candidate(candidate, parent_hash_stand_in(), head_hash_, config())) {
            ++mining_statistics_.executed_again;
            auto again = execute_block_candidate(config(), head_, template_on(head_, head_hash_, transactions[i]),
                                                 mining_options_after(head_), *db_, true);
            if (auto* e = std::get_if<BlockError>(&again)) throw rejected(*e);
            candidate = std::move(std::get<BlockCandidate>(again));
        }
        const bool left_out = candidate.block.transactions.empty();
        committing = std::move(candidate);
        if (left_out) break;  // its transaction was left out: the rest go back to the pool
    }
    if (committing) {
        MinedBlock last = commit_block_candidate(*chain_, std::move(*committing));
        ++mined_count;
        set_mined_head(last);
        on_mined(last);
    }
}

void DevChain::set_chain_id(uint64_t chain_id) {
    const uint256 id{chain_id};
    const RecordWrite write{std::string(chain_tables::kMeta), as_bytes(kChainIdKey), as_bytes(id.to_hex())};
    db_->commit(ChangeSet{}, std::span<const RecordWrite>(&write, 1));  // first: a failure changes nothing
    chain_->set_chain_id(id);
}

void DevChain::persist_pending() {
    rebuild_pending_overlay();
    const RecordWrite write{std::string(chain_tables::kMeta), as_bytes(kPendingKey),
                            pending_.empty() ? std::nullopt : std::optional<bytes>(encode_change_set(pending_))};
    db_->commit(ChangeSet{}, std::span<const RecordWrite>(&write, 1));
}

void DevChain::modify(const ChangeSet& changes) {
    pending_ = merge_change_sets(pending_, changes);
    persist_pending();
}

void DevChain::set_storage(const Address& address, const uint256& slot, const uint256& value) {
    ChangeSet changes;
    AccountChange change;
    change.address = address;
    change.account = state_at(head_.number)->read_account(address).value_or(AccountInfo{});
    change.storage.emplace_back(slot, value);
    changes.accounts.push_back(std::move(change));
    modify(changes);
}

uint64_t DevChain::snapshot() {
    const uint64_t id = next_snapshot_id_++;
    snapshots_[id] = Snapshot{head_hash_, pending_, time_offset, next_timestamp_override, gas_limit, coinbase};
    return id;
}

bool DevChain::revert(uint64_t id) {
    const auto it = snapshots_.find(id);
    if (it == snapshots_.end()) return false;
    const Snapshot s = it->second;
    snapshots_.erase(it, snapshots_.end());
    if (s.head != head_hash_)
        if (auto e = chain_->set_head(s.head)) throw std::runtime_error("revert failed: " + e->to_string());
    pending_ = s.pending;
    persist_pending();
    time_offset = s.time_offset;
    next_timestamp_override = s.next_timestamp_override;
    gas_limit = s.gas_limit;
    coinbase = s.coinbase;
    set_head_cached();
    return true;
}

void DevChain::check_rewind_depth(uint64_t depth) const {
    if (depth > head_.number)
        throw std::invalid_argument("depth " + std::to_string(depth) + " is more than the chain's " + std::to_string(head_.number) +
                                    " blocks above the genesis");
}

void DevChain::rewind(uint64_t depth) {
    check_rewind_depth(depth);
    if (depth == 0) return;
    const auto ancestor = db_->read_block_hash(head_.number - depth);
    if (!ancestor) throw std::runtime_error("rewind failed: no canonical block " + std::to_string(head_.number - depth));
    if (auto e = chain_->set_head(*ancestor)) throw std::runtime_error("rewind failed: " + e->to_string());
    pending_ = {};
    persist_pending();
    set_head_cached();
}

void DevChain::reset_to_genesis() {
    const auto genesis = db_->read_block_hash(0);
    if (genesis && *genesis != head_hash_)
        if (auto e = chain_->set_head(*genesis)) throw std::runtime_error("reset failed: " + e->to_string());
    pending_ = {};
    persist_pending();
    snapshots_.clear();
    time_offset = 0;
    next_timestamp_override.reset();
    next_base_fee_override.reset();
    set_head_cached();
    gas_limit = head_.gas_limit;
}

}  // namespace polyvm::node

#include "chain/block_builder.hpp"

#include "chain/header_validation.hpp"
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/block_info.hpp"
#include "exec/system_contracts.hpp"
#include "state/overlay.hpp"
#include "state/state.hpp"
#include "state/trie.hpp"

#include <algorithm>

namespace polyvm {

namespace {
/// The header fields known before execution.
BlockHeader start_header(const BlockHeader& parent, const BlockTemplate& t, const ChainConfig& config, Revision rev,
                         const std::optional<uint256>& base_fee) {
    BlockHeader h;
    h.parent_hash = t.parent_hash;
    h.ommers_hash = kEmptyOmmersHash;
    h.coinbase = t.coinbase;
    h.number = parent.number + 1;
    h.gas_limit = t.gas_limit.value_or(parent.gas_limit);
    h.timestamp = t.timestamp;
    h.extra_data = t.extra_data;
    h.mix_hash = t.prev_randao;
    h.base_fee_per_gas = base_fee ? *base_fee : expected_base_fee(parent);
    if (rev >= Revision::Shanghai) h.withdrawals_root = withdrawals_root(t.withdrawals);
    if (rev >= Revision::Cancun) {
        ParentBlobInfo parent_blobs{parent.excess_blob_gas.value_or(0), parent.blob_gas_used.value_or(0),
                                    parent.base_fee_per_gas.value_or(uint256{})};
        h.excess_blob_gas = calc_excess_blob_gas(parent_blobs, *config.blob_schedule(rev), rev);
        h.parent_beacon_block_root = t.parent_beacon_block_root;
    }
    return h;
}

/// Executes the template's transactions and fills the header fields that commit to the result
/// (all but the state root).
BlockResult<BuiltBlock> execute_template(State& state, const BlockHeader& h, const BlockTemplate& t,
                                         const ChainConfig& config, const MiningOptions& options,
                                         bool history_call_after_transactions = false) {
    const Revision rev = config.revision_at(t.timestamp);
    BuiltBlock built;
    built.block.header = h;
    std::vector<Transaction> candidates = t.transactions;
    if (rev >= Revision::Shanghai) built.block.withdrawals = t.withdrawals;
    BlockEnvironment env = block_environment(h, config);
    if (built.block.withdrawals) env.withdrawals = &*built.block.withdrawals;

    BlockExecutionOptions execution;
    execution.skip_invalid_transactions = true;
    execution.tracer_for = options.tracer_for;
    execution.senders_known = options.senders_known;
    execution.sender_code_allowed = options.sender_code_allowed;
    execution.parallel = options.parallel;
    execution.history_call_after_transactions = history_call_after_transactions;
    auto executed = execute_block_body(state, env, candidates, config, execution);
    if (auto* e = std::get_if<BlockError>(&executed)) return *e;
    built.executed = std::move(std::get<ExecutedBlock>(executed));
    built.rejected = built.executed.rejected;
    for (size_t index : built.executed.included) built.block.transactions.push_back(std::move(candidates[index]));

    BlockHeader& out = built.block.header;
    out.gas_used = built.executed.gas_used;
    out.logs_bloom = built.executed.logs_bloom;
    out.receipts_root = receipts_root(built.executed.receipts);
    // Each transaction encoded once, for the root and for the hashes the records index them by.
    std::vector<bytes> encoded;
    encoded.reserve(built.block.transactions.size());
    for (const Transaction& tx : built.block.transactions) encoded.push_back(encode_transaction(tx));
    built.transaction_hashes.reserve(encoded.size());
    for (const bytes& e : encoded) built.transaction_hashes.push_back(keccak256(e));
    out.transactions_root = ordered_trie_root(encoded);
    if (rev >= Revision::Cancun) out.blob_gas_used = built.executed.blob_gas_used;
    if (rev >= Revision::Prague) out.requests_hash = requests_hash(built.executed.requests);
    return built;
}
}  // namespace

BlockResult<BuiltBlock> build_block(Blockchain& chain, const BlockTemplate& t) {
    const auto parent = chain.header(t.parent_hash);
    if (!parent) return block_error("UNKNOWN_PARENT", "parent " + to_hex_prefixed(t.parent_hash) + " is not known");
    if (chain.head_hash() != t.parent_hash)
        if (auto e = chain.set_head(t.parent_hash)) return *e;
    const ChainConfig& config = chain.config();
    const Revision rev = config.revision_at(t.timestamp);
    const BlockHeader h = start_header(*parent, t, config, rev, std::nullopt);
    State state(&chain.database());
    auto built = execute_template(state, h, t, config, {});
    if (auto* e = std::get_if<BlockError>(&built)) return *e;
    BuiltBlock& out = std::get<BuiltBlock>(built);
    out.block.header.state_root = chain.database().preview_root(state.changes());
    return built;
}

namespace {
/// mine_block's execution on the head, shared with preview_block: the block without its state
/// root, and the State its transactions left.
BlockResult<BuiltBlock> execute_on_head(Blockchain& chain, const BlockTemplate& t, const MiningOptions& options,
                                        State& state) {
    std::optional<BlockHeader> stored;
    const BlockHeader* parent = options.parent;
    if (!parent) {
        stored = chain.header(t.parent_hash);
        if (!stored) return block_error("UNKNOWN_PARENT", "parent " + to_hex_prefixed(t.parent_hash) + " is not known");
        parent = &*stored;
    }
    if (chain.head_hash() != t.parent_hash) return block_error("UNKNOWN_PARENT", "the parent is not the head");
    const ChainConfig& config = chain.config();
    const BlockHeader h = start_header(*parent, t, config, config.revision_at(t.timestamp), options.base_fee);
    return execute_template(state, h, t, config, options);
}
}  // namespace

BlockResult<PreviewedBlock> preview_block(Blockchain& chain, const BlockTemplate& t, const MiningOptions& options) {
    State state(options.reader ? options.reader : &chain.database());
    auto built = execute_on_head(chain, t, options, state);
    if (auto* e = std::get_if<BlockError>(&built)) return *e;
    BuiltBlock& b = std::get<BuiltBlock>(built);
    PreviewedBlock out;
    out.changes = state.changes(options.parallel.threads);
    // The database's root of everything the block would commit: the changes made between blocks
    // (already in options.reader) and the block's own.
    out.block = std::move(b.block);
    out.block.header.state_root =
        chain.database().preview_root(options.pending ? merge_change_sets(*options.pending, out.changes) : out.changes);
    out.executed = std::move(b.executed);
    out.transaction_hashes = std::move(b.transaction_hashes);
    return out;
}

namespace {
/// The state a candidate executes on, watching for BLOCKHASH of a parent whose hash is a stand-in
/// (BLOCKHASH asks the reader every time; nothing caches it).
class ParentHashWatch final : public StateReader {
public:
    ParentHashWatch(StateReader& base, uint64_t parent_number) : base_(base), parent_number_(parent_number) {}
    std::optional<AccountInfo> read_account(const Address& address) override { return base_.read_account(address); }
    uint256 read_storage(const Address& address, const uint256& key) override { return base_.read_storage(address, key); }
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override { return base_.read_code(code_hash); }
    std::optional<Hash32> read_block_hash(uint64_t number) override {
        if (number == parent_number_) {
            read_ = true;
            return std::nullopt;
        }
        return base_.read_block_hash(number);
    }
    bool parent_hash_read() const noexcept { return read_; }

private:
    StateReader& base_;
    uint64_t parent_number_;
    bool read_ = false;
};

BlockCandidate to_candidate(BuiltBlock&& b, State& state, unsigned threads) {
    BlockCandidate c;
    c.block = std::move(b.block);
    c.executed = std::move(b.executed);
    c.rejected = std::move(b.rejected);
    c.transaction_hashes = std::move(b.transaction_hashes);
    c.changes = state.changes(threads);
    return c;
}
}  // namespace

BlockResult<BlockCandidate> execute_block_candidate(const ChainConfig& config, const BlockHeader& parent,
                                                    const BlockTemplate& t, const MiningOptions& options,
                                                    StateReader& reader, bool parent_hash_known) {
    const BlockHeader h = start_header(parent, t, config, config.revision_at(t.timestamp), options.base_fee);
    ParentHashWatch watch(reader, parent.number);
    State state(parent_hash_known ? &reader : &watch);
    MiningOptions sequential = options;
    sequential.parallel = {};
    sequential.tracer_for = nullptr;
    auto built = execute_template(state, h, t, config, sequential, !parent_hash_known);
    if (auto* e = std::get_if<BlockError>(&built)) return *e;
    BlockCandidate c = to_candidate(std::move(std::get<BuiltBlock>(built)), state, 1);
    c.reads_parent_hash = !parent_hash_known && (watch.parent_hash_read() || c.executed.parent_hash_slot_read);
    return c;
}

bool complete_block_candidate(BlockCandidate& c, const Hash32& stand_in, const Hash32& parent_hash,
                              const ChainConfig& config) {
    if (c.reads_parent_hash) return false;
    const BlockHeader& h = c.block.header;
    if (config.revision_at(h.timestamp) >= Revision::Prague) {
        const auto account = std::find_if(c.changes.accounts.begin(), c.changes.accounts.end(),
                                          [](const AccountChange& a) { return a.address == kHistoryStorageAddress; });
        if (account == c.changes.accounts.end()) return false;
        const uint256 slot = history_storage_slot(h.number);
        const auto written = std::find_if(account->storage.begin(), account->storage.end(),
                                          [&](const auto& entry) { return entry.first == slot; });
        if (written == account->storage.end() || written->second != uint256::from_hash(stand_in)) return false;
        written->second = uint256::from_hash(parent_hash);
    }
    c.block.header.parent_hash = parent_hash;
    return true;
}

BlockResult<MinedBlock> mine_block(Blockchain& chain, const BlockTemplate& t, const MiningOptions& options) {
    StateReader& reader = options.reader ? *options.reader : chain.database();
    State state(&reader);
    auto built = execute_on_head(chain, t, options, state);
    if (auto* e = std::get_if<BlockError>(&built)) return *e;
    return commit_block_candidate(chain, to_candidate(std::move(std::get<BuiltBlock>(built)), state, options.parallel.threads),
                                  options);
}

MinedBlock commit_block_candidate(Blockchain& chain, BlockCandidate&& c, const MiningOptions& options) {
    MinedBlock mined;
    mined.block = std::move(c.block);
    mined.executed = std::move(c.executed);
    mined.rejected = std::move(c.rejected);
    mined.transaction_hashes = std::move(c.transaction_hashes);
    const ChangeSet changes = options.pending ? merge_change_sets(*options.pending, c.changes) : std::move(c.changes);
    // Encoded once: the block's redo record and the database's journal entry hold the same bytes.
    const bytes encoded_changes = encode_change_set(changes);
    chain.database().commit_sealing(changes, [&](const Hash32& root, const ChangeSet& reverse) {
        mined.block.header.state_root = root;
        mined.hash = header_hash(mined.block.header);
        std::vector<RecordWrite> records =
            Blockchain::block_records(mined.block, mined.hash, mined.executed.receipts, changes, mined.transaction_hashes,
                                      &encoded_changes);
        for (const RecordWrite& r : records)
            if (r.table == chain_tables::kBodies && r.value) mined.encoded_size = r.value->size();
        const Hash32& key = mined.hash;
        records.push_back(RecordWrite{std::string(chain_tables::kUndo), bytes(key.bytes.begin(), key.bytes.end()),
                                      encode_change_set(reverse)});
        if (options.extra_records)
            for (RecordWrite& extra : options.extra_records(mined.hash)) records.push_back(std::move(extra));
        return records;
    }, encoded_changes);
    return mined;
}

}  // namespace polyvm

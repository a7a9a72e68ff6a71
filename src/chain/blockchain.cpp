#include "chain/blockchain.hpp"

#include "chain/header_validation.hpp"
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "exec/system_contracts.hpp"
#include "state/state.hpp"

#include <vector>

namespace polyvm {

namespace {
bytes key_of(const Hash32& h) { return bytes(h.bytes.begin(), h.bytes.end()); }
bytes key_of(std::string_view s) { return bytes(s.begin(), s.end()); }
bytes value_of(const Hash32& h) { return key_of(h); }

RecordWrite put(std::string_view table, bytes key, bytes value) {
    return RecordWrite{std::string(table), std::move(key), std::move(value)};
}
RecordWrite erase(std::string_view table, bytes key) { return RecordWrite{std::string(table), std::move(key), std::nullopt}; }
}  // namespace

std::vector<RecordWrite> Blockchain::block_records(const Block& block, const Hash32& hash, const std::vector<Receipt>& receipts,
                                                   const ChangeSet& changes, std::span<const Hash32> transaction_hashes,
                                                   const bytes* encoded_changes) {
    const bool hashes_given = transaction_hashes.size() == block.transactions.size();
    // Pushed one by one: a braced list would copy every record (its elements are const).
    std::vector<RecordWrite> records;
    records.reserve(6 + block.transactions.size() + 2);  // + the caller's undo and extra records
    records.push_back(put(chain_tables::kHeaders, key_of(hash), encode_header(block.header)));
    records.push_back(put(chain_tables::kBodies, key_of(hash), encode_block(block)));
    records.push_back(put(chain_tables::kReceipts, key_of(hash), encode_receipts(receipts)));
    records.push_back(put(chain_tables::kRedo, key_of(hash), encoded_changes ? *encoded_changes : encode_change_set(changes)));
    records.push_back(put(kCanonicalHashTable, block_number_key(block.header.number), value_of(hash)));
    records.push_back(put(chain_tables::kMeta, key_of("head"), value_of(hash)));
    for (size_t i = 0; i < block.transactions.size(); ++i) {
        bytes location = value_of(hash);
        const bytes index = block_number_key(i);
        location.insert(location.end(), index.begin(), index.end());
        const Hash32 tx_hash = hashes_given ? transaction_hashes[i] : transaction_hash(block.transactions[i]);
        records.push_back(put(chain_tables::kTransactionIndex, key_of(tx_hash), location));
    }
    return records;
}

Blockchain::Blockchain(StateDatabase& db, ChainConfig config) : db_(db), config_(std::move(config)) {}

bool Blockchain::initialized() { return db_.read_record(chain_tables::kMeta, key_of("head")).has_value(); }

std::optional<BlockError> Blockchain::initialize(const BlockHeader& genesis, const std::vector<GenesisAccount>& alloc,
                                               std::vector<RecordWrite> extra_records) {
    ChangeSet changes;
    for (const GenesisAccount& a : alloc) {
        AccountChange c;
        c.address = a.address;
        c.account = a.info;
        c.storage = a.storage;
        std::sort(c.storage.begin(), c.storage.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        if (!a.code.empty()) changes.codes.emplace_back(a.info.code_hash, std::make_shared<const bytes>(a.code));
        changes.accounts.push_back(std::move(c));
    }
    std::sort(changes.accounts.begin(), changes.accounts.end(),
              [](const auto& x, const auto& y) { return x.address < y.address; });
    const Hash32 hash = header_hash(genesis);
    std::vector<RecordWrite> records = std::move(extra_records);
    records.push_back(put(chain_tables::kHeaders, key_of(hash), encode_header(genesis)));
    records.push_back(put(kCanonicalHashTable, block_number_key(genesis.number), value_of(hash)));
    records.push_back(put(chain_tables::kMeta, key_of("head"), value_of(hash)));
    const CheckedCommit result = db_.commit_if_root(changes, records, genesis.state_root);
    if (!result.committed)
        return block_error("INVALID_STATE_ROOT", "genesis alloc has root " + to_hex_prefixed(result.root) +
                                                     ", header says " + to_hex_prefixed(genesis.state_root));
    return std::nullopt;
}

Hash32 Blockchain::head_hash() {
    const auto head = db_.read_record(chain_tables::kMeta, key_of("head"));
    return head ? Hash32::from(*head) : Hash32{};
}

std::optional<BlockHeader> Blockchain::header(const Hash32& hash) {
    const auto encoded = db_.read_record(chain_tables::kHeaders, key_of(hash));
    if (!encoded) return std::nullopt;
    auto decoded = decode_header(*encoded);
    if (auto* h = std::get_if<BlockHeader>(&decoded)) return std::move(*h);
    return std::nullopt;
}

BlockHeader Blockchain::head_header() {
    auto h = header(head_hash());
    if (!h) throw DatabaseError("the head block's header is missing");
    return std::move(*h);
}

std::optional<BlockError> Blockchain::unwind_one() {
    const Hash32 head = head_hash();
    const BlockHeader h = head_header();
    const auto undo = db_.read_record(chain_tables::kUndo, key_of(head));
    const auto reverse = undo ? decode_change_set(*undo) : std::nullopt;
    if (!reverse) return block_error("UNKNOWN_PARENT", "no reverse change set for " + to_hex_prefixed(head));
    const std::vector<RecordWrite> records = {
        erase(kCanonicalHashTable, block_number_key(h.number)),
        put(chain_tables::kMeta, key_of("head"), value_of(h.parent_hash)),
    };
    db_.commit(*reverse, records);
    return std::nullopt;
}

std::optional<BlockError> Blockchain::replay_one(const Hash32& hash) {
    const auto h = header(hash);
    const auto redo = db_.read_record(chain_tables::kRedo, key_of(hash));
    const auto forward = redo ? decode_change_set(*redo) : std::nullopt;
    if (!h || !forward) return block_error("UNKNOWN_PARENT", "block " + to_hex_prefixed(hash) + " is not stored");
    const std::vector<RecordWrite> records = {
        put(kCanonicalHashTable, block_number_key(h->number), value_of(hash)),
        put(chain_tables::kMeta, key_of("head"), value_of(hash)),
    };
    db_.commit(*forward, records);
    return std::nullopt;
}

std::optional<BlockError> Blockchain::set_head(const Hash32& target) {
    auto target_header = header(target);
    if (!target_header) return block_error("UNKNOWN_PARENT", "no stored block " + to_hex_prefixed(target));
    // The branch from the target down to the current chain. Canonical hashes exist only up to
    // the head (unwinding erases them), so the first ancestor that is canonical is on the chain.
    std::vector<Hash32> branch;
    Hash32 cursor = target;
    BlockHeader cursor_header = *target_header;
    while (true) {
        const auto canonical = db_.read_block_hash(cursor_header.number);
        if (canonical && *canonical == cursor) break;
        branch.push_back(cursor);
        if (cursor_header.number == 0) return block_error("UNKNOWN_PARENT", "the block is not on this chain's genesis");
        cursor = cursor_header.parent_hash;
        auto parent = header(cursor);
        if (!parent) return block_error("UNKNOWN_PARENT", "missing ancestor " + to_hex_prefixed(cursor));
        cursor_header = std::move(*parent);
    }
    // Unwind to the common ancestor, then replay the branch oldest first.
    while (head_hash() != cursor)
        if (auto e = unwind_one()) return e;
    for (auto it = branch.rbegin(); it != branch.rend(); ++it)
        if (auto e = replay_one(*it)) return e;
    return std::nullopt;
}

BlockResult<Hash32> Blockchain::import_block(bytes_view encoded) {
    auto decoded = decode_block(encoded);
    if (auto* e = std::get_if<BlockError>(&decoded)) return *e;
    return import_block(std::move(std::get<Block>(decoded)), encoded.size());
}

BlockResult<Hash32> Blockchain::import_block(Block block, size_t encoded_size) {
    const BlockHeader& h = block.header;
    const Hash32 hash = header_hash(h);
    const auto parent = header(h.parent_hash);
    if (!parent)
        return block_error(h.parent_hash.is_zero() ? "UNKNOWN_PARENT_ZERO" : "UNKNOWN_PARENT",
                           "parent " + to_hex_prefixed(h.parent_hash) + " is not known");
    if (auto e = validate_header(h, *parent, config_)) return *e;
    if (auto e = validate_body(block, encoded_size, config_)) return *e;

    // Execute on the parent's state: move the head there first if it is elsewhere, and back if
    // the block turns out invalid.
    const Hash32 previous_head = head_hash();
    if (previous_head != h.parent_hash)
        if (auto e = set_head(h.parent_hash)) return *e;
    auto restore = [&](BlockError e) -> BlockResult<Hash32> {
        if (head_hash() != previous_head) set_head(previous_head);
        return e;
    };

    BlockEnvironment env = block_environment(h, config_);
    if (block.withdrawals) env.withdrawals = &*block.withdrawals;
    State state(&db_);
    auto executed = execute_block_body(state, env, block.transactions, config_, execution_options_);
    if (auto* e = std::get_if<BlockError>(&executed)) return restore(*e);
    const ExecutedBlock& result = std::get<ExecutedBlock>(executed);

    if (auto e = validate_body_roots(block)) return restore(*e);
    if (result.gas_used != h.gas_used)
        return restore(block_error("INVALID_GAS_USED", "gas used " + std::to_string(result.gas_used) + ", header says " +
                                                           std::to_string(h.gas_used)));
    if (h.blob_gas_used && result.blob_gas_used != *h.blob_gas_used)
        return restore(block_error("INCORRECT_BLOB_GAS_USED", "blob gas used " + std::to_string(result.blob_gas_used) +
                                                                  ", header says " + std::to_string(*h.blob_gas_used)));
    if (result.logs_bloom != h.logs_bloom) return restore(block_error("INVALID_LOG_BLOOM", "logs bloom differs"));
    if (receipts_root(result.receipts) != h.receipts_root)
        return restore(block_error("INVALID_RECEIPTS_ROOT", "receipts root differs"));
    if (h.requests_hash && requests_hash(result.requests) != *h.requests_hash)
        return restore(block_error("INVALID_REQUESTS", "requests hash differs"));

    const ChangeSet changes = state.changes(execution_options_.parallel.threads);
    const std::vector<RecordWrite> records = block_records(block, hash, result.receipts, changes);
    // The reverse change set is known only once applied: it is part of the same commit through
    // commit_if_root, which stores it under `undo_table`/`undo_key`.
    const CheckedCommit commit = db_.commit_if_root(changes, records, h.state_root,
                                                    RecordWrite{std::string(chain_tables::kUndo), key_of(hash), {}});
    if (!commit.committed)
        return restore(block_error("INVALID_STATE_ROOT", "state root " + to_hex_prefixed(commit.root) +
                                                             ", header says " + to_hex_prefixed(h.state_root)));
    return hash;
}

}  // namespace polyvm

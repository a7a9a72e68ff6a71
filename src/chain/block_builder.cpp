#include "chain/block_builder.hpp"

#include "chain/header_validation.hpp"
#include "common/hex.hpp"
#include "exec/block_info.hpp"
#include "exec/system_contracts.hpp"
#include "state/state.hpp"

namespace polyvm {

BlockResult<BuiltBlock> build_block(Blockchain& chain, const BlockTemplate& t) {
    const auto parent = chain.header(t.parent_hash);
    if (!parent) return block_error("UNKNOWN_PARENT", "parent " + to_hex_prefixed(t.parent_hash) + " is not known");
    if (chain.head_hash() != t.parent_hash)
        if (auto e = chain.set_head(t.parent_hash)) return *e;
    const ChainConfig& config = chain.config();
    const Revision rev = config.revision_at(t.timestamp);

    BlockHeader h;
    h.parent_hash = t.parent_hash;
    h.ommers_hash = kEmptyOmmersHash;
    h.coinbase = t.coinbase;
    h.number = parent->number + 1;
    h.gas_limit = t.gas_limit.value_or(parent->gas_limit);
    h.timestamp = t.timestamp;
    h.extra_data = t.extra_data;
    h.mix_hash = t.prev_randao;
    h.base_fee_per_gas = expected_base_fee(*parent);
    if (rev >= Revision::Shanghai) h.withdrawals_root = withdrawals_root(t.withdrawals);
    if (rev >= Revision::Cancun) {
        ParentBlobInfo parent_blobs{parent->excess_blob_gas.value_or(0), parent->blob_gas_used.value_or(0),
                                    parent->base_fee_per_gas.value_or(uint256{})};
        h.excess_blob_gas = calc_excess_blob_gas(parent_blobs, *config.blob_schedule(rev), rev);
        h.parent_beacon_block_root = t.parent_beacon_block_root;
    }

    BuiltBlock built;
    built.block.header = h;
    std::vector<Transaction> candidates = t.transactions;
    if (rev >= Revision::Shanghai) built.block.withdrawals = t.withdrawals;
    BlockEnvironment env = block_environment(h, config);
    if (built.block.withdrawals) env.withdrawals = &*built.block.withdrawals;

    State state(&chain.database());
    BlockExecutionOptions options;
    options.skip_invalid_transactions = true;
    auto executed = execute_block_body(state, env, candidates, config, options);
    if (auto* e = std::get_if<BlockError>(&executed)) return *e;
    built.executed = std::move(std::get<ExecutedBlock>(executed));
    built.rejected = built.executed.rejected;
    for (size_t index : built.executed.included) built.block.transactions.push_back(candidates[index]);

    BlockHeader& out = built.block.header;
    out.gas_used = built.executed.gas_used;
    out.logs_bloom = built.executed.logs_bloom;
    out.receipts_root = receipts_root(built.executed.receipts);
    out.transactions_root = transactions_root(built.block.transactions);
    if (rev >= Revision::Cancun) out.blob_gas_used = built.executed.blob_gas_used;
    if (rev >= Revision::Prague) out.requests_hash = requests_hash(built.executed.requests);
    out.state_root = chain.database().preview_root(state.changes());
    return built;
}

}  // namespace polyvm

// Building a block on top of a stored one (the development node's mining, test chains and the
// block-execution benchmarks): executes the transactions that are valid, in order, and fills in
// every header field that commits to the result, so that Blockchain::import_block accepts it.
#pragma once

#include "chain/blockchain.hpp"

#include <optional>
#include <vector>

namespace polyvm {

struct BlockTemplate {
    Hash32 parent_hash;
    uint64_t timestamp = 0;
    Address coinbase;
    std::optional<uint64_t> gas_limit;  // the parent's when absent
    Hash32 prev_randao;
    Hash32 parent_beacon_block_root;
    std::vector<Transaction> transactions;  // signed; invalid ones are left out
    std::vector<Withdrawal> withdrawals;
    bytes extra_data;
};

struct BuiltBlock {
    Block block;
    std::vector<RejectedTransaction> rejected;  // indices into the template's transactions
    ExecutedBlock executed;
};

/// Builds (but does not import) the block. The chain's head moves to the parent if needed.
BlockResult<BuiltBlock> build_block(Blockchain& chain, const BlockTemplate& block_template);

}  // namespace polyvm

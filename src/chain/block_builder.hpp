// Building a block on top of a stored one (the development node's mining, test chains and the
// block-execution benchmarks): executes the transactions that are valid, in order, and fills in
// every header field that commits to the result, so that Blockchain::import_block accepts it.
#pragma once

#include "chain/blockchain.hpp"

#include <functional>
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
    std::vector<Hash32> transaction_hashes;     // of block.transactions, from the encodings the root was built of
};

/// Builds (but does not import) the block. The chain's head moves to the parent if needed.
BlockResult<BuiltBlock> build_block(Blockchain& chain, const BlockTemplate& block_template);

/// What a development chain may set that the block rules would otherwise decide.
struct MiningOptions {
    std::optional<uint256> base_fee;       // instead of EIP-1559's from the parent
    StateReader* reader = nullptr;         // the state to build on (default: the database)
    const ChangeSet* pending = nullptr;    // changes made between blocks (in `reader`), committed with the block
    std::function<Tracer*(size_t index, const Transaction& tx)> tracer_for;
    bool senders_known = false;            // see BlockExecutionOptions
    std::function<bool(const Transaction& tx)> sender_code_allowed;  // see BlockExecutionOptions
    ParallelOptions parallel;              // see BlockExecutionOptions (many-transaction blocks only)
    /// A tool's own records about the block (keyed by its hash), committed with it.
    std::function<std::vector<RecordWrite>(const Hash32& block_hash)> extra_records;
    /// The parent's header when the caller holds it (a development chain's head), so that it is
    /// not read and decoded again; its hash must be the template's parent_hash.
    const BlockHeader* parent = nullptr;
};

struct MinedBlock {
    Block block;
    Hash32 hash;
    ExecutedBlock executed;
    std::vector<RejectedTransaction> rejected;
    std::vector<Hash32> transaction_hashes;  // of block.transactions
    size_t encoded_size = 0;                 // of the whole block's RLP, as stored
};

/// Builds the block on the head and commits it as the new head in one step, without the
/// header rules of import (a development chain sets its own base fee, gas limit and times).
/// The template's parent must be the head.
BlockResult<MinedBlock> mine_block(Blockchain& chain, const BlockTemplate& block_template, const MiningOptions& options = {});

/// Pipelined mining (a development node's automine: a block's execution beside its parent's
/// commit). A block executed on a parent that is not stored yet, over the parent's post-state,
/// possibly before the parent's hash is known: the template's parent_hash is then a stand-in,
/// and the EIP-2935 write of the parent's hash comes after the transactions
/// (BlockExecutionOptions::history_call_after_transactions), to be completed once it is known.
struct BlockCandidate {
    Block block;  // every header field but the state root (and the parent hash, while a stand-in)
    ExecutedBlock executed;
    std::vector<RejectedTransaction> rejected;
    std::vector<Hash32> transaction_hashes;  // of block.transactions
    ChangeSet changes;                       // over the parent's post-state
    /// A transaction read the stand-in: BLOCKHASH of the parent, or the history contract's slot
    /// of its hash. The block must be executed again once the hash is known.
    bool reads_parent_hash = false;
};

/// Executes the template on `parent` over `reader`, its post-state. `parent_hash_known`: false
/// when t.parent_hash is a stand-in. options.pending, options.reader, options.parallel and
/// options.tracer_for do not apply (one thread, no tracer).
BlockResult<BlockCandidate> execute_block_candidate(const ChainConfig& config, const BlockHeader& parent,
                                                    const BlockTemplate& t, const MiningOptions& options,
                                                    StateReader& reader, bool parent_hash_known);

/// Puts the parent's hash where the stand-in was: the header and the history contract's slot
/// (EIP-2935). False when the candidate must be executed again with the hash: a transaction
/// read the stand-in, or its write is not in the change set (the contract has no code, or the
/// slot held that very value already).
bool complete_block_candidate(BlockCandidate& candidate, const Hash32& stand_in, const Hash32& parent_hash,
                              const ChainConfig& config);

/// Commits a complete candidate as the new head, as mine_block does; its parent must be the
/// head. options.pending and options.extra_records apply.
MinedBlock commit_block_candidate(Blockchain& chain, BlockCandidate&& candidate, const MiningOptions& options = {});

/// The block mine_block would make now, left uncommitted (a development node's `pending`
/// block): every header field filled in, the state root included, and what its execution
/// changes over the state it was built on (options.reader's, without options.pending).
struct PreviewedBlock {
    Block block;
    ExecutedBlock executed;
    std::vector<Hash32> transaction_hashes;  // of block.transactions
    ChangeSet changes;
};
BlockResult<PreviewedBlock> preview_block(Blockchain& chain, const BlockTemplate& block_template,
                                          const MiningOptions& options = {});

}  // namespace polyvm

// Blocks as they travel: the header with every field through Osaka, the body (transactions,
// ommers, EIP-4895 withdrawals), their RLP codec and hashes. Decoding is strict (canonical RLP,
// integers within their width) and reports failures under execution-spec-tests' names.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"
#include "tx/transaction.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace polyvm {

/// Why a block was refused: `rule` is an execution-spec-tests exception name with its class,
/// e.g. "BlockException.INVALID_GAS_USED" or "TransactionException.NONCE_MISMATCH_TOO_LOW".
struct BlockError {
    std::string rule;
    std::string detail;

    std::string to_string() const { return detail.empty() ? rule : rule + " (" + detail + ")"; }
};

BlockError block_error(std::string rule, std::string detail = {});        // "BlockException." + rule
BlockError transaction_error(std::string rule, std::string detail = {});  // "TransactionException." + rule

template <typename T>
using BlockResult = std::variant<T, BlockError>;

struct BlockHeader {
    Hash32 parent_hash;
    Hash32 ommers_hash;
    Address coinbase;
    Hash32 state_root;
    Hash32 transactions_root;
    Hash32 receipts_root;
    Bloom logs_bloom;
    uint256 difficulty;
    uint64_t number = 0;
    uint64_t gas_limit = 0;
    uint64_t gas_used = 0;
    uint64_t timestamp = 0;
    bytes extra_data;
    Hash32 mix_hash;  // PREVRANDAO after the Merge
    FixedBytes<8> nonce;
    std::optional<uint256> base_fee_per_gas;          // London (EIP-1559)
    std::optional<Hash32> withdrawals_root;           // Shanghai (EIP-4895)
    std::optional<uint64_t> blob_gas_used;            // Cancun (EIP-4844)
    std::optional<uint64_t> excess_blob_gas;          // Cancun (EIP-4844)
    std::optional<Hash32> parent_beacon_block_root;   // Cancun (EIP-4788)
    std::optional<Hash32> requests_hash;              // Prague (EIP-7685)
};

struct Withdrawal {
    uint64_t index = 0;
    uint64_t validator_index = 0;
    Address address;
    uint64_t amount_gwei = 0;
};

struct Block {
    BlockHeader header;
    std::vector<Transaction> transactions;  // senders not yet recovered
    std::vector<BlockHeader> ommers;
    std::optional<std::vector<Withdrawal>> withdrawals;  // Shanghai on
};

bytes encode_header(const BlockHeader& header);
Hash32 header_hash(const BlockHeader& header);  // keccak256(rlp(header))
bytes encode_withdrawal(const Withdrawal& withdrawal);
bytes encode_block(const Block& block);

BlockResult<BlockHeader> decode_header(bytes_view encoded);
/// Decodes a whole block; the transactions keep their network form's content (typed ones as
/// `type || payload`). A blob transaction in its network wrapper (with blobs) is refused.
BlockResult<Block> decode_block(bytes_view encoded);

/// keccak256(rlp([])): the ommers hash of every block after the Merge.
extern const Hash32 kEmptyOmmersHash;

/// The trie roots a header commits to.
Hash32 transactions_root(const std::vector<Transaction>& transactions);
Hash32 withdrawals_root(const std::vector<Withdrawal>& withdrawals);

}  // namespace polyvm

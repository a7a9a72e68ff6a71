// Transaction receipts (Yellow Paper 4.3.1, EIP-658 status, EIP-2718 typed envelopes) and the
// 2048-bit logs bloom.
#pragma once

#include "common/types.hpp"
#include "exec/transaction_execution.hpp"
#include "tx/transaction.hpp"

#include <optional>
#include <vector>

namespace polyvm {

struct Receipt {
    TransactionType type = TransactionType::Legacy;
    bool success = true;                     // EIP-658 (Byzantium on)
    std::optional<Hash32> post_state_root;   // before Byzantium: the intermediate state root
    uint64_t cumulative_gas_used = 0;
    std::vector<Log> logs;
    Bloom logs_bloom;
};

/// Adds each log's address and topics to the bloom (three 11-bit indices of keccak256 each).
void add_to_bloom(Bloom& bloom, const Log& log);
Bloom logs_bloom(const std::vector<Log>& logs);
/// Whether the bloom may hold `item` (an address or a topic): false means it certainly does not.
bool bloom_may_contain(const Bloom& bloom, bytes_view item);
/// Bitwise OR (a block's bloom is the OR of its receipts').
void merge_bloom(Bloom& into, const Bloom& other);

/// The receipt's consensus encoding: rlp([status, cumulative gas, bloom, logs]), prefixed with
/// the type byte for typed transactions.
bytes encode_receipt(const Receipt& receipt);
Hash32 receipts_root(const std::vector<Receipt>& receipts);
/// rlp([encode_receipt(r) ...]): how a block's receipts are stored.
bytes encode_receipts(const std::vector<Receipt>& receipts);
/// Inverse of encode_receipts; nullopt when malformed.
std::optional<std::vector<Receipt>> decode_receipts(bytes_view encoded);

}  // namespace polyvm

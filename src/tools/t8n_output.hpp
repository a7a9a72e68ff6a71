// geth's JSON shapes for what t8n writes: receipts (with their logs) and the post-state alloc.
// Numbers are "0x"-prefixed minimal hex, hashes and addresses full-width lower-case hex, as
// geth's hexutil encodes them.
#pragma once

#include "chain/receipt.hpp"
#include "state/database.hpp"
#include "tx/transaction.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace polyvm::tools::t8n {

/// The block-level values every receipt and log of the block repeats.
struct ReceiptBlock {
    uint64_t number = 0;
    uint64_t timestamp = 0;
    Hash32 hash;                          // geth's t8n writes 0x1337 00..00 (the block is not sealed)
    std::optional<uint256> blob_gas_price;  // Cancun on
};

/// What the receipt of one included transaction says beyond the consensus receipt.
struct ReceiptDetails {
    uint64_t gas_used = 0;
    uint256 effective_gas_price;
    size_t transaction_index = 0;  // among the included transactions
    size_t first_log_index = 0;    // of the block's logs
};

nlohmann::ordered_json receipt_json(const Transaction& tx, const Receipt& receipt, const ReceiptDetails& details,
                                    const ReceiptBlock& block);

/// geth's alloc: accounts by address; "code", "storage" and "nonce" only when not empty/zero,
/// "balance" always.
nlohmann::ordered_json alloc_json(const std::vector<StateDatabase::DumpedAccount>& accounts);

std::string hex_number(uint64_t value);

}  // namespace polyvm::tools::t8n

#include "tools/t8n_output.hpp"

#include "common/hex.hpp"
#include "exec/execution_host.hpp"

namespace polyvm::tools::t8n {

std::string hex_number(uint64_t value) { return uint256{value}.to_hex(); }

namespace {
using ojson = nlohmann::ordered_json;

std::string hex_word(const uint256& value) { return to_hex_prefixed(value.to_hash()); }

ojson log_json(const Log& log, const Hash32& tx_hash, const ReceiptDetails& details, size_t log_index,
               const ReceiptBlock& block) {
    ojson topics = ojson::array();
    for (const Hash32& t : log.topics) topics.push_back(to_hex_prefixed(t));
    return ojson{{"address", to_hex_prefixed(log.address)},
                 {"topics", std::move(topics)},
                 {"data", to_hex_prefixed(log.data)},
                 {"blockNumber", hex_number(block.number)},
                 {"transactionHash", to_hex_prefixed(tx_hash)},
                 {"transactionIndex", hex_number(details.transaction_index)},
                 {"blockHash", to_hex_prefixed(block.hash)},
                 {"blockTimestamp", hex_number(block.timestamp)},
                 {"logIndex", hex_number(log_index)},
                 {"removed", false}};
}
}  // namespace

ojson receipt_json(const Transaction& tx, const Receipt& receipt, const ReceiptDetails& details,
                   const ReceiptBlock& block) {
    const Hash32 tx_hash = transaction_hash(tx);
    ojson logs = ojson::array();
    for (size_t i = 0; i < receipt.logs.size(); ++i)
        logs.push_back(log_json(receipt.logs[i], tx_hash, details, details.first_log_index + i, block));

    ojson r;
    // geth omits the type of legacy receipts (a zero `type` is left out).
    if (tx.type != TransactionType::Legacy) r["type"] = hex_number(static_cast<uint64_t>(tx.type));
    r["root"] = receipt.post_state_root ? to_hex_prefixed(*receipt.post_state_root) : "0x";
    r["status"] = receipt.success ? "0x1" : "0x0";
    r["cumulativeGasUsed"] = hex_number(receipt.cumulative_gas_used);
    r["logsBloom"] = to_hex_prefixed(receipt.logs_bloom);
    r["logs"] = std::move(logs);
    r["transactionHash"] = to_hex_prefixed(tx_hash);
    // A creation names the created address even when the creation failed (as geth does).
    r["contractAddress"] = to_hex_prefixed(tx.to ? Address{} : create_address(tx.sender, tx.nonce));
    r["gasUsed"] = hex_number(details.gas_used);
    r["effectiveGasPrice"] = details.effective_gas_price.to_hex();
    if (tx.type == TransactionType::Blob) {
        r["blobGasUsed"] = hex_number(kGasPerBlob * tx.blob_versioned_hashes.size());
        if (block.blob_gas_price) r["blobGasPrice"] = block.blob_gas_price->to_hex();
    }
    r["blockHash"] = to_hex_prefixed(block.hash);
    r["blockNumber"] = hex_number(block.number);
    r["transactionIndex"] = hex_number(details.transaction_index);
    return r;
}

ojson alloc_json(const std::vector<StateDatabase::DumpedAccount>& accounts) {
    ojson alloc = ojson::object();
    // dump() is sorted by address, which is also the order of the lower-case hex keys.
    for (const auto& a : accounts) {
        ojson account;
        if (a.code && !a.code->empty()) account["code"] = to_hex_prefixed(*a.code);
        if (!a.storage.empty()) {
            ojson storage;
            for (const auto& [key, value] : a.storage) storage[hex_word(key)] = hex_word(value);
            account["storage"] = std::move(storage);
        }
        account["balance"] = a.info.balance.to_hex();
        if (a.info.nonce != 0) account["nonce"] = hex_number(a.info.nonce);
        alloc[to_hex_prefixed(a.address)] = std::move(account);
    }
    return alloc;
}

}  // namespace polyvm::tools::t8n

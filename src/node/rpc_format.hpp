// The JSON shapes of blocks, transactions, receipts and logs, as geth writes them, and the
// transaction-request object that eth_call, eth_estimateGas and eth_sendTransaction take.
#pragma once

#include "node/dev_chain.hpp"
#include "rpc/params.hpp"
#include "trace/geth_format.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace polyvm::node {

using json = nlohmann::json;
using rpc::data_hex;
using rpc::hex;
using rpc::quantity;


/// A transaction of a block (index), or a pending one (block null).
json transaction_json(const Transaction& tx, const Hash32& hash, const BlockView* block, size_t index,
                      const ChainConfig& config);
json block_json(const BlockView& block, bool full_transactions, const ChainConfig& config);
json log_json(const Log& log, const BlockView& block, size_t tx_index, uint32_t log_index);
json receipt_json(const BlockView& block, size_t index, const ChainConfig& config);
/// The price per gas a mined transaction paid (its receipt's effectiveGasPrice).
uint256 effective_price(const Transaction& tx, const BlockHeader& header, const ChainConfig& config);

/// The transaction object of eth_call / eth_estimateGas / eth_sendTransaction. Absent fields stay
/// nullopt; `input` and `data` are both accepted (they must agree when both are given).
struct TransactionRequest {
    std::optional<Address> from;
    std::optional<Address> to;
    std::optional<uint64_t> gas;
    std::optional<uint256> gas_price;
    std::optional<uint256> max_fee_per_gas;
    std::optional<uint256> max_priority_fee_per_gas;
    std::optional<uint256> max_fee_per_blob_gas;
    std::optional<uint256> value;
    std::optional<uint64_t> nonce;
    std::optional<uint256> chain_id;
    std::optional<TransactionType> type;
    bytes input;
    std::optional<AccessList> access_list;
    std::vector<Hash32> blob_versioned_hashes;
    std::vector<Authorization> authorization_list;
};
/// Throws rpc::RpcError (invalid params) naming the field that is wrong.
TransactionRequest parse_transaction_request(const json& object, size_t argument_index);
/// The request that is the method's parameter `index` (required): parse_transaction_request of
/// it, or geth's "missing value for required argument N".
TransactionRequest transaction_request_param(const json& params, size_t index);

/// The transaction a request describes, filled with the node's defaults (type from the fee
/// fields; unsigned). `default_gas`: the request's gas or this; fees: zero when absent (calls).
Transaction transaction_from_request(const TransactionRequest& request, uint64_t default_gas, uint64_t nonce,
                                     const uint256& chain_id);

/// geth's message for a rejected transaction ("nonce too low", "insufficient funds for gas *
/// price + value", ...) from our rule names.
std::string geth_rejection_message(const TransactionError& error, const Transaction& tx);

/// A storage key as geth reads it (eth_getStorageAt, eth_getProof): up to 32 bytes of hex,
/// leading zeros allowed ("0x7" or the zero-padded 32-byte form clients send). Throws
/// rpc::DecodeError.
uint256 decode_storage_key(const json& value);
/// decode_storage_key of a positional parameter, with geth's "invalid argument N" errors.
uint256 param_storage_key(const json& params, size_t index);

/// The revert reason of Error(string) / Panic(uint256) output (shared with the tracers).
using trace::decode_revert_reason;

}  // namespace polyvm::node

#include "node/rpc_format.hpp"

#include "common/hex.hpp"

#include "exec/transaction_execution.hpp"
#include "rpc/error.hpp"
#include "rpc/params.hpp"

namespace polyvm::node {
namespace {
json access_list_json(const AccessList& list) {
    json out = json::array();
    for (const auto& entry : list) {
        json keys = json::array();
        for (const auto& k : entry.storage_keys) keys.push_back(hex(k));
        out.push_back({{"address", hex(entry.address)}, {"storageKeys", std::move(keys)}});
    }
    return out;
}

}  // namespace

uint256 effective_price(const Transaction& tx, const BlockHeader& header, const ChainConfig& config) {
    BlockInfo info;
    info.base_fee = header.base_fee_per_gas.value_or(uint256{});
    return effective_gas_price(tx, info, config.revision_at(header.timestamp));
}

json transaction_json(const Transaction& tx, const Hash32& hash, const BlockView* block, size_t index,
                      const ChainConfig& config) {
    json out;
    out["hash"] = hex(hash);
    out["type"] = quantity(static_cast<uint64_t>(tx.type));
    out["nonce"] = quantity(tx.nonce);
    out["from"] = hex(tx.sender);
    out["to"] = tx.to ? json(hex(*tx.to)) : json(nullptr);
    out["value"] = quantity(tx.value);
    out["gas"] = quantity(tx.gas_limit);
    out["input"] = data_hex(tx.data);
    if (block) {
        out["blockHash"] = hex(block->hash);
        out["blockNumber"] = quantity(block->block.header.number);
        out["blockTimestamp"] = quantity(block->block.header.timestamp);
        out["transactionIndex"] = quantity(static_cast<uint64_t>(index));
    } else {
        out["blockHash"] = nullptr;
        out["blockNumber"] = nullptr;
        out["transactionIndex"] = nullptr;
    }
    if (tx.type == TransactionType::Legacy || tx.type == TransactionType::AccessList) {
        out["gasPrice"] = quantity(tx.gas_price);
    } else {
        out["gasPrice"] = quantity(block ? effective_price(tx, block->block.header, config) : tx.max_fee_per_gas);
        out["maxFeePerGas"] = quantity(tx.max_fee_per_gas);
        out["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas);
    }
    if (tx.type != TransactionType::Legacy) out["accessList"] = access_list_json(tx.access_list);
    if (tx.chain_id) out["chainId"] = quantity(*tx.chain_id);
    if (tx.type == TransactionType::Blob) {
        out["maxFeePerBlobGas"] = quantity(tx.max_fee_per_blob_gas);
        json hashes = json::array();
        for (const auto& h : tx.blob_versioned_hashes) hashes.push_back(hex(h));
        out["blobVersionedHashes"] = std::move(hashes);
    }
    if (tx.type == TransactionType::SetCode) {
        json list = json::array();
        for (const auto& a : tx.authorization_list)
            list.push_back({{"chainId", quantity(a.chain_id)},
                            {"address", hex(a.address)},
                            {"nonce", quantity(a.nonce)},
                            {"yParity", quantity(uint64_t{a.y_parity})},
                            {"r", quantity(a.r)},
                            {"s", quantity(a.s)}});
        out["authorizationList"] = std::move(list);
    }
    out["v"] = quantity(tx.v);
    out["r"] = quantity(tx.r);
    out["s"] = quantity(tx.s);
    if (tx.type != TransactionType::Legacy) out["yParity"] = quantity(tx.v);
    return out;
}

json block_json(const BlockView& view, bool full_transactions, const ChainConfig& config) {
    const BlockHeader& h = view.block.header;
    json out;
    out["number"] = quantity(h.number);
    out["hash"] = hex(view.hash);
    out["parentHash"] = hex(h.parent_hash);
    out["nonce"] = data_hex(bytes_view(h.nonce.bytes.data(), 8));
    out["sha3Uncles"] = hex(h.ommers_hash);
    out["logsBloom"] = data_hex(bytes_view(h.logs_bloom.bytes.data(), h.logs_bloom.bytes.size()));
    out["transactionsRoot"] = hex(h.transactions_root);
    out["stateRoot"] = hex(h.state_root);
    out["receiptsRoot"] = hex(h.receipts_root);
    out["miner"] = hex(h.coinbase);
    out["difficulty"] = quantity(h.difficulty);
    out["totalDifficulty"] = quantity(h.difficulty);
    out["extraData"] = data_hex(h.extra_data);
    out["size"] = quantity(static_cast<uint64_t>(view.encoded_size));
    out["gasLimit"] = quantity(h.gas_limit);
    out["gasUsed"] = quantity(h.gas_used);
    out["timestamp"] = quantity(h.timestamp);
    out["mixHash"] = hex(h.mix_hash);
    if (h.base_fee_per_gas) out["baseFeePerGas"] = quantity(*h.base_fee_per_gas);
    if (h.withdrawals_root) out["withdrawalsRoot"] = hex(*h.withdrawals_root);
    if (h.blob_gas_used) out["blobGasUsed"] = quantity(*h.blob_gas_used);
    if (h.excess_blob_gas) out["excessBlobGas"] = quantity(*h.excess_blob_gas);
    if (h.parent_beacon_block_root) out["parentBeaconBlockRoot"] = hex(*h.parent_beacon_block_root);
    if (h.requests_hash) out["requestsHash"] = hex(*h.requests_hash);
    json transactions = json::array();
    for (size_t i = 0; i < view.block.transactions.size(); ++i) {
        if (full_transactions)
            transactions.push_back(transaction_json(view.block.transactions[i], view.transaction_hashes[i], &view, i, config));
        else
            transactions.push_back(hex(view.transaction_hashes[i]));
    }
    out["transactions"] = std::move(transactions);
    out["uncles"] = json::array();
    if (view.block.withdrawals) {
        json withdrawals = json::array();
        for (const auto& w : *view.block.withdrawals)
            withdrawals.push_back({{"index", quantity(w.index)},
                                   {"validatorIndex", quantity(w.validator_index)},
                                   {"address", hex(w.address)},
                                   {"amount", quantity(w.amount_gwei)}});
        out["withdrawals"] = std::move(withdrawals);
    }
    return out;
}

json log_json(const Log& log, const BlockView& block, size_t tx_index, uint32_t log_index) {
    json topics = json::array();
    for (const auto& t : log.topics) topics.push_back(hex(t));
    return {{"address", hex(log.address)},
            {"topics", std::move(topics)},
            {"data", data_hex(log.data)},
            {"blockNumber", quantity(block.block.header.number)},
            {"blockHash", hex(block.hash)},
            {"blockTimestamp", quantity(block.block.header.timestamp)},
            {"transactionHash", hex(block.transaction_hashes[tx_index])},
            {"transactionIndex", quantity(static_cast<uint64_t>(tx_index))},
            {"logIndex", quantity(uint64_t{log_index})},
            {"removed", false}};
}

json receipt_json(const BlockView& block, size_t index, const ChainConfig& config) {
    const Transaction& tx = block.block.transactions[index];
    const Receipt& receipt = block.receipts.at(index);
    const BlockHeader& h = block.block.header;
    json logs = json::array();
    for (size_t i = 0; i < receipt.logs.size(); ++i)
        logs.push_back(log_json(receipt.logs[i], block, index, block.first_log_index[index] + static_cast<uint32_t>(i)));
    json out = {{"transactionHash", hex(block.transaction_hashes[index])},
                {"transactionIndex", quantity(static_cast<uint64_t>(index))},
                {"blockHash", hex(block.hash)},
                {"blockNumber", quantity(h.number)},
                {"from", hex(tx.sender)},
                {"to", tx.to ? json(hex(*tx.to)) : json(nullptr)},
                {"cumulativeGasUsed", quantity(receipt.cumulative_gas_used)},
                {"gasUsed", quantity(block.gas_used[index])},
                {"contractAddress", block.contract_addresses[index] ? json(hex(*block.contract_addresses[index])) : json(nullptr)},
                {"logs", std::move(logs)},
                {"logsBloom", data_hex(bytes_view(receipt.logs_bloom.bytes.data(), receipt.logs_bloom.bytes.size()))},
                {"type", quantity(static_cast<uint64_t>(tx.type))},
                {"status", quantity(uint64_t{receipt.success ? 1u : 0u})},
                {"effectiveGasPrice", quantity(effective_price(tx, h, config))}};
    out["blockTimestamp"] = quantity(h.timestamp);
    // The blob gas price of the block (Cancun on, every receipt as Anvil gives it); blob gas
    // used only for blob transactions.
    const Revision rev = config.revision_at(h.timestamp);
    if (const auto schedule = config.blob_schedule(rev))
        out["blobGasPrice"] = quantity(blob_base_fee(h.excess_blob_gas.value_or(0), schedule->base_fee_update_fraction));
    if (tx.type == TransactionType::Blob) out["blobGasUsed"] = quantity(uint64_t{kGasPerBlob} * tx.blob_versioned_hashes.size());
    return out;
}

namespace {
template <typename F>
auto field(const json& object, const char* name, size_t argument_index, F decode) -> std::optional<decltype(decode(object))> {
    const auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    try {
        return decode(*it);
    } catch (const rpc::DecodeError& e) {
        throw rpc::RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": json: cannot unmarshal " +
                                                     e.what() + " into Go struct field TransactionArgs." + name);
    }
}
}  // namespace

TransactionRequest transaction_request_param(const json& params, size_t index) {
    const json* object = rpc::param_at(params, index);
    if (!object) throw rpc::RpcError(rpc::kInvalidParams, "missing value for required argument " + std::to_string(index));
    return parse_transaction_request(*object, index);
}

TransactionRequest parse_transaction_request(const json& object, size_t argument_index) {
    if (!object.is_object())
        throw rpc::RpcError(rpc::kInvalidParams,
                            "invalid argument " + std::to_string(argument_index) + ": expected a transaction object");
    TransactionRequest r;
    r.from = field(object, "from", argument_index, rpc::decode_address);
    r.to = field(object, "to", argument_index, rpc::decode_address);
    r.gas = field(object, "gas", argument_index, rpc::decode_quantity_u64);
    r.gas_price = field(object, "gasPrice", argument_index, rpc::decode_quantity);
    r.max_fee_per_gas = field(object, "maxFeePerGas", argument_index, rpc::decode_quantity);
    r.max_priority_fee_per_gas = field(object, "maxPriorityFeePerGas", argument_index, rpc::decode_quantity);
    r.max_fee_per_blob_gas = field(object, "maxFeePerBlobGas", argument_index, rpc::decode_quantity);
    r.value = field(object, "value", argument_index, rpc::decode_quantity);
    r.nonce = field(object, "nonce", argument_index, rpc::decode_quantity_u64);
    r.chain_id = field(object, "chainId", argument_index, rpc::decode_quantity);
    if (const auto type = field(object, "type", argument_index, rpc::decode_quantity_u64)) {
        if (*type > 4)
            throw rpc::RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) +
                                                         ": transaction type " + std::to_string(*type) + " not supported");
        r.type = static_cast<TransactionType>(*type);
    }
    const auto input = field(object, "input", argument_index, rpc::decode_data);
    const auto data = field(object, "data", argument_index, rpc::decode_data);
    if (input && data && *input != *data)
        throw rpc::RpcError(rpc::kInvalidParams, "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass transaction call data");
    if (input) r.input = *input;
    else if (data) r.input = *data;
    if (const auto it = object.find("accessList"); it != object.end() && !it->is_null()) {
        if (!it->is_array()) throw rpc::RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": accessList must be an array");
        AccessList list;
        for (const json& entry : *it) {
            if (!entry.is_object()) throw rpc::RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": accessList entries must be objects");
            AccessListEntry e;
            e.address = *field(entry, "address", argument_index, rpc::decode_address);
            if (const auto keys = entry.find("storageKeys"); keys != entry.end() && keys->is_array())
                for (const json& k : *keys) e.storage_keys.push_back(field(json{{"k", k}}, "k", argument_index, rpc::decode_hash).value());
            list.push_back(std::move(e));
        }
        r.access_list = std::move(list);
    }
    if (const auto it = object.find("blobVersionedHashes"); it != object.end() && it->is_array())
        for (const json& h : *it) r.blob_versioned_hashes.push_back(field(json{{"h", h}}, "h", argument_index, rpc::decode_hash).value());
    if (const auto it = object.find("authorizationList"); it != object.end() && it->is_array()) {
        for (const json& a : *it) {
            if (!a.is_object()) throw rpc::RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": authorizationList entries must be objects");
            Authorization auth;
            auth.chain_id = field(a, "chainId", argument_index, rpc::decode_quantity).value_or(uint256{});
            auth.address = field(a, "address", argument_index, rpc::decode_address).value_or(Address{});
            auth.nonce = field(a, "nonce", argument_index, rpc::decode_quantity_u64).value_or(0);
            auth.y_parity = static_cast<uint8_t>(field(a, "yParity", argument_index, rpc::decode_quantity_u64).value_or(0));
            auth.r = field(a, "r", argument_index, rpc::decode_quantity).value_or(uint256{});
            auth.s = field(a, "s", argument_index, rpc::decode_quantity).value_or(uint256{});
            r.authorization_list.push_back(auth);
        }
    }
    return r;
}

Transaction transaction_from_request(const TransactionRequest& r, uint64_t default_gas, uint64_t nonce,
                                     const uint256& chain_id) {
    Transaction tx;
    tx.sender = r.from.value_or(Address{});
    tx.to = r.to;
    tx.gas_limit = r.gas.value_or(default_gas);
    tx.value = r.value.value_or(uint256{});
    tx.data = r.input;
    tx.nonce = r.nonce.value_or(nonce);
    tx.chain_id = r.chain_id.value_or(chain_id);
    if (r.type) tx.type = *r.type;
    else if (!r.authorization_list.empty()) tx.type = TransactionType::SetCode;
    else if (!r.blob_versioned_hashes.empty()) tx.type = TransactionType::Blob;
    else if (r.gas_price) tx.type = r.access_list ? TransactionType::AccessList : TransactionType::Legacy;
    else tx.type = TransactionType::DynamicFee;
    if (tx.type == TransactionType::Legacy || tx.type == TransactionType::AccessList) {
        tx.gas_price = r.gas_price.value_or(r.max_fee_per_gas.value_or(uint256{}));
        tx.max_fee_per_gas = tx.gas_price;
        tx.max_priority_fee_per_gas = tx.gas_price;
    } else {
        tx.max_fee_per_gas = r.max_fee_per_gas.value_or(r.gas_price.value_or(uint256{}));
        tx.max_priority_fee_per_gas = r.max_priority_fee_per_gas.value_or(
            r.max_fee_per_gas ? uint256{} : r.gas_price.value_or(uint256{}));
        if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas) tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
        tx.gas_price = tx.max_fee_per_gas;
    }
    tx.access_list = r.access_list.value_or(AccessList{});
    tx.max_fee_per_blob_gas = r.max_fee_per_blob_gas.value_or(uint256{});
    tx.blob_versioned_hashes = r.blob_versioned_hashes;
    tx.authorization_list = r.authorization_list;
    return tx;
}

std::string geth_rejection_message(const TransactionError& e, const Transaction& tx) {
    const std::string& rule = e.rule;
    const std::string from = hex(tx.sender);
    if (rule == "NONCE_MISMATCH_TOO_LOW") return "nonce too low";
    if (rule == "NONCE_MISMATCH_TOO_HIGH") return "nonce too high";
    if (rule == "INSUFFICIENT_ACCOUNT_FUNDS") return "insufficient funds for gas * price + value";
    if (rule == "INTRINSIC_GAS_TOO_LOW") return "intrinsic gas too low";
    if (rule == "INTRINSIC_GAS_BELOW_FLOOR_GAS_COST") return "insufficient gas for floor data gas cost";
    if (rule == "INVALID_CHAINID") return "invalid chain id";
    if (rule == "GAS_ALLOWANCE_EXCEEDED") return "exceeds block gas limit";
    if (rule == "GAS_LIMIT_EXCEEDS_MAXIMUM") return "transaction gas limit too high";
    if (rule == "INSUFFICIENT_MAX_FEE_PER_GAS")
        return "max fee per gas less than block base fee: address " + from + ", maxFeePerGas: " + tx.max_fee_per_gas.to_hex();
    if (rule == "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS")
        return "max priority fee per gas higher than max fee per gas: address " + from;
    if (rule == "SENDER_NOT_EOA") return "sender not an eoa: address " + from;
    if (rule == "INITCODE_SIZE_EXCEEDED") return "max initcode size exceeded";
    if (rule == "NONCE_IS_MAX") return "nonce has max value: address " + from;
    if (rule == "TYPE_3_TX_PRE_FORK" || rule == "TYPE_4_TX_PRE_FORK" || rule == "TYPE_NOT_SUPPORTED")
        return "transaction type not supported";
    if (rule == "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS") return "max fee per blob gas less than block blob gas fee";
    if (rule == "INVALID_SIGNATURE_VRS" || rule == "EC_RECOVERY_FAIL") return "invalid transaction v, r, s values";
    return e.detail.empty() ? rule : e.detail;
}

uint256 decode_storage_key(const json& value) {
    if (!value.is_string()) throw rpc::DecodeError("expected a hex string");
    std::string_view text = value.get_ref<const std::string&>();
    if (!text.starts_with("0x") && !text.starts_with("0X")) throw rpc::DecodeError("hex string without 0x prefix");
    text.remove_prefix(2);
    if (text.size() > 64) throw rpc::DecodeError("hex string too long, want at most 32 bytes");
    std::string padded(64 - text.size(), '0');
    padded += text;
    const auto raw = from_hex(padded);
    if (!raw) throw rpc::DecodeError("invalid hex string");
    return uint256::from_be(*raw);
}

uint256 param_storage_key(const json& params, size_t index) {
    const json* value = rpc::param_at(params, index);
    if (!value) throw rpc::RpcError(rpc::kInvalidParams, "missing value for required argument " + std::to_string(index));
    try {
        return decode_storage_key(*value);
    } catch (const rpc::DecodeError& e) {
        throw rpc::RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(index) + ": " + e.what());
    }
}

}  // namespace polyvm::node

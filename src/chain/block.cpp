#include "chain/block.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "state/trie.hpp"

namespace polyvm {

const Hash32 kEmptyOmmersHash = keccak256(rlp::ListBuilder{}.finish());

BlockError block_error(std::string rule, std::string detail) {
    return BlockError{"BlockException." + std::move(rule), std::move(detail)};
}

BlockError transaction_error(std::string rule, std::string detail) {
    return BlockError{"TransactionException." + std::move(rule), std::move(detail)};
}

namespace {

BlockError structure_error(const std::string& where, const rlp::Error& e) {
    return block_error("RLP_STRUCTURES_ENCODING", where + ": " + e.message);
}

/// A 64-bit header or withdrawal integer; wider ones have their own exception name.
BlockResult<uint64_t> read_u64(const rlp::Item& item, const std::string& where) {
    auto v = rlp::to_u64(item);
    if (v) return *v;
    if (v.error().code == rlp::Errc::IntegerTooLarge)
        return block_error("RLP_INVALID_FIELD_OVERFLOW_64", where + " does not fit 64 bits");
    return structure_error(where, v.error());
}

template <size_t N>
BlockResult<FixedBytes<N>> read_fixed(const rlp::Item& item, const std::string& where) {
    auto v = rlp::to_fixed<N>(item);
    if (!v) {
        if (N == 20 && v.error().code == rlp::Errc::WrongSize)
            return block_error("RLP_INVALID_ADDRESS", where + ": " + v.error().message);
        return structure_error(where, v.error());
    }
    return *v;
}

// Reads into `out` or returns the error from the enclosing function.
#define POLYVM_READ(out, expr)                                          \
    do {                                                                \
        auto read_result_ = (expr);                                     \
        if (auto* e = std::get_if<BlockError>(&read_result_)) return *e; \
        out = std::move(std::get<0>(read_result_));                     \
    } while (0)

BlockResult<BlockHeader> decode_header_item(const rlp::Item& item) {
    if (!item.is_list) return block_error("RLP_STRUCTURES_ENCODING", "header: expected a list");
    auto fields = rlp::list_items(item);
    if (!fields) return structure_error("header", fields.error());
    const auto& f = *fields;
    // 15 fields before London; each later fork appends its own (London 16 ... Prague 21).
    if (f.size() < 15 || f.size() > 21)
        return block_error("RLP_STRUCTURES_ENCODING", "header with " + std::to_string(f.size()) + " fields");
    BlockHeader h;
    POLYVM_READ(h.parent_hash, read_fixed<32>(f[0], "parentHash"));
    POLYVM_READ(h.ommers_hash, read_fixed<32>(f[1], "ommersHash"));
    POLYVM_READ(h.coinbase, read_fixed<20>(f[2], "coinbase"));
    POLYVM_READ(h.state_root, read_fixed<32>(f[3], "stateRoot"));
    POLYVM_READ(h.transactions_root, read_fixed<32>(f[4], "transactionsRoot"));
    POLYVM_READ(h.receipts_root, read_fixed<32>(f[5], "receiptsRoot"));
    POLYVM_READ(h.logs_bloom, read_fixed<256>(f[6], "logsBloom"));
    auto difficulty = rlp::to_uint256(f[7]);
    if (!difficulty) return structure_error("difficulty", difficulty.error());
    h.difficulty = *difficulty;
    POLYVM_READ(h.number, read_u64(f[8], "number"));
    POLYVM_READ(h.gas_limit, read_u64(f[9], "gasLimit"));
    POLYVM_READ(h.gas_used, read_u64(f[10], "gasUsed"));
    POLYVM_READ(h.timestamp, read_u64(f[11], "timestamp"));
    auto extra = rlp::to_bytes(f[12]);
    if (!extra) return structure_error("extraData", extra.error());
    h.extra_data = std::move(*extra);
    POLYVM_READ(h.mix_hash, read_fixed<32>(f[13], "mixHash"));
    POLYVM_READ(h.nonce, read_fixed<8>(f[14], "nonce"));
    if (f.size() > 15) {
        auto base_fee = rlp::to_uint256(f[15]);
        if (!base_fee) return structure_error("baseFeePerGas", base_fee.error());
        h.base_fee_per_gas = *base_fee;
    }
    if (f.size() > 16) POLYVM_READ(h.withdrawals_root, read_fixed<32>(f[16], "withdrawalsRoot"));
    if (f.size() > 17) POLYVM_READ(h.blob_gas_used, read_u64(f[17], "blobGasUsed"));
    if (f.size() > 18) POLYVM_READ(h.excess_blob_gas, read_u64(f[18], "excessBlobGas"));
    if (f.size() > 19) POLYVM_READ(h.parent_beacon_block_root, read_fixed<32>(f[19], "parentBeaconBlockRoot"));
    if (f.size() > 20) POLYVM_READ(h.requests_hash, read_fixed<32>(f[20], "requestsHash"));
    // blobGasUsed and excessBlobGas come as a pair (EIP-4844).
    if (f.size() == 18) return block_error("RLP_STRUCTURES_ENCODING", "header has blobGasUsed without excessBlobGas");
    return h;
}

BlockResult<Withdrawal> decode_withdrawal(const rlp::Item& item, size_t index) {
    const std::string where = "withdrawal " + std::to_string(index);
    if (!item.is_list) return block_error("RLP_WITHDRAWALS_NOT_READ", where + ": expected a list");
    auto fields = rlp::list_items(item);
    if (!fields) return structure_error(where, fields.error());
    if (fields->size() != 4)
        return block_error("RLP_WITHDRAWALS_NOT_READ", where + ": " + std::to_string(fields->size()) + " fields");
    Withdrawal w;
    POLYVM_READ(w.index, read_u64((*fields)[0], where + " index"));
    POLYVM_READ(w.validator_index, read_u64((*fields)[1], where + " validatorIndex"));
    POLYVM_READ(w.address, read_fixed<20>((*fields)[2], where + " address"));
    POLYVM_READ(w.amount_gwei, read_u64((*fields)[3], where + " amount"));
    return w;
}

/// A transaction of a block body: an RLP list (legacy) or a byte string holding `type || payload`.
BlockResult<Transaction> decode_body_transaction(const rlp::Item& item, size_t index) {
    const std::string where = "transaction " + std::to_string(index);
    const bytes_view encoded = item.is_list ? item.encoded : item.payload;
    if (!item.is_list && (encoded.empty() || encoded[0] >= 0x80))
        return block_error("RLP_STRUCTURES_ENCODING", where + ": not a typed transaction envelope");
    if (!item.is_list && encoded[0] == static_cast<uint8_t>(TransactionType::Blob)) {
        // EIP-4844: blocks carry blob transactions without their blobs; the network wrapper is
        // rlp([tx_payload_body, blobs, commitments, proofs]), whose first element is a list.
        if (auto outer = rlp::decode_item(encoded.subspan(1)); outer && outer->is_list) {
            rlp::ListReader reader{*outer};
            if (auto first = reader.next(); first && first->is_list)
                return transaction_error("TYPE_3_TX_WITH_FULL_BLOBS", where + " carries its blobs");
        }
    }
    auto decoded = decode_transaction(encoded);
    if (auto* error = std::get_if<TransactionError>(&decoded)) {
        // A value wider than 256 bits has its own name; any other malformed transaction makes
        // the block's encoding invalid.
        if (error->rule.find("VALUE") != std::string::npos)
            return transaction_error("RLP_INVALID_VALUE", where + ": " + error->detail);
        return block_error("RLP_STRUCTURES_ENCODING", where + ": " + error->rule + " " + error->detail);
    }
    return std::move(std::get<Transaction>(decoded));
}

void append_header_fields(rlp::ListBuilder& b, const BlockHeader& h) {
    b.add(h.parent_hash).add(h.ommers_hash).add(h.coinbase).add(h.state_root).add(h.transactions_root);
    b.add(h.receipts_root).add(h.logs_bloom).add(h.difficulty).add(h.number).add(h.gas_limit).add(h.gas_used);
    b.add(h.timestamp).add(h.extra_data).add(h.mix_hash).add(h.nonce);
    if (h.base_fee_per_gas) b.add(*h.base_fee_per_gas);
    if (h.withdrawals_root) b.add(*h.withdrawals_root);
    if (h.blob_gas_used) b.add(*h.blob_gas_used);
    if (h.excess_blob_gas) b.add(*h.excess_blob_gas);
    if (h.parent_beacon_block_root) b.add(*h.parent_beacon_block_root);
    if (h.requests_hash) b.add(*h.requests_hash);
}

}  // namespace

bytes encode_header(const BlockHeader& header) {
    rlp::ListBuilder b;
    append_header_fields(b, header);
    return b.finish();
}

Hash32 header_hash(const BlockHeader& header) { return keccak256(encode_header(header)); }

bytes encode_withdrawal(const Withdrawal& w) {
    return rlp::ListBuilder{}.add(w.index).add(w.validator_index).add(w.address).add(w.amount_gwei).finish();
}

bytes encode_block(const Block& block) {
    rlp::ListBuilder txs;
    for (const Transaction& tx : block.transactions) {
        const bytes encoded = encode_transaction(tx);
        // Typed transactions sit in the body as byte strings holding `type || payload`.
        if (tx.type == TransactionType::Legacy)
            txs.add_raw(encoded);
        else
            txs.add(encoded);
    }
    rlp::ListBuilder ommers;
    for (const BlockHeader& o : block.ommers) ommers.add_raw(encode_header(o));
    rlp::ListBuilder b;
    b.add_raw(encode_header(block.header)).add_raw(txs.finish()).add_raw(ommers.finish());
    if (block.withdrawals) {
        rlp::ListBuilder ws;
        for (const Withdrawal& w : *block.withdrawals) ws.add_raw(encode_withdrawal(w));
        b.add_raw(ws.finish());
    }
    return b.finish();
}

BlockResult<BlockHeader> decode_header(bytes_view encoded) {
    auto item = rlp::decode_item(encoded);
    if (!item) return structure_error("header", item.error());
    return decode_header_item(*item);
}

BlockResult<Block> decode_block(bytes_view encoded) {
    auto item = rlp::decode_item(encoded);
    if (!item) return structure_error("block", item.error());
    if (!item->is_list) return block_error("RLP_STRUCTURES_ENCODING", "block: expected a list");
    auto parts = rlp::list_items(*item);
    if (!parts) return structure_error("block", parts.error());
    if (parts->size() < 3 || parts->size() > 4)
        return block_error("RLP_STRUCTURES_ENCODING", "block with " + std::to_string(parts->size()) + " parts");
    Block block;
    POLYVM_READ(block.header, decode_header_item((*parts)[0]));

    const rlp::Item& txs = (*parts)[1];
    if (!txs.is_list) return block_error("RLP_STRUCTURES_ENCODING", "transactions: expected a list");
    auto tx_items = rlp::list_items(txs);
    if (!tx_items) return structure_error("transactions", tx_items.error());
    for (size_t i = 0; i < tx_items->size(); ++i) {
        Transaction tx;
        POLYVM_READ(tx, decode_body_transaction((*tx_items)[i], i));
        block.transactions.push_back(std::move(tx));
    }

    const rlp::Item& ommers = (*parts)[2];
    if (!ommers.is_list) return block_error("RLP_STRUCTURES_ENCODING", "ommers: expected a list");
    auto ommer_items = rlp::list_items(ommers);
    if (!ommer_items) return structure_error("ommers", ommer_items.error());
    for (const rlp::Item& o : *ommer_items) {
        BlockHeader h;
        POLYVM_READ(h, decode_header_item(o));
        block.ommers.push_back(std::move(h));
    }

    if (parts->size() == 4) {
        const rlp::Item& ws = (*parts)[3];
        if (!ws.is_list) return block_error("RLP_WITHDRAWALS_NOT_READ", "withdrawals: expected a list");
        auto w_items = rlp::list_items(ws);
        if (!w_items) return structure_error("withdrawals", w_items.error());
        block.withdrawals.emplace();
        for (size_t i = 0; i < w_items->size(); ++i) {
            Withdrawal w;
            POLYVM_READ(w, decode_withdrawal((*w_items)[i], i));
            block.withdrawals->push_back(w);
        }
    }
    return block;
}

Hash32 transactions_root(const std::vector<Transaction>& transactions) {
    std::vector<bytes> values;
    values.reserve(transactions.size());
    for (const Transaction& tx : transactions) values.push_back(encode_transaction(tx));
    return ordered_trie_root(values);
}

Hash32 withdrawals_root(const std::vector<Withdrawal>& withdrawals) {
    std::vector<bytes> values;
    values.reserve(withdrawals.size());
    for (const Withdrawal& w : withdrawals) values.push_back(encode_withdrawal(w));
    return ordered_trie_root(values);
}

}  // namespace polyvm

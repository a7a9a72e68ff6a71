// Intrinsic gas and the transaction checks that need no state, per fork.
#include "tx/transaction.hpp"

namespace polyvm {
namespace {

TransactionError tx_error(std::string rule, std::string detail) { return {std::move(rule), std::move(detail)}; }

/// The fork that introduced each envelope type.
Revision activation(TransactionType t) noexcept {
    switch (t) {
        case TransactionType::Legacy: return Revision::Frontier;
        case TransactionType::AccessList: return Revision::Berlin;   // EIP-2930
        case TransactionType::DynamicFee: return Revision::London;   // EIP-1559
        case TransactionType::Blob: return Revision::Cancun;         // EIP-4844
        case TransactionType::SetCode: return Revision::Prague;      // EIP-7702
    }
    return Revision::Osaka;
}

/// The rule for a transaction type used before its fork. execution-spec-tests names blob and
/// set-code transactions specifically (TYPE_3_TX_PRE_FORK, e.g. Pyspecs/cancun/eip4844_blobs/
/// blob_type_tx_pre_fork.json; TYPE_4_TX_PRE_FORK); the older envelopes have only the generic name.
const char* pre_fork_rule(TransactionType t) noexcept {
    switch (t) {
        case TransactionType::Blob: return "TYPE_3_TX_PRE_FORK";
        case TransactionType::SetCode: return "TYPE_4_TX_PRE_FORK";
        default: return "TYPE_NOT_SUPPORTED";
    }
}

struct DataCounts {
    uint64_t zero = 0, nonzero = 0;
};
DataCounts count_data(const bytes& data) noexcept {
    DataCounts c;
    for (uint8_t b : data) (b == 0 ? c.zero : c.nonzero)++;
    return c;
}

}  // namespace

uint64_t default_max_blobs_per_block(Revision rev) noexcept {
    // EIP-4844 / EIP-7691 / EIP-7892: the per-fork schedule lives in the fork table.
    const auto schedule = default_blob_schedule(rev);
    return schedule ? schedule->max : 0;
}

int64_t intrinsic_gas(const Transaction& tx, Revision rev) {
    const bool creation = !tx.to.has_value();
    int64_t gas = 21000;  // G_transaction
    // EIP-2 (Homestead): creations pay G_txcreate on top.
    if (creation && rev >= Revision::Homestead) gas += 32000;
    // Calldata: 4 per zero byte, 68 per non-zero byte; EIP-2028 (Istanbul) lowers non-zero to 16.
    const DataCounts dc = count_data(tx.data);
    const int64_t nonzero_cost = rev >= Revision::Istanbul ? 16 : 68;
    gas += static_cast<int64_t>(dc.zero) * 4 + static_cast<int64_t>(dc.nonzero) * nonzero_cost;
    // EIP-3860 (Shanghai): 2 per 32-byte word of initcode, for the JUMPDEST analysis it costs.
    if (creation && rev >= Revision::Shanghai) gas += 2 * static_cast<int64_t>((tx.data.size() + 31) / 32);
    // EIP-2930 (Berlin): pre-warming costs 2400 per address and 1900 per storage key.
    if (rev >= Revision::Berlin) {
        for (const auto& e : tx.access_list) gas += 2400 + 1900 * static_cast<int64_t>(e.storage_keys.size());
    }
    // EIP-7702 (Prague): PER_EMPTY_ACCOUNT_COST for each authorization tuple.
    if (rev >= Revision::Prague) gas += 25000 * static_cast<int64_t>(tx.authorization_list.size());
    return gas;
}

int64_t calldata_floor_gas(const Transaction& tx, Revision rev) {
    // EIP-7623 (Prague): tokens = zero bytes + 4 * non-zero bytes; floor = 21000 + 10 * tokens.
    if (rev < Revision::Prague) return 0;
    const DataCounts dc = count_data(tx.data);
    return 21000 + 10 * static_cast<int64_t>(dc.zero + 4 * dc.nonzero);
}

std::optional<TransactionError> validate_chain_id(const Transaction& tx, Revision rev, const uint256& chain_id) {
    // EIP-155 / EIP-2930: a transaction signed for another chain must not replay here.
    // Before Spurious Dragon a legacy v >= 35 is no chain id at all (recover_sender refuses it).
    const bool carries_chain_id =
        tx.chain_id && (tx.type != TransactionType::Legacy || rev >= Revision::SpuriousDragon);
    if (carries_chain_id && *tx.chain_id != chain_id)
        return tx_error("INVALID_CHAINID", "chain id " + tx.chain_id->to_decimal() + ", expected " + chain_id.to_decimal());
    return std::nullopt;
}

namespace {
/// EIP-4844's per-block blob limit and (Osaka) EIP-7594's per-transaction one, under the names
/// execution-spec-tests gives them.
std::optional<TransactionError> validate_blob_count(uint64_t count, uint64_t max_block, Revision rev) {
    const std::string over_block = std::to_string(count) + " blobs > the block's limit of " + std::to_string(max_block);
    if (rev < Revision::Osaka) {
        // Only the block limit exists, and a transaction that alone exceeds it carries too many
        // blobs (EEST test_invalid_tx_blob_count: max_blobs_per_block + 1 blobs).
        if (count > max_block) return tx_error("TYPE_3_TX_BLOB_COUNT_EXCEEDED", over_block);
        return std::nullopt;
    }
    // Osaka: execution-specs' check_transaction tests the block's blob gas allowance before the
    // new per-transaction count (EEST test_invalid_max_blobs_per_tx: 10 blobs exceed the
    // allowance, 7 to 9 only the count).
    if (count > max_block) return tx_error("TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", over_block);
    if (count > kMaxBlobsPerTransaction)
        return tx_error("TYPE_3_TX_BLOB_COUNT_EXCEEDED", std::to_string(count) + " blobs > 6 (EIP-7594)");
    return std::nullopt;
}

std::optional<TransactionError> validate_impl(const Transaction& tx, Revision rev, const TxValidationContext* ctx) {
    // EIP-2718 envelopes are only valid once their EIP is active.
    if (rev < activation(tx.type))
        return tx_error(pre_fork_rule(tx.type), std::string(transaction_type_name(tx.type)) + " is not valid before " +
                                                    std::string(revision_name(activation(tx.type))));

    if (ctx)
        if (auto e = validate_chain_id(tx, rev, ctx->chain_id)) return e;

    // EIP-1559: the tip can never exceed the fee cap.
    if (tx.type >= TransactionType::DynamicFee && tx.max_priority_fee_per_gas > tx.max_fee_per_gas)
        return tx_error("PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS",
                        "max priority fee " + tx.max_priority_fee_per_gas.to_decimal() + " > max fee " +
                            tx.max_fee_per_gas.to_decimal());

    // gas_limit * fee_cap is what the sender must be able to pay up front; if it does not fit
    // 256 bits no balance can cover it.
    if (!tx.max_fee_per_gas.is_zero() && uint256{tx.gas_limit} > uint256::max() / tx.max_fee_per_gas)
        return tx_error("GASLIMIT_PRICE_PRODUCT_OVERFLOW", "gas limit * fee cap exceeds 2^256 - 1");

    // EIP-7825 (Osaka): per-transaction gas limit cap.
    if (rev >= Revision::Osaka && tx.gas_limit > kMaxTransactionGasLimit)
        return tx_error("GAS_LIMIT_EXCEEDS_MAXIMUM", "gas limit " + std::to_string(tx.gas_limit) + " > 2^24 (EIP-7825)");

    const int64_t intrinsic = intrinsic_gas(tx, rev);
    if (static_cast<uint64_t>(intrinsic) > tx.gas_limit)
        return tx_error("INTRINSIC_GAS_TOO_LOW", "intrinsic gas " + std::to_string(intrinsic) + " > gas limit " +
                                                     std::to_string(tx.gas_limit));
    // EIP-7623 (Prague): the gas limit must also cover the calldata floor. It is the same rule:
    // execution-specs' validate_transaction rejects max(intrinsic, floor) > gas limit as one
    // InsufficientTransactionGasError, which the fixtures name INTRINSIC_GAS_TOO_LOW.
    if (const int64_t floor = calldata_floor_gas(tx, rev); static_cast<uint64_t>(floor) > tx.gas_limit)
        return tx_error("INTRINSIC_GAS_TOO_LOW", "calldata floor " + std::to_string(floor) + " > gas limit " +
                                                     std::to_string(tx.gas_limit) + " (EIP-7623)");

    // EIP-2681: the sender's nonce can never reach 2^64 - 1, so no transaction may carry it.
    if (tx.nonce == ~uint64_t{0}) return tx_error("NONCE_IS_MAX", "nonce 2^64 - 1 (EIP-2681)");

    // EIP-3860 (Shanghai): initcode is limited to 2 * MAX_CODE_SIZE.
    if (rev >= Revision::Shanghai && !tx.to && tx.data.size() > kMaxInitcodeSize)
        return tx_error("INITCODE_SIZE_EXCEEDED", "initcode of " + std::to_string(tx.data.size()) + " bytes > " +
                                                      std::to_string(kMaxInitcodeSize));

    if (tx.type == TransactionType::Blob) {
        // EIP-4844: blob transactions cannot create contracts, carry at least one blob, and
        // every versioned hash starts with the KZG version byte.
        if (!tx.to) return tx_error("TYPE_3_TX_CONTRACT_CREATION", "blob transaction without `to`");
        if (tx.blob_versioned_hashes.empty()) return tx_error("TYPE_3_TX_ZERO_BLOBS", "blob transaction without blobs");
        for (size_t i = 0; i < tx.blob_versioned_hashes.size(); ++i)
            if (tx.blob_versioned_hashes[i][0] != kBlobCommitmentVersionKzg)
                return tx_error("TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH",
                                "blob versioned hash " + std::to_string(i) + " has version byte " +
                                    std::to_string(tx.blob_versioned_hashes[i][0]) + ", expected 1");
        const uint64_t max_block =
            ctx && ctx->max_blobs_per_block ? *ctx->max_blobs_per_block : default_max_blobs_per_block(rev);
        if (auto e = validate_blob_count(tx.blob_versioned_hashes.size(), max_block, rev)) return e;
    }

    if (tx.type == TransactionType::SetCode) {
        // EIP-7702: set-code transactions need a destination and at least one authorization.
        if (!tx.to) return tx_error("TYPE_4_TX_CONTRACT_CREATION", "set-code transaction without `to`");
        if (tx.authorization_list.empty())
            return tx_error("TYPE_4_EMPTY_AUTHORIZATION_LIST", "set-code transaction without authorizations");
    }
    return std::nullopt;
}
}  // namespace

std::optional<TransactionError> validate_transaction_static(const Transaction& tx, Revision rev) {
    // No chain to compare against: the chain id is not checked; fork-default blob limit.
    return validate_impl(tx, rev, nullptr);
}

std::optional<TransactionError> validate_transaction_static(const Transaction& tx, Revision rev,
                                                            const TxValidationContext& ctx) {
    return validate_impl(tx, rev, &ctx);
}

}  // namespace polyvm

#include "chain/header_validation.hpp"

#include "exec/block_info.hpp"
#include "tx/transaction.hpp"

namespace polyvm {

namespace {
constexpr uint64_t kElasticityMultiplier = 2;       // EIP-1559
constexpr uint64_t kBaseFeeChangeDenominator = 8;   // EIP-1559
constexpr uint64_t kGasLimitBoundDivisor = 1024;    // Yellow Paper (4.4.4)
constexpr uint64_t kMinGasLimit = 5000;
constexpr uint64_t kMaxGasLimit = 0x7fffffffffffffff;  // 2^63 - 1, as geth and the specs bound it
constexpr size_t kMaxExtraDataSize = 32;
}  // namespace

uint256 expected_base_fee(const BlockHeader& parent) {
    const uint256 parent_base_fee = parent.base_fee_per_gas.value_or(uint256{});
    const uint64_t target = parent.gas_limit / kElasticityMultiplier;
    if (target == 0 || parent.gas_used == target) return parent_base_fee;
    if (parent.gas_used > target) {
        const uint256 delta = parent_base_fee * uint256{parent.gas_used - target} / uint256{target} /
                              uint256{kBaseFeeChangeDenominator};
        return parent_base_fee + (delta.is_zero() ? uint256{1} : delta);
    }
    const uint256 delta =
        parent_base_fee * uint256{target - parent.gas_used} / uint256{target} / uint256{kBaseFeeChangeDenominator};
    return parent_base_fee - delta;
}

std::optional<BlockError> validate_header(const BlockHeader& header, const BlockHeader& parent,
                                          const ChainConfig& config) {
    const Revision rev = config.revision_at(header.timestamp);
    if (rev < Revision::Paris)
        return block_error("UNSUPPORTED_FORK", "blocks before the Merge are not supported (" +
                                                   std::string(revision_name(rev)) + ")");
    if (header.number != parent.number + 1 || parent.number == UINT64_MAX)
        return block_error("INVALID_BLOCK_NUMBER", "number " + std::to_string(header.number) + " after parent " +
                                                       std::to_string(parent.number));
    if (header.timestamp <= parent.timestamp)
        return block_error("INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT", "timestamp not above the parent's");
    if (header.gas_limit > kMaxGasLimit) return block_error("GASLIMIT_TOO_BIG", "gas limit above 2^63-1");
    const uint64_t bound = parent.gas_limit / kGasLimitBoundDivisor;
    const uint64_t diff =
        header.gas_limit > parent.gas_limit ? header.gas_limit - parent.gas_limit : parent.gas_limit - header.gas_limit;
    if (diff >= bound || header.gas_limit < kMinGasLimit)
        return block_error("INVALID_GASLIMIT", "gas limit " + std::to_string(header.gas_limit) +
                                                   " outside the bounds set by the parent's " +
                                                   std::to_string(parent.gas_limit));
    if (header.gas_used > header.gas_limit) return block_error("GAS_USED_OVERFLOW", "gas used above the gas limit");
    if (header.extra_data.size() > kMaxExtraDataSize)
        return block_error("EXTRA_DATA_TOO_BIG", std::to_string(header.extra_data.size()) + " bytes of extra data");

    // The Merge (EIP-3675): no proof of work, no ommers.
    if (!header.difficulty.is_zero()) return block_error("IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS", "difficulty not 0");
    if (!header.nonce.is_zero()) return block_error("IMPORT_IMPOSSIBLE_NONCE_OVER_PARIS", "nonce not 0");
    if (header.ommers_hash != kEmptyOmmersHash)
        return block_error("IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", "ommers hash of a non-empty list");

    if (!header.base_fee_per_gas || *header.base_fee_per_gas != expected_base_fee(parent))
        return block_error("INVALID_BASEFEE_PER_GAS", "base fee differs from the EIP-1559 value");

    // Each fork's header fields are present exactly from that fork on.
    auto field = [&](bool present, Revision from, const char* name) -> std::optional<BlockError> {
        if (present == (rev >= from)) return std::nullopt;
        return block_error("INVALID_HEADER_FIELDS", std::string(name) + (present ? " present before " : " missing in ") +
                                                      std::string(revision_name(rev)));
    };
    if (auto e = field(header.withdrawals_root.has_value(), Revision::Shanghai, "withdrawalsRoot")) return e;
    if (auto e = field(header.blob_gas_used.has_value(), Revision::Cancun, "blobGasUsed")) return e;
    if (auto e = field(header.excess_blob_gas.has_value(), Revision::Cancun, "excessBlobGas")) return e;
    if (auto e = field(header.parent_beacon_block_root.has_value(), Revision::Cancun, "parentBeaconBlockRoot")) return e;
    if (auto e = field(header.requests_hash.has_value(), Revision::Prague, "requestsHash")) return e;

    if (rev >= Revision::Cancun) {
        // blobGasUsed itself is checked against the executed body (INCORRECT_BLOB_GAS_USED).
        const BlobSchedule schedule = *config.blob_schedule(rev);
        ParentBlobInfo parent_blobs;
        parent_blobs.excess_blob_gas = parent.excess_blob_gas.value_or(0);
        parent_blobs.blob_gas_used = parent.blob_gas_used.value_or(0);
        parent_blobs.base_fee = parent.base_fee_per_gas.value_or(uint256{});
        if (*header.excess_blob_gas != calc_excess_blob_gas(parent_blobs, schedule, rev))
            return block_error("INCORRECT_EXCESS_BLOB_GAS", "excess blob gas differs from the parent's successor value");
    }
    return std::nullopt;
}

std::optional<BlockError> validate_body(const Block& block, size_t encoded_size, const ChainConfig& config) {
    const BlockHeader& header = block.header;
    const Revision rev = config.revision_at(header.timestamp);
    if (rev >= Revision::Osaka && encoded_size > kMaxRlpBlockSize)
        return block_error("RLP_BLOCK_LIMIT_EXCEEDED", std::to_string(encoded_size) + " bytes of RLP");
    if (!block.ommers.empty()) return block_error("IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", "block carries ommers");
    if (block.withdrawals.has_value() != (rev >= Revision::Shanghai))
        return block_error("RLP_WITHDRAWALS_NOT_READ", block.withdrawals ? "withdrawals before Shanghai"
                                                                         : "no withdrawals list from Shanghai on");
    return std::nullopt;
}

std::optional<BlockError> validate_body_roots(const Block& block) {
    const BlockHeader& header = block.header;
    if (transactions_root(block.transactions) != header.transactions_root)
        return block_error("INVALID_TRANSACTIONS_ROOT", "transactions root differs from the body's");
    if (block.withdrawals && withdrawals_root(*block.withdrawals) != *header.withdrawals_root)
        return block_error("INVALID_WITHDRAWALS_ROOT", "withdrawals root differs from the body's");
    return std::nullopt;
}

}  // namespace polyvm

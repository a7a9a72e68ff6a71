// The block a transaction runs in: what the code can see (COINBASE, NUMBER, BASEFEE, ...) and the
// block-level limits a transaction is validated against, plus the blob-gas arithmetic of blocks.
#pragma once

#include "common/revision.hpp"
#include "common/types.hpp"
#include "common/uint256.hpp"

#include <optional>

namespace polyvm {

struct BlockInfo {
    // Header fields take their full 64-bit range (a header may carry any uint64 value).
    uint64_t number = 0;
    uint64_t timestamp = 0;
    uint64_t gas_limit = 0;
    Address coinbase;
    uint256 difficulty;
    std::optional<Hash32> prev_randao;  // present after the Merge
    uint256 base_fee;                   // EIP-1559 (London on)
    uint64_t excess_blob_gas = 0;       // EIP-4844 (Cancun on)
    /// The chain configuration's schedule (a state test's config.blobSchedule); when absent the
    /// fork table's default applies (see blob_schedule_for).
    std::optional<BlobSchedule> blob_schedule;
};

/// The blob schedule in force for `block` under `rev`: the block's override, else the fork's
/// default from the fork table; nullopt before Cancun.
std::optional<BlobSchedule> blob_schedule_for(const BlockInfo& block, Revision rev) noexcept;

/// EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, update_fraction).
uint256 blob_base_fee(uint64_t excess_blob_gas, uint64_t update_fraction);

/// The parent-block values the next block's excess blob gas is derived from.
struct ParentBlobInfo {
    uint64_t excess_blob_gas = 0;
    uint64_t blob_gas_used = 0;
    uint256 base_fee;  // parent.base_fee_per_gas, read only from Osaka on (EIP-7918)
};

/// EIP-7918 (Osaka): a blob's execution-gas reserve price.
inline constexpr uint64_t kBlobBaseCost = uint64_t{1} << 13;

/// The excess blob gas of a block whose parent is `parent`, under the child's fork `rev` and
/// schedule (EIP-4844; EIP-7918 from Osaka). The parent's blob base fee is computed with the same
/// schedule, which is what the spec does at fork boundaries too (the child's parameters).
uint64_t calc_excess_blob_gas(const ParentBlobInfo& parent, const BlobSchedule& schedule, Revision rev);

}  // namespace polyvm

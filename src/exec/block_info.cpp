#include "exec/block_info.hpp"

#include "tx/transaction.hpp"

namespace polyvm {

std::optional<BlobSchedule> blob_schedule_for(const BlockInfo& block, Revision rev) noexcept {
    if (rev < Revision::Cancun) return std::nullopt;  // no blobs before EIP-4844
    if (block.blob_schedule) return block.blob_schedule;
    return default_blob_schedule(rev);
}

uint256 blob_base_fee(uint64_t excess_blob_gas, uint64_t update_fraction) {
    // EIP-4844 fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS = 1, excess, fraction): a Taylor series
    // in integers, exactly as specified (the result must match bit for bit).
    if (update_fraction == 0) return uint256{1};  // degenerate configuration: no division by zero
    const uint256 factor = 1, numerator = excess_blob_gas, denominator = update_fraction;
    uint256 output = 0;
    uint256 accum = factor * denominator;
    for (uint64_t i = 1; !accum.is_zero(); ++i) {
        output += accum;
        accum = (accum * numerator) / (denominator * uint256{i});
    }
    return output / denominator;
}

uint64_t calc_excess_blob_gas(const ParentBlobInfo& parent, const BlobSchedule& schedule, Revision rev) {
    const uint64_t target_blob_gas = schedule.target * kGasPerBlob;
    const uint64_t sum = parent.excess_blob_gas + parent.blob_gas_used;
    // EIP-4844: the excess never goes below zero.
    if (sum < target_blob_gas) return 0;
    if (rev >= Revision::Osaka && schedule.max != 0) {
        // EIP-7918: while a blob's execution reserve price (BLOB_BASE_COST * base fee) exceeds its
        // blob-gas price, the target is not subtracted: the excess only grows, by the used gas
        // scaled so the per-block maximum increase stays what it was (max - target blobs).
        const uint256 reserve = uint256{kBlobBaseCost} * parent.base_fee;
        const uint256 blob_price =
            uint256{kGasPerBlob} * blob_base_fee(parent.excess_blob_gas, schedule.base_fee_update_fraction);
        if (reserve > blob_price)
            return parent.excess_blob_gas +
                   parent.blob_gas_used * (schedule.max - schedule.target) / schedule.max;
    }
    return sum - target_blob_gas;
}

}  // namespace polyvm

// SSTORE gas and refunds per revision, as a table indexed by what the store did to the slot
// (StorageStatus, computed by the host from the slot's original/current/new values).
#pragma once

#include "common/revision.hpp"
#include "evm/gas_constants.hpp"
#include "evm/host.hpp"

#include <array>

namespace polyvm {

struct SstoreCost {
    int64_t gas;
    int64_t refund;  // added to the refund counter; negative takes an earlier refund back
};

inline constexpr size_t kNumStorageStatuses = static_cast<size_t>(StorageStatus::ModifiedRestored) + 1;
using SstoreCostTable = std::array<SstoreCost, kNumStorageStatuses>;

namespace storage_detail {
using S = StorageStatus;

constexpr void set(SstoreCostTable& t, S s, int64_t gas, int64_t refund) {
    t[static_cast<size_t>(s)] = {gas, refund};
}

/// Frontier rule: 20000 to make a zero slot non-zero, 5000 otherwise; 15000 refund for
/// clearing a non-zero slot. Only the current and new value matter.
constexpr SstoreCostTable legacy_table() {
    SstoreCostTable t{};
    for (auto s : {S::Added, S::DeletedAdded, S::DeletedRestored})  // current == 0, new != 0
        set(t, s, gas::kSstoreSet, 0);
    for (auto s : {S::Deleted, S::ModifiedDeleted, S::AddedDeleted})  // current != 0, new == 0
        set(t, s, gas::kSstoreReset, gas::kSstoreClearsRefund);
    for (auto s : {S::Assigned, S::Modified, S::ModifiedRestored}) set(t, s, gas::kSstoreReset, 0);
    return t;
}

/// Net gas metering in EIP-2200's parametrised form. EIP-1283 is the same with SLOAD_GAS = 200;
/// EIP-2929 lowers SSTORE_RESET by the cold-slot cost and uses the warm read as SLOAD_GAS;
/// EIP-3529 lowers SSTORE_CLEARS_SCHEDULE to 4800.
constexpr SstoreCostTable net_metering_table(int64_t sload, int64_t reset, int64_t clears) {
    SstoreCostTable t{};
    set(t, S::Assigned, sload, 0);
    set(t, S::Added, gas::kSstoreSet, 0);
    set(t, S::Deleted, reset, clears);
    set(t, S::Modified, reset, 0);
    set(t, S::DeletedAdded, sload, -clears);
    set(t, S::ModifiedDeleted, sload, clears);
    set(t, S::DeletedRestored, sload, -clears + (reset - sload));
    set(t, S::AddedDeleted, sload, gas::kSstoreSet - sload);
    set(t, S::ModifiedRestored, sload, reset - sload);
    return t;
}

inline constexpr SstoreCostTable kLegacy = legacy_table();
inline constexpr SstoreCostTable kEip1283 = net_metering_table(200, gas::kSstoreReset, gas::kSstoreClearsRefund);
inline constexpr SstoreCostTable kEip2200 = net_metering_table(800, gas::kSstoreReset, gas::kSstoreClearsRefund);
inline constexpr SstoreCostTable kEip2929 = net_metering_table(gas::kWarmAccess, gas::kSstoreReset - gas::kColdSload,
                                                               gas::kSstoreClearsRefund);
inline constexpr SstoreCostTable kEip3529 = net_metering_table(gas::kWarmAccess, gas::kSstoreReset - gas::kColdSload,
                                                               gas::kSstoreClearsRefundLondon);
}  // namespace storage_detail

/// The SSTORE cost table in force in `rev` (excluding EIP-2929's cold-slot surcharge).
inline constexpr const SstoreCostTable& sstore_cost_table(Revision rev) noexcept {
    using namespace storage_detail;
    if (rev >= Revision::London) return kEip3529;
    if (rev >= Revision::Berlin) return kEip2929;
    if (rev >= Revision::Istanbul) return kEip2200;
    if (rev == Revision::Constantinople) return kEip1283;  // Petersburg removed EIP-1283 again
    return kLegacy;
}

inline constexpr SstoreCost sstore_cost(Revision rev, StorageStatus status) noexcept {
    return sstore_cost_table(rev)[static_cast<size_t>(status)];
}

}  // namespace polyvm

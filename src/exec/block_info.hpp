// The block a transaction runs in: what the code can see (COINBASE, NUMBER, BASEFEE, ...) and the
// block-level limits a transaction is validated against.
#pragma once

#include "common/types.hpp"
#include "common/uint256.hpp"

#include <optional>

namespace polyvm {

/// EIP-4844 / EIP-7691 blob parameters of a fork.
struct BlobSchedule {
    uint64_t target = 3;
    uint64_t max = 6;
    uint64_t base_fee_update_fraction = 3338477;
};

struct BlockInfo {
    int64_t number = 0;
    int64_t timestamp = 0;
    int64_t gas_limit = 0;
    Address coinbase;
    uint256 difficulty;
    std::optional<Hash32> prev_randao;  // present after the Merge
    uint256 base_fee;                   // EIP-1559 (London on)
    uint64_t excess_blob_gas = 0;       // EIP-4844 (Cancun on)
    std::optional<BlobSchedule> blob_schedule;  // from the test's config; the fork's default otherwise
};


/// EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, update_fraction).
uint256 blob_base_fee(uint64_t excess_blob_gas, uint64_t update_fraction);

}  // namespace polyvm

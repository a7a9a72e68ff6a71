// The block most execution unit tests run in: number 1 at time 1000, 30M gas, base fee 7, after
// the Merge (PREVRANDAO zero), with the test's coinbase.
#pragma once

#include "exec/block_info.hpp"

namespace polyvm::test {

inline BlockInfo simple_block(const Address& coinbase) {
    BlockInfo b;
    b.number = 1;
    b.timestamp = 1000;
    b.gas_limit = 30'000'000;
    b.coinbase = coinbase;
    b.base_fee = 7;
    b.prev_randao = Hash32{};
    return b;
}

}  // namespace polyvm::test

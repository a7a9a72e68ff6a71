// Small, readable addresses for unit tests: 0x00..00<last>, or with a distinguishing first byte.
#pragma once

#include "common/types.hpp"

namespace polyvm::test {

inline Address addr(uint8_t last, uint8_t first = 0) {
    Address a;
    a[0] = first;
    a[19] = last;
    return a;
}

}  // namespace polyvm::test

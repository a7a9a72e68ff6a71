#include "wasm/runtime.hpp"

#include <algorithm>
#include <new>

namespace polyvm::wasm {

uint32_t MemoryInstance::grow(uint32_t delta) {
    const uint32_t old_pages = pages();
    if (uint64_t(old_pages) + delta > max_pages) return UINT32_MAX;
    try {
        bytes.resize((uint64_t(old_pages) + delta) * kPageSize);
    } catch (const std::bad_alloc&) {  // the host is out of memory: growth fails as the spec allows
        return UINT32_MAX;
    }
    type.limits.min = old_pages + delta;
    return old_pages;
}

uint32_t TableInstance::grow(uint32_t delta, Slot init) {
    const uint64_t old_size = elements.size();
    const uint64_t limit = std::min<uint64_t>(type.limits.max.value_or(UINT32_MAX), kMaxElements);
    if (old_size + delta > limit) return UINT32_MAX;
    try {
        elements.resize(old_size + delta, init);
    } catch (const std::bad_alloc&) {  // the host is out of memory: growth fails as the spec allows
        return UINT32_MAX;
    }
    type.limits.min = uint32_t(old_size + delta);
    return uint32_t(old_size);
}

}  // namespace polyvm::wasm

#include "wasm/runtime.hpp"

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

}  // namespace polyvm::wasm

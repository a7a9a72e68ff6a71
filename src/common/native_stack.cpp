#include "common/native_stack.hpp"

#include <pthread.h>

#include <cstdint>

namespace polyvm {

namespace {

struct StackBounds {
    bool probed = false;
    bool known = false;
    uintptr_t low = 0;   // lowest usable address (above the guard page)
    uintptr_t high = 0;  // one past the highest
};

// Asked once per thread: pthread_getattr_np reads /proc/self/maps for the main thread.
thread_local StackBounds bounds;

}  // namespace

size_t native_stack_left() noexcept {
    if (!bounds.probed) [[unlikely]] {
        bounds.probed = true;
        pthread_attr_t attributes;
        if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
            void* address = nullptr;
            size_t size = 0;
            if (pthread_attr_getstack(&attributes, &address, &size) == 0 && address && size) {
                bounds.low = reinterpret_cast<uintptr_t>(address);
                bounds.high = bounds.low + size;
                bounds.known = true;
            }
            pthread_attr_destroy(&attributes);
        }
    }
    // The frame address, not a local's: under AddressSanitizer locals may live on a fake stack.
    const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    if (!bounds.known || here <= bounds.low || here > bounds.high) return SIZE_MAX;
    return here - bounds.low;
}

}  // namespace polyvm

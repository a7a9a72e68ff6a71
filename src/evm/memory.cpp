#include "evm/memory.hpp"

#include <cstdlib>
#include <new>
#include <vector>

namespace polyvm {
namespace {
// Frames come and go (every CALL makes one), so freed buffers are kept per thread and reused
// instead of going back to malloc. Execution is LIFO, so a plain stack of buffers suffices.
struct BufferPool {
    struct Buffer {
        uint8_t* data;
        size_t capacity;
    };
    std::vector<Buffer> free;
    ~BufferPool() {
        for (auto& b : free) std::free(b.data);
    }
};
thread_local BufferPool pool;
constexpr size_t kInitialCapacity = 4096;
constexpr size_t kMaxPooled = 64;
}  // namespace

Memory::~Memory() {
    if (!data_) return;
    if (pool.free.size() < kMaxPooled && capacity_ <= (size_t{1} << 24)) {
        std::memset(data_, 0, size_);  // pooled buffers are all zero (the class invariant)
        pool.free.push_back({data_, capacity_});
    } else {
        std::free(data_);
    }
}

void Memory::reserve(size_t new_size) {
    if (!data_ && !pool.free.empty() && pool.free.back().capacity >= new_size) {
        data_ = pool.free.back().data;
        capacity_ = pool.free.back().capacity;
        pool.free.pop_back();
        return;
    }
    size_t cap = capacity_ ? capacity_ : kInitialCapacity;
    while (cap < new_size) cap *= 2;
    auto* p = static_cast<uint8_t*>(std::realloc(data_, cap));
    if (!p) throw std::bad_alloc();  // host resource exhaustion, not attacker input
    std::memset(p + capacity_, 0, cap - capacity_);
    data_ = p;
    capacity_ = cap;
}

int64_t grow_memory(int64_t gas_left, Memory& memory, uint64_t end) {
    const uint64_t new_words = num_words(end);
    const uint64_t old_words = memory.size() / 32;
    gas_left -= memory_cost(new_words) - memory_cost(old_words);
    if (gas_left >= 0) {
        // A gas limit far above any block's can pay for more memory than the host has: the
        // frame then runs out of gas instead of the exception ending the process (the
        // interpreter is noexcept). Within a block's gas limit memory stays a few MiB.
        try {
            memory.grow(new_words * 32);
        } catch (const std::bad_alloc&) {
            return -1;
        }
    }
    return gas_left;
}

}  // namespace polyvm

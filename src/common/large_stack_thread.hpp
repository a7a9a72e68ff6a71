// A joinable thread with an explicit stack size. The interpreter nests call frames by native
// recursion (EVM depth up to 1024), which needs more than a default thread stack, especially
// under AddressSanitizer, so every thread that executes transactions is started through this.
#pragma once

#include <pthread.h>

#include <functional>
#include <memory>
#include <stdexcept>

namespace polyvm {

inline constexpr size_t kExecutionStackSize = size_t{256} << 20;  // virtual; pages are committed lazily

class LargeStackThread {
public:
    explicit LargeStackThread(std::function<void()> body, size_t stack_size = kExecutionStackSize)
        : body_(std::make_unique<std::function<void()>>(std::move(body))) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, stack_size);
        const int rc = pthread_create(&thread_, &attr, &LargeStackThread::entry, body_.get());
        pthread_attr_destroy(&attr);
        if (rc != 0) throw std::runtime_error("cannot start a thread");
        joinable_ = true;
    }
    LargeStackThread(LargeStackThread&& other) noexcept
        : thread_(other.thread_), body_(std::move(other.body_)), joinable_(other.joinable_) {
        other.joinable_ = false;
    }
    LargeStackThread(const LargeStackThread&) = delete;
    LargeStackThread& operator=(const LargeStackThread&) = delete;
    LargeStackThread& operator=(LargeStackThread&&) = delete;
    ~LargeStackThread() { join(); }

    void join() {
        if (joinable_) {
            pthread_join(thread_, nullptr);
            joinable_ = false;
        }
    }

private:
    static void* entry(void* arg) {
        (*static_cast<std::function<void()>*>(arg))();
        return nullptr;
    }

    pthread_t thread_{};
    std::unique_ptr<std::function<void()>> body_;
    bool joinable_ = false;
};

/// Runs `body` to completion on a thread with a large stack and waits for it.
inline void run_with_large_stack(std::function<void()> body) {
    LargeStackThread t(std::move(body));
    t.join();
}

}  // namespace polyvm

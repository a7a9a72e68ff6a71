// Runs each input's check on one long-lived thread with a large stack. Deep calls under
// AddressSanitizer do not fit the main thread's 8 MiB; a fresh thread per input (as the targets
// first did) spent a quarter of the time in page faults, touching the new stack's pages again.
#pragma once

#include "common/large_stack_thread.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>

namespace polyvm::fuzz {

class LargeStackWorker {
public:
    explicit LargeStackWorker(size_t stack_size)
        : thread_([this] { serve(); }, stack_size) {}

    /// Runs `job` on the worker and waits for it. The worker lives as long as the process: a
    /// target's static instance is never destroyed before libFuzzer exits.
    void run(const std::function<void()>& job) {
        std::unique_lock lock(mutex_);
        job_ = &job;
        changed_.notify_all();
        changed_.wait(lock, [this] { return job_ == nullptr; });
    }

private:
    void serve() {
        std::unique_lock lock(mutex_);
        for (;;) {
            changed_.wait(lock, [this] { return job_ != nullptr; });
            (*job_)();
            job_ = nullptr;
            changed_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    const std::function<void()>* job_ = nullptr;
    LargeStackThread thread_;  // last: starts once the members it uses exist
};

/// The one worker of a target, 64 MiB of stack.
inline void run_on_large_stack(const std::function<void()>& job) {
    static LargeStackWorker* worker = new LargeStackWorker(size_t{64} << 20);  // never joined
    worker->run(job);
}

}  // namespace polyvm::fuzz

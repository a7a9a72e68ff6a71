// A process-wide set of large-stack threads that help a caller with one job at a time each, kept
// between jobs: starting threads (and faulting in their stacks) for every block costs more than
// a small block's whole execution.
#pragma once

#include "common/large_stack_thread.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

namespace polyvm {

class WorkerPool {
public:
    static WorkerPool& shared();

    WorkerPool() = default;
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Runs task(0) on the calling thread and task(1) .. task(helpers) on pool threads as they
    /// become free; returns when task(0) has returned and every helper task that started has
    /// finished (those that had not started are dropped). So task(0) alone must be able to finish
    /// the work: helpers only speed it up. Several callers may run at once.
    void run(unsigned helpers, const std::function<void(unsigned)>& task);

    /// Shares the items [0, count) out in chunks of `chunk` (at least 1) among the calling thread
    /// and up to `helpers` pool threads, as run(): work(worker, first, last) for each chunk, with
    /// worker in [0, helpers]. An exception from any worker is rethrown here once all have
    /// stopped (the lowest worker's); the other workers go on with their chunks meanwhile.
    template <class Work>
    void for_each_chunk(unsigned helpers, size_t count, size_t chunk, const Work& work) {
        std::atomic<size_t> next{0};
        std::vector<std::exception_ptr> failures(size_t{helpers} + 1);
        run(helpers, [&](unsigned worker) {
            try {
                for (size_t first; (first = next.fetch_add(chunk)) < count;) work(worker, first, std::min(count, first + chunk));
            } catch (...) {
                failures[worker] = std::current_exception();
            }
        });
        for (const auto& failure : failures)
            if (failure) std::rethrow_exception(failure);
    }

private:
    struct Batch {
        std::mutex mutex;
        std::condition_variable done;
        unsigned outstanding = 0;  // queued or running helper tasks
    };
    struct Job {
        const std::function<void(unsigned)>* task;
        unsigned index;
        Batch* batch;
    };
    void work();
    static void finish(Batch& batch, unsigned count);

    std::mutex mutex_;
    std::condition_variable available_;
    std::deque<Job> jobs_;
    std::vector<LargeStackThread> threads_;
    size_t idle_ = 0;
    bool stopping_ = false;
};

}  // namespace polyvm

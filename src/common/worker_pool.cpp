#include "common/worker_pool.hpp"

#include <algorithm>

namespace polyvm {

WorkerPool& WorkerPool::shared() {
    static WorkerPool pool;
    return pool;
}

WorkerPool::~WorkerPool() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    available_.notify_all();
    threads_.clear();  // joins
}

void WorkerPool::finish(Batch& batch, unsigned count) {
    const std::lock_guard lock(batch.mutex);
    batch.outstanding -= count;
    if (batch.outstanding == 0) batch.done.notify_all();
}

void WorkerPool::run(unsigned helpers, const std::function<void(unsigned)>& task) {
    Batch batch;
    if (helpers > 0) {
        const std::lock_guard lock(mutex_);
        // Enough threads that this job's helpers need not wait for other callers' jobs.
        const size_t wanted = jobs_.size() + helpers;
        while (idle_ < wanted && threads_.size() < 1024) {
            try {
                threads_.emplace_back([this] { work(); });
                ++idle_;
            } catch (const std::exception&) {
                break;  // the system refuses more threads: the caller does the work
            }
        }
        batch.outstanding = helpers;
        for (unsigned k = 1; k <= helpers; ++k) jobs_.push_back(Job{&task, k, &batch});
    }
    if (helpers > 0) available_.notify_all();
    task(0);
    if (helpers == 0) return;
    unsigned dropped = 0;
    {
        const std::lock_guard lock(mutex_);
        const auto removed = std::remove_if(jobs_.begin(), jobs_.end(), [&](const Job& job) { return job.batch == &batch; });
        dropped = static_cast<unsigned>(jobs_.end() - removed);
        jobs_.erase(removed, jobs_.end());
    }
    if (dropped) finish(batch, dropped);
    std::unique_lock lock(batch.mutex);
    batch.done.wait(lock, [&] { return batch.outstanding == 0; });
}

void WorkerPool::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            available_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping
            job = jobs_.front();
            jobs_.pop_front();
            --idle_;
        }
        try {
            (*job.task)(job.index);
        } catch (...) {
            // A task reports its own failures (the parallel executor keeps the first exception).
        }
        {
            const std::lock_guard lock(mutex_);
            ++idle_;
        }
        finish(*job.batch, 1);
    }
}

}  // namespace polyvm

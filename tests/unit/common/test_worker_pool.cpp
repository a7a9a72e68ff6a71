#include "common/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace polyvm;

TEST(WorkerPool, ForEachChunkVisitsEveryItemOnceInChunksOfTheGivenSize) {
    for (const unsigned helpers : {0u, 1u, 3u}) {
        for (const size_t chunk : {size_t{1}, size_t{7}, size_t{1000}}) {
            constexpr size_t kItems = 523;
            std::vector<std::atomic<int>> visits(kItems);
            std::atomic<bool> bad_range{false}, bad_worker{false};
            WorkerPool::shared().for_each_chunk(helpers, kItems, chunk, [&](unsigned worker, size_t first, size_t last) {
                if (worker > helpers) bad_worker = true;
                if (first % chunk != 0 || last <= first || last - first > chunk || last > kItems) bad_range = true;
                for (size_t i = first; i < last; ++i) ++visits[i];
            });
            EXPECT_FALSE(bad_range) << helpers << " helpers, chunk " << chunk;
            EXPECT_FALSE(bad_worker) << helpers << " helpers, chunk " << chunk;
            for (size_t i = 0; i < kItems; ++i) ASSERT_EQ(visits[i], 1) << "item " << i << ", " << helpers << " helpers, chunk " << chunk;
        }
    }
}

TEST(WorkerPool, ForEachChunkRethrowsAWorkersExceptionAfterAllStopped) {
    std::atomic<size_t> done{0};
    const auto throwing = [&] {
        WorkerPool::shared().for_each_chunk(2, 64, 1, [&](unsigned, size_t first, size_t) {
            if (first == 40) throw std::runtime_error("item 40");
            ++done;
        });
    };
    EXPECT_THROW(throwing(), std::runtime_error);
    // Items are taken in order, so the 40 before the throwing one were taken, and every worker
    // that took one had finished before the exception came out: nothing counts afterwards.
    const size_t at_return = done.load();
    EXPECT_GE(at_return, 40u);
    EXPECT_LE(at_return, 63u);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(done.load(), at_return);
}

// Commit time of LmdbDatabase as the state grows: a change set of 200 transfers (200 senders'
// nonce and balance, 200 recipients' balance: 400 accounts), state root update included, on
// states of 10^4, 10^5 and 10^6 accounts. With the incremental trie the cost should follow the
// number of changed accounts (and the B-tree depth), not the number of accounts.
//
// One database grows through the sizes (bulk-loaded by commits of 10^4 new accounts, sync off);
// it lives in $POLYVM_BENCH_DIR or the system's temporary folder and is removed at exit.
// Timed: LmdbDatabase::commit only (building the change set and reading the accounts it
// changes, which execution would do, are outside). sync:1 is the default durable commit,
// sync:0 MDB_NOMETASYNC.
//
//   build/bench/bench_db_commit --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "crypto/keccak.hpp"
#include "db/lmdb_database.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <time.h>
#include <unistd.h>

using namespace polyvm;

namespace {

constexpr size_t kLoadBatch = 10'000;
constexpr size_t kTransfers = 200;

/// Account i's address: spread over the key space like real addresses.
Address account_address(uint64_t i) {
    uint8_t seed[8];
    for (int b = 0; b < 8; ++b) seed[b] = static_cast<uint8_t>(i >> (8 * b));
    return Address::from(keccak256(bytes_view{seed, 8}));
}

void sort_by_address(ChangeSet& set) {
    std::sort(set.accounts.begin(), set.accounts.end(), [](const AccountChange& a, const AccountChange& b) { return a.address < b.address; });
}

/// The one database all cases share, grown on demand and reopened when the sync mode changes.
class BenchState {
public:
    BenchState() {
        const char* base = std::getenv("POLYVM_BENCH_DIR");
        dir_ = std::filesystem::path(base && *base ? base : std::filesystem::temp_directory_path().string()) /
               ("polyvm_bench_db_commit_" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
    }
    ~BenchState() {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    LmdbDatabase& database(bool sync) {
        if (!db_ || sync != sync_) {
            db_.reset();
            LmdbOptions options;
            options.sync_every_commit = sync;
            options.initial_map_size = size_t{1} << 30;
            db_ = std::make_unique<LmdbDatabase>(dir_, options);
            sync_ = sync;
        }
        return *db_;
    }

    /// Adds accounts until the state holds `count` of them (sync off while loading).
    void grow_to(size_t count) {
        LmdbDatabase& db = database(false);
        while (accounts_ < count) {
            ChangeSet set;
            const size_t end = std::min(count, accounts_ + kLoadBatch);
            for (size_t i = accounts_; i < end; ++i) {
                AccountChange& change = set.accounts.emplace_back();
                change.address = account_address(i);
                change.account = AccountInfo{0, uint256{1'000'000'000'000'000'000ULL}, kEmptyCodeHash, false};
            }
            sort_by_address(set);
            db.commit(set);
            accounts_ = end;
        }
    }

    size_t accounts() const noexcept { return accounts_; }
    std::mt19937_64& rng() noexcept { return rng_; }

private:
    std::filesystem::path dir_;
    std::unique_ptr<LmdbDatabase> db_;
    bool sync_ = false;
    size_t accounts_ = 0;
    std::mt19937_64 rng_{42};
};

BenchState& bench_state() {
    static BenchState state;
    return state;
}

double thread_cpu_seconds() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// 200 transfers between distinct random accounts, as a block's execution would hand them over.
ChangeSet transfers(LmdbDatabase& db, size_t accounts, std::mt19937_64& rng) {
    std::vector<uint64_t> chosen;
    while (chosen.size() < 2 * kTransfers) {
        const uint64_t i = rng() % accounts;
        if (std::find(chosen.begin(), chosen.end(), i) == chosen.end()) chosen.push_back(i);
    }
    ChangeSet set;
    for (size_t t = 0; t < kTransfers; ++t) {
        const uint64_t amount = 1 + rng() % 1000;
        AccountChange& sender = set.accounts.emplace_back();
        sender.address = account_address(chosen[2 * t]);
        AccountInfo from = *db.read_account(sender.address);
        from.nonce += 1;
        from.balance = from.balance - uint256{amount + 21'000};  // value and gas
        sender.account = from;
        AccountChange& recipient = set.accounts.emplace_back();
        recipient.address = account_address(chosen[2 * t + 1]);
        AccountInfo to = *db.read_account(recipient.address);
        to.balance = to.balance + uint256{amount};
        recipient.account = to;
    }
    sort_by_address(set);
    return set;
}

void BM_Commit200Transfers(benchmark::State& state) {
    const size_t accounts = static_cast<size_t>(state.range(0));
    const bool sync = state.range(1) != 0;
    BenchState& shared = bench_state();
    shared.grow_to(accounts);
    LmdbDatabase& db = shared.database(sync);
    double cpu_seconds = 0;
    const auto before = db.write_back_statistics();
    for (auto _ : state) {
        const ChangeSet set = transfers(db, shared.accounts(), shared.rng());
        const double cpu_start = thread_cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        db.commit(set);
        const auto stop = std::chrono::steady_clock::now();
        cpu_seconds += thread_cpu_seconds() - cpu_start;
        state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    }
    state.counters["accounts"] = static_cast<double>(shared.accounts());
    // The commit's own CPU time (user and kernel: page writes and the flush's submission); the
    // rest of the wall time is waiting for the disk.
    state.counters["commit_cpu_ms"] = benchmark::Counter(cpu_seconds * 1e3, benchmark::Counter::kAvgIterations);
    state.counters["map_MiB"] = static_cast<double>(db.map_size() >> 20);
    const auto after = db.write_back_statistics();
    state.counters["write_backs"] = static_cast<double>(after.write_backs - before.write_backs);
    // The share of the commit time spent writing back (included in the time above).
    state.counters["write_back_ms"] = benchmark::Counter((after.write_back_seconds - before.write_back_seconds) * 1e3, benchmark::Counter::kAvgIterations);
}

}  // namespace

BENCHMARK(BM_Commit200Transfers)
    ->ArgNames({"accounts", "sync"})
    ->Args({10'000, 0})
    ->Args({10'000, 1})
    ->Args({100'000, 0})
    ->Args({100'000, 1})
    ->Args({1'000'000, 0})
    ->Args({1'000'000, 1})
    // Enough commits per run that the write-backs they cause are in the mean (at 10^6 accounts
    // a write-back every few hundred commits): the figure is the amortised cost of a commit.
    ->Iterations(2000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

#include "exec/chunked_executor.hpp"

#include "common/worker_pool.hpp"
#include "exec/parallel_block.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace polyvm::detail {

namespace {

/// What the block changed before its transactions (the system calls), in front of the database:
/// the state every chunk starts from.
class Prelude {
public:
    explicit Prelude(ChangeSet changes) : changes_(std::move(changes)) {
        for (const AccountChange& change : changes_.accounts) index_.emplace(change.address, &change);
    }
    const AccountChange* find(const Address& address) const {
        const auto it = index_.find(address);
        return it == index_.end() ? nullptr : it->second;
    }
    std::shared_ptr<const bytes> code(const Hash32& code_hash) const {
        for (const auto& [hash, code] : changes_.codes)
            if (hash == code_hash) return code;
        return nullptr;
    }

private:
    ChangeSet changes_;
    std::unordered_map<Address, const AccountChange*> index_;
};

/// Everything a chunk read from the state before the block's transactions, with the values seen.
struct ChunkReads {
    std::vector<std::pair<Address, std::optional<AccountInfo>>> accounts;
    std::vector<std::tuple<Address, uint256, uint256>> slots;  // address, key, value
    /// The chunk read what a check against the block's State cannot vouch for: the coinbase
    /// (its fees are deferred, so what a transaction saw depends on the ones before it in the
    /// chunk too) or EIP-7610's "has this account storage" (State::has_nonzero_storage).
    bool unverifiable = false;
};

/// The reader of a chunk's State: the prelude, then the database; records every answer.
class ChunkView final : public StateReader {
public:
    ChunkView(const Prelude& prelude, StateReader& database, const Address& coinbase, ChunkReads& reads)
        : prelude_(prelude), database_(database), coinbase_(coinbase), reads_(reads) {}

    std::optional<AccountInfo> read_account(const Address& address) override {
        if (address == coinbase_) reads_.unverifiable = true;
        std::optional<AccountInfo> info;
        if (const AccountChange* change = prelude_.find(address)) {
            info = change->account;
            if (info) info->has_storage = true;  // a change set's flag means nothing: ask for the slots
        } else {
            info = database_.read_account(address);
        }
        reads_.accounts.emplace_back(address, info);
        return info;
    }
    uint256 read_storage(const Address& address, const uint256& key) override {
        const uint256 value = slot(address, key);
        reads_.slots.emplace_back(address, key, value);
        return value;
    }
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override {
        if (auto code = prelude_.code(code_hash)) return code;
        return database_.read_code(code_hash);
    }
    std::optional<Hash32> read_block_hash(uint64_t number) override { return database_.read_block_hash(number); }
    void note_storage_presence_query(const Address&) override { reads_.unverifiable = true; }

private:
    uint256 slot(const Address& address, const uint256& key) {
        const AccountChange* change = prelude_.find(address);
        if (!change) return database_.read_storage(address, key);
        if (!change->account) return {};  // deleted, with its storage
        const auto it = std::lower_bound(change->storage.begin(), change->storage.end(), key,
                                         [](const auto& entry, const uint256& k) { return entry.first < k; });
        if (it != change->storage.end() && it->first == key) return it->second;
        return change->storage_wiped ? uint256{} : database_.read_storage(address, key);
    }

    const Prelude& prelude_;
    StateReader& database_;
    Address coinbase_;
    ChunkReads& reads_;
};

/// Transactions [first, last) of the block, executed by a helper on a State of their own.
struct Chunk {
    enum Phase : int { Unclaimed, Running, Done, Abandoned };
    size_t first = 0, last = 0;
    std::atomic<int> phase{Unclaimed};
    ChunkReads reads;
    std::unique_ptr<ChunkView> view;
    std::unique_ptr<State> state;
    std::vector<TransactionOutcome> outcomes;  // of first, first + 1, ...
    bool stopped_early = false;                // before `last`: an invalid transaction, or told to stop
    std::exception_ptr failure;
    /// The probe (ChunkRun::helpers_read_what_holds) this chunk's helper is waiting in, between two transactions:
    /// its reads and outcomes so far may be read until the probe ends.
    std::atomic<uint64_t> parked_for_probe{0};
};

class ChunkRun {
public:
    ChunkRun(State& state, const BlockInfo& block, std::span<const Transaction> transactions, Revision rev,
             const uint256& chain_id, const ExecutionOptions& exec_options, const ParallelOptions& options,
             const ParallelCommitHooks& hooks)
        : job_(state, block, transactions, rev, chain_id, exec_options, hooks), delay_seed_(options.delay_seed),
          chunks_(std::min<size_t>(std::max(1u, options.threads), transactions.size())) {
        // Equal runs: the first one costs the calling thread no bookkeeping, and the others'
        // recording and take-over are small beside executing them.
        const size_t n = transactions.size(), k = chunks_.size();
        for (size_t c = 0; c < k; ++c) {
            chunks_[c].first = n * c / k;
            chunks_[c].last = n * (c + 1) / k;
        }
    }

    size_t run(ParallelStatistics* statistics, bool& conflicted) {
        const Prelude prelude(job_.state.changes());
        prelude_ = &prelude;
        size_t done = 0;
        std::exception_ptr failure;
        WorkerPool::shared().run(static_cast<unsigned>(chunks_.size() - 1), [&](unsigned worker) {
            if (worker != 0) return help(worker);
            try {
                done = lead(conflicted);
            } catch (...) {
                failure = std::current_exception();
            }
            stop_.store(true, std::memory_order_release);
        });
        if (failure) std::rethrow_exception(failure);
        if (stopped_by_probe_)  // every helper has stopped: what they ran is thrown away
            for (size_t c = 1; c < chunks_.size(); ++c) {
                speculative_executions_ += chunks_[c].outcomes.size();
                wasted_ += chunks_[c].outcomes.size();
            }
        if (statistics) {
            statistics->speculative_executions += speculative_executions_;
            statistics->reexecutions += wasted_;
            statistics->committed += done;
            statistics->chunks_taken_over += taken_over_;
            statistics->conflicts_found_early += stopped_by_probe_ ? 1 : 0;
        }
        return done;
    }

private:
    /// A helper: claims the chunks not yet claimed, one at a time, and runs them.
    void help(unsigned worker) {
        // The stress test's random delays (ParallelOptions::delay_seed): a helper that comes late
        // finds its chunk abandoned, and Block-STM runs the rest.
        DelayInjector delays(delay_seed_, worker);
        for (;;) {
            delays.maybe_arrive_late();
            const size_t c = next_chunk_.fetch_add(1);
            if (c >= chunks_.size() || stop_.load(std::memory_order_acquire)) return;
            Chunk& chunk = chunks_[c];
            int unclaimed = Chunk::Unclaimed;
            if (!chunk.phase.compare_exchange_strong(unclaimed, Chunk::Running)) continue;  // abandoned
            try {
                execute(chunk);
            } catch (...) {
                chunk.failure = std::current_exception();
            }
            chunk.phase.store(Chunk::Done, std::memory_order_release);
            chunk.phase.notify_all();
        }
    }

    void execute(Chunk& chunk) {
        const auto session = job_.state.reader()->read_session();
        chunk.view = std::make_unique<ChunkView>(*prelude_, *job_.state.reader(), job_.block.coinbase, chunk.reads);
        chunk.state = std::make_unique<State>(chunk.view.get());
        chunk.outcomes.reserve(chunk.last - chunk.first);
        for (size_t i = chunk.first; i < chunk.last; ++i) {
            // A probe under way: the calling thread checks what this chunk read so far. Wait
            // here, between two transactions, until it ends (counters, not a flag: a probe that
            // ends and another that starts while this thread sleeps are told apart).
            const uint64_t probe = probes_started_.load(std::memory_order_acquire);
            if (probe > probes_ended_.load(std::memory_order_acquire)) {
                chunk.parked_for_probe.store(probe, std::memory_order_release);
                for (uint64_t ended; (ended = probes_ended_.load(std::memory_order_acquire)) < probe;)
                    probes_ended_.wait(ended, std::memory_order_acquire);
            }
            if (stop_.load(std::memory_order_acquire)) {
                chunk.stopped_early = true;
                return;
            }
            TransactionOutcome outcome = job_.execute(*chunk.state, i, true);
            if (outcome.rejection) {  // invalid, or made to look so by a stale read: decided in order
                chunk.stopped_early = true;
                return;
            }
            if (job_.hooks.prepare) job_.hooks.prepare(i, outcome);
            chunk.outcomes.push_back(std::move(outcome));
        }
    }

    /// The calling thread: the first chunk on the block's State, then the others taken over in
    /// order. Returns how many transactions are committed.
    size_t lead(bool& conflicted) {
        const auto session = job_.state.reader()->read_session();
        // Two early looks at the helpers' reads, at a sixteenth and a quarter of the first run: a
        // block whose runs conflict (swaps in shared pools, payments to one account) goes to
        // Block-STM from there instead of after a whole run that would be thrown away.
        const size_t first_run = chunks_[0].last;
        const size_t probes[2] = {std::max<size_t>(first_run / 16, kFirstProbeMinimum), first_run / 4};
        for (size_t i = 0; i < first_run; ++i) {
            if ((i == probes[0] || i == probes[1]) && !helpers_read_what_holds()) {
                conflicted = stopped_by_probe_ = true;
                return i;
            }
            if (!job_.hooks.admit(i)) return i;
            TransactionOutcome outcome = job_.execute(job_.state, i, false);
            if (outcome.rejection) return i;
            if (job_.hooks.prepare) job_.hooks.prepare(i, outcome);
            job_.hooks.committed(i, std::move(outcome));
        }
        for (size_t c = 1; c < chunks_.size(); ++c) {
            Chunk& chunk = chunks_[c];
            int unclaimed = Chunk::Unclaimed;
            if (chunk.phase.compare_exchange_strong(unclaimed, Chunk::Abandoned)) {
                conflicted = true;  // no helper came for it: the rest is worth running in parallel still
                return chunk.first;
            }
            for (int phase; (phase = chunk.phase.load(std::memory_order_acquire)) != Chunk::Done;) chunk.phase.wait(phase);
            if (chunk.failure) std::rethrow_exception(chunk.failure);
            speculative_executions_ += chunk.outcomes.size() + (chunk.stopped_early ? 1 : 0);
            if (!reads_hold(chunk.reads)) {
                conflicted = true;
                wasted_ += chunk.outcomes.size();
                return chunk.first;
            }
            // Every transaction of the chunk ran exactly as it runs after the ones before it.
            std::vector<uint256> fees;
            fees.reserve(chunk.outcomes.size());
            for (size_t k = 0; k < chunk.outcomes.size(); ++k) {
                const size_t i = chunk.first + k;
                if (!job_.hooks.admit(i)) {
                    // Committed up to i, but none of it applied: apply those here, as they ran.
                    for (size_t j = chunk.first; j < i; ++j) job_.execute(job_.state, j, false);
                    return i;
                }
                fees.push_back(chunk.outcomes[k].coinbase_payment);
                TransactionOutcome outcome = std::move(chunk.outcomes[k]);
                outcome.coinbase_payment = {};
                job_.hooks.committed(i, std::move(outcome));
            }
            job_.state.absorb(std::move(*chunk.state));
            credit_fees(fees);
            ++taken_over_;
            if (chunk.stopped_early) return chunk.first + chunk.outcomes.size();  // for the caller to report
        }
        return job_.transactions.size();
    }

    /// A probe: the helpers wait between two transactions while their reads so far are checked
    /// against the block's State as the calling thread has made it so far. False, with the
    /// helpers told to stop, when a read no longer holds (or cannot be checked): the block's runs
    /// conflict. A conflict found this early may be one that later transactions of the first run
    /// would undo; Block-STM then runs the rest, still exactly.
    bool helpers_read_what_holds() {
        const uint64_t probe = probes_started_.fetch_add(1, std::memory_order_acq_rel) + 1;
        bool holds = true;
        for (size_t c = 1; c < chunks_.size() && holds; ++c) {
            Chunk& chunk = chunks_[c];
            for (;;) {  // at most one transaction of waiting: until the helper parks, or ends
                const int phase = chunk.phase.load(std::memory_order_acquire);
                if (phase == Chunk::Unclaimed || phase == Chunk::Abandoned) break;  // nothing read yet
                if (phase == Chunk::Done || chunk.parked_for_probe.load(std::memory_order_acquire) == probe) {
                    if (!chunk.failure) holds = reads_hold(chunk.reads);
                    break;
                }
                std::this_thread::yield();
            }
        }
        if (!holds) stop_.store(true, std::memory_order_release);
        probes_ended_.store(probe, std::memory_order_release);
        probes_ended_.notify_all();
        return holds;
    }

    /// Whether every account and slot the chunk read from the state before the transactions has
    /// that value in the block's State now (after the chunks before it), and it read nothing
    /// that cannot be checked so. What the State has neither loaded nor changed is the
    /// database's value, as the chunk read it.
    bool reads_hold(const ChunkReads& reads) const {
        if (reads.unverifiable) return false;
        for (const auto& [address, seen] : reads.accounts) {
            const auto cached = job_.state.cached(address);
            if (!cached) continue;
            const Account* now = *cached;
            if (!now || !seen) {
                if (now || seen) return false;
                continue;
            }
            if (now->nonce != seen->nonce || now->balance != seen->balance || now->code_hash != seen->code_hash)
                return false;
            // Without storage the chunk's State answered its slots with zero itself, unrecorded.
            if (!seen->has_storage)
                for (const auto& [key, slot] : now->storage)
                    if (!slot.current.is_zero()) return false;
        }
        for (const auto& [address, key, seen] : reads.slots) {
            const auto cached = job_.state.cached(address);
            if (!cached) continue;
            const Account* now = *cached;
            uint256 value;
            if (now) {
                if (const auto it = now->storage.find(key); it != now->storage.end())
                    value = it->second.current;
                else if (now->has_db_storage)
                    continue;  // the database's value, as the chunk read it
            }
            if (value != seen) return false;
        }
        return true;
    }

    /// The chunk's deferred fees, in order (DeferredCoinbaseFees: EIP-158's touch of an empty
    /// coinbase included).
    void credit_fees(const std::vector<uint256>& fees) {
        DeferredCoinbaseFees owed(job_.state, job_.block.coinbase, job_.rev);
        for (const uint256& fee : fees) owed.credit(fee, owed.empty_after(fee));
        owed.flush();
    }

    ParallelBlock job_;
    uint64_t delay_seed_;
    const Prelude* prelude_ = nullptr;
    std::vector<Chunk> chunks_;
    std::atomic<size_t> next_chunk_{1};
    std::atomic<bool> stop_{false};
    // Probes are numbered from 1; helpers wait between transactions while started > ended.
    std::atomic<uint64_t> probes_started_{0};
    std::atomic<uint64_t> probes_ended_{0};
    static constexpr size_t kFirstProbeMinimum = 16;
    bool stopped_by_probe_ = false;
    size_t speculative_executions_ = 0;  // the calling thread's counts
    size_t wasted_ = 0;
    size_t taken_over_ = 0;
};

}  // namespace

size_t execute_transactions_in_chunks(State& state, const BlockInfo& block, std::span<const Transaction> transactions,
                                      Revision rev, const uint256& chain_id, const ExecutionOptions& exec_options,
                                      const ParallelOptions& options, const ParallelCommitHooks& hooks,
                                      ParallelStatistics* statistics, bool& conflicted) {
    conflicted = false;
    ChunkRun run(state, block, transactions, rev, chain_id, exec_options, options, hooks);
    return run.run(statistics, conflicted);
}

}  // namespace polyvm::detail

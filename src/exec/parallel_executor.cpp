#include "exec/parallel_executor.hpp"

#include "common/worker_pool.hpp"
#include "exec/chunked_executor.hpp"
#include "exec/parallel_block.hpp"
#include "exec/multi_version_memory.hpp"
#include "precompiles/precompiles.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace polyvm {

namespace {

/// What one speculative execution read, with the values it saw.
struct ReadSet {
    struct AccountRead {
        Address address;
        std::optional<AccountInfo> info;
        MultiVersionMemory::AccountHandle handle;  // to validate without looking the address up
        bool balance_ignored = false;              // only the absence of code counts (see credited)
        bool balance_deferred = false;             // everything but the balance counts (see deferred)
    };
    std::vector<AccountRead> accounts;
    std::vector<std::tuple<Address, uint256, uint256>> slots;  // address, key, value
    bool storage_presence_queried = false;                     // EIP-7610: see State::has_nonzero_storage
    /// A plain transfer's recipient, read as codeless and otherwise ignored: the execution saw its
    /// balance as zero, so its change holds the credit, which the commit adds to the account as
    /// the versions below leave it.
    std::optional<Address> credited;
    /// Accounts with code whose balance the execution left out (read everything but the
    /// balance, as zero, and never observed it): their changes hold what the transaction added,
    /// which the commit adds to the balance the versions below leave.
    std::vector<Address> deferred;
};

struct SpeculativeResult {
    TransactionOutcome outcome;
    ChangeSet changes;
    ReadSet reads;
    /// The changes whose balance is a deferred account's addition (ReadSet::deferred), with the
    /// code the account has after the transaction (for publishing the folded account).
    std::vector<std::pair<Address, std::shared_ptr<const bytes>>> deferred_balances;
    bool writes_coinbase = false;  // then the deferred fee cannot simply be added at commit
    bool published = false;
};

class ParallelRun;

/// The StateReader of one execution of transaction `index`: the versions written below it (the
/// block's start, committed and speculative transactions), then the database; every answer is
/// recorded so that the commit can check it against the final versions.
class SpeculativeView final : public StateReader {
public:
    explicit SpeculativeView(ParallelRun& run) : run_(run) {}
    /// Serves the next execution, of version `version`, recording into `reads`. `credit_only`:
    /// the recipient of a plain value transfer, whose balance is not read if it has no code.
    /// `defer_balances_except`: when set, the balances of accounts with code that other
    /// transactions of the block write are deferred, except this one's (the sender's).
    void start(uint32_t version, ReadSet& reads, const Address* credit_only, const Address* defer_balances_except) {
        version_ = version;
        reads_ = &reads;
        credit_only_ = credit_only;
        defer_except_ = defer_balances_except;
        codes_.clear();
    }

    std::optional<AccountInfo> read_account(const Address& address) override;
    uint256 read_storage(const Address& address, const uint256& key) override;
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override {
        const auto it = codes_.find(code_hash);
        return it == codes_.end() ? nullptr : it->second;
    }
    std::optional<Hash32> read_block_hash(uint64_t number) override;
    void note_storage_presence_query(const Address&) override { reads_->storage_presence_queried = true; }
    bool balance_deferred(const Address& address) override {
        return std::find(reads_->deferred.begin(), reads_->deferred.end(), address) != reads_->deferred.end();
    }
    uint256 read_deferred_balance(const Address& address) override;

private:
    ParallelRun& run_;
    uint32_t version_ = 0;
    ReadSet* reads_ = nullptr;
    const Address* credit_only_ = nullptr;
    const Address* defer_except_ = nullptr;
    std::unordered_map<Hash32, std::shared_ptr<const bytes>> codes_;  // of the accounts answered
};

/// What one thread reuses from one execution to the next (a State's containers keep their memory).
struct WorkerContext {
    explicit WorkerContext(ParallelRun& run) : view(run), state(&view) {}
    SpeculativeView view;
    State state;
};

class ParallelRun {
public:
    ParallelRun(State& state, StateReader& database, const BlockInfo& block, std::span<const Transaction> transactions,
                Revision rev, const uint256& chain_id, const ExecutionOptions& exec_options,
                const ParallelOptions& options, const ParallelCommitHooks& hooks)
        : job_(state, block, transactions, rev, chain_id, exec_options, hooks), database_(database), options_(options),
          versions_(database, 3 * transactions.size() + 16), results_(transactions.size()), executed_(transactions.size()),
          fees_(state, block.coinbase, rev) {}

    size_t run(ParallelStatistics* statistics) {
        // The committed state reads the database through the memory's copy while the run lasts.
        job_.state.replace_reader(&versions_.database_reader());
        struct RestoreReader {
            State& state;
            StateReader& reader;
            ~RestoreReader() { state.replace_reader(&reader); }
        } restore{job_.state, database_};

        // Version 0: what the block changed before its transactions (the system calls).
        const ChangeSet prelude = job_.state.changes();
        versions_.publish(0, prelude, codes_of(job_.state, prelude, nullptr));

        // The calling thread works too; the pool's threads (kept between blocks) help it.
        const unsigned threads = std::max(1u, options_.threads);
        WorkerPool::shared().run(threads - 1, [this](unsigned worker) { work(worker); });
        if (failure_) std::rethrow_exception(failure_);
        fees_.flush();
        if (statistics) {
            statistics->speculative_executions += speculative_executions_.load();
            statistics->reexecutions += reexecutions_;
            statistics->committed += commit_index_.load();
            statistics->stopped_for_contention |= stopped_for_contention_;
        }
        versions_.release(threads);  // the state no longer reads through it (nothing runs from here)
        return commit_index_.load();
    }

    /// What an execution with this version reads: the latest version below it, else the database.
    std::optional<AccountInfo> account_below(uint32_t version, const Address& address, std::shared_ptr<const bytes>& code,
                                             MultiVersionMemory::AccountHandle& handle, bool* written = nullptr) {
        auto found = versions_.account(address, version, &handle, written);
        code = std::move(found.code);
        return found.info;
    }
    uint256 slot_below(uint32_t version, const Address& address, const uint256& key) {
        return versions_.slot(address, key, version);
    }
    std::optional<Hash32> block_hash(uint64_t number) { return versions_.database_reader().read_block_hash(number); }
    bool is_coinbase(const Address& address) const noexcept { return address == job_.block.coinbase; }
    void maybe_delay() { thread_delays_.maybe_delay(); }

private:
    /// The version of transaction `index`: 0 is the block's start.
    static uint32_t version_of(size_t index) { return static_cast<uint32_t>(index + 1); }

    /// Per change, the code of the account it leaves in `state` (nullopt where `skip` says the
    /// account's fields are not published).
    static MultiVersionMemory::AccountCodes codes_of(State& state, const ChangeSet& changes, const std::vector<bool>* skip) {
        MultiVersionMemory::AccountCodes codes(changes.accounts.size());
        for (size_t c = 0; c < changes.accounts.size(); ++c) {
            if (skip && (*skip)[c]) continue;
            const AccountChange& change = changes.accounts[c];
            codes[c] = change.account ? state.find(change.address)->code : std::shared_ptr<const bytes>{};
        }
        return codes;
    }

    void work(unsigned worker) {
        thread_delays_ = detail::DelayInjector(options_.delay_seed, worker);
        try {
            const auto session = database_.read_session();
            WorkerContext context(*this);
            const size_t n = job_.transactions.size();
            while (!stop_.load(std::memory_order_acquire)) {
                try_commit(context);
                if (stop_.load(std::memory_order_acquire) || commit_index_.load() >= n) break;
                if (next_execution_.load() >= n) {
                    std::this_thread::yield();
                    continue;
                }
                const size_t index = next_execution_.fetch_add(1);
                if (index >= n) continue;
                thread_delays_.maybe_delay();
                execute_speculatively(index, context);
            }
        } catch (...) {
            const std::lock_guard lock(failure_mutex_);
            if (!failure_) failure_ = std::current_exception();
            stop_.store(true, std::memory_order_release);
        }
    }

    /// Runs transaction `index` on a private State over the versions below it: speculatively
    /// (the coinbase's fee deferred, a plain transfer's credit folded at commit) or, at commit,
    /// exactly as sequential execution would.
    void execute(size_t index, bool speculative, SpeculativeResult& result, WorkerContext& context);
    void execute_speculatively(size_t index, WorkerContext& context);
    void try_commit(WorkerContext& context);
    void commit(size_t index, WorkerContext& context);
    bool reads_still_hold(size_t index, const ReadSet& reads);
    void load_coinbase();
    void credit_coinbase(size_t index, const uint256& fee);
    void fold_credit(size_t index, const Address& recipient, ChangeSet& changes);
    void fold_deferred_balance(size_t index, const Address& address, const std::shared_ptr<const bytes>& code,
                               ChangeSet& changes);

    detail::ParallelBlock job_;  // job_.state is the committed state: only the committing thread touches it
    StateReader& database_;      // the state's reader before the run
    ParallelOptions options_;

    MultiVersionMemory versions_;
    std::vector<SpeculativeResult> results_;
    std::vector<std::atomic<bool>> executed_;  // results_[i] is complete
    std::atomic<size_t> next_execution_{0};
    std::atomic<size_t> commit_index_{0};
    std::atomic<bool> stop_{false};
    std::atomic<size_t> speculative_executions_{0};
    std::mutex commit_mutex_;  // one committer at a time
    size_t reexecutions_ = 0;  // under commit_mutex_
    bool stopped_for_contention_ = false;
    std::mutex failure_mutex_;
    std::exception_ptr failure_;

    /// The coinbase as the commits have left it (what is owed to it included), and the fees
    /// not yet credited to the block's State (credit_coinbase); only the committing thread
    /// touches them.
    struct Coinbase {
        bool known = false;  // info and code are the account's as of the last commit
        std::optional<AccountInfo> info;
        std::shared_ptr<const bytes> code;
    } coinbase_;
    detail::DeferredCoinbaseFees fees_;
    static thread_local detail::DelayInjector thread_delays_;
};

thread_local detail::DelayInjector ParallelRun::thread_delays_{0, 0};

std::optional<AccountInfo> SpeculativeView::read_account(const Address& address) {
    run_.maybe_delay();
    std::shared_ptr<const bytes> code;
    MultiVersionMemory::AccountHandle handle;
    bool written = false;
    const bool credit_only = credit_only_ && address == *credit_only_;
    const bool may_defer = defer_except_ && address != *defer_except_ && !run_.is_coinbase(address);
    auto info = run_.account_below(version_, address, code, handle, credit_only || may_defer ? &written : nullptr);
    if (info && code) codes_.emplace(info->code_hash, std::move(code));
    if (credit_only && written && (!info || info->code_hash == kEmptyCodeHash)) {
        // A recipient that other transactions of the block write (a popular one) and without
        // code: the transfer's only effect on it is the credit, whatever its balance, nonce or
        // existence, so transfers to it do not depend on each other. (Other recipients are read
        // as usual: the credit costs the committer a lookup and a publication.)
        reads_->accounts.push_back({address, info, handle, true});
        reads_->credited = address;
        if (info) info->balance = {};
        return info;
    }
    if (may_defer && written && info && info->code_hash != kEmptyCodeHash) {
        // A contract that other transactions write (WETH, into which every swap pays): most
        // transactions only add to its balance. Its balance is left out until observed
        // (State::find_with_balance asks read_deferred_balance), so they do not conflict on it.
        reads_->accounts.push_back({address, info, handle, false, true});
        reads_->deferred.push_back(address);
        info->balance = {};
        return info;
    }
    reads_->accounts.push_back({address, info, handle});
    return info;
}

uint256 SpeculativeView::read_deferred_balance(const Address& address) {
    // Observed after all: an exact read like any other, validated with the balance.
    std::shared_ptr<const bytes> code;
    MultiVersionMemory::AccountHandle handle;
    const auto info = run_.account_below(version_, address, code, handle);
    reads_->accounts.push_back({address, info, handle});
    std::erase(reads_->deferred, address);
    return info ? info->balance : uint256{};
}

uint256 SpeculativeView::read_storage(const Address& address, const uint256& key) {
    run_.maybe_delay();
    const uint256 value = run_.slot_below(version_, address, key);
    reads_->slots.emplace_back(address, key, value);
    return value;
}

std::optional<Hash32> SpeculativeView::read_block_hash(uint64_t number) { return run_.block_hash(number); }

void ParallelRun::execute(size_t index, bool speculative, SpeculativeResult& result, WorkerContext& context) {
    // A speculative plain transfer (value, a recipient that is not the sender, the coinbase or a
    // precompile, no EIP-7702 authorizations that could give it code) credits its recipient.
    const Transaction& tx = job_.transactions[index];
    const bool plain_transfer = speculative && options_.fold_transfer_credits && tx.to && !tx.value.is_zero() &&
                                tx.authorization_list.empty() && *tx.to != tx.sender && *tx.to != job_.block.coinbase &&
                                !is_precompile(*tx.to, job_.rev);
    const bool defer = speculative && options_.defer_contract_balances;
    context.view.start(version_of(index), result.reads, plain_transfer ? &*tx.to : nullptr, defer ? &tx.sender : nullptr);
    State& local = context.state;
    local.clear();
    result.outcome = job_.execute(local, index, speculative);
    if (result.outcome.rejection) return;
    result.changes = local.changes();
    // Publish an account's fields only when they differ from what the transaction read (a
    // token whose slots change keeps its balance and nonce: readers need not depend on it).
    std::vector<bool> unchanged(result.changes.accounts.size());
    for (size_t c = 0; c < result.changes.accounts.size(); ++c) {
        const AccountChange& change = result.changes.accounts[c];
        result.writes_coinbase |= change.address == job_.block.coinbase;
        // A credit is published at commit, as the balance it gives; so is a deferred balance.
        if (result.reads.credited == change.address) {
            unchanged[c] = true;
            continue;
        }
        if (!result.reads.deferred.empty() && change.account && local.balance_deferred(change.address)) {
            unchanged[c] = true;
            result.deferred_balances.emplace_back(change.address, local.find(change.address)->code);
            continue;
        }
        if (!change.account || change.storage_wiped) continue;
        const std::optional<AccountInfo>* seen = nullptr;
        for (const ReadSet::AccountRead& read : result.reads.accounts)
            if (read.address == change.address) seen = &read.info;
        unchanged[c] = seen && *seen && (*seen)->nonce == change.account->nonce &&
                       (*seen)->balance == change.account->balance && (*seen)->code_hash == change.account->code_hash &&
                       ((*seen)->has_storage || change.storage.empty());
    }
    versions_.publish(version_of(index), result.changes, codes_of(local, result.changes, &unchanged));
    result.published = true;
}

void ParallelRun::execute_speculatively(size_t index, WorkerContext& context) {
    SpeculativeResult& result = results_[index];
    execute(index, true, result, context);
    if (job_.hooks.prepare && !result.outcome.rejection) job_.hooks.prepare(index, result.outcome);
    speculative_executions_.fetch_add(1, std::memory_order_relaxed);
    executed_[index].store(true, std::memory_order_release);
}

void ParallelRun::try_commit(WorkerContext& context) {
    const size_t n = job_.transactions.size();
    for (;;) {
        if (!commit_mutex_.try_lock()) return;
        {
            const std::lock_guard lock(commit_mutex_, std::adopt_lock);
            size_t index;
            while (!stop_.load(std::memory_order_acquire) && (index = commit_index_.load()) < n &&
                   executed_[index].load(std::memory_order_acquire))
                commit(index, context);
        }
        // A worker may have finished the next transaction after the loop looked and before the
        // lock was released: look again, or nobody might commit it.
        const size_t index = commit_index_.load();
        if (stop_.load(std::memory_order_acquire) || index >= n || !executed_[index].load(std::memory_order_acquire))
            return;
    }
}

bool ParallelRun::reads_still_hold(size_t index, const ReadSet& reads) {
    // Every transaction below `index` is committed: the versions below it are final.
    const uint32_t version = version_of(index);
    for (const ReadSet::AccountRead& read : reads.accounts) {
        const std::optional<AccountInfo> now = versions_.account_info(read.handle, version);
        if (read.balance_deferred) {
            if (now.has_value() != read.info.has_value()) return false;
            if (now && (now->nonce != read.info->nonce || now->code_hash != read.info->code_hash ||
                        now->has_storage != read.info->has_storage))
                return false;
            continue;
        }
        if (read.balance_ignored ? now && now->code_hash != kEmptyCodeHash : now != read.info) return false;
    }
    for (const auto& [address, key, seen] : reads.slots)
        if (slot_below(version, address, key) != seen) return false;
    return true;
}

void ParallelRun::commit(size_t index, WorkerContext& context) {
    thread_delays_.maybe_delay();
    if (!job_.hooks.admit(index)) {
        stop_.store(true, std::memory_order_release);
        return;
    }
    SpeculativeResult& result = results_[index];
    bool fee_deferred = true;
    if (!reads_still_hold(index, result.reads) || result.writes_coinbase) {
        // Run it again over the final versions below it, paying the coinbase itself: exact.
        // Its change set holds the coinbase's whole account, applied over the fees so far.
        fees_.flush();
        coinbase_.known = false;
        ++reexecutions_;
        if (result.published) versions_.remove(version_of(index), result.changes);
        result = SpeculativeResult{};
        execute(index, false, result, context);
        fee_deferred = false;
        if (job_.hooks.prepare && !result.outcome.rejection) job_.hooks.prepare(index, result.outcome);
    }
    // EIP-7610's storage question (State::has_nonzero_storage) or an invalid transaction: the
    // sequential executor goes on from here, on the committed state.
    if (result.reads.storage_presence_queried || result.outcome.rejection) {
        stop_.store(true, std::memory_order_release);
        return;
    }
    if (result.reads.credited) fold_credit(index, *result.reads.credited, result.changes);
    for (const auto& [address, code] : result.deferred_balances) fold_deferred_balance(index, address, code, result.changes);
    job_.state.apply_changes(result.changes);
    if (fee_deferred) credit_coinbase(index, result.outcome.coinbase_payment);
    TransactionOutcome outcome = std::move(result.outcome);
    outcome.coinbase_payment = {};
    job_.hooks.committed(index, std::move(outcome));
    result = SpeculativeResult{};
    const size_t committed = index + 1;
    commit_index_.store(committed);
    if (committed >= options_.contention_window && reexecutions_ * 3 > committed && committed < job_.transactions.size()) {
        stopped_for_contention_ = true;
        stop_.store(true, std::memory_order_release);
    }
}

void ParallelRun::load_coinbase() {
    if (const Account* account = job_.state.find(job_.block.coinbase)) {
        coinbase_.info = AccountInfo{account->nonce, account->balance, account->code_hash, false};
        coinbase_.code = account->code;
    } else {
        coinbase_.info.reset();
        coinbase_.code = nullptr;
    }
    coinbase_.known = true;
}

void ParallelRun::credit_coinbase(size_t index, const uint256& fee) {
    if (!coinbase_.known) load_coinbase();
    AccountInfo after = coinbase_.info.value_or(AccountInfo{});
    after.balance += fee;
    // A credit that leaves the coinbase empty goes to the State at once (EIP-158 deletes the
    // account, its storage too), the others add up (DeferredCoinbaseFees).
    const bool empty = after.nonce == 0 && after.balance.is_zero() && after.code_hash == kEmptyCodeHash;
    fees_.credit(fee, empty);
    if (empty)
        load_coinbase();
    else
        coinbase_.info = after;
    // Later transactions that read the coinbase see its exact balance in this version.
    versions_.publish_account(version_of(index), job_.block.coinbase, coinbase_.info, coinbase_.code);
}

void ParallelRun::fold_credit(size_t index, const Address& recipient, ChangeSet& changes) {
    for (AccountChange& change : changes.accounts) {
        if (change.address != recipient || !change.account) continue;
        // Every lower transaction is committed: the versions below give the recipient's final
        // account before this transaction, which adds its credit (it saw a zero balance).
        AccountInfo after = versions_.account(recipient, version_of(index)).info.value_or(AccountInfo{});
        after.balance += change.account->balance;
        after.has_storage = false;
        change.account = after;
        versions_.publish_account(version_of(index), recipient, after, nullptr);
    }
}

void ParallelRun::fold_deferred_balance(size_t index, const Address& address, const std::shared_ptr<const bytes>& code,
                                        ChangeSet& changes) {
    for (AccountChange& change : changes.accounts) {
        if (change.address != address || !change.account) continue;
        // Every lower transaction is committed: the versions below give the balance before this
        // transaction, which added the change's balance to it (the other fields were validated).
        const auto before = versions_.account(address, version_of(index)).info;
        change.account->balance += before ? before->balance : uint256{};
        versions_.publish_account(version_of(index), address, change.account, code);
    }
}

}  // namespace

size_t execute_transactions_in_parallel(State& state, const BlockInfo& block, std::span<const Transaction> transactions,
                                        Revision rev, const uint256& chain_id, const ExecutionOptions& exec_options,
                                        const ParallelOptions& options, const ParallelCommitHooks& hooks,
                                        ParallelStatistics* statistics) {
    // A State without a reader holds its whole world in its cache: nothing to share.
    if (transactions.empty() || !state.reader()) return 0;
    using Strategy = ParallelOptions::Strategy;
    const bool chunks = options.strategy == Strategy::Chunks ||
                        (options.strategy == Strategy::Auto && options.threads <= ParallelOptions::kChunkedThreadsMaximum);
    // The chunks credit deferred fees with EIP-158's deletion of an empty coinbase.
    size_t done = 0;
    if (chunks && options.threads > 1 && transactions.size() > 1 && rev >= Revision::SpuriousDragon) {
        bool conflicted = false;
        done = detail::execute_transactions_in_chunks(state, block, transactions, rev, chain_id, exec_options, options,
                                                      hooks, statistics, conflicted);
        if (!conflicted || done >= transactions.size()) return done;
    }
    // Block-STM runs the block, or after a conflict goes on from the first transaction the chunks
    // did not commit (its hooks then count from there).
    ParallelCommitHooks rest;
    if (done > 0) {
        rest.admit = [&](size_t i) { return hooks.admit(done + i); };
        rest.committed = [&](size_t i, TransactionOutcome&& outcome) { hooks.committed(done + i, std::move(outcome)); };
        if (hooks.prepare)
            rest.prepare = [&](size_t i, const TransactionOutcome& outcome) { hooks.prepare(done + i, outcome); };
    }
    ParallelRun run(state, *state.reader(), block, transactions.subspan(done), rev, chain_id, exec_options, options,
                    done > 0 ? rest : hooks);
    return done + run.run(statistics);
}

}  // namespace polyvm

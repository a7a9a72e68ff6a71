#include "node/dev_node.hpp"

#include "common/thread_name.hpp"
#include "crypto/bip32.hpp"
#include "crypto/bip39.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "exec/transaction_execution.hpp"
#include "node/rpc_format.hpp"
#include "node/state_file.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace polyvm::node {
namespace {
ChainConfig dev_config(const NodeOptions& o) {
    ChainConfig config(o.fork);
    config.chain_id = uint256{o.chain_id};
    config.wasm_contracts = o.wasm_contracts;
    return config;
}

uint64_t clock_seconds() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}
}  // namespace

DevNode::DevNode(NodeOptions options) : logging(!options.quiet), chain_id(options.chain_id), options_(std::move(options)) {
    const Seed512 seed = mnemonic_to_seed(options_.mnemonic);
    for (size_t i = 0; i < options_.accounts; ++i) {
        DevAccount account;
        account.secret_key = derive_private_key(bytes_view(seed.data(), seed.size()), "m/44'/60'/0'/0/" + std::to_string(i));
        account.address = address_from_secret_key(account.secret_key).value();
        accounts_.push_back(account);
    }
    DevGenesis genesis;
    if (options_.genesis) {
        genesis = *options_.genesis;
        genesis.config.wasm_contracts = options_.wasm_contracts;
    } else {
        std::vector<Address> funded;
        for (const auto& a : accounts_) funded.push_back(a.address);
        genesis = default_dev_genesis(dev_config(options_), funded, options_.balance, options_.gas_limit,
                                      options_.base_fee, clock_seconds());
    }
    chain_ = std::make_unique<DevChain>(options_.storage, genesis);
    chain_->execution_threads = std::max(1u, options_.execution_threads);
    chain_->pipelined_mining = chain_->execution_threads >= kPipelinedMiningThreads;
    chain_->database().set_trie_threads(chain_->execution_threads);  // a block's root on as many
    if (options_.load_state) load_state_file(*options_.load_state);
    register_methods();
}

DevNode::~DevNode() { stop(); }

std::string DevNode::chain_status_line() {
    std::shared_lock lock(chain_mutex_);
    const std::string where = options_.storage.in_memory ? std::string("in memory")
                                                         : "in " + options_.storage.data_dir.string();
    if (chain_->created()) return "New chain " + where + " (chain id " + std::to_string(chain_id.load()) + ")";
    return "Continuing the chain " + where + " at block " + std::to_string(chain_->head().number);
}

void DevNode::register_methods() {
    register_eth_methods(*this, dispatcher_);
    register_filter_methods(*this, dispatcher_);
    register_dev_methods(*this, dispatcher_);
    register_debug_methods(*this, dispatcher_);
    register_proof_methods(*this, dispatcher_);
    register_txpool_methods(*this, dispatcher_);
    register_otterscan_methods(*this, dispatcher_);
    {
        dispatcher_.on_call = [this](std::string_view method, const json&, const json* error) {
            if (!logging.load(std::memory_order_relaxed)) return;  // --quiet, anvil_setLoggingEnabled
            // Hot read-only methods would flood the log; Anvil prints them all, we print the
            // ones that change or inspect something.
            if (method == "eth_blockNumber" || method == "eth_chainId" || method == "net_version") return;
            std::string line(method);
            if (error && error->contains("message")) line += "  error: " + (*error)["message"].get<std::string>();
            log_line(line);
        };
    }
}

void DevNode::log_line(const std::string& line) {
    if (!logging.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(log_mutex_);
    std::cout << line << '\n' << std::flush;
}

uint16_t DevNode::start() {
    {
        // Before the server: its threads hand transactions to the miner from the first request.
        std::lock_guard lock(incoming_mutex_);
        miner_running_ = true;
    }
    miner_thread_.emplace([this] {
        name_this_thread("polyvm-miner");
        miner_loop();
    });
    server_ = std::make_unique<rpc::Server>(options_.server, *this);
    const uint16_t port = server_->start();
    if (options_.block_time) {
        interval_ms = static_cast<uint64_t>(*options_.block_time * 1000.0);
        automine = false;
    }
    interval_thread_.emplace([this] {
        name_this_thread("polyvm-interval");
        interval_loop();
    });
    return port;
}

void DevNode::stop() {
    {
        std::lock_guard lock(stop_mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    stop_cv_.notify_all();
    if (server_) server_->stop();
    if (interval_thread_) interval_thread_->join();
    {
        // The miner finishes what it was given (nobody hears the answers any more).
        std::lock_guard lock(incoming_mutex_);
        miner_stopping_ = true;
    }
    incoming_cv_.notify_all();
    if (miner_thread_) miner_thread_->join();
    std::unique_lock lock(chain_mutex_);
    if (options_.dump_state) {
        try {
            write_state_file(*options_.dump_state, dump_state_json(*this));
        } catch (const std::exception& e) {
            std::cerr << "error: cannot write " << *options_.dump_state << ": " << e.what() << '\n';
        }
    }
    chain_->flush();
}

void DevNode::interval_loop() {
    // Interval mining, and the periodic flush of a database that skips the per-block one.
    auto last_mined = std::chrono::steady_clock::now();
    auto last_flush = last_mined;
    std::unique_lock stop_lock(stop_mutex_);
    while (!stopping_) {
        stop_cv_.wait_for(stop_lock, std::chrono::milliseconds(100));
        if (stopping_) break;
        const auto now = std::chrono::steady_clock::now();
        const uint64_t interval = interval_ms.load();
        if (interval > 0 && now - last_mined >= std::chrono::milliseconds(interval)) {
            last_mined = now;
            stop_lock.unlock();
            try {
                std::unique_lock lock(chain_mutex_);
                mine_locked(std::nullopt);
            } catch (const std::exception& e) {
                log_line(std::string("mining failed: ") + e.what());
            }
            stop_lock.lock();
        }
        if (now - last_flush >= std::chrono::seconds(1)) {
            last_flush = now;
            stop_lock.unlock();
            // Without the chain's lock: a flush (msync, tens of milliseconds on a disk) must not
            // hold up the miner; the database makes it safe beside commits.
            chain_->flush();
            stop_lock.lock();
        }
    }
}

std::string DevNode::handle(std::string_view body, const rpc::CallContext& context) {
    return dispatcher_.handle(body, context);
}

void DevNode::handle_async(std::string_view body, const rpc::CallContext& context, std::function<void(std::string)> reply) {
    dispatcher_.handle_async(body, context, std::move(reply));
}

void DevNode::on_close(uint64_t connection_id) {
    std::lock_guard lock(filters_mutex_);
    for (auto it = filters_.begin(); it != filters_.end();)
        it = it->second.connection == connection_id && it->second.push_to ? filters_.erase(it) : std::next(it);
}

std::string DevNode::new_filter_id() {
    const uint64_t n = filter_counter_.fetch_add(1);
    // 16 bytes, as geth's ids; unique per process and not guessable across restarts.
    const Hash32 h = keccak256(bytes_view(reinterpret_cast<const uint8_t*>(&n), sizeof n));
    return rpc::data_hex(bytes_view(h.bytes.data(), 16));
}

std::optional<Hash32> DevNode::secret_key_of(const Address& address) const {
    for (const auto& a : accounts_)
        if (a.address == address) return a.secret_key;
    return std::nullopt;
}

bool DevNode::can_send_from(const Address& address) {
    std::shared_lock lock(chain_mutex_);  // the impersonation settings change under it
    return can_send_from_locked(address);
}

bool DevNode::can_send_from_locked(const Address& address) const {
    return secret_key_of(address) || auto_impersonate || impersonated.contains(address);
}

void DevNode::check_transaction_alone_locked(const Transaction& tx) const {
    const Revision rev = chain_->config().revision_at(chain_->next_timestamp());
    TxValidationContext context;
    context.chain_id = chain_->config().chain_id;
    if (auto e = validate_transaction_static(tx, rev, context)) throw rpc::RpcError(rpc::kServerError, geth_rejection_message(*e, tx));
}

std::optional<uint64_t> DevNode::resolve_block(const rpc::BlockSelector& s, bool must_exist) {
    using Tag = rpc::BlockSelector::Tag;
    const uint64_t head = chain_->head().number;
    switch (s.tag) {
        case Tag::Latest:
        case Tag::Pending:
        case Tag::Safe:
        case Tag::Finalized:
            return head;
        case Tag::Earliest:
            return 0;
        case Tag::Number:
            if (s.number > head) {
                if (must_exist) throw rpc::RpcError(rpc::kServerError, "header not found");
                return std::nullopt;
            }
            return s.number;
        case Tag::Hash: {
            const BlockPtr block = chain_->block_by_hash(s.hash);
            bool canonical = false;
            if (block && block->block.header.number <= head) {
                const auto at = chain_->block_by_number(block->block.header.number);
                canonical = at && at->hash == s.hash;
            }
            if (!block || (s.require_canonical && !canonical)) {
                if (must_exist)
                    throw rpc::RpcError(rpc::kServerError,
                                        !block ? "header for hash not found" : "hash is not currently canonical");
                return std::nullopt;
            }
            if (!canonical) {
                if (must_exist) throw rpc::RpcError(rpc::kServerError, "block is not on the current chain");
                return std::nullopt;
            }
            return block->block.header.number;
        }
    }
    return head;
}

void DevNode::admit_locked(Transaction tx, const Hash32& hash) {
    check_transaction_alone_locked(tx);
    const Revision rev = chain_->config().revision_at(chain_->next_timestamp());
    auto state = chain_->state_at(chain_->head().number);
    const auto account = state->read_account(tx.sender);
    const uint64_t nonce = account ? account->nonce : 0;
    if (tx.nonce < nonce) throw rpc::RpcError(rpc::kServerError, "nonce too low");
    // EIP-3607: a signed transaction from an account with code (other than an EIP-7702
    // delegation) can never be mined: refused here with geth's words instead of being dropped by
    // the miner. The node's own unsigned transactions from an impersonated contract may send.
    if (account && account->code_hash != kEmptyCodeHash && !is_impersonated(tx)) {
        const auto code = state->read_code(account->code_hash);
        if (!code || !code_allows_sending(*code, rev))
            throw rpc::RpcError(rpc::kServerError, "sender not an eoa: address " + rpc::hex(tx.sender) +
                                                       ", codehash: " + rpc::hex(account->code_hash));
    }
    // The worst case must be affordable now (geth's pool rule).
    const auto cost = max_upfront_cost(tx, rev);
    if (!cost || (account ? account->balance : uint256{}) < *cost)
        throw rpc::RpcError(rpc::kServerError, "insufficient funds for gas * price + value");
    if (tx.gas_limit > chain_->gas_limit) throw rpc::RpcError(rpc::kServerError, "exceeds block gas limit");
    if (tx.type <= TransactionType::AccessList && tx.gas_price < min_gas_price)
        throw rpc::RpcError(rpc::kServerError, "transaction underpriced");
    if (automine && tx.nonce == nonce && tx.max_fee_per_gas < chain_->next_base_fee())
        throw rpc::RpcError(rpc::kServerError,
                            "max fee per gas less than block base fee: address " + rpc::hex(tx.sender) +
                                ", maxFeePerGas: " + tx.max_fee_per_gas.to_hex() +
                                ", baseFee: " + chain_->next_base_fee().to_hex());
    switch (mempool.add(std::move(tx), hash)) {
        case Mempool::AddResult::Underpriced:
            throw rpc::RpcError(rpc::kServerError, "replacement transaction underpriced");
        case Mempool::AddResult::AlreadyKnown:
            throw rpc::RpcError(rpc::kServerError, "already known");
        default:
            break;
    }
    notify_pending(hash);
}

void DevNode::submit_transaction_async(Transaction tx, SubmitDone done) {
    const Hash32 hash = transaction_hash(tx);
    if (automine) {
        std::unique_lock lock(incoming_mutex_);
        if (miner_running_ && !miner_stopping_) {
            incoming_.push_back(Submission{std::move(tx), hash, std::move(done)});
            lock.unlock();
            incoming_cv_.notify_one();
            return;
        }
    }
    // No miner thread (not started, stopping) or no automine: the miner's pass, run here.
    std::vector<Submission> one;
    one.push_back(Submission{std::move(tx), hash, std::move(done)});
    run_pass(one);
}

std::vector<uint64_t> DevNode::incoming_nonces(const Address& sender) {
    std::lock_guard lock(incoming_mutex_);
    std::vector<uint64_t> out;
    for (const Submission& s : incoming_)
        if (s.tx.sender == sender) out.push_back(s.tx.nonce);
    return out;
}

void DevNode::mine_grouped(const std::function<void()>& mine) {
    std::exception_ptr failure;
    chain_->begin_group();
    grouping_ = true;
    try {
        mine();
    } catch (...) {
        failure = std::current_exception();
    }
    bool durable = true;
    try {
        chain_->end_group();  // the blocks mined so far stand, whatever failed after them
    } catch (...) {
        durable = false;  // the group's blocks are gone
        if (!failure) failure = std::current_exception();
    }
    grouping_ = false;
    // Subscriptions hear of the group's blocks once they are durable, and never of blocks that
    // are gone.
    std::vector<BlockPtr> mined = std::move(mined_in_group_);
    mined_in_group_.clear();
    if (durable)
        for (const BlockPtr& block : mined) notify_block(block);
    if (failure) std::rethrow_exception(failure);
}

void DevNode::miner_loop() {
    std::unique_lock incoming_lock(incoming_mutex_);
    for (;;) {
        incoming_cv_.wait(incoming_lock, [&] { return !incoming_.empty() || miner_stopping_; });
        if (incoming_.empty()) return;  // stopping, and nothing left
        std::vector<Submission> batch = std::move(incoming_);
        incoming_.clear();
        incoming_lock.unlock();
        run_pass(batch);
        incoming_lock.lock();
    }
}

void DevNode::run_pass(std::vector<Submission>& batch) {
    // Everything that arrived is admitted, then (automine) every ready transaction mined, one
    // block each, in one group commit; the answers go out once the group is durable.
    std::vector<std::exception_ptr> errors(batch.size());
    {
        std::unique_lock chain_lock(chain_mutex_);
        for (size_t i = 0; i < batch.size(); ++i) {
            try {
                admit_locked(std::move(batch[i].tx), batch[i].hash);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
        if (automine) {
            try {
                mine_grouped([&] { automine_locked(); });
            } catch (const rpc::RpcError& e) {
                log_line(std::string("mining failed: ") + e.what());
                for (auto& error : errors)
                    if (!error) error = std::make_exception_ptr(rpc::RpcError(e.code, std::string(e.what()), e.data));
            } catch (const std::exception& e) {
                log_line(std::string("mining failed: ") + e.what());
                for (auto& error : errors)
                    if (!error) error = std::make_exception_ptr(std::runtime_error(std::string(e.what())));
            }
        }
    }
    // Each answer owns its exception object outright (one per submission, moved on, none kept
    // here): answers are read on the RPC threads, and an exception_ptr's reference count lives in
    // libstdc++, out of ThreadSanitizer's sight, so a shared one reads to it as a race on free.
    for (size_t i = 0; i < batch.size(); ++i) {
        try {
            batch[i].done(std::move(errors[i]), batch[i].hash);
        } catch (...) {
        }
    }
}

std::shared_ptr<const DevNode::PendingBlock> DevNode::pending_block() {
    DevChain& chain = *chain_;
    const PendingKey key{chain.head_hash(),      mempool.generation(), chain.pending_changes_generation(),
                         chain.next_timestamp(), chain.gas_limit,      chain.next_base_fee(),
                         chain.coinbase};
    const std::lock_guard lock(pending_mutex_);
    if (pending_ && pending_key_ == key) return pending_;
    std::vector<Transaction> transactions;
    for (Mempool::Entry& e : mempool.peek_ready(head_nonces(), SIZE_MAX, key.base_fee, key.gas_limit))
        transactions.push_back(std::move(e.tx));
    auto previewed = chain.preview_next(std::move(transactions));
    pending_ = std::make_shared<const PendingBlock>(PendingBlock{std::move(previewed.view), std::move(previewed.changes)});
    pending_key_ = key;
    return pending_;
}

std::unique_ptr<StateView> DevNode::state_at(uint64_t number) {
    if (number != kPendingBlockNumber) return chain_->state_at(number);
    const auto pending = pending_block();
    auto view = chain_->state_at(chain_->head().number);
    view->overlay().apply(pending->changes);
    return view;
}

uint64_t DevNode::resolve_state_block(const rpc::BlockSelector& selector) {
    if (selector.tag == rpc::BlockSelector::Tag::Pending) return kPendingBlockNumber;
    return *resolve_block(selector);
}

std::function<uint64_t(const Address&)> DevNode::head_nonces() {
    std::shared_ptr<StateView> state = chain_->state_at(chain_->head().number);
    return [state](const Address& address) {
        const auto account = state->read_account(address);
        return account ? account->nonce : uint64_t{0};
    };
}

std::vector<Mempool::Entry> DevNode::take_ready_locked(size_t max_transactions) {
    return mempool.take_ready(head_nonces(), max_transactions, chain_->next_base_fee(), chain_->gas_limit);
}

void DevNode::automine_locked() {
    // Every ready transaction, in the pool's order, each in a block of its own. They are taken
    // at once (asking the pool for one per block would read every waiting sender's nonce per
    // block); when a block leaves its transaction out, the rest go back to the pool, whose
    // order then follows the new state.
    for (;;) {
        std::vector<Mempool::Entry> ready = take_ready_locked(SIZE_MAX);
        if (ready.empty()) return;
        const auto return_after = [&](size_t i) {
            for (size_t j = i + 1; j < ready.size(); ++j) mempool.add(std::move(ready[j].tx), ready[j].hash);
        };
        std::vector<Transaction> transactions;
        transactions.reserve(ready.size());
        for (const Mempool::Entry& entry : ready) transactions.push_back(entry.tx);
        // Each block's execution beside its parent's commit where it can (DevChain::mine_each).
        size_t mined = 0;
        bool left_out = false;
        try {
            chain_->mine_each(std::move(transactions), [&](const MinedBlock& m) {
                left_out = announce_mined_locked(m)->block.transactions.empty();
            }, mined);
        } catch (...) {
            return_after(mined);  // that one failed; the ones after it were not mined
            throw;
        }
        if (left_out) return_after(mined - 1);  // then the pool's order follows the new state
    }
}

BlockPtr DevNode::mine_locked(std::optional<uint64_t> timestamp) {
    std::vector<Mempool::Entry> ready = take_ready_locked(SIZE_MAX);
    std::vector<Transaction> txs;
    txs.reserve(ready.size());
    for (auto& e : ready) txs.push_back(std::move(e.tx));
    return mine_transactions_locked(std::move(txs), timestamp);
}

BlockPtr DevNode::mine_transactions_locked(std::vector<Transaction> txs, std::optional<uint64_t> timestamp) {
    DevChain::NextBlock next;
    next.timestamp = timestamp;
    auto mined = chain_->mine(std::move(txs), next);
    if (auto* e = std::get_if<BlockError>(&mined)) throw std::runtime_error("block rejected: " + e->to_string());
    return announce_mined_locked(std::get<MinedBlock>(mined));
}

BlockPtr DevNode::announce_mined_locked(const MinedBlock& m) {
    BlockPtr view = chain_->block_by_hash(m.hash);
    if (logging.load(std::memory_order_relaxed)) {
        for (size_t i = 0; i < view->block.transactions.size(); ++i) {
            const Receipt& r = view->receipts[i];
            std::string line = "    Transaction: " + rpc::hex(view->transaction_hashes[i]);
            if (view->contract_addresses[i]) line += "\n    Contract created: " + rpc::hex(*view->contract_addresses[i]);
            line += "\n    Gas used: " + std::to_string(view->gas_used[i]);
            if (!r.success) {
                line += "\n    Error: reverted";
                if (i < m.executed.outcomes.size())
                    if (auto reason = decode_revert_reason(m.executed.outcomes[i].output)) line += " with reason: " + *reason;
            }
            log_line(line);
        }
        log_line("    Block Number: " + std::to_string(view->block.header.number) + "\n    Block Hash: " +
                 rpc::hex(view->hash) + "\n    Block Time: " + std::to_string(view->block.header.timestamp) + "\n");
    }
    // A pooled transaction the block left out (it became invalid) is dropped, as geth's pool would.
    for (const auto& rejected : m.rejected) log_line("    Dropped transaction " + std::to_string(rejected.index) + ": " + rejected.rule);
    if (grouping_)
        mined_in_group_.push_back(view);  // notified when the group is durable (mine_grouped)
    else
        notify_block(view);
    return view;
}

void DevNode::mine_blocks(uint64_t count, std::optional<uint64_t> timestamp, uint64_t interval) {
    std::unique_lock lock(chain_mutex_);
    // In groups of at most kBlocksPerGroup: a group keeps its commits and an undo log in memory
    // until it ends (no write-back inside it), so one group for anvil_mine(1,000,000) grew
    // without bound (fuzz_rpc: 60,000 empty blocks took 700 MB).
    constexpr uint64_t kBlocksPerGroup = 1024;
    for (uint64_t first = 0; first < count; first += kBlocksPerGroup) {
        mine_grouped([&] {
            for (uint64_t i = first; i < std::min(count, first + kBlocksPerGroup); ++i) {
                std::optional<uint64_t> at = timestamp;
                if (!at && interval > 0 && i > 0) at = chain_->head().timestamp + interval;
                mine_locked(at);
            }
        });
    }
}

void DevNode::rewind_and_mine(uint64_t depth, std::vector<std::vector<Transaction>> blocks,
                              const std::optional<Hash32>& expected_head) {
    std::unique_lock lock(chain_mutex_);
    if (expected_head && chain_->head_hash() != *expected_head)
        throw rpc::RpcError(rpc::kServerError, "the chain's head changed while the request was prepared: send it again");
    const Hash32 old_head = chain_->head_hash();
    try {
        chain_->rewind(depth);
    } catch (const std::invalid_argument& e) {
        throw rpc::RpcError(rpc::kInvalidParams, e.what());
    }
    head_moved_back_locked(old_head);
    if (blocks.empty()) return;
    mine_grouped([&] {
        for (auto& transactions : blocks) mine_transactions_locked(std::move(transactions), std::nullopt);
    });
}

BlockInfo call_block_info(DevNode& node, uint64_t number) {
    DevChain& chain = node.chain();
    if (number >= chain.head().number) return chain.next_block_info();
    const BlockPtr block = chain.block_by_number(number);
    return block_environment(block->block.header, chain.config()).info;
}

}  // namespace polyvm::node

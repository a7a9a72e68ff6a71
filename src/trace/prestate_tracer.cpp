#include "trace/prestate_tracer.hpp"

#include "evm/delegation.hpp"
#include "evm/opcodes.hpp"
#include "exec/execution_host.hpp"
#include "trace/geth_format.hpp"

#include <algorithm>

namespace polyvm::trace {
namespace {
constexpr uint64_t kMaxInitcodeCopy = uint64_t{1} << 26;  // far past any affordable CREATE2 initcode

/// memory[offset, offset + size) with zeros past its end (the instruction has not yet grown it).
std::optional<bytes> padded_copy(bytes_view memory, const uint256& offset, const uint256& size) {
    if (size.is_zero()) return bytes{};
    if (!size.fits_u64() || size.low64() > kMaxInitcodeCopy || !offset.fits_u64() || offset.low64() > kMaxInitcodeCopy)
        return std::nullopt;  // the instruction runs out of gas: no address to look up
    bytes out(size.low64(), 0);
    const uint64_t begin = offset.low64();
    if (begin < memory.size()) {
        const size_t n = std::min<uint64_t>(size.low64(), memory.size() - begin);
        std::copy_n(memory.begin() + static_cast<ptrdiff_t>(begin), n, out.begin());
    }
    return out;
}
}  // namespace

void PrestateTracer::begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) {
    state_ = &state;
    rev_ = rev;
    pre_.clear();
    post_.clear();
    created_.clear();
    self_destructed_.clear();
    frame_addresses_.clear();
    // Before the gas purchase and nonce bump: the sender's balance and nonce are the pre-state's.
    Address to;
    if (tx.to) {
        to = *tx.to;
    } else {
        to = create_address(tx.sender, tx.nonce);
        created_.insert(to);
    }
    look_up_account(tx.sender);
    look_up_account(to);
    look_up_account(block.coinbase);
    // EIP-7702: the authorities as they were before their delegations are written.
    for (const Authorization& auth : tx.authorization_list)
        if (const auto authority = recover_authority(auth)) look_up_account(*authority);
}

void PrestateTracer::look_up_account(const Address& addr) {
    if (pre_.contains(addr) || !state_) return;
    AccountState s;
    if (const Account* a = state_->find(addr)) {
        s.balance = a->balance;
        s.nonce = a->nonce;
        const bytes_view code = a->code_view();
        s.code.assign(code.begin(), code.end());
    }
    s.empty = s.nonce == 0 && s.balance.is_zero() && s.code.empty();
    pre_.emplace(addr, std::move(s));
}

void PrestateTracer::look_up_storage(const Address& addr, const uint256& key) {
    if (config_.disable_storage || !state_) return;
    look_up_account(addr);
    auto& storage = pre_[addr].storage;
    if (!storage.contains(key)) storage.emplace(key, state_->storage_value(addr, key));
}

void PrestateTracer::on_frame_start(const Message& msg, Revision, bytes_view) {
    const size_t depth = static_cast<size_t>(std::max(msg.depth, 0));
    if (frame_addresses_.size() <= depth) frame_addresses_.resize(depth + 1);
    frame_addresses_[depth] = msg.recipient;
}

void PrestateTracer::on_frame_end(const Message&, const ExecutionResult&) {}

void PrestateTracer::on_step(const TraceStep& s) {
    if (s.vm != TraceVm::Evm) return;  // WebAssembly steps: their accesses go through the host
    const size_t depth = static_cast<size_t>(std::max(s.depth, 0));
    if (depth >= frame_addresses_.size() || !state_) return;
    const Address self = frame_addresses_[depth];
    const size_t n = s.stack.size();
    // The accounts and slots an instruction is about to read, before it changes them.
    switch (s.opcode) {
    case OP_SLOAD:
    case OP_SSTORE:
        if (n >= 1) look_up_storage(self, s.stack[n - 1]);
        break;
    case OP_EXTCODECOPY:
    case OP_EXTCODEHASH:
    case OP_EXTCODESIZE:
    case OP_BALANCE:
    case OP_SELFDESTRUCT:
        if (n >= 1) look_up_account(s.stack[n - 1].to_address());
        break;
    case OP_CALL:
    case OP_CALLCODE:
    case OP_DELEGATECALL:
    case OP_STATICCALL:
        if (n >= 5) {
            const Address target = s.stack[n - 2].to_address();
            look_up_account(target);
            // EIP-7702: the code that runs is the delegate's.
            if (rev_ >= Revision::Prague)
                if (const Account* a = state_->find(target))
                    if (const auto delegate = parse_delegation(a->code_view())) look_up_account(*delegate);
        }
        break;
    case OP_CREATE: {
        const Account* creator = state_->find(self);
        const Address addr = create_address(self, creator ? creator->nonce : 0);
        look_up_account(addr);
        created_.insert(addr);
        break;
    }
    case OP_CREATE2:
        if (n >= 4) {
            const auto initcode = padded_copy(s.memory, s.stack[n - 2], s.stack[n - 3]);
            if (!initcode) break;
            const Address addr = create2_address(self, s.stack[n - 4].to_hash(), *initcode);
            look_up_account(addr);
            created_.insert(addr);
        }
        break;
    default:
        break;
    }
}

void PrestateTracer::on_selfdestruct(const Address& addr, const Address&, const uint256&) {
    self_destructed_.insert(addr);
}

void PrestateTracer::compute_diff(State& state) {
    for (auto it = pre_.begin(); it != pre_.end();) {
        const Address& addr = it->first;
        AccountState& pre = it->second;
        const Account* now = state.find(addr);
        // A self-destructed account that is gone stays in pre and is absent from post.
        if (self_destructed_.contains(addr) && !now) {
            ++it;
            continue;
        }
        AccountState post;
        post.show_balance = post.show_nonce = post.show_code = false;
        bool modified = false;
        const uint256 balance = now ? now->balance : uint256{};
        const uint64_t nonce = now ? now->nonce : 0;
        const bytes_view code = now ? now->code_view() : bytes_view{};
        if (balance != pre.balance) {
            modified = post.show_balance = true;
            post.balance = balance;
        }
        if (nonce != pre.nonce) {
            modified = post.show_nonce = true;
            post.nonce = nonce;
        }
        if (!config_.disable_code && !std::equal(code.begin(), code.end(), pre.code.begin(), pre.code.end())) {
            modified = post.show_code = true;
            post.code.assign(code.begin(), code.end());
        }
        for (auto slot = pre.storage.begin(); slot != pre.storage.end();) {
            const uint256 value = state.storage_value(addr, slot->first);
            const bool unchanged = value == slot->second;
            if (!unchanged) {
                modified = true;
                if (!value.is_zero()) post.storage.emplace(slot->first, value);
            }
            // geth's pre keeps only changed slots that were not empty.
            if (unchanged || slot->second.is_zero())
                slot = pre.storage.erase(slot);
            else
                ++slot;
        }
        if (modified) {
            post_.emplace(addr, std::move(post));
            ++it;
        } else {
            it = pre_.erase(it);
        }
    }
}

void PrestateTracer::finish(State& state, const TransactionOutcome&) {
    if (config_.diff_mode) compute_diff(state);
    // A contract the transaction created had no pre-state (unless something already lived there).
    for (const Address& a : created_) {
        const auto it = pre_.find(a);
        if (it != pre_.end() && it->second.empty) pre_.erase(it);
    }
}

nlohmann::json PrestateTracer::to_json(const AccountState& a) const {
    nlohmann::json j = nlohmann::json::object();
    if (a.show_balance) j["balance"] = hex_quantity(a.balance);
    if (a.show_nonce && a.nonce != 0) j["nonce"] = a.nonce;
    if (a.show_code && !config_.disable_code && !a.code.empty()) j["code"] = hex_data(a.code);
    if (!config_.disable_storage && !a.storage.empty()) {
        nlohmann::json storage = nlohmann::json::object();
        for (const auto& [k, v] : a.storage) storage[hex_hash(k)] = hex_hash(v);
        j["storage"] = std::move(storage);
    }
    return j;
}

nlohmann::json PrestateTracer::result(const TransactionOutcome&, const Transaction&) {
    auto accounts = [this](const std::map<Address, AccountState>& m) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [addr, acc] : m) j[hex_address(addr)] = to_json(acc);
        return j;
    };
    if (config_.diff_mode) return {{"post", accounts(post_)}, {"pre", accounts(pre_)}};
    return accounts(pre_);
}

}  // namespace polyvm::trace

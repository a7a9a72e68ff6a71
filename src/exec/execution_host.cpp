#include "exec/execution_host.hpp"

#include "common/native_stack.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "evm/interpreter.hpp"
#include "evm/tracer.hpp"
#include "precompiles/precompiles.hpp"
#include "wasm/stylus_program.hpp"

#include <string>

namespace polyvm {
namespace {
constexpr size_t kMaxCodeSize = 24576;   // EIP-170
constexpr int64_t kCodeDepositGasPerByte = 200;

}  // namespace

Address create_address(const Address& sender, uint64_t nonce) {
    const bytes encoded = rlp::ListBuilder{}.add(sender).add(nonce).finish();
    return Address::from(keccak256(encoded));
}

Address create2_address(const Address& sender, const Hash32& salt, bytes_view initcode) {
    // EIP-1014: keccak256(0xff ++ sender ++ salt ++ keccak256(initcode))[12:]
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    std::memcpy(buf + 1, sender.data(), 20);
    std::memcpy(buf + 21, salt.data(), 32);
    const Hash32 code_hash = keccak256(initcode);
    std::memcpy(buf + 53, code_hash.data(), 32);
    return Address::from(keccak256(bytes_view{buf, sizeof(buf)}));
}

bool ExecutionHost::account_exists(const Address& addr) {
    const Account* acc = state_.find(addr);
    if (!acc) return false;
    // From EIP-158 on, an empty account counts as non-existent ("dead").
    return rev_ < Revision::SpuriousDragon || !acc->is_empty();
}

uint256 ExecutionHost::get_storage(const Address& addr, const uint256& key) { return state_.storage_value(addr, key); }

StorageStatus ExecutionHost::set_storage(const Address& addr, const uint256& key, const uint256& value) {
    StorageSlot& slot = state_.storage_slot(addr, key);
    const uint256 original = slot.original;
    const uint256 current = slot.current;
    // Classification of EIP-2200 (original -> current -> value), from which every revision's
    // SSTORE gas and refund rules can be derived by the interpreter.
    StorageStatus status;
    if (current == value)
        status = StorageStatus::Assigned;
    else if (original == current)
        status = original.is_zero() ? StorageStatus::Added
                 : value.is_zero()  ? StorageStatus::Deleted
                                    : StorageStatus::Modified;
    else if (!original.is_zero()) {
        if (current.is_zero())
            status = value == original ? StorageStatus::DeletedRestored : StorageStatus::DeletedAdded;
        else if (value.is_zero())
            status = StorageStatus::ModifiedDeleted;
        else if (value == original)
            status = StorageStatus::ModifiedRestored;
        else
            status = StorageStatus::Assigned;
    } else {
        status = value.is_zero() ? StorageStatus::AddedDeleted : StorageStatus::Assigned;
    }
    if (current != value) state_.set_storage(addr, key, value);
    return status;
}

uint256 ExecutionHost::get_balance(const Address& addr) {
    const Account* acc = state_.find_with_balance(addr);
    return acc ? acc->balance : uint256{};
}

size_t ExecutionHost::get_code_size(const Address& addr) {
    const Account* acc = state_.find(addr);
    return acc ? acc->code_size() : 0;
}

Hash32 ExecutionHost::get_code_hash(const Address& addr) {
    const Account* acc = state_.find(addr);
    if (!acc) return {};
    // EIP-1052 / EIP-161: an empty account has hash 0, like a non-existent one.
    if (rev_ >= Revision::SpuriousDragon && acc->is_empty()) return {};
    return acc->code_hash;
}

size_t ExecutionHost::copy_code(const Address& addr, size_t offset, std::span<uint8_t> out) {
    const Account* acc = state_.find(addr);
    if (!acc) return 0;
    const bytes_view code = acc->code_view();
    if (offset >= code.size()) return 0;
    const size_t n = std::min(out.size(), code.size() - offset);
    std::memcpy(out.data(), code.data() + offset, n);
    return n;
}

bool ExecutionHost::selfdestruct(const Address& addr, const Address& beneficiary) {
    Account* acc = state_.find_with_balance(addr);
    if (!acc) return false;
    if (tracer_) [[unlikely]]
        tracer_->on_selfdestruct(addr, beneficiary, acc->balance);
    const bool first = !acc->destructed;
    const uint256 balance = acc->balance;
    if (rev_ >= Revision::Cancun && !acc->created_in_tx) {
        // EIP-6780: the account survives; only its balance moves (to itself: nothing happens).
        if (beneficiary != addr) {
            state_.sub_balance(addr, balance);
            state_.add_balance(beneficiary, balance);
        }
        return first;
    }
    state_.add_balance(beneficiary, balance);
    // Sending to itself burns the balance: the account is deleted at the end of the transaction.
    state_.sub_balance(addr, state_.find(addr)->balance);
    state_.mark_destructed(addr);
    return first;
}

Hash32 ExecutionHost::get_block_hash(uint64_t number) {
    const uint64_t current = tx_context_.block_number;
    // Only the 256 most recent ancestors are visible; the reader supplies their hashes.
    if (number >= current || number + 256 < current) return {};
    return state_.block_hash(number).value_or(Hash32{});
}

void ExecutionHost::emit_log(const Address& addr, bytes_view data, const Hash32* topics, size_t topics_count) {
    logs_.push_back(Log{addr, std::vector<Hash32>(topics, topics + topics_count), bytes(data.begin(), data.end())});
    if (tracer_) [[unlikely]]
        tracer_->on_log(addr, data, std::span<const Hash32>(topics, topics_count));
}

AccessStatus ExecutionHost::access_account(const Address& addr) {
    // EIP-2929: precompiles are warm from the start of every transaction.
    if (rev_ >= Revision::Berlin && is_precompile(addr, rev_)) return AccessStatus::Warm;
    if (state_.is_warm(addr)) return AccessStatus::Warm;
    state_.mark_warm(addr);
    return AccessStatus::Cold;
}

AccessStatus ExecutionHost::access_storage(const Address& addr, const uint256& key) {
    return state_.mark_storage_warm(addr, key) ? AccessStatus::Warm : AccessStatus::Cold;
}

uint256 ExecutionHost::get_transient_storage(const Address& addr, const uint256& key) {
    const Account* acc = state_.find(addr);
    if (!acc) return {};
    const auto it = acc->transient_storage.find(key);
    return it == acc->transient_storage.end() ? uint256{} : it->second;
}

void ExecutionHost::set_transient_storage(const Address& addr, const uint256& key, const uint256& value) {
    state_.set_transient_storage(addr, key, value);
}

std::optional<Address> ExecutionHost::get_delegation(const Address& addr) {
    const Account* acc = state_.find(addr);
    return acc ? parse_delegation(acc->code_view()) : std::nullopt;
}

void ExecutionHost::revert_to(size_t state_snapshot, size_t logs_size) {
    state_.revert(state_snapshot);
    logs_.resize(logs_size);
}

ExecutionResult ExecutionHost::call(const Message& msg) {
    // Frames recurse natively: on a thread about to run out of stack the call is refused and
    // the transaction marked, rather than the process ending with SIGSEGV (docs/security.md).
    if (native_stack_left() < kNativeStackReserve) [[unlikely]] {
        native_stack_exhausted_ = true;
        return ExecutionResult{Status::NativeStackExhausted, 0, 0, {}, {}};
    }
    if (tracer_) [[unlikely]]
        return traced_call(msg);
    if (msg.kind == CallKind::Create || msg.kind == CallKind::Create2) return create(msg);
    return execute_message_call(msg);
}

ExecutionResult ExecutionHost::traced_call(const Message& msg) {
    tracer_->on_call_start(msg);
    ExecutionResult result =
        msg.kind == CallKind::Create || msg.kind == CallKind::Create2 ? create(msg) : execute_message_call(msg);
    tracer_->on_call_end(msg, result);
    return result;
}

ExecutionResult ExecutionHost::run_code(const Message& msg, const Account& code_owner) {
    // The EVM's path pays one test of a flag that is constant for the transaction.
    if (wasm_contracts_) [[unlikely]] {
        if (wasm::is_stylus_program(code_owner.code_view())) return run_program(msg, code_owner);
    }
    auto& analysis = analyses_[code_owner.code_hash];
    if (!analysis) analysis = AnalysisCache::shared().get(code_owner.code_hash, code_owner.code_view(), rev_);
    const auto keep_alive = analysis;  // the map may rehash during nested calls
    return execute(*this, rev_, msg, *keep_alive, tracer_);
}

ExecutionResult ExecutionHost::run_program(const Message& msg, const Account& code_owner) {
    auto& program = programs_[code_owner.code_hash];
    if (!program) program = stylus::ProgramCache::shared().get(code_owner.code_hash, code_owner.code_view());
    const auto keep_alive = program;  // the map may rehash during nested calls
    if (!tracer_) return stylus::execute_program(*this, rev_, msg, keep_alive, running_programs_);
    // Tracers see the program's frame start and end, and its WebAssembly steps in between.
    tracer_->on_frame_start(msg, rev_, code_owner.code_view());
    ExecutionResult result = stylus::execute_program(*this, rev_, msg, keep_alive, running_programs_, tracer_);
    tracer_->on_frame_end(msg, result);
    return result;
}

bool ExecutionHost::deployable(bytes_view code) {
    if (rev_ >= Revision::SpuriousDragon && code.size() > kMaxCodeSize) return false;  // EIP-170
    if (code.empty() || code[0] != 0xEF) return true;
    // A Stylus program is checked and translated now (Arbitrum's activation), so that an
    // invalid one never becomes a contract.
    if (wasm_contracts_ && wasm::is_stylus_program(code))
        return stylus::ProgramCache::shared().get(keccak256(code), code) != nullptr;
    return rev_ < Revision::London;  // EIP-3541
}

ExecutionResult ExecutionHost::execute_message_call(const Message& msg) {
    const size_t snapshot = state_.snapshot();
    const size_t logs_size = logs_.size();
    const bool precompile = is_precompile(msg.code_address, rev_);

    if (msg.kind == CallKind::Call) {
        // EIP-158: a zero-value call to a missing non-precompile account creates nothing.
        const bool missing = state_.find(msg.recipient) == nullptr;
        if (missing && rev_ >= Revision::SpuriousDragon && msg.value.is_zero() && !precompile)
            return ExecutionResult{Status::Success, msg.gas, 0, {}, {}};
        // Value transfer; a zero transfer still touches the recipient (EIP-158 state clearing).
        if (!msg.value.is_zero()) state_.sub_balance(msg.sender, msg.value);
        state_.add_balance(msg.recipient, msg.value);
    }

    ExecutionResult result;
    if (precompile) {
        auto pre = run_precompile(msg.code_address, msg.input, msg.gas, rev_);
        if (pre.status == Status::UnsupportedPrecompile) used_unsupported_precompile_ = true;
        result.status = pre.status;
        result.gas_left = pre.gas_left;
        result.output = std::move(pre.output);
    } else {
        const Account* code_owner = state_.find(msg.code_address);
        // EIP-7702 (Prague): a delegation designator runs its delegate's code (one level only: a
        // delegate that is itself delegated runs the designator bytes, which start with the
        // invalid 0xef). A delegate that is a precompile runs as plain, usually empty, code.
        if (rev_ >= Revision::Prague && code_owner) {
            if (const auto delegate = parse_delegation(code_owner->code_view())) code_owner = state_.find(*delegate);
        }
        if (!code_owner || code_owner->code_size() == 0) return ExecutionResult{Status::Success, msg.gas, 0, {}, {}};
        result = run_code(msg, *code_owner);
    }

    if (result.status != Status::Success) {
        revert_to(snapshot, logs_size);
        result.gas_refund = 0;
        if (result.status != Status::Revert) result.gas_left = 0;
    }
    return result;
}

ExecutionResult ExecutionHost::create(const Message& msg) {
    Account* sender = state_.find(msg.sender);
    uint64_t nonce = sender ? sender->nonce : 0;
    if (msg.depth > 0) {
        // CREATE/CREATE2 from code: EIP-2681 caps the nonce; the creation fails and keeps its gas.
        if (nonce == UINT64_MAX) return ExecutionResult{Status::NonceOverflow, msg.gas, 0, {}, {}};
        state_.bump_nonce(msg.sender);
    } else {
        nonce -= 1;  // the transaction already bumped the sender's nonce
    }
    const Address addr = msg.kind == CallKind::Create ? create_address(msg.sender, nonce)
                                                      : create2_address(msg.sender, msg.create2_salt, msg.input);
    if (rev_ >= Revision::Berlin) state_.mark_warm(addr);  // EIP-2929: even if the creation fails

    if (const Account* existing = state_.find(addr)) {
        // Collision (EIP-684, EIP-7610): nonce, code or storage already there. All gas is consumed.
        if (existing->nonce != 0 || existing->code_size() != 0 || state_.has_nonzero_storage(addr))
            return ExecutionResult{Status::CreateCollision, 0, 0, {}, {}};
    }

    const size_t snapshot = state_.snapshot();
    const size_t logs_size = logs_.size();
    state_.create_contract(addr, rev_ >= Revision::SpuriousDragon ? 1 : 0);  // EIP-161 starts nonces at 1
    if (!msg.value.is_zero()) {
        state_.sub_balance(msg.sender, msg.value);
        state_.add_balance(addr, msg.value);
    }

    Message init = msg;
    init.kind = msg.kind;
    init.recipient = addr;
    init.code_address = addr;
    init.input = {};
    // Initcode runs once: not worth fusing its instructions.
    const CodeAnalysis analysis = analyze(msg.input, rev_, FusedCode::No);
    ExecutionResult result = execute(*this, rev_, init, analysis, tracer_);

    auto fail = [&](Status status) {
        revert_to(snapshot, logs_size);
        return ExecutionResult{status, 0, 0, {}, {}};
    };
    if (result.status != Status::Success) {
        revert_to(snapshot, logs_size);
        result.gas_refund = 0;
        if (result.status != Status::Revert) result.gas_left = 0;
        return result;
    }
    bytes code = std::move(result.output);
    if (!deployable(code)) return fail(Status::ContractValidationFailure);
    const int64_t deposit_cost = static_cast<int64_t>(code.size()) * kCodeDepositGasPerByte;
    if (result.gas_left < deposit_cost) {
        // Homestead (EIP-2) made an unaffordable code deposit a failure; Frontier kept an empty account.
        if (rev_ >= Revision::Homestead) return fail(Status::OutOfGas);
        code.clear();
    } else {
        result.gas_left -= deposit_cost;
    }
    if (!code.empty()) state_.set_code_journaled(addr, std::move(code));
    result.output.clear();
    result.create_address = addr;
    return result;
}

}  // namespace polyvm

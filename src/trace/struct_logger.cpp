#include "trace/struct_logger.hpp"

#include "evm/gas_constants.hpp"
#include "evm/opcodes.hpp"
#include "trace/geth_format.hpp"

#include <algorithm>

namespace polyvm::trace {
namespace {
bool is_call(uint8_t op) { return op == OP_CALL || op == OP_CALLCODE || op == OP_DELEGATECALL || op == OP_STATICCALL; }
bool is_create(uint8_t op) { return op == OP_CREATE || op == OP_CREATE2; }

/// Errors geth detects before it logs the instruction (stack bounds, gas), which it therefore
/// reports on the step; the others surface while the instruction runs and are not on the step.
bool reported_on_step(Status s) {
    return s == Status::OutOfGas || s == Status::StackUnderflow || s == Status::StackOverflow;
}
}  // namespace

void StructLogger::begin(State& state, const BlockInfo&, const Transaction&, Revision rev) {
    state_ = &state;
    rev_ = rev;
    frames_.clear();
    entries_.clear();
    storage_seen_.clear();
    result_size_ = 0;
    top_create_output_.clear();
}

StructLogger::Frame& StructLogger::frame_at(int32_t depth) {
    const size_t i = depth < 0 ? 0 : static_cast<size_t>(depth);
    if (frames_.size() <= i) frames_.resize(i + 1);
    return frames_[i];
}

void StructLogger::on_frame_start(const Message& msg, Revision rev, bytes_view) {
    rev_ = rev;
    // geth's refund counter is the transaction's: what enclosing frames had when they called.
    int64_t base = 0;
    if (msg.depth > 0) {
        const Frame& parent = frame_at(msg.depth - 1);
        base = parent.refund_base + parent.pending.refund;
    }
    Frame& f = frame_at(msg.depth);
    f = Frame{};
    f.address = msg.recipient;
    f.refund_base = base;
}

void StructLogger::settle(PendingStep& p, int64_t gas_after) {
    int64_t cost = p.gas_before - gas_after;
    if (p.evm && is_call(p.opcode)) {
        const int64_t stipend = p.transfers_value ? gas::kCallStipend : 0;
        if (p.child_ran) {
            // gas_after = before - charged + the child's leftover (its unused stipend included,
            // the stipend being free): geth's cost is what was charged, forwarded gas included.
            cost = p.gas_before - gas_after + p.child_gas_left;
        } else {
            // The call could not start (depth, balance): the forwarded gas and the stipend came
            // straight back. Recompute the forwarded gas from what was left (EIP-150).
            const int64_t charged = p.gas_before - gas_after + stipend;
            const int64_t left = p.gas_before - charged;
            int64_t forwarded = p.requested_gas.fits_u64() && p.requested_gas.low64() <= static_cast<uint64_t>(INT64_MAX)
                                    ? static_cast<int64_t>(p.requested_gas.low64())
                                    : INT64_MAX;
            if (rev_ >= Revision::TangerineWhistle) forwarded = std::min(forwarded, left - left / 64);
            cost = charged + forwarded;
        }
    } else if (p.evm && is_create(p.opcode) && p.child_ran) {
        // geth charges CREATE's forwarded gas while the instruction runs: not part of gasCost.
        cost = p.gas_before - gas_after + p.child_gas_left - p.child_gas;
    }
    if (p.recorded) entries_[p.index]["gasCost"] = cost;
    p.present = false;
}

void StructLogger::on_step(const TraceStep& s) {
    Frame& f = frame_at(s.depth);
    if (f.pending.present) settle(f.pending, s.gas_left);

    // A WebAssembly step shows its mnemonic as "op", with no stack; its calls' gasCost is what the
    // frame's gas changed by (the callee's use included), as for any other instruction.
    const bool evm = s.vm == TraceVm::Evm;
    PendingStep p;
    p.present = true;
    p.evm = evm;
    p.opcode = s.opcode;
    p.gas_before = s.gas_left;
    p.base_cost = s.gas_cost;
    p.stack_size = s.stack.size();
    p.refund = s.refund;
    const size_t n = s.stack.size();
    if (evm && is_call(s.opcode) && n >= 1) p.requested_gas = s.stack[n - 1];
    if (evm && (s.opcode == OP_CALL || s.opcode == OP_CALLCODE) && n >= 3) p.transfers_value = !s.stack[n - 3].is_zero();

    if (config_.limit != 0 && result_size_ > config_.limit) {
        f.pending = p;  // past geth's size limit: cost tracking only
        return;
    }

    nlohmann::json e;
    e["pc"] = s.pc;
    if (evm) e["op"] = geth_opcode_name(s.opcode);
    else e["op"] = std::string(s.op_name);
    e["gas"] = s.gas_left;
    e["gasCost"] = s.gas_cost;
    e["depth"] = s.depth + 1;
    if (!config_.disable_stack) {
        nlohmann::json stack = nlohmann::json::array();
        for (const uint256& v : s.stack) stack.push_back(v.to_hex());
        e["stack"] = std::move(stack);
    }
    if (config_.enable_return_data && !s.return_data.empty()) e["returnData"] = hex_data(s.return_data);
    if (config_.enable_memory && !s.memory.empty()) {
        nlohmann::json memory = nlohmann::json::array();
        for (size_t i = 0; i + 32 <= s.memory.size(); i += 32)
            memory.push_back(hex_word(uint256::from_be(s.memory.subspan(i, 32))));
        e["memory"] = std::move(memory);
    }
    const bool sload = evm && s.opcode == OP_SLOAD && n >= 1;
    const bool sstore = evm && s.opcode == OP_SSTORE && n >= 2;
    if (!config_.disable_storage && (sload || sstore)) {
        // geth shows the slots of this contract seen so far: read values at SLOAD, written
        // values at SSTORE (before the instruction runs).
        auto& seen = storage_seen_[f.address];
        const uint256& key = s.stack[n - 1];
        seen[key] = sload ? (state_ ? state_->storage_value(f.address, key) : uint256{}) : s.stack[n - 2];
        nlohmann::json storage = nlohmann::json::object();
        for (const auto& [k, v] : seen) storage[hex_word(k)] = hex_word(v);
        e["storage"] = std::move(storage);
    }
    const int64_t refund = f.refund_base + s.refund;
    if (refund != 0) e["refund"] = refund;
    if (config_.limit != 0) result_size_ += e.dump().size();

    p.recorded = true;
    p.index = entries_.size();
    entries_.push_back(std::move(e));
    f.pending = p;
}

void StructLogger::on_frame_end(const Message& msg, const ExecutionResult& r) {
    Frame& f = frame_at(msg.depth);
    PendingStep& last = f.pending;
    if (last.present) {
        if (r.status == Status::Success || r.status == Status::Revert) {
            settle(last, r.gas_left);
        } else {
            // An exceptional halt: the instruction's base cost (its dynamic part is unknown).
            if (last.recorded && reported_on_step(r.status)) {
                const FailingStep failing{last.opcode, last.stack_size};
                entries_[last.index]["error"] = geth_error(r.status, last.evm ? &failing : nullptr);
            }
            last.present = false;
        }
    }
    if (msg.depth == 0 && (msg.kind == CallKind::Create || msg.kind == CallKind::Create2) &&
        r.status == Status::Success)
        top_create_output_ = r.output;
}

void StructLogger::on_call_end(const Message& msg, const ExecutionResult& r) {
    if (msg.depth == 0) return;
    PendingStep& caller = frame_at(msg.depth - 1).pending;
    caller.child_ran = true;
    caller.child_gas = msg.gas;
    caller.child_gas_left = r.gas_left;
}

nlohmann::json StructLogger::result(const TransactionOutcome& outcome, const Transaction& tx) {
    nlohmann::json r;
    r["gas"] = outcome.gas_used;
    r["failed"] = outcome.status != Status::Success;
    // geth: the output when successful (a creation's deployed code), the revert data when
    // reverted, nothing otherwise.
    bytes_view value;
    if (outcome.status == Status::Success) value = tx.to ? bytes_view{outcome.output} : bytes_view{top_create_output_};
    else if (outcome.status == Status::Revert) value = outcome.output;
    r["returnValue"] = hex_data(value);
    r["structLogs"] = nlohmann::json::array();
    for (auto& e : entries_) r["structLogs"].push_back(std::move(e));
    entries_.clear();
    return r;
}

}  // namespace polyvm::trace

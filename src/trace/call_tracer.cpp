#include "trace/call_tracer.hpp"

#include "common/hex.hpp"

namespace polyvm::trace {
namespace {
constexpr size_t kMaxCodeSize = 24576;  // EIP-170

bool is_creation(const Message& msg) { return msg.kind == CallKind::Create || msg.kind == CallKind::Create2; }
}  // namespace

void CallTracer::begin(State&, const BlockInfo&, const Transaction& tx, Revision rev) {
    rev_ = rev;
    gas_limit_ = tx.gas_limit;
    depth_ = -1;
    stack_.clear();
    top_ = Frame{};
}

void CallTracer::on_step(const TraceStep& s) {
    // Remembered for geth's stack and opcode error texts (EVM opcodes only).
    if (s.vm == TraceVm::Evm && !stack_.empty() && s.depth == static_cast<int32_t>(stack_.size()) - 1)
        stack_.back().last_step = FailingStep{s.opcode, s.stack.size()};
}

void CallTracer::on_frame_end(const Message& msg, const ExecutionResult& r) {
    if (!is_creation(msg) || msg.depth != static_cast<int32_t>(stack_.size()) - 1) return;
    // The initcode's output before the host checks and deposits it: geth's "output" of a
    // creation, and what tells its code-deposit errors apart.
    stack_.back().init_output = r.output;
    stack_.back().init_succeeded = r.status == Status::Success;
}

void CallTracer::on_call_start(const Message& msg) {
    depth_ = msg.depth;
    if (msg.depth > 0 && config_.only_top_call) return;
    Frame f;
    f.is_static = msg.is_static;
    f.gas = msg.depth == 0 ? static_cast<int64_t>(gas_limit_) : msg.gas;  // geth: the top frame has the tx's gas
    f.input.assign(msg.input.begin(), msg.input.end());
    switch (msg.kind) {
    case CallKind::Create:
    case CallKind::Create2:
        f.type = msg.kind == CallKind::Create ? "CREATE" : "CREATE2";
        f.from = msg.sender;
        f.value = msg.value;
        break;  // `to` is known once the host has derived the address
    case CallKind::DelegateCall:
        // geth: from is the contract that delegates, to the code's account; the value is the
        // one the frame inherits.
        f.type = "DELEGATECALL";
        f.from = msg.recipient;
        f.to = msg.code_address;
        f.value = msg.value;
        break;
    case CallKind::CallCode:
        f.type = "CALLCODE";
        f.from = msg.sender;
        f.to = msg.code_address;
        f.value = msg.value;
        break;
    case CallKind::Call: {
        // A static message whose caller is not static was started by STATICCALL (which has no value).
        const bool parent_static = !stack_.empty() && stack_.back().is_static;
        const bool staticcall = msg.depth > 0 && msg.is_static && !parent_static;
        f.type = staticcall ? "STATICCALL" : "CALL";
        f.from = msg.sender;
        f.to = msg.recipient;
        if (!staticcall) f.value = msg.value;
        break;
    }
    }
    stack_.push_back(std::move(f));
}

void CallTracer::close_frame(Frame& f, const Message& msg, const ExecutionResult& r) {
    f.gas_used = msg.gas - r.gas_left;
    const bool creation = is_creation(msg);
    if (r.status == Status::Success) {
        if (creation) {
            f.to = r.create_address;
            f.output = f.init_output.value_or(bytes{});
        } else {
            f.output = r.output;
        }
        return;
    }
    if (creation && r.status == Status::OutOfGas && f.init_succeeded)
        f.error = "contract creation code storage out of gas";
    else if (creation && r.status == Status::ContractValidationFailure && f.init_output && !f.init_output->empty() &&
             (*f.init_output)[0] == 0xef && f.init_output->size() <= kMaxCodeSize && rev_ >= Revision::London)
        f.error = "invalid code: must not begin with 0xef";  // EIP-3541; geth checks EIP-170's size first
    else
        f.error = geth_error(r.status, f.last_step ? &*f.last_step : nullptr);
    if (creation) f.to.reset();  // geth drops the address of a failed creation
    if (r.status == Status::Revert && !r.output.empty()) {
        f.output = r.output;
        f.revert_reason = decode_revert_reason(r.output);
    }
}

void CallTracer::on_call_end(const Message& msg, const ExecutionResult& r) {
    depth_ = msg.depth - 1;
    if ((msg.depth > 0 && config_.only_top_call) || stack_.empty()) return;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    close_frame(f, msg, r);
    if (stack_.empty())
        top_ = std::move(f);
    else
        stack_.back().calls.push_back(std::move(f));
}

void CallTracer::on_log(const Address& addr, bytes_view data, std::span<const Hash32> topics) {
    if (!config_.with_log || stack_.empty() || (config_.only_top_call && depth_ > 0)) return;
    Frame& f = stack_.back();
    f.logs.push_back(LogEntry{addr, std::vector<Hash32>(topics.begin(), topics.end()), bytes(data.begin(), data.end()),
                              f.calls.size()});
}

void CallTracer::on_selfdestruct(const Address& addr, const Address& beneficiary, const uint256& balance) {
    if (config_.only_top_call || stack_.empty()) return;
    // geth reports a self-destruct as a frame of its own, without gas.
    Frame f;
    f.type = "SELFDESTRUCT";
    f.from = addr;
    f.to = beneficiary;
    f.value = balance;
    stack_.back().calls.push_back(std::move(f));
}

void CallTracer::drop_failed_logs(Frame& f, bool parent_failed) {
    // Logs of a failed frame, and of everything under it, were reverted.
    const bool failed = parent_failed || !f.error.empty();
    if (failed) f.logs.clear();
    for (Frame& child : f.calls) drop_failed_logs(child, failed);
}

nlohmann::json CallTracer::to_json(const Frame& f) {
    nlohmann::json j;
    j["type"] = f.type;
    j["from"] = hex_address(f.from);
    if (f.to) j["to"] = hex_address(*f.to);
    if (f.value) j["value"] = hex_quantity(*f.value);
    j["gas"] = hex_quantity(static_cast<uint64_t>(f.gas));
    j["gasUsed"] = hex_quantity(static_cast<uint64_t>(f.gas_used));
    j["input"] = hex_data(f.input);
    if (f.output && !f.output->empty()) j["output"] = hex_data(*f.output);
    if (!f.error.empty()) j["error"] = f.error;
    if (f.revert_reason) j["revertReason"] = *f.revert_reason;
    if (!f.calls.empty()) {
        nlohmann::json calls = nlohmann::json::array();
        for (const Frame& c : f.calls) calls.push_back(to_json(c));
        j["calls"] = std::move(calls);
    }
    if (!f.logs.empty()) {
        nlohmann::json logs = nlohmann::json::array();
        for (const LogEntry& l : f.logs) {
            nlohmann::json topics = nlohmann::json::array();
            for (const Hash32& t : l.topics) topics.push_back(to_hex_prefixed(t));
            logs.push_back({{"address", hex_address(l.address)},
                            {"topics", std::move(topics)},
                            {"data", hex_data(l.data)},
                            {"position", hex_quantity(static_cast<uint64_t>(l.position))}});
        }
        j["logs"] = std::move(logs);
    }
    return j;
}

nlohmann::json CallTracer::result(const TransactionOutcome& outcome, const Transaction&) {
    top_.gas_used = outcome.gas_used;  // geth: the receipt's gas used, intrinsic gas and refunds included
    if (config_.with_log) drop_failed_logs(top_, false);
    return to_json(top_);
}

}  // namespace polyvm::trace

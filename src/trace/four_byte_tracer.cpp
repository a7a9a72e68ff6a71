#include "trace/four_byte_tracer.hpp"

#include "common/hex.hpp"
#include "precompiles/precompiles.hpp"

#include <stdexcept>

namespace polyvm::trace {

void FourByteTracer::begin(State&, const BlockInfo&, const Transaction&, Revision rev) {
    rev_ = rev;
    counts_.clear();
}

void FourByteTracer::on_call_start(const Message& msg) {
    // Creations and precompiles (fancy opcodes, as geth puts it) are left out.
    if (msg.kind == CallKind::Create || msg.kind == CallKind::Create2) return;
    if (msg.input.size() < 4 || is_precompile(msg.code_address, rev_)) return;
    ++counts_[to_hex_prefixed(msg.input.first(4)) + "-" + std::to_string(msg.input.size() - 4)];
}

nlohmann::json FourByteTracer::result(const TransactionOutcome&, const Transaction&) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, count] : counts_) out[key] = count;
    return out;
}

MuxTracer::MuxTracer(const nlohmann::json& config) {
    if (!config.is_object()) throw std::invalid_argument("tracerConfig of muxTracer must be an object of tracers");
    for (const auto& [name, tracer_config] : config.items()) {
        if (name == "muxTracer") throw std::invalid_argument("muxTracer cannot hold a muxTracer");
        nlohmann::json options = {{"tracer", name}};
        if (!tracer_config.is_null()) options["tracerConfig"] = tracer_config;
        tracers_.emplace_back(name, make_transaction_tracer(options));
    }
}

void MuxTracer::begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) {
    for (auto& [name, t] : tracers_) t->begin(state, block, tx, rev);
}
void MuxTracer::finish(State& state, const TransactionOutcome& outcome) {
    for (auto& [name, t] : tracers_) t->finish(state, outcome);
}
nlohmann::json MuxTracer::result(const TransactionOutcome& outcome, const Transaction& tx) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [name, t] : tracers_) out[name] = t->result(outcome, tx);
    return out;
}
void MuxTracer::on_frame_start(const Message& msg, Revision rev, bytes_view code) {
    for (auto& [name, t] : tracers_) t->on_frame_start(msg, rev, code);
}
void MuxTracer::on_step(const TraceStep& step) {
    for (auto& [name, t] : tracers_) t->on_step(step);
}
void MuxTracer::on_frame_end(const Message& msg, const ExecutionResult& result) {
    for (auto& [name, t] : tracers_) t->on_frame_end(msg, result);
}
void MuxTracer::on_call_start(const Message& msg) {
    for (auto& [name, t] : tracers_) t->on_call_start(msg);
}
void MuxTracer::on_call_end(const Message& msg, const ExecutionResult& result) {
    for (auto& [name, t] : tracers_) t->on_call_end(msg, result);
}
void MuxTracer::on_log(const Address& addr, bytes_view data, std::span<const Hash32> topics) {
    for (auto& [name, t] : tracers_) t->on_log(addr, data, topics);
}
void MuxTracer::on_selfdestruct(const Address& addr, const Address& beneficiary, const uint256& balance) {
    for (auto& [name, t] : tracers_) t->on_selfdestruct(addr, beneficiary, balance);
}

}  // namespace polyvm::trace

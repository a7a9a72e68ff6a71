// geth's 4byteTracer: how often each function selector was called with each calldata size, over
// the calls and delegate/static calls of a transaction (the top-level call included; creations
// and precompiles left out): {"0xa9059cbb-64": 1, ...}.
#pragma once

#include "trace/transaction_trace.hpp"

#include <map>
#include <string>

namespace polyvm::trace {

class FourByteTracer final : public TransactionTracer {
public:
    void begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) override;
    void on_call_start(const Message& msg) override;
    nlohmann::json result(const TransactionOutcome& outcome, const Transaction& tx) override;

private:
    Revision rev_ = Revision::Cancun;
    std::map<std::string, uint64_t> counts_;  // "0x" + selector + "-" + calldata size after it
};

/// geth's muxTracer: several tracers over one run, configured by
/// {"tracer":"muxTracer","tracerConfig":{"callTracer":{...},"4byteTracer":{}}}; the result is
/// an object with each tracer's result under its name.
class MuxTracer final : public TransactionTracer {
public:
    /// `config`: tracer name -> that tracer's tracerConfig (make_transaction_tracer's rules).
    explicit MuxTracer(const nlohmann::json& config);

    void begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) override;
    void finish(State& state, const TransactionOutcome& outcome) override;
    nlohmann::json result(const TransactionOutcome& outcome, const Transaction& tx) override;

    void on_frame_start(const Message& msg, Revision rev, bytes_view code) override;
    void on_step(const TraceStep& step) override;
    void on_frame_end(const Message& msg, const ExecutionResult& result) override;
    void on_call_start(const Message& msg) override;
    void on_call_end(const Message& msg, const ExecutionResult& result) override;
    void on_log(const Address& addr, bytes_view data, std::span<const Hash32> topics) override;
    void on_selfdestruct(const Address& addr, const Address& beneficiary, const uint256& balance) override;

private:
    std::vector<std::pair<std::string, std::unique_ptr<TransactionTracer>>> tracers_;
};

}  // namespace polyvm::trace

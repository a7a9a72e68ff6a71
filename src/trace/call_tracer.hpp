// geth's callTracer: the tree of message calls and creations of a transaction, with
// optional logs ({"tracer":"callTracer","tracerConfig":{"onlyTopCall":bool,"withLog":bool}}).
#pragma once

#include "trace/geth_format.hpp"
#include "trace/transaction_trace.hpp"

#include <optional>
#include <string>
#include <vector>

namespace polyvm::trace {

struct CallTracerConfig {
    bool only_top_call = false;
    bool with_log = false;
};

class CallTracer final : public TransactionTracer {
public:
    explicit CallTracer(const CallTracerConfig& config) : config_(config) {}

    void begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) override;
    void on_step(const TraceStep& step) override;
    void on_frame_end(const Message& msg, const ExecutionResult& result) override;
    void on_call_start(const Message& msg) override;
    void on_call_end(const Message& msg, const ExecutionResult& result) override;
    void on_log(const Address& addr, bytes_view data, std::span<const Hash32> topics) override;
    void on_selfdestruct(const Address& addr, const Address& beneficiary, const uint256& balance) override;
    nlohmann::json result(const TransactionOutcome& outcome, const Transaction& tx) override;

private:
    struct LogEntry {
        Address address;
        std::vector<Hash32> topics;
        bytes data;
        size_t position;  // how many subcalls of the frame precede the log
    };
    struct Frame {
        std::string type;
        Address from;
        std::optional<Address> to;
        std::optional<uint256> value;
        int64_t gas = 0;
        int64_t gas_used = 0;
        bytes input;
        std::optional<bytes> output;
        std::string error;
        std::optional<std::string> revert_reason;
        std::vector<Frame> calls;
        std::vector<LogEntry> logs;
        // Bookkeeping, not serialized.
        bool is_static = false;
        std::optional<FailingStep> last_step;  // the frame's latest instruction
        std::optional<bytes> init_output;      // a creation's returned code, before the host checks it
        bool init_succeeded = false;
    };

    void close_frame(Frame& frame, const Message& msg, const ExecutionResult& result);
    static void drop_failed_logs(Frame& frame, bool parent_failed);
    static nlohmann::json to_json(const Frame& frame);

    CallTracerConfig config_;
    Revision rev_ = Revision::Cancun;
    uint64_t gas_limit_ = 0;
    int32_t depth_ = -1;        // depth of the innermost running message
    std::vector<Frame> stack_;  // the open frames, outermost first
    Frame top_;                 // the transaction's frame once closed
};

}  // namespace polyvm::trace

// geth's default tracer (the "struct logger"): one entry per executed instruction,
// {gas, failed, returnValue, structLogs}.
#pragma once

#include "trace/transaction_trace.hpp"

#include <map>
#include <vector>

namespace polyvm::trace {

struct StructLoggerConfig {
    bool enable_memory = false;
    bool disable_stack = false;
    bool disable_storage = false;
    bool enable_return_data = false;
    uint64_t limit = 0;  // geth: stop adding entries once the result exceeds this many bytes (0: no limit)
};

/// gasCost is geth's: the instruction's static plus dynamic gas as charged before it runs. For
/// the CALL family that includes the gas forwarded to the callee (without the 2300 stipend);
/// for CREATE/CREATE2 it does not (geth charges the forwarded gas while the instruction runs).
/// Both are derived from the gas around the instruction and the callee's gas and leftover.
class StructLogger final : public TransactionTracer {
public:
    explicit StructLogger(const StructLoggerConfig& config) : config_(config) {}

    void begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) override;
    void on_frame_start(const Message& msg, Revision rev, bytes_view code) override;
    void on_step(const TraceStep& step) override;
    void on_frame_end(const Message& msg, const ExecutionResult& result) override;
    void on_call_end(const Message& msg, const ExecutionResult& result) override;
    nlohmann::json result(const TransactionOutcome& outcome, const Transaction& tx) override;

private:
    /// The frame's latest instruction, whose cost is known only once the next one starts.
    struct PendingStep {
        bool present = false;
        bool recorded = false;  // false past the size limit: nothing to fill in
        size_t index = 0;       // into entries_
        bool evm = true;        // an EVM instruction (opcode is the EVM's)
        uint8_t opcode = 0;
        int64_t gas_before = 0;
        int64_t base_cost = 0;
        size_t stack_size = 0;
        uint256 requested_gas;  // CALL family: the gas operand
        bool transfers_value = false;
        int64_t refund = 0;     // the frame's refund counter at this step
        bool child_ran = false; // the host ran a message for this instruction
        int64_t child_gas = 0;
        int64_t child_gas_left = 0;
    };
    struct Frame {
        Address address;         // whose storage SLOAD/SSTORE see
        int64_t refund_base = 0; // the transaction's refund counter when the frame started
        PendingStep pending;
    };

    Frame& frame_at(int32_t depth);
    /// Fills in the pending step's gasCost given the frame's gas once it has run.
    void settle(PendingStep& step, int64_t gas_after);

    StructLoggerConfig config_;
    State* state_ = nullptr;
    Revision rev_ = Revision::Cancun;
    std::vector<Frame> frames_;  // by depth
    std::vector<nlohmann::json> entries_;
    uint64_t result_size_ = 0;
    std::map<Address, std::map<uint256, uint256>> storage_seen_;  // geth: per contract, SLOAD/SSTORE so far
    bytes top_create_output_;  // the deployed code of a creation transaction (geth's returnValue)
};

}  // namespace polyvm::trace

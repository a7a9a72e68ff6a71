// debug_traceTransaction / debug_traceCall / debug_traceBlock*: runs one transaction with one
// of geth's tracers and returns geth's JSON result for it.
#pragma once

#include "common/revision.hpp"
#include "evm/tracer.hpp"
#include "exec/block_info.hpp"
#include "exec/transaction_execution.hpp"
#include "state/state.hpp"
#include "tx/transaction.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>

namespace polyvm::trace {

/// A tracer that produces one JSON result per transaction. The hooks run in this order:
/// begin (before validation and gas purchase), the interpreter's and host's Tracer hooks,
/// finish (after execution, on the post-transaction state), then result.
class TransactionTracer : public Tracer {
public:
    /// Before the transaction touches `state`; the state outlives the tracer's use of it.
    virtual void begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) {
        (void)state, (void)block, (void)tx, (void)rev;
    }
    /// After execution (not called for a rejected transaction).
    virtual void finish(State& state, const TransactionOutcome& outcome) { (void)state, (void)outcome; }
    /// geth's JSON result for the traced transaction.
    virtual nlohmann::json result(const TransactionOutcome& outcome, const Transaction& tx) = 0;

    // Step tracers override these; call tracers need only the message hooks.
    void on_frame_start(const Message&, Revision, bytes_view) override {}
    void on_step(const TraceStep&) override {}
    void on_frame_end(const Message&, const ExecutionResult&) override {}
};

/// `options` is debug_trace*'s config object (null or absent fields: geth's defaults). No
/// "tracer" -> the struct logger; "callTracer", "prestateTracer", "4byteTracer", "muxTracer",
/// "noopTracer". An unknown
/// tracer -> std::invalid_argument("unknown tracer X"); a field of the wrong type ->
/// std::invalid_argument naming it. Fields geth ignores here (timeout, reexec,
/// stateOverrides, blockOverrides, ...) are ignored.
std::unique_ptr<TransactionTracer> make_transaction_tracer(const nlohmann::json& options);

/// The transaction is invalid against this state and block (nonce, balance, fee, ...): geth
/// answers such a trace with an error, not a result.
class RejectedTransaction : public std::runtime_error {
public:
    explicit RejectedTransaction(TransactionError error)
        : std::runtime_error(error.rule + ": " + error.detail), error_(std::move(error)) {}
    const TransactionError& error() const noexcept { return error_; }

private:
    TransactionError error_;
};

/// Executes tx (tx.sender set) on `state` with the tracer `options` choose and returns geth's
/// JSON result. `options_base` carries the node's other ExecutionOptions flags (its tracer is
/// replaced). Throws std::invalid_argument for bad options, RejectedTransaction when the
/// transaction is invalid (the state is then untouched).
nlohmann::json trace_transaction(State& state, const BlockInfo& block, const Transaction& tx, Revision rev,
                                 const uint256& chain_id, const nlohmann::json& options,
                                 ExecutionOptions options_base = {});

}  // namespace polyvm::trace

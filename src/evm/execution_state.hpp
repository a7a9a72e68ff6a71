// The state of one frame of execution that outlives a single instruction. The hot trio (program
// counter, stack pointer, gas left) lives in the interpreter's locals instead, so the compiler
// keeps it in registers.
#pragma once

#include "evm/analysis.hpp"
#include "evm/gas_constants.hpp"
#include "evm/host.hpp"
#include "evm/memory.hpp"

namespace polyvm {

class Tracer;

struct ExecutionState {
    Host& host;
    const Message& msg;
    const Revision rev;
    const CodeAnalysis& code;
    uint256* const stack_base;  // stack item 0 (the bottom); see StackSpace

    int64_t gas_refund = 0;  // may go negative within a frame (EIP-1283/2200 take refunds back)
    Memory memory;
    bytes return_data;  // output of the last nested call (EIP-211)

    // Set by RETURN/REVERT: the output region of memory.
    size_t output_offset = 0;
    size_t output_size = 0;

    ExecutionState(Host& h, const Message& m, Revision r, const CodeAnalysis& c, uint256* stack) noexcept
        : host(h), msg(m), rev(r), code(c), stack_base(stack) {}

    /// The block/transaction context, fetched from the host on first use only.
    const TxContext& tx() {
        if (!tx_context_) tx_context_ = &host.get_tx_context();
        return *tx_context_;
    }

private:
    const TxContext* tx_context_ = nullptr;
};

/// Result of an instruction that is not inlined into the interpreter loop.
struct OpResult {
    Status status;
    int64_t gas_left;
};

}  // namespace polyvm

// Tracing hooks (EIP-3155). The interpreter has a second, traced instantiation of its loop; the
// untraced one contains no tracing code at all.
#pragma once

#include "evm/host.hpp"

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace polyvm {

/// The VM that ran a step. Tracers that decode EVM opcodes (storage, calls) skip other VMs' steps.
enum class TraceVm : uint8_t { Evm, Wasm };

/// The machine state just before one instruction runs. WebAssembly contracts' steps (Wasm) are one
/// per WebAssembly instruction: pc is its offset in the module binary, opcode its first byte (0xFC
/// for the prefixed ones), op_name its mnemonic, gas_cost its fuel price in gas; the stack,
/// memory and return data are left empty (the engine keeps no operand stack to show).
struct TraceStep {
    uint32_t pc;
    uint8_t opcode;
    int64_t gas_left;          // before the instruction is charged
    int64_t gas_cost;          // the instruction's base gas in this revision (dynamic parts not included)
    std::span<const uint256> stack;  // bottom .. top
    bytes_view memory;
    int32_t depth;             // Message::depth: 0 for the transaction's frame (EIP-3155 prints depth + 1)
    int64_t refund;            // this frame's refund counter so far
    bytes_view return_data;    // output of the last nested call
    TraceVm vm = TraceVm::Evm;
    std::string_view op_name;  // Wasm: the instruction's mnemonic ("i32.add"); empty for the EVM
};

class Tracer {
public:
    virtual ~Tracer() = default;
    /// A frame starts running `code` (not called for precompiles or empty code the host skips).
    virtual void on_frame_start(const Message& msg, Revision rev, bytes_view code) = 0;
    /// Before each instruction. Not called for the implicit STOP past the end of the code.
    virtual void on_step(const TraceStep& step) = 0;
    /// The frame has ended.
    virtual void on_frame_end(const Message& msg, const ExecutionResult& result) = 0;

    // Message-level hooks, called by the execution host (only when a tracer is set) for every
    // message it runs, precompiles and accounts without code included, so that call tracers see
    // frames the interpreter never starts. Empty by default: step tracers need not care.
    /// A message is about to run: before its value transfer, snapshot and any frame hooks. For a
    /// creation msg.recipient is not yet known (the host derives the address after this hook).
    virtual void on_call_start(const Message& msg) { (void)msg; }
    /// The message has ended with `result` as its caller sees it (code deposit, reverts applied).
    virtual void on_call_end(const Message& msg, const ExecutionResult& result) { (void)msg, (void)result; }
    /// LOG0..LOG4 appended a log (it is dropped again if an enclosing frame reverts).
    virtual void on_log(const Address& addr, bytes_view data, std::span<const Hash32> topics) {
        (void)addr, (void)data, (void)topics;
    }
    /// SELFDESTRUCT of `addr` in favour of `beneficiary`, moving `balance` (before the transfer).
    virtual void on_selfdestruct(const Address& addr, const Address& beneficiary, const uint256& balance) {
        (void)addr, (void)beneficiary, (void)balance;
    }
};

/// Writes EIP-3155 JSON lines: one per instruction, and for the outermost frame (depth 0) a
/// summary line {"output":"<hex>","gasUsed":"0x..","error":"<status>"} ("error" only on failure).
/// gasUsed is the frame's (msg.gas - gas left), not the transaction's.
/// gasCost is the instruction's full cost (memory expansion, copies, cold access included): each
/// line is held until the gas after the instruction is known, from the frame's next step or its
/// end. An instruction that starts a nested frame (CALL family, CREATE) is written when the child
/// starts, with its base cost, so the lines stay in execution order.
class Eip3155Tracer : public Tracer {
public:
    explicit Eip3155Tracer(std::ostream& out, bool with_memory = false, bool with_return_data = false) noexcept
        : out_(out), with_memory_(with_memory), with_return_data_(with_return_data) {}

    void on_frame_start(const Message& msg, Revision rev, bytes_view code) override;
    void on_step(const TraceStep& step) override;
    void on_frame_end(const Message& msg, const ExecutionResult& result) override;

private:
    struct PendingLine {
        bool present = false;
        std::string head;  // up to the gasCost value
        std::string tail;  // after it
        int64_t gas_left = 0;
        int64_t base_cost = 0;
    };
    void flush(PendingLine& line, int64_t cost);
    PendingLine& pending_at(int32_t depth);

    std::ostream& out_;
    bool with_memory_;
    bool with_return_data_;
    std::vector<PendingLine> pending_;  // by frame depth
    Revision revision_ = Revision::Cancun;
};

}  // namespace polyvm

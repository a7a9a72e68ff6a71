// Runs translated code (code.hpp). One Executor owns a preallocated value stack and an explicit
// frame stack: wasm-to-wasm calls never recurse natively, and the limits (call depth, stack
// slots, fuel) turn into error results, never crashes. Traps are results, not exceptions.
#pragma once

#include "wasm/runtime.hpp"
#include "wasm/values.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace polyvm::wasm {

enum class ExecutionStatus {
    Ok,
    Trap,        // a spec trap; `message` says which
    Exhausted,   // call depth or value stack limit ("call stack exhausted")
    OutOfFuel,   // the fuel budget ran out ("out of fuel")
};

struct ExecutionResult {
    ExecutionStatus status = ExecutionStatus::Ok;
    std::string message;
    std::vector<Value> values;

    bool ok() const { return status == ExecutionStatus::Ok; }
};

/// One WebAssembly instruction of a traced invocation, reported before it runs.
struct ExecutedInstruction {
    uint32_t offset = 0;     // of its opcode in the module binary (SourceInstruction)
    uint16_t opcode = 0;     // opcodes.hpp; instruction_name() gives its mnemonic
    /// The fuel left before it, as if each instruction were charged on its own rather than its
    /// block at once; 0 when the executor has no budget.
    uint64_t fuel_left = 0;
};

/// Receives the instructions of invocations traced with Executor::set_step_observer.
class StepObserver {
public:
    virtual ~StepObserver() = default;
    virtual void on_instruction(const ExecutedInstruction& instruction) = 0;
};

struct ExecutionLimits {
    uint32_t max_call_depth = 10000;
    size_t value_stack_slots = size_t(1) << 20;  // 8 MiB
};

class Executor {
public:
    explicit Executor(ExecutionLimits limits = {});

    /// No budget (nullopt) or a fuel budget for the following invocations. Code is charged by
    /// fuel block: straight-line code from a label (a branch target, a function's entry) up to
    /// the next label or unconditional branch, which conditional branches may leave early. A
    /// block's cost (fuel.hpp) is charged when it is entered, and a conditional branch taken out
    /// of it gives back the cost of the part it skips, so a completed call consumes exactly the
    /// cost of the instructions it ran (a trap: up to the end of the trapping block). A block
    /// that costs more than what is left is not entered: execution stops before its first
    /// instruction with OutOfFuel and the remaining fuel unchanged. So the effects are exact to
    /// within one block. memory.grow also charges kFuelPerMemoryPage per page requested, before
    /// growing, and the bulk memory and table operations their size (fuel.hpp) before they run.
    void set_fuel(std::optional<uint64_t> fuel) {
        metered_ = fuel.has_value();
        fuel_ = fuel.value_or(0);
    }
    uint64_t fuel_left() const { return fuel_; }
    /// For host functions that charge for their work during an invocation: takes `amount` from
    /// the fuel left and returns true, or leaves no fuel and returns false when there is less.
    bool consume_fuel(uint64_t amount) {
        if (fuel_ < amount) {
            fuel_ = 0;
            return false;
        }
        fuel_ -= amount;
        return true;
    }
    /// Gives fuel back during an invocation (what a nested call did not use).
    void add_fuel(uint64_t amount) { fuel_ += amount; }

    /// Calls `function` with `args` (their count and types must match its parameters).
    ExecutionResult invoke(FunctionInstance& function, std::span<const Value> args);

    /// Reports every WebAssembly instruction the following invocations run to `observer` (null:
    /// none). A traced invocation runs a second instantiation of the interpreter's loop, so the
    /// untraced one holds no tracing code and pays nothing for it.
    void set_step_observer(StepObserver* observer) { observer_ = observer; }

private:
    struct Frame {
        const Op* return_pc;            // null: return to the embedder
        Slot* base;                     // the caller's locals
        const CompiledFunction* function;
        ModuleInstance* instance;
    };

    template <bool Traced>
    ExecutionStatus run(FunctionInstance& function, Slot* args, std::string& message);
    /// Reports the instructions translated into `op`, which is about to run.
    void trace_op(const CompiledFunction& function, const Op* op);

    ExecutionLimits limits_;
    // Not zeroed: every frame writes its slots before reading them, and the pages of a fresh
    // allocation are only touched as deep as calls go (zeroing 8 MiB was ~2% of a CoreMark run).
    std::unique_ptr<Slot[]> stack_;
    size_t stack_slots_ = 0;
    std::vector<Frame> frames_;  // max_call_depth entries, used from the bottom by run()
    std::vector<Slot> host_scratch_;
    bool metered_ = false;
    uint64_t fuel_ = 0;
    bool running_ = false;
    StepObserver* observer_ = nullptr;
};

}  // namespace polyvm::wasm

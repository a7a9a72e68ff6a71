// Runs Stylus programs over the EVM's Host: a call's gas becomes the WebAssembly executor's fuel
// as ink, and the vm_hooks functions (docs/wasm_contracts.md) read and change the state through
// the same Host the interpreter uses, at the EVM's prices for the same accesses.
#pragma once

#include "common/revision.hpp"
#include "evm/host.hpp"
#include "stylus/program.hpp"

#include <cstdint>
#include <vector>

namespace polyvm::wasm {
struct MemoryInstance;
}

namespace polyvm {
class Tracer;
}

namespace polyvm::stylus {

/// Stylus's exchange rate: one EVM gas buys this much ink.
inline constexpr uint64_t kInkPerGas = 10'000;
/// The ink price of one unit of the engine's fuel, the cost of one simple WebAssembly instruction
/// (wasm/fuel.hpp): measured so that contracts burn gas at about the EVM's rate per second of
/// CPU (docs/wasm_contracts.md, "Gas and ink"). The executor counts fuel; ink is fuel times this.
inline constexpr uint64_t kInkPerFuel = 10'000;
inline constexpr uint64_t kFuelPerGas = kInkPerGas / kInkPerFuel;
static_assert(kInkPerGas % kInkPerFuel == 0, "a gas must buy whole units of fuel");
/// Charged at the start of every call of a program, for instantiating it (a fresh store, the
/// imports bound, globals and data segments applied; its memory pages are paid apart): about
/// that time at the EVM's rate of gas per second (docs/wasm_contracts.md, "Gas and ink"), as
/// Stylus charges its own program-init cost per call.
inline constexpr int64_t kProgramInstantiationGas = 2'000;

/// Linear memory of all the programs running at once in a transaction, in 64 KiB pages: a deep
/// chain of calls cannot make the process allocate more than this (128 MiB).
inline constexpr uint32_t kMaxOpenPages = 2048;

/// The programs running in one transaction, outermost first: for msg_reentrant and for the
/// memory budget. One per ExecutionHost.
class ProgramStack {
public:
    /// Whether a program acting as `contract` runs more than once: the innermost call to it
    /// re-entered it (directly or through other contracts).
    bool is_reentered(const Address& contract) const;
    /// Pages held by the running programs' memories now.
    uint64_t open_pages() const;

private:
    friend class ProgramFrameGuard;
    struct Frame {
        Address contract;
        const wasm::MemoryInstance* memory;
    };
    std::vector<Frame> frames_;
};

/// Runs `program` for `msg`: instantiates it in a fresh store, calls user_entrypoint with the
/// call data's length, and maps the outcome onto the EVM's: 0 -> Success (the state changes
/// stay, the result is the output), any other status -> Revert (gas left returned), a trap or
/// a hook's misuse -> Failure, no ink left -> OutOfGas (both consume all gas). Never throws on
/// anything a program does. With a tracer, every WebAssembly instruction the program runs is
/// reported as a step of its frame (TraceVm::Wasm, evm/tracer.hpp); the caller reports the frame.
ExecutionResult execute_program(Host& host, Revision rev, const Message& msg, const CompiledProgram& program,
                                ProgramStack& stack, Tracer* tracer = nullptr);

}  // namespace polyvm::stylus

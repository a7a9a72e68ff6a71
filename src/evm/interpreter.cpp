// The dispatch loop: direct threading with GCC's computed goto ("labels as values"). Each opcode
// has a label; every label ends by jumping straight to the next opcode's label through a
// per-revision table in which opcodes the revision does not define lead to `undefined`. The
// per-opcode work (stack-height checks, base gas, body) is generated from the opcode table by
// the `step` template, so the checks are compile-time constants for each label. Untraced runs
// (Mode::Blocks) check base gas and stack heights once per basic block instead, from the
// analysis's BlockChecks (themselves derived from the opcode table); traced runs, and a block
// whose check fails, go instruction by instruction. They also run the fused code, in which a
// frequent sequence of instructions takes one dispatch (evm/fusion.hpp).
#include "evm/interpreter.hpp"

#include "evm/fusion.hpp"
#include "evm/instructions.hpp"
#include "evm/keccak_memo.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

// GCC 12's default region-based register allocation tends to spill one of the loop's hot values
// (stack pointer, stack base or table pointer) in every handler of this single huge function,
// depending on unrelated code changes. Allocating the function as one region keeps them all in
// registers (checked in the generated code; see docs/performance.md).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("ira-region=one")
#endif

namespace polyvm {
namespace {

// ---- the stack's storage -------------------------------------------------------------------

struct alignas(32) StackBlock {
    uint256 items[gas::kStackLimit];
};

/// 32 KiB per frame is too much for the native stack at call depth 1024, and allocating it per
/// frame is slow, so blocks are pooled per thread (frames nest, so a LIFO list suffices).
class StackSpace {
public:
    StackSpace() {
        if (free_blocks().empty()) {
            block_ = std::make_unique<StackBlock>();
        } else {
            block_ = std::move(free_blocks().back());
            free_blocks().pop_back();
        }
    }
    ~StackSpace() { free_blocks().push_back(std::move(block_)); }
    StackSpace(const StackSpace&) = delete;
    StackSpace& operator=(const StackSpace&) = delete;
    uint256* bottom() noexcept { return block_->items; }

private:
    static std::vector<std::unique_ptr<StackBlock>>& free_blocks() {
        thread_local std::vector<std::unique_ptr<StackBlock>> blocks;
        return blocks;
    }
    std::unique_ptr<StackBlock> block_;
};

// ---- per-opcode step -----------------------------------------------------------------------

/// Everything the loop looks up per instruction for one revision: where each opcode's code is
/// and its base gas. Side by side, one pointer (one register) serves both lookups.
/// (costs first: at offset 0 GCC addresses both through the one pointer instead of keeping a
/// second pointer for the costs live, which pushed another value out of the registers.)
struct RevisionTable {
    GasTable costs;
    std::array<const void*, 256> labels;  // undefined opcodes lead to `undefined`
};

/// The registers of the loop, kept in locals (the compiler promotes them to machine registers
/// because only always-inline functions see their address).
struct Registers {
    const uint8_t* pc;
    uint256* sp;
    int64_t gas;
    uint256* const stack_base;  // a copy of ExecutionState::stack_base the compiler can keep in a register
};

/// Instruction bodies with the uniform signature, by opcode; control flow and out-of-line
/// instructions are handled in `step` itself.
template <uint8_t Op>
[[gnu::always_inline]] inline Status body(uint256* sp, int64_t& gas, ExecutionState& st) noexcept {
    using namespace instr;
    if constexpr (Op >= OP_DUP1 && Op <= OP_DUP16) return op_dup<Op - OP_DUP1 + 1>(sp, gas, st);
    else if constexpr (Op >= OP_SWAP1 && Op <= OP_SWAP16) return op_swap<Op - OP_SWAP1 + 1>(sp, gas, st);
    else if constexpr (Op >= OP_LOG0 && Op <= OP_LOG4) return op_log<Op - OP_LOG0>(sp, gas, st);
    else {
        switch (Op) {
        case OP_ADD: return op_add(sp, gas, st);
        case OP_MUL: return op_mul(sp, gas, st);
        case OP_SUB: return op_sub(sp, gas, st);
        case OP_DIV: return op_div(sp, gas, st);
        case OP_SDIV: return op_sdiv(sp, gas, st);
        case OP_MOD: return op_mod(sp, gas, st);
        case OP_SMOD: return op_smod(sp, gas, st);
        case OP_ADDMOD: return op_addmod(sp, gas, st);
        case OP_MULMOD: return op_mulmod(sp, gas, st);
        case OP_EXP: return op_exp(sp, gas, st);
        case OP_SIGNEXTEND: return op_signextend(sp, gas, st);
        case OP_LT: return op_lt(sp, gas, st);
        case OP_GT: return op_gt(sp, gas, st);
        case OP_SLT: return op_slt(sp, gas, st);
        case OP_SGT: return op_sgt(sp, gas, st);
        case OP_EQ: return op_eq(sp, gas, st);
        case OP_ISZERO: return op_iszero(sp, gas, st);
        case OP_AND: return op_and(sp, gas, st);
        case OP_OR: return op_or(sp, gas, st);
        case OP_XOR: return op_xor(sp, gas, st);
        case OP_NOT: return op_not(sp, gas, st);
        case OP_BYTE: return op_byte(sp, gas, st);
        case OP_SHL: return op_shl(sp, gas, st);
        case OP_SHR: return op_shr(sp, gas, st);
        case OP_SAR: return op_sar(sp, gas, st);
        case OP_CLZ: return op_clz(sp, gas, st);
        case OP_KECCAK256: return op_keccak256(sp, gas, st);
        case OP_ADDRESS: return op_address(sp, gas, st);
        case OP_BALANCE: return op_balance(sp, gas, st);
        case OP_ORIGIN: return op_origin(sp, gas, st);
        case OP_CALLER: return op_caller(sp, gas, st);
        case OP_CALLVALUE: return op_callvalue(sp, gas, st);
        case OP_CALLDATALOAD: return op_calldataload(sp, gas, st);
        case OP_CALLDATASIZE: return op_calldatasize(sp, gas, st);
        case OP_CALLDATACOPY: return op_calldatacopy(sp, gas, st);
        case OP_CODESIZE: return op_codesize(sp, gas, st);
        case OP_CODECOPY: return op_codecopy(sp, gas, st);
        case OP_GASPRICE: return op_gasprice(sp, gas, st);
        case OP_EXTCODESIZE: return op_extcodesize(sp, gas, st);
        case OP_EXTCODECOPY: return op_extcodecopy(sp, gas, st);
        case OP_RETURNDATASIZE: return op_returndatasize(sp, gas, st);
        case OP_RETURNDATACOPY: return op_returndatacopy(sp, gas, st);
        case OP_EXTCODEHASH: return op_extcodehash(sp, gas, st);
        case OP_BLOCKHASH: return op_blockhash(sp, gas, st);
        case OP_COINBASE: return op_coinbase(sp, gas, st);
        case OP_TIMESTAMP: return op_timestamp(sp, gas, st);
        case OP_NUMBER: return op_number(sp, gas, st);
        case OP_PREVRANDAO: return op_prevrandao(sp, gas, st);
        case OP_GASLIMIT: return op_gaslimit(sp, gas, st);
        case OP_CHAINID: return op_chainid(sp, gas, st);
        case OP_SELFBALANCE: return op_selfbalance(sp, gas, st);
        case OP_BASEFEE: return op_basefee(sp, gas, st);
        case OP_BLOBHASH: return op_blobhash(sp, gas, st);
        case OP_BLOBBASEFEE: return op_blobbasefee(sp, gas, st);
        case OP_POP: return op_pop(sp, gas, st);
        case OP_MLOAD: return op_mload(sp, gas, st);
        case OP_MSTORE: return op_mstore(sp, gas, st);
        case OP_MSTORE8: return op_mstore8(sp, gas, st);
        case OP_SLOAD: return op_sload(sp, gas, st);
        case OP_MSIZE: return op_msize(sp, gas, st);
        case OP_JUMPDEST: return Status::Success;
        case OP_TLOAD: return op_tload(sp, gas, st);
        case OP_TSTORE: return op_tstore(sp, gas, st);
        case OP_MCOPY: return op_mcopy(sp, gas, st);
        default: return Status::UndefinedInstruction;  // not reached: step handles the rest
        }
    }
}

/// Reads the N-byte big-endian immediate of PUSHN. The code is padded (CodeAnalysis::kPadding),
/// so whole 8-byte words may be loaded even where the immediate is shorter or reaches the end:
/// each limb is one unaligned load, a byte swap and a shift instead of a byte loop.
template <int N>
[[gnu::always_inline]] inline uint256 read_push_data(const uint8_t* data) noexcept {
    auto load_word = [](const uint8_t* p) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return __builtin_bswap64(v);  // big-endian
    };
    uint256 r;
    // Limb i holds immediate bytes [N - 8(i+1), N - 8i); the top limb may be partial (H bytes).
    constexpr int kFullLimbs = N / 8, H = N % 8;
    #pragma GCC unroll 4
    for (int i = 0; i < kFullLimbs; ++i) r.w[i] = load_word(data + N - 8 * (i + 1));
    if constexpr (H != 0) r.w[kFullLimbs] = load_word(data) >> (64 - 8 * H);
    return r;
}

/// How the loop checks base gas and stack heights.
enum class Mode {
    Blocks,   // once per basic block, from the analysis's BlockCheck (untraced runs)
    Checked,  // per instruction: analyses without block checks, and a block whose check failed
    Traced,   // per instruction, with a tracer step before each
};

/// Not a halt: a block's check failed, so the frame goes on instruction by instruction
/// (Mode::Checked) from the block's start, to halt exactly where the EVM does.
constexpr auto kRunBlockChecked = static_cast<Status>(0xff);

/// The code a mode runs: the fused code with block checks, the real code otherwise.
template <Mode M>
[[gnu::always_inline]] inline const uint8_t* code_base(const ExecutionState& st) noexcept {
    return M == Mode::Blocks ? st.code.fused_code.data() : st.code.padded_code.data();
}

/// The same position in the real code: where Mode::Checked takes over from Mode::Blocks.
Registers to_real_code(Registers r, const ExecutionState& st) noexcept {
    r.pc = st.code.padded_code.data() + (r.pc - st.code.fused_code.data());
    return r;
}

/// Entering the block that starts at r.pc (Mode::Blocks): its base gas and stack needs at once.
[[gnu::always_inline]] inline bool enter_block(Registers& r, const ExecutionState& st, Status& status) noexcept {
    const auto position = static_cast<size_t>(r.pc - st.code.fused_code.data());
    const auto height = static_cast<uint64_t>(r.sp - r.stack_base);
    const uint64_t packed = std::atomic_ref<uint64_t>(st.code.block_checks[position]).load(std::memory_order_relaxed);
    BlockCheck check = BlockCheck::unpack(packed);
    if (!check.admits(height, r.gas)) [[unlikely]] {
        check = block_check_at(st.code, position);  // the first entry computes it
        if (!check.admits(height, r.gas)) {
            status = kRunBlockChecked;
            return false;
        }
    }
    r.gas -= check.gas;
    return true;
}

/// The bytes of the fused code whose own step enters their block: JUMPDEST, the fused sequences
/// that start with one, and the instructions checked alone (one load where three tests were).
constexpr auto kEntersOwnBlock = [] {
    std::array<bool, 256> t{};
    for (int b = 0; b < 256; ++b) t[b] = starts_with_jumpdest(static_cast<uint8_t>(b)) || checked_alone(static_cast<uint8_t>(b));
    return t;
}();

/// After an instruction that ends a block without jumping: the next one starts a block, unless
/// its own step enters it.
[[gnu::always_inline]] inline bool enter_next_block(Registers& r, const ExecutionState& st, Status& status) noexcept {
    return kEntersOwnBlock[*r.pc] || enter_block(r, st, status);
}

/// Executes the instruction at r.pc. Returns false when the frame halts (status set).
template <uint8_t Op, Mode M>
bool step(Registers& r, ExecutionState& st, const RevisionTable& table, Status& status) noexcept;

/// A fused sequence from its K-th instruction on: the instructions' own steps in a row. A
/// final PUSH + JUMP/JUMPI jumps without the bitmap check: the analysis fused it only where the
/// destination is a JUMPDEST.
template <Fusion F, size_t K, Mode M>
[[gnu::always_inline]] inline bool fused_steps(Registers& r, ExecutionState& st, const RevisionTable& table,
                                               Status& status) noexcept {
    if constexpr (K == F.length) {
        return true;
    } else if constexpr (K + 2 == F.length && ends_in_constant_jump(F)) {
        constexpr int N = F.ops[K] - OP_PUSH1 + 1;
        if constexpr (F.ops[K + 1] == OP_JUMPI) {
            const bool taken = !r.sp[-1].is_zero();
            r.sp -= 1;
            if (!taken) {
                r.pc += N + 2;
                return enter_next_block(r, st, status);
            }
        }
        r.pc = code_base<M>(st) + read_push_data<N>(r.pc + 1).w[0];
        return true;
    } else {
        if (!step<F.ops[K], M>(r, st, table, status)) return false;
        return fused_steps<F, K + 1, M>(r, st, table, status);
    }
}

template <uint8_t Op, Mode M>
[[gnu::always_inline]] inline bool step(Registers& r, ExecutionState& st, const RevisionTable& table, Status& status) noexcept {
    constexpr OpcodeInfo info = kOpcodeTable[Op];
    constexpr bool kBlocks = M == Mode::Blocks;
    if constexpr (kBlocks && is_fused_opcode(Op)) {  // only in the fused code (evm/fusion.hpp)
        return fused_steps<kFusions[Op - kFirstFusedOpcode], 0, M>(r, st, table, status);
    } else if constexpr (!info.defined) {
        status = Status::UndefinedInstruction;
        return false;
    } else {
        constexpr int kInputs = info.inputs;
        constexpr int kGrowth = info.outputs - info.inputs;
        if constexpr (kBlocks && checked_alone(Op)) {  // a block of its own (opcodes.hpp)
            if (!enter_block(r, st, status)) return false;
        }
        if constexpr (!kBlocks) {
            // Stack bounds as pointer comparisons against constant offsets from the base (no height
            // computation). Instructions that need both checks (DUPn) share one unsigned range test.
            if constexpr (kInputs > 0 && kGrowth > 0) {
                constexpr auto kSlack = static_cast<uintptr_t>(gas::kStackLimit - kGrowth - kInputs) * sizeof(uint256);
                if (reinterpret_cast<uintptr_t>(r.sp) - reinterpret_cast<uintptr_t>(r.stack_base + kInputs) > kSlack)
                    [[unlikely]] {
                    status = r.sp < r.stack_base + kInputs ? Status::StackUnderflow : Status::StackOverflow;
                    return false;
                }
            } else if constexpr (kInputs > 0) {
                if (r.sp < r.stack_base + kInputs) [[unlikely]] {
                    status = Status::StackUnderflow;
                    return false;
                }
            } else if constexpr (kGrowth > 0) {
                if (r.sp > r.stack_base + (gas::kStackLimit - kGrowth)) [[unlikely]] {
                    status = Status::StackOverflow;
                    return false;
                }
            }
            // The revision's table even where the cost is the same in every revision: making such
            // costs immediates saves a load but made GCC 12 spill the stack pointer out of its
            // register in every handler (measured: ~300 more stack reloads).
            r.gas -= table.costs[Op];
            if (r.gas < 0) [[unlikely]] {
                status = Status::OutOfGas;
                return false;
            }
        }  // per-instruction checks

        if constexpr (Op == OP_STOP) {
            status = Status::Success;
            return false;
        } else if constexpr (Op == OP_INVALID) {  // EIP-141: designated invalid instruction
            status = Status::InvalidInstruction;
            return false;
        } else if constexpr (Op == OP_RETURN || Op == OP_REVERT) {
            status = instr::op_return(r.sp, r.gas, st);
            if (status == Status::Success && Op == OP_REVERT) status = Status::Revert;
            return false;
        } else if constexpr (Op == OP_SELFDESTRUCT) {
            const OpResult res = instr::selfdestruct(r.sp, r.gas, st);
            r.gas = res.gas_left;
            status = res.status;
            return false;
        } else if constexpr (Op == OP_JUMP || Op == OP_JUMPI) {
            const uint256& dest = r.sp[-1];
            if (Op == OP_JUMPI && r.sp[-2].is_zero()) {
                r.pc += 1;
                if constexpr (kBlocks) {
                    r.sp -= kInputs;
                    return enter_next_block(r, st, status);
                }
            } else {
                if (!dest.fits_u64() || !st.code.is_jumpdest(dest.low64())) [[unlikely]] {
                    status = Status::BadJumpDestination;
                    return false;
                }
                r.pc = code_base<M>(st) + dest.low64();
            }
            r.sp -= kInputs;
            return true;
        } else if constexpr (Op == OP_JUMPDEST && kBlocks) {  // a block starts here
            if (!enter_block(r, st, status)) return false;
            r.pc += 1;
            return true;
        } else if constexpr (Op >= OP_PUSH1 && Op <= OP_PUSH32) {
            constexpr int N = Op - OP_PUSH1 + 1;
            store_wide(r.sp[0], read_push_data<N>(r.pc + 1));
            r.sp += 1;
            r.pc += 1 + N;
            return true;
        } else {
            if constexpr (Op == OP_PUSH0) {
                r.sp[0] = 0;
            } else if constexpr (Op == OP_PC) {
                r.sp[0] = static_cast<uint64_t>(r.pc - code_base<M>(st));
            } else if constexpr (Op == OP_GAS) {
                r.sp[0] = static_cast<uint64_t>(r.gas);
            } else if constexpr (Op == OP_SSTORE || Op == OP_CALL || Op == OP_CALLCODE || Op == OP_DELEGATECALL ||
                                 Op == OP_STATICCALL || Op == OP_CREATE || Op == OP_CREATE2) {
                OpResult res;
                if constexpr (Op == OP_SSTORE) res = instr::sstore(r.sp, r.gas, st);
                else if constexpr (Op == OP_CREATE || Op == OP_CREATE2) res = instr::create<Op>(r.sp, r.gas, st);
                else res = instr::call<Op>(r.sp, r.gas, st);
                r.gas = res.gas_left;
                if (res.status != Status::Success) [[unlikely]] {
                    status = res.status;
                    return false;
                }
            } else {
                const Status s = body<Op>(r.sp, r.gas, st);
                if (s != Status::Success) [[unlikely]] {
                    status = s;
                    return false;
                }
            }
            r.sp += kGrowth;
            r.pc += 1;
            if constexpr (kBlocks && ends_check_block(Op)) return enter_next_block(r, st, status);
            return true;
        }
    }
}

// ---- dispatch tables -----------------------------------------------------------------------

using RevisionTables = std::array<RevisionTable, kNumRevisions>;

/// `fused`: the tables of Mode::Blocks, whose code holds fused opcodes.
RevisionTables make_revision_tables(const void* const* labels, const void* undefined, bool fused) {
    RevisionTables t;
    for (int r = 0; r < kNumRevisions; ++r) {
        t[r].costs = kGasTables[r];
        for (int op = 0; op < 256; ++op) {
            const auto byte = static_cast<uint8_t>(op);
            const bool runs = is_defined(byte, static_cast<Revision>(r)) || (fused && is_fused_opcode(byte));
            t[r].labels[op] = runs ? labels[op] : undefined;
        }
    }
    return t;
}

[[gnu::noinline]] void trace_step(Tracer& tracer, const Registers& r, const ExecutionState& st,
                                  const int16_t* costs) {
    const auto pc = static_cast<uint32_t>(r.pc - st.code.padded_code.data());
    if (pc >= st.code.code_size) return;  // EIP-3155: no line for the implicit STOP at the end
    const uint8_t op = *r.pc;
    TraceStep s;
    s.pc = pc;
    s.opcode = op;
    s.gas_left = r.gas;
    s.gas_cost = costs[op] < 0 ? 0 : costs[op];
    s.stack = {st.stack_base, static_cast<size_t>(r.sp - st.stack_base)};
    s.memory = {st.memory.data(), st.memory.size()};
    s.depth = st.msg.depth;
    s.refund = st.gas_refund;
    s.return_data = st.return_data;
    tracer.on_step(s);
}

// clang-format off
#define POLYVM_X16(X, h) X(h##0) X(h##1) X(h##2) X(h##3) X(h##4) X(h##5) X(h##6) X(h##7) \
                         X(h##8) X(h##9) X(h##a) X(h##b) X(h##c) X(h##d) X(h##e) X(h##f)
#define POLYVM_X256(X) POLYVM_X16(X, 0x0) POLYVM_X16(X, 0x1) POLYVM_X16(X, 0x2) POLYVM_X16(X, 0x3) \
                       POLYVM_X16(X, 0x4) POLYVM_X16(X, 0x5) POLYVM_X16(X, 0x6) POLYVM_X16(X, 0x7) \
                       POLYVM_X16(X, 0x8) POLYVM_X16(X, 0x9) POLYVM_X16(X, 0xa) POLYVM_X16(X, 0xb) \
                       POLYVM_X16(X, 0xc) POLYVM_X16(X, 0xd) POLYVM_X16(X, 0xe) POLYVM_X16(X, 0xf)
// clang-format on

template <Mode M>
ExecutionResult run(ExecutionState& st, Tracer* tracer, Registers r) noexcept {
#define POLYVM_LABEL_ADDRESS(n) &&op_##n,
    static const void* const kLabels[256] = {POLYVM_X256(POLYVM_LABEL_ADDRESS)};
#undef POLYVM_LABEL_ADDRESS
    // The fused opcodes run only in Mode::Blocks on a fused analysis; anywhere else their bytes
    // are undefined instructions (an analysis without fusing runs the real code's bytes).
    static const RevisionTables kTables = make_revision_tables(kLabels, &&undefined, false);
    static const RevisionTables kFusedTables = make_revision_tables(kLabels, &&undefined, M == Mode::Blocks);

    const RevisionTable& table = (M == Mode::Blocks && st.code.fused ? kFusedTables : kTables)[static_cast<int>(st.rev)];
    const int16_t* const costs = table.costs.data();
    Status status = Status::Success;
    if constexpr (M == Mode::Blocks)
        if (!enter_next_block(r, st, status)) return run<Mode::Checked>(st, nullptr, to_real_code(r, st));

#define POLYVM_TRACE()                                                   \
    do {                                                                 \
        if constexpr (M == Mode::Traced) trace_step(*tracer, r, st, costs); \
    } while (0)
#define POLYVM_DISPATCH()        \
    do {                         \
        POLYVM_TRACE();          \
        goto* table.labels[*r.pc]; \
    } while (0)

    POLYVM_DISPATCH();

#define POLYVM_CASE(n)                            \
    op_##n:                                       \
    if (step<n, M>(r, st, table, status)) [[likely]] \
        POLYVM_DISPATCH();                        \
    goto halt;
    POLYVM_X256(POLYVM_CASE)
#undef POLYVM_CASE
#undef POLYVM_DISPATCH
#undef POLYVM_TRACE

undefined:
    status = Status::UndefinedInstruction;

halt:
    if constexpr (M == Mode::Blocks)
        if (status == kRunBlockChecked) [[unlikely]] return run<Mode::Checked>(st, nullptr, to_real_code(r, st));
    ExecutionResult result;
    result.status = status;
    if (status == Status::Success || status == Status::Revert) {
        result.gas_left = r.gas;
        if (st.output_size) {
            const uint8_t* out = st.memory.data() + st.output_offset;
            result.output.assign(out, out + st.output_size);
        }
        if (status == Status::Success) result.gas_refund = st.gas_refund;
    }
    return result;
}

}  // namespace

ExecutionResult execute(Host& host, Revision rev, const Message& msg, const CodeAnalysis& code, Tracer* tracer) {
    if (msg.depth == 0) keccak_memo_new_transaction();
    StackSpace stack;
    ExecutionState st(host, msg, rev, code, stack.bottom());
    Registers start{code.padded_code.data(), st.stack_base, msg.gas, st.stack_base};
    if (!tracer) {
        if (!code.has_blocks_for(rev)) return run<Mode::Checked>(st, nullptr, start);
        start.pc = code.fused_code.data();
        return run<Mode::Blocks>(st, nullptr, start);
    }
    tracer->on_frame_start(msg, rev, code.code());
    ExecutionResult result = run<Mode::Traced>(st, tracer, start);
    tracer->on_frame_end(msg, result);
    return result;
}

ExecutionResult execute(Host& host, Revision rev, const Message& msg, bytes_view code, Tracer* tracer) {
    const CodeAnalysis analysis = analyze(code, rev, FusedCode::No);  // runs once
    return execute(host, rev, msg, analysis, tracer);
}

}  // namespace polyvm

#include "wasm/interpreter.hpp"

#include "wasm/compiler.hpp"
#include "wasm/fuel.hpp"
#include "wasm/numeric.hpp"
#include "wasm/opcodes.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <type_traits>

namespace polyvm::wasm {
namespace {

namespace wop = polyvm::wasm::op;

static_assert(std::endian::native == std::endian::little, "memory accesses copy little-endian bytes as they are");

inline float as_f32(Slot s) { return std::bit_cast<float>(uint32_t(s)); }
inline double as_f64(Slot s) { return std::bit_cast<double>(s); }
inline Slot from_f32(float f) { return std::bit_cast<uint32_t>(f); }
inline Slot from_f64(double f) { return std::bit_cast<uint64_t>(f); }
inline Slot from_i32(uint32_t v) { return v; }
inline Slot from_i64(uint64_t v) { return v; }
inline Slot from_i32_signed(int32_t v) { return uint32_t(v); }
inline Slot from_i64_signed(int64_t v) { return uint64_t(v); }

// Frames hold a few dozen locals and constants at most in practice: stores inline beat a libc
// call (CoreMark's hottest function zeroes 11 locals and copies 13 constants per call; memset
// and memmove were 3-4% of the run), past 64 slots memset/memcpy take over. Blocks of four
// slots, then a switch for the rest: a plain loop would be turned back into a libc call.
inline void zero_slots(Slot* to, size_t n) {
    if (n > 64) {
        std::memset(to, 0, n * sizeof(Slot));
        return;
    }
    static constexpr Slot kZeros[4] = {};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) std::memcpy(to + i, kZeros, sizeof kZeros);
    switch (n - i) {
        case 3: to[i + 2] = 0; [[fallthrough]];
        case 2: to[i + 1] = 0; [[fallthrough]];
        case 1: to[i] = 0; [[fallthrough]];
        default: return;
    }
}
/// A function's constant pool into its new frame (the two apart), as zero_slots does.
inline void copy_constants(Slot* to, const Slot* from, size_t n) {
    if (n > 64) {
        std::memcpy(to, from, n * sizeof(Slot));
        return;
    }
    size_t i = 0;
    for (; i + 4 <= n; i += 4) std::memcpy(to + i, from + i, 4 * sizeof(Slot));
    switch (n - i) {
        case 3: to[i + 2] = from[i + 2]; [[fallthrough]];
        case 2: to[i + 1] = from[i + 1]; [[fallthrough]];
        case 1: to[i] = from[i]; [[fallthrough]];
        default: return;
    }
}
/// Copies n slots; `to` is below `from` or apart from it (each value is read before any is
/// written over, from the lowest up).
inline void copy_slots(Slot* to, const Slot* from, size_t n) {
    if (n > 4) {
        std::memmove(to, from, n * sizeof(Slot));
        return;
    }
    if (n > 0) to[0] = from[0];
    if (n > 1) to[1] = from[1];
    if (n > 2) to[2] = from[2];
    if (n > 3) to[3] = from[3];
}

constexpr uint64_t kUnmeteredBudget = uint64_t(1) << 63;

}  // namespace

Executor::Executor(ExecutionLimits limits) : limits_(limits) {
    stack_.reset(new Slot[limits_.value_stack_slots]);  // default-initialised: not zeroed
    stack_slots_ = limits_.value_stack_slots;
    frames_.resize(size_t(limits_.max_call_depth) + 1);
}

ExecutionResult Executor::invoke(FunctionInstance& function, std::span<const Value> args) {
    ExecutionResult result;
    if (running_) {
        result.status = ExecutionStatus::Trap;
        result.message = "re-entrant invocation";
        return result;
    }
    if (args.size() != function.type.params.size() || args.size() > stack_slots_) {
        result.status = ExecutionStatus::Trap;
        result.message = "argument count mismatch";
        return result;
    }
    for (size_t i = 0; i < args.size(); ++i) stack_[i] = normalize_bits(args[i].type, args[i].bits);
    running_ = true;
    // Unmetered, the code still charges and refunds, against a budget no run can spend (each unit
    // is at least one dispatch): the charge then needs no test of whether fuel is metered.
    const uint64_t fuel_before = fuel_;
    if (!metered_) fuel_ = kUnmeteredBudget;
    result.status = observer_ ? run<true>(function, stack_.get(), result.message)
                              : run<false>(function, stack_.get(), result.message);
    if (!metered_) fuel_ = fuel_before;
    running_ = false;
    if (result.ok()) {
        for (size_t i = 0; i < function.type.results.size(); ++i) {
            const ValueType type = function.type.results[i];
            result.values.push_back(Value{type, normalize_bits(type, stack_[i])});
        }
    }
    return result;
}

void Executor::trace_op(const CompiledFunction& function, const Op* op) {
    const size_t index = size_t(op - function.ops.data());
    if (index + 1 >= function.source_begin.size()) return;
    for (uint32_t i = function.source_begin[index]; i < function.source_begin[index + 1]; ++i) {
        const SourceInstruction& source = function.source_instructions[i];
        observer_->on_instruction(ExecutedInstruction{source.offset, source.opcode, metered_ ? fuel_ + source.fuel_to_block_end : 0});
    }
}

// Only the traced instantiation of run() reports the op about to run; the other compiles to nothing.
#define TRACE_OP()                                          \
    do {                                                    \
        if constexpr (Traced) trace_op(*function, ip);      \
    } while (0)

#if defined(__GNUC__) && !defined(POLYVM_WASM_NO_THREADED)
#define POLYVM_WASM_THREADED 1
#define HANDLER(n) handler_##n:
#define HANDLER_DEFAULT handler_default:
#define NEXT                              \
    do {                                  \
        ip = pc++;                        \
        TRACE_OP();                       \
        goto* dispatch[ip->code];         \
    } while (0)
#else
#define POLYVM_WASM_THREADED 0
#define HANDLER(n)
#define HANDLER_DEFAULT
#define NEXT continue
#endif

#define TRAP(text)                        \
    do {                                  \
        message = (text);                 \
        return ExecutionStatus::Trap;     \
    } while (0)
#define EXHAUSTED()                                \
    do {                                           \
        message = "call stack exhausted";          \
        return ExecutionStatus::Exhausted;         \
    } while (0)

// A taken branch into a fuel block charges it (and, leaving its own block early, first gives
// back `refund`, the cost of the part skipped; code.hpp); 0 and 0 in code compiled without metering.
#define GO_CHARGED(refund, charge, target)                  \
    do {                                                    \
        const uint64_t fuel_now = fuel_ + (refund);         \
        if (fuel_now < (charge)) {                          \
            fuel_ = fuel_now;                               \
            goto out_of_fuel;                               \
        }                                                   \
        fuel_ = fuel_now - (charge);                        \
        pc = ip + int32_t(target);                          \
    } while (0)
#define LEAVE_FUEL_BLOCK() GO_CHARGED(ip->dst, ip->imm >> 32, uint32_t(ip->imm))
// Branch targets are distances from the branch op (code.hpp).

// Operand helpers: R is the frame (locals then operand slots); operands are read before the
// result is written, since dst may be one of them.
#define UNARY(get, put, expr)          \
    {                                  \
        const auto a = get(R[ip->x]);   \
        R[ip->dst] = put(expr);         \
        NEXT;                         \
    }
#define BINARY(get, put, expr)         \
    {                                  \
        const auto a = get(R[ip->x]);   \
        const auto b = get(R[ip->y]);   \
        R[ip->dst] = put(expr);         \
        NEXT;                         \
    }
// The second operand is the instruction's immediate (code::BinaryImm).
#define BINARY_IMM(get, put, expr)     \
    {                                  \
        const auto a = get(R[ip->x]);   \
        const auto b = get(ip->imm);    \
        R[ip->dst] = put(expr);         \
        NEXT;                         \
    }
#define U32(s) uint32_t(s)
#define S32(s) int32_t(uint32_t(s))
#define U64(s) uint64_t(s)
#define S64(s) int64_t(uint64_t(s))
#define BOOL(x) Slot((x) ? 1 : 0)

// One bounds check in 64-bit arithmetic (address + offset + size cannot wrap), then memcpy.
#define LOAD(T, convert)                                                          \
    {                                                                             \
        const uint64_t address = uint64_t(uint32_t(R[ip->x])) + ip->imm;            \
        if (address + sizeof(T) > memory_size) TRAP("out of bounds memory access"); \
        T v;                                                                      \
        std::memcpy(&v, memory_base + address, sizeof(T));                        \
        R[ip->dst] = convert;                                                      \
        NEXT;                                                                    \
    }
#define STORE(T)                                                                  \
    {                                                                             \
        const T v = T(R[ip->y]);                                                   \
        const uint64_t address = uint64_t(uint32_t(R[ip->x])) + ip->imm;            \
        if (address + sizeof(T) > memory_size) TRAP("out of bounds memory access"); \
        std::memcpy(memory_base + address, &v, sizeof(T));                        \
        NEXT;                                                                    \
    }
#define TRUNC(I, get, put)                                                        \
    {                                                                             \
        I out{};                                                                  \
        switch (numeric::truncate<I>(get(R[ip->x]), out)) {                        \
            case numeric::TruncStatus::NaN: TRAP("invalid conversion to integer"); \
            case numeric::TruncStatus::Overflow: TRAP("integer overflow");        \
            case numeric::TruncStatus::Ok: break;                                 \
        }                                                                         \
        R[ip->dst] = put(out);                                                     \
        NEXT;                                                                    \
    }
// Division and remainder: traps on zero, and for signed division on MIN / -1 (whose remainder is 0).
#define DIVIDE_SIGNED(get, put, T, MIN, is_remainder)                             \
    {                                                                             \
        const T a = get(R[ip->x]), b = get(R[ip->y]);                               \
        if (b == 0) TRAP("integer divide by zero");                               \
        if (b == -1) {                                                            \
            if (!(is_remainder) && a == MIN) TRAP("integer overflow");            \
            R[ip->dst] = put((is_remainder) ? T(0) : T(-a));                       \
            NEXT;                                                                \
        }                                                                         \
        R[ip->dst] = put((is_remainder) ? T(a % b) : T(a / b));                    \
        NEXT;                                                                    \
    }
#define DIVIDE_UNSIGNED(get, put, T, is_remainder)                                \
    {                                                                             \
        const T a = get(R[ip->x]), b = get(R[ip->y]);                               \
        if (b == 0) TRAP("integer divide by zero");                               \
        R[ip->dst] = put((is_remainder) ? T(a % b) : T(a / b));                    \
        NEXT;                                                                    \
    }

template <bool Traced>
ExecutionStatus Executor::run(FunctionInstance& entry, Slot* args, std::string& message) {
    Slot* const stack_end = stack_.get() + stack_slots_;
    // The frame stack as raw pointers: the depth check is one comparison.
    Frame* frame_top = frames_.data();
    Frame* const frame_limit = frame_top + limits_.max_call_depth;
    if (!entry.code) {  // a host function called directly
        const size_t n = entry.type.params.size(), m = entry.type.results.size();
        host_scratch_.assign(m, 0);
        message = entry.host(std::span<const Slot>(args, n), std::span<Slot>(host_scratch_));
        if (!message.empty()) return ExecutionStatus::Trap;
        if (size_t(stack_end - args) < m) EXHAUSTED();
        std::copy(host_scratch_.begin(), host_scratch_.end(), args);
        return ExecutionStatus::Ok;
    }

    const Op* ip = nullptr;  // the instruction being executed
    Slot* R = nullptr;       // the current frame
    const Op* pc = nullptr;
    const CompiledFunction* function = nullptr;
    ModuleInstance* instance = nullptr;
    FunctionInstance* callee = &entry;
    Slot* callee_base = args;
    // The current instance's memory, kept in locals for loads and stores; reloaded whenever the
    // instance changes or the memory may have grown.
    uint8_t* memory_base = nullptr;
    uint64_t memory_size = 0;
#define RELOAD_MEMORY()                                                 \
    do {                                                                \
        MemoryInstance* memory_instance = instance->memory;             \
        memory_base = memory_instance ? memory_instance->bytes.data() : nullptr; \
        memory_size = memory_instance ? memory_instance->bytes.size() : 0;       \
    } while (0)

    // Threaded dispatch where the compiler has labels as values (GCC, Clang): every handler ends
    // in its own indirect jump, which predicts far better than one shared switch jump.
#if POLYVM_WASM_THREADED
    const void* dispatch[code::Count];
    for (auto& target : dispatch) target = &&handler_default;
    dispatch[code::BinaryImm + 0x00] = &&handler_2000; dispatch[code::BinaryImm + 0x01] = &&handler_2001; dispatch[code::BinaryImm + 0x02] = &&handler_2002; dispatch[code::BinaryImm + 0x07] = &&handler_2007; dispatch[code::BinaryImm + 0x08] = &&handler_2008; dispatch[code::BinaryImm + 0x09] = &&handler_2009; dispatch[code::BinaryImm + 0x0A] = &&handler_2010; dispatch[code::BinaryImm + 0x0B] = &&handler_2011; dispatch[code::BinaryImm + 0x0C] = &&handler_2012; dispatch[code::BinaryImm + 0x0D] = &&handler_2013; dispatch[code::BinaryImm + 0x0E] = &&handler_2014; dispatch[code::BinaryImm + 0x12] = &&handler_2018; dispatch[code::BinaryImm + 0x13] = &&handler_2019; dispatch[code::BinaryImm + 0x14] = &&handler_2020; dispatch[code::BinaryImm + 0x19] = &&handler_2025; dispatch[code::BinaryImm + 0x1A] = &&handler_2026; dispatch[code::BinaryImm + 0x1B] = &&handler_2027; dispatch[code::BinaryImm + 0x1C] = &&handler_2028; dispatch[code::BinaryImm + 0x1D] = &&handler_2029; dispatch[code::BinaryImm + 0x1E] = &&handler_2030; dispatch[code::BinaryImm + 0x1F] = &&handler_2031; dispatch[code::BinaryImm + 0x20] = &&handler_2032;
    dispatch[code::FusedBrIf + 0x00] = &&handler_1000; dispatch[code::FusedBrUnless + 0x00] = &&handler_1001; dispatch[code::FusedBrIf + 0x01] = &&handler_1002; dispatch[code::FusedBrUnless + 0x01] = &&handler_1003; dispatch[code::FusedBrIf + 0x02] = &&handler_1004; dispatch[code::FusedBrUnless + 0x02] = &&handler_1005; dispatch[code::FusedBrIf + 0x03] = &&handler_1006; dispatch[code::FusedBrUnless + 0x03] = &&handler_1007; dispatch[code::FusedBrIf + 0x04] = &&handler_1008; dispatch[code::FusedBrUnless + 0x04] = &&handler_1009; dispatch[code::FusedBrIf + 0x05] = &&handler_1010; dispatch[code::FusedBrUnless + 0x05] = &&handler_1011; dispatch[code::FusedBrIf + 0x06] = &&handler_1012; dispatch[code::FusedBrUnless + 0x06] = &&handler_1013; dispatch[code::FusedBrIf + 0x07] = &&handler_1014; dispatch[code::FusedBrUnless + 0x07] = &&handler_1015; dispatch[code::FusedBrIf + 0x08] = &&handler_1016; dispatch[code::FusedBrUnless + 0x08] = &&handler_1017; dispatch[code::FusedBrIf + 0x09] = &&handler_1018; dispatch[code::FusedBrUnless + 0x09] = &&handler_1019; dispatch[code::FusedBrIf + 0x0A] = &&handler_1020; dispatch[code::FusedBrUnless + 0x0A] = &&handler_1021; dispatch[code::FusedBrIf + 0x0B] = &&handler_1022; dispatch[code::FusedBrUnless + 0x0B] = &&handler_1023; dispatch[code::FusedBrIf + 0x0C] = &&handler_1024; dispatch[code::FusedBrUnless + 0x0C] = &&handler_1025; dispatch[code::FusedBrIf + 0x0D] = &&handler_1026; dispatch[code::FusedBrUnless + 0x0D] = &&handler_1027; dispatch[code::FusedBrIf + 0x0E] = &&handler_1028; dispatch[code::FusedBrUnless + 0x0E] = &&handler_1029; dispatch[code::FusedBrIf + 0x0F] = &&handler_1030; dispatch[code::FusedBrUnless + 0x0F] = &&handler_1031; dispatch[code::FusedBrIf + 0x10] = &&handler_1032; dispatch[code::FusedBrUnless + 0x10] = &&handler_1033; dispatch[code::FusedBrIf + 0x11] = &&handler_1034; dispatch[code::FusedBrUnless + 0x11] = &&handler_1035; dispatch[code::FusedBrIf + 0x12] = &&handler_1036; dispatch[code::FusedBrUnless + 0x12] = &&handler_1037; dispatch[code::FusedBrIf + 0x13] = &&handler_1038; dispatch[code::FusedBrUnless + 0x13] = &&handler_1039; dispatch[code::FusedBrIf + 0x14] = &&handler_1040; dispatch[code::FusedBrUnless + 0x14] = &&handler_1041; dispatch[code::FusedBrIf + 0x15] = &&handler_1042; dispatch[code::FusedBrUnless + 0x15] = &&handler_1043; 
    dispatch[wop::Unreachable] = &&handler_0; dispatch[code::Fuel] = &&handler_1; dispatch[wop::Br] = &&handler_2; dispatch[wop::BrIf] = &&handler_3; dispatch[code::BrUnless] = &&handler_4; dispatch[code::BrWhen] = &&handler_3000; dispatch[code::CallDefined] = &&handler_3003; dispatch[code::Copy2] = &&handler_3001; dispatch[code::ShiftRightAndImm] = &&handler_3002; dispatch[code::BrTableX] = &&handler_5; dispatch[wop::Return] = &&handler_6; dispatch[wop::Call] = &&handler_7; dispatch[wop::CallIndirect] = &&handler_8; dispatch[code::Copy] = &&handler_9; dispatch[code::Const] = &&handler_10; dispatch[wop::Select] = &&handler_11; dispatch[wop::GlobalGet] = &&handler_12; dispatch[wop::GlobalSet] = &&handler_13; dispatch[wop::TableGet] = &&handler_14; dispatch[wop::TableSet] = &&handler_15; dispatch[0x28] = &&handler_16; dispatch[0x29] = &&handler_17; dispatch[0x2A] = &&handler_18; dispatch[0x2B] = &&handler_19; dispatch[0x2C] = &&handler_20; dispatch[0x2D] = &&handler_21; dispatch[0x2E] = &&handler_22; dispatch[0x2F] = &&handler_23; dispatch[0x30] = &&handler_24; dispatch[0x31] = &&handler_25; dispatch[0x32] = &&handler_26; dispatch[0x33] = &&handler_27; dispatch[0x34] = &&handler_28; dispatch[0x35] = &&handler_29; dispatch[0x36] = &&handler_30; dispatch[0x37] = &&handler_31; dispatch[0x38] = &&handler_32; dispatch[0x39] = &&handler_33; dispatch[0x3A] = &&handler_34; dispatch[0x3B] = &&handler_35; dispatch[0x3C] = &&handler_36; dispatch[0x3D] = &&handler_37; dispatch[0x3E] = &&handler_38; dispatch[wop::MemorySize] = &&handler_39; dispatch[wop::MemoryGrow] = &&handler_40; dispatch[0x45] = &&handler_41; dispatch[0x46] = &&handler_42; dispatch[0x47] = &&handler_43; dispatch[0x48] = &&handler_44; dispatch[0x49] = &&handler_45; dispatch[0x4A] = &&handler_46; dispatch[0x4B] = &&handler_47; dispatch[0x4C] = &&handler_48; dispatch[0x4D] = &&handler_49; dispatch[0x4E] = &&handler_50; dispatch[0x4F] = &&handler_51; dispatch[0x50] = &&handler_52; dispatch[0x51] = &&handler_53; dispatch[0x52] = &&handler_54; dispatch[0x53] = &&handler_55; dispatch[0x54] = &&handler_56; dispatch[0x55] = &&handler_57; dispatch[0x56] = &&handler_58; dispatch[0x57] = &&handler_59; dispatch[0x58] = &&handler_60; dispatch[0x59] = &&handler_61; dispatch[0x5A] = &&handler_62; dispatch[0x5B] = &&handler_63; dispatch[0x5C] = &&handler_64; dispatch[0x5D] = &&handler_65; dispatch[0x5E] = &&handler_66; dispatch[0x5F] = &&handler_67; dispatch[0x60] = &&handler_68; dispatch[0x61] = &&handler_69; dispatch[0x62] = &&handler_70; dispatch[0x63] = &&handler_71; dispatch[0x64] = &&handler_72; dispatch[0x65] = &&handler_73; dispatch[0x66] = &&handler_74; dispatch[0x67] = &&handler_75; dispatch[0x68] = &&handler_76; dispatch[0x69] = &&handler_77; dispatch[0x6A] = &&handler_78; dispatch[0x6B] = &&handler_79; dispatch[0x6C] = &&handler_80; dispatch[0x6D] = &&handler_81; dispatch[0x6E] = &&handler_82; dispatch[0x6F] = &&handler_83; dispatch[0x70] = &&handler_84; dispatch[0x71] = &&handler_85; dispatch[0x72] = &&handler_86; dispatch[0x73] = &&handler_87; dispatch[0x74] = &&handler_88; dispatch[0x75] = &&handler_89; dispatch[0x76] = &&handler_90; dispatch[0x77] = &&handler_91; dispatch[0x78] = &&handler_92; dispatch[0x79] = &&handler_93; dispatch[0x7A] = &&handler_94; dispatch[0x7B] = &&handler_95; dispatch[0x7C] = &&handler_96; dispatch[0x7D] = &&handler_97; dispatch[0x7E] = &&handler_98; dispatch[0x7F] = &&handler_99; dispatch[0x80] = &&handler_100; dispatch[0x81] = &&handler_101; dispatch[0x82] = &&handler_102; dispatch[0x83] = &&handler_103; dispatch[0x84] = &&handler_104; dispatch[0x85] = &&handler_105; dispatch[0x86] = &&handler_106; dispatch[0x87] = &&handler_107; dispatch[0x88] = &&handler_108; dispatch[0x89] = &&handler_109; dispatch[0x8A] = &&handler_110; dispatch[0x8B] = &&handler_111; dispatch[0x8C] = &&handler_112; dispatch[0x8D] = &&handler_113; dispatch[0x8E] = &&handler_114; dispatch[0x8F] = &&handler_115; dispatch[0x90] = &&handler_116; dispatch[0x91] = &&handler_117; dispatch[0x92] = &&handler_118; dispatch[0x93] = &&handler_119; dispatch[0x94] = &&handler_120; dispatch[0x95] = &&handler_121; dispatch[0x96] = &&handler_122; dispatch[0x97] = &&handler_123; dispatch[0x98] = &&handler_124; dispatch[0x99] = &&handler_125; dispatch[0x9A] = &&handler_126; dispatch[0x9B] = &&handler_127; dispatch[0x9C] = &&handler_128; dispatch[0x9D] = &&handler_129; dispatch[0x9E] = &&handler_130; dispatch[0x9F] = &&handler_131; dispatch[0xA0] = &&handler_132; dispatch[0xA1] = &&handler_133; dispatch[0xA2] = &&handler_134; dispatch[0xA3] = &&handler_135; dispatch[0xA4] = &&handler_136; dispatch[0xA5] = &&handler_137; dispatch[0xA6] = &&handler_138; dispatch[0xA7] = &&handler_139; dispatch[0xA8] = &&handler_140; dispatch[0xA9] = &&handler_141; dispatch[0xAA] = &&handler_142; dispatch[0xAB] = &&handler_143; dispatch[0xAC] = &&handler_144; dispatch[0xAD] = &&handler_145; dispatch[0xAE] = &&handler_146; dispatch[0xAF] = &&handler_147; dispatch[0xB0] = &&handler_148; dispatch[0xB1] = &&handler_149; dispatch[0xB2] = &&handler_150; dispatch[0xB3] = &&handler_151; dispatch[0xB4] = &&handler_152; dispatch[0xB5] = &&handler_153; dispatch[0xB6] = &&handler_154; dispatch[0xB7] = &&handler_155; dispatch[0xB8] = &&handler_156; dispatch[0xB9] = &&handler_157; dispatch[0xBA] = &&handler_158; dispatch[0xBB] = &&handler_159; dispatch[0xBC] = &&handler_160; dispatch[0xBD] = &&handler_161; dispatch[0xBE] = &&handler_162; dispatch[0xBF] = &&handler_163; dispatch[0xC0] = &&handler_164; dispatch[0xC1] = &&handler_165; dispatch[0xC2] = &&handler_166; dispatch[0xC3] = &&handler_167; dispatch[0xC4] = &&handler_168; dispatch[wop::RefIsNull] = &&handler_169; dispatch[wop::RefFunc] = &&handler_170; dispatch[code::MiscBase + 0] = &&handler_171; dispatch[code::MiscBase + 1] = &&handler_172; dispatch[code::MiscBase + 2] = &&handler_173; dispatch[code::MiscBase + 3] = &&handler_174; dispatch[code::MiscBase + 4] = &&handler_175; dispatch[code::MiscBase + 5] = &&handler_176; dispatch[code::MiscBase + 6] = &&handler_177; dispatch[code::MiscBase + 7] = &&handler_178; dispatch[code::MiscBase + 8] = &&handler_179; dispatch[code::MiscBase + 9] = &&handler_180; dispatch[code::MiscBase + 10] = &&handler_181; dispatch[code::MiscBase + 11] = &&handler_182; dispatch[code::MiscBase + 12] = &&handler_183; dispatch[code::MiscBase + 13] = &&handler_184; dispatch[code::MiscBase + 14] = &&handler_185; dispatch[code::MiscBase + 15] = &&handler_186; dispatch[code::MiscBase + 16] = &&handler_187; dispatch[code::MiscBase + 17] = &&handler_188; 
#endif

    // Enters `code` with its frame at callee_base, arguments in place, in the current instance.
#define ENTER_FRAME(code)                                                                           \
    do {                                                                                            \
        if (frame_top == frame_limit) EXHAUSTED();                                                  \
        if (uint64_t(stack_end - callee_base) < (code)->frame_size() + 1) EXHAUSTED();              \
        Slot* const locals = callee_base + (code)->param_count;                                     \
        zero_slots(locals, (code)->local_count);                                                    \
        copy_constants(locals + (code)->local_count, (code)->constants.data(), (code)->constants.size()); \
        *frame_top++ = Frame{pc, R, function, instance};                                            \
        R = callee_base;                                                                            \
        function = (code);                                                                          \
        pc = (code)->ops.data();                                                                    \
    } while (0)

enter:  // call `callee` (a wasm function) whose frame starts at callee_base, arguments in place
    {
        const CompiledFunction* code = callee->code;
        ENTER_FRAME(code);
        // Memory cannot change between the call and the callee's entry: same instance, same memory.
        if (callee->instance != instance) {
            instance = callee->instance;
            RELOAD_MEMORY();
        }
    }

    for (;;) {
        ip = pc++;
        TRACE_OP();
#if POLYVM_WASM_THREADED
        goto* dispatch[ip->code];
#endif
        switch (ip->code) {
            case wop::Unreachable: HANDLER(0) TRAP("unreachable");
            case code::Fuel: HANDLER(1)
                if (fuel_ < ip->imm) goto out_of_fuel;
                fuel_ -= ip->imm;
                NEXT;
            case wop::Br: HANDLER(2)
                if (ip->y != 0) std::memmove(R + ip->dst, R + ip->x, ip->y * sizeof(Slot));
                GO_CHARGED(0, ip->imm >> 32, uint32_t(ip->imm));
                NEXT;
            case wop::BrIf: HANDLER(3)
                if (uint32_t(R[ip->imm >> 32]) != 0) {
                    if (ip->y != 0) std::memmove(R + ip->dst, R + ip->x, ip->y * sizeof(Slot));
                    pc = ip + int32_t(uint32_t(ip->imm));
                }
                NEXT;
            case code::BrUnless: HANDLER(4)
                if (uint32_t(R[ip->x]) == 0) LEAVE_FUEL_BLOCK();
                NEXT;
            case code::BrWhen: HANDLER(3000)
                if (uint32_t(R[ip->x]) != 0) LEAVE_FUEL_BLOCK();
                NEXT;
            case code::BrTableX: HANDLER(5) {
                uint32_t index = uint32_t(R[ip->x]);
                if (index >= ip->y) index = ip->y - 1;
                const BranchTarget& t = function->branch_table[ip->imm + index];
                if (t.keep != 0) std::memmove(R + t.destination, R + t.source, t.keep * sizeof(Slot));
                GO_CHARGED(0, t.charge, t.target);
                NEXT;
            }
            case wop::Return: HANDLER(6) {
                if (ip->x != 0) copy_slots(R, R + ip->x, ip->y);  // results go below: never overlapping upwards
                const Frame* const frame = --frame_top;
                if (frame->return_pc == nullptr) return ExecutionStatus::Ok;
                pc = frame->return_pc;
                R = frame->base;
                function = frame->function;
                // memory_base and memory_size always describe the current instance's memory (a
                // callee's memory.grow reloaded them), so only a change of instance reloads them.
                if (frame->instance != instance) {
                    instance = frame->instance;
                    RELOAD_MEMORY();
                }
                NEXT;
            }
            case wop::Call: HANDLER(7)
                callee = instance->functions[ip->imm];
                callee_base = R + ip->x;
                goto call;
            case code::CallDefined: HANDLER(3003) {
                const CompiledFunction* code = reinterpret_cast<const CompiledFunction*>(ip->imm);
                callee_base = R + ip->x;
                ENTER_FRAME(code);
                NEXT;
            }
            case wop::CallIndirect: HANDLER(8) {
                const TableInstance& table = *instance->tables[ip->imm >> 32];
                const uint32_t index = uint32_t(R[ip->y]);
                if (index >= table.elements.size()) TRAP("undefined element");
                callee = function_from_slot(table.elements[index]);
                if (callee == nullptr) TRAP("uninitialized element");
                if (callee->type != instance->module->module.types[uint32_t(ip->imm)]) TRAP("indirect call type mismatch");
                callee_base = R + ip->x;
                goto call;
            }
            case code::Copy: HANDLER(9) R[ip->dst] = R[ip->x]; NEXT;
            case code::Copy2: HANDLER(3001)
                R[ip->dst] = R[ip->x];
                R[ip->y] = R[uint32_t(ip->imm)];
                NEXT;
            case code::ShiftRightAndImm: HANDLER(3002) R[ip->dst] = (uint32_t(R[ip->x]) >> ip->y) & uint32_t(ip->imm); NEXT;
            case code::Const: HANDLER(10) R[ip->dst] = ip->imm; NEXT;
            case wop::Select: HANDLER(11) R[ip->dst] = uint32_t(R[ip->imm]) != 0 ? R[ip->x] : R[ip->y]; NEXT;
            case wop::GlobalGet: HANDLER(12) R[ip->dst] = instance->globals[ip->imm]->value; NEXT;
            case wop::GlobalSet: HANDLER(13) instance->globals[ip->imm]->value = R[ip->x]; NEXT;
            case wop::TableGet: HANDLER(14) {
                const TableInstance& table = *instance->tables[ip->imm];
                const uint32_t index = uint32_t(R[ip->x]);
                if (index >= table.elements.size()) TRAP("out of bounds table access");
                R[ip->dst] = table.elements[index];
                NEXT;
            }
            case wop::TableSet: HANDLER(15) {
                TableInstance& table = *instance->tables[ip->imm];
                const uint32_t index = uint32_t(R[ip->x]);
                if (index >= table.elements.size()) TRAP("out of bounds table access");
                table.elements[index] = R[ip->y];
                NEXT;
            }

            case 0x28: HANDLER(16) LOAD(uint32_t, Slot(v))
            case 0x29: HANDLER(17) LOAD(uint64_t, Slot(v))
            case 0x2A: HANDLER(18) LOAD(uint32_t, Slot(v))
            case 0x2B: HANDLER(19) LOAD(uint64_t, Slot(v))
            case 0x2C: HANDLER(20) LOAD(int8_t, Slot(uint32_t(int32_t(v))))
            case 0x2D: HANDLER(21) LOAD(uint8_t, Slot(v))
            case 0x2E: HANDLER(22) LOAD(int16_t, Slot(uint32_t(int32_t(v))))
            case 0x2F: HANDLER(23) LOAD(uint16_t, Slot(v))
            case 0x30: HANDLER(24) LOAD(int8_t, Slot(int64_t(v)))
            case 0x31: HANDLER(25) LOAD(uint8_t, Slot(v))
            case 0x32: HANDLER(26) LOAD(int16_t, Slot(int64_t(v)))
            case 0x33: HANDLER(27) LOAD(uint16_t, Slot(v))
            case 0x34: HANDLER(28) LOAD(int32_t, Slot(int64_t(v)))
            case 0x35: HANDLER(29) LOAD(uint32_t, Slot(v))
            case 0x36: HANDLER(30) STORE(uint32_t)
            case 0x37: HANDLER(31) STORE(uint64_t)
            case 0x38: HANDLER(32) STORE(uint32_t)
            case 0x39: HANDLER(33) STORE(uint64_t)
            case 0x3A: HANDLER(34) STORE(uint8_t)
            case 0x3B: HANDLER(35) STORE(uint16_t)
            case 0x3C: HANDLER(36) STORE(uint8_t)
            case 0x3D: HANDLER(37) STORE(uint16_t)
            case 0x3E: HANDLER(38) STORE(uint32_t)
            case wop::MemorySize: HANDLER(39) R[ip->dst] = instance->memory->pages(); NEXT;
            case wop::MemoryGrow: HANDLER(40) {
                const uint32_t delta = uint32_t(R[ip->x]);
                if (metered_) {
                    const uint64_t cost = uint64_t(delta) * kFuelPerMemoryPage;
                    if (fuel_ < cost) {
                        message = "out of fuel";
                        return ExecutionStatus::OutOfFuel;
                    }
                    fuel_ -= cost;
                }
                R[ip->dst] = instance->memory->grow(delta);
                RELOAD_MEMORY();
                NEXT;
            }

            case 0x45: HANDLER(41) UNARY(U32, BOOL, a == 0)
            case 0x46: HANDLER(42) BINARY(U32, BOOL, a == b)
            case 0x47: HANDLER(43) BINARY(U32, BOOL, a != b)
            case 0x48: HANDLER(44) BINARY(S32, BOOL, a < b)
            case 0x49: HANDLER(45) BINARY(U32, BOOL, a < b)
            case 0x4A: HANDLER(46) BINARY(S32, BOOL, a > b)
            case 0x4B: HANDLER(47) BINARY(U32, BOOL, a > b)
            case 0x4C: HANDLER(48) BINARY(S32, BOOL, a <= b)
            case 0x4D: HANDLER(49) BINARY(U32, BOOL, a <= b)
            case 0x4E: HANDLER(50) BINARY(S32, BOOL, a >= b)
            case 0x4F: HANDLER(51) BINARY(U32, BOOL, a >= b)
            case 0x50: HANDLER(52) UNARY(U64, BOOL, a == 0)
            case 0x51: HANDLER(53) BINARY(U64, BOOL, a == b)
            case 0x52: HANDLER(54) BINARY(U64, BOOL, a != b)
            case 0x53: HANDLER(55) BINARY(S64, BOOL, a < b)
            case 0x54: HANDLER(56) BINARY(U64, BOOL, a < b)
            case 0x55: HANDLER(57) BINARY(S64, BOOL, a > b)
            case 0x56: HANDLER(58) BINARY(U64, BOOL, a > b)
            case 0x57: HANDLER(59) BINARY(S64, BOOL, a <= b)
            case 0x58: HANDLER(60) BINARY(U64, BOOL, a <= b)
            case 0x59: HANDLER(61) BINARY(S64, BOOL, a >= b)
            case 0x5A: HANDLER(62) BINARY(U64, BOOL, a >= b)
            case 0x5B: HANDLER(63) BINARY(as_f32, BOOL, a == b)
            case 0x5C: HANDLER(64) BINARY(as_f32, BOOL, a != b)
            case 0x5D: HANDLER(65) BINARY(as_f32, BOOL, a < b)
            case 0x5E: HANDLER(66) BINARY(as_f32, BOOL, a > b)
            case 0x5F: HANDLER(67) BINARY(as_f32, BOOL, a <= b)
            case 0x60: HANDLER(68) BINARY(as_f32, BOOL, a >= b)
            case 0x61: HANDLER(69) BINARY(as_f64, BOOL, a == b)
            case 0x62: HANDLER(70) BINARY(as_f64, BOOL, a != b)
            case 0x63: HANDLER(71) BINARY(as_f64, BOOL, a < b)
            case 0x64: HANDLER(72) BINARY(as_f64, BOOL, a > b)
            case 0x65: HANDLER(73) BINARY(as_f64, BOOL, a <= b)
            case 0x66: HANDLER(74) BINARY(as_f64, BOOL, a >= b)

            case 0x67: HANDLER(75) UNARY(U32, from_i32, uint32_t(std::countl_zero(a)))
            case 0x68: HANDLER(76) UNARY(U32, from_i32, uint32_t(std::countr_zero(a)))
            case 0x69: HANDLER(77) UNARY(U32, from_i32, uint32_t(std::popcount(a)))
            case 0x6A: HANDLER(78) BINARY(U32, from_i32, a + b)
            case 0x6B: HANDLER(79) BINARY(U32, from_i32, a - b)
            case 0x6C: HANDLER(80) BINARY(U32, from_i32, a * b)
            case 0x6D: HANDLER(81) DIVIDE_SIGNED(S32, from_i32_signed, int32_t, INT32_MIN, false)
            case 0x6E: HANDLER(82) DIVIDE_UNSIGNED(U32, from_i32, uint32_t, false)
            case 0x6F: HANDLER(83) DIVIDE_SIGNED(S32, from_i32_signed, int32_t, INT32_MIN, true)
            case 0x70: HANDLER(84) DIVIDE_UNSIGNED(U32, from_i32, uint32_t, true)
            case 0x71: HANDLER(85) BINARY(U32, from_i32, a & b)
            case 0x72: HANDLER(86) BINARY(U32, from_i32, a | b)
            case 0x73: HANDLER(87) BINARY(U32, from_i32, a ^ b)
            case 0x74: HANDLER(88) BINARY(U32, from_i32, a << (b & 31))
            case 0x75: HANDLER(89) BINARY(S32, from_i32, uint32_t(a >> (b & 31)))
            case 0x76: HANDLER(90) BINARY(U32, from_i32, a >> (b & 31))
            case 0x77: HANDLER(91) BINARY(U32, from_i32, std::rotl(a, int(b & 31)))
            case 0x78: HANDLER(92) BINARY(U32, from_i32, std::rotr(a, int(b & 31)))

            case 0x79: HANDLER(93) UNARY(U64, from_i64, uint64_t(std::countl_zero(a)))
            case 0x7A: HANDLER(94) UNARY(U64, from_i64, uint64_t(std::countr_zero(a)))
            case 0x7B: HANDLER(95) UNARY(U64, from_i64, uint64_t(std::popcount(a)))
            case 0x7C: HANDLER(96) BINARY(U64, from_i64, a + b)
            case 0x7D: HANDLER(97) BINARY(U64, from_i64, a - b)
            case 0x7E: HANDLER(98) BINARY(U64, from_i64, a * b)
            case 0x7F: HANDLER(99) DIVIDE_SIGNED(S64, from_i64_signed, int64_t, INT64_MIN, false)
            case 0x80: HANDLER(100) DIVIDE_UNSIGNED(U64, from_i64, uint64_t, false)
            case 0x81: HANDLER(101) DIVIDE_SIGNED(S64, from_i64_signed, int64_t, INT64_MIN, true)
            case 0x82: HANDLER(102) DIVIDE_UNSIGNED(U64, from_i64, uint64_t, true)
            case 0x83: HANDLER(103) BINARY(U64, from_i64, a & b)
            case 0x84: HANDLER(104) BINARY(U64, from_i64, a | b)
            case 0x85: HANDLER(105) BINARY(U64, from_i64, a ^ b)
            case 0x86: HANDLER(106) BINARY(U64, from_i64, a << (b & 63))
            case 0x87: HANDLER(107) BINARY(S64, from_i64, uint64_t(a >> (b & 63)))
            case 0x88: HANDLER(108) BINARY(U64, from_i64, a >> (b & 63))
            case 0x89: HANDLER(109) BINARY(U64, from_i64, std::rotl(a, int(b & 63)))
            case 0x8A: HANDLER(110) BINARY(U64, from_i64, std::rotr(a, int(b & 63)))
            case 0x8B: HANDLER(111) UNARY(as_f32, from_f32, numeric::fabs_bits(a))
            case 0x8C: HANDLER(112) UNARY(as_f32, from_f32, numeric::fneg_bits(a))
            case 0x8D: HANDLER(113) UNARY(as_f32, from_f32, numeric::ceil(a))
            case 0x8E: HANDLER(114) UNARY(as_f32, from_f32, numeric::floor(a))
            case 0x8F: HANDLER(115) UNARY(as_f32, from_f32, numeric::trunc(a))
            case 0x90: HANDLER(116) UNARY(as_f32, from_f32, numeric::nearest(a))
            case 0x91: HANDLER(117) UNARY(as_f32, from_f32, numeric::sqrt(a))
            case 0x92: HANDLER(118) BINARY(as_f32, from_f32, a + b)
            case 0x93: HANDLER(119) BINARY(as_f32, from_f32, a - b)
            case 0x94: HANDLER(120) BINARY(as_f32, from_f32, a * b)
            case 0x95: HANDLER(121) BINARY(as_f32, from_f32, a / b)
            case 0x96: HANDLER(122) BINARY(as_f32, from_f32, numeric::fmin(a, b))
            case 0x97: HANDLER(123) BINARY(as_f32, from_f32, numeric::fmax(a, b))
            case 0x98: HANDLER(124) BINARY(as_f32, from_f32, numeric::fcopysign_bits(a, b))
            case 0x99: HANDLER(125) UNARY(as_f64, from_f64, numeric::fabs_bits(a))
            case 0x9A: HANDLER(126) UNARY(as_f64, from_f64, numeric::fneg_bits(a))
            case 0x9B: HANDLER(127) UNARY(as_f64, from_f64, numeric::ceil(a))
            case 0x9C: HANDLER(128) UNARY(as_f64, from_f64, numeric::floor(a))
            case 0x9D: HANDLER(129) UNARY(as_f64, from_f64, numeric::trunc(a))
            case 0x9E: HANDLER(130) UNARY(as_f64, from_f64, numeric::nearest(a))
            case 0x9F: HANDLER(131) UNARY(as_f64, from_f64, numeric::sqrt(a))
            case 0xA0: HANDLER(132) BINARY(as_f64, from_f64, a + b)
            case 0xA1: HANDLER(133) BINARY(as_f64, from_f64, a - b)
            case 0xA2: HANDLER(134) BINARY(as_f64, from_f64, a * b)
            case 0xA3: HANDLER(135) BINARY(as_f64, from_f64, a / b)
            case 0xA4: HANDLER(136) BINARY(as_f64, from_f64, numeric::fmin(a, b))
            case 0xA5: HANDLER(137) BINARY(as_f64, from_f64, numeric::fmax(a, b))
            case 0xA6: HANDLER(138) BINARY(as_f64, from_f64, numeric::fcopysign_bits(a, b))

            case 0xA7: HANDLER(139) UNARY(U64, from_i32, uint32_t(a))
            case 0xA8: HANDLER(140) TRUNC(int32_t, as_f32, uint32_t)
            case 0xA9: HANDLER(141) TRUNC(uint32_t, as_f32, uint32_t)
            case 0xAA: HANDLER(142) TRUNC(int32_t, as_f64, uint32_t)
            case 0xAB: HANDLER(143) TRUNC(uint32_t, as_f64, uint32_t)
            case 0xAC: HANDLER(144) UNARY(S32, from_i64, uint64_t(int64_t(a)))
            case 0xAD: HANDLER(145) UNARY(U32, from_i64, uint64_t(a))
            case 0xAE: HANDLER(146) TRUNC(int64_t, as_f32, uint64_t)
            case 0xAF: HANDLER(147) TRUNC(uint64_t, as_f32, uint64_t)
            case 0xB0: HANDLER(148) TRUNC(int64_t, as_f64, uint64_t)
            case 0xB1: HANDLER(149) TRUNC(uint64_t, as_f64, uint64_t)
            case 0xB2: HANDLER(150) UNARY(S32, from_f32, float(a))
            case 0xB3: HANDLER(151) UNARY(U32, from_f32, float(a))
            case 0xB4: HANDLER(152) UNARY(S64, from_f32, float(a))
            case 0xB5: HANDLER(153) UNARY(U64, from_f32, float(a))
            case 0xB6: HANDLER(154) UNARY(as_f64, from_f32, float(a))
            case 0xB7: HANDLER(155) UNARY(S32, from_f64, double(a))
            case 0xB8: HANDLER(156) UNARY(U32, from_f64, double(a))
            case 0xB9: HANDLER(157) UNARY(S64, from_f64, double(a))
            case 0xBA: HANDLER(158) UNARY(U64, from_f64, double(a))
            case 0xBB: HANDLER(159) UNARY(as_f32, from_f64, double(a))
            case 0xBC: HANDLER(160)
            case 0xBD: HANDLER(161)
            case 0xBE: HANDLER(162)
            case 0xBF: HANDLER(163) NEXT;  // reinterpretations: the bits stay
            case 0xC0: HANDLER(164) UNARY(U32, from_i32, uint32_t(int32_t(int8_t(a))))
            case 0xC1: HANDLER(165) UNARY(U32, from_i32, uint32_t(int32_t(int16_t(a))))
            case 0xC2: HANDLER(166) UNARY(U64, from_i64, uint64_t(int64_t(int8_t(a))))
            case 0xC3: HANDLER(167) UNARY(U64, from_i64, uint64_t(int64_t(int16_t(a))))
            case 0xC4: HANDLER(168) UNARY(U64, from_i64, uint64_t(int64_t(int32_t(a))))

            case wop::RefIsNull: HANDLER(169) R[ip->dst] = BOOL(R[ip->x] == 0); NEXT;
            case wop::RefFunc: HANDLER(170) R[ip->dst] = slot_from_function(instance->functions[ip->imm]); NEXT;

            case code::MiscBase + 0: HANDLER(171) UNARY(as_f32, from_i32, uint32_t(numeric::truncate_saturating<int32_t>(a)))
            case code::MiscBase + 1: HANDLER(172) UNARY(as_f32, from_i32, numeric::truncate_saturating<uint32_t>(a))
            case code::MiscBase + 2: HANDLER(173) UNARY(as_f64, from_i32, uint32_t(numeric::truncate_saturating<int32_t>(a)))
            case code::MiscBase + 3: HANDLER(174) UNARY(as_f64, from_i32, numeric::truncate_saturating<uint32_t>(a))
            case code::MiscBase + 4: HANDLER(175) UNARY(as_f32, from_i64, uint64_t(numeric::truncate_saturating<int64_t>(a)))
            case code::MiscBase + 5: HANDLER(176) UNARY(as_f32, from_i64, numeric::truncate_saturating<uint64_t>(a))
            case code::MiscBase + 6: HANDLER(177) UNARY(as_f64, from_i64, uint64_t(numeric::truncate_saturating<int64_t>(a)))
            case code::MiscBase + 7: HANDLER(178) UNARY(as_f64, from_i64, numeric::truncate_saturating<uint64_t>(a))
            // Bulk operations: operands in R[x], R[x+1], R[x+2]; imm = segment or table, y = second index.
            // Metered, they also pay for their size (fuel.hpp) before any bounds check.
#define CHARGE_BULK(cost)                      \
    if (metered_) {                            \
        const uint64_t bulk_cost = (cost);     \
        if (fuel_ < bulk_cost) goto out_of_fuel; \
        fuel_ -= bulk_cost;                    \
    }
            case code::MiscBase + 8: HANDLER(179) {  // memory.init
                const uint64_t destination = uint32_t(R[ip->x]), source = uint32_t(R[ip->x + 1]), n = uint32_t(R[ip->x + 2]);
                CHARGE_BULK(bulk_memory_cost(n));
                MemoryInstance& memory = *instance->memory;
                const std::span<const uint8_t> segment = instance->data[ip->imm];
                if (source + n > segment.size() || destination + n > memory.bytes.size())
                    TRAP("out of bounds memory access");
                if (n != 0) std::memcpy(memory.bytes.data() + destination, segment.data() + source, n);
                NEXT;
            }
            case code::MiscBase + 9: HANDLER(180) instance->data[ip->imm] = {}; NEXT;  // data.drop
            case code::MiscBase + 10: HANDLER(181) {  // memory.copy
                const uint64_t destination = uint32_t(R[ip->x]), source = uint32_t(R[ip->x + 1]), n = uint32_t(R[ip->x + 2]);
                CHARGE_BULK(bulk_memory_cost(n));
                MemoryInstance& memory = *instance->memory;
                if (source + n > memory.bytes.size() || destination + n > memory.bytes.size())
                    TRAP("out of bounds memory access");
                if (n != 0) std::memmove(memory.bytes.data() + destination, memory.bytes.data() + source, n);
                NEXT;
            }
            case code::MiscBase + 11: HANDLER(182) {  // memory.fill
                const uint64_t destination = uint32_t(R[ip->x]), n = uint32_t(R[ip->x + 2]);
                CHARGE_BULK(bulk_memory_cost(n));
                const uint8_t value = uint8_t(R[ip->x + 1]);
                MemoryInstance& memory = *instance->memory;
                if (destination + n > memory.bytes.size()) TRAP("out of bounds memory access");
                if (n != 0) std::memset(memory.bytes.data() + destination, value, n);
                NEXT;
            }
            case code::MiscBase + 12: HANDLER(183) {  // table.init segment(imm) table(y)
                const uint64_t destination = uint32_t(R[ip->x]), source = uint32_t(R[ip->x + 1]), n = uint32_t(R[ip->x + 2]);
                CHARGE_BULK(n * kFuelPerTableElement);
                TableInstance& table = *instance->tables[ip->y];
                const std::vector<Slot>& segment = instance->elements[ip->imm];
                if (source + n > segment.size() || destination + n > table.elements.size())
                    TRAP("out of bounds table access");
                std::copy_n(segment.begin() + ptrdiff_t(source), n, table.elements.begin() + ptrdiff_t(destination));
                NEXT;
            }
            case code::MiscBase + 13: HANDLER(184) instance->elements[ip->imm].clear(); NEXT;  // elem.drop
            case code::MiscBase + 14: HANDLER(185) {  // table.copy destination(imm) source(y)
                const uint64_t destination = uint32_t(R[ip->x]), source = uint32_t(R[ip->x + 1]), n = uint32_t(R[ip->x + 2]);
                CHARGE_BULK(n * kFuelPerTableElement);
                TableInstance& to = *instance->tables[ip->imm];
                const TableInstance& from = *instance->tables[ip->y];
                if (source + n > from.elements.size() || destination + n > to.elements.size())
                    TRAP("out of bounds table access");
                if (n != 0)
                    std::memmove(to.elements.data() + destination, from.elements.data() + source, n * sizeof(Slot));
                NEXT;
            }
            case code::MiscBase + 15: HANDLER(186)  // table.grow (kept out of line: a catch block cannot hold a dispatch)
                CHARGE_BULK(uint64_t(uint32_t(R[ip->x + 1])) * kFuelPerTableElement);
                R[ip->dst] = from_i32(instance->tables[ip->imm]->grow(uint32_t(R[ip->x + 1]), R[ip->x]));
                NEXT;
            case code::MiscBase + 16: HANDLER(187) R[ip->dst] = from_i32(uint32_t(instance->tables[ip->imm]->elements.size())); NEXT;
            case code::MiscBase + 17: HANDLER(188) {  // table.fill
                TableInstance& table = *instance->tables[ip->imm];
                const uint64_t destination = uint32_t(R[ip->x]), n = uint32_t(R[ip->x + 2]);
                CHARGE_BULK(n * kFuelPerTableElement);
                const Slot value = R[ip->x + 1];
                if (destination + n > table.elements.size()) TRAP("out of bounds table access");
                std::fill_n(table.elements.begin() + ptrdiff_t(destination), n, value);
                NEXT;
            }
            case code::FusedBrIf + 0x00: HANDLER(1000) {
                const auto a = U32(R[ip->x]);
                if (a == 0) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x00: HANDLER(1001) {
                const auto a = U32(R[ip->x]);
                if (!(a == 0)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x01: HANDLER(1002) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (a == b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x01: HANDLER(1003) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (!(a == b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x02: HANDLER(1004) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (a != b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x02: HANDLER(1005) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (!(a != b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x03: HANDLER(1006) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (a < b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x03: HANDLER(1007) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (!(a < b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x04: HANDLER(1008) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (a < b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x04: HANDLER(1009) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (!(a < b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x05: HANDLER(1010) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (a > b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x05: HANDLER(1011) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (!(a > b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x06: HANDLER(1012) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (a > b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x06: HANDLER(1013) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (!(a > b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x07: HANDLER(1014) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (a <= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x07: HANDLER(1015) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (!(a <= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x08: HANDLER(1016) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (a <= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x08: HANDLER(1017) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (!(a <= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x09: HANDLER(1018) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (a >= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x09: HANDLER(1019) {
                const auto a = S32(R[ip->x]); const auto b = S32(R[ip->y]);
                if (!(a >= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x0A: HANDLER(1020) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (a >= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x0A: HANDLER(1021) {
                const auto a = U32(R[ip->x]); const auto b = U32(R[ip->y]);
                if (!(a >= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x0B: HANDLER(1022) {
                const auto a = U64(R[ip->x]);
                if (a == 0) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x0B: HANDLER(1023) {
                const auto a = U64(R[ip->x]);
                if (!(a == 0)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x0C: HANDLER(1024) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (a == b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x0C: HANDLER(1025) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (!(a == b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x0D: HANDLER(1026) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (a != b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x0D: HANDLER(1027) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (!(a != b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x0E: HANDLER(1028) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (a < b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x0E: HANDLER(1029) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (!(a < b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x0F: HANDLER(1030) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (a < b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x0F: HANDLER(1031) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (!(a < b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x10: HANDLER(1032) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (a > b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x10: HANDLER(1033) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (!(a > b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x11: HANDLER(1034) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (a > b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x11: HANDLER(1035) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (!(a > b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x12: HANDLER(1036) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (a <= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x12: HANDLER(1037) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (!(a <= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x13: HANDLER(1038) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (a <= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x13: HANDLER(1039) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (!(a <= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x14: HANDLER(1040) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (a >= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x14: HANDLER(1041) {
                const auto a = S64(R[ip->x]); const auto b = S64(R[ip->y]);
                if (!(a >= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrIf + 0x15: HANDLER(1042) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (a >= b) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::FusedBrUnless + 0x15: HANDLER(1043) {
                const auto a = U64(R[ip->x]); const auto b = U64(R[ip->y]);
                if (!(a >= b)) LEAVE_FUEL_BLOCK();
                NEXT;
            }
            case code::BinaryImm + 0x00: HANDLER(2000) BINARY_IMM(U32, from_i32, a + b)
            case code::BinaryImm + 0x01: HANDLER(2001) BINARY_IMM(U32, from_i32, a - b)
            case code::BinaryImm + 0x02: HANDLER(2002) BINARY_IMM(U32, from_i32, a * b)
            case code::BinaryImm + 0x07: HANDLER(2007) BINARY_IMM(U32, from_i32, a & b)
            case code::BinaryImm + 0x08: HANDLER(2008) BINARY_IMM(U32, from_i32, a | b)
            case code::BinaryImm + 0x09: HANDLER(2009) BINARY_IMM(U32, from_i32, a ^ b)
            case code::BinaryImm + 0x0A: HANDLER(2010) BINARY_IMM(U32, from_i32, a << (b & 31))
            case code::BinaryImm + 0x0B: HANDLER(2011) BINARY_IMM(S32, from_i32, uint32_t(a >> (b & 31)))
            case code::BinaryImm + 0x0C: HANDLER(2012) BINARY_IMM(U32, from_i32, a >> (b & 31))
            case code::BinaryImm + 0x0D: HANDLER(2013) BINARY_IMM(U32, from_i32, std::rotl(a, int(b & 31)))
            case code::BinaryImm + 0x0E: HANDLER(2014) BINARY_IMM(U32, from_i32, std::rotr(a, int(b & 31)))
            case code::BinaryImm + 0x12: HANDLER(2018) BINARY_IMM(U64, from_i64, a + b)
            case code::BinaryImm + 0x13: HANDLER(2019) BINARY_IMM(U64, from_i64, a - b)
            case code::BinaryImm + 0x14: HANDLER(2020) BINARY_IMM(U64, from_i64, a * b)
            case code::BinaryImm + 0x19: HANDLER(2025) BINARY_IMM(U64, from_i64, a & b)
            case code::BinaryImm + 0x1A: HANDLER(2026) BINARY_IMM(U64, from_i64, a | b)
            case code::BinaryImm + 0x1B: HANDLER(2027) BINARY_IMM(U64, from_i64, a ^ b)
            case code::BinaryImm + 0x1C: HANDLER(2028) BINARY_IMM(U64, from_i64, a << (b & 63))
            case code::BinaryImm + 0x1D: HANDLER(2029) BINARY_IMM(S64, from_i64, uint64_t(a >> (b & 63)))
            case code::BinaryImm + 0x1E: HANDLER(2030) BINARY_IMM(U64, from_i64, a >> (b & 63))
            case code::BinaryImm + 0x1F: HANDLER(2031) BINARY_IMM(U64, from_i64, std::rotl(a, int(b & 63)))
            case code::BinaryImm + 0x20: HANDLER(2032) BINARY_IMM(U64, from_i64, std::rotr(a, int(b & 63)))
            default: HANDLER_DEFAULT TRAP("internal error: unknown internal opcode");
        }
        continue;

    out_of_fuel:
        message = "out of fuel";
        return ExecutionStatus::OutOfFuel;

    call:  // `callee` is set; its arguments start at callee_base
        if (callee->code) goto enter;
        {
            const size_t n = callee->type.params.size(), m = callee->type.results.size();
            host_scratch_.assign(m, 0);
            message = callee->host(std::span<const Slot>(callee_base, n), std::span<Slot>(host_scratch_));
            if (!message.empty()) return ExecutionStatus::Trap;
            if (size_t(stack_end - callee_base) < m) EXHAUSTED();
            std::copy(host_scratch_.begin(), host_scratch_.end(), callee_base);
            RELOAD_MEMORY();
        }
    }
}

}  // namespace polyvm::wasm

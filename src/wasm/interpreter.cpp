#include "wasm/interpreter.hpp"

#include "wasm/compiler.hpp"
#include "wasm/fuel.hpp"
#include "wasm/numeric.hpp"
#include "wasm/opcodes.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

namespace polyvm::wasm {
namespace {

static_assert(std::endian::native == std::endian::little, "memory accesses copy little-endian bytes as they are");

inline float as_f32(Slot s) { return std::bit_cast<float>(uint32_t(s)); }
inline double as_f64(Slot s) { return std::bit_cast<double>(s); }
inline Slot from_f32(float f) { return std::bit_cast<uint32_t>(f); }
inline Slot from_f64(double f) { return std::bit_cast<uint64_t>(f); }
inline Slot from_i32(uint32_t v) { return v; }
inline Slot from_i64(uint64_t v) { return v; }
inline Slot from_i32_signed(int32_t v) { return uint32_t(v); }
inline Slot from_i64_signed(int64_t v) { return uint64_t(v); }

// Element count a table may reach whatever its declared maximum (about 128 MiB of slots).
constexpr uint64_t kMaxTableElements = uint64_t(1) << 24;

}  // namespace

Executor::Executor(ExecutionLimits limits) : limits_(limits) {
    stack_.resize(limits_.value_stack_slots);
    frames_.reserve(size_t(limits_.max_call_depth) + 1);
}

ExecutionResult Executor::invoke(FunctionInstance& function, std::span<const Value> args) {
    ExecutionResult result;
    if (running_) {
        result.status = ExecutionStatus::Trap;
        result.message = "re-entrant invocation";
        return result;
    }
    if (args.size() != function.type.params.size() || args.size() > stack_.size()) {
        result.status = ExecutionStatus::Trap;
        result.message = "argument count mismatch";
        return result;
    }
    for (size_t i = 0; i < args.size(); ++i) stack_[i] = normalize_bits(args[i].type, args[i].bits);
    running_ = true;
    frames_.clear();
    result.status = run(function, stack_.data(), result.message);
    running_ = false;
    if (result.ok()) {
        for (size_t i = 0; i < function.type.results.size(); ++i) {
            const ValueType type = function.type.results[i];
            result.values.push_back(Value{type, normalize_bits(type, stack_[i])});
        }
    }
    return result;
}

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

// Operand helpers: R is the frame (locals then operand slots); operands are read before the
// result is written, since dst may be one of them.
#define UNARY(get, put, expr)          \
    {                                  \
        const auto a = get(R[op.x]);   \
        R[op.dst] = put(expr);         \
        break;                         \
    }
#define BINARY(get, put, expr)         \
    {                                  \
        const auto a = get(R[op.x]);   \
        const auto b = get(R[op.y]);   \
        R[op.dst] = put(expr);         \
        break;                         \
    }
#define U32(s) uint32_t(s)
#define S32(s) int32_t(uint32_t(s))
#define U64(s) uint64_t(s)
#define S64(s) int64_t(uint64_t(s))
#define BOOL(x) Slot((x) ? 1 : 0)

// One bounds check in 64-bit arithmetic (address + offset + size cannot wrap), then memcpy.
#define LOAD(T, convert)                                                          \
    {                                                                             \
        const uint64_t address = uint64_t(uint32_t(R[op.x])) + op.imm;            \
        const MemoryInstance& memory = *instance->memory;                         \
        if (address + sizeof(T) > memory.bytes.size()) TRAP("out of bounds memory access"); \
        T v;                                                                      \
        std::memcpy(&v, memory.bytes.data() + address, sizeof(T));                \
        R[op.dst] = convert;                                                      \
        break;                                                                    \
    }
#define STORE(T)                                                                  \
    {                                                                             \
        const T v = T(R[op.y]);                                                   \
        const uint64_t address = uint64_t(uint32_t(R[op.x])) + op.imm;            \
        MemoryInstance& memory = *instance->memory;                               \
        if (address + sizeof(T) > memory.bytes.size()) TRAP("out of bounds memory access"); \
        std::memcpy(memory.bytes.data() + address, &v, sizeof(T));                \
        break;                                                                    \
    }
#define TRUNC(I, get, put)                                                        \
    {                                                                             \
        I out{};                                                                  \
        switch (numeric::truncate<I>(get(R[op.x]), out)) {                        \
            case numeric::TruncStatus::NaN: TRAP("invalid conversion to integer"); \
            case numeric::TruncStatus::Overflow: TRAP("integer overflow");        \
            case numeric::TruncStatus::Ok: break;                                 \
        }                                                                         \
        R[op.dst] = put(out);                                                     \
        break;                                                                    \
    }
// Division and remainder: traps on zero, and for signed division on MIN / -1 (whose remainder is 0).
#define DIVIDE_SIGNED(get, put, T, MIN, is_remainder)                             \
    {                                                                             \
        const T a = get(R[op.x]), b = get(R[op.y]);                               \
        if (b == 0) TRAP("integer divide by zero");                               \
        if (b == -1) {                                                            \
            if (!(is_remainder) && a == MIN) TRAP("integer overflow");            \
            R[op.dst] = put((is_remainder) ? T(0) : T(-a));                       \
            break;                                                                \
        }                                                                         \
        R[op.dst] = put((is_remainder) ? T(a % b) : T(a / b));                    \
        break;                                                                    \
    }
#define DIVIDE_UNSIGNED(get, put, T, is_remainder)                                \
    {                                                                             \
        const T a = get(R[op.x]), b = get(R[op.y]);                               \
        if (b == 0) TRAP("integer divide by zero");                               \
        R[op.dst] = put((is_remainder) ? T(a % b) : T(a / b));                    \
        break;                                                                    \
    }

ExecutionStatus Executor::run(FunctionInstance& entry, Slot* args, std::string& message) {
    Slot* const stack_end = stack_.data() + stack_.size();
    if (!entry.code) {  // a host function called directly
        const size_t n = entry.type.params.size(), m = entry.type.results.size();
        host_scratch_.assign(m, 0);
        message = entry.host(std::span<const Slot>(args, n), std::span<Slot>(host_scratch_));
        if (!message.empty()) return ExecutionStatus::Trap;
        if (size_t(stack_end - args) < m) EXHAUSTED();
        std::copy(host_scratch_.begin(), host_scratch_.end(), args);
        return ExecutionStatus::Ok;
    }

    Slot* R = nullptr;  // the current frame
    const Op* pc = nullptr;
    const CompiledFunction* function = nullptr;
    ModuleInstance* instance = nullptr;
    FunctionInstance* callee = &entry;
    Slot* callee_base = args;

enter:  // call `callee` (a wasm function) whose frame starts at callee_base, arguments in place
    {
        const CompiledFunction* code = callee->code;
        if (frames_.size() >= limits_.max_call_depth) EXHAUSTED();
        if (uint64_t(stack_end - callee_base) < code->frame_size() + 1) EXHAUSTED();
        std::memset(callee_base + code->param_count, 0, size_t(code->local_count) * sizeof(Slot));
        frames_.push_back(Frame{pc, R, function, instance});
        R = callee_base;
        function = code;
        instance = callee->instance;
        pc = code->ops.data();
    }

    for (;;) {
        const Op& op = *pc++;
        switch (op.code) {
            case op::Unreachable: TRAP("unreachable");
            case code::Fuel:
                if (metered_) {
                    if (fuel_ < op.imm) {
                        message = "out of fuel";
                        return ExecutionStatus::OutOfFuel;
                    }
                    fuel_ -= op.imm;
                }
                break;
            case op::Br:
            branch:
                if (op.y != 0) std::memmove(R + op.dst, R + op.x, op.y * sizeof(Slot));
                pc = function->ops.data() + uint32_t(op.imm);
                break;
            case op::BrIf:
                if (uint32_t(R[op.imm >> 32]) != 0) goto branch;
                break;
            case code::BrUnless:
                if (uint32_t(R[op.x]) == 0) pc = function->ops.data() + uint32_t(op.imm);
                break;
            case code::BrTableX: {
                uint32_t index = uint32_t(R[op.x]);
                if (index >= op.y) index = op.y - 1;
                const BranchTarget& t = function->branch_table[op.imm + index];
                if (t.keep != 0) std::memmove(R + t.destination, R + t.source, t.keep * sizeof(Slot));
                pc = function->ops.data() + t.target;
                break;
            }
            case op::Return: {
                if (op.x != 0 && op.y != 0) std::memmove(R, R + op.x, op.y * sizeof(Slot));
                const Frame frame = frames_.back();
                frames_.pop_back();
                if (frame.return_pc == nullptr) return ExecutionStatus::Ok;
                pc = frame.return_pc;
                R = frame.base;
                function = frame.function;
                instance = frame.instance;
                break;
            }
            case op::Call:
                callee = instance->functions[op.imm];
                callee_base = R + op.x;
                goto call;
            case op::CallIndirect: {
                const TableInstance& table = *instance->tables[op.imm >> 32];
                const uint32_t index = uint32_t(R[op.y]);
                if (index >= table.elements.size()) TRAP("undefined element");
                callee = function_from_slot(table.elements[index]);
                if (callee == nullptr) TRAP("uninitialized element");
                if (callee->type != instance->module->module.types[uint32_t(op.imm)]) TRAP("indirect call type mismatch");
                callee_base = R + op.x;
                goto call;
            }
            case code::Copy: R[op.dst] = R[op.x]; break;
            case code::Const: R[op.dst] = op.imm; break;
            case op::Select: R[op.dst] = uint32_t(R[op.imm]) != 0 ? R[op.x] : R[op.y]; break;
            case op::GlobalGet: R[op.dst] = instance->globals[op.imm]->value; break;
            case op::GlobalSet: instance->globals[op.imm]->value = R[op.x]; break;
            case op::TableGet: {
                const TableInstance& table = *instance->tables[op.imm];
                const uint32_t index = uint32_t(R[op.x]);
                if (index >= table.elements.size()) TRAP("out of bounds table access");
                R[op.dst] = table.elements[index];
                break;
            }
            case op::TableSet: {
                TableInstance& table = *instance->tables[op.imm];
                const uint32_t index = uint32_t(R[op.x]);
                if (index >= table.elements.size()) TRAP("out of bounds table access");
                table.elements[index] = R[op.y];
                break;
            }

            case 0x28: LOAD(uint32_t, Slot(v))
            case 0x29: LOAD(uint64_t, Slot(v))
            case 0x2A: LOAD(uint32_t, Slot(v))
            case 0x2B: LOAD(uint64_t, Slot(v))
            case 0x2C: LOAD(int8_t, Slot(uint32_t(int32_t(v))))
            case 0x2D: LOAD(uint8_t, Slot(v))
            case 0x2E: LOAD(int16_t, Slot(uint32_t(int32_t(v))))
            case 0x2F: LOAD(uint16_t, Slot(v))
            case 0x30: LOAD(int8_t, Slot(int64_t(v)))
            case 0x31: LOAD(uint8_t, Slot(v))
            case 0x32: LOAD(int16_t, Slot(int64_t(v)))
            case 0x33: LOAD(uint16_t, Slot(v))
            case 0x34: LOAD(int32_t, Slot(int64_t(v)))
            case 0x35: LOAD(uint32_t, Slot(v))
            case 0x36: STORE(uint32_t)
            case 0x37: STORE(uint64_t)
            case 0x38: STORE(uint32_t)
            case 0x39: STORE(uint64_t)
            case 0x3A: STORE(uint8_t)
            case 0x3B: STORE(uint16_t)
            case 0x3C: STORE(uint8_t)
            case 0x3D: STORE(uint16_t)
            case 0x3E: STORE(uint32_t)
            case op::MemorySize: R[op.dst] = instance->memory->pages(); break;
            case op::MemoryGrow: {
                const uint32_t delta = uint32_t(R[op.x]);
                if (metered_) {
                    const uint64_t cost = uint64_t(delta) * kFuelPerMemoryPage;
                    if (fuel_ < cost) {
                        message = "out of fuel";
                        return ExecutionStatus::OutOfFuel;
                    }
                    fuel_ -= cost;
                }
                R[op.dst] = instance->memory->grow(delta);
                break;
            }

            case 0x45: UNARY(U32, BOOL, a == 0)
            case 0x46: BINARY(U32, BOOL, a == b)
            case 0x47: BINARY(U32, BOOL, a != b)
            case 0x48: BINARY(S32, BOOL, a < b)
            case 0x49: BINARY(U32, BOOL, a < b)
            case 0x4A: BINARY(S32, BOOL, a > b)
            case 0x4B: BINARY(U32, BOOL, a > b)
            case 0x4C: BINARY(S32, BOOL, a <= b)
            case 0x4D: BINARY(U32, BOOL, a <= b)
            case 0x4E: BINARY(S32, BOOL, a >= b)
            case 0x4F: BINARY(U32, BOOL, a >= b)
            case 0x50: UNARY(U64, BOOL, a == 0)
            case 0x51: BINARY(U64, BOOL, a == b)
            case 0x52: BINARY(U64, BOOL, a != b)
            case 0x53: BINARY(S64, BOOL, a < b)
            case 0x54: BINARY(U64, BOOL, a < b)
            case 0x55: BINARY(S64, BOOL, a > b)
            case 0x56: BINARY(U64, BOOL, a > b)
            case 0x57: BINARY(S64, BOOL, a <= b)
            case 0x58: BINARY(U64, BOOL, a <= b)
            case 0x59: BINARY(S64, BOOL, a >= b)
            case 0x5A: BINARY(U64, BOOL, a >= b)
            case 0x5B: BINARY(as_f32, BOOL, a == b)
            case 0x5C: BINARY(as_f32, BOOL, a != b)
            case 0x5D: BINARY(as_f32, BOOL, a < b)
            case 0x5E: BINARY(as_f32, BOOL, a > b)
            case 0x5F: BINARY(as_f32, BOOL, a <= b)
            case 0x60: BINARY(as_f32, BOOL, a >= b)
            case 0x61: BINARY(as_f64, BOOL, a == b)
            case 0x62: BINARY(as_f64, BOOL, a != b)
            case 0x63: BINARY(as_f64, BOOL, a < b)
            case 0x64: BINARY(as_f64, BOOL, a > b)
            case 0x65: BINARY(as_f64, BOOL, a <= b)
            case 0x66: BINARY(as_f64, BOOL, a >= b)

            case 0x67: UNARY(U32, from_i32, uint32_t(std::countl_zero(a)))
            case 0x68: UNARY(U32, from_i32, uint32_t(std::countr_zero(a)))
            case 0x69: UNARY(U32, from_i32, uint32_t(std::popcount(a)))
            case 0x6A: BINARY(U32, from_i32, a + b)
            case 0x6B: BINARY(U32, from_i32, a - b)
            case 0x6C: BINARY(U32, from_i32, a * b)
            case 0x6D: DIVIDE_SIGNED(S32, from_i32_signed, int32_t, INT32_MIN, false)
            case 0x6E: DIVIDE_UNSIGNED(U32, from_i32, uint32_t, false)
            case 0x6F: DIVIDE_SIGNED(S32, from_i32_signed, int32_t, INT32_MIN, true)
            case 0x70: DIVIDE_UNSIGNED(U32, from_i32, uint32_t, true)
            case 0x71: BINARY(U32, from_i32, a & b)
            case 0x72: BINARY(U32, from_i32, a | b)
            case 0x73: BINARY(U32, from_i32, a ^ b)
            case 0x74: BINARY(U32, from_i32, a << (b & 31))
            case 0x75: BINARY(S32, from_i32, uint32_t(a >> (b & 31)))
            case 0x76: BINARY(U32, from_i32, a >> (b & 31))
            case 0x77: BINARY(U32, from_i32, std::rotl(a, int(b & 31)))
            case 0x78: BINARY(U32, from_i32, std::rotr(a, int(b & 31)))

            case 0x79: UNARY(U64, from_i64, uint64_t(std::countl_zero(a)))
            case 0x7A: UNARY(U64, from_i64, uint64_t(std::countr_zero(a)))
            case 0x7B: UNARY(U64, from_i64, uint64_t(std::popcount(a)))
            case 0x7C: BINARY(U64, from_i64, a + b)
            case 0x7D: BINARY(U64, from_i64, a - b)
            case 0x7E: BINARY(U64, from_i64, a * b)
            case 0x7F: DIVIDE_SIGNED(S64, from_i64_signed, int64_t, INT64_MIN, false)
            case 0x80: DIVIDE_UNSIGNED(U64, from_i64, uint64_t, false)
            case 0x81: DIVIDE_SIGNED(S64, from_i64_signed, int64_t, INT64_MIN, true)
            case 0x82: DIVIDE_UNSIGNED(U64, from_i64, uint64_t, true)
            case 0x83: BINARY(U64, from_i64, a & b)
            case 0x84: BINARY(U64, from_i64, a | b)
            case 0x85: BINARY(U64, from_i64, a ^ b)
            case 0x86: BINARY(U64, from_i64, a << (b & 63))
            case 0x87: BINARY(S64, from_i64, uint64_t(a >> (b & 63)))
            case 0x88: BINARY(U64, from_i64, a >> (b & 63))
            case 0x89: BINARY(U64, from_i64, std::rotl(a, int(b & 63)))
            case 0x8A: BINARY(U64, from_i64, std::rotr(a, int(b & 63)))
            case 0x8B: UNARY(as_f32, from_f32, numeric::fabs_bits(a))
            case 0x8C: UNARY(as_f32, from_f32, numeric::fneg_bits(a))
            case 0x8D: UNARY(as_f32, from_f32, numeric::ceil(a))
            case 0x8E: UNARY(as_f32, from_f32, numeric::floor(a))
            case 0x8F: UNARY(as_f32, from_f32, numeric::trunc(a))
            case 0x90: UNARY(as_f32, from_f32, numeric::nearest(a))
            case 0x91: UNARY(as_f32, from_f32, numeric::sqrt(a))
            case 0x92: BINARY(as_f32, from_f32, a + b)
            case 0x93: BINARY(as_f32, from_f32, a - b)
            case 0x94: BINARY(as_f32, from_f32, a * b)
            case 0x95: BINARY(as_f32, from_f32, a / b)
            case 0x96: BINARY(as_f32, from_f32, numeric::fmin(a, b))
            case 0x97: BINARY(as_f32, from_f32, numeric::fmax(a, b))
            case 0x98: BINARY(as_f32, from_f32, numeric::fcopysign_bits(a, b))
            case 0x99: UNARY(as_f64, from_f64, numeric::fabs_bits(a))
            case 0x9A: UNARY(as_f64, from_f64, numeric::fneg_bits(a))
            case 0x9B: UNARY(as_f64, from_f64, numeric::ceil(a))
            case 0x9C: UNARY(as_f64, from_f64, numeric::floor(a))
            case 0x9D: UNARY(as_f64, from_f64, numeric::trunc(a))
            case 0x9E: UNARY(as_f64, from_f64, numeric::nearest(a))
            case 0x9F: UNARY(as_f64, from_f64, numeric::sqrt(a))
            case 0xA0: BINARY(as_f64, from_f64, a + b)
            case 0xA1: BINARY(as_f64, from_f64, a - b)
            case 0xA2: BINARY(as_f64, from_f64, a * b)
            case 0xA3: BINARY(as_f64, from_f64, a / b)
            case 0xA4: BINARY(as_f64, from_f64, numeric::fmin(a, b))
            case 0xA5: BINARY(as_f64, from_f64, numeric::fmax(a, b))
            case 0xA6: BINARY(as_f64, from_f64, numeric::fcopysign_bits(a, b))

            case 0xA7: UNARY(U64, from_i32, uint32_t(a))
            case 0xA8: TRUNC(int32_t, as_f32, uint32_t)
            case 0xA9: TRUNC(uint32_t, as_f32, uint32_t)
            case 0xAA: TRUNC(int32_t, as_f64, uint32_t)
            case 0xAB: TRUNC(uint32_t, as_f64, uint32_t)
            case 0xAC: UNARY(S32, from_i64, uint64_t(int64_t(a)))
            case 0xAD: UNARY(U32, from_i64, uint64_t(a))
            case 0xAE: TRUNC(int64_t, as_f32, uint64_t)
            case 0xAF: TRUNC(uint64_t, as_f32, uint64_t)
            case 0xB0: TRUNC(int64_t, as_f64, uint64_t)
            case 0xB1: TRUNC(uint64_t, as_f64, uint64_t)
            case 0xB2: UNARY(S32, from_f32, float(a))
            case 0xB3: UNARY(U32, from_f32, float(a))
            case 0xB4: UNARY(S64, from_f32, float(a))
            case 0xB5: UNARY(U64, from_f32, float(a))
            case 0xB6: UNARY(as_f64, from_f32, float(a))
            case 0xB7: UNARY(S32, from_f64, double(a))
            case 0xB8: UNARY(U32, from_f64, double(a))
            case 0xB9: UNARY(S64, from_f64, double(a))
            case 0xBA: UNARY(U64, from_f64, double(a))
            case 0xBB: UNARY(as_f32, from_f64, double(a))
            case 0xBC:
            case 0xBD:
            case 0xBE:
            case 0xBF: break;  // reinterpretations: the bits stay
            case 0xC0: UNARY(U32, from_i32, uint32_t(int32_t(int8_t(a))))
            case 0xC1: UNARY(U32, from_i32, uint32_t(int32_t(int16_t(a))))
            case 0xC2: UNARY(U64, from_i64, uint64_t(int64_t(int8_t(a))))
            case 0xC3: UNARY(U64, from_i64, uint64_t(int64_t(int16_t(a))))
            case 0xC4: UNARY(U64, from_i64, uint64_t(int64_t(int32_t(a))))

            case op::RefIsNull: R[op.dst] = BOOL(R[op.x] == 0); break;
            case op::RefFunc: R[op.dst] = slot_from_function(instance->functions[op.imm]); break;

            case code::MiscBase + 0: UNARY(as_f32, from_i32, uint32_t(numeric::truncate_saturating<int32_t>(a)))
            case code::MiscBase + 1: UNARY(as_f32, from_i32, numeric::truncate_saturating<uint32_t>(a))
            case code::MiscBase + 2: UNARY(as_f64, from_i32, uint32_t(numeric::truncate_saturating<int32_t>(a)))
            case code::MiscBase + 3: UNARY(as_f64, from_i32, numeric::truncate_saturating<uint32_t>(a))
            case code::MiscBase + 4: UNARY(as_f32, from_i64, uint64_t(numeric::truncate_saturating<int64_t>(a)))
            case code::MiscBase + 5: UNARY(as_f32, from_i64, numeric::truncate_saturating<uint64_t>(a))
            case code::MiscBase + 6: UNARY(as_f64, from_i64, uint64_t(numeric::truncate_saturating<int64_t>(a)))
            case code::MiscBase + 7: UNARY(as_f64, from_i64, numeric::truncate_saturating<uint64_t>(a))
            // Bulk operations: operands in R[x], R[x+1], R[x+2]; imm = segment or table, y = second index.
            case code::MiscBase + 8: {  // memory.init
                const uint64_t destination = uint32_t(R[op.x]), source = uint32_t(R[op.x + 1]), n = uint32_t(R[op.x + 2]);
                MemoryInstance& memory = *instance->memory;
                const std::span<const uint8_t> segment = instance->data[op.imm];
                if (source + n > segment.size() || destination + n > memory.bytes.size())
                    TRAP("out of bounds memory access");
                if (n != 0) std::memcpy(memory.bytes.data() + destination, segment.data() + source, n);
                break;
            }
            case code::MiscBase + 9: instance->data[op.imm] = {}; break;  // data.drop
            case code::MiscBase + 10: {  // memory.copy
                const uint64_t destination = uint32_t(R[op.x]), source = uint32_t(R[op.x + 1]), n = uint32_t(R[op.x + 2]);
                MemoryInstance& memory = *instance->memory;
                if (source + n > memory.bytes.size() || destination + n > memory.bytes.size())
                    TRAP("out of bounds memory access");
                if (n != 0) std::memmove(memory.bytes.data() + destination, memory.bytes.data() + source, n);
                break;
            }
            case code::MiscBase + 11: {  // memory.fill
                const uint64_t destination = uint32_t(R[op.x]), n = uint32_t(R[op.x + 2]);
                const uint8_t value = uint8_t(R[op.x + 1]);
                MemoryInstance& memory = *instance->memory;
                if (destination + n > memory.bytes.size()) TRAP("out of bounds memory access");
                if (n != 0) std::memset(memory.bytes.data() + destination, value, n);
                break;
            }
            case code::MiscBase + 12: {  // table.init segment(imm) table(y)
                const uint64_t destination = uint32_t(R[op.x]), source = uint32_t(R[op.x + 1]), n = uint32_t(R[op.x + 2]);
                TableInstance& table = *instance->tables[op.y];
                const std::vector<Slot>& segment = instance->elements[op.imm];
                if (source + n > segment.size() || destination + n > table.elements.size())
                    TRAP("out of bounds table access");
                std::copy_n(segment.begin() + ptrdiff_t(source), n, table.elements.begin() + ptrdiff_t(destination));
                break;
            }
            case code::MiscBase + 13: instance->elements[op.imm].clear(); break;  // elem.drop
            case code::MiscBase + 14: {  // table.copy destination(imm) source(y)
                const uint64_t destination = uint32_t(R[op.x]), source = uint32_t(R[op.x + 1]), n = uint32_t(R[op.x + 2]);
                TableInstance& to = *instance->tables[op.imm];
                const TableInstance& from = *instance->tables[op.y];
                if (source + n > from.elements.size() || destination + n > to.elements.size())
                    TRAP("out of bounds table access");
                if (n != 0)
                    std::memmove(to.elements.data() + destination, from.elements.data() + source, n * sizeof(Slot));
                break;
            }
            case code::MiscBase + 15: {  // table.grow
                TableInstance& table = *instance->tables[op.imm];
                const Slot init = R[op.x];
                const uint64_t delta = uint32_t(R[op.x + 1]);
                const uint64_t old_size = table.elements.size();
                const uint64_t limit = std::min<uint64_t>(table.type.limits.max.value_or(UINT32_MAX), kMaxTableElements);
                if (old_size + delta > limit) {
                    R[op.dst] = from_i32(UINT32_MAX);
                    break;
                }
                table.elements.resize(old_size + delta, init);
                table.type.limits.min = uint32_t(old_size + delta);
                R[op.dst] = from_i32(uint32_t(old_size));
                break;
            }
            case code::MiscBase + 16: R[op.dst] = from_i32(uint32_t(instance->tables[op.imm]->elements.size())); break;
            case code::MiscBase + 17: {  // table.fill
                TableInstance& table = *instance->tables[op.imm];
                const uint64_t destination = uint32_t(R[op.x]), n = uint32_t(R[op.x + 2]);
                const Slot value = R[op.x + 1];
                if (destination + n > table.elements.size()) TRAP("out of bounds table access");
                std::fill_n(table.elements.begin() + ptrdiff_t(destination), n, value);
                break;
            }
            default: TRAP("internal error: unknown internal opcode");
        }
        continue;

    call:  // `callee` is set; its arguments start at callee_base
        if (callee->code) goto enter;
        {
            const size_t n = callee->type.params.size(), m = callee->type.results.size();
            host_scratch_.assign(m, 0);
            message = callee->host(std::span<const Slot>(callee_base, n), std::span<Slot>(host_scratch_));
            if (!message.empty()) return ExecutionStatus::Trap;
            if (size_t(stack_end - callee_base) < m) EXHAUSTED();
            std::copy(host_scratch_.begin(), host_scratch_.end(), callee_base);
        }
    }
}

}  // namespace polyvm::wasm

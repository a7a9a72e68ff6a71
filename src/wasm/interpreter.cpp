#include "wasm/interpreter.hpp"

#include "wasm/compiler.hpp"
#include "wasm/fuel.hpp"
#include "wasm/numeric.hpp"
#include "wasm/opcodes.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace polyvm::wasm {
namespace {

static_assert(std::endian::native == std::endian::little, "memory accesses copy little-endian bytes as they are");

inline float as_f32(Slot s) { return std::bit_cast<float>(uint32_t(s)); }
inline double as_f64(Slot s) { return std::bit_cast<double>(s); }
inline Slot from_f32(float f) { return std::bit_cast<uint32_t>(f); }
inline Slot from_f64(double f) { return std::bit_cast<uint64_t>(f); }
inline Slot from_i32(uint32_t v) { return v; }
inline Slot from_i64(uint64_t v) { return v; }

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

// Operand helpers: binary operations pop b then a and replace a with the result.
#define UNARY(get, put, expr)      \
    {                              \
        const auto a = get(sp[-1]); \
        sp[-1] = put(expr);        \
        break;                     \
    }
#define BINARY(get, put, expr)      \
    {                               \
        const auto b = get(sp[-1]); \
        const auto a = get(sp[-2]); \
        --sp;                       \
        sp[-1] = put(expr);         \
        break;                      \
    }
#define U32(s) uint32_t(s)
#define S32(s) int32_t(uint32_t(s))
#define U64(s) uint64_t(s)
#define S64(s) int64_t(uint64_t(s))
#define BOOL(x) Slot((x) ? 1 : 0)

#define LOAD(T, convert)                                                          \
    {                                                                             \
        const uint64_t address = uint64_t(uint32_t(sp[-1])) + op.a;               \
        const MemoryInstance& memory = *instance->memory;                         \
        if (address + sizeof(T) > memory.bytes.size()) TRAP("out of bounds memory access"); \
        T v;                                                                      \
        std::memcpy(&v, memory.bytes.data() + address, sizeof(T));                \
        sp[-1] = convert;                                                         \
        break;                                                                    \
    }
#define STORE(T)                                                                  \
    {                                                                             \
        const T v = T(sp[-1]);                                                    \
        const uint64_t address = uint64_t(uint32_t(sp[-2])) + op.a;               \
        sp -= 2;                                                                  \
        MemoryInstance& memory = *instance->memory;                               \
        if (address + sizeof(T) > memory.bytes.size()) TRAP("out of bounds memory access"); \
        std::memcpy(memory.bytes.data() + address, &v, sizeof(T));                \
        break;                                                                    \
    }
#define TRUNC(I, get, put)                                                        \
    {                                                                             \
        I out{};                                                                  \
        switch (numeric::truncate<I>(get(sp[-1]), out)) {                         \
            case numeric::TruncStatus::NaN: TRAP("invalid conversion to integer"); \
            case numeric::TruncStatus::Overflow: TRAP("integer overflow");        \
            case numeric::TruncStatus::Ok: break;                                 \
        }                                                                         \
        sp[-1] = put(out);                                                        \
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

    Slot* sp = args + entry.type.params.size();
    Slot* base = nullptr;
    const Op* pc = nullptr;
    const CompiledFunction* function = nullptr;
    ModuleInstance* instance = nullptr;
    FunctionInstance* callee = &entry;

enter:  // call `callee` (a wasm function) with its arguments on top of the stack
    {
        const CompiledFunction* code = callee->code;
        if (frames_.size() >= limits_.max_call_depth) EXHAUSTED();
        if (size_t(stack_end - sp) < size_t(code->local_count) + code->max_stack_height + 1) EXHAUSTED();
        std::memset(sp, 0, size_t(code->local_count) * sizeof(Slot));
        frames_.push_back(Frame{pc, base, function, instance});
        base = sp - code->param_count;
        sp += code->local_count;
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
                    if (fuel_ < op.a) {
                        message = "out of fuel";
                        return ExecutionStatus::OutOfFuel;
                    }
                    fuel_ -= op.a;
                }
                break;
            case op::Br: {
            branch:
                const uint32_t keep = op.a;
                const uint32_t drop = uint32_t(op.b >> 32);
                if (drop != 0) {
                    std::memmove(sp - keep - drop, sp - keep, keep * sizeof(Slot));
                    sp -= drop;
                }
                pc = function->ops.data() + uint32_t(op.b);
                break;
            }
            case op::BrIf:
                if (uint32_t(*--sp) != 0) goto branch;
                break;
            case code::BrUnless:
                if (uint32_t(*--sp) == 0) pc = function->ops.data() + uint32_t(op.b);
                break;
            case code::BrTableX: {
                uint32_t index = uint32_t(*--sp);
                if (index >= op.a) index = op.a - 1;
                const BranchTarget& t = function->branch_table[op.b + index];
                if (t.drop != 0) {
                    std::memmove(sp - t.keep - t.drop, sp - t.keep, t.keep * sizeof(Slot));
                    sp -= t.drop;
                }
                pc = function->ops.data() + t.target;
                break;
            }
            case op::Return: {
                const uint32_t n = op.a;
                if (sp - n != base) std::memmove(base, sp - n, n * sizeof(Slot));
                sp = base + n;
                const Frame frame = frames_.back();
                frames_.pop_back();
                if (frame.return_pc == nullptr) return ExecutionStatus::Ok;
                pc = frame.return_pc;
                base = frame.base;
                function = frame.function;
                instance = frame.instance;
                break;
            }
            case op::Call:
                callee = instance->functions[op.a];
                goto call;
            case op::CallIndirect: {
                const TableInstance& table = *instance->tables[op.b];
                const uint32_t index = uint32_t(*--sp);
                if (index >= table.elements.size()) TRAP("undefined element");
                callee = function_from_slot(table.elements[index]);
                if (callee == nullptr) TRAP("uninitialized element");
                if (callee->type != instance->module->module.types[op.a]) TRAP("indirect call type mismatch");
                goto call;
            }
            case op::Drop: --sp; break;
            case op::Select: {
                const uint32_t condition = uint32_t(*--sp);
                const Slot second = *--sp;
                if (condition == 0) sp[-1] = second;
                break;
            }
            case op::LocalGet: *sp++ = base[op.a]; break;
            case op::LocalSet: base[op.a] = *--sp; break;
            case op::LocalTee: base[op.a] = sp[-1]; break;
            case op::GlobalGet: *sp++ = instance->globals[op.a]->value; break;
            case op::GlobalSet: instance->globals[op.a]->value = *--sp; break;
            case op::TableGet: {
                const TableInstance& table = *instance->tables[op.a];
                const uint32_t index = uint32_t(sp[-1]);
                if (index >= table.elements.size()) TRAP("out of bounds table access");
                sp[-1] = table.elements[index];
                break;
            }
            case op::TableSet: {
                TableInstance& table = *instance->tables[op.a];
                const Slot value = *--sp;
                const uint32_t index = uint32_t(*--sp);
                if (index >= table.elements.size()) TRAP("out of bounds table access");
                table.elements[index] = value;
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
            case op::MemorySize: *sp++ = instance->memory->pages(); break;
            case op::MemoryGrow: {
                const uint32_t delta = uint32_t(sp[-1]);
                if (metered_) {
                    const uint64_t cost = uint64_t(delta) * kFuelPerMemoryPage;
                    if (fuel_ < cost) {
                        message = "out of fuel";
                        return ExecutionStatus::OutOfFuel;
                    }
                    fuel_ -= cost;
                }
                sp[-1] = instance->memory->grow(delta);
                break;
            }

            case op::I32Const:
            case op::I64Const:
            case op::F32Const:
            case op::F64Const: *sp++ = op.b; break;

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
            case 0x6D: {
                const int32_t b = S32(sp[-1]), a = S32(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                if (a == INT32_MIN && b == -1) TRAP("integer overflow");
                --sp, sp[-1] = from_i32(uint32_t(a / b));
                break;
            }
            case 0x6E: {
                const uint32_t b = U32(sp[-1]), a = U32(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                --sp, sp[-1] = from_i32(a / b);
                break;
            }
            case 0x6F: {
                const int32_t b = S32(sp[-1]), a = S32(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                --sp, sp[-1] = from_i32(b == -1 ? 0u : uint32_t(a % b));
                break;
            }
            case 0x70: {
                const uint32_t b = U32(sp[-1]), a = U32(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                --sp, sp[-1] = from_i32(a % b);
                break;
            }
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
            case 0x7F: {
                const int64_t b = S64(sp[-1]), a = S64(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                if (a == INT64_MIN && b == -1) TRAP("integer overflow");
                --sp, sp[-1] = from_i64(uint64_t(a / b));
                break;
            }
            case 0x80: {
                const uint64_t b = U64(sp[-1]), a = U64(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                --sp, sp[-1] = from_i64(a / b);
                break;
            }
            case 0x81: {
                const int64_t b = S64(sp[-1]), a = S64(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                --sp, sp[-1] = from_i64(b == -1 ? 0u : uint64_t(a % b));
                break;
            }
            case 0x82: {
                const uint64_t b = U64(sp[-1]), a = U64(sp[-2]);
                if (b == 0) TRAP("integer divide by zero");
                --sp, sp[-1] = from_i64(a % b);
                break;
            }
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

            case op::RefNull: *sp++ = 0; break;
            case op::RefIsNull: sp[-1] = BOOL(sp[-1] == 0); break;
            case op::RefFunc: *sp++ = slot_from_function(instance->functions[op.a]); break;

            case code::MiscBase + 0: UNARY(as_f32, from_i32, uint32_t(numeric::truncate_saturating<int32_t>(a)))
            case code::MiscBase + 1: UNARY(as_f32, from_i32, numeric::truncate_saturating<uint32_t>(a))
            case code::MiscBase + 2: UNARY(as_f64, from_i32, uint32_t(numeric::truncate_saturating<int32_t>(a)))
            case code::MiscBase + 3: UNARY(as_f64, from_i32, numeric::truncate_saturating<uint32_t>(a))
            case code::MiscBase + 4: UNARY(as_f32, from_i64, uint64_t(numeric::truncate_saturating<int64_t>(a)))
            case code::MiscBase + 5: UNARY(as_f32, from_i64, numeric::truncate_saturating<uint64_t>(a))
            case code::MiscBase + 6: UNARY(as_f64, from_i64, uint64_t(numeric::truncate_saturating<int64_t>(a)))
            case code::MiscBase + 7: UNARY(as_f64, from_i64, numeric::truncate_saturating<uint64_t>(a))
            case code::MiscBase + 8: {  // memory.init
                const uint64_t n = uint32_t(sp[-1]), source = uint32_t(sp[-2]), destination = uint32_t(sp[-3]);
                sp -= 3;
                MemoryInstance& memory = *instance->memory;
                const std::span<const uint8_t> segment = instance->data[op.a];
                if (source + n > segment.size() || destination + n > memory.bytes.size())
                    TRAP("out of bounds memory access");
                if (n != 0) std::memcpy(memory.bytes.data() + destination, segment.data() + source, n);
                break;
            }
            case code::MiscBase + 9: instance->data[op.a] = {}; break;  // data.drop
            case code::MiscBase + 10: {  // memory.copy
                const uint64_t n = uint32_t(sp[-1]), source = uint32_t(sp[-2]), destination = uint32_t(sp[-3]);
                sp -= 3;
                MemoryInstance& memory = *instance->memory;
                if (source + n > memory.bytes.size() || destination + n > memory.bytes.size())
                    TRAP("out of bounds memory access");
                if (n != 0) std::memmove(memory.bytes.data() + destination, memory.bytes.data() + source, n);
                break;
            }
            case code::MiscBase + 11: {  // memory.fill
                const uint64_t n = uint32_t(sp[-1]), destination = uint32_t(sp[-3]);
                const uint8_t value = uint8_t(sp[-2]);
                sp -= 3;
                MemoryInstance& memory = *instance->memory;
                if (destination + n > memory.bytes.size()) TRAP("out of bounds memory access");
                if (n != 0) std::memset(memory.bytes.data() + destination, value, n);
                break;
            }
            case code::MiscBase + 12: {  // table.init segment(a) table(b)
                const uint64_t n = uint32_t(sp[-1]), source = uint32_t(sp[-2]), destination = uint32_t(sp[-3]);
                sp -= 3;
                TableInstance& table = *instance->tables[op.b];
                const std::vector<Slot>& segment = instance->elements[op.a];
                if (source + n > segment.size() || destination + n > table.elements.size())
                    TRAP("out of bounds table access");
                std::copy_n(segment.begin() + ptrdiff_t(source), n, table.elements.begin() + ptrdiff_t(destination));
                break;
            }
            case code::MiscBase + 13: instance->elements[op.a].clear(); break;  // elem.drop
            case code::MiscBase + 14: {  // table.copy destination(a) source(b)
                const uint64_t n = uint32_t(sp[-1]), source = uint32_t(sp[-2]), destination = uint32_t(sp[-3]);
                sp -= 3;
                TableInstance& to = *instance->tables[op.a];
                const TableInstance& from = *instance->tables[op.b];
                if (source + n > from.elements.size() || destination + n > to.elements.size())
                    TRAP("out of bounds table access");
                if (n != 0)
                    std::memmove(to.elements.data() + destination, from.elements.data() + source, n * sizeof(Slot));
                break;
            }
            case code::MiscBase + 15: {  // table.grow
                TableInstance& table = *instance->tables[op.a];
                const uint64_t delta = uint32_t(sp[-1]);
                const Slot init = sp[-2];
                --sp;
                const uint64_t old_size = table.elements.size();
                const uint64_t limit = std::min<uint64_t>(table.type.limits.max.value_or(UINT32_MAX), kMaxTableElements);
                if (old_size + delta > limit) {
                    sp[-1] = from_i32(UINT32_MAX);
                    break;
                }
                table.elements.resize(old_size + delta, init);
                table.type.limits.min = uint32_t(old_size + delta);
                sp[-1] = from_i32(uint32_t(old_size));
                break;
            }
            case code::MiscBase + 16: *sp++ = from_i32(uint32_t(instance->tables[op.a]->elements.size())); break;
            case code::MiscBase + 17: {  // table.fill
                TableInstance& table = *instance->tables[op.a];
                const uint64_t n = uint32_t(sp[-1]), destination = uint32_t(sp[-3]);
                const Slot value = sp[-2];
                sp -= 3;
                if (destination + n > table.elements.size()) TRAP("out of bounds table access");
                std::fill_n(table.elements.begin() + ptrdiff_t(destination), n, value);
                break;
            }
            default: TRAP("internal error: unknown internal opcode");
        }
        continue;

    call:  // `callee` is set; its arguments are on top of the stack
        if (callee->code) goto enter;
        {
            const size_t n = callee->type.params.size(), m = callee->type.results.size();
            Slot* call_args = sp - n;
            host_scratch_.assign(m, 0);
            message = callee->host(std::span<const Slot>(call_args, n), std::span<Slot>(host_scratch_));
            if (!message.empty()) return ExecutionStatus::Trap;
            if (size_t(stack_end - call_args) < m) EXHAUSTED();
            std::copy(host_scratch_.begin(), host_scratch_.end(), call_args);
            sp = call_args + m;
        }
    }
}

}  // namespace polyvm::wasm

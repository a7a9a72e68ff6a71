#include "wasm/compiler.hpp"

#include "wasm/fuel.hpp"
#include "wasm/function_validator.hpp"
#include "wasm/opcodes.hpp"
#include "wasm/validation_context.hpp"
#include "wasm/validator.hpp"

#include <algorithm>
#include <unordered_map>

namespace polyvm::wasm {
namespace {

/// Integer binary operations with a form taking their second operand as an immediate
/// (code::BinaryImm): 0x6A-0x8A except the unary i64 bit counts and division/remainder.
bool has_immediate_form(uint16_t opcode) {
    if (opcode < 0x6A || opcode > 0x8A) return false;
    return !(opcode >= 0x6D && opcode <= 0x70) && !(opcode >= 0x79 && opcode <= 0x7B) && !(opcode >= 0x7F && opcode <= 0x82);
}

/// Translates one body while the validator walks it. A compile-time stack says where each
/// operand lives (its own stack slot, or a local that local.get left unread); operands are
/// copied to their own slots ("flushed") only where a later reader needs them in place: at
/// block boundaries, branches and calls. Code after an unconditional branch is dead and not
/// emitted; only its block structure is followed so that `end`s match.
class Translator final : public InstructionObserver {
public:
    Translator(CompiledFunction& out, const std::unordered_map<uint64_t, uint32_t>& constant_index, bool metering)
        : out_(out),
          metering_(metering),
          locals_total_(uint32_t(std::min<uint64_t>(uint64_t(out.param_count) + out.local_count, kMaxSlotLocals))),
          stack_base_(locals_total_ + uint32_t(out.constants.size())),
          constant_index_(constant_index) {
        controls_.push_back(Control{op::Block, 0, out.result_count, out.result_count, 0, {}, -1, false});
        start_block();
    }

    bool failed() const { return failed_; }

    void on_instruction(const Instruction& instruction, std::span<const OperandType> operands,
                        std::span<const ControlFrame> frames) override {
        const bool live = !controls_.back().dead && !previous_unreachable_;
        if (live && metering_) {
            // A refund must fit an op's 32-bit field: a (pathologically) long block is split.
            if (out_.ops[fuel_op_].imm > kMaxBlockCost && !exits_.empty()) start_block();
            out_.ops[fuel_op_].imm += instruction_cost(instruction.opcode);
        }
        if (live) record_source(instruction);
        translate(instruction, live, frames);
        previous_unreachable_ = !frames.empty() && frames.back().unreachable;
        if (operands.size() > out_.max_stack_height) out_.max_stack_height = uint32_t(operands.size());
        // In emitted code the compile-time stack mirrors the validator's exactly.
        const bool now_live = !controls_.empty() && !controls_.back().dead && !previous_unreachable_;
        if (now_live && sources_.size() != operands.size()) failed_ = true;
    }

private:
    // Slot numbers must stay 32-bit; a function with more locals compiles but cannot be called
    // (its frame exceeds any value stack).
    static constexpr uint64_t kMaxSlotLocals = uint64_t(1) << 28;
    // Fuel blocks grow past this only with no early exit to refund (so the refunds fit 32 bits).
    static constexpr uint64_t kMaxBlockCost = uint64_t(1) << 30;

    struct Control {
        uint16_t opcode;
        uint32_t height;       // operand height below the block's parameters
        uint32_t label_arity;  // values a branch to it carries
        uint32_t result_count; // values on top after its end
        uint32_t loop_start;   // loops: the branch target
        std::vector<uint32_t> fixups;  // ops whose target is this block's end
        int64_t if_fixup;              // the if's BrUnless until its else or end
        bool dead;                     // entered in dead code: nothing inside is emitted
    };

    uint32_t here() const { return uint32_t(out_.ops.size()); }
    uint32_t stack_slot(size_t height) const { return stack_base_ + uint32_t(height); }

    // A pooled constant is read from its frame slot; the others (past the pool's size) are loaded.
    void push_constant(uint64_t value) {
        if (const auto found = constant_index_.find(value); found != constant_index_.end()) {
            sources_.push_back(locals_total_ + found->second);
            return;
        }
        emit_producer(Op{code::Const, push_result(), 0, 0, value});
    }

    uint32_t emit(const Op& op) {
        out_.ops.push_back(op);
        last_producer_ = -1;
        attach_sources(here() - 1);
        return here() - 1;
    }
    // Copies in a row (a flush, local.set from locals) share one op unless a label separates them.
    void emit_copy(uint32_t dst, uint32_t source) {
        if (here() > label_ && out_.ops.back().code == code::Copy) {
            Op& previous = out_.ops.back();
            previous.code = code::Copy2;
            previous.y = dst;
            previous.imm = source;
            last_producer_ = -1;
            attach_sources(here() - 1);
            return;
        }
        emit(Op{code::Copy, dst, source});
    }
    // An op whose only effect is writing R[dst]: local.set may redirect it into the local.
    void emit_producer(const Op& op) {
        emit(op);
        last_producer_ = int64_t(here()) - 1;
    }

    void start_block() {
        label_ = here();
        if (!metering_) {
            last_producer_ = -1;  // a label may follow: nothing before it may be rewritten
            // The op after the label also runs for branches to it: instructions before the label
            // that emitted nothing are not traced rather than traced once per branch.
            drop_pending_sources();
            return;
        }
        close_block();
        fuel_op_ = emit(Op{code::Fuel});
    }
    /// The current fuel block is complete: each early exit gives back what follows it.
    void close_block() {
        if (exits_.empty()) return;
        const uint64_t total = out_.ops[fuel_op_].imm;
        for (const auto& [index, cost_so_far] : exits_) out_.ops[index].dst = uint32_t(total - cost_so_far);
        exits_.clear();
    }
    /// Every branch that can charge the block it enters (code.hpp) goes past that block's Fuel
    /// op with its cost, once all costs are known (the body's end).
    void charge_at_branches() {
        const auto charge_of = [&](uint32_t target, uint32_t& charge) {
            if (target >= out_.ops.size() || out_.ops[target].code != code::Fuel || out_.ops[target].imm > UINT32_MAX) return false;
            charge = uint32_t(out_.ops[target].imm);
            return true;
        };
        for (Op& op : out_.ops) {
            const bool charges_itself = is_branch(op.code) && op.code != op::BrIf;
            uint32_t charge = 0;
            if (charges_itself && charge_of(uint32_t(op.imm), charge)) op.imm = (uint64_t(charge) << 32) | (uint32_t(op.imm) + 1);
        }
        for (BranchTarget& entry : out_.branch_table)
            if (charge_of(entry.target, entry.charge)) ++entry.target;
    }
    static bool is_branch(uint16_t code) {
        return code == op::Br || code == op::BrIf || code == code::BrWhen || code == code::BrUnless ||
               (code >= code::FusedBrIf && code < code::BinaryImm);
    }
    /// Branch targets become distances from the branch (code.hpp), once all are resolved.
    void make_targets_relative() {
        for (uint32_t i = 0; i < out_.ops.size(); ++i) {
            Op& op = out_.ops[i];
            if (is_branch(op.code)) {
                op.imm = (op.imm & ~uint64_t(0xFFFFFFFF)) | uint32_t(int32_t(uint32_t(op.imm) - i));
            } else if (op.code == code::BrTableX) {
                for (uint32_t k = 0; k < op.y; ++k) {
                    BranchTarget& entry = out_.branch_table[op.imm + k];
                    entry.target = uint32_t(int32_t(entry.target - i));
                }
            }
        }
    }
    /// A conditional branch at `index` leaves the current fuel block early (when metering), and
    /// the code after it stays in the block.
    void add_exit(uint32_t index) {
        if (metering_) exits_.emplace_back(index, out_.ops[fuel_op_].imm);
    }

    uint32_t pop() {
        const uint32_t source = sources_.back();
        sources_.pop_back();
        return source;
    }
    uint32_t push_result() {
        const uint32_t slot = stack_slot(sources_.size());
        sources_.push_back(slot);
        return slot;
    }
    void flush() {
        for (size_t i = 0; i < sources_.size(); ++i) {
            if (sources_[i] != stack_slot(i)) {
                emit_copy(stack_slot(i), sources_[i]);
                sources_[i] = stack_slot(i);
            }
        }
    }
    // Before local `index` is written, operands still reading it get their own copy.
    bool pending(uint32_t index, size_t count) const {
        for (size_t i = 0; i < count; ++i)
            if (sources_[i] == index) return true;
        return false;
    }
    void materialize(uint32_t index, size_t count) {
        for (size_t i = 0; i < count; ++i) {
            if (sources_[i] == index) {
                emit_copy(stack_slot(i), index);
                sources_[i] = stack_slot(i);
            }
        }
    }
    // The value in `source` (the operand just popped, which sat at height sources_.size()) goes to local `index`.
    bool redirect_last_producer(uint32_t source, uint32_t index) {
        if (last_producer_ < 0 || out_.ops[size_t(last_producer_)].dst != source) return false;
        if (source != stack_slot(sources_.size())) return false;
        out_.ops[size_t(last_producer_)].dst = index;
        attach_sources(uint32_t(last_producer_));
        last_producer_ = -1;
        return true;
    }

    /// After an unconditional branch the rest of the block is dead; the stack drops to its base.
    void end_of_reachable_code() { sources_.resize(controls_.back().height); }

    /// Resets the compile-time stack at a label: values below the block were flushed at its
    /// entry, the label's values sit in their own slots.
    void reset_to(uint32_t height, size_t values) {
        sources_.resize(height);
        for (size_t i = 0; i < values; ++i) push_result();
    }

    BranchTarget branch(uint32_t depth, bool& needs_fixup) {
        Control& target = controls_[controls_.size() - 1 - depth];
        BranchTarget result;
        result.keep = target.label_arity;
        result.source = stack_slot(sources_.size() - target.label_arity);
        result.destination = stack_slot(target.height);
        if (result.source == result.destination) result.keep = 0;  // already in place
        needs_fixup = target.opcode != op::Loop;
        result.target = needs_fixup ? 0 : target.loop_start;
        return result;
    }

    void emit_branch(uint16_t code, uint32_t depth, uint32_t condition = 0) {
        bool needs_fixup = false;
        const BranchTarget t = branch(depth, needs_fixup);
        if (needs_fixup) controls_[controls_.size() - 1 - depth].fixups.push_back(here());
        emit(Op{code, t.destination, t.source, t.keep, (uint64_t(condition) << 32) | t.target});
    }

    // The comparison that produced `condition` just before a branch on it, if it can be fused:
    // it is the last op emitted (nothing flushed in between) and wrote the popped operand's slot.
    int64_t fusable_comparison(uint32_t condition) const {
        if (last_producer_ < 0 || last_producer_ != int64_t(here()) - 1) return -1;
        const Op& producer = out_.ops[size_t(last_producer_)];
        if (producer.dst != condition || condition != stack_slot(sources_.size())) return -1;
        if (producer.code < 0x45 || producer.code > 0x5A) return -1;
        return last_producer_;
    }

    bool fuse_branch(uint16_t base, uint32_t depth, uint32_t condition) {
        const int64_t fused = fusable_comparison(condition);
        if (fused < 0) return false;
        bool needs_fixup = false;
        const BranchTarget t = branch(depth, needs_fixup);
        if (t.keep != 0) return false;
        Op& comparison = out_.ops[size_t(fused)];
        comparison = Op{uint16_t(base + (comparison.code - 0x45)), 0, comparison.x, comparison.y, t.target};
        if (needs_fixup) controls_[controls_.size() - 1 - depth].fixups.push_back(uint32_t(fused));
        last_producer_ = -1;
        attach_sources(uint32_t(fused));
        add_exit(uint32_t(fused));
        return true;
    }

    static void set_target(Op& op, uint32_t target) { op.imm = (op.imm & ~uint64_t(0xFFFFFFFF)) | target; }

    void translate(const Instruction& in, bool live, std::span<const ControlFrame> frames) {
        switch (in.opcode) {
            case op::Block:
                if (live) flush();
                controls_.push_back(Control{op::Block, uint32_t(frames.back().height), uint32_t(frames.back().results.size()),
                                            uint32_t(frames.back().results.size()), 0, {}, -1, !live});
                return;
            case op::Loop: {
                Control control{op::Loop, uint32_t(frames.back().height), uint32_t(frames.back().params.size()),
                                uint32_t(frames.back().results.size()), 0, {}, -1, !live};
                if (live) {
                    flush();
                    control.loop_start = here();
                    start_block();
                }
                controls_.push_back(std::move(control));
                return;
            }
            case op::If: {
                Control control{op::If, uint32_t(frames.back().height), uint32_t(frames.back().results.size()),
                                uint32_t(frames.back().results.size()), 0, {}, -1, !live};
                if (live) {
                    const uint32_t condition = pop();
                    flush();
                    const int64_t fused = fusable_comparison(condition);
                    if (fused >= 0) {
                        Op& comparison = out_.ops[size_t(fused)];
                        comparison = Op{uint16_t(code::FusedBrUnless + (comparison.code - 0x45)), 0, comparison.x, comparison.y, 0};
                        control.if_fixup = fused;
                        last_producer_ = -1;
                        attach_sources(uint32_t(fused));
                    } else {
                        control.if_fixup = emit(Op{code::BrUnless, 0, condition});
                    }
                    // The `then` arm is only entered from here: it stays in this fuel block.
                    add_exit(uint32_t(control.if_fixup));
                    controls_.push_back(std::move(control));
                } else {
                    controls_.push_back(std::move(control));
                }
                return;
            }
            case op::Else: {
                Control& control = controls_.back();
                if (live) {
                    flush();
                    control.fixups.push_back(emit(Op{op::Br}));
                }
                if (control.if_fixup >= 0) set_target(out_.ops[size_t(control.if_fixup)], here());
                control.if_fixup = -1;
                if (!control.dead) {
                    reset_to(control.height, frames.back().params.size());
                    start_block();
                }
                return;
            }
            case op::End: {
                if (live) flush();
                Control control = std::move(controls_.back());
                controls_.pop_back();
                const uint32_t end = here();
                bool has_incoming = !control.fixups.empty() || control.if_fixup >= 0;
                for (uint32_t index : control.fixups) set_target(out_.ops[index], end);
                if (control.if_fixup >= 0) set_target(out_.ops[size_t(control.if_fixup)], end);
                has_incoming = resolve_table_fixups(end) || has_incoming;
                if (controls_.empty()) {
                    emit(Op{op::Return, 0, stack_slot(0), out_.result_count});
                    if (metering_) {
                        close_block();
                        charge_at_branches();
                    }
                    make_targets_relative();
                    finish_sources();
                } else if (!control.dead) {
                    reset_to(control.height, control.result_count);
                    if (has_incoming) start_block();
                }
                return;
            }
            default:
                break;
        }
        if (!live) return;
        translate_live(in);
    }

    void translate_live(const Instruction& in) {
        switch (in.opcode) {
            case op::Nop: return;
            case op::Unreachable:
                emit(Op{op::Unreachable});
                end_of_reachable_code();
                return;
            case op::Br:
                flush();
                emit_branch(op::Br, in.index);
                end_of_reachable_code();
                return;
            case op::BrIf: {
                const uint32_t condition = pop();
                flush();
                if (fuse_branch(code::FusedBrIf, in.index, condition)) return;
                bool needs_fixup = false;
                if (branch(in.index, needs_fixup).keep == 0) {
                    // Nothing to copy: a plain test whose fall-through stays in this fuel block.
                    emit_branch(code::BrWhen, in.index);
                    Op& emitted = out_.ops.back();
                    emitted.dst = 0;
                    emitted.x = condition;
                    add_exit(here() - 1);
                    return;
                }
                emit_branch(op::BrIf, in.index, condition);
                start_block();
                return;
            }
            case op::BrTable: {
                const uint32_t index = pop();
                flush();
                const uint32_t first = uint32_t(out_.branch_table.size());
                for (uint32_t depth : in.labels) {
                    bool needs_fixup = false;
                    const BranchTarget t = branch(depth, needs_fixup);
                    if (needs_fixup) table_fixups_.push_back({uint32_t(out_.branch_table.size()), controls_.size() - 1 - depth});
                    out_.branch_table.push_back(t);
                }
                emit(Op{code::BrTableX, 0, index, uint32_t(in.labels.size()), first});
                end_of_reachable_code();
                return;
            }
            case op::Return:
                flush();
                emit(Op{op::Return, 0, stack_slot(sources_.size() - out_.result_count), out_.result_count});
                end_of_reachable_code();
                return;
            case op::Call:
            case op::CallIndirect: {
                const uint32_t index = in.opcode == op::CallIndirect ? pop() : 0;
                flush();
                const FunctionType& type = in.opcode == op::Call ? context_type(in.index) : module_->types[in.index];
                const uint32_t args = stack_slot(sources_.size() - type.params.size());
                const size_t imports = function_type_indices_->size() - defined_functions_->size();
                if (in.opcode == op::Call && in.index >= imports)
                    emit(Op{code::CallDefined, 0, args, 0, uint64_t(reinterpret_cast<uintptr_t>(&(*defined_functions_)[in.index - imports]))});
                else if (in.opcode == op::Call) emit(Op{op::Call, 0, args, 0, in.index});
                else emit(Op{op::CallIndirect, 0, args, index, uint64_t(in.index) | (uint64_t(in.second_index) << 32)});
                sources_.resize(sources_.size() - type.params.size());
                for (size_t i = 0; i < type.results.size(); ++i) push_result();
                return;
            }
            case op::Drop: pop(); return;
            case op::Select:
            case op::SelectTyped: {
                const uint32_t condition = pop(), second = pop(), first = pop();
                const uint32_t dst = push_result();
                emit_producer(Op{op::Select, dst, first, second, condition});
                return;
            }
            case op::LocalGet: sources_.push_back(in.index); return;
            case op::LocalSet: {
                const uint32_t source = pop();
                if (source == in.index) return;
                if (!pending(in.index, sources_.size()) && redirect_last_producer(source, in.index)) return;
                materialize(in.index, sources_.size());
                emit_copy(in.index, source);
                return;
            }
            case op::LocalTee: {
                const uint32_t source = pop();
                if (source == in.index) {
                    sources_.push_back(source);
                    return;
                }
                if (!pending(in.index, sources_.size()) && redirect_last_producer(source, in.index)) {
                    sources_.push_back(in.index);
                    return;
                }
                materialize(in.index, sources_.size());
                emit_copy(in.index, source);
                sources_.push_back(source);
                return;
            }
            case op::GlobalGet: emit_producer(Op{op::GlobalGet, push_result(), 0, 0, in.index}); return;
            case op::GlobalSet: emit(Op{op::GlobalSet, 0, pop(), 0, in.index}); return;
            case op::TableGet: {
                const uint32_t index = pop();
                emit_producer(Op{op::TableGet, push_result(), index, 0, in.index});
                return;
            }
            case op::TableSet: {
                const uint32_t value = pop(), index = pop();
                emit(Op{op::TableSet, 0, index, value, in.index});
                return;
            }
            case op::MemorySize: emit_producer(Op{op::MemorySize, push_result()}); return;
            case op::MemoryGrow: {
                const uint32_t delta = pop();
                emit_producer(Op{op::MemoryGrow, push_result(), delta});
                return;
            }
            case op::I32Const:
            case op::F32Const: push_constant(in.constant & 0xFFFFFFFFu); return;
            case op::I64Const:
            case op::F64Const: push_constant(in.constant); return;
            case op::RefNull: emit_producer(Op{code::Const, push_result(), 0, 0, 0}); return;
            case op::RefFunc: emit_producer(Op{op::RefFunc, push_result(), 0, 0, in.index}); return;
            case op::RefIsNull: unary(op::RefIsNull); return;
            default: break;
        }
        if (in.opcode >= op::FirstLoad && in.opcode <= op::LastLoad) {
            const uint32_t address = pop();
            emit_producer(Op{in.opcode, push_result(), address, 0, in.memory.offset});
            return;
        }
        if (in.opcode >= op::FirstStore && in.opcode <= op::LastStore) {
            const uint32_t value = pop(), address = pop();
            emit(Op{in.opcode, 0, address, value, in.memory.offset});
            return;
        }
        if (in.opcode >= 0xBC && in.opcode <= 0xBF) return;  // reinterpretations: same bits, same slot
        if (in.opcode >= op::FirstNumeric && in.opcode <= op::LastNumeric) {
            if (is_unary(in.opcode)) unary(in.opcode);
            else binary(in.opcode);
            return;
        }
        if (in.opcode >= op::FirstTruncSat && in.opcode <= op::LastTruncSat) {
            unary(uint16_t(code::MiscBase + (in.opcode & 0xFF)));
            return;
        }
        // The other 0xFC instructions (bulk memory and tables) read their operands in place.
        const uint16_t sub = in.opcode & 0xFF;
        static constexpr uint8_t operand_counts[18] = {0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 3, 3, 0, 3, 2, 0, 3};
        const uint32_t count = operand_counts[sub];
        flush();
        const uint32_t first = stack_slot(sources_.size() - count);
        sources_.resize(sources_.size() - count);
        const bool has_result = in.opcode == op::TableGrow || in.opcode == op::TableSize;
        const uint32_t dst = has_result ? push_result() : 0;
        emit(Op{uint16_t(code::MiscBase + sub), dst, first, in.second_index, in.index});
    }

    static bool is_unary(uint16_t opcode) {
        return opcode == 0x45 || opcode == 0x50 || (opcode >= 0x67 && opcode <= 0x69) || (opcode >= 0x79 && opcode <= 0x7B) ||
               (opcode >= 0x8B && opcode <= 0x91) || (opcode >= 0x99 && opcode <= 0x9F) || opcode >= 0xA7;
    }
    void unary(uint16_t code) {
        const uint32_t x = pop();
        emit_producer(Op{code, push_result(), x});
    }
    void binary(uint16_t code) {
        const uint32_t y = pop(), x = pop();
        uint64_t value = 0;
        if (has_immediate_form(code) && constant_operand(y, value)) {
            if (code == 0x71 && fuse_bit_field(x, uint32_t(value))) return;
            emit_producer(Op{uint16_t(code::BinaryImm + (code - 0x6A)), push_result(), x, 0, value});
            return;
        }
        emit_producer(Op{code, push_result(), x, y});
    }
    // i32.and with a constant right after i32.shr_u by a constant, on the value it produced
    // (`x` just popped, nothing in between, no label): one op extracts the bit field.
    bool fuse_bit_field(uint32_t x, uint32_t mask) {
        if (here() <= label_ || x != stack_slot(sources_.size())) return false;
        Op& shift = out_.ops.back();
        if (shift.code != code::BinaryImm + (0x76 - 0x6A) || shift.dst != x) return false;
        shift = Op{code::ShiftRightAndImm, push_result(), shift.x, uint32_t(shift.imm & 31), mask};
        last_producer_ = int64_t(here()) - 1;
        attach_sources(here() - 1);
        return true;
    }
    // Whether operand `source` (just popped, at height sources_.size() + 1) is a constant: a pooled
    // one's slot, or the slot a Const op just emitted wrote. Such a Const op is dropped: the
    // operation about to be emitted takes its place and its value.
    bool constant_operand(uint32_t source, uint64_t& value) {
        if (source >= locals_total_ && source < stack_base_) {
            value = out_.constants[source - locals_total_];
            return true;
        }
        if (last_producer_ < 0 || last_producer_ != int64_t(here()) - 1) return false;
        const Op& producer = out_.ops.back();
        if (producer.code != code::Const || producer.dst != source || source != stack_slot(sources_.size() + 1)) return false;
        value = producer.imm;
        out_.ops.pop_back();
        detach_sources(here());
        last_producer_ = -1;
        return true;
    }

    // Tracing (code.hpp, SourceInstruction): every live instruction is recorded, then rides on
    // the next op emitted, or on the op it rewrites in place (a fused branch, a redirected
    // producer, merged copies), so a traced run reports it exactly when its effect runs.
    void record_source(const Instruction& instruction) {
        const uint64_t cost_before = metering_ ? out_.ops[fuel_op_].imm - instruction_cost(instruction.opcode) : 0;
        sources_recorded_.push_back(RecordedSource{uint32_t(instruction.offset), instruction.opcode, fuel_op_, cost_before, kPendingSource});
    }
    void attach_sources(uint32_t op) {
        for (; first_pending_source_ < sources_recorded_.size(); ++first_pending_source_)
            sources_recorded_[first_pending_source_].op = op;
    }
    void drop_pending_sources() { attach_sources(kDroppedSource); }
    // The op at `op` (the last) was removed: what rode on it rides on the next one instead.
    void detach_sources(uint32_t op) {
        while (first_pending_source_ > 0 && sources_recorded_[first_pending_source_ - 1].op == op)
            sources_recorded_[--first_pending_source_].op = kPendingSource;
    }
    // The ops only grow and sources attach in order, so the recorded ops are ascending.
    void finish_sources() {
        out_.source_begin.assign(out_.ops.size() + 1, 0);
        out_.source_instructions.clear();
        uint32_t op = 0;
        for (const RecordedSource& recorded : sources_recorded_) {
            if (recorded.op >= out_.ops.size()) continue;  // dropped, or never attached
            while (op < recorded.op) out_.source_begin[++op] = uint32_t(out_.source_instructions.size());
            const uint64_t block_cost = metering_ ? out_.ops[recorded.fuel_op].imm : 0;
            out_.source_instructions.push_back(SourceInstruction{recorded.offset, recorded.opcode, block_cost - recorded.cost_before});
        }
        while (op < out_.ops.size()) out_.source_begin[++op] = uint32_t(out_.source_instructions.size());
        sources_recorded_.clear();
        sources_recorded_.shrink_to_fit();
    }

    const FunctionType& context_type(uint32_t function_index) const {
        return module_->types[(*function_type_indices_)[function_index]];
    }

    // br_table entries aimed at a block's end, resolved when that `end` is reached.
    bool resolve_table_fixups(uint32_t end) {
        bool any = false;
        const size_t level = controls_.size();  // the control just popped had this index
        for (size_t i = 0; i < table_fixups_.size();) {
            if (table_fixups_[i].second == level) {
                out_.branch_table[table_fixups_[i].first].target = end;
                table_fixups_[i] = table_fixups_.back();
                table_fixups_.pop_back();
                any = true;
            } else {
                ++i;
            }
        }
        return any;
    }

public:
    const Module* module_ = nullptr;
    const std::vector<uint32_t>* function_type_indices_ = nullptr;
    /// The module's defined functions, their addresses final (CallDefined points at them).
    const std::vector<CompiledFunction>* defined_functions_ = nullptr;

private:
    CompiledFunction& out_;
    const bool metering_;
    const uint32_t locals_total_;
    const uint32_t stack_base_;
    const std::unordered_map<uint64_t, uint32_t>& constant_index_;
    std::vector<Control> controls_;
    std::vector<uint32_t> sources_;
    std::vector<std::pair<uint32_t, size_t>> table_fixups_;  // (branch_table index, control index)
    bool previous_unreachable_ = false;
    bool failed_ = false;
    uint32_t label_ = 0;    // the latest label's position: ops before it cannot merge with ops after it
    uint32_t fuel_op_ = 0;  // the current fuel block's charge
    std::vector<std::pair<uint32_t, uint64_t>> exits_;  // its early exits: (op, block cost up to and including it)
    int64_t last_producer_ = -1;
    struct RecordedSource {
        uint32_t offset;
        uint16_t opcode;
        uint32_t fuel_op;      // its fuel block's Fuel op
        uint64_t cost_before;  // that block's cost before it
        uint32_t op;           // the op it rides on, or one of the two values below
    };
    static constexpr uint32_t kPendingSource = UINT32_MAX, kDroppedSource = UINT32_MAX - 1;
    std::vector<RecordedSource> sources_recorded_;
    size_t first_pending_source_ = 0;  // sources_recorded_ from here on are pending
};

// Constants per function kept in frame slots; more would make every call copy a large pool.
constexpr size_t kMaxPooledConstants = 64;

/// The distinct constants of a (validated) body, in order of appearance, up to the pool's size.
/// A constant directly followed by an operation with an immediate form is left out: it becomes
/// that operation's immediate, and every call copies the pool into the frame.
void collect_constants(const Module& module, const Function& function, std::vector<uint64_t>& pool,
                       std::unordered_map<uint64_t, uint32_t>& index) {
    ByteReader reader(module.bytes, function.body.begin, function.body.end);
    Instruction instruction;
    bool pending = false;  // a constant read, pooled unless the next instruction takes it as an immediate
    uint64_t pending_value = 0;
    while (!reader.at_end() && pool.size() < kMaxPooledConstants && read_instruction(reader, instruction)) {
        if (pending && !has_immediate_form(instruction.opcode) && index.emplace(pending_value, uint32_t(pool.size())).second)
            pool.push_back(pending_value);
        pending = true;
        switch (instruction.opcode) {
            case op::I32Const:
            case op::F32Const: pending_value = instruction.constant & 0xFFFFFFFFu; break;
            case op::I64Const:
            case op::F64Const: pending_value = instruction.constant; break;
            default: pending = false; break;
        }
    }
    if (pending && pool.size() < kMaxPooledConstants && index.emplace(pending_value, uint32_t(pool.size())).second)
        pool.push_back(pending_value);
}

}  // namespace

Result<std::shared_ptr<const CompiledModule>> compile(Module module, CompileOptions options) {
    if (auto error = validate(module)) return *error;
    auto compiled = std::make_shared<CompiledModule>();
    compiled->module = std::move(module);
    compiled->fuel_metering = options.fuel_metering;
    const Module& m = compiled->module;
    const ValidationContext context = make_validation_context(m);
    compiled->function_type_indices = context.function_type_indices;
    FunctionValidator validator(context);
    compiled->functions.resize(m.functions.size());
    for (uint32_t i = 0; i < m.functions.size(); ++i) {
        CompiledFunction& function = compiled->functions[i];
        const FunctionType& type = m.types[m.functions[i].type_index];
        function.type_index = m.functions[i].type_index;
        function.param_count = uint32_t(type.params.size());
        function.result_count = uint32_t(type.results.size());
        // Bodies may declare ~2^32 locals; such a function compiles but exhausts the stack on call.
        function.local_count = uint32_t(std::min<uint64_t>(m.functions[i].local_count, UINT32_MAX));
        std::unordered_map<uint64_t, uint32_t> constant_index;
        collect_constants(m, m.functions[i], function.constants, constant_index);
        Translator translator(function, constant_index, options.fuel_metering);
        translator.module_ = &m;
        translator.function_type_indices_ = &compiled->function_type_indices;
        translator.defined_functions_ = &compiled->functions;
        if (auto error = validator.validate(i, &translator)) return *error;
        if (translator.failed())
            return Error{ErrorKind::Invalid, m.functions[i].body.begin, "internal error: translation lost the stack height"};
    }
    return std::shared_ptr<const CompiledModule>(std::move(compiled));
}

}  // namespace polyvm::wasm

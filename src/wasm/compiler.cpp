#include "wasm/compiler.hpp"

#include "wasm/fuel.hpp"
#include "wasm/function_validator.hpp"
#include "wasm/opcodes.hpp"
#include "wasm/validation_context.hpp"
#include "wasm/validator.hpp"

#include <algorithm>

namespace polyvm::wasm {
namespace {

/// Translates one body while the validator walks it. Code after an unconditional branch is
/// dead and not emitted; only its block structure is followed so that `end`s match.
class Translator final : public InstructionObserver {
public:
    explicit Translator(CompiledFunction& out) : out_(out) {
        controls_.push_back(Control{op::Block, 0, out.result_count, 0, {}, -1, false});
        start_block();
    }

    void on_instruction(const Instruction& instruction, std::span<const OperandType> operands,
                        std::span<const ControlFrame> frames) override {
        const bool live = !controls_.back().dead && !previous_unreachable_;
        const size_t height = previous_height_;  // operand height before this instruction
        if (live) out_.ops[fuel_op_].a += instruction_cost(instruction.opcode);
        translate(instruction, live, height, frames);
        previous_height_ = operands.size();
        previous_unreachable_ = !frames.empty() && frames.back().unreachable;
        if (operands.size() > out_.max_stack_height) out_.max_stack_height = uint32_t(operands.size());
    }

private:
    struct Control {
        uint16_t opcode;
        size_t label_height;    // operand height the label's values sit on
        uint32_t label_arity;   // values a branch to it carries
        uint32_t loop_start;    // loops: the branch target
        std::vector<uint32_t> fixups;        // ops whose target is this block's end
        int64_t if_fixup;                    // the if's BrUnless until its else or end
        bool dead;                           // entered in dead code: nothing inside is emitted
    };

    uint32_t here() const { return uint32_t(out_.ops.size()); }
    void emit(uint8_t code, uint32_t a = 0, uint64_t b = 0) { out_.ops.push_back(Op{code, a, b}); }

    void start_block() {
        fuel_op_ = here();
        emit(code::Fuel);
    }

    // Resolves a branch to label `depth`: (target or fixup, keep, drop).
    BranchTarget branch(uint32_t depth, size_t height, bool& needs_fixup) {
        Control& target = controls_[controls_.size() - 1 - depth];
        BranchTarget result;
        result.keep = target.label_arity;
        result.drop = uint32_t(height - target.label_arity - target.label_height);
        needs_fixup = target.opcode != op::Loop;
        result.target = needs_fixup ? 0 : target.loop_start;
        return result;
    }

    void emit_branch(uint8_t code, uint32_t depth, size_t height) {
        bool needs_fixup = false;
        const BranchTarget t = branch(depth, height, needs_fixup);
        if (needs_fixup) controls_[controls_.size() - 1 - depth].fixups.push_back(here());
        emit(code, t.keep, (uint64_t(t.drop) << 32) | t.target);
    }

    static void set_target(Op& op, uint32_t target) { op.b = (op.b & ~uint64_t(0xFFFFFFFF)) | target; }

    void translate(const Instruction& in, bool live, size_t height, std::span<const ControlFrame> frames) {
        switch (in.opcode) {
            case op::Block:
                controls_.push_back(Control{op::Block, frames.back().height, uint32_t(frames.back().results.size()), 0,
                                            {}, -1, !live});
                return;
            case op::Loop: {
                Control control{op::Loop, frames.back().height, uint32_t(frames.back().params.size()), 0, {}, -1, !live};
                if (live) {
                    start_block();
                    control.loop_start = fuel_op_;
                }
                controls_.push_back(std::move(control));
                return;
            }
            case op::If: {
                Control control{op::If, frames.back().height, uint32_t(frames.back().results.size()), 0, {}, -1, !live};
                if (live) {
                    control.if_fixup = here();
                    emit(code::BrUnless);
                    controls_.push_back(std::move(control));
                    start_block();
                } else {
                    controls_.push_back(std::move(control));
                }
                return;
            }
            case op::Else: {
                Control& control = controls_.back();
                if (live) {
                    control.fixups.push_back(here());
                    emit(op::Br, 0, 0);
                }
                if (control.if_fixup >= 0) set_target(out_.ops[size_t(control.if_fixup)], here());
                control.if_fixup = -1;
                if (!control.dead) start_block();
                return;
            }
            case op::End: {
                Control control = std::move(controls_.back());
                controls_.pop_back();
                const uint32_t end = here();
                bool has_incoming = !control.fixups.empty() || control.if_fixup >= 0;
                for (uint32_t index : control.fixups) set_target(out_.ops[index], end);
                if (control.if_fixup >= 0) set_target(out_.ops[size_t(control.if_fixup)], end);
                has_incoming = resolve_table_fixups(end) || has_incoming;
                if (controls_.empty()) {
                    emit(op::Return, out_.result_count);
                } else if (!control.dead && has_incoming) {
                    start_block();
                }
                return;
            }
            default:
                break;
        }
        if (!live) return;
        switch (in.opcode) {
            case op::Nop: return;
            case op::Br: emit_branch(op::Br, in.index, height); return;
            case op::BrIf:
                emit_branch(op::BrIf, in.index, height - 1);
                start_block();
                return;
            case op::BrTable: {
                const uint32_t first = uint32_t(out_.branch_table.size());
                for (uint32_t depth : in.labels) {
                    bool needs_fixup = false;
                    const BranchTarget t = branch(depth, height - 1, needs_fixup);
                    if (needs_fixup) table_fixups_.push_back({uint32_t(out_.branch_table.size()), controls_.size() - 1 - depth});
                    out_.branch_table.push_back(t);
                }
                emit(code::BrTableX, uint32_t(in.labels.size()), first);
                return;
            }
            case op::Return: emit(op::Return, out_.result_count); return;
            case op::CallIndirect: emit(op::CallIndirect, in.index, in.second_index); return;
            case op::I32Const:
            case op::F32Const: emit(uint8_t(in.opcode), 0, in.constant & 0xFFFFFFFFu); return;
            case op::I64Const:
            case op::F64Const: emit(uint8_t(in.opcode), 0, in.constant); return;
            case op::SelectTyped: emit(op::Select); return;
            default: break;
        }
        if (in.opcode >= op::FirstLoad && in.opcode <= op::LastStore) {
            emit(uint8_t(in.opcode), in.memory.offset);
            return;
        }
        if ((in.opcode & 0xFF00) == op::Misc) {
            emit(uint8_t(code::MiscBase + (in.opcode & 0xFF)), in.index, in.second_index);
            return;
        }
        emit(uint8_t(in.opcode), in.index);
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

    CompiledFunction& out_;
    std::vector<Control> controls_;
    std::vector<std::pair<uint32_t, size_t>> table_fixups_;  // (branch_table index, control index)
    size_t previous_height_ = 0;
    bool previous_unreachable_ = false;
    uint32_t fuel_op_ = 0;
};

}  // namespace

Result<std::shared_ptr<const CompiledModule>> compile(Module module) {
    if (auto error = validate(module)) return *error;
    auto compiled = std::make_shared<CompiledModule>();
    compiled->module = std::move(module);
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
        Translator translator(function);
        if (auto error = validator.validate(i, &translator)) return *error;
    }
    return std::shared_ptr<const CompiledModule>(std::move(compiled));
}

}  // namespace polyvm::wasm

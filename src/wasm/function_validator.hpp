// Type-checks one function body with the operand-stack algorithm of the core spec's appendix
// (validation algorithm). The walk is a class with a per-instruction hook so that a later pass
// (translation to register code) can run in the same single pass over the bytes.
#pragma once

#include "wasm/error.hpp"
#include "wasm/instruction_reader.hpp"
#include "wasm/validation_context.hpp"

#include <span>
#include <utility>
#include <vector>

namespace polyvm::wasm {

/// An operand type as the validator sees it: a value type or Unknown, the bottom type that
/// stands for anything on the polymorphic stack after an unconditional branch.
using OperandType = ValueType;
inline constexpr OperandType kUnknownType = static_cast<ValueType>(0);

struct ControlFrame {
    uint16_t opcode = 0;  // Block, Loop, If, Else; the function's own frame uses Block
    std::span<const ValueType> params;
    std::span<const ValueType> results;
    size_t height = 0;          // operand stack height at entry
    bool unreachable = false;   // after br/return/unreachable: the stack is polymorphic
    std::span<const ValueType> label_types() const;
};

/// Notified after each instruction has been type-checked; the stacks show the state after it.
class InstructionObserver {
public:
    virtual ~InstructionObserver() = default;
    virtual void on_instruction(const Instruction& instruction, std::span<const OperandType> operands,
                                std::span<const ControlFrame> frames) = 0;
};

class FunctionValidator {
public:
    explicit FunctionValidator(const ValidationContext& context) : context_(context) {}

    /// Validates the defined function `defined_index` (0 = the first after imports).
    std::optional<Error> validate(uint32_t defined_index, InstructionObserver* observer = nullptr);

private:
    bool check(const Instruction& instruction);
    bool check_numeric(uint16_t opcode);
    bool check_memory_access(const Instruction& instruction);
    bool check_misc(const Instruction& instruction);

    void push(OperandType type) { operands_.push_back(type); }
    void push_all(std::span<const ValueType> types);
    bool pop(OperandType& out);
    bool pop_expect(OperandType expected, OperandType* actual = nullptr);
    bool pop_all(std::span<const ValueType> types);
    void push_frame(uint16_t opcode, std::span<const ValueType> params, std::span<const ValueType> results);
    bool pop_frame(ControlFrame& out);
    void mark_unreachable();
    bool resolve_block_type(const BlockType& block_type, std::span<const ValueType>& params,
                            std::span<const ValueType>& results);
    bool fail(const std::string& message);

    const ValidationContext& context_;
    /// Locals as runs (end index, type), params first: a body may declare ~2^32 locals, which
    /// must not be materialised one by one.
    std::vector<std::pair<uint64_t, ValueType>> local_runs_;
    bool local_type(uint32_t index, ValueType& out) const;
    std::vector<OperandType> operands_;
    std::vector<ControlFrame> frames_;
    std::vector<OperandType> scratch_;  // br_table: values popped and pushed back per label
    size_t offset_ = 0;                 // of the instruction being checked
    std::optional<Error> error_;
};

}  // namespace polyvm::wasm

#include "wasm/validator.hpp"

#include "wasm/function_validator.hpp"
#include "wasm/instruction_reader.hpp"
#include "wasm/opcodes.hpp"
#include "wasm/validation_context.hpp"

#include <set>
#include <string_view>

namespace polyvm::wasm {
namespace {

constexpr uint32_t kMaxMemoryPages = 65536;  // 4 GiB of 64 KiB pages

class ModuleValidator {
public:
    explicit ModuleValidator(const Module& module) : module_(module) {}

    std::optional<Error> run() {
        if (!check_types_of_imports_and_functions()) return error_;
        context_ = make_validation_context(module_);
        if (!check_tables_and_memories() || !check_globals() || !check_elements() || !check_data() ||
            !check_start() || !check_exports())
            return error_;
        FunctionValidator functions(context_);
        for (uint32_t i = 0; i < module_.functions.size(); ++i)
            if (auto error = functions.validate(i)) return error;
        return std::nullopt;
    }

private:
    bool fail(size_t offset, const std::string& message) {
        if (!error_) error_ = Error{ErrorKind::Invalid, offset, message};
        return false;
    }
    bool fail(const std::string& message) { return fail(0, message); }

    bool check_limits(const Limits& limits, uint64_t bound, const char* too_large_message) {
        if (limits.min > bound || (limits.max && *limits.max > bound)) return fail(too_large_message);
        if (limits.max && limits.min > *limits.max) return fail("size minimum must not be greater than maximum");
        return true;
    }

    bool check_types_of_imports_and_functions() {
        for (const auto& import : module_.imports)
            if (import.kind == ExternalKind::Function && import.function_type_index >= module_.types.size())
                return fail("unknown type");
        for (const auto& function : module_.functions)
            if (function.type_index >= module_.types.size()) return fail("unknown type");
        return true;
    }

    bool check_tables_and_memories() {
        for (const auto& table : context_.tables)
            if (!check_limits(table.limits, UINT32_MAX, "table size must be at most 2^32-1")) return false;
        for (const auto& memory : context_.memories)
            if (!check_limits(memory.limits, kMaxMemoryPages, "memory size must be at most 65536 pages (4GiB)")) return false;
        if (context_.memories.size() > 1) return fail("multiple memories");
        return true;
    }

    /// Wasm 2.0 constant expressions: constants, ref.null, ref.func and global.get of an
    /// immutable imported global (defined globals are not visible to any initialiser).
    bool check_constant_expression(const ConstantExpression& expression, ValueType expected) {
        ByteReader reader(module_.bytes, expression.range.begin, expression.range.end);
        Instruction instruction;
        std::vector<ValueType> stack;
        while (true) {
            if (!read_instruction(reader, instruction)) {
                const Error error = reader.take_error();
                error_ = error;
                return false;
            }
            const size_t at = instruction.offset;
            switch (instruction.opcode) {
                case op::I32Const: stack.push_back(ValueType::I32); break;
                case op::I64Const: stack.push_back(ValueType::I64); break;
                case op::F32Const: stack.push_back(ValueType::F32); break;
                case op::F64Const: stack.push_back(ValueType::F64); break;
                case op::RefNull: stack.push_back(instruction.reference_type); break;
                case op::RefFunc:
                    if (instruction.index >= context_.function_type_indices.size()) return fail(at, "unknown function");
                    stack.push_back(ValueType::FuncRef);
                    break;
                case op::GlobalGet:
                    if (instruction.index >= module_.imported_global_count) return fail(at, "unknown global");
                    if (context_.globals[instruction.index].is_mutable) return fail(at, "constant expression required");
                    stack.push_back(context_.globals[instruction.index].type);
                    break;
                case op::End:
                    if (stack.size() != 1 || stack[0] != expected) return fail(at, "type mismatch");
                    return true;
                default:
                    return fail(at, "constant expression required");
            }
        }
    }

    bool check_globals() {
        for (const auto& global : module_.globals)
            if (!check_constant_expression(global.initializer, global.type.type)) return false;
        return true;
    }

    bool check_elements() {
        for (const auto& segment : module_.elements) {
            if (segment.mode == SegmentMode::Active) {
                if (segment.table_index >= context_.tables.size()) return fail(segment.offset.range.begin, "unknown table");
                if (context_.tables[segment.table_index].element_type != segment.element_type)
                    return fail(segment.offset.range.begin, "type mismatch");
                if (!check_constant_expression(segment.offset, ValueType::I32)) return false;
            }
            for (auto index : segment.function_indices)
                if (index >= context_.function_type_indices.size()) return fail("unknown function");
            for (const auto& expression : segment.expressions)
                if (!check_constant_expression(expression, segment.element_type)) return false;
        }
        return true;
    }

    bool check_data() {
        for (const auto& segment : module_.data) {
            if (segment.mode != SegmentMode::Active) continue;
            if (segment.memory_index >= context_.memories.size()) return fail(segment.offset.range.begin, "unknown memory");
            if (!check_constant_expression(segment.offset, ValueType::I32)) return false;
        }
        return true;
    }

    bool check_start() {
        if (!module_.start_function) return true;
        if (*module_.start_function >= context_.function_type_indices.size()) return fail("unknown function");
        const FunctionType& type = context_.function_type(*module_.start_function);
        if (!type.params.empty() || !type.results.empty()) return fail("start function");
        return true;
    }

    bool check_exports() {
        std::set<std::string_view> names;
        for (const auto& entry : module_.exports) {
            if (!names.insert(entry.name).second) return fail("duplicate export name");
            size_t count = 0;
            const char* message = "";
            switch (entry.kind) {
                case ExternalKind::Function: count = context_.function_type_indices.size(), message = "unknown function"; break;
                case ExternalKind::Table: count = context_.tables.size(), message = "unknown table"; break;
                case ExternalKind::Memory: count = context_.memories.size(), message = "unknown memory"; break;
                case ExternalKind::Global: count = context_.globals.size(), message = "unknown global"; break;
            }
            if (entry.index >= count) return fail(message);
        }
        return true;
    }

    const Module& module_;
    ValidationContext context_;
    std::optional<Error> error_;
};

}  // namespace

std::optional<Error> validate(const Module& module) { return ModuleValidator(module).run(); }

}  // namespace polyvm::wasm

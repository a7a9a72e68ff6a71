#include "wasm/decoder.hpp"

#include "wasm/byte_reader.hpp"
#include "wasm/expression_syntax.hpp"
#include "wasm/instruction_reader.hpp"

#include <limits>

namespace polyvm::wasm {
namespace {

constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};

enum SectionId : uint8_t {
    Custom = 0, Type = 1, ImportSection = 2, FunctionSection = 3, Table = 4, Memory = 5, GlobalSection = 6,
    ExportSection = 7, Start = 8, Element = 9, Code = 10, Data = 11, DataCount = 12,
};

/// Position of a section in the required order; the data count section sits between element
/// and code sections although its id is the largest.
int section_rank(uint8_t id) {
    constexpr int ranks[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return ranks[id];
}

class Decoder {
public:
    explicit Decoder(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    Result<Module> run() {
        ByteReader reader(bytes_);
        if (!read_header(reader) || !read_sections(reader) || !check_cross_section_counts(reader))
            return reader.take_error();
        module_.bytes.assign(bytes_.begin(), bytes_.end());
        return std::move(module_);
    }

private:
    bool read_header(ByteReader& reader) {
        for (uint8_t expected : kMagic) {
            uint8_t byte = 0;
            if (!reader.read_byte(byte)) return reader.fail_at(0, "unexpected end");
            if (byte != expected) return reader.fail_at(0, "magic header not detected");
        }
        for (uint8_t expected : kVersion) {
            uint8_t byte = 0;
            if (!reader.read_byte(byte)) return reader.fail_at(4, "unexpected end");
            if (byte != expected) return reader.fail_at(4, "unknown binary version");
        }
        return true;
    }

    bool read_sections(ByteReader& reader) {
        int last_rank = 0;
        while (!reader.at_end()) {
            const size_t section_start = reader.position();
            uint8_t id = 0;
            uint32_t size = 0;
            if (!reader.read_byte(id)) return false;
            if (id > DataCount) return reader.fail_at(section_start, "malformed section id");
            if (!reader.read_u32(size)) return false;
            if (size > reader.remaining()) return reader.fail("length out of bounds");
            if (id != Custom) {
                if (section_rank(id) <= last_rank) return reader.fail_at(section_start, "unexpected content after last section");
                last_rank = section_rank(id);
            }
            ByteReader section(bytes_, reader.position(), reader.position() + size);
            if (!read_section(id, section)) {
                Error error = section.take_error();
                return reader.fail_at(error.offset, error.message, error.kind);
            }
            if (!section.at_end()) return reader.fail_at(section.position(), "section size mismatch");
            reader.skip(size);
        }
        return true;
    }

    bool read_section(uint8_t id, ByteReader& reader) {
        switch (id) {
            case Custom: return read_custom_section(reader);
            case Type: return read_type_section(reader);
            case ImportSection: return read_import_section(reader);
            case FunctionSection: return read_function_section(reader);
            case Table: return read_table_section(reader);
            case Memory: return read_memory_section(reader);
            case GlobalSection: return read_global_section(reader);
            case ExportSection: return read_export_section(reader);
            case Start: {
                uint32_t index = 0;
                if (!reader.read_u32(index)) return false;
                module_.start_function = index;
                return true;
            }
            case Element: return read_element_section(reader);
            case Code: return read_code_section(reader);
            case Data: return read_data_section(reader);
            case DataCount: {
                uint32_t count = 0;
                if (!reader.read_u32(count)) return false;
                module_.data_count = count;
                return true;
            }
        }
        return reader.fail("malformed section id");
    }

    bool read_custom_section(ByteReader& reader) {
        CustomSection section;
        if (!reader.read_name(section.name)) return false;
        section.contents = {static_cast<uint32_t>(reader.position()), static_cast<uint32_t>(reader.end())};
        reader.skip(reader.remaining());
        module_.custom_sections.push_back(std::move(section));
        return true;
    }

    bool read_type_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 3)) return false;
        module_.types.reserve(count);
        for (uint32_t i = 0; i < count; ++i) {
            uint8_t form = 0;
            if (!reader.read_byte(form)) return false;
            if (form != 0x60) return reader.fail_at(reader.position() - 1, "malformed function type");
            FunctionType type;
            if (!read_value_types(reader, type.params) || !read_value_types(reader, type.results)) return false;
            module_.types.push_back(std::move(type));
        }
        return true;
    }

    bool read_value_types(ByteReader& reader, std::vector<ValueType>& out) {
        uint32_t count = 0;
        if (!reader.read_count(count)) return false;
        out.resize(count);
        for (auto& type : out)
            if (!read_value_type(reader, type)) return false;
        return true;
    }

    bool read_limits(ByteReader& reader, Limits& out) {
        uint8_t flags = 0;
        if (!reader.read_byte(flags)) return false;
        if (flags > 1) return reader.fail_at(reader.position() - 1, "integer too large");
        if (!reader.read_u32(out.min)) return false;
        if (flags == 1) {
            uint32_t max = 0;
            if (!reader.read_u32(max)) return false;
            out.max = max;
        }
        return true;
    }

    bool read_table_type(ByteReader& reader, TableType& out) {
        return read_reference_type(reader, out.element_type) && read_limits(reader, out.limits);
    }

    bool read_global_type(ByteReader& reader, GlobalType& out) {
        if (!read_value_type(reader, out.type)) return false;
        uint8_t mutability = 0;
        if (!reader.read_byte(mutability)) return false;
        if (mutability > 1) return reader.fail_at(reader.position() - 1, "malformed mutability");
        out.is_mutable = mutability == 1;
        return true;
    }

    bool read_import_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 4)) return false;
        module_.imports.reserve(count);
        for (uint32_t i = 0; i < count; ++i) {
            Import import;
            if (!reader.read_name(import.module_name) || !reader.read_name(import.field_name)) return false;
            uint8_t kind = 0;
            if (!reader.read_byte(kind)) return false;
            bool ok = false;
            switch (kind) {
                case 0:
                    ok = reader.read_u32(import.function_type_index);
                    ++module_.imported_function_count;
                    break;
                case 1:
                    ok = read_table_type(reader, import.table);
                    ++module_.imported_table_count;
                    break;
                case 2:
                    ok = read_limits(reader, import.memory.limits);
                    ++module_.imported_memory_count;
                    break;
                case 3:
                    ok = read_global_type(reader, import.global);
                    ++module_.imported_global_count;
                    break;
                default:
                    return reader.fail_at(reader.position() - 1, "malformed import kind");
            }
            if (!ok) return false;
            import.kind = static_cast<ExternalKind>(kind);
            module_.imports.push_back(std::move(import));
        }
        return true;
    }

    bool read_function_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count)) return false;
        module_.functions.resize(count);
        for (auto& function : module_.functions)
            if (!reader.read_u32(function.type_index)) return false;
        return true;
    }

    bool read_table_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 2)) return false;
        module_.tables.resize(count);
        for (auto& table : module_.tables)
            if (!read_table_type(reader, table)) return false;
        return true;
    }

    bool read_memory_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 2)) return false;
        module_.memories.resize(count);
        for (auto& memory : module_.memories)
            if (!read_limits(reader, memory.limits)) return false;
        return true;
    }

    bool read_constant_expression(ByteReader& reader, ConstantExpression& out) {
        const size_t begin = reader.position();
        ExpressionSyntax info;
        if (!read_expression_syntax(reader, info)) return false;
        if (info.uses_data_segment_index) uses_data_segment_index_ = true;
        out.range = {static_cast<uint32_t>(begin), static_cast<uint32_t>(reader.position())};
        return true;
    }

    bool read_global_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 3)) return false;
        module_.globals.resize(count);
        for (auto& global : module_.globals)
            if (!read_global_type(reader, global.type) || !read_constant_expression(reader, global.initializer))
                return false;
        return true;
    }

    bool read_export_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 3)) return false;
        module_.exports.resize(count);
        for (auto& entry : module_.exports) {
            if (!reader.read_name(entry.name)) return false;
            uint8_t kind = 0;
            if (!reader.read_byte(kind)) return false;
            if (kind > 3) return reader.fail_at(reader.position() - 1, "malformed export kind");
            entry.kind = static_cast<ExternalKind>(kind);
            if (!reader.read_u32(entry.index)) return false;
        }
        return true;
    }

    // Encodings 0-7 (core spec 5.5.12): bit 0 passive/declarative, bit 1 explicit table index
    // or declarative, bit 2 expressions instead of function indices.
    bool read_element_segment(ByteReader& reader, ElementSegment& out) {
        const size_t start = reader.position();
        uint32_t flags = 0;
        if (!reader.read_u32(flags)) return false;
        if (flags > 7) return reader.fail_at(start, "malformed elements segment kind");
        const bool not_active = flags & 1;
        const bool explicit_table_or_declarative = flags & 2;
        out.uses_expressions = flags & 4;
        if (not_active) {
            out.mode = explicit_table_or_declarative ? SegmentMode::Declarative : SegmentMode::Passive;
        } else {
            out.mode = SegmentMode::Active;
            if (explicit_table_or_declarative && !reader.read_u32(out.table_index)) return false;
            if (!read_constant_expression(reader, out.offset)) return false;
        }
        // Encodings 0 and 4 imply funcref; the others name an element kind or reference type.
        const bool has_type = flags != 0 && flags != 4;
        if (has_type) {
            if (out.uses_expressions) {
                if (!read_reference_type(reader, out.element_type)) return false;
            } else {
                uint8_t element_kind = 0;
                if (!reader.read_byte(element_kind)) return false;
                if (element_kind != 0x00) return reader.fail_at(reader.position() - 1, "malformed element kind");
            }
        }
        uint32_t count = 0;
        if (!reader.read_count(count)) return false;
        if (out.uses_expressions) {
            out.expressions.resize(count);
            for (auto& expression : out.expressions)
                if (!read_constant_expression(reader, expression)) return false;
        } else {
            out.function_indices.resize(count);
            for (auto& index : out.function_indices)
                if (!reader.read_u32(index)) return false;
        }
        return true;
    }

    bool read_element_section(ByteReader& reader) {
        uint32_t count = 0;
        if (!reader.read_count(count, 2)) return false;
        module_.elements.resize(count);
        for (auto& segment : module_.elements)
            if (!read_element_segment(reader, segment)) return false;
        return true;
    }

    bool read_function_code(ByteReader& reader, Function& function) {
        uint32_t size = 0;
        if (!reader.read_u32(size)) return false;
        if (size > reader.remaining()) return reader.fail("unexpected end of section or function");
        ByteReader body(bytes_, reader.position(), reader.position() + size);
        auto forward = [&]() {
            Error error = body.take_error();
            return reader.fail_at(error.offset, error.message, error.kind);
        };
        uint32_t run_count = 0;
        if (!body.read_count(run_count, 2)) return forward();
        function.locals.resize(run_count);
        function.local_count = 0;
        for (auto& run : function.locals) {
            if (!body.read_u32(run.count) || !read_value_type(body, run.type)) return forward();
            function.local_count += run.count;
        }
        if (function.local_count > std::numeric_limits<uint32_t>::max()) {
            body.fail("too many locals");
            return forward();
        }
        const size_t body_begin = body.position();
        ExpressionSyntax info;
        if (!read_expression_syntax(body, info)) return forward();
        if (!body.at_end()) {
            body.fail("section size mismatch");
            return forward();
        }
        if (info.uses_data_segment_index) uses_data_segment_index_ = true;
        function.body = {static_cast<uint32_t>(body_begin), static_cast<uint32_t>(body.end())};
        reader.skip(size);
        return true;
    }

    bool read_code_section(ByteReader& reader) {
        const size_t start = reader.position();
        uint32_t count = 0;
        if (!reader.read_count(count)) return false;
        if (count != module_.functions.size())
            return reader.fail_at(start, "function and code section have inconsistent lengths");
        for (auto& function : module_.functions)
            if (!read_function_code(reader, function)) return false;
        has_code_section_ = true;
        return true;
    }

    bool read_data_section(ByteReader& reader) {
        const size_t start = reader.position();
        uint32_t count = 0;
        if (!reader.read_count(count)) return false;
        if (module_.data_count && *module_.data_count != count)
            return reader.fail_at(start, "data count and data section have inconsistent lengths");
        module_.data.resize(count);
        for (auto& segment : module_.data) {
            const size_t segment_start = reader.position();
            uint32_t flags = 0;
            if (!reader.read_u32(flags)) return false;
            if (flags > 2) return reader.fail_at(segment_start, "malformed data segment kind");
            segment.mode = flags == 1 ? SegmentMode::Passive : SegmentMode::Active;
            if (flags == 2 && !reader.read_u32(segment.memory_index)) return false;
            if (flags != 1 && !read_constant_expression(reader, segment.offset)) return false;
            uint32_t length = 0;
            if (!reader.read_count(length)) return false;
            segment.contents = {static_cast<uint32_t>(reader.position()),
                                static_cast<uint32_t>(reader.position() + length)};
            reader.skip(length);
        }
        has_data_section_ = true;
        return true;
    }

    bool check_cross_section_counts(ByteReader& reader) {
        if (!has_code_section_ && !module_.functions.empty())
            return reader.fail("function and code section have inconsistent lengths");
        if (module_.data_count && !has_data_section_ && *module_.data_count != 0)
            return reader.fail("data count and data section have inconsistent lengths");
        if (uses_data_segment_index_ && !module_.data_count) return reader.fail("data count section required");
        return true;
    }

    std::span<const uint8_t> bytes_;
    Module module_;
    bool has_code_section_ = false;
    bool has_data_section_ = false;
    bool uses_data_segment_index_ = false;
};

}  // namespace

Result<Module> decode(std::span<const uint8_t> bytes) { return Decoder(bytes).run(); }

}  // namespace polyvm::wasm

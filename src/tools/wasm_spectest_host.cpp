#include "tools/wasm_spectest_host.hpp"

namespace polyvm::tools {

using namespace wasm;

ExportMap make_spectest_host(Store& store) {
    ExportMap exports;
    auto add_global = [&](const char* name, ValueType type, uint64_t bits) {
        GlobalInstance& global = store.globals.emplace_back();
        global.type = GlobalType{type, false};
        global.value = bits;
        exports[name] = ExternalValue{ExternalKind::Global, nullptr, nullptr, nullptr, &global};
    };
    add_global("global_i32", ValueType::I32, 666);
    add_global("global_i64", ValueType::I64, 666);
    add_global("global_f32", ValueType::F32, Value::f32(666.6f).bits);
    add_global("global_f64", ValueType::F64, Value::f64(666.6).bits);

    TableInstance& table = store.tables.emplace_back();
    table.type = TableType{ValueType::FuncRef, Limits{10, 20}};
    table.elements.assign(10, 0);
    exports["table"] = ExternalValue{ExternalKind::Table, nullptr, &table, nullptr, nullptr};

    MemoryInstance& memory = store.memories.emplace_back();
    memory.type = MemoryType{Limits{1, 2}};
    memory.max_pages = 2;
    memory.bytes.assign(kPageSize, 0);
    exports["memory"] = ExternalValue{ExternalKind::Memory, nullptr, nullptr, &memory, nullptr};

    using VT = ValueType;
    auto add_print = [&](const char* name, std::vector<ValueType> params) {
        FunctionInstance& function = store.functions.emplace_back();
        function.type = FunctionType{std::move(params), {}};
        function.host = [](std::span<const Slot>, std::span<Slot>) { return std::string(); };
        exports[name] = ExternalValue{ExternalKind::Function, &function, nullptr, nullptr, nullptr};
    };
    add_print("print", {});
    add_print("print_i32", {VT::I32});
    add_print("print_i64", {VT::I64});
    add_print("print_f32", {VT::F32});
    add_print("print_f64", {VT::F64});
    add_print("print_i32_f32", {VT::I32, VT::F32});
    add_print("print_f64_f64", {VT::F64, VT::F64});
    return exports;
}

}  // namespace polyvm::tools

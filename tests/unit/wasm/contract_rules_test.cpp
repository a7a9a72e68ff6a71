// Contract modules: the example C contracts (contracts/wasm, built by CMake) pass the deployment
// rules and fit Stylus's size limits; hand-built modules breaking one rule each are refused.
#include "module_builder.hpp"
#include "wasm/contract_rules.hpp"
#include "wasm/host_interface.hpp"
#include "wasm/stylus_program.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace polyvm::wasm::test {
namespace {

std::optional<Error> contract_error(const Bytes& bytes) {
    auto decoded = decode(bytes);
    if (!decoded) return decoded.error();
    if (auto error = validate(decoded.value())) return error;
    return check_contract_module(decoded.value());
}

std::string message_of(const Bytes& bytes) {
    const auto e = contract_error(bytes);
    return e ? e->message : std::string("(accepted)");
}

// (i32) -> i32 entry point returning 0; memory of `pages`; exports as given; imports as given.
Bytes contract(std::initializer_list<Bytes> import_entries, Bytes extra_types, uint32_t pages, bool export_entry = true,
               bool export_memory = true, bool start = false) {
    // Type 0: (i32) -> i32; type 1: (i32, i32) -> () (for imports); more from extra_types.
    Bytes types = concat({uleb(2 + (extra_types.empty() ? 0 : 1)), function_type({0x7F}, {0x7F}),
                          function_type({0x7F, 0x7F}, {}), extra_types});
    Bytes imports = uleb(import_entries.size());
    for (const auto& entry : import_entries) imports.insert(imports.end(), entry.begin(), entry.end());
    const uint32_t entry_index = static_cast<uint32_t>(import_entries.size());
    std::vector<Bytes> exports;
    if (export_entry) exports.push_back(concat({name("user_entrypoint"), {0x00}, uleb(entry_index)}));
    if (export_memory) exports.push_back(concat({name("memory"), {0x02, 0x00}}));
    Bytes export_vec = uleb(exports.size());
    for (const auto& e : exports) export_vec.insert(export_vec.end(), e.begin(), e.end());
    Bytes out = header();
    const auto append = [&](const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); };
    append(section(1, types));
    if (import_entries.size()) append(section(2, imports));
    append(section(3, vec({{0x00}})));
    append(section(5, vec({concat({{0x00}, uleb(pages)})})));
    append(section(7, export_vec));
    if (start) append(section(8, uleb(entry_index)));
    append(section(10, vec({code_entry({0x00}, {0x41, 0x00, 0x0B})})));  // i32.const 0; end
    return out;
}

Bytes function_import(const std::string& module_name, const std::string& field, uint32_t type) {
    return concat({name(module_name), name(field), {0x00}, uleb(type)});
}

TEST(WasmContractRules, AcceptsAMinimalContractAndEachRuleRefuses) {
    EXPECT_EQ(message_of(contract({}, {}, 1)), "(accepted)");
    EXPECT_EQ(message_of(contract({function_import("vm_hooks", "storage_load_bytes32", 1)}, {}, 1)), "(accepted)");
    EXPECT_NE(message_of(contract({function_import("env", "storage_load_bytes32", 1)}, {}, 1)).find("only from vm_hooks"),
              std::string::npos);
    EXPECT_NE(message_of(contract({function_import("vm_hooks", "self_destruct", 1)}, {}, 1)).find("not a host function"),
              std::string::npos);
    EXPECT_NE(message_of(contract({function_import("vm_hooks", "read_args", 1)}, {}, 1)).find("wrong signature"),
              std::string::npos);  // read_args takes one i32
    EXPECT_NE(message_of(contract({}, {}, 1, false)).find("user_entrypoint"), std::string::npos);
    EXPECT_NE(message_of(contract({}, {}, 1, true, false)).find("memory"), std::string::npos);
    EXPECT_NE(message_of(contract({}, {}, 1, true, true, true)).find("start function"), std::string::npos);
    EXPECT_NE(message_of(contract({}, {}, kMaxContractInitialPages + 1)).find("initial memory"), std::string::npos);
    EXPECT_EQ(message_of(contract({}, {}, kMaxContractInitialPages)), "(accepted)");
}

TEST(WasmContractRules, HostInterfaceTableIsConsistent) {
    EXPECT_EQ(host_functions().size(), 42u);
    for (const auto& f : host_functions()) {
        EXPECT_EQ(find_host_function(f.name), &f) << f.name;  // names are unique
        EXPECT_FALSE(f.name.empty());
    }
    // The call functions end in (i64 gas, i32 return_data_len) and return the status.
    const FunctionType call = function_type_of(*find_host_function("call_contract"));
    EXPECT_EQ(call.params, (std::vector<ValueType>{ValueType::I32, ValueType::I32, ValueType::I32, ValueType::I32,
                                                   ValueType::I64, ValueType::I32}));
    EXPECT_EQ(call.results, (std::vector<ValueType>{ValueType::I32}));
}

TEST(WasmContractRules, ExampleContractsAreDeployable) {
#ifndef POLYVM_WASM_CONTRACTS_DIR
    GTEST_SKIP() << "clang or wasm-ld not found at configure time: the example contracts were not built";
#else
    for (const char* file : {"counter.wasm", "erc20.wasm"}) {
        std::ifstream in(std::string(POLYVM_WASM_CONTRACTS_DIR) + "/" + file, std::ios::binary);
        ASSERT_TRUE(in) << file << " missing from " << POLYVM_WASM_CONTRACTS_DIR;
        const Bytes module_bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(message_of(module_bytes), "(accepted)") << file;
        EXPECT_LE(module_bytes.size(), kMaxStylusModuleSize) << file;
        const polyvm::bytes code = compress_stylus_program(module_bytes);
        EXPECT_LE(code.size(), kMaxStylusCodeSize) << file;
        const auto back = decompress_stylus_program(code);
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(back.value(), module_bytes);
    }
#endif
}

}  // namespace
}  // namespace polyvm::wasm::test

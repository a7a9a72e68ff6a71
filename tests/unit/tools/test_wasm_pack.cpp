// polyvm wasm pack: a contract module becomes Stylus-format code and EVM init code deploying it.
#include "tools/wasm_pack.hpp"
#include "unit/evm/mock_host.hpp"
#include "unit/wasm/module_builder.hpp"
#include "wasm/stylus_program.hpp"

#include <gtest/gtest.h>

namespace polyvm::tools {
namespace {

using wasm::test::Bytes;

/// The smallest contract: user_entrypoint(i32) -> i32 returning 0, and its memory exported.
Bytes minimal_contract() {
    using namespace wasm::test;
    return single_function_module({0x7F}, {0x7F}, {0x41, 0x00, 0x0B},
                                  {section(5, vec({{0x00, 0x01}})),
                                   section(7, vec({concat({wasm::test::name("user_entrypoint"), {0x00, 0x00}}),
                                                   concat({wasm::test::name("memory"), {0x02, 0x00}})}))});
}

TEST(WasmPack, PacksAContractAndItsInitCodeDeploysIt) {
    const auto packed = pack_contract(minimal_contract());
    ASSERT_TRUE(std::holds_alternative<PackedContract>(packed)) << std::get<std::string>(packed);
    const PackedContract& p = std::get<PackedContract>(packed);
    EXPECT_TRUE(wasm::is_stylus_program(p.code));
    const auto module = wasm::decompress_stylus_program(p.code);
    ASSERT_TRUE(module.ok());
    EXPECT_EQ(module.value(), minimal_contract());
    // The init code, run by the EVM, returns exactly the packed code.
    test::MockHost host;
    const ExecutionResult r = test::run_code(host, Revision::Cancun, p.init_code);
    EXPECT_EQ(r.status, Status::Success);
    EXPECT_EQ(r.output, p.code);
}

TEST(WasmPack, RefusesWhatCannotDeploy) {
    const auto message = [](const Bytes& module) {
        const auto r = pack_contract(module);
        return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string("(packed)");
    };
    EXPECT_NE(message(Bytes{0x00, 0x61, 0x73}).find("unexpected end"), std::string::npos);
    // Valid WebAssembly, but no user_entrypoint export.
    using namespace wasm::test;
    EXPECT_NE(message(single_function_module({}, {}, {0x0B})).find("not a contract"), std::string::npos);
    EXPECT_NE(message(Bytes(wasm::kMaxStylusModuleSize + 1, 0)).find("at most"), std::string::npos);
}

}  // namespace
}  // namespace polyvm::tools

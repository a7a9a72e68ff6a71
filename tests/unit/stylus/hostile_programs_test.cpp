// Programs that call each host function with arguments chosen to hurt: pointers past the end of
// memory, then all zeros. Nothing may crash; a bad pointer fails the call with all its gas, and
// zeros (in bounds) are fine for every hook.
#include "unit/stylus/document_runner.hpp"
#include "unit/wasm/module_builder.hpp"

#include "wasm/host_interface.hpp"

using namespace polyvm;
using namespace polyvm::stylus_test;
namespace wt = polyvm::wasm::test;

namespace {

wt::Bytes sleb(int64_t value) {
    wt::Bytes out;
    for (;;) {
        const uint8_t byte = value & 0x7F;
        value >>= 7;
        if ((value == 0 && !(byte & 0x40)) || (value == -1 && (byte & 0x40))) {
            out.push_back(byte);
            return out;
        }
        out.push_back(byte | 0x80);
    }
}

// A contract of one page of memory whose user_entrypoint calls `hook` once, every i32 argument
// `pointer`, every i64 argument `gas`, drops any result and returns 0.
bytes program_calling(const wasm::HostFunctionSignature& hook, int32_t pointer, int64_t gas) {
    const wasm::FunctionType type = wasm::function_type_of(hook);
    wt::Bytes params, results, body;
    for (const wasm::ValueType param : type.params) {
        params.push_back(param == wasm::ValueType::I64 ? 0x7E : 0x7F);
        body = wt::concat({body, param == wasm::ValueType::I64 ? wt::concat({{0x42}, sleb(gas)})
                                                             : wt::concat({{0x41}, sleb(pointer)})});
    }
    if (!type.results.empty()) results.push_back(type.results[0] == wasm::ValueType::I64 ? 0x7E : 0x7F);
    body = wt::concat({body, {0x10, 0x00}});       // call the import
    if (!type.results.empty()) body.push_back(0x1A);  // drop
    body = wt::concat({body, {0x41, 0x00, 0x0B}});  // i32.const 0, end
    const wt::Bytes module = wt::module({
        wt::section(1, wt::vec({wt::function_type(params, results), wt::function_type({0x7F}, {0x7F})})),
        wt::section(2, wt::vec({wt::concat({wt::name("vm_hooks"), wt::name(std::string(hook.name)), {0x00, 0x00}})})),
        wt::section(3, wt::vec({{0x01}})),
        wt::section(5, wt::vec({{0x00, 0x01}})),
        wt::section(7, wt::vec({wt::concat({wt::name("user_entrypoint"), {0x00, 0x01}}),
                                wt::concat({wt::name("memory"), {0x02, 0x00}})})),
        wt::section(10, wt::vec({wt::code_entry({0x00}, body)})),
    });
    return wasm::compress_stylus_program(module);
}

// Hooks that read no memory, or (read_return_data with no return data) write none.
bool touches_no_memory(std::string_view name) {
    for (const char* hook : {"evm_gas_left", "evm_ink_left", "chainid", "block_gas_limit", "block_number",
                             "block_timestamp", "msg_reentrant", "tx_ink_price", "return_data_size",
                             "storage_flush_cache", "pay_for_memory_grow", "read_return_data"})
        if (name == hook) return true;
    return false;
}

constexpr uint64_t kGasLimit = 1'000'000;

Step call_step() { return Step{.to = kWasm, .data = selector("f()"), .gas_limit = kGasLimit}; }

TEST(StylusHostilePrograms, PointersPastTheEndFailTheCallWithAllItsGas) {
    for (const wasm::HostFunctionSignature& hook : wasm::host_functions()) {
        SCOPED_TRACE(std::string(hook.name));
        const bytes code = program_calling(hook, -16, INT64_MAX);  // 0xFFFFFFF0
        ASSERT_NE(stylus::ProgramCache::shared().get(keccak256(code), code), nullptr);
        Document doc;
        doc.pre = {{kWasm, code, {}, 0}};
        Step step = call_step();
        if (hook.name == "exit_early") {
            step.status = Status::Revert;  // status 0xFFFFFFF0 is not 0
        } else if (!touches_no_memory(hook.name)) {
            // Most fail at the pointer; write_result first pays for 4 GiB of copying.
            step.status = hook.name == "write_result" ? Status::OutOfGas : Status::Failure;
        }
        doc.steps = {step};
        const DocumentRun r = run(doc);
        if (step.status == Status::Failure || step.status == Status::OutOfGas) {
            EXPECT_EQ(r.outcomes[0].gas_used, static_cast<int64_t>(kGasLimit));
        }
    }
}

TEST(StylusHostilePrograms, ZerosAreFineForEveryHook) {
    for (const wasm::HostFunctionSignature& hook : wasm::host_functions()) {
        SCOPED_TRACE(std::string(hook.name));
        Document doc;
        doc.pre = {{kWasm, program_calling(hook, 0, 0), {}, 0}};
        doc.steps = {call_step()};
        const DocumentRun r = run(doc);
        EXPECT_LT(r.outcomes[0].gas_used, static_cast<int64_t>(kGasLimit) / 2);
    }
}

}  // namespace

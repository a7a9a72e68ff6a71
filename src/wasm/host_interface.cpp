#include "wasm/host_interface.hpp"

#include <algorithm>

namespace polyvm::wasm {
namespace {

constexpr auto kI32 = ValueType::I32;
constexpr auto kI64 = ValueType::I64;
constexpr std::optional<ValueType> kNone = std::nullopt;

// name, leading i32 parameters, (i64, i32) tail of the call functions, result
constexpr std::array<HostFunctionSignature, 42> kHostFunctions = {{
    {"read_args", 1, false, kNone},
    {"write_result", 2, false, kNone},
    {"exit_early", 1, false, kNone},
    {"storage_load_bytes32", 2, false, kNone},
    {"storage_cache_bytes32", 2, false, kNone},
    {"storage_flush_cache", 1, false, kNone},
    {"transient_load_bytes32", 2, false, kNone},
    {"transient_store_bytes32", 2, false, kNone},
    {"call_contract", 4, true, kI32},           // contract, calldata, calldata_len, value, gas, return_data_len
    {"delegate_call_contract", 3, true, kI32},  // contract, calldata, calldata_len, gas, return_data_len
    {"static_call_contract", 3, true, kI32},
    {"create1", 5, false, kNone},  // code, code_len, endowment, contract out, revert_data_len out
    {"create2", 6, false, kNone},  // code, code_len, endowment, salt, contract out, revert_data_len out
    {"read_return_data", 3, false, kI32},
    {"return_data_size", 0, false, kI32},
    {"emit_log", 3, false, kNone},
    {"account_balance", 2, false, kNone},
    {"account_code", 4, false, kI32},
    {"account_code_size", 1, false, kI32},
    {"account_codehash", 2, false, kNone},
    {"evm_gas_left", 0, false, kI64},
    {"evm_ink_left", 0, false, kI64},
    {"pay_for_memory_grow", 1, false, kNone},
    {"block_basefee", 1, false, kNone},
    {"chainid", 0, false, kI64},
    {"block_coinbase", 1, false, kNone},
    {"block_gas_limit", 0, false, kI64},
    {"block_number", 0, false, kI64},
    {"block_timestamp", 0, false, kI64},
    {"contract_address", 1, false, kNone},
    {"msg_reentrant", 0, false, kI32},
    {"msg_sender", 1, false, kNone},
    {"msg_value", 1, false, kNone},
    {"tx_gas_price", 1, false, kNone},
    {"tx_ink_price", 0, false, kI32},
    {"tx_origin", 1, false, kNone},
    {"native_keccak256", 3, false, kNone},
    {"math_div", 2, false, kNone},
    {"math_mod", 2, false, kNone},
    {"math_pow", 2, false, kNone},
    {"math_add_mod", 3, false, kNone},
    {"math_mul_mod", 3, false, kNone},
}};

}  // namespace

FunctionType function_type_of(const HostFunctionSignature& signature) {
    FunctionType type;
    type.params.assign(signature.i32_params, kI32);
    if (signature.i64_then_i32) {
        type.params.push_back(kI64);
        type.params.push_back(kI32);
    }
    if (signature.result) type.results.push_back(*signature.result);
    return type;
}

std::span<const HostFunctionSignature> host_functions() { return kHostFunctions; }

const HostFunctionSignature* find_host_function(std::string_view name) {
    const auto all = host_functions();
    const auto it = std::find_if(all.begin(), all.end(), [&](const HostFunctionSignature& s) { return s.name == name; });
    return it == all.end() ? nullptr : &*it;
}

}  // namespace polyvm::wasm

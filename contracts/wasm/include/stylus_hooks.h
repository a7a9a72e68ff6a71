/* The host interface of WebAssembly contracts (Arbitrum Stylus's `vm_hooks` import module), for
 * contracts written in C and built with `clang --target=wasm32` and `wasm-ld`. polyvm implements
 * these functions over the same state and gas as the EVM (docs/wasm_contracts.md).
 *
 * Conventions: pointers are offsets into the contract's linear memory; 32-byte words (storage keys
 * and values, balances, wei amounts, math operands) are big-endian like the EVM's; addresses are
 * 20 bytes. A contract exports `memory` and `int user_entrypoint(int args_len)`, which returns 0
 * on success and 1 to revert; `write_result` sets the return (or revert) data. */
#ifndef POLYVM_STYLUS_HOOKS_H
#define POLYVM_STYLUS_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#define STYLUS_IMPORT(name) __attribute__((import_module("vm_hooks"), import_name(#name)))

/* Call data and results */
STYLUS_IMPORT(read_args) void read_args(uint8_t* dest);                    /* all args_len bytes */
STYLUS_IMPORT(write_result) void write_result(const uint8_t* data, size_t len);
STYLUS_IMPORT(exit_early) __attribute__((noreturn)) void exit_early(int32_t status); /* 0 ok, else revert */

/* Storage (SLOAD / SSTORE semantics and gas; stores are cached until flushed) */
STYLUS_IMPORT(storage_load_bytes32) void storage_load_bytes32(const uint8_t* key, uint8_t* dest);
STYLUS_IMPORT(storage_cache_bytes32) void storage_cache_bytes32(const uint8_t* key, const uint8_t* value);
STYLUS_IMPORT(storage_flush_cache) void storage_flush_cache(int32_t clear);
STYLUS_IMPORT(transient_load_bytes32) void transient_load_bytes32(const uint8_t* key, uint8_t* dest);
STYLUS_IMPORT(transient_store_bytes32) void transient_store_bytes32(const uint8_t* key, const uint8_t* value);

/* Calls and creation: status 0 on success; the callee's output is read with read_return_data */
STYLUS_IMPORT(call_contract)
uint8_t call_contract(const uint8_t* contract, const uint8_t* calldata, size_t calldata_len, const uint8_t* value,
                      uint64_t gas, size_t* return_data_len);
STYLUS_IMPORT(delegate_call_contract)
uint8_t delegate_call_contract(const uint8_t* contract, const uint8_t* calldata, size_t calldata_len, uint64_t gas,
                               size_t* return_data_len);
STYLUS_IMPORT(static_call_contract)
uint8_t static_call_contract(const uint8_t* contract, const uint8_t* calldata, size_t calldata_len, uint64_t gas,
                             size_t* return_data_len);
STYLUS_IMPORT(create1)
void create1(const uint8_t* code, size_t code_len, const uint8_t* endowment, uint8_t* contract, size_t* revert_data_len);
STYLUS_IMPORT(create2)
void create2(const uint8_t* code, size_t code_len, const uint8_t* endowment, const uint8_t* salt, uint8_t* contract,
             size_t* revert_data_len);
STYLUS_IMPORT(read_return_data) size_t read_return_data(uint8_t* dest, size_t offset, size_t size);
STYLUS_IMPORT(return_data_size) size_t return_data_size(void);

/* Logs: `topics` 32-byte topics first, then the data */
STYLUS_IMPORT(emit_log) void emit_log(const uint8_t* data, size_t len, size_t topics);

/* Accounts */
STYLUS_IMPORT(account_balance) void account_balance(const uint8_t* address, uint8_t* dest);
STYLUS_IMPORT(account_code) size_t account_code(const uint8_t* address, size_t offset, size_t size, uint8_t* dest);
STYLUS_IMPORT(account_code_size) size_t account_code_size(const uint8_t* address);
STYLUS_IMPORT(account_codehash) void account_codehash(const uint8_t* address, uint8_t* dest);

/* Gas */
STYLUS_IMPORT(evm_gas_left) uint64_t evm_gas_left(void);
STYLUS_IMPORT(evm_ink_left) uint64_t evm_ink_left(void);
STYLUS_IMPORT(pay_for_memory_grow) void pay_for_memory_grow(uint16_t pages);

/* Block, transaction and message */
STYLUS_IMPORT(block_basefee) void block_basefee(uint8_t* dest);
STYLUS_IMPORT(chainid) uint64_t chainid(void);
STYLUS_IMPORT(block_coinbase) void block_coinbase(uint8_t* dest);
STYLUS_IMPORT(block_gas_limit) uint64_t block_gas_limit(void);
STYLUS_IMPORT(block_number) uint64_t block_number(void);
STYLUS_IMPORT(block_timestamp) uint64_t block_timestamp(void);
STYLUS_IMPORT(contract_address) void contract_address(uint8_t* dest);
STYLUS_IMPORT(msg_reentrant) int32_t msg_reentrant(void);
STYLUS_IMPORT(msg_sender) void msg_sender(uint8_t* dest);
STYLUS_IMPORT(msg_value) void msg_value(uint8_t* dest);
STYLUS_IMPORT(tx_gas_price) void tx_gas_price(uint8_t* dest);
STYLUS_IMPORT(tx_ink_price) uint32_t tx_ink_price(void);
STYLUS_IMPORT(tx_origin) void tx_origin(uint8_t* dest);

/* Hashing and 256-bit math: the result replaces the first operand (division by 0 gives 0) */
STYLUS_IMPORT(native_keccak256) void native_keccak256(const uint8_t* bytes, size_t len, uint8_t* output);
STYLUS_IMPORT(math_div) void math_div(uint8_t* value, const uint8_t* divisor);
STYLUS_IMPORT(math_mod) void math_mod(uint8_t* value, const uint8_t* modulus);
STYLUS_IMPORT(math_pow) void math_pow(uint8_t* value, const uint8_t* exponent);
STYLUS_IMPORT(math_add_mod) void math_add_mod(uint8_t* value, const uint8_t* addend, const uint8_t* modulus);
STYLUS_IMPORT(math_mul_mod) void math_mul_mod(uint8_t* value, const uint8_t* multiplier, const uint8_t* modulus);

#endif

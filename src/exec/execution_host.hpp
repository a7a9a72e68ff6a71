// The Host the interpreter sees during a transaction: state access over the journaled State,
// nested message calls and contract creation, precompiles, logs.
#pragma once

#include "common/revision.hpp"
#include "evm/analysis.hpp"
#include "evm/host.hpp"
#include "exec/block_info.hpp"
#include "exec/transaction_execution.hpp"
#include "state/state.hpp"
#include "stylus/runtime.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace polyvm {

class Tracer;

class ExecutionHost final : public Host {
public:
    /// `wasm_contracts`: code in Stylus's format (0xEF 0xF0 0x00 ...) runs as a WebAssembly
    /// program and may be deployed; off, such code is refused by EIP-3541 as on Ethereum.
    ExecutionHost(State& state, Revision rev, const TxContext& tx_context, Tracer* tracer, bool wasm_contracts = false)
        : state_(state), rev_(rev), tx_context_(tx_context), tracer_(tracer), wasm_contracts_(wasm_contracts) {}

    bool account_exists(const Address& addr) override;
    uint256 get_storage(const Address& addr, const uint256& key) override;
    StorageStatus set_storage(const Address& addr, const uint256& key, const uint256& value) override;
    uint256 get_balance(const Address& addr) override;
    size_t get_code_size(const Address& addr) override;
    Hash32 get_code_hash(const Address& addr) override;
    size_t copy_code(const Address& addr, size_t offset, std::span<uint8_t> out) override;
    bool selfdestruct(const Address& addr, const Address& beneficiary) override;
    ExecutionResult call(const Message& msg) override;
    const TxContext& get_tx_context() override { return tx_context_; }
    Hash32 get_block_hash(uint64_t number) override;
    void emit_log(const Address& addr, bytes_view data, const Hash32* topics, size_t topics_count) override;
    AccessStatus access_account(const Address& addr) override;
    AccessStatus access_storage(const Address& addr, const uint256& key) override;
    uint256 get_transient_storage(const Address& addr, const uint256& key) override;
    void set_transient_storage(const Address& addr, const uint256& key, const uint256& value) override;
    std::optional<Address> get_delegation(const Address& addr) override;

    std::vector<Log>& logs() noexcept { return logs_; }
    bool used_unsupported_precompile() const noexcept { return used_unsupported_precompile_; }
    /// A call was refused for want of native stack: the results are not the EVM's, the
    /// transaction must not count (execute_transaction rejects it and restores the state).
    bool native_stack_exhausted() const noexcept { return native_stack_exhausted_; }

private:
    /// call() with the tracer's message hooks around it.
    ExecutionResult traced_call(const Message& msg);
    ExecutionResult execute_message_call(const Message& msg);
    ExecutionResult create(const Message& msg);
    ExecutionResult run_code(const Message& msg, const Account& code_owner);
    ExecutionResult run_program(const Message& msg, const Account& code_owner);
    /// Whether deployed code may stay: EIP-3541 and EIP-170, and a Stylus program must activate.
    bool deployable(bytes_view code);
    void revert_to(size_t state_snapshot, size_t logs_size);

    State& state_;
    Revision rev_;
    TxContext tx_context_;
    Tracer* tracer_;
    std::vector<Log> logs_;
    bool used_unsupported_precompile_ = false;
    bool native_stack_exhausted_ = false;
    bool wasm_contracts_;
    stylus::ProgramStack running_programs_;
    // The analyses of the codes run in this transaction (from AnalysisCache::shared(), looked up
    // once per code here: no lock per call).
    std::unordered_map<Hash32, std::shared_ptr<const CodeAnalysis>> analyses_;
    // Likewise the programs (from stylus::ProgramCache::shared()).
    std::unordered_map<Hash32, stylus::CompiledProgram> programs_;
};

/// Address of a contract created by `sender` with `nonce` (CREATE) or with a salt (CREATE2, EIP-1014).
Address create_address(const Address& sender, uint64_t nonce);
Address create2_address(const Address& sender, const Hash32& salt, bytes_view initcode);

}  // namespace polyvm

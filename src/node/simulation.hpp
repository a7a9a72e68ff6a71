// Calls that change nothing: eth_call (with state and block overrides), eth_estimateGas (binary
// search for the least gas that succeeds), eth_createAccessList. Caller holds the chain lock.
#pragma once

#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"

namespace polyvm::node {

struct CallOverrides {
    const json* state = nullptr;  // {address: {balance, nonce, code, state, stateDiff}}
    const json* block = nullptr;  // {number, time, gasLimit, feeRecipient, baseFeePerGas, prevRandao}
};

struct SimulationResult {
    bytes output;
    int64_t gas_used = 0;
    std::vector<AccessListEntry> touched;  // eth_createAccessList
};

/// A call ready to run (eth_call, eth_estimateGas, debug_traceCall): the state it reads (with the
/// overrides), the block it sees, and the transaction (sender set, at the sender's nonce; without
/// fees the base fee is zero, geth's NoBaseFee).
struct PreparedCall {
    std::unique_ptr<StateView> view;
    BlockInfo block;
    Transaction tx;
    Revision revision = Revision::Osaka;
};
PreparedCall prepare_call(DevNode& node, const TransactionRequest& request, uint64_t block_number,
                          const CallOverrides& overrides, std::optional<uint64_t> gas);

/// Runs the call; throws RpcError: code 3 with the revert data for a revert, -32000 with geth's
/// message for a rejected transaction or an exceptional halt.
SimulationResult simulate_call(DevNode& node, const TransactionRequest& request, uint64_t block_number,
                               const CallOverrides& overrides);
uint64_t estimate_gas(DevNode& node, const TransactionRequest& request, uint64_t block_number,
                      const CallOverrides& overrides);
/// eth_simulateV1: blocks of calls on top of `block_number`, each block seeing the state the
/// earlier ones left (state and block overrides per block; validation off by default).
json simulate_v1(DevNode& node, const json& request, uint64_t block_number);
json create_access_list(DevNode& node, const TransactionRequest& request, uint64_t block_number);

/// anvil_dealERC20 / anvil_setERC20Allowance: finds the storage slot whose value the token's
/// getter `call` (balanceOf, allowance) returns, among those the call reads (the token's own, or
/// a proxy's), by trying each with state overrides, and sets it to `amount`
/// (DevChain::set_storage, as anvil_setStorageAt). Throws RpcError (-32000 "Unable to set ERC20 <kind>, no slot found", Anvil's words, and
/// why) when the call fails or no slot behaves so. Caller holds the chain lock (unique).
void set_token_word(DevNode& node, const Address& token, const bytes& call, const uint256& amount, const std::string& kind,
                    const std::string& getter);

/// Log filter criteria (eth_getLogs, eth_newFilter, logs subscriptions).
struct LogFilter {
    std::vector<Address> addresses;
    std::vector<std::vector<Hash32>> topics;  // per position: alternatives (empty: any)
    uint64_t from = 0, to = 0;
    std::optional<Hash32> block_hash;
};
LogFilter parse_log_filter(DevNode& node, const json& criteria, size_t argument_index);
/// A filter's fromBlock/toBlock (`name` in `criteria`; `fallback` when absent or null): a number as
/// given, even past the head, a tag or EIP-1898 object resolved (the head when it names no block;
/// rpc::RpcError instead with `must_exist`). Throws rpc::DecodeError for a malformed one.
uint64_t block_criterion(DevNode& node, const json& criteria, const char* name, uint64_t fallback, bool must_exist);
json collect_logs(DevNode& node, const LogFilter& filter);
/// The logs of one block that match `filter`'s addresses and topics (its block range is not
/// looked at), in the block's order: appended to `out` (subscriptions, removed logs, eth_getLogs).
void append_block_logs(json& out, const BlockView& block, const LogFilter& filter);

}  // namespace polyvm::node

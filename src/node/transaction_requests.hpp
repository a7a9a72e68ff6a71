// Turning what a client sends into transactions the node can mine: a signed transaction in its
// raw form (eth_sendRawTransaction, anvil_reorg) and a transaction request that the node
// completes and signs (eth_sendTransaction, eth_sendUnsignedTransaction, anvil_reorg).
#pragma once

#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"

namespace polyvm::node {

/// A raw signed transaction (a blob transaction in its EIP-4844/EIP-7594 network form
/// unwrapped, its sidecar verified) with its sender recovered; rpc::RpcError naming what is
/// wrong otherwise (an encoding error names parameter `argument_index`). Needs no chain lock:
/// the chain id to check against comes from the caller (DevNode::chain_id, which
/// anvil_setChainId may change meanwhile).
Transaction decode_raw_transaction(const bytes& raw, const DevChain& chain, uint64_t chain_id, size_t argument_index = 0);

/// `request` with what it leaves to the node filled in (fees from `base_fee`, gas estimated on
/// the state of block `state_block`) and `nonce` (the request's own is ignored), then signed with
/// the sender's unlocked key, or left unsigned for a sender the node impersonates (any sender with
/// `unsigned_from_anyone`). rpc::RpcError when the node cannot send from the sender. The caller
/// holds the chain lock (shared or unique).
Transaction complete_transaction_locked(DevNode& node, const TransactionRequest& request, uint64_t nonce,
                                        const uint256& base_fee, uint64_t state_block, bool unsigned_from_anyone = false);

}  // namespace polyvm::node

// eth_config (EIP-7910): the rules of the fork in force at the head, of the next scheduled one
// and of the last one, so that tools can check a node's configuration before a fork.
#pragma once

#include "chain/chain_config.hpp"
#include "rpc/params.hpp"

namespace polyvm::node {

/// The chain's fork identifier at `timestamp` (EIP-2124's FORK_HASH): CRC-32 of the genesis
/// hash, updated with the 8-byte big-endian activation time of every fork scheduled after the
/// genesis that has begun by then.
uint32_t fork_hash(const ChainConfig& config, const Hash32& genesis_hash, uint64_t genesis_timestamp, uint64_t timestamp);

/// eth_config's result, as geth answers it: {current, next, last}, each
/// {activationTime, blobSchedule, chainId, forkId, precompiles, systemContracts} (precompiles
/// and system contracts by name), `next` and `last` null when no fork is scheduled after the
/// current one. Throws rpc::RpcError (-32000) before Cancun, which EIP-7910 does not describe.
rpc::json eth_config(const ChainConfig& config, const Hash32& genesis_hash, uint64_t genesis_timestamp, uint64_t head_timestamp);

}  // namespace polyvm::node

// The rules a header must satisfy against its parent before its body is executed (post-Merge
// networks: Paris on), and the rules its body must satisfy against it.
#pragma once

#include "chain/block.hpp"
#include "chain/chain_config.hpp"

#include <optional>

namespace polyvm {

/// EIP-1559 base fee of the child of `parent` (elasticity 2, change denominator 8).
uint256 expected_base_fee(const BlockHeader& parent);

/// Header against parent: number, timestamp, gas limit bounds, gas used, extra data, base fee,
/// post-Merge constants (difficulty, nonce, ommers), fork fields present exactly when their
/// fork is active, blob gas (EIP-4844, 7691, 7918) against the fork's schedule.
std::optional<BlockError> validate_header(const BlockHeader& header, const BlockHeader& parent,
                                          const ChainConfig& config);

/// Body against header, before execution: no ommers, withdrawals present exactly from Shanghai,
/// block size (EIP-7934, Osaka).
std::optional<BlockError> validate_body(const Block& block, size_t encoded_size, const ChainConfig& config);
/// The body's transactions and withdrawals roots against the header's. Checked after execution,
/// as the specification does, so that an invalid transaction is reported as such.
std::optional<BlockError> validate_body_roots(const Block& block);

/// EIP-7934: the largest RLP-encoded block (10 MiB less a 2 MiB margin for the beacon block).
inline constexpr size_t kMaxRlpBlockSize = 8'388'608;

}  // namespace polyvm

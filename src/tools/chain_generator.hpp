// Generated chains for tests and benchmarks (`polyvm makechain`, the crash test of `import`, the
// block-execution benchmarks): a genesis with funded senders and an ERC-20 token, and blocks of a
// chosen workload built and checked by the chain layer itself.
#pragma once

#include "common/uint256.hpp"
#include "tools/genesis.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::tools {

enum class Workload {
    Transfers,  // plain ETH transfers to fresh and existing accounts
    Erc20,      // ERC-20 transfer() calls (two SSTOREs and a LOG3 each)
    Mix,        // both, plus calls that only read (balanceOf)
};

/// "transfers", "erc20", "mix"; nullopt otherwise.
std::optional<Workload> parse_workload(std::string_view name);

struct ChainSpec {
    Workload workload = Workload::Transfers;
    size_t blocks = 10;
    size_t transactions_per_block = 200;
    size_t senders = 64;
    Revision revision = Revision::Prague;
    uint64_t seed = 1;
};

struct GeneratedChain {
    Genesis genesis;
    std::vector<bytes> blocks;  // RLP, in order
    uint64_t total_gas = 0;
    size_t total_transactions = 0;
};

GeneratedChain generate_chain(const ChainSpec& spec);

/// The runtime code of the generated chains' token: transfer(address,uint256) and
/// balanceOf(address), balances in a mapping at slot 0, a Transfer event per transfer.
const bytes& erc20_runtime_code();
/// The address the token is deployed at in generated genesis files.
Address erc20_address();
/// The token's balance slot of `holder`: keccak256(holder ‖ 0), as Solidity lays out a mapping
/// at slot 0 (OpenZeppelin's ERC20 keeps its balances there too).
uint256 erc20_balance_slot(const Address& holder);
/// ABI call data of `selector(address[, uint256])`: transfer (0xa9059cbb) with an amount,
/// balanceOf (0x70a08231) without.
bytes erc20_call_data(uint32_t selector, const Address& to, std::optional<uint64_t> amount);

}  // namespace polyvm::tools

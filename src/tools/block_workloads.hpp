// Generated blocks for the parallel executor: its stress test (tests/unit/exec) and
// `polyvm bench-blocks`. Each workload is one large block over a pre-state of funded senders (and
// an ERC-20 token with funded holders), with senders set directly (no signatures: the benchmark
// recovers no senders in either mode).
#pragma once

#include "chain/block_executor.hpp"
#include "chain/chain_config.hpp"
#include "state/database.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polyvm::tools {

enum class BlockWorkload {
    RawTransfers,        // ETH transfers between distinct accounts
    Erc20Transfers,      // ERC-20 transfer() between distinct holders
    TransfersContended,  // every transfer pays one account
    Erc20Contended,      // every ERC-20 transfer credits one holder
    MixedContended,      // ETH and ERC-20 transfers, 10% of them to one account or holder
    UniswapSwaps,        // Uniswap V2 swaps (ETH for tokens through Router02) over 100 pools
    UniswapContended,    // the same swaps, all on one pool
    Deployments,         // creations (some self-destructing), coinbase reads, zero tips (stress test only)
};

/// Creation code of Uniswap V2's build artifacts (npm @uniswap/v2-core 1.0.1 and v2-periphery
/// 1.1.0-beta.0; bench/fixtures/uniswap holds them, bench/fixtures/README.md says how).
struct UniswapCode {
    bytes weth;     // WETH9
    bytes token;    // v2-core's test ERC20(uint256 totalSupply), minted to the deployer
    bytes factory;  // UniswapV2Factory(address feeToSetter)
    bytes router;   // UniswapV2Router02(address factory, address WETH)
};
/// Creation code from a file of hex (whitespace ignored), as bench/fixtures keeps it; throws
/// std::runtime_error naming the file when it cannot be read or is not hex.
bytes read_creation_code(const std::string& path);
/// Reads the four `<name>.creation.hex` files of `folder` (read_creation_code).
UniswapCode load_uniswap_code(const std::string& folder);

/// The names `bench-blocks --workloads` takes ("raw_transfers", "erc20_transfers", ...).
std::string_view workload_name(BlockWorkload workload);
std::optional<BlockWorkload> parse_block_workload(std::string_view name);
/// The workloads the benchmark runs by default (Deployments is for the stress test; the Uniswap
/// ones when their code is at hand).
std::vector<BlockWorkload> benchmark_workloads(bool with_uniswap);

struct WorkloadSpec {
    BlockWorkload workload = BlockWorkload::RawTransfers;
    size_t transactions = 10'000;
    uint64_t seed = 1;
    /// The ERC-20's creation code with a constructor (uint256 supply) minting to its deployer
    /// (OpenZeppelin's ERC20, bench/fixtures/TestToken.creation.hex). Empty: the generated chains'
    /// hand-written token (tools/chain_generator.hpp), its balances written into the pre-state.
    bytes token_creation_code;
    /// Needed by the Uniswap workloads.
    std::optional<UniswapCode> uniswap;
    size_t uniswap_pools = 100;
};

struct WorkloadBlock {
    ChainConfig config;
    BlockEnvironment env;
    ChangeSet pre_state;  // commit it to an empty database
    std::vector<Transaction> transactions;  // senders set
};

/// Builds the pre-state (deploying and distributing the token by executing transactions when
/// `token_creation_code` is given) and the block. Throws std::runtime_error if the setup fails.
WorkloadBlock make_workload_block(const WorkloadSpec& spec);

/// One block run in memory: `pre_state` committed to a fresh MemoryDatabase, the transactions
/// (senders known) executed with `parallel` (1 thread: sequentially; no minimum block size;
/// Prague's request contracts may be absent). How the stress test and the fuzz target run both.
struct InMemoryBlockRun {
    std::string error;  // the block's rejection, or empty
    Hash32 state_root;  // after the block, when accepted
    ExecutedBlock executed;
};
InMemoryBlockRun run_block_in_memory(const WorkloadBlock& block, const ParallelOptions& parallel,
                                     ParallelStatistics* statistics = nullptr);
/// The first difference between two runs of one block, as text (empty: identical): the
/// rejection; for an accepted block the state root, gas, blob gas, included transactions, bloom,
/// receipts with their logs, requests. How the parallel executor's stress test and fuzz target
/// compare it with the sequential one.
std::string block_run_differences(const InMemoryBlockRun& expected, const InMemoryBlockRun& actual);

}  // namespace polyvm::tools

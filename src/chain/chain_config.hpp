// The rules a chain runs under: its chain id, which fork applies to a block (one fork, or a
// transition "XToYAtTime15k" that switches at a timestamp), the blob schedule of each fork, and
// the deposit contract (EIP-6110).
#pragma once

#include "common/revision.hpp"
#include "common/types.hpp"
#include "common/uint256.hpp"

#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace polyvm {

/// A fork that takes effect at a block timestamp (every fork after the Merge is scheduled by time).
struct ForkActivation {
    Revision revision;
    uint64_t timestamp = 0;
};

struct ChainConfig {
    uint256 chain_id{1};
    /// The fork schedule, oldest first; the first entry applies from genesis (its timestamp is 0).
    std::vector<ForkActivation> forks{{Revision::Cancun, 0}};
    std::map<Revision, BlobSchedule> blob_schedules;  // overrides of the fork table's defaults
    Address deposit_contract;                    // EIP-6110
    /// WebAssembly contracts (Stylus's format, docs/wasm_contracts.md) deploy and run: polyvm's
    /// development chains. Never on Ethereum's networks, where EIP-3541 refuses such code.
    bool wasm_contracts = false;

    ChainConfig();
    explicit ChainConfig(Revision from_genesis);
    /// The fork whose rules apply to a block with this timestamp.
    Revision revision_at(uint64_t timestamp) const noexcept;
    /// The blob schedule in force under `rev`: the configured one, else the fork table's.
    std::optional<BlobSchedule> blob_schedule(Revision rev) const noexcept;
};

/// "Cancun" or a transition "CancunToPragueAtTime15k" (any two known forks, any whole number of
/// thousands); nullopt for an unknown name.
std::optional<ChainConfig> parse_network(std::string_view network);

}  // namespace polyvm

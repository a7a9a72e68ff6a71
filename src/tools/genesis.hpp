// geth's genesis JSON (`polyvm import --genesis`): the chain configuration (chain id, the
// time-scheduled forks after the Merge, blob schedules, deposit contract), the genesis header
// fields and the alloc. Only post-Merge chains are supported: `terminalTotalDifficulty` must be 0
// or the chain must start at Shanghai or later.
#pragma once

#include "chain/block.hpp"
#include "chain/blockchain.hpp"
#include "chain/chain_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace polyvm::tools {

struct Genesis {
    ChainConfig config;
    BlockHeader header;  // with its state root computed from the alloc
    std::vector<GenesisAccount> alloc;
};

/// Parses the text of a genesis file. Throws FixtureError naming the field that is wrong.
Genesis parse_genesis(std::string_view json_text, const std::string& label);
Genesis load_genesis(const std::string& path);

/// The genesis as geth's JSON (the chain generator writes it; parse_genesis reads it back).
std::string genesis_to_json(const Genesis& genesis);

}  // namespace polyvm::tools

// JSON readers shared by the fixture loaders (state tests, blockchain tests, t8n): the account
// maps of `pre`/`postState`/`alloc` and a config's `blobSchedule`. Errors are FixtureErrors
// naming the field path.
#pragma once

#include "tools/state_test.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace polyvm::tools {

/// An object keyed by address: {"0x..": {"balance", "nonce", "code", "storage"}}.
std::vector<PreAccount> read_accounts(const nlohmann::json& accounts, const std::string& path);
/// `config` with an optional `blobSchedule` of {fork: {target, max, baseFeeUpdateFraction}};
/// forks this build does not know are ignored.
std::map<Revision, BlobSchedule> read_blob_schedules(const nlohmann::json& config, const std::string& path);
/// `config.chainid`, 1 when absent.
uint256 read_chain_id(const nlohmann::json& config, const std::string& path);

}  // namespace polyvm::tools

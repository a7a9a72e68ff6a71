// JSON readers shared by the fixture loaders (state tests, blockchain tests, t8n): the account
// maps of `pre`/`postState`/`alloc` and a config's `blobSchedule`. Errors are FixtureErrors
// naming the field path.
#pragma once

#include "chain/blockchain.hpp"
#include "tools/state_test.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace polyvm::tools {

/// The whole text of a fixture file; FixtureError("<label>: cannot open ...") otherwise.
std::string read_fixture_text(const std::filesystem::path& path, const std::string& label);
/// Parses a fixture file's text whose top level is an object of tests, and calls
/// `read(name, test)` for each, prefixing any error with `label`.
void for_each_fixture_test(std::string_view json_text, const std::string& label,
                           const std::function<void(const std::string&, const nlohmann::json&)>& read);

/// The account of a genesis alloc or a test's `pre`, as the chain layer takes it (code hash and
/// has_storage derived).
GenesisAccount genesis_account(const PreAccount& account);

/// An object keyed by address: {"0x..": {"balance", "nonce", "code", "storage"}}.
std::vector<PreAccount> read_accounts(const nlohmann::json& accounts, const std::string& path);
/// `config` with an optional `blobSchedule` of {fork: {target, max, baseFeeUpdateFraction}};
/// forks this build does not know are ignored.
std::map<Revision, BlobSchedule> read_blob_schedules(const nlohmann::json& config, const std::string& path);
/// `config.chainid`, 1 when absent.
uint256 read_chain_id(const nlohmann::json& config, const std::string& path);

}  // namespace polyvm::tools

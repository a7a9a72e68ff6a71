// State dumps of the development node (anvil_dumpState / anvil_loadState, --dump-state and
// --load-state): every account with balance, nonce, code and storage, as a geth-style alloc
// JSON document ({"block": {...}, "accounts": {address: {...}}}).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace polyvm::node {

class DevNode;

/// The current state (the head's, with the changes made since). Caller holds the chain lock.
nlohmann::json dump_state_json(DevNode& node);
/// Writes the accounts of a dump into the state (as anvil_set* changes: the next block commits
/// them). Throws std::invalid_argument naming the bad field. Caller holds the chain lock exclusively.
void load_state_json(DevNode& node, const nlohmann::json& dump);

void write_state_file(const std::string& path, const nlohmann::json& dump);
nlohmann::json read_state_file(const std::string& path);

}  // namespace polyvm::node

// The state databases a tool can run on, by name (--db memory|lmdb).
#pragma once

#include "tools/blockchain_test.hpp"

#include <string>
#include <vector>

namespace polyvm::tools {

std::vector<std::string> database_kinds();
/// Makes fresh, empty databases of the named kind (each LMDB one in its own temporary folder,
/// removed when the database is destroyed).
DatabaseFactory database_factory(const std::string& kind);

}  // namespace polyvm::tools

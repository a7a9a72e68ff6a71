// The state databases a tool can run on, by name (--db memory|lmdb), and the data directories
// of `polyvm import` and `polyvm dump`.
#pragma once

#include "tools/blockchain_test.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::tools {

std::vector<std::string> database_kinds();
/// Makes fresh, empty databases of the named kind (each LMDB one in its own temporary folder,
/// removed when the database is destroyed).
DatabaseFactory database_factory(const std::string& kind);

/// Opens (or creates) the persistent database of a data directory. With `sync_every_commit`
/// false a commit is durable against a process crash but may be lost on a power loss until the
/// next flush_to_disk(). Throws DatabaseError with a clear message.
/// `max_size` bounds the database file (0: no bound but the default of 1 TiB); a commit that does
/// not fit fails with "database full" and writes nothing. `write_back_memory`: how much the
/// commits kept in memory may take before they are written to the tables (LmdbOptions; 0 writes
/// every commit through).
std::unique_ptr<StateDatabase> open_data_dir(const std::filesystem::path& dir, bool sync_every_commit,
                                             size_t max_size = 0, std::optional<size_t> write_back_memory = std::nullopt);
/// Forces every commit so far to disk.
void flush_to_disk(StateDatabase& db);

}  // namespace polyvm::tools

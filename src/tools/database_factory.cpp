#include "tools/database_factory.hpp"

#include "state/memory_database.hpp"

namespace polyvm::tools {

std::vector<std::string> database_kinds() { return {"memory"}; }

DatabaseFactory database_factory(const std::string& kind) {
    (void)kind;
    return [] { return std::make_unique<MemoryDatabase>(); };
}

}  // namespace polyvm::tools

namespace polyvm::tools {
std::unique_ptr<StateDatabase> open_data_dir(const std::filesystem::path&, bool) {
    throw DatabaseError("this build has no persistent database yet");
}
void flush_to_disk(StateDatabase&) {}
}  // namespace polyvm::tools

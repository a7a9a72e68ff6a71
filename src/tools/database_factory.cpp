#include "tools/database_factory.hpp"

#include "state/memory_database.hpp"

namespace polyvm::tools {

std::vector<std::string> database_kinds() { return {"memory"}; }

DatabaseFactory database_factory(const std::string& kind) {
    (void)kind;
    return [] { return std::make_unique<MemoryDatabase>(); };
}

}  // namespace polyvm::tools

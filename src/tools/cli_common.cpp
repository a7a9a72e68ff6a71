#include "tools/cli.hpp"

namespace polyvm::tools {

std::optional<Revision> parse_fork_option(const std::string& name, std::string& error) {
    if (auto rev = parse_revision(name)) return rev;
    error = "unknown fork \"" + name + "\"; known forks: " + known_revision_names();
    return std::nullopt;
}

std::string fork_names_help() {
    std::string implemented;
    for (const auto& r : revision_table()) {
        if (!r.implemented) continue;
        if (!implemented.empty()) implemented += ", ";
        implemented += r.name;
    }
    return "Fork names are case-insensitive; aliases in parentheses: " + known_revision_names() +
           ". Implemented in this build: " + implemented + ".";
}

}  // namespace polyvm::tools

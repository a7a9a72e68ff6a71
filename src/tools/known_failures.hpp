// The committed list of state-test cases that are known to fail, one per line:
//   <file relative to the state folder> <test> <fork> d=<i> g=<j> v=<k>  # reason
// Blank lines and lines starting with '#' are ignored.
#pragma once

#include "tools/fixture_values.hpp"

#include <cstddef>
#include <filesystem>
#include <istream>
#include <map>
#include <string>

namespace polyvm::tools {

/// The canonical key of one case: "<file> <test> <fork> d=<i> g=<j> v=<k>" (single spaces).
std::string case_key(const std::string& file, const std::string& test, const std::string& fork, size_t d, size_t g,
                     size_t v);

struct KnownFailures {
    /// Key -> the reason written after '#' (may be empty).
    std::map<std::string, std::string> entries;

    bool contains(const std::string& key) const { return entries.count(key) != 0; }
};

/// Parses a list; `label` names the source in errors ("known_failures.txt:12: ..."). Throws
/// FixtureError for malformed lines and duplicate entries.
KnownFailures parse_known_failures(std::istream& in, const std::string& label);
KnownFailures load_known_failures(const std::filesystem::path& path);

}  // namespace polyvm::tools

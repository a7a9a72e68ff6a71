#include "tools/exception_match.hpp"

namespace polyvm::tools {
namespace {

// The exception classes of execution-spec-tests that fixtures use. (EOFException never reaches a
// transaction rejection: EOF is not part of any fork polyvm runs.)
constexpr std::string_view kClassPrefixes[] = {"TransactionException.", "BlockException."};

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

}  // namespace

std::string_view exception_name(std::string_view name) {
    name = trim(name);
    for (const std::string_view prefix : kClassPrefixes)
        if (name.starts_with(prefix)) return trim(name.substr(prefix.size()));
    return name;
}

namespace {
bool names_one_of(std::string_view expected, std::string_view actual) {
    if (actual.empty()) return false;
    for (;;) {
        const auto bar = expected.find('|');
        if (exception_name(expected.substr(0, bar)) == actual) return true;
        if (bar == std::string_view::npos) return false;
        expected.remove_prefix(bar + 1);
    }
}
}  // namespace

bool exception_matches(std::string_view expected, std::string_view actual_rule) {
    // A rule that breaks two named rules at once carries both names, '|'-separated.
    for (;;) {
        const auto bar = actual_rule.find('|');
        if (names_one_of(expected, exception_name(actual_rule.substr(0, bar)))) return true;
        if (bar == std::string_view::npos) return false;
        actual_rule.remove_prefix(bar + 1);
    }
}

}  // namespace polyvm::tools

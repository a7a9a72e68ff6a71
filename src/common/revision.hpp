// The fork table: every Ethereum protocol revision polyvm knows, in activation order.
// Rules elsewhere compare revisions (`rev >= Revision::Berlin`) so one code path serves every fork.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace polyvm {

enum class Revision : int {
    Frontier = 0,
    Homestead = 1,
    TangerineWhistle = 2,  // EIP-150
    SpuriousDragon = 3,    // EIP-158
    Byzantium = 4,
    Constantinople = 5,
    Petersburg = 6,  // ConstantinopleFix
    Istanbul = 7,
    Berlin = 8,
    London = 9,
    Paris = 10,  // the Merge
    Shanghai = 11,
    Cancun = 12,
    Prague = 13,
    Osaka = 14,
};

struct RevisionInfo {
    Revision revision;
    std::string_view name;     // canonical name, as in the state-test fixtures
    std::string_view aliases;  // comma-separated other names accepted on the command line
    bool implemented;          // execution rules complete in this build
};

/// All forks, oldest first.
std::span<const RevisionInfo> revision_table() noexcept;

/// Looks a fork up by name or alias, case-insensitively.
std::optional<Revision> parse_revision(std::string_view name) noexcept;

std::string_view revision_name(Revision rev) noexcept;
bool revision_implemented(Revision rev) noexcept;
/// The newest fork whose rules are complete.
Revision latest_implemented_revision() noexcept;
/// "Frontier, Homestead (...), ..." for error messages.
std::string known_revision_names();

}  // namespace polyvm

#include "common/revision.hpp"

#include <algorithm>
#include <cctype>

namespace polyvm {
namespace {
constexpr RevisionInfo kRevisions[] = {
    {Revision::Frontier, "Frontier", "", true},
    {Revision::Homestead, "Homestead", "", true},
    {Revision::TangerineWhistle, "EIP150", "TangerineWhistle,Tangerine", true},
    {Revision::SpuriousDragon, "EIP158", "SpuriousDragon,Spurious", true},
    {Revision::Byzantium, "Byzantium", "", true},
    {Revision::Constantinople, "Constantinople", "", true},
    {Revision::Petersburg, "ConstantinopleFix", "Petersburg", true},
    {Revision::Istanbul, "Istanbul", "", true},
    {Revision::Berlin, "Berlin", "", true},
    {Revision::London, "London", "", true},
    {Revision::Paris, "Paris", "Merge", true},
    {Revision::Shanghai, "Shanghai", "", true},
    {Revision::Cancun, "Cancun", "", true},
    {Revision::Prague, "Prague", "", false},
    {Revision::Osaka, "Osaka", "Fusaka", false},
};

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace

std::span<const RevisionInfo> revision_table() noexcept { return kRevisions; }

std::optional<Revision> parse_revision(std::string_view name) noexcept {
    for (const auto& r : kRevisions) {
        if (iequals(r.name, name)) return r.revision;
        std::string_view rest = r.aliases;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto alias = rest.substr(0, comma);
            if (iequals(alias, name)) return r.revision;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return std::nullopt;
}

std::string_view revision_name(Revision rev) noexcept { return kRevisions[static_cast<int>(rev)].name; }
bool revision_implemented(Revision rev) noexcept { return kRevisions[static_cast<int>(rev)].implemented; }

Revision latest_implemented_revision() noexcept {
    Revision latest = Revision::Frontier;
    for (const auto& r : kRevisions)
        if (r.implemented) latest = r.revision;
    return latest;
}

std::string known_revision_names() {
    std::string s;
    for (const auto& r : kRevisions) {
        if (!s.empty()) s += ", ";
        s += r.name;
        if (!r.aliases.empty()) {
            s += " (";
            std::string a(r.aliases);
            for (auto& c : a)
                if (c == ',') c = '/';
            s += a + ")";
        }
    }
    return s;
}

}  // namespace polyvm

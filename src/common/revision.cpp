#include "common/revision.hpp"

#include <algorithm>
#include <cctype>

namespace polyvm {
namespace {
// EIP-4844 (Cancun): target 3, max 6 blobs. EIP-7691 (Prague): 6/9 with a slower update
// fraction; Osaka keeps Prague's. BPO1/BPO2 (EIP-7892) change only these numbers.
constexpr BlobSchedule kCancunBlobs{3, 6, 3338477};
constexpr BlobSchedule kPragueBlobs{6, 9, 5007716};
constexpr BlobSchedule kBpo1Blobs{10, 15, 8346193};
constexpr BlobSchedule kBpo2Blobs{14, 21, 11684671};

constexpr RevisionInfo kRevisions[] = {
    {Revision::Frontier, "Frontier", "", true, std::nullopt},
    {Revision::Homestead, "Homestead", "", true, std::nullopt},
    {Revision::TangerineWhistle, "EIP150", "TangerineWhistle,Tangerine", true, std::nullopt},
    {Revision::SpuriousDragon, "EIP158", "SpuriousDragon,Spurious", true, std::nullopt},
    {Revision::Byzantium, "Byzantium", "", true, std::nullopt},
    {Revision::Constantinople, "Constantinople", "", true, std::nullopt},
    {Revision::Petersburg, "ConstantinopleFix", "Petersburg", true, std::nullopt},
    {Revision::Istanbul, "Istanbul", "", true, std::nullopt},
    {Revision::Berlin, "Berlin", "", true, std::nullopt},
    {Revision::London, "London", "", true, std::nullopt},
    {Revision::Paris, "Paris", "Merge", true, std::nullopt},
    {Revision::Shanghai, "Shanghai", "", true, std::nullopt},
    {Revision::Cancun, "Cancun", "", true, kCancunBlobs},
    {Revision::Prague, "Prague", "", true, kPragueBlobs},
    {Revision::Osaka, "Osaka", "Fusaka", true, kPragueBlobs},
    {Revision::BPO1, "BPO1", "", true, kBpo1Blobs},
    {Revision::BPO2, "BPO2", "", true, kBpo2Blobs},
    // Without a configured schedule, a later blob-parameter-only fork keeps the last known one.
    {Revision::BPO3, "BPO3", "", true, kBpo2Blobs},
    {Revision::BPO4, "BPO4", "", true, kBpo2Blobs},
    {Revision::BPO5, "BPO5", "", true, kBpo2Blobs},
};

// The table is indexed by the enumerator: rows must stay in order and complete.
constexpr bool table_in_order() {
    int i = 0;
    for (const auto& r : kRevisions)
        if (static_cast<int>(r.revision) != i++) return false;
    return i == kNumRevisions;
}
static_assert(table_in_order(), "kRevisions must list every Revision, in enumerator order");

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace

std::span<const RevisionInfo> revision_table() noexcept { return kRevisions; }
const RevisionInfo& revision_info(Revision rev) noexcept { return kRevisions[static_cast<int>(rev)]; }

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

std::optional<BlobSchedule> default_blob_schedule(Revision rev) noexcept { return revision_info(rev).blob_schedule; }

}  // namespace polyvm

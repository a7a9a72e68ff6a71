// The fork table: every Ethereum protocol revision polyvm knows, in activation order.
// Rules elsewhere compare revisions (`rev >= Revision::Berlin`) so one code path serves every fork.
// Per-fork parameters that are pure data (names, the blob schedule) live in one table in
// revision.cpp: adding a fork is a new enumerator, a new row, and the code of its new rules.
#pragma once

#include <cstdint>
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
    BPO1 = 15,  // blob-parameter-only fork (EIP-7892): Osaka's rules, a larger blob schedule
    BPO2 = 16,  // ditto
    BPO3 = 17,  // ditto; BPO3-5 have no mainnet schedule: chains configure theirs
    BPO4 = 18,
    BPO5 = 19,
};

/// The newest fork in the table; arrays indexed by revision are sized from it.
inline constexpr Revision kLatestRevision = Revision::BPO5;
inline constexpr int kNumRevisions = static_cast<int>(kLatestRevision) + 1;

/// EIP-4844 blob parameters of a fork (EIP-7691 raised them in Prague, EIP-7892 makes them
/// per-fork data): target and maximum blobs per block and the blob base fee update fraction.
struct BlobSchedule {
    uint64_t target = 0;
    uint64_t max = 0;
    uint64_t base_fee_update_fraction = 0;

    friend constexpr bool operator==(const BlobSchedule&, const BlobSchedule&) = default;
};

struct RevisionInfo {
    Revision revision;
    std::string_view name;     // canonical name, as in the state-test fixtures
    std::string_view aliases;  // comma-separated other names accepted on the command line
    bool implemented;          // execution rules complete in this build
    std::optional<BlobSchedule> blob_schedule;  // nullopt before blobs existed (pre-Cancun)
};

/// All forks, oldest first.
std::span<const RevisionInfo> revision_table() noexcept;
const RevisionInfo& revision_info(Revision rev) noexcept;

/// Looks a fork up by name or alias, case-insensitively.
std::optional<Revision> parse_revision(std::string_view name) noexcept;

std::string_view revision_name(Revision rev) noexcept;
bool revision_implemented(Revision rev) noexcept;
/// The newest fork whose rules are complete.
Revision latest_implemented_revision() noexcept;
/// "Frontier, Homestead (...), ..." for error messages.
std::string known_revision_names();

/// The fork's default blob schedule (a chain configuration may override it); nullopt before Cancun.
std::optional<BlobSchedule> default_blob_schedule(Revision rev) noexcept;

}  // namespace polyvm

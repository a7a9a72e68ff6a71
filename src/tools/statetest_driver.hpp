// Runs state-test cases from fixture files and reports them: file discovery, filtering, a pool of
// worker threads, known-failure accounting and deterministic output. How one case is executed is
// a parameter (CaseRunner), so the driver itself needs no execution layer and can be tested alone.
#pragma once

#include "common/revision.hpp"
#include "tools/state_test.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace polyvm::tools {

enum class CaseResult { Pass, Fail, Skip };

struct CaseVerdict {
    CaseResult result = CaseResult::Pass;
    std::string reason;  // why it failed or was skipped
};

/// Executes one case; must be safe to call from several threads at once.
using CaseRunner = std::function<CaseVerdict(const StateTest&, const StateTestCase&)>;

struct StateTestOptions {
    std::vector<std::filesystem::path> paths;
    std::optional<Revision> fork;  // keep only the `post` entries of this fork
    std::string filter;            // ECMAScript regex searched in "<file>/<test>"; empty: all
    bool json = false;
    unsigned jobs = 1;
    std::optional<std::filesystem::path> known_failures;
    /// Fewer cases run (passed, failed or known to fail; skipped ones did not run) is a failure:
    /// a check that meant to cover a fixture folder must not pass on a folder that lost its files.
    size_t min_cases = 0;
    /// A run that selects no case at all is a failure (the CLI sets it under CI=true, where an
    /// empty run means a wrong path, filter or fork rather than nothing to do).
    bool fail_when_empty = false;
};

struct FixtureFile {
    std::filesystem::path path;
    std::string relative;  // to the PATH argument it was found under, '/'-separated
};

/// Every .json file under the paths (recursively, sorted per path; a file path stands for
/// itself). Throws FixtureError for a path that does not exist.
std::vector<FixtureFile> collect_fixture_files(const std::vector<std::filesystem::path>& paths);

/// Exit codes of `polyvm statetest`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

/// Runs and reports everything; returns the exit code. Output: one line per failing (or, with
/// json, per every) case in file/test/fork/case order whatever `jobs` is, summary lines, and the
/// last line "N passed, M failed, K skipped". Errors go to `err`, among them a run with fewer
/// cases than `min_cases` or (with `fail_when_empty`) none at all, which exits kExitFailed.
int run_state_tests(const StateTestOptions& options, const CaseRunner& runner, std::ostream& out, std::ostream& err);

}  // namespace polyvm::tools

// Locates the shared spec fixtures for unit tests. Under CI=true a missing folder is a failure;
// elsewhere the test prints a notice and is skipped.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace polyvm::test {

inline std::filesystem::path fixtures_root() {
    if (const char* env = std::getenv("POLYVM_FIXTURES"); env && *env) return env;
    return std::filesystem::path(POLYVM_SOURCE_DIR) / ".." / "shared" / "fixtures";
}

inline bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

}  // namespace polyvm::test

/// Resolves `sub` under the fixtures root into `var`, or fails (CI) / skips (elsewhere) the test.
#define POLYVM_REQUIRE_FIXTURES(var, sub)                                                              \
    const std::filesystem::path var = ::polyvm::test::fixtures_root() / (sub);                         \
    if (!std::filesystem::exists(var)) {                                                               \
        if (::polyvm::test::running_in_ci()) FAIL() << "fixture folder missing: " << var;              \
        GTEST_SKIP() << "NOTICE: fixture folder missing (set POLYVM_FIXTURES): " << var;               \
    }

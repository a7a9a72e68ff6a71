#include "tools/known_failures.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace polyvm::tools;

namespace {
KnownFailures parse(const std::string& text) {
    std::istringstream in(text);
    return parse_known_failures(in, "list.txt");
}
std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const FixtureError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(KnownFailures, ParsesEntriesCommentsAndBlankLines) {
    const auto list = parse(
        "# header comment\n"
        "\n"
        "stExample/add11.json add11 Cancun d=0 g=1 v=2 # wrong refund\n"
        "  stFoo/bar.json   bar   Shanghai   d=10 g=0 v=0\r\n"
        "   # indented comment\n");
    ASSERT_EQ(list.entries.size(), 2u);
    EXPECT_TRUE(list.contains("stExample/add11.json add11 Cancun d=0 g=1 v=2"));
    EXPECT_EQ(list.entries.at("stExample/add11.json add11 Cancun d=0 g=1 v=2"), "wrong refund");
    // Extra spaces and CRLF line ends normalise to the canonical key.
    EXPECT_TRUE(list.contains("stFoo/bar.json bar Shanghai d=10 g=0 v=0"));
    EXPECT_FALSE(list.contains("stFoo/bar.json bar Shanghai d=1 g=0 v=0"));
}

TEST(KnownFailures, CaseKeyFormat) {
    EXPECT_EQ(case_key("a/b.json", "t", "Cancun", 1, 2, 3), "a/b.json t Cancun d=1 g=2 v=3");
}

TEST(KnownFailures, RejectsMalformedLines) {
    EXPECT_NE(error_of("a.json t Cancun d=0 g=0\n").find("list.txt:1:"), std::string::npos);
    EXPECT_NE(error_of("\na.json t Cancun d=x g=0 v=0\n").find("list.txt:2: expected d=<index>"), std::string::npos);
    EXPECT_NE(error_of("a.json t Cancun d=0 v=0 g=0\n").find("expected g=<index>"), std::string::npos);
    EXPECT_NE(error_of("a.json t Cancun d=0 g=0 v=\n").find("expected v=<index>"), std::string::npos);
    EXPECT_NE(error_of("a.json t Cancun d=99999999999999999999999 g=0 v=0\n").find("expected d=<index>"),
              std::string::npos);
    EXPECT_NE(error_of("a.json t Cancun d=0 g=0 v=0\na.json t Cancun d=0 g=0 v=0 # again\n").find("list.txt:2: duplicate"),
              std::string::npos);
}

TEST(KnownFailures, MissingFileIsAnError) {
    EXPECT_THROW(load_known_failures("/nonexistent/known_failures.txt"), FixtureError);
}

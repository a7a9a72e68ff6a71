#include "tools/cli.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::tools;

TEST(ForkOption, CaseInsensitiveNamesAndAliases) {
    std::string error;
    EXPECT_EQ(parse_fork_option("Cancun", error), Revision::Cancun);
    EXPECT_EQ(parse_fork_option("cancun", error), Revision::Cancun);
    EXPECT_EQ(parse_fork_option("CANCUN", error), Revision::Cancun);
    EXPECT_EQ(parse_fork_option("Petersburg", error), Revision::Petersburg);
    EXPECT_EQ(parse_fork_option("ConstantinopleFix", error), Revision::Petersburg);
    EXPECT_EQ(parse_fork_option("merge", error), Revision::Paris);
    EXPECT_EQ(parse_fork_option("EIP150", error), Revision::TangerineWhistle);
    EXPECT_TRUE(error.empty());
}

TEST(ForkOption, UnknownNameListsTheKnownOnes) {
    std::string error;
    EXPECT_FALSE(parse_fork_option("Cancn", error).has_value());
    EXPECT_NE(error.find("unknown fork \"Cancn\""), std::string::npos);
    for (const auto& r : revision_table()) EXPECT_NE(error.find(std::string(r.name)), std::string::npos) << r.name;
    EXPECT_FALSE(parse_fork_option("", error).has_value());
}

TEST(ForkOption, HelpListsImplementedForks) {
    const std::string help = fork_names_help();
    EXPECT_NE(help.find("Implemented in this build: Frontier"), std::string::npos);
    EXPECT_NE(help.find(std::string(revision_name(latest_implemented_revision()))), std::string::npos);
}

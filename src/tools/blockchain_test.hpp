// Loading BlockchainTest fixtures (shared/README.md, "fixtures/blockchain/") and judging one
// case: a genesis, blocks imported in order (some to be rejected), the head and the post-state.
#pragma once

#include "chain/block_executor.hpp"
#include "chain/chain_config.hpp"
#include "state/database.hpp"
#include "tools/state_test.hpp"
#include "tools/statetest_driver.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::tools {

struct BlockchainTestBlock {
    bytes rlp;
    std::optional<std::string> expect_exception;
};

struct BlockchainTest {
    std::string name;
    std::string network;
    std::optional<ChainConfig> config;  // nullopt: a network this build does not know
    bytes genesis_rlp;
    std::vector<PreAccount> pre;
    std::vector<BlockchainTestBlock> blocks;
    Hash32 last_block_hash;
    std::optional<std::vector<PreAccount>> post_state;
    std::optional<Hash32> post_state_hash;
};

std::vector<BlockchainTest> parse_blockchain_tests(std::string_view json_text, const std::string& file_label);
std::vector<BlockchainTest> load_blockchain_test_file(const std::filesystem::path& path, const std::string& file_label);

/// Makes the database a case runs on (a fresh one per case).
using DatabaseFactory = std::function<std::unique_ptr<StateDatabase>()>;

/// `execution`: how blocks execute (`blocktest --threads`); the verdict must not depend on it.
CaseVerdict run_blockchain_test(const BlockchainTest& test, const DatabaseFactory& make_database,
                                const BlockExecutionOptions& execution = {});

}  // namespace polyvm::tools

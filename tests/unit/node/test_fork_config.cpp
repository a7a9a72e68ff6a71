// eth_config (EIP-7910) and the fork identifier (EIP-2124) it reports.
#include "node/fork_config.hpp"
#include "node_fixture.hpp"
#include "rpc/error.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::node;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

namespace {
const Hash32 kMainnetGenesis = rpc::decode_hash("0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");

ChainConfig schedule(std::vector<ForkActivation> forks) {
    ChainConfig config;
    config.forks = std::move(forks);
    return config;
}
}  // namespace

// EIP-2124's mainnet values: the fork points are block numbers there, hashed the same way.
TEST(ForkConfig, ForkHashFollowsEip2124) {
    const ChainConfig mainnet = schedule({{Revision::Frontier, 0},
                                          {Revision::Homestead, 1'150'000},
                                          {Revision::Homestead, 1'920'000},  // the DAO fork
                                          {Revision::TangerineWhistle, 2'463'000},
                                          {Revision::SpuriousDragon, 2'675'000},
                                          {Revision::Byzantium, 4'370'000},
                                          {Revision::Constantinople, 7'280'000},
                                          {Revision::Petersburg, 7'280'000}});  // one point for both
    EXPECT_EQ(fork_hash(mainnet, kMainnetGenesis, 0, 0), 0xfc64ec04u);
    EXPECT_EQ(fork_hash(mainnet, kMainnetGenesis, 0, 1'149'999), 0xfc64ec04u);
    EXPECT_EQ(fork_hash(mainnet, kMainnetGenesis, 0, 1'150'000), 0x97c2c34cu);
    EXPECT_EQ(fork_hash(mainnet, kMainnetGenesis, 0, 1'920'000), 0x91d1f948u);
    EXPECT_EQ(fork_hash(mainnet, kMainnetGenesis, 0, 8'000'000), 0x668db0afu);
}

TEST(ForkConfig, ScheduledForkIsNextAndLast) {
    ChainConfig config = schedule({{Revision::Prague, 0}, {Revision::Osaka, 15'000}});
    config.chain_id = uint256{31337};
    const rpc::json before = eth_config(config, kMainnetGenesis, 100, 14'999);
    const rpc::json& current = before["current"];
    EXPECT_EQ(current["activationTime"], 0);
    EXPECT_EQ(current["chainId"], "0x7a69");
    EXPECT_EQ(current["precompiles"].size(), 17u);  // up to BLS12_MAP_FP2_TO_G2
    EXPECT_FALSE(current["precompiles"].contains("P256VERIFY"));
    EXPECT_EQ(current["precompiles"]["BLS12_PAIRING_CHECK"], "0x000000000000000000000000000000000000000f");
    EXPECT_EQ(current["systemContracts"].size(), 5u);
    EXPECT_EQ(current["systemContracts"]["HISTORY_STORAGE_ADDRESS"], "0x0000f90827f1c53a10cb7a02335b175320002935");
    EXPECT_EQ(current["blobSchedule"]["max"], 9);  // Prague's (EIP-7691)
    EXPECT_EQ(current["forkId"], "0xfc64ec04");      // only the genesis hash: no fork after it has begun
    const rpc::json& next = before["next"];
    EXPECT_EQ(next["activationTime"], 15'000);
    EXPECT_EQ(next["precompiles"]["P256VERIFY"], "0x0000000000000000000000000000000000000100");
    EXPECT_NE(next["forkId"], current["forkId"]);
    EXPECT_EQ(before["last"], next);

    // Once the fork has begun it is the current one, and nothing is scheduled after it.
    const rpc::json after = eth_config(config, kMainnetGenesis, 100, 15'000);
    EXPECT_EQ(after["current"], next);
    EXPECT_TRUE(after["next"].is_null());
    EXPECT_TRUE(after["last"].is_null());

    EXPECT_THROW(eth_config(schedule({{Revision::Shanghai, 0}}), kMainnetGenesis, 0, 0), rpc::RpcError);
}

TEST(ForkConfig, DevelopmentNodeAnswersItsOwnConfiguration) {
    NodeFixture f;
    const rpc::json config = result_of(f.call("eth_config", rpc::json::array()));
    const rpc::json& current = config["current"];
    EXPECT_EQ(current["chainId"], result_of(f.call("eth_chainId", rpc::json::array())));
    EXPECT_EQ(current["activationTime"], 0);
    EXPECT_EQ(current["precompiles"].size(), 18u);  // Osaka: P256VERIFY too
    EXPECT_TRUE(config["next"].is_null());
    const Hash32 genesis = rpc::decode_hash(result_of(f.call("eth_getBlockByNumber", {"0x0", false}))["hash"]);
    char expected[11];
    std::snprintf(expected, sizeof expected, "0x%08x", fork_hash(f.node->chain().config(), genesis, 0, 0));
    EXPECT_EQ(current["forkId"], expected);
}

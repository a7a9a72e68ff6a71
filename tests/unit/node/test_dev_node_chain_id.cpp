// anvil_setChainId: what the node answers, what block execution sees (CHAINID), which
// signatures it accepts, and what the data dir remembers across a restart.
#include "node_fixture.hpp"

#include "common/hex.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include <unistd.h>

using namespace polyvm;
using namespace polyvm::test;

namespace {

/// Runtime code: called without data it stores CHAINID in slot 0, with data it returns CHAINID as
/// a word. CALLDATASIZE PUSH1 9 JUMPI; CHAINID PUSH1 0 SSTORE STOP; JUMPDEST CHAINID PUSH1 0
/// MSTORE PUSH1 32 PUSH1 0 RETURN.
constexpr std::string_view kChainIdCode = "0x3660095746600055005b4660005260206000f3";

}  // namespace

TEST(DevNodeChainId, NewIdAnsweredExecutedAndRequiredOfSignatures) {
    NodeFixture f;
    const Address contract = *address_from_hex("0x00000000000000000000000000000000000c4a11");
    ASSERT_TRUE(result_of(f.call("anvil_setCode", {rpc::hex(contract), kChainIdCode})).is_null());
    ASSERT_TRUE(result_of(f.call("anvil_setChainId", rpc::json::array({"0x539"}))).is_null());
    EXPECT_EQ(result_of(f.call("eth_chainId", rpc::json::array())), "0x539");
    EXPECT_EQ(result_of(f.call("net_version", rpc::json::array())), "1337");
    EXPECT_EQ(result_of(f.call("anvil_nodeInfo", rpc::json::array()))["chainId"], "0x539");

    // eth_call runs CHAINID with the new id.
    const rpc::json word = result_of(f.call("eth_call", {{{"to", rpc::hex(contract)}, {"data", "0x01"}}, "latest"}));
    EXPECT_EQ(word, "0x" + std::string(60, '0') + "0539");

    // A signature for the old id is refused with geth's message; one for the new id is mined,
    // and the block ran CHAINID with it.
    const rpc::json refused = f.send(f.signed_transaction(0, 0, contract, 100000, 0, uint256{31337}));
    ASSERT_TRUE(refused.contains("error")) << refused.dump();
    EXPECT_EQ(refused["error"]["message"], "invalid chain id");
    const uint64_t before = f.head();
    const rpc::json accepted = f.send(f.signed_transaction(0, 0, contract, 100000, 0, uint256{1337}));
    ASSERT_FALSE(accepted.contains("error")) << accepted.dump();
    EXPECT_EQ(f.head(), before + 1);
    const rpc::json receipt = result_of(f.call("eth_getTransactionReceipt", rpc::json::array({accepted["result"]})));
    EXPECT_EQ(receipt["status"], "0x1");
    EXPECT_EQ(result_of(f.call("eth_getStorageAt", {rpc::hex(contract), "0x0", "latest"})),
              "0x" + std::string(60, '0') + "0539");

    // The node's own signatures (eth_sendTransaction) use it too.
    const rpc::json request = {{"from", rpc::hex(f.node->accounts()[1].address)}, {"to", rpc::hex(contract)}, {"value", "0x1"}};
    const rpc::json hash = result_of(f.call("eth_sendTransaction", rpc::json::array({request})));
    EXPECT_EQ(result_of(f.call("eth_getTransactionByHash", rpc::json::array({hash})))["chainId"], "0x539");
}

TEST(DevNodeChainId, BadIdsLeaveItAsItWas) {
    NodeFixture f;
    for (const rpc::json& params : {rpc::json::array({"0x0"}), rpc::json::array({"lots"}), rpc::json::array(),
                                    rpc::json::array({"0x10000000000000000"})}) {
        const rpc::json answer = f.call("anvil_setChainId", params);
        ASSERT_TRUE(answer.contains("error")) << params.dump();
        EXPECT_EQ(answer["error"]["code"], -32602) << params.dump();
    }
    EXPECT_EQ(result_of(f.call("eth_chainId", rpc::json::array())), "0x7a69");
}

TEST(DevNodeChainId, DataDirRemembersIt) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("polyvm-chain-id-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    NodeOptions options;
    options.server.port = 0;
    options.quiet = true;
    options.storage.data_dir = dir.string();
    {
        DevNode node(options);
        node.start();
        ASSERT_TRUE(result_of(NodeFixture::call_on(node, "anvil_setChainId", rpc::json::array({"0x539"}))).is_null());
        node.stop();
    }
    // The old id no longer opens it; the new one does, and answers with it.
    try {
        DevNode node(options);
        ADD_FAILURE() << "a node with the old chain id opened the data dir";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("chain id 0x539"), std::string::npos) << e.what();
    }
    options.chain_id = 1337;
    {
        DevNode node(options);
        node.start();
        EXPECT_EQ(NodeFixture::call_on(node, "eth_chainId", rpc::json::array())["result"], "0x539");
        node.stop();
    }
    std::filesystem::remove_all(dir);
}

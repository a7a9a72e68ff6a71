// eth_getAccount (geth): an account's four fields as its trie leaf holds them, at any block,
// agreeing with the single-field methods and with eth_getProof.
#include "node_fixture.hpp"

#include "crypto/keccak.hpp"
#include "state/trie.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

TEST(DevNodeAccounts, GetAccountAgreesWithTheFieldMethodsAndTheProof) {
    NodeFixture f;
    const std::string sender = rpc::hex(f.node->accounts()[0].address);
    ASSERT_TRUE(f.send(f.transfer(0, 0, 12345)).contains("result"));

    const rpc::json account = result_of(f.call("eth_getAccount", {sender, "latest"}));
    EXPECT_EQ(account["balance"], result_of(f.call("eth_getBalance", {sender, "latest"})));
    EXPECT_EQ(account["nonce"], "0x1");
    EXPECT_EQ(account["codeHash"], rpc::hex(kEmptyCodeHash));
    EXPECT_EQ(account["storageRoot"], rpc::hex(kEmptyTrieRoot));
    // At the genesis: the balance before the transfer, nonce 0.
    const rpc::json before = result_of(f.call("eth_getAccount", {sender, "0x0"}));
    EXPECT_EQ(before["balance"], result_of(f.call("eth_getBalance", {sender, "0x0"})));
    EXPECT_NE(before["balance"], account["balance"]);
    EXPECT_EQ(before["nonce"], "0x0");

    // A contract with code and storage.
    const std::string contract = "0x00000000000000000000000000000000000c0de1";
    const bytes code = {0x60, 0x01, 0x60, 0x00, 0x55};
    f.call("anvil_setCode", {contract, rpc::data_hex(code)});
    f.call("anvil_setStorageAt", {contract, "0x0", "0x" + std::string(63, '0') + "7"});
    f.call("evm_mine", rpc::json::array());
    const rpc::json with_code = result_of(f.call("eth_getAccount", {contract, "latest"}));
    EXPECT_EQ(with_code["codeHash"], rpc::hex(keccak256(code)));
    EXPECT_NE(with_code["storageRoot"], rpc::hex(kEmptyTrieRoot));
    EXPECT_EQ(with_code["storageRoot"], result_of(f.call("eth_getProof", {contract, rpc::json::array(), "latest"}))["storageHash"]);

    // An address that was never used: zeros, the empty code hash and storage root.
    const rpc::json absent = result_of(f.call("eth_getAccount", {"0x00000000000000000000000000000000deadbeef", "latest"}));
    EXPECT_EQ(absent["balance"], "0x0");
    EXPECT_EQ(absent["nonce"], "0x0");
    EXPECT_EQ(absent["codeHash"], rpc::hex(kEmptyCodeHash));
    EXPECT_EQ(absent["storageRoot"], rpc::hex(kEmptyTrieRoot));

    EXPECT_EQ(f.call("eth_getAccount", {"0x1234", "latest"})["error"]["code"], -32602);
    EXPECT_EQ(f.call("eth_getAccount", {sender, "0x999"})["error"]["code"], -32000);
}

// An impersonated contract sends transactions (as Anvil and Hardhat let it: EIP-3607 is not
// applied to the node's unsigned transactions); a signed one from an account with code is still
// refused, and the impersonated one replays the same way in a trace.
TEST(DevNodeAccounts, ImpersonatedContractSends) {
    NodeFixture f;
    const std::string contract = "0x00000000000000000000000000000000000c0de1";
    ASSERT_TRUE(result_of(f.call("anvil_setCode", {contract, "0x00"})).is_null());
    ASSERT_TRUE(result_of(f.call("anvil_setBalance", {contract, "0xde0b6b3a7640000"})).is_null());
    ASSERT_TRUE(result_of(f.call("anvil_impersonateAccount", {contract})).is_null());
    const std::string recipient = rpc::hex(f.node->accounts()[1].address);
    const rpc::json tx = {{"from", contract}, {"to", recipient}, {"value", "0x5"}};
    const std::string hash = result_of(f.call("eth_sendTransaction", rpc::json::array({tx}))).get<std::string>();
    const rpc::json receipt = result_of(f.call("eth_getTransactionReceipt", {hash}));
    ASSERT_TRUE(receipt.is_object()) << "not mined";
    EXPECT_EQ(receipt["status"], "0x1");
    EXPECT_EQ(receipt["from"], contract);
    EXPECT_TRUE(result_of(f.call("debug_traceTransaction", {hash, {{"tracer", "callTracer"}}})).contains("to"));

    // A dev account given code: its signed transactions are refused (EIP-3607).
    const std::string keyed = rpc::hex(f.node->accounts()[3].address);
    ASSERT_TRUE(result_of(f.call("anvil_setCode", {keyed, "0x00"})).is_null());
    const rpc::json refused = f.send(f.transfer(3, 0));
    ASSERT_TRUE(refused.contains("error")) << refused.dump();
    EXPECT_NE(refused["error"]["message"].get<std::string>().find("sender not an eoa"), std::string::npos) << refused.dump();
}

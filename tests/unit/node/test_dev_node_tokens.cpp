// anvil_dealERC20 and anvil_setERC20Allowance on two real token builds whose storage layouts
// differ (OpenZeppelin 5's ERC20 and Uniswap V2's): the node finds the slot the getter reads,
// and the token then moves the dealt amount like any other.
#include "node_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace polyvm;
using polyvm::test::NodeFixture;
using polyvm::test::result_of;

namespace {

std::string creation_code(const std::string& fixture) {
    std::ifstream in(std::string(POLYVM_SOURCE_DIR) + "/bench/fixtures/" + fixture);
    EXPECT_TRUE(in) << fixture;
    std::stringstream text;
    text << in.rdbuf();
    std::string hex = text.str();
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
    return hex;
}

std::string word(const std::string& hex_without_prefix) { return std::string(64 - hex_without_prefix.size(), '0') + hex_without_prefix; }
std::string address_word(const std::string& address) { return word(address.substr(2)); }

struct Token {
    NodeFixture& f;
    std::string address;

    /// Deploys `fixture`'s creation code with a uint256 constructor argument (the supply, minted to the deployer).
    Token(NodeFixture& fixture, const std::string& code, const std::string& deployer) : f(fixture) {
        const rpc::json tx = {{"from", deployer}, {"data", "0x" + creation_code(code) + word("3635c9adc5dea00000")}};  // 1,000 tokens
        const std::string hash = result_of(f.call("eth_sendTransaction", rpc::json::array({tx}))).get<std::string>();
        address = result_of(f.call("eth_getTransactionReceipt", {hash}))["contractAddress"].get<std::string>();
    }
    uint256 view(const std::string& data) {
        const rpc::json call = {{"to", address}, {"data", data}};
        return *uint256::from_string(result_of(f.call("eth_call", rpc::json::array({call, "latest"}))).get<std::string>());
    }
    uint256 balance_of(const std::string& holder) { return view("0x70a08231" + address_word(holder)); }
    uint256 allowance(const std::string& owner, const std::string& spender) {
        return view("0xdd62ed3e" + address_word(owner) + address_word(spender));
    }
    rpc::json send(const std::string& from, const std::string& data) {
        const rpc::json tx = {{"from", from}, {"to", address}, {"data", data}};
        const std::string hash = result_of(f.call("eth_sendTransaction", rpc::json::array({tx}))).get<std::string>();
        return result_of(f.call("eth_getTransactionReceipt", {hash}));
    }
};

void deal_and_spend(const std::string& code) {
    NodeFixture f;
    const auto account = [&](size_t i) { return rpc::hex(f.node->accounts()[i].address); };
    Token token(f, code, account(0));
    const uint256 supply = token.balance_of(account(0));
    ASSERT_EQ(supply, *uint256::from_string("1000000000000000000000"));

    ASSERT_TRUE(result_of(f.call("anvil_dealERC20", {account(5), token.address, "0x3039"})).is_null());  // 12,345
    EXPECT_EQ(token.balance_of(account(5)), uint256{12345});
    EXPECT_EQ(token.balance_of(account(0)), supply);
    // Setting it again replaces it (zero included).
    ASSERT_TRUE(result_of(f.call("anvil_dealERC20", {account(5), token.address, "0x2710"})).is_null());
    EXPECT_EQ(token.balance_of(account(5)), uint256{10000});

    // The dealt tokens move like any other: transfer(account 6, 100) from account 5.
    EXPECT_EQ(token.send(account(5), "0xa9059cbb" + address_word(account(6)) + word("64"))["status"], "0x1");
    EXPECT_EQ(token.balance_of(account(5)), uint256{9900});
    EXPECT_EQ(token.balance_of(account(6)), uint256{100});

    // An allowance, then spent by the spender with transferFrom(account 5, account 7, 50).
    ASSERT_TRUE(result_of(f.call("anvil_setERC20Allowance", {account(5), account(6), token.address, "0x309"})).is_null());  // 777
    EXPECT_EQ(token.allowance(account(5), account(6)), uint256{777});
    EXPECT_EQ(token.allowance(account(6), account(5)), uint256{0});
    EXPECT_EQ(token.send(account(6), "0x23b872dd" + address_word(account(5)) + address_word(account(7)) + word("32"))["status"], "0x1");
    EXPECT_EQ(token.balance_of(account(7)), uint256{50});
    EXPECT_EQ(token.allowance(account(5), account(6)), uint256{727});

    // Not a token: an account without code, and a parameter missing.
    const rpc::json not_a_token = f.call("anvil_dealERC20", {account(5), account(8), "0x1"});
    EXPECT_EQ(not_a_token["error"]["code"], -32000);  // Anvil answers -32603, which polyvm keeps for its own faults
    EXPECT_NE(not_a_token["error"]["message"].get<std::string>().find("Unable to set ERC20 balance"), std::string::npos);
    EXPECT_EQ(f.call("anvil_dealERC20", {account(5), token.address})["error"]["code"], -32602);
    // A "token" whose balanceOf answers a constant (PUSH1 5, return it): no slot to set.
    const std::string constant = "0x00000000000000000000000000000000000c0457";
    ASSERT_TRUE(result_of(f.call("anvil_setCode", {constant, "0x600560005260206000f3"})).is_null());
    const rpc::json no_slot = f.call("anvil_dealERC20", {account(5), constant, "0x1"});
    EXPECT_EQ(no_slot["error"]["code"], -32000);
    EXPECT_NE(no_slot["error"]["message"].get<std::string>().find("no storage slot"), std::string::npos) << no_slot.dump();
}
}  // namespace

TEST(DevNodeTokens, DealAndAllowanceOnOpenZeppelinErc20) { deal_and_spend("TestToken.creation.hex"); }
TEST(DevNodeTokens, DealAndAllowanceOnUniswapV2Erc20) { deal_and_spend("uniswap/ERC20.creation.hex"); }

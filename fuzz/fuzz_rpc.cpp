// JSON-RPC requests to the development node: parsing and dispatch over a fresh in-memory chain
// (one per process, put back with evm_snapshot/evm_revert after every input). Never a crash, and
// every answer is a JSON-RPC 2.0 response (or a batch of them) with a result or an error; never
// an internal error (-32603): that is what a method's unexpected exception becomes, and bad
// input must get an error that names what was wrong (-32602, -32000, ...).
// Input: method (1 byte: one of the node's methods, in kMethods' order modulo their number, or
// 255: the whole input is the body) || the request's params as JSON text.
#include "fuzz_target.hpp"

#include "node/dev_node.hpp"

#include <nlohmann/json.hpp>

#include <iterator>
#include <memory>
#include <string>
#include <string_view>

using namespace polyvm;
using json = nlohmann::json;

namespace {

constexpr std::string_view kMethods[] = {
    "web3_clientVersion", "web3_sha3", "net_version", "net_listening", "net_peerCount", "eth_chainId", "eth_syncing",
    "eth_mining", "eth_hashrate", "eth_coinbase", "eth_accounts", "eth_blockNumber", "eth_gasPrice",
    "eth_maxPriorityFeePerGas", "eth_blobBaseFee", "eth_feeHistory", "eth_getBalance", "eth_getCode", "eth_getStorageAt",
    "eth_getTransactionCount", "eth_getProof", "eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1",
    "eth_sendTransaction", "eth_sendRawTransaction", "eth_sign", "personal_sign", "eth_signTypedData",
    "eth_signTypedData_v4", "eth_signTransaction", "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getBlockReceipts",
    "eth_getBlockTransactionCountByNumber", "eth_getBlockTransactionCountByHash", "eth_getTransactionByHash",
    "eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionByBlockHashAndIndex", "eth_getTransactionReceipt",
    "eth_getUncleCountByBlockNumber", "eth_getUncleCountByBlockHash", "eth_getUncleByBlockNumberAndIndex",
    "eth_getUncleByBlockHashAndIndex", "eth_getLogs", "eth_newFilter", "eth_newBlockFilter",
    "eth_newPendingTransactionFilter", "eth_getFilterChanges", "eth_getFilterLogs", "eth_uninstallFilter",
    "eth_subscribe", "eth_unsubscribe", "debug_traceTransaction", "debug_traceCall", "debug_traceBlockByNumber",
    "debug_traceBlockByHash", "trace_transaction", "trace_block", "anvil_setBalance", "anvil_setCode", "anvil_setNonce",
    "anvil_setStorageAt", "anvil_impersonateAccount", "anvil_stopImpersonatingAccount", "anvil_autoImpersonateAccount",
    "anvil_mine", "evm_mine", "evm_snapshot", "evm_revert", "evm_increaseTime", "evm_setNextBlockTimestamp",
    "anvil_setNextBlockBaseFeePerGas", "anvil_setMinGasPrice", "anvil_setCoinbase", "evm_setAutomine",
    "evm_setIntervalMining", "evm_setBlockGasLimit", "anvil_dropTransaction", "anvil_dropAllTransactions", "anvil_reset",
    "anvil_dumpState", "anvil_loadState", "anvil_nodeInfo", "anvil_metadata", "anvil_getAutomine", "anvil_increaseTime",
    "anvil_setNextBlockTimestamp", "anvil_setAutomine", "anvil_setIntervalMining", "anvil_setBlockGasLimit",
    "anvil_snapshot", "anvil_revert", "hardhat_setBalance", "hardhat_setCode", "hardhat_mine", "hardhat_reset",
    "hardhat_metadata", "evm_setAccountNonce", "hardhat_impersonateAccount", "hardhat_setStorageAt",
    "hardhat_getAutomine", "hardhat_dropTransaction", "no_such_method",
    // Added since the list began, appended: an input whose first byte is below the old count
    // keeps its method.
    "txpool_status", "txpool_content", "txpool_contentFrom", "txpool_inspect", "anvil_addBalance",
    "anvil_removePoolTransactions", "anvil_setBlockTimestampInterval", "anvil_removeBlockTimestampInterval",
    "anvil_setLoggingEnabled", "eth_sendUnsignedTransaction", "evm_mine_detailed", "evm_setTime",
    "hardhat_setPrevRandao", "eth_getRawTransactionByHash", "anvil_rollback", "anvil_reorg", "eth_getAccount",
    "eth_config", "anvil_dealERC20", "anvil_setERC20Allowance", "eth_fillTransaction",
    "trace_filter", "ots_getApiLevel", "ots_hasCode", "ots_getBlockDetails", "ots_getBlockDetailsByHash",
    "ots_getBlockTransactions", "ots_getTransactionError", "ots_traceTransaction", "ots_getInternalOperations",
    "ots_getTransactionBySenderAndNonce", "ots_getContractCreator", "ots_searchTransactionsBefore",
    "ots_searchTransactionsAfter", "anvil_setChainId",
};

struct Node {
    std::unique_ptr<node::DevNode> dev;
    std::string snapshot;
    Node() {
        node::NodeOptions options;
        options.server.port = 0;
        options.storage.in_memory = true;
        options.quiet = true;
        dev = std::make_unique<node::DevNode>(options);
        dev->start();
        take_snapshot();
    }
    std::string call(const std::string& body) { return dev->handle(body, rpc::CallContext{}); }
    void take_snapshot() {
        snapshot = json::parse(call(R"({"jsonrpc":"2.0","id":1,"method":"evm_snapshot","params":[]})"))["result"].get<std::string>();
    }
    /// Back to the chain as it was before the input; automine on, as the input may have set it off.
    void restore() {
        call(R"({"jsonrpc":"2.0","id":1,"method":"evm_revert","params":[")" + snapshot + R"("]})");
        call(R"({"jsonrpc":"2.0","id":1,"method":"evm_setAutomine","params":[true]})");
        call(R"({"jsonrpc":"2.0","id":1,"method":"evm_setIntervalMining","params":[0]})");
        take_snapshot();
    }
};

void check_response(const json& response) {
    FUZZ_CHECK(response.is_object(), "a response is an object");
    FUZZ_CHECK(response.value("jsonrpc", "") == "2.0", "a response says jsonrpc 2.0");
    const bool has_result = response.contains("result"), has_error = response.contains("error");
    FUZZ_CHECK(has_result != has_error, "a response has a result or an error");
    if (has_error) {
        const json& error = response["error"];
        FUZZ_CHECK(error.is_object() && error.contains("code") && error["code"].is_number_integer(), "an error has a code");
        FUZZ_CHECK(error.contains("message") && error["message"].is_string(), "an error has a message");
        if (error["code"].get<int64_t>() == -32603)
            std::fprintf(stderr, "internal error: %s\n", error["message"].get<std::string>().c_str());
        FUZZ_CHECK(error["code"].get<int64_t>() != -32603, "bad input gets a named error, not an internal one");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    static Node node;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string body;
    if (data[0] == 255) {
        body = std::string(rest);
    } else {
        const std::string_view method = kMethods[data[0] % std::size(kMethods)];
        body = R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(method) + R"(","params":)" + std::string(rest) + "}";
    }
    const std::string answer = node.call(body);
    if (!answer.empty()) {
        const json response = json::parse(answer, nullptr, /*allow_exceptions=*/false);
        FUZZ_CHECK(!response.is_discarded(), "the answer is JSON");
        if (response.is_array()) {
            for (const json& one : response) check_response(one);
        } else {
            check_response(response);
        }
    }
    node.restore();
    return 0;
}

#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_rpc: for each method of the target's list, params as ethers,
viem and the node's own tests send them (the first dev account, blocks by tag, number and hash,
a call object, a typed-data document), plus a few whole bodies (batches, notifications).
usage: fuzz/seeds/rpc_seeds.py fuzz/fuzz_rpc.cpp fuzz/corpus/fuzz_rpc"""
import hashlib, json, os, re, sys

source, out = sys.argv[1], sys.argv[2]
text = open(source).read()
block = text[text.index('kMethods[] = {'):text.index('};', text.index('kMethods[] = {'))]
methods = re.findall(r'"([A-Za-z0-9_]+)"', block)
A0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
A1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
H = "0x" + "ab" * 32
CALL = {"from": A0, "to": A1, "data": "0x70a08231" + "00" * 12 + A0[2:], "gas": "0x5208", "value": "0x1"}
TYPED = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}], "Mail": [{"name": "x", "type": "uint256"}]},
         "primaryType": "Mail", "domain": {"name": "d"}, "message": {"x": "7"}}
params = {
    "web3_sha3": [["0x68656c6c6f"]], "eth_feeHistory": [["0x4", "latest", [25, 75]]],
    "eth_getBalance": [[A0, "latest"], [A0, {"blockNumber": "0x0"}]], "eth_getCode": [[A1, "latest"]],
    "eth_getStorageAt": [[A1, "0x0", "latest"]], "eth_getTransactionCount": [[A0, "pending"]],
    "eth_getProof": [[A0, ["0x0", "0x1"], "latest"]],
    "eth_call": [[CALL, "latest"], [CALL, "latest", {A1: {"code": "0x600160005260206000f3"}}]],
    "eth_estimateGas": [[CALL]], "eth_createAccessList": [[CALL, "latest"]],
    "eth_simulateV1": [[{"blockStateCalls": [{"calls": [CALL]}]}, "latest"]],
    "eth_sendTransaction": [[{"from": A0, "to": A1, "value": "0x1"}]],
    "eth_sendRawTransaction": [["0x02f86c827a6980843b9aca00847735940082520894" + A1[2:] + "0180c001a0" + "11" * 32 + "a0" + "22" * 32]],
    "eth_sign": [[A0, "0x68656c6c6f"]], "personal_sign": [["0x68656c6c6f", A0]],
    "eth_signTypedData": [[A0, TYPED]], "eth_signTypedData_v4": [[A0, json.dumps(TYPED)]],
    "eth_signTransaction": [[{"from": A0, "to": A1, "value": "0x1", "gas": "0x5208"}]],
    "eth_getBlockByNumber": [["latest", True], ["0x0", False], ["earliest", False]],
    "eth_getBlockByHash": [[H, False]], "eth_getBlockReceipts": [["latest"]],
    "eth_getBlockTransactionCountByNumber": [["latest"]], "eth_getBlockTransactionCountByHash": [[H]],
    "eth_getTransactionByHash": [[H]], "eth_getTransactionByBlockNumberAndIndex": [["latest", "0x0"]],
    "eth_getTransactionByBlockHashAndIndex": [[H, "0x0"]], "eth_getTransactionReceipt": [[H]],
    "eth_getUncleCountByBlockNumber": [["latest"]], "eth_getUncleCountByBlockHash": [[H]],
    "eth_getUncleByBlockNumberAndIndex": [["latest", "0x0"]], "eth_getUncleByBlockHashAndIndex": [[H, "0x0"]],
    "eth_getLogs": [[{"fromBlock": "0x0", "toBlock": "latest", "address": A1, "topics": [[H], None]}]],
    "eth_newFilter": [[{"fromBlock": "earliest"}]], "eth_getFilterChanges": [["0x1"]], "eth_getFilterLogs": [["0x1"]],
    "eth_uninstallFilter": [["0x1"]], "eth_subscribe": [["newHeads"]], "eth_unsubscribe": [["0x1"]],
    "debug_traceTransaction": [[H, {"tracer": "callTracer"}]],
    "debug_traceCall": [[CALL, "latest", {"enableMemory": True}], [CALL, "latest", {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}]],
    "debug_traceBlockByNumber": [["latest", {}]], "debug_traceBlockByHash": [[H, {}]],
    "trace_transaction": [[H]], "trace_block": [["latest"]],
    "anvil_setBalance": [[A1, "0x1000"]], "anvil_setCode": [[A1, "0x6001600055"]], "anvil_setNonce": [[A1, "0x5"]],
    "anvil_setStorageAt": [[A1, "0x0", "0x" + "00" * 31 + "01"]], "anvil_impersonateAccount": [[A1]],
    "anvil_stopImpersonatingAccount": [[A1]], "anvil_autoImpersonateAccount": [[True]],
    "anvil_mine": [["0x2", "0x1"]], "evm_mine": [[{"timestamp": 2000000000}], []], "evm_revert": [["0x1"]],
    "evm_increaseTime": [[60]], "evm_setNextBlockTimestamp": [[2000000000]],
    "anvil_setNextBlockBaseFeePerGas": [["0x3b9aca00"]], "anvil_setMinGasPrice": [["0x1"]], "anvil_setCoinbase": [[A1]], "anvil_setChainId": [["0x539"]],
    "evm_setAutomine": [[False]], "evm_setIntervalMining": [[0]], "evm_setBlockGasLimit": [["0x1c9c380"]],
    "anvil_dropTransaction": [[H]], "anvil_reset": [[]], "anvil_dumpState": [[]],
    "anvil_loadState": [["0x"]], "hardhat_mine": [["0x3"]], "evm_setAccountNonce": [[A1, "0x2"]],
}
os.makedirs(out, exist_ok=True)
def put(blob):
    open(os.path.join(out, hashlib.sha1(blob).hexdigest()), "wb").write(blob)
for index, method in enumerate(methods):
    for p in params.get(method, [[]]):
        put(bytes([index]) + json.dumps(p).encode())
for body in ['[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_blockNumber"}]',
             '{"jsonrpc":"2.0","method":"eth_chainId","params":[]}', '[]', '{"jsonrpc":"2.0","id":[1],"method":"eth_chainId"}']:
    put(bytes([255]) + body.encode())

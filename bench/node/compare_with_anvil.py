#!/usr/bin/env python3
"""Compares polyvm node with Anvil: the same sequence of calls against a fresh node of each, then
prints every call whose answers differ in kind (error or result), in error code or message, or in
the shape of the result (keys, and hex string / number / string per field). A development aid, not
a test: some differences are deliberate (geth's messages and codes where Anvil has its own).
  python3 bench/node/compare_with_anvil.py build/polyvm /tmp/anvil/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
"""
import json, os, subprocess, sys, time, urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc_tool  # noqa: E402  (the benchmark's JSON-RPC helpers)


def post(url, method, params):
    try:
        return rpc_tool.request(url, method, params, timeout=10)
    except urllib.error.HTTPError as e:
        return {"http_error": e.code, "body": e.read().decode()[:200]}


def start(cmd):
    url = "http://127.0.0.1:%d" % rpc_tool.pick_free_port()
    p = subprocess.Popen(cmd + ["--port", url.rsplit(":", 1)[1]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if rpc_tool.wait_ready(url, 10) != 0:
        p.terminate()
        raise SystemExit("node did not start: %s" % cmd)
    return p, url

A0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
A1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
data = "08c379a0" + "%064x" % 32 + "%064x" % 4 + "6e6f7065" + "00" * 28
runtime = "6064600c60003960646000fd" + data
init = "60%02x600c60003960%02x6000f3" % (len(runtime)//2, len(runtime)//2) + runtime

def scenario(url):
    out = []
    r = lambda name, m, p: out.append((name, post(url, m, p)))
    r("chainId", "eth_chainId", [])
    r("block0", "eth_getBlockByNumber", ["0x0", False])
    r("latest_full", "eth_getBlockByNumber", ["latest", True])
    r("pending", "eth_getBlockByNumber", ["pending", False])
    r("finalized", "eth_getBlockByNumber", ["finalized", False])
    r("earliest", "eth_getBlockByNumber", ["earliest", False])
    r("missing_block", "eth_getBlockByNumber", ["0x99", False])
    tx = post(url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
    out.append(("send", tx))
    h = tx.get("result")
    r("receipt", "eth_getTransactionReceipt", [h])
    r("tx", "eth_getTransactionByHash", [h])
    r("block1_full", "eth_getBlockByNumber", ["0x1", True])
    r("block_receipts", "eth_getBlockReceipts", ["latest"])
    r("nonce_too_low", "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1", "nonce": "0x0"}])
    r("insufficient", "eth_sendTransaction", [{"from": A1, "to": A0, "value": "0xffffffffffffffffffffffffffffffffff"}])
    dep = post(url, "eth_sendTransaction", [{"from": A0, "data": "0x" + init}])
    rc = post(url, "eth_getTransactionReceipt", [dep.get("result")])
    addr = (rc.get("result") or {}).get("contractAddress")
    r("deploy_receipt", "eth_getTransactionReceipt", [dep.get("result")])
    r("call_revert", "eth_call", [{"to": addr, "data": "0x"}, "latest"])
    r("estimate_revert", "eth_estimateGas", [{"from": A0, "to": addr, "data": "0x"}])
    r("send_revert", "eth_sendTransaction", [{"from": A0, "to": addr, "gas": "0x30000"}])
    r("estimate_transfer", "eth_estimateGas", [{"from": A0, "to": A1, "value": "0x1"}])
    r("unknown_method", "eth_foo", [])
    r("bad_address", "eth_getBalance", ["0x1234", "latest"])
    r("bad_block_tag", "eth_getBalance", [A0, "lastest"])
    r("missing_params", "eth_getBalance", [])
    r("storage_short_key", "eth_getStorageAt", [A0, "0x0", "latest"])
    r("code_eoa", "eth_getCode", [A0, "latest"])
    r("fee_history", "eth_feeHistory", ["0x2", "latest", [25, 75]])
    r("fee_history_none", "eth_feeHistory", ["0x2", "latest"])
    r("gas_price", "eth_gasPrice", [])
    r("max_priority", "eth_maxPriorityFeePerGas", [])
    r("blob_base_fee", "eth_blobBaseFee", [])
    r("syncing", "eth_syncing", [])
    r("tx_missing", "eth_getTransactionByHash", ["0x" + "11" * 32])
    r("receipt_missing", "eth_getTransactionReceipt", ["0x" + "11" * 32])
    r("by_index_missing", "eth_getTransactionByBlockNumberAndIndex", ["latest", "0x5"])
    r("logs_range", "eth_getLogs", [{"fromBlock": "0x5", "toBlock": "0x1"}])
    r("logs_future", "eth_getLogs", [{"fromBlock": "0x100", "toBlock": "0x200"}])
    r("uncle_count", "eth_getUncleCountByBlockNumber", ["latest"])
    r("access_list", "eth_createAccessList", [{"from": A0, "to": A1, "value": "0x1"}])
    r("sign", "eth_sign", [A0, "0xdeadbeef"])
    r("personal_sign", "personal_sign", ["0xdeadbeef", A0])
    r("sign_unknown", "eth_sign", ["0x" + "12" * 20, "0xdeadbeef"])
    r("send_unknown_from", "eth_sendTransaction", [{"from": "0x" + "12" * 20, "to": A1}])
    r("snapshot", "evm_snapshot", [])
    r("mine", "evm_mine", [])
    r("revert", "evm_revert", ["0x1"])
    r("revert_again", "evm_revert", ["0x1"])
    r("set_balance", "anvil_setBalance", [A1, "0x10"])
    r("balance_after", "eth_getBalance", [A1, "latest"])
    r("mine_n", "anvil_mine", ["0x3", "0x10"])
    r("block_number", "eth_blockNumber", [])
    r("increase_time", "evm_increaseTime", [100])
    r("set_next_ts", "evm_setNextBlockTimestamp", ["0x7fffffff"])
    r("impersonate", "anvil_impersonateAccount", ["0x" + "12" * 20])
    r("raw_bad", "eth_sendRawTransaction", ["0x1234"])
    r("call_no_to_data", "eth_call", [{"from": A0}, "latest"])
    r("get_proof", "eth_getProof", [A0, ["0x0"], "latest"])
    r("net_version", "net_version", [])
    r("client", "web3_clientVersion", [])
    return out

A2 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
STRANGER = "0x" + "ab" * 20

def scenario_dev(url):
    """Dev methods, filters, traces, signing and block parameters."""
    out = []
    r = lambda name, m, p: out.append((name, post(url, m, p)))
    val = lambda m, p: post(url, m, p).get("result")
    r("accounts", "eth_accounts", [])
    r("mining", "eth_mining", [])
    r("listening", "net_listening", [])
    r("peer_count", "net_peerCount", [])
    r("sha3", "web3_sha3", ["0x68656c6c6f"])
    r("coinbase", "eth_coinbase", [])
    r("block_filter", "eth_newBlockFilter", [])
    r("pending_filter", "eth_newPendingTransactionFilter", [])
    r("log_filter", "eth_newFilter", [{"fromBlock": "0x0"}])
    block_filter = val("eth_newBlockFilter", [])
    log_filter = val("eth_newFilter", [{}])
    h = val("eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x5"}])
    post(url, "evm_mine", [])
    r("block_filter_changes", "eth_getFilterChanges", [block_filter])
    r("log_filter_changes", "eth_getFilterChanges", [log_filter])
    r("filter_logs", "eth_getFilterLogs", [log_filter])
    r("uninstall", "eth_uninstallFilter", [log_filter])
    r("uninstall_again", "eth_uninstallFilter", [log_filter])
    r("changes_unknown", "eth_getFilterChanges", ["0x1234"])
    blk = val("eth_getBlockByNumber", ["0x1", False]) or {}
    bh = blk.get("hash")
    r("count_by_number", "eth_getBlockTransactionCountByNumber", ["0x1"])
    r("count_by_hash", "eth_getBlockTransactionCountByHash", [bh])
    r("count_missing", "eth_getBlockTransactionCountByNumber", ["0x999"])
    r("by_hash_index", "eth_getTransactionByBlockHashAndIndex", [bh, "0x0"])
    r("uncle_by_hash", "eth_getUncleCountByBlockHash", [bh])
    r("block_by_hash", "eth_getBlockByHash", [bh, True])
    r("block_by_hash_missing", "eth_getBlockByHash", ["0x" + "22" * 32, False])
    r("get_account", "eth_getAccount", [A1, "latest"])
    r("get_account_absent", "eth_getAccount", [STRANGER, "0x1"])
    r("eip1898_hash", "eth_getBalance", [A1, {"blockHash": bh}])
    r("eip1898_number", "eth_getBalance", [A1, {"blockNumber": "0x1"}])
    r("eip1898_canonical", "eth_getBalance", [A1, {"blockHash": bh, "requireCanonical": True}])
    r("eip1898_unknown", "eth_getBalance", [A1, {"blockHash": "0x" + "22" * 32}])
    r("balance_future", "eth_getBalance", [A1, "0x999"])
    r("nonce_pending", "eth_getTransactionCount", [A0, "pending"])
    r("nonce_safe", "eth_getTransactionCount", [A0, "safe"])
    # Traces of the transfer above.
    r("trace_default", "debug_traceTransaction", [h])
    r("trace_call_tracer", "debug_traceTransaction", [h, {"tracer": "callTracer"}])
    r("trace_prestate", "debug_traceTransaction", [h, {"tracer": "prestateTracer"}])
    r("trace_prestate_diff", "debug_traceTransaction", [h, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}])
    r("trace_unknown_tracer", "debug_traceTransaction", [h, {"tracer": "fooTracer"}])
    r("trace_missing_tx", "debug_traceTransaction", ["0x" + "33" * 32])
    r("trace_call", "debug_traceCall", [{"from": A0, "to": A1, "value": "0x1"}, "latest"])
    r("trace_call_calltracer", "debug_traceCall", [{"from": A0, "to": A1, "value": "0x1"}, "latest", {"tracer": "callTracer"}])
    r("trace_block", "debug_traceBlockByNumber", ["0x1"])
    r("trace_block_hash", "debug_traceBlockByHash", [bh, {"tracer": "callTracer"}])
    r("parity_trace_tx", "trace_transaction", [h])
    r("parity_trace_block", "trace_block", ["0x1"])
    # Signing.
    typed = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"}],
                       "Mail": [{"name": "contents", "type": "string"}]},
             "primaryType": "Mail", "domain": {"name": "Test", "chainId": 31337}, "message": {"contents": "hi"}}
    r("typed_data", "eth_signTypedData_v4", [A0, typed])
    r("typed_data_string", "eth_signTypedData_v4", [A0, json.dumps(typed)])
    r("sign_tx", "eth_signTransaction", [{"from": A0, "to": A1, "value": "0x1", "gas": "0x5208", "nonce": "0x1",
                                           "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x1"}])
    raw = val("eth_signTransaction", [{"from": A0, "to": A1, "value": "0x1", "gas": "0x5208", "nonce": "0x1",
                                       "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x1"}])
    r("send_signed", "eth_sendRawTransaction", [raw])
    r("send_signed_again", "eth_sendRawTransaction", [raw])
    # Dev methods and their aliases.
    r("hh_set_balance", "hardhat_setBalance", [A2, "0x1234"])
    r("set_code", "anvil_setCode", [STRANGER, "0x6000"])
    r("hh_set_code", "hardhat_setCode", [STRANGER, "0x600160005260206000f3"])
    r("code_after", "eth_getCode", [STRANGER, "latest"])
    r("set_nonce", "anvil_setNonce", [STRANGER, "0x7"])
    r("hh_set_nonce", "hardhat_setNonce", [STRANGER, "0x8"])
    r("nonce_after", "eth_getTransactionCount", [STRANGER, "latest"])
    r("set_storage", "anvil_setStorageAt", [STRANGER, "0x0", "0x" + "00" * 31 + "05"])
    r("hh_set_storage", "hardhat_setStorageAt", [STRANGER, "0x1", "0x" + "00" * 31 + "06"])
    r("storage_after", "eth_getStorageAt", [STRANGER, "0x1", "latest"])
    r("set_storage_short", "anvil_setStorageAt", [STRANGER, "0x0", "0x05"])
    r("hh_impersonate", "hardhat_impersonateAccount", [STRANGER])
    post(url, "anvil_setBalance", [STRANGER, "0xde0b6b3a7640000"])
    r("send_impersonated", "eth_sendTransaction", [{"from": STRANGER, "to": A1, "value": "0x1"}])
    r("stop_impersonating", "anvil_stopImpersonatingAccount", [STRANGER])
    r("send_after_stop", "eth_sendTransaction", [{"from": STRANGER, "to": A1, "value": "0x1"}])
    r("auto_impersonate", "anvil_autoImpersonateAccount", [True])
    r("send_auto", "eth_sendTransaction", [{"from": STRANGER, "to": A1, "value": "0x1"}])
    r("auto_impersonate_off", "anvil_autoImpersonateAccount", [False])
    r("set_automine_off", "evm_setAutomine", [False])
    r("get_automine", "anvil_getAutomine", [])
    pending_hash = val("eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x2"}])
    r("pending_receipt", "eth_getTransactionReceipt", [pending_hash])
    r("pending_tx", "eth_getTransactionByHash", [pending_hash])
    r("pending_block", "eth_getBlockByNumber", ["pending", True])
    r("txpool_status", "txpool_status", [])
    r("drop", "anvil_dropTransaction", [pending_hash])
    r("dropped_tx", "eth_getTransactionByHash", [pending_hash])
    r("set_automine_on", "evm_setAutomine", [True])
    r("interval_mining", "evm_setIntervalMining", [0])
    r("block_gas_limit", "evm_setBlockGasLimit", ["0x1c9c380"])
    r("next_base_fee", "anvil_setNextBlockBaseFeePerGas", ["0x3b9aca00"])
    r("min_gas_price", "anvil_setMinGasPrice", ["0x1"])
    r("set_coinbase", "anvil_setCoinbase", [A2])
    r("coinbase_after", "eth_coinbase", [])
    r("evm_mine_ts", "evm_mine", [0x7ffffff0])
    r("block_after_ts", "eth_getBlockByNumber", ["latest", False])
    r("hh_mine", "hardhat_mine", ["0x2", "0x5"])
    r("anvil_mine_none", "anvil_mine", [])
    r("node_info", "anvil_nodeInfo", [])
    r("metadata", "anvil_metadata", [])
    r("hh_metadata", "hardhat_metadata", [])
    r("dump", "anvil_dumpState", [])
    r("snapshot", "evm_snapshot", [])
    r("revert_unknown", "evm_revert", ["0x99"])
    r("simulate", "eth_simulateV1", [{"blockStateCalls": [{"calls": [{"from": A0, "to": A1, "value": "0x1"}]}]}, "latest"])
    r("call_state_override", "eth_call", [{"to": STRANGER, "data": "0x"}, "latest", {STRANGER: {"code": "0x60ff60005260206000f3"}}])
    r("call_block_override", "eth_call", [{"to": STRANGER, "data": "0x"}, "latest", {}, {"number": "0x1234"}])
    r("estimate_override", "eth_estimateGas", [{"from": A0, "to": A1, "value": "0x1"}, "latest", {A0: {"balance": "0x0"}}])
    r("estimate_block_override", "eth_estimateGas", [{"from": A0, "to": A1, "value": "0x1"}, "latest", None, {"gasLimit": "0xc350"}])
    r("estimate_block_override_low", "eth_estimateGas", [{"from": A0, "to": A1, "value": "0x1"}, "latest", None, {"gasLimit": "0x4e20"}])
    # Rollback and reorg (the chain is a few blocks long by now).
    r("rollback", "anvil_rollback", [1])
    r("rollback_default", "anvil_rollback", [None])
    r("rollback_too_deep", "anvil_rollback", [10**6])
    r("number_after_rollback", "eth_blockNumber", [])
    r("reorg", "anvil_reorg", [2, [[{"from": A0, "to": A1, "value": "0x3"}, 0], [{"from": A0, "to": A1, "value": "0x4"}, 1]]])
    r("number_after_reorg", "eth_blockNumber", [])
    r("reorged_block", "eth_getBlockByNumber", ["latest", True])
    r("reorg_past_depth", "anvil_reorg", [1, [[{"from": A0, "to": A1}, 1]]])
    r("reorg_too_deep", "anvil_reorg", [10**6, []])
    r("set_chain_id", "anvil_setChainId", [1337])  # Anvil takes a JSON number only; polyvm also a quantity
    r("chain_id_after", "eth_chainId", [])
    r("net_version_after", "net_version", [])
    r("send_after_chain_id", "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x5"}])
    r("set_chain_id_zero", "anvil_setChainId", [0])
    r("reset", "anvil_reset", [])
    r("number_after_reset", "eth_blockNumber", [])
    return out

def scenario_tokens(url):
    out = []
    r = lambda name, m, p: out.append((name, post(url, m, p)))
    # OpenZeppelin's ERC20 (bench/fixtures): a balance and an allowance set directly; eth_config.
    here = os.path.dirname(os.path.abspath(__file__))
    code = open(os.path.join(here, "..", "fixtures", "TestToken.creation.hex")).read().strip()
    dep = post(url, "eth_sendTransaction", [{"from": A0, "data": "0x" + code + "%064x" % 10**21}])
    receipt = None
    for _ in range(50):  # Anvil answers the hash before the block is mined
        receipt = post(url, "eth_getTransactionReceipt", [dep.get("result")]).get("result")
        if receipt: break
        time.sleep(0.1)
    token = (receipt or {}).get("contractAddress")
    r("deal_erc20", "anvil_dealERC20", [A1, token, "0x3039"])
    r("deal_balance", "eth_call", [{"to": token, "data": "0x70a08231" + "0" * 24 + A1[2:]}, "latest"])
    r("set_allowance", "anvil_setERC20Allowance", [A1, A0, token, "0x309"])
    r("allowance", "eth_call", [{"to": token, "data": "0xdd62ed3e" + "0" * 24 + A1[2:] + "0" * 24 + A0[2:]}, "latest"])
    r("deal_not_a_token", "anvil_dealERC20", [A1, A1, "0x1"])
    r("eth_config", "eth_config", [])
    r("fill", "eth_fillTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
    r("fill_legacy", "eth_fillTransaction", [{"from": A1, "to": A0, "gasPrice": "0x3b9aca00", "nonce": "0x9"}])
    r("fill_no_from", "eth_fillTransaction", [{"to": A0}])
    r("trace_filter", "trace_filter", [{"fromBlock": "0x0", "toBlock": "0x9"}])
    r("trace_filter_addresses", "trace_filter", [{"fromAddress": [A0], "toAddress": [A1], "after": 0, "count": 5}])
    r("trace_filter_range", "trace_filter", [{"fromBlock": "0x3", "toBlock": "0x1"}])
    return out

def scenario_otterscan(url):
    out = []
    r = lambda name, m, p: out.append((name, post(url, m, p)))
    def mined(h):
        for _ in range(50):
            rc = post(url, "eth_getTransactionReceipt", [h]).get("result")
            if rc: return rc
            time.sleep(0.1)
        return {}
    A2 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
    t1 = post(url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1", "data": "0xa9059cbb00112233"}]).get("result")
    mined(t1)
    # A contract that sends what it gets to A2, then creates an empty contract.
    rt = "60006000600060003473" + A2[2:] + "5af150" + "600060006000f050" + "00"
    ini = "60%02x600c60003960%02x6000f3" % (len(rt) // 2, len(rt) // 2) + rt
    t2 = post(url, "eth_sendTransaction", [{"from": A0, "data": "0x" + ini}]).get("result")
    c = mined(t2).get("contractAddress")
    t3 = post(url, "eth_sendTransaction", [{"from": A1, "to": c, "value": "0x5", "gas": "0x30000"}]).get("result")
    mined(t3)
    rrt = "6004601c60003960046000fd" + "deadbeef"  # REVERT with 4 bytes of data
    rini = "60%02x600c60003960%02x6000f3" % (len(rrt) // 2, len(rrt) // 2) + rrt
    rc = mined(post(url, "eth_sendTransaction", [{"from": A0, "data": "0x" + rini}]).get("result")).get("contractAddress")
    t5 = post(url, "eth_sendTransaction", [{"from": A0, "to": rc, "gas": "0x30000"}]).get("result")
    mined(t5)
    r("ots_level", "ots_getApiLevel", [])
    r("ots_has_code", "ots_hasCode", [c, "latest"])
    r("ots_no_code", "ots_hasCode", [A0, "latest"])
    r("ots_error", "ots_getTransactionError", [t5])
    r("ots_no_error", "ots_getTransactionError", [t1])
    r("ots_details", "ots_getBlockDetails", [3])
    r("ots_block_txs", "ots_getBlockTransactions", [3, 0, 10])
    r("ots_internal", "ots_getInternalOperations", [t3])
    r("ots_trace", "ots_traceTransaction", [t3])
    r("ots_by_nonce", "ots_getTransactionBySenderAndNonce", [A0, 1])
    r("ots_by_nonce_none", "ots_getTransactionBySenderAndNonce", [A0, 99])
    r("ots_creator", "ots_getContractCreator", [c])
    r("ots_creator_none", "ots_getContractCreator", [A0])
    r("ots_before", "ots_searchTransactionsBefore", [A2, 0, 2])
    r("ots_after", "ots_searchTransactionsAfter", [A2, 0, 2])
    return out

def shape(v):
    if isinstance(v, dict): return {k: shape(x) for k, x in sorted(v.items())}
    if isinstance(v, list): return [shape(v[0])] if v else []
    if isinstance(v, str): return "hex" if v.startswith("0x") else "str"
    return type(v).__name__

def main():
    polyvm = sys.argv[1]; anvil = sys.argv[2]
    results = {}
    for name, cmd in (("polyvm", [polyvm, "node", "-q", "--in-memory"]), ("anvil", [anvil, "-q"])):
        results[name] = []
        for each in (scenario, scenario_dev, scenario_tokens, scenario_otterscan):
            p, url = start(cmd)
            try: results[name] += each(url)
            finally: p.terminate(); p.wait()
    for (n, a), (_, b) in zip(results["polyvm"], results["anvil"]):
        ea, eb = a.get("error"), b.get("error")
        if (ea is None) != (eb is None):
            print("== %s: polyvm %s | anvil %s" % (n, json.dumps(a)[:300], json.dumps(b)[:300])); continue
        if ea:
            if ea.get("code") != eb.get("code") or ea.get("message") != eb.get("message") or ("data" in ea) != ("data" in eb):
                print("-- %s error: polyvm %s | anvil %s" % (n, json.dumps(ea)[:250], json.dumps(eb)[:250]))
            continue
        sa, sb = shape(a.get("result")), shape(b.get("result"))
        if sa != sb:
            if isinstance(sa, dict) and isinstance(sb, dict):
                print("~~ %s keys: only polyvm %s, only anvil %s, differing %s" % (n, sorted(set(sa) - set(sb)), sorted(set(sb) - set(sa)),
                      [k for k in set(sa) & set(sb) if sa[k] != sb[k]]))
            else:
                print("~~ %s: polyvm %s | anvil %s" % (n, json.dumps(a.get("result"))[:200], json.dumps(b.get("result"))[:200]))

main()

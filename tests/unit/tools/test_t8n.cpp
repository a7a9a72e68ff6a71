// t8n's library part: reading env, alloc and transactions (JSON and RLP), resolving forks, the
// env checks each fork makes, and hand-built blocks whose roots and receipts are computed here
// independently.
#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "state/memory_database.hpp"
#include "tools/t8n.hpp"

#include <gtest/gtest.h>

using namespace polyvm;
using namespace polyvm::tools;
using namespace polyvm::tools::t8n;
using json = nlohmann::json;

namespace {

constexpr const char* kSender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
constexpr const char* kSecret = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
constexpr const char* kRecipient = "0x1000000000000000000000000000000000000001";
constexpr const char* kCoinbase = "0xc0ffee0000000000000000000000000000000001";

/// The exit code a call throws with, or -1 when it does not throw a T8nError.
template <typename F>
int exit_code_of(F f) {
    try {
        f();
    } catch (const T8nError& e) {
        return e.exit_code();
    }
    return -1;
}

json base_env() {
    return json{{"currentCoinbase", kCoinbase},  {"currentGasLimit", "0x1c9c380"}, {"currentNumber", "1"},
                {"currentTimestamp", "1000"},    {"currentDifficulty", "0x20000"}, {"currentBaseFee", "7"}};
}

/// A post-Merge env that every fork through Prague accepts.
json merged_env() {
    json env = base_env();
    env.erase("currentDifficulty");
    env["currentRandom"] = "0x0000000000000000000000000000000000000000000000000000000000000002";
    env["withdrawals"] = json::array();
    env["currentExcessBlobGas"] = "0x0";
    env["parentBeaconBlockRoot"] = "0x" + std::string(64, '0');
    return env;
}

json transfer(uint64_t nonce, const std::string& value = "0x3e8") {
    return json{{"type", "0x0"},     {"nonce", "0x" + std::to_string(nonce)}, {"gasPrice", "0xa"}, {"gas", "0x5208"},
                {"to", kRecipient},  {"value", value},                        {"input", "0x"},     {"v", "0x0"},
                {"r", "0x0"},        {"s", "0x0"},                            {"secretKey", kSecret}};
}

Input input_of(const json& alloc, const json& env, const json& txs) {
    Input in;
    in.alloc = read_alloc(alloc);
    in.env = read_env(env);
    in.transactions = read_json_transactions(txs, uint256{1});
    return in;
}

json sender_alloc() { return json{{kSender, {{"balance", "0xde0b6b3a7640000"}}}}; }

Hash32 hash_of(const nlohmann::ordered_json& v) { return *hash_from_hex(v.get<std::string>()); }

}  // namespace

TEST(T8nEnv, ReadsEveryField) {
    json env = base_env();
    env["currentRandom"] = "0x02";
    env["parentBaseFee"] = "0x64";
    env["parentGasUsed"] = "100";
    env["parentGasLimit"] = "0x1000";
    env["parentExcessBlobGas"] = "0x20000";
    env["parentBlobGasUsed"] = "0x40000";
    env["parentBeaconBlockRoot"] = "0x" + std::string(63, '0') + "1";
    env["parentHash"] = "0x" + std::string(63, '0') + "2";
    env["withdrawals"] = json::array({{{"index", "0x1"}, {"validatorIndex", "2"}, {"address", kRecipient}, {"amount", "0x3"}}});
    env["blockHashes"] = {{"0", "0x" + std::string(63, '0') + "a"}, {"0x5", "0x" + std::string(63, '0') + "b"}};
    env["ommers"] = json::array({{{"delta", 1}, {"address", kRecipient}}});
    const Env e = read_env(env);
    EXPECT_EQ(e.coinbase, *address_from_hex(kCoinbase));
    EXPECT_EQ(e.gas_limit, 30'000'000u);
    EXPECT_EQ(e.number, 1u);
    EXPECT_EQ(e.timestamp, 1000u);
    EXPECT_EQ(e.difficulty, uint256{0x20000});
    EXPECT_EQ(e.random, uint256{2}.to_hash());
    EXPECT_EQ(e.base_fee, uint256{7});
    EXPECT_EQ(e.parent_base_fee, uint256{100});
    EXPECT_EQ(e.parent_gas_used, 100u);
    EXPECT_EQ(e.parent_gas_limit, 0x1000u);
    EXPECT_EQ(e.parent_excess_blob_gas, 0x20000u);
    EXPECT_EQ(e.parent_blob_gas_used, 0x40000u);
    EXPECT_EQ(e.parent_beacon_block_root, uint256{1}.to_hash());
    EXPECT_EQ(e.parent_hash, uint256{2}.to_hash());
    ASSERT_TRUE(e.withdrawals.has_value());
    ASSERT_EQ(e.withdrawals->size(), 1u);
    EXPECT_EQ((*e.withdrawals)[0].index, 1u);
    EXPECT_EQ((*e.withdrawals)[0].validator_index, 2u);
    EXPECT_EQ((*e.withdrawals)[0].amount_gwei, 3u);
    EXPECT_EQ(e.block_hashes.at(0), uint256{0xa}.to_hash());
    EXPECT_EQ(e.block_hashes.at(5), uint256{0xb}.to_hash());
    ASSERT_EQ(e.ommers.size(), 1u);
    EXPECT_EQ(e.ommers[0].delta, 1u);
    EXPECT_FALSE(e.excess_blob_gas.has_value());
}

TEST(T8nEnv, MalformedEnvIsAJsonError) {
    json missing = base_env();
    missing.erase("currentGasLimit");
    EXPECT_EQ(exit_code_of([&] { read_env(missing); }), kErrorJson);
    json bad_hex = base_env();
    bad_hex["currentCoinbase"] = "0xzz";
    EXPECT_EQ(exit_code_of([&] { read_env(bad_hex); }), kErrorJson);
    json too_big = base_env();
    too_big["currentNumber"] = "0x10000000000000000";
    EXPECT_EQ(exit_code_of([&] { read_env(too_big); }), kErrorJson);
    EXPECT_EQ(exit_code_of([&] { read_env(json::array()); }), kErrorJson);
    try {
        read_env(missing);
    } catch (const T8nError& e) {
        EXPECT_NE(std::string(e.what()).find("env.currentGasLimit"), std::string::npos) << e.what();
    }
}

TEST(T8nAlloc, FieldsAreOptionalAndZeroSlotsDropped) {
    const auto alloc = read_alloc(json{{kRecipient, json::object()},
                                       {kSender,
                                        {{"balance", "10"},
                                         {"nonce", "0x2"},
                                         {"code", "0x6001"},
                                         {"storage", {{"0x01", "0x05"}, {"0x02", "0x00"}}}}}});
    ASSERT_EQ(alloc.size(), 2u);
    const PreAccount& empty = alloc[0].address == *address_from_hex(kRecipient) ? alloc[0] : alloc[1];
    const PreAccount& full = &empty == &alloc[0] ? alloc[1] : alloc[0];
    EXPECT_TRUE(empty.balance.is_zero());
    EXPECT_EQ(full.balance, uint256{10});
    EXPECT_EQ(full.nonce, 2u);
    EXPECT_EQ(full.code, (bytes{0x60, 0x01}));
    ASSERT_EQ(full.storage.size(), 1u);
    EXPECT_EQ(full.storage[0].second, uint256{5});
    EXPECT_EQ(exit_code_of([] { read_alloc(json{{"0x12", json::object()}}); }), kErrorJson);
    EXPECT_EQ(exit_code_of([] { read_alloc(json{{kSender, {{"balance", "lots"}}}}); }), kErrorJson);
}

TEST(T8nTransactions, SignsUnsignedEntriesAsGethDoes) {
    json unprotected = transfer(0);
    unprotected["protected"] = false;
    json typed = {{"type", "0x2"},   {"chainId", "0x1"},  {"nonce", "0x0"},    {"maxFeePerGas", "0x10"},
                  {"maxPriorityFeePerGas", "0x1"},        {"gas", "0x5208"},   {"to", kRecipient},
                  {"value", "0x0"},  {"input", "0x"},     {"accessList", json::array()},
                  {"v", "0x0"},      {"r", "0x0"},        {"s", "0x0"},        {"secretKey", kSecret}};
    const auto txs = read_json_transactions(json::array({transfer(0), unprotected, typed}), uint256{1});
    ASSERT_EQ(txs.size(), 3u);
    const auto& protected_tx = std::get<Transaction>(txs[0]);
    EXPECT_TRUE(protected_tx.v == uint256{37} || protected_tx.v == uint256{38}) << protected_tx.v.to_hex();  // EIP-155, chain 1
    const auto& legacy = std::get<Transaction>(txs[1]);
    EXPECT_TRUE(legacy.v == uint256{27} || legacy.v == uint256{28}) << legacy.v.to_hex();
    const auto& dynamic = std::get<Transaction>(txs[2]);
    EXPECT_EQ(dynamic.type, TransactionType::DynamicFee);
    EXPECT_EQ(dynamic.max_fee_per_gas, uint256{16});
    EXPECT_EQ(dynamic.max_priority_fee_per_gas, uint256{1});
    EXPECT_LE(dynamic.v, uint256{1});
    for (const auto& entry : txs) {
        Transaction tx = std::get<Transaction>(entry);
        const auto sender = recover_sender(tx, Revision::Prague);
        ASSERT_TRUE(std::holds_alternative<Address>(sender));
        EXPECT_EQ(std::get<Address>(sender), *address_from_hex(kSender));
    }
}

TEST(T8nTransactions, TypeFollowsTheFieldsWhenNotGiven) {
    json blob = {{"nonce", "0x0"}, {"maxFeePerGas", "0x10"}, {"maxPriorityFeePerGas", "0x1"}, {"gas", "0x5208"},
                 {"to", kRecipient}, {"maxFeePerBlobGas", "0x1"},
                 {"blobVersionedHashes", json::array({"0x01" + std::string(62, '0')})}};
    json access = {{"nonce", "0x0"}, {"gasPrice", "0x10"}, {"gas", "0x5208"}, {"accessList", json::array()}};
    const auto txs = read_json_transactions(json::array({blob, access}), uint256{5});
    EXPECT_EQ(std::get<Transaction>(txs[0]).type, TransactionType::Blob);
    EXPECT_EQ(std::get<Transaction>(txs[0]).chain_id, uint256{5});  // typed without chainId: the tool's
    EXPECT_EQ(std::get<Transaction>(txs[1]).type, TransactionType::AccessList);
    EXPECT_FALSE(std::get<Transaction>(txs[1]).to.has_value());  // no `to`: a creation
}

TEST(T8nTransactions, MalformedTransactionsAreJsonErrors) {
    json no_price = transfer(0);
    no_price.erase("gasPrice");
    EXPECT_EQ(exit_code_of([&] { read_json_transactions(json::array({no_price}), uint256{1}); }), kErrorJson);
    json bad_type = transfer(0);
    bad_type["type"] = "0x9";
    EXPECT_EQ(exit_code_of([&] { read_json_transactions(json::array({bad_type}), uint256{1}); }), kErrorJson);
    json bad_key = transfer(0);
    bad_key["secretKey"] = "0x" + std::string(64, '0');  // zero is no secp256k1 key
    EXPECT_EQ(exit_code_of([&] { read_json_transactions(json::array({bad_key}), uint256{1}); }), kErrorJson);
    EXPECT_EQ(exit_code_of([] { read_json_transactions(json::object(), uint256{1}); }), kErrorJson);
}

TEST(T8nTransactions, RlpListRoundTripsAndBadEntriesAreRejectedInPlace) {
    const auto signed_txs = read_json_transactions(json::array({transfer(0), transfer(1)}), uint256{1});
    rlp::ListBuilder list;
    list.add_raw(encode_transaction(std::get<Transaction>(signed_txs[0])));
    list.add(bytes{0x02, 0xc0});  // a typed envelope with an empty payload list
    list.add_raw(encode_transaction(std::get<Transaction>(signed_txs[1])));
    const auto decoded = read_rlp_transactions(json(to_hex_prefixed(list.finish())));
    ASSERT_EQ(decoded.size(), 3u);
    EXPECT_EQ(transaction_hash(std::get<Transaction>(decoded[0])), transaction_hash(std::get<Transaction>(signed_txs[0])));
    EXPECT_TRUE(std::holds_alternative<TransactionError>(decoded[1]));
    EXPECT_EQ(transaction_hash(std::get<Transaction>(decoded[2])), transaction_hash(std::get<Transaction>(signed_txs[1])));

    EXPECT_EQ(exit_code_of([] { read_rlp_transactions(json("0x01")); }), kErrorRlp);        // not a list
    EXPECT_EQ(exit_code_of([] { read_rlp_transactions(json("0xc2")); }), kErrorRlp);        // truncated
    EXPECT_EQ(exit_code_of([] { read_rlp_transactions(json("0xgg")); }), kErrorRlp);        // not hex
    EXPECT_EQ(exit_code_of([] { read_rlp_transactions(json::array()); }), kErrorJson);      // not a string
    EXPECT_TRUE(read_rlp_transactions(json("0xc0")).empty());
}

TEST(T8nFork, NamesTransitionsAndGethAliases) {
    Env e;
    e.number = 4;
    e.timestamp = 15'000;
    EXPECT_EQ(resolve_fork("Prague", e, uint256{1}).revision_at(e.timestamp), Revision::Prague);
    EXPECT_EQ(resolve_fork("BPO1", e, uint256{1}).revision_at(e.timestamp), Revision::BPO1);
    EXPECT_EQ(resolve_fork("CancunToPragueAtTime15k", e, uint256{1}).revision_at(e.timestamp), Revision::Prague);
    EXPECT_EQ(resolve_fork("CancunToPragueAtTime15k", e, uint256{1}).revision_at(14'999), Revision::Cancun);
    EXPECT_EQ(resolve_fork("BerlinToLondonAt5", e, uint256{1}).revision_at(0), Revision::Berlin);
    e.number = 5;
    EXPECT_EQ(resolve_fork("BerlinToLondonAt5", e, uint256{1}).revision_at(0), Revision::London);
    EXPECT_EQ(resolve_fork("GrayGlacier", e, uint256{1}).revision_at(0), Revision::London);
    EXPECT_EQ(resolve_fork("MuirGlacier", e, uint256{1}).revision_at(0), Revision::Istanbul);
    EXPECT_EQ(resolve_fork("Prague", e, uint256{7}).chain_id, uint256{7});
    EXPECT_EQ(exit_code_of([&] { resolve_fork("Pragu", e, uint256{1}); }), kErrorConfig);
    EXPECT_EQ(exit_code_of([&] { resolve_fork("HomesteadToDaoAt5", e, uint256{1}); }), kErrorConfig);
    EXPECT_EQ(exit_code_of([&] { resolve_fork("LondonToBerlinAt5", e, uint256{1}); }), kErrorConfig);
}

TEST(T8nTransition, TransferHasTheRootsComputedIndependently) {
    // Two identical transfers: the second reuses nonce 0 and is rejected.
    Options options;
    options.fork = "London";
    options.reward = -1;
    const Input in = input_of(sender_alloc(), base_env(), json::array({transfer(0), transfer(0)}));
    const Output out = transition(in, options);
    const auto& r = out.result;

    // Post-state: the sender paid 21000 gas at 10 wei and 1000 wei; the coinbase earned the tip 10 - 7.
    MemoryDatabase expected;
    expected.put_account(*address_from_hex(kSender),
                         AccountInfo{1, uint256{1'000'000'000'000'000'000ULL} - uint256{21000 * 10 + 1000}});
    expected.put_account(*address_from_hex(kRecipient), AccountInfo{0, uint256{1000}});
    expected.put_account(*address_from_hex(kCoinbase), AccountInfo{0, uint256{21000 * 3}});
    EXPECT_EQ(hash_of(r["stateRoot"]), expected.state_root());

    Receipt receipt;
    receipt.cumulative_gas_used = 21000;
    EXPECT_EQ(hash_of(r["receiptsRoot"]), receipts_root({receipt}));
    const Transaction& tx = std::get<Transaction>(in.transactions[0]);
    EXPECT_EQ(hash_of(r["txRoot"]), transactions_root({tx}));
    EXPECT_EQ(hash_of(r["logsHash"]), keccak256(rlp::encode_list(std::vector<bytes>{})));
    EXPECT_EQ(r["gasUsed"], "0x5208");
    EXPECT_EQ(r["currentBaseFee"], "0x7");
    EXPECT_EQ(r["currentDifficulty"], "0x20000");
    EXPECT_FALSE(r.contains("withdrawalsRoot"));
    EXPECT_FALSE(r.contains("currentExcessBlobGas"));
    EXPECT_TRUE(r["requests"].is_null());

    ASSERT_EQ(r["receipts"].size(), 1u);
    const auto& rc = r["receipts"][0];
    EXPECT_FALSE(rc.contains("type"));  // legacy
    EXPECT_EQ(rc["root"], "0x");
    EXPECT_EQ(rc["status"], "0x1");
    EXPECT_EQ(rc["cumulativeGasUsed"], "0x5208");
    EXPECT_EQ(rc["gasUsed"], "0x5208");
    EXPECT_EQ(rc["effectiveGasPrice"], "0xa");
    EXPECT_EQ(rc["transactionHash"], to_hex_prefixed(transaction_hash(tx)));
    EXPECT_EQ(rc["contractAddress"], "0x" + std::string(40, '0'));
    EXPECT_EQ(rc["transactionIndex"], "0x0");
    EXPECT_TRUE(rc["logs"].is_array() && rc["logs"].empty());

    ASSERT_EQ(r["rejected"].size(), 1u);
    EXPECT_EQ(r["rejected"][0]["index"], 1);
    EXPECT_EQ(r["rejected"][0]["error"].get<std::string>().rfind("NONCE_MISMATCH_TOO_LOW", 0), 0u);

    // The body holds the included transaction only.
    EXPECT_EQ(out.body, rlp::encode_list({encode_transaction(tx)}));

    // The alloc in geth's format: zero nonces and empty code are left out.
    EXPECT_EQ(out.alloc[kRecipient].dump(), R"({"balance":"0x3e8"})");
    EXPECT_EQ(out.alloc[kSender]["nonce"], "0x1");
}

TEST(T8nTransition, EnvChecksOfEachForkAreConfigErrors) {
    Options options;
    const json txs = json::array();
    auto run = [&](const std::string& fork, json env) {
        options.fork = fork;
        return exit_code_of([&] { transition(input_of(json::object(), env, txs), options); });
    };
    json no_base_fee = base_env();
    no_base_fee.erase("currentBaseFee");
    EXPECT_EQ(run("London", no_base_fee), kErrorConfig);
    EXPECT_EQ(run("Berlin", no_base_fee), -1);  // no base fee before London
    json no_difficulty = base_env();
    no_difficulty.erase("currentDifficulty");
    EXPECT_EQ(run("London", no_difficulty), kErrorConfig);
    EXPECT_EQ(run("Paris", base_env()), kErrorConfig);  // no currentRandom after the Merge
    json no_withdrawals = merged_env();
    no_withdrawals.erase("withdrawals");
    EXPECT_EQ(run("Shanghai", no_withdrawals), kErrorConfig);
    json difficulty_after_merge = merged_env();
    difficulty_after_merge["currentDifficulty"] = "0x1";
    EXPECT_EQ(run("Cancun", difficulty_after_merge), kErrorConfig);
    EXPECT_EQ(run("Prague", merged_env()), -1);
    EXPECT_EQ(run("Frontier+1344", merged_env()), kErrorConfig);
}

TEST(T8nTransition, BlockhashOfAMissingBlockIsExitCodeFour) {
    // PUSH1 0 BLOCKHASH PUSH1 0 SSTORE: stores the hash of block 0 (the current block is 1).
    const json alloc = {{kSender, {{"balance", "0xde0b6b3a7640000"}}}, {kRecipient, {{"code", "0x600040600055"}}}};
    json tx = transfer(0, "0x0");
    tx["gas"] = "0x186a0";
    Options options;
    options.fork = "Berlin";
    const json env = base_env();
    EXPECT_EQ(exit_code_of([&] { transition(input_of(alloc, env, json::array({tx})), options); }),
              kErrorMissingBlockhash);

    json with_hash = base_env();
    const std::string hash = "0x" + std::string(62, '0') + "ab";
    with_hash["blockHashes"] = {{"0", hash}};
    const Output out = transition(input_of(alloc, with_hash, json::array({tx})), options);
    EXPECT_EQ(out.alloc[kRecipient]["storage"]["0x" + std::string(64, '0')], hash);
}

TEST(T8nTransition, DerivesBaseFeeAndExcessBlobGasFromTheParent) {
    json env = merged_env();
    env.erase("currentBaseFee");
    env.erase("currentExcessBlobGas");
    env["parentBaseFee"] = "1000";
    env["parentGasLimit"] = "30000000";
    env["parentGasUsed"] = "30000000";  // a full parent: +12.5%
    env["parentExcessBlobGas"] = "0";
    env["parentBlobGasUsed"] = std::to_string(6 * 131072);  // Cancun: target 3 blobs, 3 above it
    Options options;
    options.fork = "Cancun";
    const Output out = transition(input_of(json::object(), env, json::array()), options);
    EXPECT_EQ(out.result["currentBaseFee"], "0x465");  // 1000 + 1000 / 8
    EXPECT_EQ(out.result["currentExcessBlobGas"], "0x60000");  // 3 blobs' worth
    EXPECT_EQ(out.result["blobGasUsed"], "0x0");
    EXPECT_EQ(out.result["withdrawalsRoot"], "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

    // Without either value geth leaves the blob fields out and rejects blob transactions.
    env.erase("parentExcessBlobGas");
    json blob = {{"type", "0x3"}, {"nonce", "0x0"}, {"maxFeePerGas", "0x1000"}, {"maxPriorityFeePerGas", "0x1"},
                 {"gas", "0x5208"}, {"to", kRecipient}, {"maxFeePerBlobGas", "0x10"},
                 {"blobVersionedHashes", json::array({"0x01" + std::string(62, '0')})}, {"secretKey", kSecret}};
    const Output without = transition(input_of(sender_alloc(), env, json::array({blob})), options);
    EXPECT_FALSE(without.result.contains("currentExcessBlobGas"));
    ASSERT_EQ(without.result["rejected"].size(), 1u);
    EXPECT_EQ(without.result["rejected"][0]["error"].get<std::string>().rfind("BLOB_FEE_UNKNOWN", 0), 0u);
}

TEST(T8nTransition, PreByzantiumReceiptsCarryTheStateRoot) {
    Options options;
    options.fork = "Homestead";
    options.reward = -1;
    json tx = transfer(0);
    tx["protected"] = false;  // EIP-155 signatures are not valid before Spurious Dragon
    const Output out = transition(input_of(sender_alloc(), base_env(), json::array({tx})), options);
    ASSERT_EQ(out.result["receipts"].size(), 1u);
    // One transaction and no reward: the root after it is the block's.
    EXPECT_EQ(out.result["receipts"][0]["root"], out.result["stateRoot"]);
    EXPECT_EQ(out.result["currentBaseFee"], "0x7");  // given, so echoed as geth does, though unused
}

TEST(T8nTransition, RewardGoesToTheMinerAndOmmersBeforeTheMergeOnly) {
    json env = base_env();
    env["ommers"] = json::array({{{"delta", 1}, {"address", kRecipient}}});
    Options options;
    options.fork = "Berlin";
    options.reward = 3200;
    const Output out = transition(input_of(json::object(), env, json::array()), options);
    EXPECT_EQ(out.alloc[kCoinbase]["balance"], "0xce4");    // 3200 + 3200 / 32
    EXPECT_EQ(out.alloc[kRecipient]["balance"], "0xaf0");   // 3200 * 7 / 8

    options.fork = "Paris";
    const Output merged = transition(input_of(json::object(), merged_env(), json::array()), options);
    EXPECT_TRUE(merged.alloc.empty());
    EXPECT_EQ(merged.result["stateRoot"], "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
}

TEST(T8nTransition, PragueWithoutThePredeploysHasNoRequests) {
    Options options;
    options.fork = "Prague";
    const Output out = transition(input_of(sender_alloc(), merged_env(), json::array({transfer(0)})), options);
    EXPECT_TRUE(out.result["requests"].is_array() && out.result["requests"].empty());
    // EIP-7685: sha256 of nothing.
    EXPECT_EQ(out.result["requestsHash"], "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_TRUE(out.result["currentDifficulty"].is_null());
    EXPECT_EQ(out.result["receipts"].size(), 1u);
}

TEST(T8nTransition, TracerIsAskedWithTheInputIndex) {
    Options options;
    options.fork = "London";
    std::vector<size_t> asked;
    options.tracer_for = [&](size_t index, const Transaction&) -> Tracer* {
        asked.push_back(index);
        return nullptr;
    };
    // Entry 0 does not decode (kept as a rejection), so entry 1 is the block's first transaction.
    Input in = input_of(sender_alloc(), base_env(), json::array({transfer(0)}));
    in.transactions.insert(in.transactions.begin(), TransactionError{"RLP_ERROR_EOF", "test"});
    const Output out = transition(in, options);
    EXPECT_EQ(asked, std::vector<size_t>{1});
    EXPECT_EQ(out.result["rejected"][0]["index"], 0);
}

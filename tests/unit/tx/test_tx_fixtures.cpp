// Runs every TransactionTests fixture (ethereum/tests) for every fork from Frontier to Cancun:
// decode `txbytes`, recover the sender, validate statically, then compare with the expected
// hash / sender / intrinsic gas, or expect a rejection where `exception` is given.
//
// Cases that cannot pass yet are listed in known_failures.txt ("<case id> | <reason>"); the list
// is enforced both ways: a new failure fails the test, and so does a listed case that passes.
#include "common/hex.hpp"
#include "common/revision.hpp"
#include "crypto/keccak.hpp"
#include "fixtures_path.hpp"
#include "tx/transaction.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace polyvm;
using nlohmann::json;

namespace {

struct Outcome {
    bool accepted = false;
    TransactionError error;  // when rejected
    Transaction tx;
};

Outcome run_case(bytes_view raw, Revision rev) {
    Outcome o;
    auto decoded = decode_transaction(raw);
    if (auto* e = std::get_if<TransactionError>(&decoded)) {
        o.error = *e;
        return o;
    }
    o.tx = std::get<Transaction>(decoded);
    // The fixtures are generated for chain id 1. A transaction for another chain is
    // "INVALID_CHAINID" whatever its signature, so that check runs before recovery.
    const TxValidationContext ctx{uint256{1}, std::nullopt};
    if (auto e = validate_chain_id(o.tx, rev, ctx.chain_id)) {
        o.error = *e;
        return o;
    }
    auto sender = recover_sender(o.tx, rev);
    if (auto* e = std::get_if<TransactionError>(&sender)) {
        o.error = *e;
        return o;
    }
    if (auto e = validate_transaction_static(o.tx, rev, ctx)) {
        o.error = *e;
        return o;
    }
    o.accepted = true;
    return o;
}

/// Expected names can be "A|B"; a few names differ between the transaction-test generator and
/// execution-spec-tests (whose names polyvm reports, as the state tests expect) for the same rule.
bool rule_matches(const std::string& expected_field, const std::string& ours) {
    static const std::multimap<std::string, std::string> kAliases = {
        {"NONCE_TOO_BIG", "NONCE_IS_MAX"},
        {"PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2", "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"},
        {"VALUE_OVERFLOW", "RLP_INVALID_VALUE"},  // stTransactionTest/ValueOverflowParis.json
        {"TYPE_NOT_SUPPORTED", "TYPE_3_TX_PRE_FORK"},
        {"TYPE_NOT_SUPPORTED", "TYPE_4_TX_PRE_FORK"},
    };
    std::stringstream ss(expected_field);
    std::string alt;
    while (std::getline(ss, alt, '|')) {
        const std::string prefix = "TransactionException.";
        if (alt.rfind(prefix, 0) == 0) alt = alt.substr(prefix.size());
        if (alt == ours) return true;
        const auto [first, last] = kAliases.equal_range(alt);
        for (auto it = first; it != last; ++it)
            if (it->second == ours) return true;
    }
    return false;
}

std::map<std::string, std::string> load_known_failures() {
    std::map<std::string, std::string> known;
    std::ifstream f(std::filesystem::path(POLYVM_SOURCE_DIR) / "tests/unit/tx/known_failures.txt");
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto bar = line.find('|');
        std::string id = line.substr(0, bar);
        while (!id.empty() && id.back() == ' ') id.pop_back();
        known[id] = bar == std::string::npos ? "" : line.substr(bar + 1);
    }
    return known;
}

}  // namespace

TEST(TxFixtures, AllFilesAllForks) {
    POLYVM_REQUIRE_FIXTURES(root, "transaction");
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root))
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    EXPECT_EQ(files.size(), 210u);

    const auto known = load_known_failures();
    std::set<std::string> seen;
    std::map<std::string, std::string> failures;  // case id -> reason
    size_t run = 0, skipped_later_forks = 0, accepted = 0, rejected = 0, rule_mismatch = 0;
    std::vector<std::string> mismatch_examples;

    for (const auto& file : files) {
        std::ifstream in(file);
        const json j = json::parse(in);
        const std::string rel = std::filesystem::relative(file, root).string();
        for (const auto& [name, tc] : j.items()) {
            const auto raw = from_hex(tc.at("txbytes").get<std::string>());
            ASSERT_TRUE(raw.has_value()) << rel << ": bad txbytes hex";
            for (const auto& [fork, expect] : tc.at("result").items()) {
                const auto rev = parse_revision(fork);
                ASSERT_TRUE(rev.has_value()) << rel << ": unknown fork " << fork;
                if (*rev > Revision::Cancun) {
                    ++skipped_later_forks;
                    continue;
                }
                const std::string id = rel + ":" + name + ":" + fork;
                seen.insert(id);
                ++run;
                const Outcome o = run_case(*raw, *rev);
                std::string fail;
                if (expect.contains("exception")) {
                    const std::string ex = expect["exception"].get<std::string>();
                    if (o.accepted) {
                        fail = "accepted, expected " + ex;
                    } else {
                        ++rejected;
                        if (!rule_matches(ex, o.error.rule)) {
                            ++rule_mismatch;
                            if (mismatch_examples.size() < 400)
                                mismatch_examples.push_back(id + ": expected " + ex + ", got " + o.error.rule + " (" +
                                                            o.error.detail + ")");
                        }
                    }
                } else if (!o.accepted) {
                    fail = "rejected: " + o.error.rule + " (" + o.error.detail + ")";
                } else {
                    ++accepted;
                    const auto hash = hash_from_hex(expect.at("hash").get<std::string>());
                    const auto sender = address_from_hex(expect.at("sender").get<std::string>());
                    const auto gas = uint256::from_string(expect.at("intrinsicGas").get<std::string>());
                    if (!hash || !sender || !gas) {
                        fail = "malformed expectation";
                    } else if (transaction_hash(o.tx) != *hash) {
                        fail = "hash " + to_hex_prefixed(transaction_hash(o.tx)) + " != " + to_hex_prefixed(*hash);
                    } else if (keccak256(*raw) != *hash) {
                        fail = "keccak(txbytes) != expected hash";
                    } else if (o.tx.sender != *sender) {
                        fail = "sender " + to_hex_prefixed(o.tx.sender) + " != " + to_hex_prefixed(*sender);
                    } else if (uint256{static_cast<uint64_t>(intrinsic_gas(o.tx, *rev))} != *gas) {
                        fail = "intrinsic gas " + std::to_string(intrinsic_gas(o.tx, *rev)) + " != " +
                               gas->to_decimal();
                    } else if (encode_transaction(o.tx) != *raw) {
                        fail = "re-encoding differs from txbytes";
                    }
                }
                if (!fail.empty()) failures[id] = fail;
            }
        }
    }

    for (const auto& [id, why] : failures)
        if (!known.count(id)) ADD_FAILURE() << "FAIL " << id << ": " << why;
    for (const auto& [id, why] : known) {
        if (!seen.count(id))
            ADD_FAILURE() << "known_failures.txt lists a case that does not exist: " << id;
        else if (!failures.count(id))
            ADD_FAILURE() << "known_failures.txt lists a case that now passes (remove it): " << id;
    }

    std::printf("transaction fixtures: %zu files, %zu cases run (%zu accepted, %zu rejected), %zu failing "
                "(%zu listed as known), %zu Prague/Osaka cases skipped\n",
                files.size(), run, accepted, rejected, failures.size(), known.size(), skipped_later_forks);
    std::printf("rejection rule names: %zu of %zu match the fixture's exception name\n", rejected - rule_mismatch,
                rejected);
    if (std::getenv("POLYVM_TX_VERBOSE"))
        for (const auto& m : mismatch_examples) std::printf("  rule differs: %s\n", m.c_str());
    EXPECT_GT(run, 2500u);
}

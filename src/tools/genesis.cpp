#include "tools/genesis.hpp"

#include "common/hex.hpp"
#include "crypto/hashes.hpp"
#include "crypto/keccak.hpp"
#include "exec/system_contracts.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"
#include "tools/fixture_json.hpp"

#include <fstream>
#include <sstream>

namespace polyvm::tools {
namespace {
using json = nlohmann::json;

/// geth writes config numbers as JSON numbers and header fields as hex strings; accept both.
uint64_t read_u64(const json& v, const std::string& path) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_string()) return require_u64(v.get<std::string>(), path);
    throw FixtureError(path + ": expected a number or a numeric string");
}

uint256 read_u256(const json& v, const std::string& path) {
    if (v.is_number_unsigned()) return uint256{v.get<uint64_t>()};
    if (v.is_string()) return require_uint256(v.get<std::string>(), path);
    throw FixtureError(path + ": expected a number or a numeric string");
}

std::string read_string(const json& v, const std::string& path) {
    if (!v.is_string()) throw FixtureError(path + ": expected a string");
    return v.get<std::string>();
}

// The time-scheduled forks of geth's config, in order, with the name each takes in blobSchedule.
struct TimedFork {
    const char* time_key;
    const char* schedule_key;
    Revision revision;
};
constexpr TimedFork kTimedForks[] = {
    {"shanghaiTime", "shanghai", Revision::Shanghai}, {"cancunTime", "cancun", Revision::Cancun},
    {"pragueTime", "prague", Revision::Prague},       {"osakaTime", "osaka", Revision::Osaka},
    {"bpo1Time", "bpo1", Revision::BPO1},             {"bpo2Time", "bpo2", Revision::BPO2},
    {"bpo3Time", "bpo3", Revision::BPO3},             {"bpo4Time", "bpo4", Revision::BPO4},
    {"bpo5Time", "bpo5", Revision::BPO5},
};

ChainConfig read_config(const json& c, const std::string& path) {
    if (!c.is_object()) throw FixtureError(path + ": expected a JSON object");
    ChainConfig config(Revision::Paris);
    config.forks.clear();
    if (const auto id = c.find("chainId"); id != c.end()) config.chain_id = read_u256(*id, path + ".chainId");
    const auto ttd = c.find("terminalTotalDifficulty");
    const bool merged_at_genesis = ttd != c.end() && read_u256(*ttd, path + ".terminalTotalDifficulty").is_zero();
    std::vector<ForkActivation> timed;
    for (const TimedFork& f : kTimedForks)
        if (const auto t = c.find(f.time_key); t != c.end())
            timed.push_back({f.revision, read_u64(*t, path + "." + f.time_key)});
    for (size_t i = 1; i < timed.size(); ++i)
        if (timed[i].timestamp < timed[i - 1].timestamp)
            throw FixtureError(path + ": fork times out of order (" + std::string(revision_name(timed[i].revision)) +
                               " before " + std::string(revision_name(timed[i - 1].revision)) + ")");
    if (!merged_at_genesis && (timed.empty() || timed.front().timestamp != 0))
        throw FixtureError(path + ": only chains that start after the Merge are supported (terminalTotalDifficulty 0, "
                                  "or shanghaiTime 0)");
    // Forks active at genesis collapse into the latest of them.
    Revision genesis_rev = Revision::Paris;
    for (const ForkActivation& f : timed)
        if (f.timestamp == 0) genesis_rev = f.revision;
    config.forks.push_back({genesis_rev, 0});
    for (const ForkActivation& f : timed)
        if (f.timestamp != 0) config.forks.push_back(f);
    if (const auto schedule = c.find("blobSchedule"); schedule != c.end()) {
        if (!schedule->is_object()) throw FixtureError(path + ".blobSchedule: expected a JSON object");
        for (const TimedFork& f : kTimedForks) {
            const auto s = schedule->find(f.schedule_key);
            if (s == schedule->end()) continue;
            const std::string sp = path + ".blobSchedule." + f.schedule_key;
            if (!s->is_object()) throw FixtureError(sp + ": expected a JSON object");
            auto field = [&](const char* key) {
                const auto it = s->find(key);
                if (it == s->end()) throw FixtureError(sp + ": missing \"" + key + "\"");
                return read_u64(*it, sp + "." + key);
            };
            config.blob_schedules[f.revision] = BlobSchedule{field("target"), field("max"), field("baseFeeUpdateFraction")};
        }
    }
    if (const auto d = c.find("depositContractAddress"); d != c.end())
        config.deposit_contract = require_address(read_string(*d, path + ".depositContractAddress"), path + ".depositContractAddress");
    return config;
}
}  // namespace

Genesis parse_genesis(std::string_view json_text, const std::string& label) {
    json doc;
    try {
        doc = json::parse(json_text.begin(), json_text.end());
    } catch (const json::exception& e) {
        throw FixtureError(label + ": malformed JSON: " + e.what());
    }
    try {
        if (!doc.is_object()) throw FixtureError("expected a JSON object");
        Genesis g;
        const auto config = doc.find("config");
        if (config == doc.end()) throw FixtureError("missing \"config\"");
        g.config = read_config(*config, "config");
        const Revision rev = g.config.revision_at(0);

        auto u64 = [&](const char* key, uint64_t fallback) {
            const auto it = doc.find(key);
            return it == doc.end() ? fallback : read_u64(*it, key);
        };
        BlockHeader& h = g.header;
        h.ommers_hash = kEmptyOmmersHash;
        h.transactions_root = kEmptyTrieRoot;
        h.receipts_root = kEmptyTrieRoot;
        h.number = u64("number", 0);
        if (h.number != 0) throw FixtureError("number: a genesis is block 0");
        h.gas_limit = u64("gasLimit", 30'000'000);
        h.gas_used = u64("gasUsed", 0);
        h.timestamp = u64("timestamp", 0);
        if (const auto it = doc.find("difficulty"); it != doc.end()) h.difficulty = read_u256(*it, "difficulty");
        if (const auto it = doc.find("extraData"); it != doc.end())
            h.extra_data = require_bytes(read_string(*it, "extraData"), "extraData");
        if (const auto it = doc.find("mixHash"); it != doc.end())
            h.mix_hash = require_hash(read_string(*it, "mixHash"), "mixHash");
        if (const auto it = doc.find("coinbase"); it != doc.end())
            h.coinbase = require_address(read_string(*it, "coinbase"), "coinbase");
        if (const auto it = doc.find("parentHash"); it != doc.end())
            h.parent_hash = require_hash(read_string(*it, "parentHash"), "parentHash");
        if (const auto it = doc.find("nonce"); it != doc.end()) {
            const uint64_t nonce = read_u64(*it, "nonce");
            for (int i = 0; i < 8; ++i) h.nonce[static_cast<size_t>(7 - i)] = static_cast<uint8_t>(nonce >> (8 * i));
        }
        // The fields each fork adds, with geth's defaults.
        h.base_fee_per_gas = uint256{1'000'000'000};
        if (const auto it = doc.find("baseFeePerGas"); it != doc.end()) h.base_fee_per_gas = read_u256(*it, "baseFeePerGas");
        if (rev >= Revision::Shanghai) h.withdrawals_root = kEmptyTrieRoot;
        if (rev >= Revision::Cancun) {
            h.blob_gas_used = u64("blobGasUsed", 0);
            h.excess_blob_gas = u64("excessBlobGas", 0);
            h.parent_beacon_block_root = Hash32{};
        }
        if (rev >= Revision::Prague) h.requests_hash = requests_hash({});

        const auto alloc = doc.find("alloc");
        if (alloc == doc.end()) throw FixtureError("missing \"alloc\"");
        // geth leaves out a zero nonce or balance; the fixture reader wants both.
        json accounts = *alloc;
        if (accounts.is_object())
            for (auto& [address, account] : accounts.items())
                if (account.is_object()) {
                    if (!account.contains("nonce")) account["nonce"] = "0x0";
                    if (!account.contains("balance")) account["balance"] = "0x0";
                }
        MemoryDatabase scratch;
        for (const PreAccount& a : read_accounts(accounts, "alloc")) {
            g.alloc.push_back(genesis_account(a));
            scratch.put_account(a.address, g.alloc.back().info, a.code, a.storage);
        }
        h.state_root = scratch.state_root();
        return g;
    } catch (const FixtureError& e) {
        throw FixtureError(label + ": " + e.what());
    } catch (const json::exception& e) {
        throw FixtureError(label + ": " + e.what());
    }
}

Genesis load_genesis(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FixtureError(path + ": cannot open the genesis file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_genesis(ss.str(), path);
}

std::string genesis_to_json(const Genesis& g) {
    json config;
    config["chainId"] = g.config.chain_id.low64();
    config["terminalTotalDifficulty"] = 0;
    const Revision genesis_rev = g.config.revision_at(0);
    json schedule = json::object();
    for (const TimedFork& f : kTimedForks) {
        if (genesis_rev >= f.revision) config[f.time_key] = 0;
        for (const ForkActivation& a : g.config.forks)
            if (a.timestamp != 0 && a.revision == f.revision) config[f.time_key] = a.timestamp;
        if (const auto s = g.config.blob_schedules.find(f.revision); s != g.config.blob_schedules.end())
            schedule[f.schedule_key] = {{"target", s->second.target}, {"max", s->second.max},
                                        {"baseFeeUpdateFraction", s->second.base_fee_update_fraction}};
    }
    if (!schedule.empty()) config["blobSchedule"] = schedule;
    config["depositContractAddress"] = to_hex_prefixed(g.config.deposit_contract);

    const BlockHeader& h = g.header;
    json doc;
    doc["config"] = config;
    doc["nonce"] = "0x0";
    doc["timestamp"] = uint256{h.timestamp}.to_hex();
    doc["extraData"] = to_hex_prefixed(h.extra_data);
    doc["gasLimit"] = uint256{h.gas_limit}.to_hex();
    doc["difficulty"] = h.difficulty.to_hex();
    doc["mixHash"] = to_hex_prefixed(h.mix_hash);
    doc["coinbase"] = to_hex_prefixed(h.coinbase);
    if (h.base_fee_per_gas) doc["baseFeePerGas"] = h.base_fee_per_gas->to_hex();
    if (h.excess_blob_gas) doc["excessBlobGas"] = uint256{*h.excess_blob_gas}.to_hex();
    if (h.blob_gas_used) doc["blobGasUsed"] = uint256{*h.blob_gas_used}.to_hex();
    json alloc = json::object();
    for (const GenesisAccount& a : g.alloc) {
        json account;
        account["balance"] = a.info.balance.to_hex();
        if (a.info.nonce) account["nonce"] = uint256{a.info.nonce}.to_hex();
        if (!a.code.empty()) account["code"] = to_hex_prefixed(a.code);
        if (!a.storage.empty()) {
            json storage = json::object();
            for (const auto& [key, value] : a.storage) storage[key.to_hex()] = value.to_hex();
            account["storage"] = storage;
        }
        alloc[to_hex_prefixed(a.address)] = account;
    }
    doc["alloc"] = alloc;
    return doc.dump(2);
}

}  // namespace polyvm::tools

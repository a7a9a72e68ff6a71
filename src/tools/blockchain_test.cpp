#include "tools/blockchain_test.hpp"

#include "chain/blockchain.hpp"
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "state/memory_database.hpp"
#include "tools/exception_match.hpp"
#include "tools/fixture_json.hpp"


namespace polyvm::tools {
namespace {
using json = nlohmann::json;

const json& member(const json& obj, const char* key, const std::string& path) {
    if (!obj.is_object()) throw FixtureError(path + ": expected a JSON object");
    const auto it = obj.find(key);
    if (it == obj.end()) throw FixtureError(path + ": missing \"" + key + "\"");
    return *it;
}

std::string text(const json& v, const std::string& path) {
    if (!v.is_string()) throw FixtureError(path + ": expected a string");
    return v.get<std::string>();
}

BlockchainTest read_test(const std::string& name, const json& t) {
    BlockchainTest test;
    test.name = name;
    if (!t.is_object()) throw FixtureError(name + ": expected a JSON object");
    test.network = text(member(t, "network", name), name + ".network");
    test.config = parse_network(test.network);
    if (test.config) {
        if (const auto c = t.find("config"); c != t.end()) {
            test.config->chain_id = read_chain_id(*c, name + ".config");
            test.config->blob_schedules = read_blob_schedules(*c, name + ".config");
        }
    }
    test.genesis_rlp = require_bytes(text(member(t, "genesisRLP", name), name + ".genesisRLP"), name + ".genesisRLP");
    test.pre = read_accounts(member(t, "pre", name), name + ".pre");
    const json& blocks = member(t, "blocks", name);
    if (!blocks.is_array()) throw FixtureError(name + ".blocks: expected an array");
    for (size_t i = 0; i < blocks.size(); ++i) {
        const std::string p = name + ".blocks[" + std::to_string(i) + "]";
        BlockchainTestBlock b;
        b.rlp = require_bytes(text(member(blocks[i], "rlp", p), p + ".rlp"), p + ".rlp");
        if (const auto e = blocks[i].find("expectException"); e != blocks[i].end())
            b.expect_exception = text(*e, p + ".expectException");
        test.blocks.push_back(std::move(b));
    }
    test.last_block_hash =
        require_hash(text(member(t, "lastblockhash", name), name + ".lastblockhash"), name + ".lastblockhash");
    if (const auto post = t.find("postState"); post != t.end())
        test.post_state = read_accounts(*post, name + ".postState");
    else
        test.post_state_hash =
            require_hash(text(member(t, "postStateHash", name), name + ".postStateHash"), name + ".postStateHash");
    return test;
}

std::vector<GenesisAccount> genesis_alloc(const std::vector<PreAccount>& accounts) {
    std::vector<GenesisAccount> alloc;
    for (const PreAccount& a : accounts) alloc.push_back(genesis_account(a));
    return alloc;
}

/// The first account where the database and the expected accounts differ, or nullopt.
std::optional<std::string> first_difference(StateDatabase& db, const std::vector<PreAccount>& expected) {
    MemoryDatabase reference;
    for (const PreAccount& a : expected) reference.put_account(a.address, AccountInfo{a.nonce, a.balance}, a.code, a.storage);
    const auto got = db.dump();
    const auto want = reference.dump();
    size_t i = 0, j = 0;
    while (i < got.size() || j < want.size()) {
        if (j == want.size() || (i < got.size() && got[i].address < want[j].address))
            return "unexpected account " + to_hex_prefixed(got[i].address);
        if (i == got.size() || want[j].address < got[i].address)
            return "missing account " + to_hex_prefixed(want[j].address);
        const auto& g = got[i];
        const auto& w = want[j];
        const std::string who = to_hex_prefixed(g.address);
        if (g.info.nonce != w.info.nonce)
            return who + " nonce " + std::to_string(g.info.nonce) + ", expected " + std::to_string(w.info.nonce);
        if (g.info.balance != w.info.balance)
            return who + " balance " + g.info.balance.to_hex() + ", expected " + w.info.balance.to_hex();
        if (g.info.code_hash != w.info.code_hash) return who + " code differs";
        if (g.storage != w.storage) {
            for (const auto& [key, value] : w.storage) {
                const auto it = std::find_if(g.storage.begin(), g.storage.end(), [&key = key](const auto& s) { return s.first == key; });
                if (it == g.storage.end() || it->second != value)
                    return who + " storage " + key.to_hex() + " = " + (it == g.storage.end() ? "0x0" : it->second.to_hex()) +
                           ", expected " + value.to_hex();
            }
            return who + " has unexpected storage slots";
        }
        ++i;
        ++j;
    }
    return std::nullopt;
}
}  // namespace

std::vector<BlockchainTest> parse_blockchain_tests(std::string_view json_text, const std::string& file_label) {
    std::vector<BlockchainTest> tests;
    for_each_fixture_test(json_text, file_label,
                          [&](const std::string& name, const json& t) { tests.push_back(read_test(name, t)); });
    return tests;
}

std::vector<BlockchainTest> load_blockchain_test_file(const std::filesystem::path& path, const std::string& file_label) {
    return parse_blockchain_tests(read_fixture_text(path, file_label), file_label);
}

CaseVerdict run_blockchain_test(const BlockchainTest& test, const DatabaseFactory& make_database,
                                const BlockExecutionOptions& execution) {
    if (!test.config) return {CaseResult::Skip, "unknown network " + test.network};
    std::unique_ptr<StateDatabase> db = make_database();
    Blockchain chain(*db, *test.config);
    chain.set_execution_options(execution);

    auto genesis_block = decode_block(test.genesis_rlp);
    if (auto* e = std::get_if<BlockError>(&genesis_block)) return {CaseResult::Fail, "genesisRLP: " + e->to_string()};
    if (auto e = chain.initialize(std::get<Block>(genesis_block).header, genesis_alloc(test.pre)))
        return {CaseResult::Fail, "genesis: " + e->to_string()};

    for (size_t i = 0; i < test.blocks.size(); ++i) {
        const BlockchainTestBlock& b = test.blocks[i];
        auto imported = chain.import_block(b.rlp);
        const BlockError* error = std::get_if<BlockError>(&imported);
        const std::string where = "block " + std::to_string(i + 1);
        if (!b.expect_exception && error) return {CaseResult::Fail, where + " rejected: " + error->to_string()};
        if (b.expect_exception && !error)
            return {CaseResult::Fail, where + " accepted, expected " + *b.expect_exception};
        if (b.expect_exception && !exception_matches(*b.expect_exception, error->rule))
            return {CaseResult::Fail, where + " rejected for " + error->to_string() + ", expected " + *b.expect_exception};
    }

    if (chain.head_hash() != test.last_block_hash)
        return {CaseResult::Fail, "head " + to_hex_prefixed(chain.head_hash()) + ", expected " +
                                      to_hex_prefixed(test.last_block_hash)};
    if (test.post_state) {
        if (auto diff = first_difference(*db, *test.post_state)) return {CaseResult::Fail, "post-state: " + *diff};
    } else if (db->state_root() != *test.post_state_hash) {
        return {CaseResult::Fail, "post-state root " + to_hex_prefixed(db->state_root()) + ", expected " +
                                      to_hex_prefixed(*test.post_state_hash)};
    }
    return {CaseResult::Pass, {}};
}

}  // namespace polyvm::tools

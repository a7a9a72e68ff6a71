#include "tools/state_test.hpp"
#include "tools/fixture_json.hpp"

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace polyvm::tools {
namespace {

using json = nlohmann::json;

// ---- JSON access with field paths in every error --------------------------------------------

const json* find_member(const json& obj, const char* key, const std::string& path) {
    if (!obj.is_object()) throw FixtureError(path + ": expected a JSON object");
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

const json& member(const json& obj, const char* key, const std::string& path) {
    const json* v = find_member(obj, key, path);
    if (!v) throw FixtureError(path + "." + key + ": missing");
    return *v;
}

const json& array_of(const json& v, const std::string& path) {
    if (!v.is_array()) throw FixtureError(path + ": expected a JSON array");
    return v;
}

/// Fixture scalars are strings; plain JSON integers are accepted too since they are unambiguous.
std::string text_of(const json& v, const std::string& path) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    throw FixtureError(path + ": expected a string");
}

size_t index_of(const json& v, const std::string& path) {
    if (v.is_number_unsigned()) return v.get<size_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<size_t>(v.get<int64_t>());
    if (v.is_string()) return static_cast<size_t>(require_u64(v.get<std::string>(), path));
    throw FixtureError(path + ": expected a non-negative integer index");
}

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// ---- transaction values that may legitimately not fit ----------------------------------------

/// Why a transaction value cannot be used: the rule a rejection reports (the name the decoder
/// gives the same too-wide integer in txbytes) and which field it was.
struct Overflow {
    std::string rule;    // empty: the value fits
    std::string detail;  // "<path> = <text> does not fit 256 bits"
};

// The rules for too-wide fields, per execution-spec-tests' TransactionException. The value's is
// the name the state and blockchain fixtures use (stTransactionTest/ValueOverflowParis.json);
// the decoder reports the same encodings under the same names.
constexpr const char* kNonceOverflow = "NONCE_OVERFLOW";
constexpr const char* kGasLimitOverflow = "GASLIMIT_OVERFLOW";
constexpr const char* kGasPriceOverflow = "GASPRICE_OVERFLOW";  // also max fee and max blob fee
constexpr const char* kPriorityOverflow = "PRIORITY_OVERFLOW";
constexpr const char* kValueOverflow = "RLP_INVALID_VALUE";
constexpr const char* kAuthorizationOverflow = "TYPE_4_INVALID_AUTHORIZATION_FORMAT";

/// A value of the `transaction` section. `overflow.rule` is set (and `value` meaningless) when the
/// number is well-formed but too wide: that makes the cases using it invalid, not the file.
template <typename T>
struct Checked {
    T value{};
    Overflow overflow;
};

template <typename T>
Checked<T> read_checked(const json& v, const std::string& path, const char* type_name, const char* rule) {
    const std::string s = text_of(v, path);
    Checked<T> c;
    switch (parse_number(s, c.value)) {
        case NumberStatus::Ok:
            break;
        case NumberStatus::Overflow:
            c.overflow.rule = rule;
            c.overflow.detail = path + " = " + (s.size() > 70 ? s.substr(0, 70) + "..." : s) + " does not fit " + type_name;
            break;
        case NumberStatus::Malformed:
            throw FixtureError(path + ": not a number: \"" + s.substr(0, 80) + "\"");
    }
    return c;
}

Checked<uint256> read_u256_checked(const json& v, const std::string& path, const char* rule) {
    return read_checked<uint256>(v, path, "256 bits", rule);
}
Checked<uint64_t> read_u64_checked(const json& v, const std::string& path, const char* rule) {
    return read_checked<uint64_t>(v, path, "64 bits", rule);
}

struct AuthorizationTemplate {
    Authorization auth;
    Overflow overflow;  // first field of this tuple that does not fit its type
};

/// The `transaction` section, parsed once per test; cases pick their data/gas/value entries.
struct TxTemplate {
    Checked<uint64_t> nonce;
    std::optional<Checked<uint256>> gas_price;
    std::optional<Checked<uint256>> max_fee_per_gas;
    std::optional<Checked<uint256>> max_priority_fee_per_gas;
    std::optional<Checked<uint256>> max_fee_per_blob_gas;
    std::optional<Address> to;
    Address sender;
    std::vector<bytes> data;
    std::vector<Checked<uint64_t>> gas_limits;
    std::vector<Checked<uint256>> values;
    bool has_access_lists = false;
    std::vector<std::optional<AccessList>> access_lists;  // parallel to data; null entries allowed
    std::optional<std::vector<Hash32>> blob_hashes;
    std::optional<std::vector<AuthorizationTemplate>> authorizations;
};

AccessList read_access_list(const json& v, const std::string& path) {
    AccessList list;
    array_of(v, path);
    for (size_t i = 0; i < v.size(); ++i) {
        const std::string p = at(path, i);
        AccessListEntry e;
        e.address = require_address(text_of(member(v[i], "address", p), p + ".address"), p + ".address");
        const std::string kp = p + ".storageKeys";
        const json& keys = array_of(member(v[i], "storageKeys", p), kp);
        for (size_t k = 0; k < keys.size(); ++k)
            e.storage_keys.push_back(require_word(text_of(keys[k], at(kp, k)), at(kp, k)));
        list.push_back(std::move(e));
    }
    return list;
}

AuthorizationTemplate read_authorization(const json& v, const std::string& p) {
    AuthorizationTemplate t;
    auto note = [&](const Overflow& overflow) {
        if (t.overflow.rule.empty()) t.overflow = overflow;
    };
    // A tuple field out of range is a malformed tuple, whichever field it is (EIP-7702 decoding).
    const char* rule = kAuthorizationOverflow;
    const auto chain_id = read_u256_checked(member(v, "chainId", p), p + ".chainId", rule);
    note(chain_id.overflow);
    t.auth.chain_id = chain_id.value;
    t.auth.address = require_address(text_of(member(v, "address", p), p + ".address"), p + ".address");
    const auto nonce = read_u64_checked(member(v, "nonce", p), p + ".nonce", rule);
    note(nonce.overflow);
    t.auth.nonce = nonce.value;
    // Newer fixtures write both `v` and `yParity` (equal); older ones only `v`.
    const char* parity_key = find_member(v, "yParity", p) ? "yParity" : "v";
    const auto parity = read_u256_checked(member(v, parity_key, p), p + "." + parity_key, rule);
    note(parity.overflow);
    if (parity.overflow.rule.empty() && parity.value > uint256{255})
        note({rule, p + "." + parity_key + " = " + parity.value.to_hex() + " does not fit 8 bits"});
    t.auth.y_parity = static_cast<uint8_t>(parity.value.low64());
    const auto r = read_u256_checked(member(v, "r", p), p + ".r", rule);
    const auto s = read_u256_checked(member(v, "s", p), p + ".s", rule);
    note(r.overflow);
    note(s.overflow);
    t.auth.r = r.value;
    t.auth.s = s.value;
    return t;
}

TxTemplate read_transaction(const json& tx, const std::string& path) {
    TxTemplate t;
    auto field = [&](const char* key) { return path + "." + key; };
    auto optional_u256 = [&](const char* key, const char* rule) -> std::optional<Checked<uint256>> {
        if (const json* v = find_member(tx, key, path)) return read_u256_checked(*v, field(key), rule);
        return std::nullopt;
    };

    t.nonce = read_u64_checked(member(tx, "nonce", path), field("nonce"), kNonceOverflow);
    t.gas_price = optional_u256("gasPrice", kGasPriceOverflow);
    t.max_fee_per_gas = optional_u256("maxFeePerGas", kGasPriceOverflow);
    t.max_priority_fee_per_gas = optional_u256("maxPriorityFeePerGas", kPriorityOverflow);
    t.max_fee_per_blob_gas = optional_u256("maxFeePerBlobGas", kGasPriceOverflow);
    if (t.max_fee_per_gas && !t.max_priority_fee_per_gas)
        throw FixtureError(field("maxPriorityFeePerGas") + ": missing (maxFeePerGas is given)");
    if (!t.max_fee_per_gas && !t.gas_price) throw FixtureError(field("gasPrice") + ": missing");

    // `to: ""` is a contract creation.
    const std::string to = text_of(member(tx, "to", path), field("to"));
    if (!to.empty() && to != "0x") t.to = require_address(to, field("to"));

    if (const json* sender = find_member(tx, "sender", path)) {
        t.sender = require_address(text_of(*sender, field("sender")), field("sender"));
    } else {
        const Hash32 key = require_hash(text_of(member(tx, "secretKey", path), field("secretKey")), field("secretKey"));
        const auto addr = address_from_secret_key(key);
        if (!addr) throw FixtureError(field("secretKey") + ": not a valid secp256k1 secret key");
        t.sender = *addr;
    }

    const json& data = array_of(member(tx, "data", path), field("data"));
    for (size_t i = 0; i < data.size(); ++i)
        t.data.push_back(require_bytes(text_of(data[i], at(field("data"), i)), at(field("data"), i)));
    const json& gas = array_of(member(tx, "gasLimit", path), field("gasLimit"));
    for (size_t i = 0; i < gas.size(); ++i)
        t.gas_limits.push_back(read_u64_checked(gas[i], at(field("gasLimit"), i), kGasLimitOverflow));
    const json& value = array_of(member(tx, "value", path), field("value"));
    for (size_t i = 0; i < value.size(); ++i)
        t.values.push_back(read_u256_checked(value[i], at(field("value"), i), kValueOverflow));

    if (const json* lists = find_member(tx, "accessLists", path)) {
        t.has_access_lists = true;
        array_of(*lists, field("accessLists"));
        for (size_t i = 0; i < lists->size(); ++i) {
            const json& l = (*lists)[i];
            // A null entry means "no access list" for that data index: the case is then a legacy tx.
            if (l.is_null())
                t.access_lists.emplace_back();
            else
                t.access_lists.emplace_back(read_access_list(l, at(field("accessLists"), i)));
        }
    }
    if (const json* hashes = find_member(tx, "blobVersionedHashes", path)) {
        array_of(*hashes, field("blobVersionedHashes"));
        t.blob_hashes.emplace();
        for (size_t i = 0; i < hashes->size(); ++i) {
            const std::string p = at(field("blobVersionedHashes"), i);
            t.blob_hashes->push_back(require_hash(text_of((*hashes)[i], p), p));
        }
        if (!t.max_fee_per_blob_gas) throw FixtureError(field("maxFeePerBlobGas") + ": missing (blobVersionedHashes is given)");
    }
    if (const json* auths = find_member(tx, "authorizationList", path)) {
        array_of(*auths, field("authorizationList"));
        t.authorizations.emplace();
        for (size_t i = 0; i < auths->size(); ++i)
            t.authorizations->push_back(read_authorization((*auths)[i], at(field("authorizationList"), i)));
    }
    if (t.authorizations && !t.max_fee_per_gas)
        throw FixtureError(field("maxFeePerGas") + ": missing (authorizationList is given)");
    if (t.blob_hashes && !t.max_fee_per_gas)
        throw FixtureError(field("maxFeePerGas") + ": missing (blobVersionedHashes is given)");
    return t;
}

/// Builds the transaction of one case; sets `invalid` instead when a value it uses does not fit.
std::optional<Transaction> build_transaction(const TxTemplate& t, const CaseIndexes& ix, const uint256& chain_id,
                                             Overflow& invalid) {
    auto use = [&](const Overflow& overflow) {
        if (invalid.rule.empty() && !overflow.rule.empty()) invalid = overflow;
    };
    Transaction tx;
    const std::optional<AccessList>* access_list =
        t.has_access_lists && t.access_lists[ix.data].has_value() ? &t.access_lists[ix.data] : nullptr;
    if (t.authorizations)
        tx.type = TransactionType::SetCode;
    else if (t.blob_hashes)
        tx.type = TransactionType::Blob;
    else if (t.max_fee_per_gas)
        tx.type = TransactionType::DynamicFee;
    else if (access_list)
        tx.type = TransactionType::AccessList;
    else
        tx.type = TransactionType::Legacy;

    use(t.nonce.overflow);
    tx.nonce = t.nonce.value;
    if (tx.type == TransactionType::Legacy || tx.type == TransactionType::AccessList) {
        use(t.gas_price->overflow);
        tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = t.gas_price->value;
    } else {
        use(t.max_fee_per_gas->overflow);
        use(t.max_priority_fee_per_gas->overflow);
        tx.max_fee_per_gas = tx.gas_price = t.max_fee_per_gas->value;
        tx.max_priority_fee_per_gas = t.max_priority_fee_per_gas->value;
    }
    // Legacy transactions carry no chain id in their fields; EIP-155 lives in the signature only.
    if (tx.type != TransactionType::Legacy) tx.chain_id = chain_id;
    use(t.gas_limits[ix.gas].overflow);
    tx.gas_limit = t.gas_limits[ix.gas].value;
    use(t.values[ix.value].overflow);
    tx.value = t.values[ix.value].value;
    tx.to = t.to;
    tx.data = t.data[ix.data];
    tx.sender = t.sender;
    if (access_list) tx.access_list = **access_list;
    if (tx.type == TransactionType::Blob) {
        use(t.max_fee_per_blob_gas->overflow);
        tx.max_fee_per_blob_gas = t.max_fee_per_blob_gas->value;
        tx.blob_versioned_hashes = *t.blob_hashes;
    }
    if (tx.type == TransactionType::SetCode) {
        for (const auto& a : *t.authorizations) {
            use(a.overflow);
            tx.authorization_list.push_back(a.auth);
        }
    }
    if (!invalid.rule.empty()) return std::nullopt;
    return tx;
}

// ---- the other sections ---------------------------------------------------------------------

void read_env(const json& env, const std::string& path, StateTest& test) {
    auto text = [&](const char* key) { return text_of(member(env, key, path), path + "." + key); };
    auto field = [&](const char* key) { return path + "." + key; };
    BlockInfo& b = test.block;
    b.coinbase = require_address(text("currentCoinbase"), field("currentCoinbase"));
    b.number = require_u64(text("currentNumber"), field("currentNumber"));
    b.timestamp = require_u64(text("currentTimestamp"), field("currentTimestamp"));
    b.gas_limit = require_u64(text("currentGasLimit"), field("currentGasLimit"));
    if (find_member(env, "currentDifficulty", path))
        b.difficulty = require_uint256(text("currentDifficulty"), field("currentDifficulty"));
    if (find_member(env, "currentRandom", path))
        test.current_random = require_word(text("currentRandom"), field("currentRandom"));
    if (find_member(env, "currentBaseFee", path))
        b.base_fee = require_uint256(text("currentBaseFee"), field("currentBaseFee"));
    if (find_member(env, "currentExcessBlobGas", path))
        b.excess_blob_gas = require_u64(text("currentExcessBlobGas"), field("currentExcessBlobGas"));
}

void read_config(const json& config, const std::string& path, StateTest& test) {
    if (const json* id = find_member(config, "chainid", path))
        test.chain_id = require_uint256(text_of(*id, path + ".chainid"), path + ".chainid");
    if (const json* schedule = find_member(config, "blobSchedule", path)) {
        const std::string sp = path + ".blobSchedule";
        if (!schedule->is_object()) throw FixtureError(sp + ": expected a JSON object");
        for (const auto& [fork, params] : schedule->items()) {
            // Schedules of forks this build does not know cannot apply to any case it runs.
            const auto rev = parse_revision(fork);
            if (!rev) continue;
            const std::string fp = sp + "." + fork;
            auto u64 = [&, &params = params](const char* key) {
                return require_u64(text_of(member(params, key, fp), fp + "." + key), fp + "." + key);
            };
            BlobSchedule s;
            s.target = u64("target");
            s.max = u64("max");
            s.base_fee_update_fraction = u64("baseFeeUpdateFraction");
            test.blob_schedules[*rev] = s;
        }
    }
}

void read_pre(const json& pre, const std::string& path, StateTest& test) {
    if (!pre.is_object()) throw FixtureError(path + ": expected a JSON object");
    for (const auto& [addr_text, acc] : pre.items()) {
        const std::string p = path + "." + addr_text;
        PreAccount a;
        a.address = require_address(addr_text, p);
        a.balance = require_uint256(text_of(member(acc, "balance", p), p + ".balance"), p + ".balance");
        a.nonce = require_u64(text_of(member(acc, "nonce", p), p + ".nonce"), p + ".nonce");
        if (const json* code = find_member(acc, "code", p)) a.code = require_bytes(text_of(*code, p + ".code"), p + ".code");
        if (const json* storage = find_member(acc, "storage", p)) {
            if (!storage->is_object()) throw FixtureError(p + ".storage: expected a JSON object");
            for (const auto& [key_text, value] : storage->items()) {
                const std::string sp = p + ".storage." + key_text;
                const uint256 key = require_uint256(key_text, sp + " (key)");
                const uint256 v = require_uint256(text_of(value, sp), sp);
                if (!v.is_zero()) a.storage.emplace_back(key, v);
            }
        }
        test.pre.push_back(std::move(a));
    }
}

void read_post(const json& post, const std::string& path, const TxTemplate& tx, StateTest& test) {
    if (!post.is_object()) throw FixtureError(path + ": expected a JSON object");
    for (const auto& [fork, cases] : post.items()) {
        const std::string fp = path + "." + fork;
        const auto rev = parse_revision(fork);
        if (!rev) throw FixtureError(fp + ": unknown fork \"" + fork + "\" (known: " + known_revision_names() + ")");
        array_of(cases, fp);
        for (size_t i = 0; i < cases.size(); ++i) {
            const std::string cp = at(fp, i);
            const json& c = cases[i];
            StateTestCase sc;
            sc.fork = fork;
            sc.revision = *rev;
            const json& ix = member(c, "indexes", cp);
            const std::string ip = cp + ".indexes";
            sc.indexes.data = index_of(member(ix, "data", ip), ip + ".data");
            sc.indexes.gas = index_of(member(ix, "gas", ip), ip + ".gas");
            sc.indexes.value = index_of(member(ix, "value", ip), ip + ".value");
            auto check_range = [&](size_t index, size_t size, const char* name, const char* array) {
                if (index >= size)
                    throw FixtureError(ip + "." + name + ": index " + std::to_string(index) + " is out of range (transaction." +
                                       array + " has " + std::to_string(size) + " entries)");
            };
            check_range(sc.indexes.data, tx.data.size(), "data", "data");
            check_range(sc.indexes.gas, tx.gas_limits.size(), "gas", "gasLimit");
            check_range(sc.indexes.value, tx.values.size(), "value", "value");
            if (tx.has_access_lists) check_range(sc.indexes.data, tx.access_lists.size(), "data", "accessLists");

            sc.expected_state_root = require_hash(text_of(member(c, "hash", cp), cp + ".hash"), cp + ".hash");
            sc.expected_logs_hash = require_hash(text_of(member(c, "logs", cp), cp + ".logs"), cp + ".logs");
            if (const json* e = find_member(c, "expectException", cp)) sc.expect_exception = text_of(*e, cp + ".expectException");
            if (const json* b = find_member(c, "txbytes", cp)) sc.txbytes = require_bytes(text_of(*b, cp + ".txbytes"), cp + ".txbytes");
            Overflow invalid;
            sc.tx = build_transaction(tx, sc.indexes, test.chain_id, invalid);
            sc.tx_invalid_rule = std::move(invalid.rule);
            sc.tx_invalid_reason = std::move(invalid.detail);
            test.cases.push_back(std::move(sc));
        }
    }
}

StateTest read_test(const std::string& name, const json& t) {
    StateTest test;
    test.name = name;
    if (!t.is_object()) throw FixtureError(name + ": expected a JSON object");
    read_env(member(t, "env", name), name + ".env", test);
    if (const json* config = find_member(t, "config", name)) read_config(*config, name + ".config", test);
    read_pre(member(t, "pre", name), name + ".pre", test);
    const TxTemplate tx = read_transaction(member(t, "transaction", name), name + ".transaction");
    read_post(member(t, "post", name), name + ".post", tx, test);
    // Optional and informative only: a malformed label is ignored, not a file error.
    if (const json* info = find_member(t, "_info", name); info && info->is_object())
        if (const auto l = info->find("labels"); l != info->end() && l->is_object())
            for (const auto& [index, label] : l->items())
                if (label.is_string() && !index.empty() && index.find_first_not_of("0123456789") == std::string::npos)
                    test.labels[std::stoul(index)] = label.get<std::string>();
    return test;
}

std::string hex_of(const uint256& v) { return v.to_hex(); }
std::string hex_of(uint64_t v) { return uint256{v}.to_hex(); }
std::string hex_of(const bytes& v) {
    std::string s = to_hex_prefixed(v);
    return s.size() > 66 ? s.substr(0, 66) + "...(" + std::to_string(v.size()) + " bytes)" : s;
}
std::string hex_of(const std::optional<Address>& a) { return a ? to_hex_prefixed(*a) : "(creation)"; }
std::string hex_of(const std::optional<uint256>& v) { return v ? v->to_hex() : "(none)"; }

}  // namespace

std::vector<StateTest> parse_state_tests(std::string_view json_text, const std::string& file_label) {
    std::vector<StateTest> tests;
    for_each_fixture_test(json_text, file_label,
                          [&](const std::string& name, const json& t) { tests.push_back(read_test(name, t)); });
    return tests;
}

std::vector<StateTest> load_state_test_file(const std::filesystem::path& path, const std::string& file_label) {
    return parse_state_tests(read_fixture_text(path, file_label), file_label);
}

std::string read_fixture_text(const std::filesystem::path& path, const std::string& label) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FixtureError(label + ": cannot open " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw FixtureError(label + ": read error on " + path.string());
    return ss.str();
}

void for_each_fixture_test(std::string_view json_text, const std::string& label,
                           const std::function<void(const std::string&, const json&)>& read) {
    json doc;
    try {
        doc = json::parse(json_text.begin(), json_text.end());
    } catch (const json::exception& e) {
        throw FixtureError(label + ": malformed JSON: " + e.what());
    }
    if (!doc.is_object()) throw FixtureError(label + ": expected a JSON object of tests at the top level");
    try {
        for (const auto& [name, t] : doc.items()) read(name, t);
    } catch (const FixtureError& e) {
        throw FixtureError(label + ": " + e.what());
    } catch (const json::exception& e) {
        // Type errors inside nlohmann (e.g. get<size_t>() of a huge number) still name the file.
        throw FixtureError(label + ": " + e.what());
    }
}

GenesisAccount genesis_account(const PreAccount& a) {
    GenesisAccount g;
    g.address = a.address;
    g.info.nonce = a.nonce;
    g.info.balance = a.balance;
    g.info.code_hash = a.code.empty() ? kEmptyCodeHash : keccak256(a.code);
    g.info.has_storage = !a.storage.empty();
    g.code = a.code;
    g.storage = a.storage;
    return g;
}

BlockInfo block_for(const StateTest& test, Revision rev) {
    BlockInfo b = test.block;
    if (rev >= Revision::Paris) b.prev_randao = test.current_random ? *test.current_random : b.difficulty.to_hash();
    if (const auto it = test.blob_schedules.find(rev); it != test.blob_schedules.end()) b.blob_schedule = it->second;
    return b;
}

std::optional<std::string> compare_transactions(const Transaction& a, const Transaction& b) {
    auto diff = [](const char* field, const std::string& x, const std::string& y) -> std::optional<std::string> {
        return std::string(field) + ": fields " + x + ", txbytes " + y;
    };
    if (a.type != b.type)
        return diff("type", std::to_string(static_cast<int>(a.type)), std::to_string(static_cast<int>(b.type)));
    if (a.type != TransactionType::Legacy && a.chain_id != b.chain_id)
        return diff("chain id", hex_of(a.chain_id), hex_of(b.chain_id));
    if (a.nonce != b.nonce) return diff("nonce", hex_of(a.nonce), hex_of(b.nonce));
    if (a.gas_price != b.gas_price) return diff("gas price", hex_of(a.gas_price), hex_of(b.gas_price));
    if (a.max_fee_per_gas != b.max_fee_per_gas)
        return diff("max fee per gas", hex_of(a.max_fee_per_gas), hex_of(b.max_fee_per_gas));
    if (a.max_priority_fee_per_gas != b.max_priority_fee_per_gas)
        return diff("max priority fee per gas", hex_of(a.max_priority_fee_per_gas), hex_of(b.max_priority_fee_per_gas));
    if (a.gas_limit != b.gas_limit) return diff("gas limit", hex_of(a.gas_limit), hex_of(b.gas_limit));
    if (a.to != b.to) return diff("to", hex_of(a.to), hex_of(b.to));
    if (a.value != b.value) return diff("value", hex_of(a.value), hex_of(b.value));
    if (a.data != b.data) return diff("data", hex_of(a.data), hex_of(b.data));
    if (a.access_list.size() != b.access_list.size())
        return diff("access list length", std::to_string(a.access_list.size()), std::to_string(b.access_list.size()));
    for (size_t i = 0; i < a.access_list.size(); ++i) {
        const auto& x = a.access_list[i];
        const auto& y = b.access_list[i];
        if (x.address != y.address || x.storage_keys != y.storage_keys)
            return "access list entry " + std::to_string(i) + " differs (address " + to_hex_prefixed(x.address) + " vs " +
                   to_hex_prefixed(y.address) + ")";
    }
    if (a.type == TransactionType::Blob) {
        if (a.max_fee_per_blob_gas != b.max_fee_per_blob_gas)
            return diff("max fee per blob gas", hex_of(a.max_fee_per_blob_gas), hex_of(b.max_fee_per_blob_gas));
        if (a.blob_versioned_hashes != b.blob_versioned_hashes)
            return diff("blob versioned hashes (count)", std::to_string(a.blob_versioned_hashes.size()),
                        std::to_string(b.blob_versioned_hashes.size()));
    }
    if (a.authorization_list.size() != b.authorization_list.size())
        return diff("authorization list length", std::to_string(a.authorization_list.size()),
                    std::to_string(b.authorization_list.size()));
    for (size_t i = 0; i < a.authorization_list.size(); ++i) {
        const auto& x = a.authorization_list[i];
        const auto& y = b.authorization_list[i];
        if (x.chain_id != y.chain_id || x.address != y.address || x.nonce != y.nonce || x.y_parity != y.y_parity ||
            x.r != y.r || x.s != y.s)
            return "authorization " + std::to_string(i) + " differs";
    }
    return std::nullopt;
}

}  // namespace polyvm::tools

namespace polyvm::tools {

std::vector<PreAccount> read_accounts(const nlohmann::json& accounts, const std::string& path) {
    StateTest holder;
    read_pre(accounts, path, holder);
    return std::move(holder.pre);
}

std::map<Revision, BlobSchedule> read_blob_schedules(const nlohmann::json& config, const std::string& path) {
    StateTest holder;
    read_config(config, path, holder);
    return std::move(holder.blob_schedules);
}

uint256 read_chain_id(const nlohmann::json& config, const std::string& path) {
    StateTest holder;
    read_config(config, path, holder);
    return holder.chain_id;
}

}  // namespace polyvm::tools

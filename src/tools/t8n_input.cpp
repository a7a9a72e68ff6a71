// Reading t8n's inputs: geth's alloc, env and transaction JSON, and transaction lists in RLP.
// Numbers are accepted as hex or decimal strings or JSON integers (geth takes both spellings in
// env, hex in transactions; being lenient costs nothing). Every error names the field.
#include "tools/t8n.hpp"

#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "tools/fixture_values.hpp"

namespace polyvm::tools::t8n {
namespace {

using json = nlohmann::json;

// ---- JSON access: FixtureErrors (from the shared value readers) become kErrorJson at the top ----

const json* find(const json& obj, const char* key, const std::string& path) {
    if (!obj.is_object()) throw FixtureError(path + ": expected a JSON object");
    const auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

const json& need(const json& obj, const char* key, const std::string& path) {
    const json* v = find(obj, key, path);
    if (!v) throw FixtureError(path + "." + key + ": missing");
    return *v;
}

std::string text(const json& v, const std::string& path) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return std::to_string(v.get<int64_t>());
    throw FixtureError(path + ": expected a string or a non-negative integer");
}

uint256 u256_of(const json& v, const std::string& path) { return require_uint256(text(v, path), path); }
uint64_t u64_of(const json& v, const std::string& path) { return require_u64(text(v, path), path); }

template <typename T, typename Read>
std::optional<T> optional_field(const json& obj, const char* key, const std::string& path, Read read) {
    if (const json* v = find(obj, key, path)) return read(*v, path + "." + key);
    return std::nullopt;
}

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const json& array_of(const json& v, const std::string& path) {
    if (!v.is_array()) throw FixtureError(path + ": expected a JSON array");
    return v;
}

/// Runs a reader, turning every malformed-input exception into the tool's JSON error.
template <typename F>
auto as_json_error(F read) -> decltype(read()) {
    try {
        return read();
    } catch (const FixtureError& e) {
        throw T8nError(kErrorJson, e.what());
    } catch (const json::exception& e) {
        throw T8nError(kErrorJson, e.what());
    }
}

// ---- transactions ---------------------------------------------------------------------------

AccessList read_access_list(const json& v, const std::string& path) {
    AccessList list;
    for (size_t i = 0; i < array_of(v, path).size(); ++i) {
        const std::string p = at(path, i);
        AccessListEntry e;
        e.address = require_address(text(need(v[i], "address", p), p + ".address"), p + ".address");
        const std::string kp = p + ".storageKeys";
        if (const json* keys = find(v[i], "storageKeys", p))
            for (size_t k = 0; k < array_of(*keys, kp).size(); ++k)
                e.storage_keys.push_back(require_word(text((*keys)[k], at(kp, k)), at(kp, k)));
        list.push_back(std::move(e));
    }
    return list;
}

Authorization read_authorization(const json& v, const std::string& p) {
    Authorization a;
    a.chain_id = u256_of(need(v, "chainId", p), p + ".chainId");
    a.address = require_address(text(need(v, "address", p), p + ".address"), p + ".address");
    a.nonce = u64_of(need(v, "nonce", p), p + ".nonce");
    // geth writes both `v` and `yParity` (equal); either is enough.
    const char* parity_key = find(v, "yParity", p) ? "yParity" : "v";
    const uint256 parity = u256_of(need(v, parity_key, p), p + "." + parity_key);
    if (parity > uint256{255}) throw FixtureError(p + "." + parity_key + ": does not fit 8 bits");
    a.y_parity = static_cast<uint8_t>(parity.low64());
    a.r = u256_of(need(v, "r", p), p + ".r");
    a.s = u256_of(need(v, "s", p), p + ".s");
    return a;
}

/// The type a transaction object declares, or (without "type") the one its fields imply.
TransactionType read_type(const json& j, const std::string& p) {
    if (const json* t = find(j, "type", p)) {
        const uint64_t type = u64_of(*t, p + ".type");
        if (type > 4) throw FixtureError(p + ".type: unknown transaction type " + std::to_string(type));
        return static_cast<TransactionType>(type);
    }
    if (find(j, "authorizationList", p)) return TransactionType::SetCode;
    if (find(j, "blobVersionedHashes", p)) return TransactionType::Blob;
    if (find(j, "maxFeePerGas", p)) return TransactionType::DynamicFee;
    if (find(j, "accessList", p)) return TransactionType::AccessList;
    return TransactionType::Legacy;
}

/// One transaction object. `secret_key` and `protect` receive the signing instructions.
/// A typed transaction without `chainId` gets `chain_id`.
Transaction read_transaction(const json& j, const std::string& p, const uint256& chain_id,
                             std::optional<Hash32>& secret_key, bool& protect) {
    auto field = [&](const char* key) { return p + "." + key; };
    Transaction tx;
    tx.type = read_type(j, p);
    tx.nonce = optional_field<uint64_t>(j, "nonce", p, u64_of).value_or(0);
    // geth names the gas limit `gas`; state-test style `gasLimit` is accepted too.
    const char* gas_key = find(j, "gas", p) ? "gas" : "gasLimit";
    tx.gas_limit = u64_of(need(j, gas_key, p), field(gas_key));
    tx.value = optional_field<uint256>(j, "value", p, u256_of).value_or(uint256{});
    const char* data_key = find(j, "input", p) ? "input" : "data";
    if (const json* d = find(j, data_key, p)) tx.data = require_bytes(text(*d, field(data_key)), field(data_key));
    // `to` null, absent or empty: a contract creation.
    if (const json* to = find(j, "to", p)) {
        const std::string t = text(*to, field("to"));
        if (!t.empty() && t != "0x") tx.to = require_address(t, field("to"));
    }

    if (tx.type == TransactionType::Legacy || tx.type == TransactionType::AccessList) {
        tx.gas_price = u256_of(need(j, "gasPrice", p), field("gasPrice"));
        tx.max_fee_per_gas = tx.max_priority_fee_per_gas = tx.gas_price;
    } else {
        tx.max_fee_per_gas = u256_of(need(j, "maxFeePerGas", p), field("maxFeePerGas"));
        tx.max_priority_fee_per_gas = u256_of(need(j, "maxPriorityFeePerGas", p), field("maxPriorityFeePerGas"));
        tx.gas_price = tx.max_fee_per_gas;
    }
    // A legacy transaction's chain id lives in its signature (v); typed ones carry it.
    if (tx.type != TransactionType::Legacy)
        tx.chain_id = optional_field<uint256>(j, "chainId", p, u256_of).value_or(chain_id);
    if (tx.type != TransactionType::Legacy)
        if (const json* list = find(j, "accessList", p)) tx.access_list = read_access_list(*list, field("accessList"));
    if (tx.type == TransactionType::Blob) {
        tx.max_fee_per_blob_gas = u256_of(need(j, "maxFeePerBlobGas", p), field("maxFeePerBlobGas"));
        const json& hashes = array_of(need(j, "blobVersionedHashes", p), field("blobVersionedHashes"));
        for (size_t i = 0; i < hashes.size(); ++i)
            tx.blob_versioned_hashes.push_back(
                require_hash(text(hashes[i], at(field("blobVersionedHashes"), i)), at(field("blobVersionedHashes"), i)));
    }
    if (tx.type == TransactionType::SetCode) {
        const json& auths = array_of(need(j, "authorizationList", p), field("authorizationList"));
        for (size_t i = 0; i < auths.size(); ++i)
            tx.authorization_list.push_back(read_authorization(auths[i], at(field("authorizationList"), i)));
    }

    // Typed transactions may name the signature's parity `yParity` (geth writes it next to `v`).
    const char* v_key = tx.type != TransactionType::Legacy && find(j, "yParity", p) ? "yParity" : "v";
    tx.v = optional_field<uint256>(j, v_key, p, u256_of).value_or(uint256{});
    tx.r = optional_field<uint256>(j, "r", p, u256_of).value_or(uint256{});
    tx.s = optional_field<uint256>(j, "s", p, u256_of).value_or(uint256{});
    // A signed legacy transaction's EIP-155 chain id is read from v by recover_sender.

    secret_key = optional_field<Hash32>(j, "secretKey", p,
                                        [](const json& v, const std::string& path) {
                                            return require_hash(text(v, path), path);
                                        });
    protect = true;
    if (const json* pr = find(j, "protected", p)) {
        if (!pr->is_boolean()) throw FixtureError(field("protected") + ": expected true or false");
        protect = pr->get<bool>();
    }
    return tx;
}

/// geth signs an entry only when it has a key and no signature at all.
void sign_if_unsigned(Transaction& tx, const std::optional<Hash32>& secret_key, bool protect,
                      const uint256& chain_id, const std::string& path) {
    if (!secret_key || !tx.v.is_zero() || !tx.r.is_zero() || !tx.s.is_zero()) return;
    if (tx.type == TransactionType::Legacy) {
        if (protect)
            tx.chain_id = chain_id;
        else
            tx.chain_id.reset();
    }
    if (!sign_transaction(tx, *secret_key))
        throw T8nError(kErrorJson, path + ": failed to sign: secretKey is not a valid secp256k1 key");
}

}  // namespace

std::vector<PreAccount> read_alloc(const json& alloc) {
    return as_json_error([&] {
        const std::string path = "alloc";
        if (!alloc.is_object()) throw FixtureError(path + ": expected a JSON object of accounts");
        std::vector<PreAccount> accounts;
        for (const auto& [address, account] : alloc.items()) {
            const std::string p = path + "." + address;
            PreAccount a;
            a.address = require_address(address, p);
            a.balance = optional_field<uint256>(account, "balance", p, u256_of).value_or(uint256{});
            a.nonce = optional_field<uint64_t>(account, "nonce", p, u64_of).value_or(0);
            if (const json* code = find(account, "code", p)) a.code = require_bytes(text(*code, p + ".code"), p + ".code");
            if (const json* storage = find(account, "storage", p)) {
                if (!storage->is_object()) throw FixtureError(p + ".storage: expected a JSON object");
                for (const auto& [key, value] : storage->items()) {
                    const std::string sp = p + ".storage." + key;
                    const uint256 v = u256_of(value, sp);
                    if (!v.is_zero()) a.storage.emplace_back(require_uint256(key, sp + " (key)"), v);
                }
            }
            accounts.push_back(std::move(a));
        }
        return accounts;
    });
}

Env read_env(const json& j) {
    return as_json_error([&] {
        const std::string p = "env";
        auto field = [&](const char* key) { return p + "." + key; };
        auto hash_of = [](const json& v, const std::string& path) { return require_word(text(v, path), path); };
        Env env;
        env.coinbase = require_address(text(need(j, "currentCoinbase", p), field("currentCoinbase")), field("currentCoinbase"));
        env.gas_limit = u64_of(need(j, "currentGasLimit", p), field("currentGasLimit"));
        env.number = u64_of(need(j, "currentNumber", p), field("currentNumber"));
        env.timestamp = u64_of(need(j, "currentTimestamp", p), field("currentTimestamp"));
        env.difficulty = optional_field<uint256>(j, "currentDifficulty", p, u256_of);
        env.random = optional_field<Hash32>(j, "currentRandom", p, hash_of);
        env.base_fee = optional_field<uint256>(j, "currentBaseFee", p, u256_of);
        env.parent_base_fee = optional_field<uint256>(j, "parentBaseFee", p, u256_of);
        env.parent_gas_used = optional_field<uint64_t>(j, "parentGasUsed", p, u64_of).value_or(0);
        env.parent_gas_limit = optional_field<uint64_t>(j, "parentGasLimit", p, u64_of).value_or(0);
        env.parent_timestamp = optional_field<uint64_t>(j, "parentTimestamp", p, u64_of).value_or(0);
        env.excess_blob_gas = optional_field<uint64_t>(j, "currentExcessBlobGas", p, u64_of);
        env.parent_excess_blob_gas = optional_field<uint64_t>(j, "parentExcessBlobGas", p, u64_of);
        env.parent_blob_gas_used = optional_field<uint64_t>(j, "parentBlobGasUsed", p, u64_of);
        env.parent_beacon_block_root = optional_field<Hash32>(j, "parentBeaconBlockRoot", p, hash_of);
        env.parent_hash = optional_field<Hash32>(j, "parentHash", p, hash_of);

        if (const json* ws = find(j, "withdrawals", p)) {
            env.withdrawals.emplace();
            for (size_t i = 0; i < array_of(*ws, field("withdrawals")).size(); ++i) {
                const std::string wp = at(field("withdrawals"), i);
                const json& w = (*ws)[i];
                Withdrawal wd;
                wd.index = u64_of(need(w, "index", wp), wp + ".index");
                wd.validator_index = u64_of(need(w, "validatorIndex", wp), wp + ".validatorIndex");
                // geth's JSON tag is `address`; its README once said `recipient`.
                const char* to_key = find(w, "address", wp) ? "address" : "recipient";
                wd.address = require_address(text(need(w, to_key, wp), wp + "." + to_key), wp + "." + to_key);
                wd.amount_gwei = u64_of(need(w, "amount", wp), wp + ".amount");
                env.withdrawals->push_back(wd);
            }
        }
        if (const json* hashes = find(j, "blockHashes", p)) {
            if (!hashes->is_object()) throw FixtureError(field("blockHashes") + ": expected a JSON object");
            for (const auto& [number, hash] : hashes->items()) {
                const std::string hp = field("blockHashes") + "." + number;
                env.block_hashes[require_u64(number, hp + " (block number)")] = require_hash(text(hash, hp), hp);
            }
        }
        if (const json* ommers = find(j, "ommers", p)) {
            for (size_t i = 0; i < array_of(*ommers, field("ommers")).size(); ++i) {
                const std::string op = at(field("ommers"), i);
                Ommer o;
                o.delta = u64_of(need((*ommers)[i], "delta", op), op + ".delta");
                o.address = require_address(text(need((*ommers)[i], "address", op), op + ".address"), op + ".address");
                env.ommers.push_back(o);
            }
        }
        return env;
    });
}

std::vector<TxEntry> read_json_transactions(const json& txs, const uint256& chain_id) {
    return as_json_error([&] {
        std::vector<TxEntry> out;
        for (size_t i = 0; i < array_of(txs, "txs").size(); ++i) {
            const std::string p = at("txs", i);
            std::optional<Hash32> key;
            bool protect = true;
            Transaction tx = read_transaction(txs[i], p, chain_id, key, protect);
            sign_if_unsigned(tx, key, protect, chain_id, p);
            out.emplace_back(std::move(tx));
        }
        return out;
    });
}

std::vector<TxEntry> decode_rlp_transactions(bytes_view rlp_list) {
    const auto list = rlp::decode_item(rlp_list);
    if (!list) throw T8nError(kErrorRlp, "transactions RLP: " + list.error().message);
    if (!list->is_list) throw T8nError(kErrorRlp, "transactions RLP: expected a list, got a byte string");
    std::vector<TxEntry> out;
    rlp::ListReader reader(*list);
    while (!reader.empty()) {
        const auto item = reader.next();
        if (!item) throw T8nError(kErrorRlp, "transactions RLP, entry " + std::to_string(out.size()) + ": " +
                                                 item.error().message);
        // A list is a legacy transaction; a byte string holds a typed envelope `type || payload`,
        // whose first byte is a type below 0x80 (a wrapped list would be a second spelling).
        if (!item->is_list && (item->payload.empty() || item->payload[0] >= 0x80)) {
            out.emplace_back(TransactionError{"TYPE_NOT_SUPPORTED", "a byte string that is not a typed envelope"});
            continue;
        }
        out.push_back(decode_transaction(item->is_list ? item->encoded : item->payload));
    }
    return out;
}

std::vector<TxEntry> read_rlp_transactions(const json& hex_string) {
    if (!hex_string.is_string())
        throw T8nError(kErrorJson, "transactions RLP: expected a JSON string of hex, e.g. \"0xc0\"");
    const std::string text = hex_string.get<std::string>();
    const auto raw = from_hex(text);
    if (!raw) throw T8nError(kErrorRlp, "transactions RLP: not a hex string (" + hex_problem(text) + ")");
    return decode_rlp_transactions(*raw);
}

}  // namespace polyvm::tools::t8n

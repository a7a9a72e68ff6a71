#include "tools/t8n.hpp"

#include "chain/block_executor.hpp"
#include "chain/header_validation.hpp"
#include "chain/receipt.hpp"
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "exec/block_info.hpp"
#include "exec/system_contracts.hpp"
#include "exec/transaction_execution.hpp"
#include "state/memory_database.hpp"
#include "state/state.hpp"
#include "tools/t8n_output.hpp"

#include <algorithm>

namespace polyvm::tools::t8n {
namespace {

/// The block hash geth's t8n puts in receipts and logs: the block is not sealed, so its real hash
/// is unknown, and a recognisable constant beats zeros.
Hash32 unsealed_block_hash() {
    Hash32 h;
    h[0] = 0x13;
    h[1] = 0x37;
    return h;
}

/// Serves the state and BLOCKHASH from the database and remembers the first block number it
/// could not answer: geth's t8n then fails (ErrorMissingBlockhash) rather than let a zero hash
/// into the result.
class BlockHashRecorder final : public StateReader {
public:
    explicit BlockHashRecorder(MemoryDatabase& db) : db_(db) {}

    std::optional<AccountInfo> read_account(const Address& address) override { return db_.read_account(address); }
    uint256 read_storage(const Address& address, const uint256& key) override { return db_.read_storage(address, key); }
    std::shared_ptr<const bytes> read_code(const Hash32& code_hash) override { return db_.read_code(code_hash); }
    std::optional<Hash32> read_block_hash(uint64_t number) override {
        auto hash = db_.read_block_hash(number);
        if (!hash && !missing_) missing_ = number;
        return hash;
    }

    std::optional<uint64_t> missing() const noexcept { return missing_; }

private:
    MemoryDatabase& db_;
    std::optional<uint64_t> missing_;
};

/// geth's names for forks that only moved the difficulty bomb: their execution rules are those
/// of the fork before.
std::optional<Revision> fork_named(std::string_view name) {
    if (const auto rev = parse_revision(name)) return rev;
    if (name == "MuirGlacier") return Revision::Istanbul;
    if (name == "ArrowGlacier" || name == "GrayGlacier") return Revision::London;
    return std::nullopt;
}

/// "XToYAt5": fork Y from block 5 on. A t8n run is one block, so it resolves to X or Y.
std::optional<Revision> block_transition(std::string_view name, uint64_t number) {
    const auto to = name.find("To");
    const auto at = name.rfind("At");
    if (to == std::string_view::npos || at == std::string_view::npos || at <= to + 2) return std::nullopt;
    const std::string_view digits = name.substr(at + 2);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos || digits.size() > 18)
        return std::nullopt;
    const auto from_rev = fork_named(name.substr(0, to));
    const auto to_rev = fork_named(name.substr(to + 2, at - to - 2));
    if (!from_rev || !to_rev || *to_rev <= *from_rev) return std::nullopt;
    return number >= std::stoull(std::string(digits)) ? *to_rev : *from_rev;
}

[[noreturn]] void config_error(const std::string& message) { throw T8nError(kErrorConfig, message); }

uint256 base_fee_of(const Env& e) {
    if (e.base_fee) return *e.base_fee;
    if (!e.parent_base_fee) config_error("EIP-1559 config but missing 'currentBaseFee' (or 'parentBaseFee') in env section");
    BlockHeader parent;
    parent.base_fee_per_gas = *e.parent_base_fee;
    parent.gas_used = e.parent_gas_used;
    parent.gas_limit = e.parent_gas_limit;
    return expected_base_fee(parent);
}

/// The excess blob gas of the block, given or derived from the parent's; nullopt when neither
/// (geth then rejects blob transactions and leaves the blob fields out of the result).
std::optional<uint64_t> excess_blob_gas_of(const Env& e, const BlobSchedule& schedule, Revision rev) {
    if (e.excess_blob_gas) return e.excess_blob_gas;
    if (!e.parent_excess_blob_gas || !e.parent_blob_gas_used) return std::nullopt;
    ParentBlobInfo parent;
    parent.excess_blob_gas = *e.parent_excess_blob_gas;
    parent.blob_gas_used = *e.parent_blob_gas_used;
    parent.base_fee = e.parent_base_fee.value_or(uint256{});
    return calc_excess_blob_gas(parent, schedule, rev);
}

/// The block the transactions run in, with geth's checks of what the fork requires of env.
BlockEnvironment block_environment_of(const Env& e, const ChainConfig& config, Revision rev,
                                      std::optional<uint64_t> excess_blob_gas) {
    BlockEnvironment env;
    env.revision = rev;
    BlockInfo& info = env.info;
    info.number = e.number;
    info.timestamp = e.timestamp;
    info.gas_limit = e.gas_limit;
    info.coinbase = e.coinbase;
    if (rev >= Revision::Paris) {
        if (!e.random) config_error("post-merge requires currentRandom to be defined in env");
        if (e.difficulty && !e.difficulty->is_zero()) config_error("post-merge difficulty must be zero (or omitted) in env");
        info.prev_randao = *e.random;
    } else {
        if (!e.difficulty)
            config_error("currentDifficulty is required before the Merge (deriving it from parentDifficulty is not supported)");
        info.difficulty = *e.difficulty;
    }
    if (rev >= Revision::London) info.base_fee = base_fee_of(e);
    if (rev >= Revision::Shanghai && !e.withdrawals) config_error("Shanghai config but missing 'withdrawals' in env section");
    if (rev >= Revision::Cancun) {
        info.blob_schedule = config.blob_schedule(rev);
        info.excess_blob_gas = excess_blob_gas.value_or(0);
    }
    // EIP-2935 stores the parent's hash: given, or the one blockHashes has for number - 1.
    if (e.parent_hash) {
        env.parent_hash = *e.parent_hash;
    } else if (e.number > 0) {
        if (const auto it = e.block_hashes.find(e.number - 1); it != e.block_hashes.end()) env.parent_hash = it->second;
    }
    env.parent_beacon_block_root = e.parent_beacon_block_root;
    if (e.withdrawals) env.withdrawals = &*e.withdrawals;
    return env;
}

/// Before the Merge the miner earns `reward` plus 1/32 of it per ommer, each ommer's miner
/// (8 - delta)/8 of it; geth applies it after the transactions, and even a zero reward touches
/// the coinbase (which deletes it if it is empty, from EIP-158 on).
void apply_block_reward(State& state, const Env& e, Revision rev, int64_t reward) {
    const uint256 block_reward{static_cast<uint64_t>(reward)};
    uint256 miner_reward = block_reward;
    for (const Ommer& o : e.ommers) {
        if (o.delta > 8) config_error("ommer delta " + std::to_string(o.delta) + " > 8 would earn a negative reward");
        miner_reward += block_reward >> 5;
        state.add_balance(o.address, (uint256{8 - o.delta} * block_reward) >> 3);
    }
    state.add_balance(e.coinbase, miner_reward);
    state.finalize_transaction(rev >= Revision::SpuriousDragon);
}

std::string rejection_text(const RejectedTransaction& r) { return r.detail.empty() ? r.rule : r.rule + ": " + r.detail; }

bytes encode_body(const std::vector<Transaction>& included) {
    // Typed transactions are byte strings in a block body, legacy ones lists (EIP-2718).
    rlp::ListBuilder list;
    for (const Transaction& tx : included) {
        const bytes encoded = encode_transaction(tx);
        if (tx.type == TransactionType::Legacy)
            list.add_raw(encoded);
        else
            list.add(encoded);
    }
    return list.finish();
}

}  // namespace

ChainConfig resolve_fork(const std::string& fork, const Env& env, const uint256& chain_id) {
    std::optional<ChainConfig> config = parse_network(fork);
    if (!config) {
        if (const auto rev = fork_named(fork)) {
            config.emplace();
            *config = ChainConfig(*rev);
        } else if (const auto at_block = block_transition(fork, env.number)) {
            config.emplace();
            *config = ChainConfig(*at_block);
        }
    }
    if (!config)
        config_error("unknown fork \"" + fork + "\"; known: " + known_revision_names() +
                     ", MuirGlacier, ArrowGlacier, GrayGlacier, and transitions XToYAtTime15k, XToYAt5");
    config->chain_id = chain_id;
    return *config;
}

Output transition(const Input& input, const Options& options) {
    const Env& e = input.env;
    const ChainConfig config = resolve_fork(options.fork, e, options.chain_id);
    const Revision rev = config.revision_at(e.timestamp);
    const std::optional<uint64_t> excess_blob_gas =
        rev >= Revision::Cancun ? excess_blob_gas_of(e, *config.blob_schedule(rev), rev) : std::nullopt;
    const BlockEnvironment env = block_environment_of(e, config, rev, excess_blob_gas);

    MemoryDatabase db;
    for (const PreAccount& a : input.alloc) db.put_account(a.address, AccountInfo{a.nonce, a.balance}, a.code, a.storage);
    for (const auto& [number, hash] : e.block_hashes) db.set_block_hash(number, hash);
    BlockHashRecorder reader(db);
    State state(&reader);

    // Entries that are transactions go to the block; the others are rejected at their index.
    std::vector<Transaction> transactions;
    std::vector<size_t> input_index;  // of each entry of `transactions`
    std::vector<RejectedTransaction> rejected;
    for (size_t i = 0; i < input.transactions.size(); ++i) {
        if (const auto* error = std::get_if<TransactionError>(&input.transactions[i])) {
            rejected.push_back({i, error->rule, error->detail});
            continue;
        }
        const Transaction& tx = std::get<Transaction>(input.transactions[i]);
        if (tx.type == TransactionType::Blob && rev >= Revision::Cancun && !excess_blob_gas) {
            rejected.push_back({i, "BLOB_FEE_UNKNOWN", "blob tx used but field env.currentExcessBlobGas missing"});
            continue;
        }
        transactions.push_back(tx);
        input_index.push_back(i);
    }

    BlockExecutionOptions exec;
    exec.skip_invalid_transactions = true;
    exec.allow_missing_request_contracts = true;
    if (options.tracer_for)
        exec.tracer_for = [&](size_t i, const Transaction& tx) { return options.tracer_for(input_index[i], tx); };
    if (rev < Revision::Byzantium) {
        // A pre-Byzantium receipt holds the state root after its transaction: apply the changes so
        // far, read the root, and undo them (the State keeps its cache; the database is as before).
        exec.intermediate_root = [&db](State& s) {
            const ChangeSet undo = db.commit(s.changes());
            const Hash32 root = db.state_root();
            db.commit(undo);
            return root;
        };
    }
    auto executed = execute_block_body(state, env, transactions, config, exec);
    if (const auto* error = std::get_if<BlockError>(&executed)) throw T8nError(kErrorEvm, error->to_string());
    const ExecutedBlock& block = std::get<ExecutedBlock>(executed);
    if (const auto number = reader.missing())
        throw T8nError(kErrorMissingBlockhash,
                       "getHash(" + std::to_string(*number) + ") invoked, blockhash for that block not provided");

    for (const RejectedTransaction& r : block.rejected) rejected.push_back({input_index[r.index], r.rule, r.detail});
    std::sort(rejected.begin(), rejected.end(), [](const auto& a, const auto& b) { return a.index < b.index; });

    if (rev < Revision::Paris && options.reward >= 0) apply_block_reward(state, e, rev, options.reward);
    db.commit(state.changes());

    ReceiptBlock receipt_block;
    receipt_block.number = e.number;
    receipt_block.timestamp = e.timestamp;
    receipt_block.hash = unsealed_block_hash();
    if (env.info.blob_schedule)
        receipt_block.blob_gas_price =
            blob_base_fee(env.info.excess_blob_gas, env.info.blob_schedule->base_fee_update_fraction);

    std::vector<Transaction> included;
    nlohmann::ordered_json receipts = nlohmann::ordered_json::array();
    std::vector<Log> block_logs;
    for (size_t k = 0; k < block.included.size(); ++k) {
        const Transaction& tx = transactions[block.included[k]];
        included.push_back(tx);
        ReceiptDetails details;
        details.gas_used = static_cast<uint64_t>(block.outcomes[k].gas_used);
        details.effective_gas_price = effective_gas_price(tx, env.info, rev);
        details.transaction_index = k;
        details.first_log_index = block_logs.size();
        receipts.push_back(receipt_json(tx, block.receipts[k], details, receipt_block));
        block_logs.insert(block_logs.end(), block.receipts[k].logs.begin(), block.receipts[k].logs.end());
    }

    Output out;
    nlohmann::ordered_json& r = out.result;
    r["stateRoot"] = to_hex_prefixed(db.state_root());
    r["txRoot"] = to_hex_prefixed(transactions_root(included));
    r["receiptsRoot"] = to_hex_prefixed(receipts_root(block.receipts));
    r["logsHash"] = to_hex_prefixed(logs_hash(block_logs));
    r["logsBloom"] = to_hex_prefixed(block.logs_bloom);
    r["receipts"] = std::move(receipts);
    if (!rejected.empty()) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const RejectedTransaction& x : rejected) list.push_back({{"index", x.index}, {"error", rejection_text(x)}});
        r["rejected"] = std::move(list);
    }
    // geth writes null for the difficulty of a post-Merge block.
    r["currentDifficulty"] =
        rev >= Revision::Paris ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(env.info.difficulty.to_hex());
    r["gasUsed"] = hex_number(block.gas_used);
    // As geth: a base fee or excess blob gas given to an older fork is echoed (it changes nothing).
    if (rev >= Revision::London)
        r["currentBaseFee"] = env.info.base_fee.to_hex();
    else if (e.base_fee)
        r["currentBaseFee"] = e.base_fee->to_hex();
    if (rev >= Revision::Shanghai) r["withdrawalsRoot"] = to_hex_prefixed(withdrawals_root(*e.withdrawals));
    if (const auto excess = rev >= Revision::Cancun ? excess_blob_gas : e.excess_blob_gas) {
        r["currentExcessBlobGas"] = hex_number(*excess);
        r["blobGasUsed"] = hex_number(block.blob_gas_used);
    }
    if (rev >= Revision::Prague) {
        r["requestsHash"] = to_hex_prefixed(requests_hash(block.requests));
        nlohmann::ordered_json requests = nlohmann::ordered_json::array();
        for (const bytes& request : block.requests) requests.push_back(to_hex_prefixed(request));
        r["requests"] = std::move(requests);
    } else {
        r["requests"] = nullptr;  // geth's field has no omitempty
    }

    out.alloc = alloc_json(db.dump());
    out.body = encode_body(included);
    return out;
}

}  // namespace polyvm::tools::t8n

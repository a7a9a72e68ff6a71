// The standard methods: web3_*, net_*, eth_* (state, blocks, transactions, calls, signing).
#include "common/hex.hpp"
#include "common/rlp.hpp"
#include "crypto/kzg.hpp"
#include "crypto/kzg_blob.hpp"
#include "crypto/kzg_cells.hpp"
#include "crypto/keccak.hpp"
#include "crypto/message_signing.hpp"
#include "crypto/secp256k1.hpp"
#include "exec/transaction_execution.hpp"
#include "node/dev_node.hpp"
#include "node/fork_config.hpp"
#include "node/rpc_format.hpp"
#include "node/simulation.hpp"
#include "node/transaction_requests.hpp"
#include "node/typed_data.hpp"

#include <set>

namespace polyvm::node {
namespace {
using rpc::RpcError;

json null_or(const BlockPtr& block, auto&& f) { return block ? json(f(*block)) : json(nullptr); }

/// A blob transaction as clients send it (EIP-4844 network form): rlp([tx, blobs, commitments,
/// proofs]), or from Osaka (EIP-7594) rlp([tx, 1, blobs, commitments, cell_proofs]), after the
/// type byte. Returns the canonical encoding of the transaction once the sidecar matches its
/// versioned hashes and its KZG proofs verify (EIP-4844: one per blob, verify_blob_kzg_proof;
/// EIP-7594: one per cell, the blob's 128 cells against them); nullopt when `raw` is not a wrapper.
std::optional<bytes> unwrap_blob_transaction(const bytes& raw, size_t argument_index) {
    const std::string argument = "invalid argument " + std::to_string(argument_index) + ": ";
    if (raw.size() < 2 || raw[0] != 0x03) return std::nullopt;
    const auto list = rlp::decode_item(bytes_view(raw).subspan(1));
    if (!list || !list->is_list) return std::nullopt;
    const auto items = rlp::list_items(*list);
    if (!items || items->empty() || !(*items)[0].is_list) return std::nullopt;
    const size_t first_sidecar = items->size() == 5 ? 2 : 1;
    if (items->size() != 4 && items->size() != 5)
        throw RpcError(rpc::kInvalidParams, argument + "blob transaction wrapper must have 4 or 5 elements");
    bytes canonical{0x03};
    canonical.insert(canonical.end(), (*items)[0].encoded.begin(), (*items)[0].encoded.end());
    auto tx = decode_transaction(canonical);
    if (auto* e = std::get_if<TransactionError>(&tx))
        throw RpcError(rpc::kInvalidParams, argument + "rlp: " + (e->detail.empty() ? e->rule : e->detail));
    const bool cell_proofs = items->size() == 5;
    if (cell_proofs && ((*items)[1].is_list || (*items)[1].payload.size() != 1 || (*items)[1].payload[0] != 1))
        throw RpcError(rpc::kInvalidParams, argument + "unknown blob wrapper version");
    const auto blobs = rlp::list_items((*items)[first_sidecar]);
    const auto commitments = rlp::list_items((*items)[first_sidecar + 1]);
    const auto proofs = rlp::list_items((*items)[first_sidecar + 2]);
    const auto& hashes = std::get<Transaction>(tx).blob_versioned_hashes;
    if (!blobs || !commitments || blobs->size() != hashes.size() || commitments->size() != hashes.size())
        throw RpcError(rpc::kServerError, "blob sidecar does not match the transaction's versioned hashes");
    // EIP-4844: one proof per blob; EIP-7594: one per cell, CELLS_PER_EXT_BLOB = 128 per blob.
    const size_t proofs_per_blob = cell_proofs ? 128 : 1;
    if (!proofs || proofs->size() != hashes.size() * proofs_per_blob)
        throw RpcError(rpc::kServerError, "blob sidecar has " + std::to_string(proofs ? proofs->size() : 0) +
                                              " proofs, expected " + std::to_string(hashes.size() * proofs_per_blob));
    for (size_t i = 0; i < hashes.size(); ++i) {
        const auto commitment = rlp::to_fixed<48>((*commitments)[i]);
        if ((*blobs)[i].is_list || (*blobs)[i].payload.size() != kzg::kBytesPerBlob || !commitment)
            throw RpcError(rpc::kServerError, "blob " + std::to_string(i) + ": a blob is 131072 bytes, a commitment 48");
        const std::span<const uint8_t, 48> commitment_bytes(commitment->bytes.data(), 48);
        if (kzg::kzg_to_versioned_hash(commitment_bytes) != hashes[i])
            throw RpcError(rpc::kServerError, "blob " + std::to_string(i) + ": commitment does not match versioned hash");
        std::vector<kzg::G1Bytes> blob_proofs(proofs_per_blob);
        for (size_t j = 0; j < proofs_per_blob; ++j) {
            const auto proof = rlp::to_fixed<48>((*proofs)[i * proofs_per_blob + j]);
            if (!proof) throw RpcError(rpc::kServerError, "blob " + std::to_string(i) + ": a KZG proof is 48 bytes");
            std::copy_n(proof->bytes.data(), 48, blob_proofs[j].begin());
        }
        const kzg::BlobView blob((*blobs)[i].payload.data(), kzg::kBytesPerBlob);
        const auto verdict = cell_proofs ? kzg::verify_blob_cell_proofs(blob, commitment_bytes, blob_proofs)
                                         : kzg::verify_blob_kzg_proof(blob, commitment_bytes, blob_proofs[0]);
        if (!verdict) throw RpcError(rpc::kServerError, "blob " + std::to_string(i) + ": invalid blob, commitment or proof encoding");
        if (!*verdict) throw RpcError(rpc::kServerError, "blob " + std::to_string(i) + ": KZG proof does not verify");
    }
    return canonical;
}

/// The nonce the next transaction of `sender` gets: the state's, after those waiting in the pool.
uint64_t next_nonce(DevNode& node, const Address& sender) {
    auto state = node.chain().state_at(node.chain().head().number);
    const auto account = state->read_account(sender);
    uint64_t nonce = account ? account->nonce : 0;
    // Those in the pool and those the miner has not admitted yet (automine).
    std::set<uint64_t> waiting;
    for (const auto* e : node.mempool.all())
        if (e->tx.sender == sender) waiting.insert(e->tx.nonce);
    for (const uint64_t n : node.incoming_nonces(sender)) waiting.insert(n);
    while (waiting.contains(nonce)) ++nonce;
    return nonce;
}

/// Fills in what eth_sendTransaction leaves to the node (nonce, gas, fees) and signs.
/// `unsigned_from_anyone`: eth_sendUnsignedTransaction, any sender as if impersonated.
Transaction prepare_transaction(DevNode& node, const TransactionRequest& request, bool unsigned_from_anyone = false) {
    if (!request.from) throw RpcError(rpc::kInvalidParams, "missing \"from\" field");
    std::shared_lock lock(node.chain_mutex_);
    const uint64_t nonce = request.nonce ? *request.nonce : next_nonce(node, *request.from);
    return complete_transaction_locked(node, request, nonce, node.chain().next_base_fee(), node.chain().head().number,
                                       unsigned_from_anyone);
}

json fee_history(DevNode& node, const json& params) {
    uint64_t count = rpc::param_quantity_u64(params, 0);
    const auto newest = node.resolve_block(rpc::param_block(params, 1, rpc::BlockSelector::latest()));
    std::vector<double> percentiles;
    if (const json* p = rpc::param_at(params, 2)) {
        if (!p->is_array()) throw RpcError(rpc::kInvalidParams, "invalid argument 2: expected an array of percentiles");
        for (const json& v : *p) {
            if (!v.is_number()) throw RpcError(rpc::kInvalidParams, "invalid argument 2: percentiles must be numbers");
            percentiles.push_back(v.get<double>());
        }
    }
    count = std::min<uint64_t>(count, 1024);
    count = std::min<uint64_t>(count, *newest + 1);
    const uint64_t oldest = *newest + 1 - count;
    json base_fees = json::array(), ratios = json::array(), blob_fees = json::array(), blob_ratios = json::array(),
         rewards = json::array();
    DevChain& chain = node.chain();
    for (uint64_t n = oldest; n <= *newest && count > 0; ++n) {
        const BlockPtr b = chain.block_by_number(n);
        const BlockHeader& h = b->block.header;
        base_fees.push_back(rpc::quantity(h.base_fee_per_gas.value_or(uint256{})));
        ratios.push_back(h.gas_limit ? static_cast<double>(h.gas_used) / static_cast<double>(h.gas_limit) : 0.0);
        const auto schedule = chain.config().blob_schedule(chain.config().revision_at(h.timestamp));
        blob_fees.push_back(rpc::quantity(
            schedule ? blob_base_fee(h.excess_blob_gas.value_or(0), schedule->base_fee_update_fraction) : uint256{}));
        const double max_blob_gas = schedule ? static_cast<double>(schedule->max * kGasPerBlob) : 0.0;
        blob_ratios.push_back(max_blob_gas > 0 ? static_cast<double>(h.blob_gas_used.value_or(0)) / max_blob_gas : 0.0);
        if (!percentiles.empty()) {
            json row = json::array();
            std::vector<std::pair<uint256, uint64_t>> tips;
            const uint256 base = h.base_fee_per_gas.value_or(uint256{});
            for (size_t i = 0; i < b->block.transactions.size(); ++i) {
                const Transaction& tx = b->block.transactions[i];
                const uint256 cap = tx.max_fee_per_gas > base ? tx.max_fee_per_gas - base : uint256{};
                tips.emplace_back(tx.max_priority_fee_per_gas < cap ? tx.max_priority_fee_per_gas : cap, b->gas_used[i]);
            }
            std::sort(tips.begin(), tips.end());
            for (double p : percentiles) {
                if (tips.empty()) {
                    row.push_back("0x0");
                    continue;
                }
                const double threshold = static_cast<double>(h.gas_used) * p / 100.0;
                double sum = 0;
                size_t i = 0;
                for (; i + 1 < tips.size(); ++i) {
                    sum += static_cast<double>(tips[i].second);
                    if (sum >= threshold) break;
                }
                row.push_back(rpc::quantity(tips[i].first));
            }
            rewards.push_back(std::move(row));
        }
    }
    base_fees.push_back(rpc::quantity(*newest == chain.head().number ? chain.next_base_fee()
                                                                     : chain.block_by_number(*newest + 1)->block.header.base_fee_per_gas.value_or(uint256{})));
    {
        // The block after `newest`: the next block's when newest is the head.
        const BlockInfo next = *newest == chain.head().number
                                   ? chain.next_block_info()
                                   : block_environment(chain.block_by_number(*newest + 1)->block.header, chain.config()).info;
        const auto schedule = blob_schedule_for(next, chain.config().revision_at(next.timestamp));
        blob_fees.push_back(rpc::quantity(schedule ? blob_base_fee(next.excess_blob_gas, schedule->base_fee_update_fraction)
                                                   : uint256{}));
    }
    json out = {{"oldestBlock", rpc::quantity(oldest)},
                {"baseFeePerGas", std::move(base_fees)},
                {"gasUsedRatio", std::move(ratios)},
                {"baseFeePerBlobGas", std::move(blob_fees)},
                {"blobGasUsedRatio", std::move(blob_ratios)}};
    if (!percentiles.empty()) out["reward"] = std::move(rewards);
    return out;
}

bool log_matches(const Log& log, const std::vector<Address>& addresses, const std::vector<std::vector<Hash32>>& topics) {
    if (!addresses.empty() && std::find(addresses.begin(), addresses.end(), log.address) == addresses.end()) return false;
    if (topics.size() > log.topics.size()) {
        // A position with alternatives (non-empty) needs a topic there.
        for (size_t i = log.topics.size(); i < topics.size(); ++i)
            if (!topics[i].empty()) return false;
    }
    for (size_t i = 0; i < topics.size() && i < log.topics.size(); ++i)
        if (!topics[i].empty() && std::find(topics[i].begin(), topics[i].end(), log.topics[i]) == topics[i].end()) return false;
    return true;
}

/// Whether a block whose header has this bloom can hold a matching log: one of the addresses and,
/// at every topic position with alternatives, one of them. Most blocks are ruled out unread.
bool block_may_match(const Bloom& bloom, const LogFilter& f) {
    const auto any_in_bloom = [&](const auto& items) {
        return std::any_of(items.begin(), items.end(), [&](const auto& item) { return bloom_may_contain(bloom, item); });
    };
    if (!f.addresses.empty() && !any_in_bloom(f.addresses)) return false;
    for (const auto& alternatives : f.topics)
        if (!alternatives.empty() && !any_in_bloom(alternatives)) return false;
    return true;
}
}  // namespace

Transaction decode_raw_transaction(const bytes& raw_input, const DevChain& chain, uint64_t chain_id, size_t argument_index) {
    const std::optional<bytes> unwrapped = unwrap_blob_transaction(raw_input, argument_index);
    const bytes& raw = unwrapped ? *unwrapped : raw_input;
    auto decoded = decode_transaction(raw);
    if (auto* e = std::get_if<TransactionError>(&decoded))
        throw RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": rlp: " +
                                                (e->detail.empty() ? e->rule : e->detail));
    Transaction tx = std::move(std::get<Transaction>(decoded));
    // Recovery's rules (EIP-2, EIP-155) are the same in every fork the node runs (Paris on), so the
    // chain's newest fork will do: this runs without the chain lock, beside the mining.
    const Revision rev = chain.config().forks.back().revision;
    if (auto e = validate_chain_id(tx, rev, uint256{chain_id})) throw RpcError(rpc::kServerError, "invalid chain id");
    auto sender = recover_sender(tx, rev);
    if (auto* e = std::get_if<TransactionError>(&sender))
        throw RpcError(rpc::kServerError, "invalid sender: " + (e->detail.empty() ? e->rule : e->detail));
    return tx;
}

Transaction complete_transaction_locked(DevNode& node, const TransactionRequest& request, uint64_t nonce,
                                        const uint256& base_fee, uint64_t state_block, bool unsigned_from_anyone) {
    if (!request.from) throw RpcError(rpc::kInvalidParams, "missing \"from\" field");
    const Address from = *request.from;
    if (!unsigned_from_anyone && !node.can_send_from_locked(from)) throw RpcError(rpc::kServerError, "No Signer available");
    const std::optional<Hash32> key = node.secret_key_of(from);
    TransactionRequest filled = request;
    filled.nonce = nonce;
    if (!filled.gas_price && !filled.max_fee_per_gas && (!filled.type || *filled.type >= TransactionType::DynamicFee)) {
        const uint256 tip = filled.max_priority_fee_per_gas.value_or(uint256{1'000'000'000});
        filled.max_priority_fee_per_gas = tip;
        filled.max_fee_per_gas = base_fee * uint256{2} + tip;
    } else if (filled.type && *filled.type <= TransactionType::AccessList && !filled.gas_price) {
        filled.gas_price = base_fee + uint256{1'000'000'000};
    }
    if (!filled.gas) filled.gas = estimate_gas(node, filled, state_block, {});
    Transaction tx = transaction_from_request(filled, *filled.gas, nonce, node.chain().config().chain_id);
    if (key && !unsigned_from_anyone) {
        if (!sign_transaction(tx, *key)) throw RpcError(rpc::kServerError, "signing failed");
    } else {
        tx.sender = from;  // impersonated: no signature; the hash is that of the unsigned encoding
    }
    return tx;
}

uint64_t block_criterion(DevNode& node, const json& criteria, const char* name, uint64_t fallback, bool must_exist) {
    const auto it = criteria.find(name);
    if (it == criteria.end() || it->is_null()) return fallback;
    const rpc::BlockSelector selector = rpc::decode_block(*it);
    if (selector.tag == rpc::BlockSelector::Tag::Number) return selector.number;
    const auto n = node.resolve_block(selector, must_exist);
    return n ? *n : node.chain().head().number;
}

LogFilter parse_log_filter(DevNode& node, const json& criteria, size_t argument_index) {
    if (!criteria.is_object())
        throw RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": expected a filter object");
    LogFilter f;
    const auto arg = [&](const std::string& what) {
        return RpcError(rpc::kInvalidParams, "invalid argument " + std::to_string(argument_index) + ": " + what);
    };
    try {
        if (const auto it = criteria.find("address"); it != criteria.end() && !it->is_null()) {
            if (it->is_array())
                for (const json& a : *it) f.addresses.push_back(rpc::decode_address(a));
            else
                f.addresses.push_back(rpc::decode_address(*it));
        }
        if (const auto it = criteria.find("topics"); it != criteria.end() && !it->is_null()) {
            if (!it->is_array()) throw arg("topics must be an array");
            if (it->size() > 4) throw arg("exceed max topics");
            for (const json& t : *it) {
                std::vector<Hash32> alternatives;
                if (t.is_array())
                    for (const json& x : t) alternatives.push_back(rpc::decode_hash(x));
                else if (!t.is_null())
                    alternatives.push_back(rpc::decode_hash(t));
                f.topics.push_back(std::move(alternatives));
            }
        }
        if (const auto it = criteria.find("blockHash"); it != criteria.end() && !it->is_null()) {
            if (criteria.contains("fromBlock") || criteria.contains("toBlock"))
                throw arg("cannot specify both BlockHash and FromBlock/Choose");
            f.block_hash = rpc::decode_hash(*it);
        }
        // A number past the head stays as given: eth_getLogs refuses such a range, a filter meets
        // its blocks as they come.
        f.from = block_criterion(node, criteria, "fromBlock", node.chain().head().number, false);
        f.to = block_criterion(node, criteria, "toBlock", node.chain().head().number, false);
    } catch (const rpc::DecodeError& e) {
        throw arg(e.what());
    }
    return f;
}

void append_block_logs(json& out, const BlockView& b, const LogFilter& f) {
    if (!block_may_match(b.block.header.logs_bloom, f)) return;
    for (size_t t = 0; t < b.receipts.size(); ++t)
        for (size_t i = 0; i < b.receipts[t].logs.size(); ++i)
            if (log_matches(b.receipts[t].logs[i], f.addresses, f.topics))
                out.push_back(log_json(b.receipts[t].logs[i], b, t, b.first_log_index[t] + static_cast<uint32_t>(i)));
}

json collect_logs(DevNode& node, const LogFilter& f) {
    json out = json::array();
    DevChain& chain = node.chain();
    if (f.block_hash) {
        const BlockPtr b = chain.block_by_hash(*f.block_hash);
        if (!b) throw RpcError(rpc::kServerError, "unknown block");
        append_block_logs(out, *b, f);
        return out;
    }
    if (f.from > f.to) throw RpcError(rpc::kInvalidParams, "invalid block range params");
    // A range past the head is an error, not the logs found so far (geth, Anvil; execution-apis
    // specifies -32602): a caller cannot tell an incomplete answer from blocks without logs.
    if (f.to > chain.head().number) throw RpcError(rpc::kInvalidParams, "block range extends beyond current head block");
    if (f.to - f.from > 100'000) throw RpcError(rpc::kServerError, "query exceeds max block range 100000");
    for (uint64_t n = f.from; n <= f.to; ++n) {
        if (const BlockPtr b = chain.block_by_number(n)) append_block_logs(out, *b, f);
    }
    return out;
}

void register_eth_methods(DevNode& node, rpc::Dispatcher& d) {
    DevChain& chain = node.chain();
    auto shared = [&node] { return std::shared_lock(node.chain_mutex_); };

    d.add("web3_clientVersion", [](const json&, const rpc::CallContext&) -> json { return "polyvm/v0.1.0"; });
    d.add("web3_sha3", [](const json& p, const rpc::CallContext&) -> json {
        return rpc::hex(keccak256(rpc::param_data(p, 0)));
    });
    d.add("net_version", [&node](const json&, const rpc::CallContext&) -> json { return std::to_string(node.chain_id.load()); });
    d.add("net_listening", [](const json&, const rpc::CallContext&) -> json { return true; });
    d.add("net_peerCount", [](const json&, const rpc::CallContext&) -> json { return "0x0"; });
    d.add("eth_chainId", [&node](const json&, const rpc::CallContext&) -> json { return rpc::quantity(node.chain_id.load()); });
    d.add("eth_config", [&, shared](const json&, const rpc::CallContext&) -> json {
        auto lock = shared();
        const BlockPtr genesis = chain.block_by_number(0);
        if (!genesis) throw RpcError(rpc::kServerError, "no genesis block");
        return eth_config(chain.config(), genesis->hash, genesis->block.header.timestamp, chain.head().timestamp);
    });
    d.add("eth_syncing", [](const json&, const rpc::CallContext&) -> json { return false; });
    d.add("eth_mining", [&node](const json&, const rpc::CallContext&) -> json { return node.automine || node.interval_ms > 0; });
    d.add("eth_hashrate", [](const json&, const rpc::CallContext&) -> json { return "0x0"; });
    d.add("eth_coinbase", [&, shared](const json&, const rpc::CallContext&) -> json {
        auto lock = shared();
        return rpc::hex(chain.coinbase);
    });
    d.add("eth_accounts", [&node](const json&, const rpc::CallContext&) -> json {
        json out = json::array();
        for (const auto& a : node.accounts()) out.push_back(rpc::hex(a.address));
        std::shared_lock lock(node.chain_mutex_);
        for (const auto& a : node.impersonated)
            if (!node.secret_key_of(a)) out.push_back(rpc::hex(a));
        return out;
    });
    d.add("eth_blockNumber", [&chain](const json&, const rpc::CallContext&) -> json {
        return rpc::quantity(chain.head_number_now());
    });
    d.add("eth_gasPrice", [&, shared](const json&, const rpc::CallContext&) -> json {
        auto lock = shared();
        // What a legacy transaction should offer: the next base fee plus a 1 gwei tip, as Anvil.
        return rpc::quantity(chain.next_base_fee() + uint256{1'000'000'000});
    });
    d.add("eth_maxPriorityFeePerGas", [](const json&, const rpc::CallContext&) -> json { return rpc::quantity(uint64_t{1'000'000'000}); });
    d.add("eth_blobBaseFee", [&, shared](const json&, const rpc::CallContext&) -> json {
        auto lock = shared();
        const BlockInfo info = chain.next_block_info();
        const auto schedule = blob_schedule_for(info, chain.config().revision_at(info.timestamp));
        return rpc::quantity(schedule ? blob_base_fee(info.excess_blob_gas, schedule->base_fee_update_fraction) : uint256{});
    });
    d.add("eth_feeHistory", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        auto lock = shared();
        return fee_history(node, p);
    });

    // ---- state ----
    d.add("eth_getBalance", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address a = rpc::param_address(p, 0);
        auto lock = shared();
        const uint64_t n = node.resolve_state_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        const auto account = node.state_at(n)->read_account(a);
        return rpc::quantity(account ? account->balance : uint256{});
    });
    d.add("eth_getTransactionCount", [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address a = rpc::param_address(p, 0);
        const auto selector = rpc::param_block(p, 1, rpc::BlockSelector::latest());
        auto lock = shared();
        if (selector.tag == rpc::BlockSelector::Tag::Pending) return rpc::quantity(next_nonce(node, a));
        const auto n = node.resolve_block(selector);
        const auto account = chain.state_at(*n)->read_account(a);
        return rpc::quantity(account ? account->nonce : 0);
    });
    d.add("eth_getCode", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address a = rpc::param_address(p, 0);
        auto lock = shared();
        auto view = node.state_at(node.resolve_state_block(rpc::param_block(p, 1, rpc::BlockSelector::latest())));
        const auto account = view->read_account(a);
        if (!account || account->code_hash == kEmptyCodeHash) return "0x";
        const auto code = view->read_code(account->code_hash);
        return rpc::data_hex(code ? bytes_view(*code) : bytes_view{});
    });
    d.add("eth_getStorageAt", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        const Address a = rpc::param_address(p, 0);
        const uint256 key = param_storage_key(p, 1);
        auto lock = shared();
        const uint64_t n = node.resolve_state_block(rpc::param_block(p, 2, rpc::BlockSelector::latest()));
        return rpc::hex(node.state_at(n)->read_storage(a, key).to_hash());
    });

    // ---- calls ----
    // geth's third and fourth parameters of eth_call and eth_estimateGas.
    const auto call_overrides_params = [](const json& p) {
        CallOverrides overrides;
        if (const json* s = rpc::param_at(p, 2)) overrides.state = s;
        if (const json* b = rpc::param_at(p, 3)) overrides.block = b;
        return overrides;
    };
    d.add("eth_call", [&node, shared, call_overrides_params](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 4);
        const TransactionRequest request = transaction_request_param(p, 0);
        const CallOverrides overrides = call_overrides_params(p);
        auto lock = shared();
        const uint64_t n = node.resolve_state_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        const SimulationResult result = simulate_call(node, request, n, overrides);
        return rpc::data_hex(result.output);
    });
    // geth's four parameters: the request, the block, state overrides, block overrides.
    d.add("eth_estimateGas", [&node, shared, call_overrides_params](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 4);
        const TransactionRequest request = transaction_request_param(p, 0);
        const CallOverrides overrides = call_overrides_params(p);
        auto lock = shared();
        const uint64_t n = node.resolve_state_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        return rpc::quantity(estimate_gas(node, request, n, overrides));
    });
    d.add("eth_simulateV1", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const json* request = rpc::param_at(p, 0);
        if (!request) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        auto lock = shared();
        const auto n = node.resolve_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        return simulate_v1(node, *request, *n);
    });
    d.add("eth_createAccessList", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const TransactionRequest request = transaction_request_param(p, 0);
        auto lock = shared();
        const uint64_t n = node.resolve_state_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        return create_access_list(node, request, n);
    });

    // ---- sending ----
    // Deferred: answered once the transaction's block is durable, the I/O thread free meanwhile.
    const auto answer_with_hash = [](rpc::Dispatcher::Answer answer) {
        return [answer = std::move(answer)](std::exception_ptr error, Hash32 hash) {
            json result = error ? json() : json(rpc::hex(hash));
            answer(std::move(error), std::move(result));  // no reference left on the miner's thread
        };
    };
    d.add_deferred("eth_sendRawTransaction", [&node, &chain, answer_with_hash](const json& p, const rpc::CallContext&, rpc::Dispatcher::Answer answer) {
        rpc::param_count(p, 1);
        const bytes raw = rpc::param_data(p, 0);
        Transaction tx = decode_raw_transaction(raw, chain, node.chain_id.load());  // throws before the answer is handed on
        node.submit_transaction_async(std::move(tx), answer_with_hash(std::move(answer)));
    });
    d.add_deferred("eth_sendTransaction", [&node, answer_with_hash](const json& p, const rpc::CallContext&, rpc::Dispatcher::Answer answer) {
        rpc::param_count(p, 1);
        Transaction tx = prepare_transaction(node, transaction_request_param(p, 0));
        node.submit_transaction_async(std::move(tx), answer_with_hash(std::move(answer)));
    });
    // Anvil's: a transaction from any address, sent unsigned as an impersonated one would be.
    d.add_deferred("eth_sendUnsignedTransaction", [&node, answer_with_hash](const json& p, const rpc::CallContext&, rpc::Dispatcher::Answer answer) {
        rpc::param_count(p, 1);
        Transaction tx = prepare_transaction(node, transaction_request_param(p, 0), true);
        node.submit_transaction_async(std::move(tx), answer_with_hash(std::move(answer)));
    });
    d.add("eth_signTransaction", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const TransactionRequest request = transaction_request_param(p, 0);
        if (request.from && !node.secret_key_of(*request.from)) throw RpcError(rpc::kServerError, "No Signer available");
        return rpc::data_hex(encode_transaction(prepare_transaction(node, request)));
    });
    // geth's (Anvil has it too): the request completed as eth_sendTransaction would (nonce, fees,
    // gas estimated; from: the first account when not given, as Anvil), not signed and not sent: {raw, tx}, raw being its encoding with a zero
    // signature and tx its fields as a pending transaction (the hash of that encoding).
    d.add("eth_fillTransaction", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        TransactionRequest request = transaction_request_param(p, 0);
        if (!request.from && !node.accounts().empty()) request.from = node.accounts()[0].address;  // Anvil's default
        const Transaction tx = prepare_transaction(node, request, true);
        return {{"raw", rpc::data_hex(encode_transaction(tx))},
                {"tx", transaction_json(tx, transaction_hash(tx), nullptr, 0, node.chain().config())}};
    });
    auto sign_message = [&node](const Address& signer, const Hash32& hash) -> json {
        const auto key = node.secret_key_of(signer);
        if (!key) throw RpcError(rpc::kServerError, "No Signer available");
        const auto signature = sign_hash(hash, *key);
        if (!signature) throw RpcError(rpc::kServerError, "signing failed");
        const auto bytes65 = signature_bytes(*signature);
        return rpc::data_hex(bytes_view(bytes65.data(), bytes65.size()));
    };
    d.add("eth_sign", [sign_message](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        return sign_message(rpc::param_address(p, 0), eip191_personal_message_hash(rpc::param_data(p, 1)));
    });
    d.add("personal_sign", [sign_message](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        // personal_sign takes (message, address); accept the reversed order some clients send.
        const json* first = rpc::param_at(p, 0);
        const json* second = rpc::param_at(p, 1);
        if (!first || !second) throw RpcError(rpc::kInvalidParams, "missing value for required argument 1");
        const bool address_first = first->is_string() && first->get<std::string>().size() == 42 &&
                                   !(second->is_string() && second->get<std::string>().size() == 42);
        const Address signer = rpc::param_address(p, address_first ? 0 : 1);
        const bytes message = rpc::param_data(p, address_first ? 1 : 0);
        return sign_message(signer, eip191_personal_message_hash(message));
    });
    auto sign_typed = [sign_message](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address signer = rpc::param_address(p, 0);
        const json* data = rpc::param_at(p, 1);
        if (!data) throw RpcError(rpc::kInvalidParams, "missing value for required argument 1");
        Hash32 hash;
        try {
            hash = data->is_string() ? typed_data_hash_of_text(data->get<std::string>()) : typed_data_hash(*data);
        } catch (const std::invalid_argument& e) {
            throw RpcError(rpc::kInvalidParams, std::string("invalid argument 1: ") + e.what());
        }
        return sign_message(signer, hash);
    };
    d.add("eth_signTypedData_v4", sign_typed);
    d.add("eth_signTypedData", sign_typed);

    // ---- blocks ----
    d.add("eth_getBlockByNumber", [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const auto selector = rpc::param_block(p, 0, rpc::BlockSelector::latest());
        const bool full = rpc::param_optional_bool(p, 1).value_or(false);
        auto lock = shared();
        if (selector.tag == rpc::BlockSelector::Tag::Pending) {
            // geth: a pending block has no hash, nonce or miner yet.
            json block = block_json(*node.pending_block()->view, full, chain.config());
            block["hash"] = block["nonce"] = block["miner"] = nullptr;
            return block;
        }
        const auto n = node.resolve_block(selector, false);
        if (!n) return nullptr;
        return null_or(chain.block_by_number(*n), [&](const BlockView& b) { return block_json(b, full, chain.config()); });
    });
    d.add("eth_getBlockByHash", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Hash32 hash = rpc::param_hash(p, 0);
        const bool full = rpc::param_optional_bool(p, 1).value_or(false);
        auto lock = shared();
        return null_or(chain.block_by_hash(hash), [&](const BlockView& b) { return block_json(b, full, chain.config()); });
    });
    auto block_of = [&node, &chain](const json& p, bool by_hash) -> BlockPtr {
        if (by_hash) return chain.block_by_hash(rpc::param_hash(p, 0));
        const rpc::BlockSelector selector = rpc::param_block(p, 0, rpc::BlockSelector::latest());
        if (selector.tag == rpc::BlockSelector::Tag::Pending) return node.pending_block()->view;
        const auto n = node.resolve_block(selector, false);
        return n ? chain.block_by_number(*n) : nullptr;
    };
    for (const bool by_hash : {false, true}) {
        const std::string suffix = by_hash ? "ByBlockHash" : "ByBlockNumber";
        const std::string count_suffix = by_hash ? "ByHash" : "ByNumber";
        d.add("eth_getBlockTransactionCount" + count_suffix, [block_of, by_hash, shared](const json& p, const rpc::CallContext&) -> json {
            auto lock = shared();
            return null_or(block_of(p, by_hash), [](const BlockView& b) { return rpc::quantity(uint64_t{b.block.transactions.size()}); });
        });
        d.add("eth_getUncleCount" + suffix, [block_of, by_hash, shared](const json& p, const rpc::CallContext&) -> json {
            auto lock = shared();
            return null_or(block_of(p, by_hash), [](const BlockView&) { return std::string("0x0"); });
        });
        d.add("eth_getUncle" + suffix + "AndIndex", [](const json&, const rpc::CallContext&) -> json { return nullptr; });
        d.add("eth_getTransaction" + suffix + "AndIndex", [block_of, by_hash, &chain, shared](const json& p, const rpc::CallContext&) -> json {
            const uint64_t index = rpc::param_quantity_u64(p, 1);
            auto lock = shared();
            const BlockPtr b = block_of(p, by_hash);
            if (!b || index >= b->block.transactions.size()) return nullptr;
            return transaction_json(b->block.transactions[index], b->transaction_hashes[index], b.get(), index, chain.config());
        });
    }
    d.add("eth_getBlockReceipts", [block_of, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        auto lock = shared();
        const json* param = rpc::param_at(p, 0);
        const bool by_hash = param && param->is_string() && param->get<std::string>().size() == 66;
        const BlockPtr b = block_of(p, by_hash);
        if (!b) return nullptr;
        json out = json::array();
        for (size_t i = 0; i < b->block.transactions.size(); ++i) out.push_back(receipt_json(*b, i, chain.config()));
        return out;
    });

    // ---- transactions ----
    d.add("eth_getTransactionByHash", [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        if (const auto found = chain.find_transaction(hash)) {
            const auto& [b, i] = *found;
            return transaction_json(b->block.transactions[i], hash, b.get(), i, chain.config());
        }
        if (const auto* pending = node.mempool.find(hash)) return transaction_json(pending->tx, hash, nullptr, 0, chain.config());
        return nullptr;
    });
    // geth's: the transaction's network encoding (EIP-2718), mined or waiting in the pool.
    const auto raw_transaction = [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        if (const auto found = chain.find_transaction(hash))
            return rpc::data_hex(encode_transaction(found->first->block.transactions[found->second]));
        if (const auto* pending = node.mempool.find(hash)) return rpc::data_hex(encode_transaction(pending->tx));
        return nullptr;
    };
    d.add("eth_getRawTransactionByHash", raw_transaction);
    d.add("debug_getRawTransaction", raw_transaction);
    d.add("eth_getTransactionReceipt", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        const auto found = chain.find_transaction(hash);
        if (!found) return nullptr;
        return receipt_json(*found->first, found->second, chain.config());
    });

    // ---- logs ----
    d.add("eth_getLogs", [&node, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const json* criteria = rpc::param_at(p, 0);
        if (!criteria) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        auto lock = shared();
        return collect_logs(node, parse_log_filter(node, *criteria, 0));
    });
}

}  // namespace polyvm::node

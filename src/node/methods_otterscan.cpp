// Otterscan's ots_* namespace (the Otterscan project's docs/custom-jsonrpc.md, API level 8), so
// that the Otterscan block explorer runs against the node as it runs against Anvil. Nothing is
// indexed: searches walk the chain's blocks and re-run those that hold transactions to see their
// internal calls (callTracer), which is what a development chain's size allows.
#include "chain/blockchain.hpp"
#include "node/dev_node.hpp"
#include "node/mined_traces.hpp"
#include "node/rpc_format.hpp"

#include <algorithm>

namespace polyvm::node {
namespace {
using rpc::RpcError;

const json kCallTracer = {{"tracer", "callTracer"}};

/// Visits a callTracer tree depth-first, each frame with its depth (0: the transaction's own call).
template <class Visit>
void walk_calls(const json& frame, size_t depth, const Visit& visit) {
    visit(frame, depth);
    if (const auto calls = frame.find("calls"); calls != frame.end() && calls->is_array())
        for (const json& call : *calls) walk_calls(call, depth + 1, visit);
}

std::string frame_field(const json& frame, const char* name) {
    const auto it = frame.find(name);
    return it != frame.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

BlockPtr block_by_number_param(DevNode& node, const json& p) {
    const auto n = node.resolve_block(rpc::param_block(p, 0, rpc::BlockSelector::latest()), false);
    return n ? node.chain().block_by_number(*n) : nullptr;
}

/// ots_getBlockDetails: the block without its transactions (their count instead), no bloom,
/// the issuance (none after the Merge) and the fees its senders paid.
json block_details(DevChain& chain, const BlockView& block) {
    json out = block_json(block, false, chain.config());
    out.erase("transactions");
    out["transactionCount"] = block.block.transactions.size();
    out["logsBloom"] = nullptr;
    uint256 fees;
    for (size_t i = 0; i < block.block.transactions.size(); ++i)
        fees += uint256{block.gas_used[i]} * effective_price(block.block.transactions[i], block.block.header, chain.config());
    return {{"block", std::move(out)},
            {"issuance", {{"blockReward", "0x0"}, {"uncleReward", "0x0"}, {"issuance", "0x0"}}},
            {"totalFees", rpc::quantity(fees)}};
}

/// A receipt as Otterscan's lists carry it: with the block's timestamp, without logs or bloom.
json listed_receipt(DevChain& chain, const BlockView& block, size_t index) {
    json r = receipt_json(block, index, chain.config());
    r["logs"] = nullptr;
    r["logsBloom"] = nullptr;
    r["timestamp"] = rpc::quantity(block.block.header.timestamp);
    return r;
}

/// ots_searchTransactionsBefore/After: transactions from, to or calling into `address` (at any
/// depth), newest first, in blocks below `from_block` (before; 0: from the head) or above it
/// (after; 0: from the genesis), stopping after the block in which `page_size` is reached.
json search_transactions(DevNode& node, const Address& address, uint64_t from_block, uint64_t page_size, bool before) {
    DevChain& chain = node.chain();
    const uint64_t head = chain.head().number;
    const std::string wanted = rpc::hex(address);
    // Matches per block, newest transaction first; blocks in the order scanned.
    std::vector<std::pair<BlockPtr, std::vector<size_t>>> groups;
    size_t found = 0;
    uint64_t last_scanned = before ? head + 1 : 0;
    uint64_t n = before ? (from_block == 0 ? head : std::min(from_block - 1, head)) : from_block + 1;
    for (uint64_t scanned = 0; (before ? n >= 1 : n <= head) && found < page_size; ++scanned) {
        if (scanned == DevNode::kMaxBlocksPerMineCall) break;  // a bound on one request's work
        last_scanned = n;
        const BlockPtr block = chain.block_by_number(n);
        if (block && !block->block.transactions.empty()) {
            json trees;  // the block's call trees, when a transaction is not matched by its ends
            std::vector<size_t> matches;
            for (size_t i = 0; i < block->block.transactions.size(); ++i) {
                const Transaction& tx = block->block.transactions[i];
                bool match = tx.sender == address || (tx.to && *tx.to == address) || block->contract_addresses[i] == address;
                if (!match) {
                    if (trees.is_null()) trees = trace_mined_block(chain, *block, kCallTracer);
                    walk_calls(trees[i]["result"], 0, [&](const json& frame, size_t) {
                        match = match || frame_field(frame, "from") == wanted || frame_field(frame, "to") == wanted;
                    });
                }
                if (match) matches.push_back(i);
            }
            if (!matches.empty()) {
                found += matches.size();
                std::reverse(matches.begin(), matches.end());
                groups.emplace_back(block, std::move(matches));
            }
        }
        if (before) --n;
        else ++n;
    }
    if (!before) std::reverse(groups.begin(), groups.end());  // the answer is newest first either way
    json txs = json::array(), receipts = json::array();
    for (const auto& [block, indices] : groups)
        for (const size_t i : indices) {
            txs.push_back(transaction_json(block->block.transactions[i], block->transaction_hashes[i], block.get(), i, chain.config()));
            receipts.push_back(listed_receipt(chain, *block, i));
        }
    // The first page is the newest one: a search from the head, or one that went up to it; the
    // last page reaches the genesis.
    const bool reached_head = !before && last_scanned >= head;
    const bool reached_genesis = before && last_scanned <= 1;
    return {{"txs", std::move(txs)},
            {"receipts", std::move(receipts)},
            {"firstPage", before ? from_block == 0 : reached_head},
            {"lastPage", before ? reached_genesis : from_block == 0}};
}
}  // namespace

void register_otterscan_methods(DevNode& node, rpc::Dispatcher& d) {
    DevChain& chain = node.chain();
    auto shared = [&node] { return std::shared_lock(node.chain_mutex_); };

    d.add("ots_getApiLevel", [](const json&, const rpc::CallContext&) -> json { return 8; });
    d.add("ots_hasCode", [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address address = rpc::param_address(p, 0);
        auto lock = shared();
        const auto n = node.resolve_block(rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        const auto account = chain.state_at(*n)->read_account(address);
        return account && account->code_hash != kEmptyCodeHash;
    });
    d.add("ots_getBlockDetails", [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        auto lock = shared();
        const BlockPtr block = block_by_number_param(node, p);
        return block ? block_details(chain, *block) : json(nullptr);
    });
    d.add("ots_getBlockDetailsByHash", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        const BlockPtr block = chain.block_by_hash(hash);
        return block ? block_details(chain, *block) : json(nullptr);
    });
    // A page of a block's transactions (page i holds [i * size, (i + 1) * size)) with their
    // receipts; inputs cut to the 4-byte selector.
    d.add("ots_getBlockTransactions", [&node, &chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        const uint64_t page = rpc::param_quantity_u64(p, 1);
        const uint64_t page_size = rpc::param_quantity_u64(p, 2);
        auto lock = shared();
        const BlockPtr block = block_by_number_param(node, p);
        if (!block) return nullptr;
        json full = block_json(*block, true, chain.config());
        const size_t count = block->block.transactions.size();
        // page <= count / page_size keeps page * page_size within count (no overflow).
        const size_t first = page_size == 0 || page > count / page_size ? count : static_cast<size_t>(page * page_size);
        const size_t end = first + static_cast<size_t>(std::min<uint64_t>(page_size, count - first));
        json transactions = json::array(), receipts = json::array();
        for (size_t i = first; i < end; ++i) {
            json tx = std::move(full["transactions"][i]);
            const std::string input = tx.value("input", "0x");
            tx["input"] = input.substr(0, std::min<size_t>(input.size(), 10));
            transactions.push_back(std::move(tx));
            receipts.push_back(listed_receipt(chain, *block, i));
        }
        full["transactions"] = std::move(transactions);
        full["transactionCount"] = count;
        full["logsBloom"] = nullptr;
        return {{"fullblock", std::move(full)}, {"receipts", std::move(receipts)}};
    });
    // The revert data of a failed transaction, "0x" otherwise (an unknown one too, as Anvil).
    d.add("ots_getTransactionError", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        const auto found = chain.find_transaction(hash);
        if (!found || found->first->receipts[found->second].success) return "0x";
        const json top = trace_mined_transaction(chain, *found->first, found->second, {{"tracer", "callTracer"}, {"tracerConfig", {{"onlyTopCall", true}}}});
        return top.contains("error") ? top.value("output", "0x") : "0x";
    });
    // Every call frame, depth-first: {type, depth, from, to, value, input, output} (value null
    // where a frame moves none: STATICCALL, DELEGATECALL).
    d.add("ots_traceTransaction", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        json out = json::array();
        const auto found = chain.find_transaction(hash);
        if (!found) return out;
        walk_calls(trace_mined_transaction(chain, *found->first, found->second, kCallTracer), 0, [&](const json& frame, size_t depth) {
            const std::string type = frame_field(frame, "type");
            const bool moves_value = type != "STATICCALL" && type != "DELEGATECALL";
            out.push_back({{"type", type},
                           {"depth", depth},
                           {"from", frame_field(frame, "from")},
                           {"to", frame_field(frame, "to")},
                           {"value", moves_value ? json(frame.value("value", "0x0")) : json(nullptr)},
                           {"input", frame.value("input", "0x")},
                           {"output", frame.value("output", "0x")}});
        });
        return out;
    });
    // Value transfers (0), self-destructs (1), CREATE (2) and CREATE2 (3) in the order they
    // happen, the transaction's own transfer included (as Anvil).
    d.add("ots_getInternalOperations", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Hash32 hash = rpc::param_hash(p, 0);
        auto lock = shared();
        const auto found = chain.find_transaction(hash);
        if (!found) return nullptr;
        json out = json::array();
        walk_calls(trace_mined_transaction(chain, *found->first, found->second, kCallTracer), 0, [&](const json& frame, size_t) {
            if (frame.contains("error")) return;  // a failed frame moved nothing
            const std::string type = frame_field(frame, "type");
            const std::string value = frame.value("value", "0x0");
            int kind = -1;
            if (type == "CREATE") kind = 2;
            else if (type == "CREATE2") kind = 3;
            else if (type == "SELFDESTRUCT") kind = 1;
            else if (type == "CALL" && value != "0x0") kind = 0;
            if (kind >= 0) out.push_back({{"type", kind}, {"from", frame_field(frame, "from")}, {"to", frame_field(frame, "to")}, {"value", value}});
        });
        return out;
    });
    d.add("ots_getTransactionBySenderAndNonce", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address sender = rpc::param_address(p, 0);
        const uint64_t nonce = rpc::param_quantity_u64(p, 1);
        auto lock = shared();
        const auto account = chain.state_at(chain.head().number)->read_account(sender);
        if (!account || nonce >= account->nonce) return nullptr;
        for (uint64_t n = 1; n <= chain.head().number; ++n) {
            const BlockPtr block = chain.block_by_number(n);
            if (!block) continue;
            for (size_t i = 0; i < block->block.transactions.size(); ++i) {
                const Transaction& tx = block->block.transactions[i];
                if (tx.sender == sender && tx.nonce == nonce) return rpc::hex(block->transaction_hashes[i]);
            }
        }
        return nullptr;  // the nonce was used by a creation from a contract (EIP-161), not a transaction
    });
    // {hash, creator} of the transaction that created a contract (creator: the account whose
    // CREATE or CREATE2 made it, the sender for a creation transaction); null for an account
    // without code or code put in place otherwise (genesis, anvil_setCode). The first block whose
    // change set gives the account code is the only one re-run.
    d.add("ots_getContractCreator", [&chain, shared](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const Address address = rpc::param_address(p, 0);
        auto lock = shared();
        const auto account = chain.state_at(chain.head().number)->read_account(address);
        if (!account || account->code_hash == kEmptyCodeHash) return nullptr;
        const std::string wanted = rpc::hex(address);
        for (uint64_t n = 1; n <= chain.head().number; ++n) {
            const BlockPtr block = chain.block_by_number(n);
            if (!block) continue;
            const auto redo = chain.database().read_record(chain_tables::kRedo, bytes_view{block->hash.bytes.data(), 32});
            const auto changes = redo ? decode_change_set(*redo) : std::nullopt;
            if (!changes) continue;
            const auto change = std::find_if(changes->accounts.begin(), changes->accounts.end(),
                                             [&](const AccountChange& c) { return c.address == address; });
            if (change == changes->accounts.end() || !change->account || change->account->code_hash == kEmptyCodeHash) continue;
            const json trees = trace_mined_block(chain, *block, kCallTracer);
            for (size_t i = 0; i < trees.size(); ++i) {
                json creator;
                walk_calls(trees[i]["result"], 0, [&](const json& frame, size_t) {
                    const std::string type = frame_field(frame, "type");
                    if (creator.is_null() && (type == "CREATE" || type == "CREATE2") && frame_field(frame, "to") == wanted && !frame.contains("error"))
                        creator = frame_field(frame, "from");
                });
                if (!creator.is_null()) return {{"hash", rpc::hex(block->transaction_hashes[i])}, {"creator", creator}};
            }
            return nullptr;  // it got its code otherwise (anvil_setCode)
        }
        return nullptr;
    });
    for (const bool before : {true, false}) {
        d.add(before ? "ots_searchTransactionsBefore" : "ots_searchTransactionsAfter",
              [&node, shared, before](const json& p, const rpc::CallContext&) -> json {
                  rpc::param_count(p, 3);
                  const Address address = rpc::param_address(p, 0);
                  const uint64_t block = rpc::param_quantity_u64(p, 1);
                  const uint64_t page_size = rpc::param_quantity_u64(p, 2);
                  auto lock = shared();
                  return search_transactions(node, address, block, page_size, before);
              });
    }
}

}  // namespace polyvm::node

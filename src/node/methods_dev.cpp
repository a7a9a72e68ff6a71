// Development methods under their anvil_* names with the hardhat_* / evm_* aliases Hardhat and
// Ganache use: state edits, impersonation, mining control, time travel, snapshots, dumps.
#include "crypto/keccak.hpp"
#include "node/dev_node.hpp"
#include "node/simulation.hpp"
#include "node/rpc_format.hpp"
#include "node/state_file.hpp"
#include "node/transaction_requests.hpp"

#include <algorithm>
#include <map>

namespace polyvm::node {
namespace {
using rpc::RpcError;

/// Every block is mined and kept (about 5 KB each in memory): one request's work is bounded, at
/// a count that still fits a Governor's week-long voting period (50,400 blocks) in one call.
uint64_t checked_block_count(uint64_t count, const std::string& argument) {
    if (count > DevNode::kMaxBlocksPerMineCall)
        throw RpcError(rpc::kInvalidParams, argument + ": at most " + std::to_string(DevNode::kMaxBlocksPerMineCall) +
                                                " blocks at once (call again for more)");
    return count;
}

/// An ABI-encoded address argument (a 32-byte word) appended to call data.
void append_abi_address(bytes& call, const Address& address) {
    call.insert(call.end(), 12, 0);
    call.insert(call.end(), address.bytes.begin(), address.bytes.end());
}

/// One account's change on top of the current state (balance, nonce or code).
void edit_account(DevNode& node, const Address& address, const std::function<void(AccountInfo&, ChangeSet&)>& edit) {
    std::unique_lock lock(node.chain_mutex_);
    DevChain& chain = node.chain();
    auto view = chain.state_at(chain.head().number);
    AccountInfo info = view->read_account(address).value_or(AccountInfo{});
    ChangeSet changes;
    edit(info, changes);
    AccountChange change;
    change.address = address;
    change.account = info;
    changes.accounts.push_back(std::move(change));
    chain.modify(changes);
}
}  // namespace

void register_dev_methods(DevNode& node, rpc::Dispatcher& d) {
    DevChain& chain = node.chain();
    auto alias = [&d](std::initializer_list<const char*> names, rpc::Dispatcher::Method m) {
        for (const char* n : names) d.add(n, m);
    };

    alias({"anvil_setBalance", "hardhat_setBalance"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        const uint256 balance = rpc::param_quantity(p, 1);
        edit_account(node, a, [&](AccountInfo& info, ChangeSet&) { info.balance = balance; });
        return nullptr;
    });
    d.add("anvil_addBalance", [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        const uint256 amount = rpc::param_quantity(p, 1);
        edit_account(node, a, [&](AccountInfo& info, ChangeSet&) {
            if (info.balance + amount < info.balance) throw RpcError(rpc::kInvalidParams, "invalid argument 1: balance overflows 256 bits");
            info.balance += amount;
        });
        return nullptr;
    });
    alias({"anvil_setNonce", "hardhat_setNonce", "evm_setAccountNonce"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        const uint64_t nonce = rpc::param_quantity_u64(p, 1);
        edit_account(node, a, [&](AccountInfo& info, ChangeSet&) { info.nonce = nonce; });
        return nullptr;
    });
    alias({"anvil_setCode", "hardhat_setCode"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        const bytes code = rpc::param_data(p, 1);
        edit_account(node, a, [&](AccountInfo& info, ChangeSet& changes) {
            info.code_hash = code.empty() ? kEmptyCodeHash : keccak256(code);
            if (!code.empty()) changes.codes.emplace_back(info.code_hash, std::make_shared<const bytes>(code));
        });
        return nullptr;
    });
    alias({"anvil_setStorageAt", "hardhat_setStorageAt"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        // Slot and value as 32-byte words or shorter hex, read as numbers (Anvil takes a short
        // slot but wants a 32-byte value; a short one is not ambiguous, so it is taken).
        const uint256 slot = param_storage_key(p, 1);
        const uint256 value = param_storage_key(p, 2);
        std::unique_lock lock(node.chain_mutex_);
        node.chain().set_storage(a, slot, value);
        return true;
    });
    // Anvil's: an account's ERC-20 balance, or an allowance, set directly (the slot the token's
    // getter reads is found by trying each it reads).
    d.add("anvil_dealERC20", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        const Address holder = rpc::param_address(p, 0);
        const Address token = rpc::param_address(p, 1);
        const uint256 amount = rpc::param_quantity(p, 2);
        bytes call = {0x70, 0xa0, 0x82, 0x31};  // balanceOf(address)
        append_abi_address(call, holder);
        std::unique_lock lock(node.chain_mutex_);
        set_token_word(node, token, call, amount, "balance", "balanceOf(" + rpc::hex(holder) + ")");
        return nullptr;
    });
    d.add("anvil_setERC20Allowance", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 4);
        const Address owner = rpc::param_address(p, 0);
        const Address spender = rpc::param_address(p, 1);
        const Address token = rpc::param_address(p, 2);
        const uint256 amount = rpc::param_quantity(p, 3);
        bytes call = {0xdd, 0x62, 0xed, 0x3e};  // allowance(address,address)
        append_abi_address(call, owner);
        append_abi_address(call, spender);
        std::unique_lock lock(node.chain_mutex_);
        set_token_word(node, token, call, amount, "allowance", "allowance(" + rpc::hex(owner) + ", " + rpc::hex(spender) + ")");
        return nullptr;
    });
    alias({"anvil_impersonateAccount", "hardhat_impersonateAccount"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.impersonated.insert(a);
        return nullptr;
    });
    alias({"anvil_stopImpersonatingAccount", "hardhat_stopImpersonatingAccount"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.impersonated.erase(a);
        return nullptr;
    });
    alias({"anvil_autoImpersonateAccount", "hardhat_autoImpersonateAccount"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const bool on = rpc::param_bool(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.auto_impersonate = on;
        return nullptr;
    });
    alias({"anvil_mine", "hardhat_mine"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint64_t count = rpc::param_optional_quantity_u64(p, 0).value_or(1);
        const uint64_t interval = rpc::param_optional_quantity_u64(p, 1).value_or(1);
        node.mine_blocks(checked_block_count(count, "invalid argument 0"), std::nullopt, interval);
        return nullptr;
    });
    // evm_mine's parameter: a timestamp, or Ganache's {timestamp, blocks}. Returns the number of
    // blocks mined.
    const auto mine_as_evm_mine = [&node](const json& p) -> uint64_t {
        std::optional<uint64_t> timestamp;
        if (const json* t = rpc::param_at(p, 0)) {
            if (t->is_object()) {
                const uint64_t blocks = t->contains("blocks") ? rpc::decode_quantity_u64((*t)["blocks"]) : 1;
                if (t->contains("timestamp")) timestamp = rpc::decode_quantity_u64((*t)["timestamp"]);
                node.mine_blocks(checked_block_count(blocks, "invalid argument 0: blocks"), timestamp, 1);
                return blocks;
            }
            timestamp = rpc::param_quantity_u64(p, 0);
        }
        node.mine_blocks(1, timestamp, 0);
        return 1;
    };
    d.add("evm_mine", [mine_as_evm_mine](const json& p, const rpc::CallContext&) -> json {
        mine_as_evm_mine(p);
        return "0x0";
    });
    // Anvil's: as evm_mine, answering the blocks mined, with their transactions.
    alias({"evm_mine_detailed", "anvil_mine_detailed"}, [&node, &chain, mine_as_evm_mine](const json& p, const rpc::CallContext&) -> json {
        const uint64_t blocks = mine_as_evm_mine(p);
        std::shared_lock lock(node.chain_mutex_);
        json out = json::array();
        const uint64_t head = chain.head().number;
        for (uint64_t n = head + 1 - std::min(blocks, head + 1); n <= head; ++n)
            if (const BlockPtr b = chain.block_by_number(n)) out.push_back(block_json(*b, true, chain.config()));
        return out;
    });
    alias({"evm_snapshot", "anvil_snapshot"}, [&node](const json&, const rpc::CallContext&) -> json {
        std::unique_lock lock(node.chain_mutex_);
        return rpc::quantity(node.chain().snapshot());
    });
    alias({"evm_revert", "anvil_revert"}, [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const uint64_t id = rpc::param_quantity_u64(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        const Hash32 old_head = node.chain().head_hash();
        const bool ok = node.chain().revert(id);
        if (ok) {
            node.mempool.clear();
            node.head_moved_back_locked(old_head);
        }
        return ok;
    });
    alias({"evm_increaseTime", "anvil_increaseTime"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const json* v = rpc::param_at(p, 0);
        if (!v) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        int64_t seconds = 0;
        if (v->is_number_integer()) seconds = v->get<int64_t>();
        else seconds = static_cast<int64_t>(rpc::param_quantity_u64(p, 0));
        std::unique_lock lock(node.chain_mutex_);
        node.chain().time_offset += seconds;
        // The total offset in seconds as a JSON number, as Anvil answers (Hardhat: a decimal string).
        return node.chain().time_offset;
    });
    // Ganache's and Anvil's: the clock jumps to this time (later blocks follow on from it).
    alias({"evm_setTime", "anvil_setTime"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint64_t t = rpc::param_quantity_u64(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        return node.chain().set_time(t);
    });
    // Hardhat's: PREVRANDAO of the next block (32 bytes).
    d.add("hardhat_setPrevRandao", [&node](const json& p, const rpc::CallContext&) -> json {
        const Hash32 value = rpc::param_hash(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.chain().next_prev_randao_override = value;
        return true;
    });
    alias({"evm_setNextBlockTimestamp", "anvil_setNextBlockTimestamp"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint64_t t = rpc::param_quantity_u64(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        if (t <= node.chain().head().timestamp)
            throw RpcError(rpc::kServerError, "Timestamp error: " + std::to_string(t) + " is lower than or equal to previous block's timestamp");
        node.chain().next_timestamp_override = t;
        return nullptr;
    });
    alias({"anvil_setNextBlockBaseFeePerGas", "hardhat_setNextBlockBaseFeePerGas"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint256 fee = rpc::param_quantity(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.chain().next_base_fee_override = fee;
        return nullptr;
    });
    alias({"anvil_setMinGasPrice", "hardhat_setMinGasPrice"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint256 price = rpc::param_quantity(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.min_gas_price = price;
        return nullptr;
    });
    // Anvil's: the chain id of the blocks from now on (transactions must be signed for it);
    // earlier blocks keep theirs. Recorded in the data dir: a restart needs the same --chain-id.
    d.add("anvil_setChainId", [&node](const json& p, const rpc::CallContext&) -> json {
        const uint64_t id = rpc::param_quantity_u64(p, 0);
        if (id == 0) throw RpcError(rpc::kInvalidParams, "invalid argument 0: chain id 0");
        std::unique_lock lock(node.chain_mutex_);
        node.chain().set_chain_id(id);
        node.chain_id = id;
        return nullptr;
    });
    alias({"anvil_setCoinbase", "hardhat_setCoinbase"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Address a = rpc::param_address(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.chain().coinbase = a;
        return nullptr;
    });
    alias({"evm_setAutomine", "anvil_setAutomine"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const bool on = rpc::param_bool(p, 0);
        node.automine = on;
        if (on) {
            std::unique_lock lock(node.chain_mutex_);
            node.interval_ms = 0;
        }
        return nullptr;
    });
    alias({"anvil_getAutomine", "hardhat_getAutomine"}, [&node](const json&, const rpc::CallContext&) -> json { return node.automine.load(); });
    alias({"evm_setIntervalMining", "anvil_setIntervalMining"}, [&node](const json& p, const rpc::CallContext&) -> json {
        // Anvil takes seconds, Hardhat milliseconds (viem sends each its own): a value under
        // 1000 is read as seconds, anything larger as milliseconds. 0 turns interval mining off.
        const uint64_t value = rpc::param_quantity_u64(p, 0);
        const uint64_t ms = value < 1000 ? value * 1000 : value;
        node.interval_ms = ms;
        if (ms > 0) node.automine = false;
        return nullptr;
    });
    alias({"evm_setBlockGasLimit", "anvil_setBlockGasLimit"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint64_t limit = rpc::param_quantity_u64(p, 0);
        if (limit < 21000) throw RpcError(rpc::kInvalidParams, "invalid argument 0: block gas limit below 21000");
        std::unique_lock lock(node.chain_mutex_);
        node.chain().gas_limit = limit;
        return true;
    });
    alias({"anvil_dropTransaction", "hardhat_dropTransaction"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const Hash32 hash = rpc::param_hash(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        return node.mempool.remove(hash) ? json(rpc::hex(hash)) : json(nullptr);
    });
    d.add("anvil_removePoolTransactions", [&node](const json& p, const rpc::CallContext&) -> json {
        const Address sender = rpc::param_address(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        for (const Mempool::Entry* e : node.mempool.all())
            if (e->tx.sender == sender) node.mempool.remove(Hash32(e->hash));
        return nullptr;
    });
    alias({"anvil_setBlockTimestampInterval", "hardhat_setBlockTimestampInterval"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const uint64_t seconds = rpc::param_quantity_u64(p, 0);
        std::unique_lock lock(node.chain_mutex_);
        node.chain().block_timestamp_interval = seconds;
        return nullptr;
    });
    alias({"anvil_removeBlockTimestampInterval", "hardhat_removeBlockTimestampInterval"}, [&node](const json&, const rpc::CallContext&) -> json {
        std::unique_lock lock(node.chain_mutex_);
        const bool was_set = node.chain().block_timestamp_interval.has_value();
        node.chain().block_timestamp_interval.reset();
        return was_set;
    });
    alias({"anvil_setLoggingEnabled", "hardhat_setLoggingEnabled"}, [&node](const json& p, const rpc::CallContext&) -> json {
        node.logging = rpc::param_bool(p, 0);
        return nullptr;
    });
    d.add("anvil_dropAllTransactions", [&node](const json&, const rpc::CallContext&) -> json {
        std::unique_lock lock(node.chain_mutex_);
        node.mempool.clear();
        return nullptr;
    });
    alias({"anvil_reset", "hardhat_reset"}, [&node](const json& p, const rpc::CallContext&) -> json {
        if (const json* fork = rpc::param_at(p, 0); fork && fork->is_object() && fork->contains("forking"))
            throw RpcError(rpc::kInvalidParams, "forking another chain is not supported");
        std::unique_lock lock(node.chain_mutex_);
        // Back to the genesis: blocks above it stay stored, off the chain.
        const Hash32 old_head = node.chain().head_hash();
        node.chain().reset_to_genesis();
        node.mempool.clear();
        node.head_moved_back_locked(old_head);
        return nullptr;
    });
    // Anvil's: the chain's last `depth` blocks (1 when not given) taken off it, as a reorg to a
    // shorter chain does. They stay stored; the pool keeps its transactions.
    d.add("anvil_rollback", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 1);
        const json* depth = rpc::param_at(p, 0);
        node.rewind_and_mine(depth && !depth->is_null() ? rpc::param_quantity_u64(p, 0) : 1, {});
        return nullptr;
    });
    // Anvil's: a reorg of `depth` blocks. The chain goes back to the ancestor `depth` blocks down
    // and `depth` new blocks are mined on it, block i (from 0) with the transactions that
    // `tx_block_pairs` pairs with i: signed ones (hex) or requests the node signs (from: the
    // first account when not given; nonces counted on from the ancestor's state). Parameters as
    // Anvil reads them, [depth, tx_block_pairs], or as one object {depth, tx_block_pairs}.
    d.add("anvil_reorg", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const json* first = rpc::param_at(p, 0);
        if (!first) throw RpcError(rpc::kInvalidParams, "missing value for required argument 0");
        json depth_value, pairs = json::array();
        if (first->is_object()) {
            if (!first->contains("depth")) throw RpcError(rpc::kInvalidParams, "invalid argument 0: missing field `depth`");
            depth_value = (*first)["depth"];
            pairs = first->value("tx_block_pairs", json::array());
        } else {
            depth_value = *first;
            if (const json* second = rpc::param_at(p, 1); second && !second->is_null()) pairs = *second;
        }
        const uint64_t depth = checked_block_count(rpc::param_quantity_u64(json::array({depth_value}), 0), "invalid argument 0");
        if (!pairs.is_array()) throw RpcError(rpc::kInvalidParams, "invalid argument 1: tx_block_pairs must be an array");
        // Decodes a value of tx_block_pairs (the second argument in Anvil's form).
        const auto pairs_argument = [](auto decode, const json& value) {
            try {
                return decode(value);
            } catch (const rpc::DecodeError& e) {
                throw RpcError(rpc::kInvalidParams, std::string("invalid argument 1: ") + e.what());
            }
        };
        struct Pair {
            uint64_t block;
            const json* transaction;
        };
        std::vector<Pair> order;
        for (const json& pair : pairs) {
            if (!pair.is_array() || pair.size() != 2)
                throw RpcError(rpc::kInvalidParams, "invalid argument 1: each of tx_block_pairs is [transaction, block]");
            const uint64_t block = pairs_argument(rpc::decode_quantity_u64, pair[1]);
            if (block >= depth)
                throw RpcError(rpc::kInvalidParams, "invalid argument 1: block " + std::to_string(block) +
                                                        " of a transaction is not below the depth " + std::to_string(depth));
            order.push_back({block, &pair[0]});
        }
        std::stable_sort(order.begin(), order.end(), [](const Pair& a, const Pair& b) { return a.block < b.block; });

        // The transactions are prepared against the ancestor (its state's nonces and gas), before
        // anything changes: a bad one leaves the chain as it was.
        std::vector<std::vector<Transaction>> blocks(depth);
        Hash32 prepared_on;
        {
            std::shared_lock lock(node.chain_mutex_);
            DevChain& chain = node.chain();
            try {
                chain.check_rewind_depth(depth);
            } catch (const std::invalid_argument& e) {
                throw RpcError(rpc::kInvalidParams, e.what());
            }
            const uint64_t head = chain.head().number;
            prepared_on = chain.head_hash();
            const uint64_t ancestor = head - depth;
            const BlockPtr first_replaced = depth > 0 ? chain.block_by_number(ancestor + 1) : nullptr;
            // The first new block's base fee is the block it replaces' (the same parent).
            const uint256 base_fee = first_replaced ? first_replaced->block.header.base_fee_per_gas.value_or(uint256{}) : uint256{};
            auto ancestor_state = chain.state_at(ancestor);
            // Each is checked on its own here, as the pool checks it, so that a bad one is refused
            // rather than left out of its block; nonce and funds stay the miner's to judge.
            std::map<Address, uint64_t> nonces;
            for (const Pair& pair : order) {
                if (pair.transaction->is_string()) {
                    Transaction tx = decode_raw_transaction(pairs_argument(rpc::decode_data, *pair.transaction), chain, node.chain_id.load(), 1);
                    node.check_transaction_alone_locked(tx);
                    blocks[pair.block].push_back(std::move(tx));
                    continue;
                }
                if (!pair.transaction->is_object())
                    throw RpcError(rpc::kInvalidParams, "invalid argument 1: a transaction is a hex string or a request object");
                TransactionRequest request = parse_transaction_request(*pair.transaction, 1);
                if (!request.from) {
                    if (node.accounts().empty()) throw RpcError(rpc::kInvalidParams, "invalid argument 1: a request without \"from\" and no accounts");
                    request.from = node.accounts().front().address;
                }
                auto next = nonces.find(*request.from);
                if (next == nonces.end()) {
                    const auto account = ancestor_state->read_account(*request.from);
                    next = nonces.emplace(*request.from, account ? account->nonce : 0).first;
                }
                const uint64_t nonce = request.nonce.value_or(next->second);
                next->second = nonce + 1;
                Transaction tx = complete_transaction_locked(node, request, nonce, base_fee, ancestor);
                node.check_transaction_alone_locked(tx);
                blocks[pair.block].push_back(std::move(tx));
            }
        }
        node.rewind_and_mine(depth, std::move(blocks), prepared_on);
        return nullptr;
    });
    alias({"anvil_dumpState", "hardhat_dumpState"}, [&node](const json&, const rpc::CallContext&) -> json {
        std::shared_lock lock(node.chain_mutex_);
        const std::string text = dump_state_json(node).dump();
        return rpc::data_hex(bytes_view(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    });
    alias({"anvil_loadState", "hardhat_loadState"}, [&node](const json& p, const rpc::CallContext&) -> json {
        const bytes data = rpc::param_data(p, 0);
        json dump;
        try {
            dump = json::parse(std::string(data.begin(), data.end()));
        } catch (const json::exception& e) {
            throw RpcError(rpc::kInvalidParams, std::string("invalid argument 0: not a state dump: ") + e.what());
        }
        std::unique_lock lock(node.chain_mutex_);
        try {
            load_state_json(node, dump);
        } catch (const std::invalid_argument& e) {
            throw RpcError(rpc::kInvalidParams, std::string("invalid argument 0: ") + e.what());
        }
        return true;
    });
    // hardhat_metadata / anvil_metadata: what plugins use to recognise a development node.
    alias({"hardhat_metadata", "anvil_metadata"}, [&node, &chain](const json&, const rpc::CallContext&) -> json {
        std::shared_lock lock(node.chain_mutex_);
        return {{"clientVersion", "polyvm/v0.1.0"},
                {"chainId", node.chain_id.load()},
                {"instanceId", rpc::hex(chain.block_by_number(0)->hash)},
                {"latestBlockNumber", chain.head().number},
                {"latestBlockHash", rpc::hex(chain.head_hash())},
                {"forkedNetwork", nullptr},
                {"snapshots", json::object()}};
    });
    d.add("anvil_nodeInfo", [&node, &chain](const json&, const rpc::CallContext&) -> json {
        std::shared_lock lock(node.chain_mutex_);
        return {{"clientVersion", "polyvm/v0.1.0"},
                {"chainId", rpc::quantity(node.chain_id.load())},
                {"currentBlockNumber", rpc::quantity(chain.head().number)},
                {"currentBlockHash", rpc::hex(chain.head_hash())},
                {"currentBlockTimestamp", chain.head().timestamp},
                {"hardFork", std::string(revision_name(chain.revision()))},
                {"transactionOrder", "fees"},
                // Anvil's shape: an object even when not forking, so that forkConfig.forkUrl reads.
                {"forkConfig", {{"forkUrl", nullptr}, {"forkBlockNumber", nullptr}, {"forkRetryBackoff", nullptr}}},
                // gasPrice as eth_gasPrice answers it: the next base fee and a 1 gwei tip.
                {"environment", {{"baseFee", rpc::quantity(chain.next_base_fee())}, {"chainId", node.chain_id.load()},
                                 {"gasLimit", rpc::quantity(chain.gas_limit)},
                                 {"gasPrice", rpc::quantity(chain.next_base_fee() + uint256{1'000'000'000})}}},
                {"snapshots", json::object()}};
    });
}

}  // namespace polyvm::node

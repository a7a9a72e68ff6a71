#include "node/simulation.hpp"

#include "chain/block.hpp"
#include "chain/receipt.hpp"
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "evm/opcodes.hpp"
#include "evm/tracer.hpp"
#include "exec/system_contracts.hpp"
#include "exec/transaction_execution.hpp"
#include "precompiles/precompiles.hpp"
#include "state/trie.hpp"

#include <set>

namespace polyvm::node {
namespace {
using rpc::RpcError;

/// eth_call's third parameter as a change set over the view.
ChangeSet state_override_changes(StateReader& view, const json& overrides) {
    if (!overrides.is_object()) throw RpcError(rpc::kInvalidParams, "invalid argument 2: expected a state override object");
    ChangeSet changes;
    try {
        for (const auto& [address_text, o] : overrides.items()) {
            if (!o.is_object()) throw rpc::DecodeError("account override must be an object");
            AccountChange change;
            change.address = rpc::decode_address(address_text);
            AccountInfo info = view.read_account(change.address).value_or(AccountInfo{});
            if (o.contains("balance")) info.balance = rpc::decode_quantity(o["balance"]);
            if (o.contains("nonce")) info.nonce = rpc::decode_quantity_u64(o["nonce"]);
            if (o.contains("code")) {
                const bytes code = rpc::decode_data(o["code"]);
                info.code_hash = code.empty() ? kEmptyCodeHash : keccak256(code);
                if (!code.empty()) changes.codes.emplace_back(info.code_hash, std::make_shared<const bytes>(code));
            }
            if (o.contains("state") && o.contains("stateDiff"))
                throw RpcError(rpc::kInvalidParams, "account " + address_text + " has both 'state' and 'stateDiff'");
            for (const char* field : {"state", "stateDiff"}) {
                if (!o.contains(field)) continue;
                if (!o[field].is_object()) throw rpc::DecodeError(std::string(field) + " must be an object");
                if (std::string_view(field) == "state") change.storage_wiped = true;
                for (const auto& [k, v] : o[field].items())
                    change.storage.emplace_back(uint256::from_hash(rpc::decode_hash(k)), uint256::from_hash(rpc::decode_hash(v)));
            }
            std::sort(change.storage.begin(), change.storage.end());
            change.account = info;
            changes.accounts.push_back(std::move(change));
        }
    } catch (const rpc::DecodeError& e) {
        throw RpcError(rpc::kInvalidParams, std::string("invalid argument 2: ") + e.what());
    }
    std::sort(changes.accounts.begin(), changes.accounts.end(),
              [](const AccountChange& a, const AccountChange& b) { return a.address < b.address; });
    return changes;
}

void apply_block_overrides(BlockInfo& info, const json& o) {
    if (!o.is_object()) throw RpcError(rpc::kInvalidParams, "invalid argument 3: expected a block override object");
    try {
        if (o.contains("number")) info.number = rpc::decode_quantity_u64(o["number"]);
        if (o.contains("time")) info.timestamp = rpc::decode_quantity_u64(o["time"]);
        if (o.contains("gasLimit")) info.gas_limit = rpc::decode_quantity_u64(o["gasLimit"]);
        if (o.contains("feeRecipient")) info.coinbase = rpc::decode_address(o["feeRecipient"]);
        if (o.contains("coinbase")) info.coinbase = rpc::decode_address(o["coinbase"]);
        if (o.contains("baseFeePerGas")) info.base_fee = rpc::decode_quantity(o["baseFeePerGas"]);
        if (o.contains("baseFee")) info.base_fee = rpc::decode_quantity(o["baseFee"]);
        if (o.contains("prevRandao")) info.prev_randao = rpc::decode_hash(o["prevRandao"]);
        if (o.contains("random")) info.prev_randao = rpc::decode_hash(o["random"]);
    } catch (const rpc::DecodeError& e) {
        throw RpcError(rpc::kInvalidParams, std::string("invalid argument 3: ") + e.what());
    }
}

Address address_of(const uint256& word) {
    const Hash32 h = word.to_hash();
    return Address::from(bytes_view(h.bytes.data() + 12, 20));
}

/// Records the addresses and slots a call touches (eth_createAccessList).
class AccessRecorder final : public Tracer {
public:
    std::map<Address, std::set<uint256>> touched;
    std::vector<Address> frames;
    void on_frame_start(const Message& msg, Revision, bytes_view) override {
        frames.push_back(msg.recipient);
        touched[msg.code_address];
        touched[msg.recipient];
    }
    void on_step(const TraceStep& s) override {
        if (s.vm != TraceVm::Evm) return;  // a WebAssembly program's steps carry no EVM operands
        const auto top = [&](size_t i) { return s.stack[s.stack.size() - 1 - i]; };
        const uint8_t op = s.opcode;
        if ((op == 0x54 || op == 0x55) && !s.stack.empty()) touched[frames.back()].insert(top(0));  // SLOAD, SSTORE
        else if ((op == 0x31 || op == 0x3b || op == 0x3c || op == 0x3f) && !s.stack.empty())  // BALANCE, EXTCODE*
            touched[address_of(top(0))];
        else if ((op == 0xf1 || op == 0xf2 || op == 0xf4 || op == 0xfa) && s.stack.size() >= 2)  // CALL family
            touched[address_of(top(1))];
    }
    void on_frame_end(const Message&, const ExecutionResult&) override { frames.pop_back(); }
};

}  // namespace

PreparedCall prepare_call(DevNode& node, const TransactionRequest& request, uint64_t number, const CallOverrides& overrides,
                          std::optional<uint64_t> gas) {
    DevChain& chain = node.chain();
    PreparedCall call;
    call.view = node.state_at(number);  // kPendingBlockNumber: the pending block's state
    if (overrides.state) call.view->overlay().apply(state_override_changes(*call.view, *overrides.state));
    call.block = call_block_info(node, number);
    if (overrides.block) apply_block_overrides(call.block, *overrides.block);
    const Address from = request.from.value_or(Address{});
    const auto account = call.view->read_account(from);
    call.tx = transaction_from_request(request, gas.value_or(call.block.gas_limit), account ? account->nonce : 0,
                                       chain.config().chain_id);
    call.tx.sender = from;
    // geth's NoBaseFee: a call without fees runs with a zero base fee.
    if (call.tx.max_fee_per_gas.is_zero() && call.tx.max_fee_per_blob_gas.is_zero()) call.block.base_fee = uint256{};
    if (call.tx.gas_limit > call.block.gas_limit) call.block.gas_limit = call.tx.gas_limit;
    call.revision = chain.config().revision_at(call.block.timestamp);
    return call;
}

namespace {
struct RunResult {
    TransactionOutcome outcome;
    Transaction tx;
};

RunResult run(DevNode& node, const TransactionRequest& request, uint64_t number, const CallOverrides& overrides,
              std::optional<uint64_t> gas, Tracer* tracer) {
    PreparedCall call = prepare_call(node, request, number, overrides, gas);
    State state(call.view.get());
    ExecutionOptions options;
    options.simulation = true;
    options.tracer = tracer;
    options.wasm_contracts = node.chain().config().wasm_contracts;
    RunResult r;
    r.outcome = execute_transaction(state, call.block, call.tx, call.revision, node.chain().config().chain_id, options);
    r.tx = std::move(call.tx);
    return r;
}

[[noreturn]] void throw_failure(const RunResult& r) {
    if (r.outcome.rejection) throw RpcError(rpc::kServerError, geth_rejection_message(*r.outcome.rejection, r.tx));
    if (r.outcome.status == Status::Revert) {
        const auto reason = decode_revert_reason(r.outcome.output);
        throw RpcError(rpc::kExecutionReverted, reason ? "execution reverted: " + *reason : "execution reverted",
                       rpc::data_hex(r.outcome.output));
    }
    const Status s = r.outcome.status;
    std::string message = s == Status::OutOfGas                 ? "out of gas"
                          : s == Status::InvalidInstruction     ? "invalid opcode: INVALID"
                          : s == Status::UndefinedInstruction   ? "invalid opcode"
                          : s == Status::StackUnderflow         ? "stack underflow"
                          : s == Status::StackOverflow          ? "stack limit reached 1024 (1023)"
                          : s == Status::BadJumpDestination     ? "invalid jump destination"
                          : s == Status::StaticModeViolation    ? "write protection"
                          : s == Status::InvalidMemoryAccess    ? "return data out of bounds"
                          : s == Status::CreateCollision        ? "contract address collision"
                          : s == Status::ContractValidationFailure ? "max code size exceeded"
                          : s == Status::InsufficientBalance    ? "insufficient balance for transfer"
                                                                : std::string(status_name(s));
    throw RpcError(rpc::kServerError, message);
}
}  // namespace

SimulationResult simulate_call(DevNode& node, const TransactionRequest& request, uint64_t number,
                               const CallOverrides& overrides) {
    const RunResult r = run(node, request, number, overrides, request.gas, nullptr);
    if (r.outcome.rejection || r.outcome.status != Status::Success) throw_failure(r);
    SimulationResult out;
    out.output = r.outcome.output;
    out.gas_used = r.outcome.gas_used;
    return out;
}

uint64_t estimate_gas(DevNode& node, const TransactionRequest& request, uint64_t number, const CallOverrides& overrides) {
    // At most the request's gas, or else the gas limit of the block the call runs in, block
    // overrides included; a request's gas under a transfer's 21,000 is ignored, as geth does.
    BlockInfo block = call_block_info(node, number);
    if (overrides.block) apply_block_overrides(block, *overrides.block);
    uint64_t cap = request.gas && *request.gas >= 21000 ? *request.gas : block.gas_limit;
    // Each trial runs with its own gas limit, not the request's.
    TransactionRequest trial = request;
    trial.gas.reset();
    // With a gas price, the sender's balance limits the gas it can buy (geth): the balance the
    // call will run with, state overrides included.
    const uint256 price = request.max_fee_per_gas.value_or(request.gas_price.value_or(uint256{}));
    if (!price.is_zero() && request.from) {
        auto view = node.state_at(number);
        if (overrides.state) view->overlay().apply(state_override_changes(*view, *overrides.state));
        const auto account = view->read_account(*request.from);
        uint256 balance = account ? account->balance : uint256{};
        const uint256 value = request.value.value_or(uint256{});
        if (balance < value) throw RpcError(rpc::kServerError, "insufficient funds for transfer");
        const uint256 affordable = (balance - value) / price;
        if (affordable < uint256{cap}) cap = affordable.low64();
    }
    const RunResult at_cap = run(node, trial, number, overrides, cap, nullptr);
    if (at_cap.outcome.rejection || at_cap.outcome.status != Status::Success) {
        // Out of gas at the cap, or a cap under the intrinsic gas (geth treats both alike).
        const bool intrinsic = at_cap.outcome.rejection && (at_cap.outcome.rejection->rule == "INTRINSIC_GAS_TOO_LOW" ||
                                                            at_cap.outcome.rejection->rule == "INTRINSIC_GAS_BELOW_FLOOR_GAS_COST");
        if (intrinsic || (!at_cap.outcome.rejection && at_cap.outcome.status == Status::OutOfGas))
            throw RpcError(rpc::kServerError, "gas required exceeds allowance (" + std::to_string(cap) + ")");
        throw_failure(at_cap);
    }
    // The least gas limit with which the call succeeds: at least what it used, at most the cap.
    uint64_t low = static_cast<uint64_t>(at_cap.outcome.gas_used) - 1;
    uint64_t high = cap;
    auto succeeds = [&](uint64_t gas) {
        const RunResult r = run(node, trial, number, overrides, gas, nullptr);
        return !r.outcome.rejection && r.outcome.status == Status::Success;
    };
    // Most calls need their gas used plus what refunds and the 63/64 rule withhold: try that first.
    const uint64_t guess = std::min<uint64_t>(high, (static_cast<uint64_t>(at_cap.outcome.gas_used) + 2300) * 64 / 63);
    if (succeeds(static_cast<uint64_t>(at_cap.outcome.gas_used))) return static_cast<uint64_t>(at_cap.outcome.gas_used);
    if (guess < high && succeeds(guess)) high = guess;
    low = std::max(low, static_cast<uint64_t>(at_cap.outcome.gas_used));
    while (low + 1 < high) {
        const uint64_t mid = low + (high - low) / 2;
        if (succeeds(mid)) high = mid;
        else low = mid;
    }
    return high;
}

json simulate_v1(DevNode& node, const json& request, uint64_t number) {
    if (!request.is_object() || !request.contains("blockStateCalls") || !request["blockStateCalls"].is_array())
        throw RpcError(rpc::kInvalidParams, "invalid argument 0: expected an object with blockStateCalls");
    const json& blocks = request["blockStateCalls"];
    if (blocks.size() > 256) throw RpcError(rpc::kInvalidParams, "too many blocks (at most 256)");
    const bool validation = request.value("validation", false);
    const bool full_transactions = request.value("returnFullTransactions", false);
    DevChain& chain = node.chain();
    auto view = chain.state_at(number);
    BlockInfo parent = call_block_info(node, number);
    Hash32 parent_hash = chain.block_by_number(number)->hash;
    json out = json::array();
    for (size_t b = 0; b < blocks.size(); ++b) {
        const json& spec = blocks[b];
        if (!spec.is_object()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: blockStateCalls entries must be objects");
        BlockInfo info = parent;
        // On the head, call_block_info already describes the next block; otherwise `parent` is a
        // mined block and the simulated one follows it.
        const bool already_next = b == 0 && number >= chain.head().number;
        if (!already_next) {
            info.number = parent.number + 1;
            info.timestamp = parent.timestamp + 12;
        }
        if (spec.contains("stateOverrides")) view->overlay().apply(state_override_changes(*view, spec["stateOverrides"]));
        if (spec.contains("blockOverrides")) apply_block_overrides(info, spec["blockOverrides"]);
        if (!validation) info.base_fee = uint256{};
        State state(view.get());
        const json empty = json::array();
        const json& call_list = spec.contains("calls") ? spec["calls"] : empty;
        if (!call_list.is_array()) throw RpcError(rpc::kInvalidParams, "invalid argument 0: calls must be an array");
        const Revision rev = chain.config().revision_at(info.timestamp);
        // The calls become the block's transactions (unsigned, as geth's simulator makes them) and
        // their outcomes its receipts, so that the block has geth's full shape.
        Block block;
        std::vector<Receipt> receipts;
        std::vector<TransactionOutcome> outcomes;
        std::vector<bytes> encoded;
        uint64_t gas_used = 0;
        for (const json& call : call_list) {
            const TransactionRequest r = parse_transaction_request(call, 0);
            const Address from = r.from.value_or(Address{});
            const Account* account = state.find(from);
            const auto stored = account ? std::nullopt : view->read_account(from);
            const uint64_t nonce = account ? account->nonce : (stored ? stored->nonce : 0);
            Transaction tx = transaction_from_request(r, r.gas.value_or(info.gas_limit - std::min(info.gas_limit, gas_used)), nonce,
                                                      chain.config().chain_id);
            tx.sender = from;
            ExecutionOptions options;
            options.simulation = !validation;
            options.wasm_contracts = chain.config().wasm_contracts;
            TransactionOutcome o = execute_transaction(state, info, tx, rev, chain.config().chain_id, options);
            if (o.rejection) throw RpcError(rpc::kServerError, geth_rejection_message(*o.rejection, tx));
            gas_used += static_cast<uint64_t>(o.gas_used);
            Receipt& receipt = receipts.emplace_back();
            receipt.type = tx.type;
            receipt.success = o.status == Status::Success;
            receipt.cumulative_gas_used = gas_used;
            receipt.logs = o.logs;
            receipt.logs_bloom = logs_bloom(receipt.logs);
            merge_bloom(block.header.logs_bloom, receipt.logs_bloom);
            encoded.push_back(encode_transaction(tx));
            block.transactions.push_back(std::move(tx));
            outcomes.push_back(std::move(o));
        }
        // The next block sees this one's state.
        view->overlay().apply(state.changes());
        // Simulated blocks are not sealed and their state root is not computed (zero, as Anvil
        // gives it); everything else commits to what the calls did.
        BlockHeader& h = block.header;
        h.parent_hash = parent_hash;
        h.ommers_hash = kEmptyOmmersHash;
        h.coinbase = info.coinbase;
        h.transactions_root = ordered_trie_root(encoded);
        h.receipts_root = receipts_root(receipts);
        h.difficulty = info.difficulty;
        h.number = info.number;
        h.gas_limit = info.gas_limit;
        h.gas_used = gas_used;
        h.timestamp = info.timestamp;
        h.mix_hash = info.prev_randao.value_or(Hash32{});
        h.base_fee_per_gas = info.base_fee;
        if (rev >= Revision::Shanghai) {
            h.withdrawals_root = withdrawals_root({});
            block.withdrawals.emplace();
        }
        if (rev >= Revision::Cancun) {
            uint64_t blob_gas = 0;
            for (const Transaction& tx : block.transactions) blob_gas += kGasPerBlob * tx.blob_versioned_hashes.size();
            h.blob_gas_used = blob_gas;
            h.excess_blob_gas = info.excess_blob_gas;
            h.parent_beacon_block_root = Hash32{};
        }
        if (rev >= Revision::Prague) h.requests_hash = requests_hash({});
        std::vector<Hash32> hashes;
        for (const bytes& e : encoded) hashes.push_back(keccak256(e));
        const Hash32 hash = header_hash(h);
        const BlockPtr view_of_block = make_block_view(std::move(block), hash, receipts, rev, std::move(hashes));
        json out_block = block_json(*view_of_block, full_transactions, chain.config());
        json calls = json::array();
        for (size_t i = 0; i < outcomes.size(); ++i) {
            const TransactionOutcome& o = outcomes[i];
            json logs = json::array();
            for (size_t l = 0; l < o.logs.size(); ++l)
                logs.push_back(log_json(o.logs[l], *view_of_block, i, view_of_block->first_log_index[i] + static_cast<uint32_t>(l)));
            json entry = {{"returnData", rpc::data_hex(o.output)},
                          {"logs", std::move(logs)},
                          {"gasUsed", rpc::quantity(static_cast<uint64_t>(o.gas_used))},
                          {"status", o.status == Status::Success ? "0x1" : "0x0"}};
            if (o.status == Status::Revert)
                entry["error"] = {{"code", rpc::kExecutionReverted}, {"message", "execution reverted"}, {"data", rpc::data_hex(o.output)}};
            else if (o.status != Status::Success)
                entry["error"] = {{"code", -32015}, {"message", std::string(status_name(o.status))}};
            calls.push_back(std::move(entry));
        }
        out_block["calls"] = std::move(calls);
        out.push_back(std::move(out_block));
        parent = info;
        parent_hash = hash;
    }
    return out;
}

json create_access_list(DevNode& node, const TransactionRequest& request, uint64_t number) {
    AccessRecorder recorder;
    const RunResult first = run(node, request, number, {}, request.gas, &recorder);
    const Revision rev = node.chain().config().revision_at(node.chain().next_timestamp());
    AccessList list;
    for (const auto& [address, slots] : recorder.touched) {
        // The sender, the recipient and the precompiles are warm anyway (EIP-2929).
        if (address == request.from.value_or(Address{})) continue;
        if (request.to && address == *request.to && slots.empty()) continue;
        if (is_precompile(address, rev)) continue;
        AccessListEntry e;
        e.address = address;
        for (const auto& k : slots) e.storage_keys.push_back(k.to_hash());
        list.push_back(std::move(e));
    }
    TransactionRequest with_list = request;
    with_list.access_list = list;
    const RunResult second = run(node, with_list, number, {}, request.gas, nullptr);
    json entries = json::array();
    for (const auto& e : list) {
        json keys = json::array();
        for (const auto& k : e.storage_keys) keys.push_back(rpc::hex(k));
        entries.push_back({{"address", rpc::hex(e.address)}, {"storageKeys", std::move(keys)}});
    }
    json out = {{"accessList", std::move(entries)}, {"gasUsed", rpc::quantity(static_cast<uint64_t>(second.outcome.gas_used))}};
    if (first.outcome.rejection) out["error"] = geth_rejection_message(*first.outcome.rejection, first.tx);
    else if (first.outcome.status != Status::Success) out["error"] = "execution reverted";
    return out;
}

void set_token_word(DevNode& node, const Address& token, const bytes& call, const uint256& amount, const std::string& kind,
                    const std::string& getter) {
    // Anvil's words, then what was wrong; -32000, not Anvil's -32603, which here means a fault of
    // the node's own (fuzz_rpc holds every method to that).
    const auto not_found = [&](const std::string& why) {
        return RpcError(rpc::kServerError, "Unable to set ERC20 " + kind + ", no slot found: " + why);
    };
    DevChain& chain = node.chain();
    const uint64_t head = chain.head().number;
    TransactionRequest request;
    request.to = token;
    request.input = call;
    const auto returned_word = [](const TransactionOutcome& outcome) -> std::optional<uint256> {
        if (outcome.rejection || outcome.status != Status::Success || outcome.output.size() < 32) return std::nullopt;
        return uint256::from_be(bytes_view{outcome.output.data(), 32});
    };
    AccessRecorder recorder;
    const std::optional<uint256> current = returned_word(run(node, request, head, {}, std::nullopt, &recorder).outcome);
    if (!current) throw not_found("the token at " + rpc::hex(token) + " did not answer " + getter);
    // A slot is the one when the call returns whatever it holds: a value the call does not
    // return now (so that a slot the answer does not depend on cannot pass), then the amount.
    const uint256 marker = *uint256::from_string("0x5eed000000000000000000000000000000000000000000000000000000005eed");
    const uint256 probe = *current == marker ? marker + uint256{1} : marker;
    size_t tried = 0;
    for (const auto& touched : recorder.touched) {
        const Address& address = touched.first;  // named: clang 14's lambdas cannot capture a structured binding
        for (const uint256& slot : touched.second) {
            if (++tried > 256) break;  // a call that reads this much storage is not a plain getter
            const auto returned_with = [&](const uint256& value) {
                const json state = {{rpc::hex(address), {{"stateDiff", {{rpc::hex(slot.to_hash()), rpc::hex(value.to_hash())}}}}}};
                CallOverrides overrides;
                overrides.state = &state;
                return returned_word(run(node, request, head, overrides, std::nullopt, nullptr).outcome);
            };
            if (returned_with(probe) != probe || returned_with(amount) != amount) continue;
            chain.set_storage(address, slot, amount);
            return;
        }
    }
    throw not_found("no storage slot the token at " + rpc::hex(token) + " reads holds what " + getter + " returns");
}

}  // namespace polyvm::node

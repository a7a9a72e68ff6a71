#include "exec/transaction_execution.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "evm/delegation.hpp"
#include "exec/execution_host.hpp"
#include "precompiles/precompiles.hpp"

namespace polyvm {
namespace {
// EIP-7702 gas constants.
constexpr int64_t kPerEmptyAccountCost = 25000;
constexpr int64_t kPerAuthBaseCost = 12500;

TransactionError reject(std::string rule, std::string detail) { return {std::move(rule), std::move(detail)}; }

/// a * b, or nullopt when the product does not fit 256 bits.
std::optional<uint256> checked_mul(const uint256& a, const uint256& b) {
    uint64_t p[8];
    umul_full(a, b, p);
    if (p[4] | p[5] | p[6] | p[7]) return std::nullopt;
    return uint256{p[0], p[1], p[2], p[3]};
}

std::optional<uint256> checked_add(const uint256& a, const uint256& b) {
    const uint256 s = a + b;
    if (s < a) return std::nullopt;
    return s;
}

/// Validation that needs the state and the block (the stateless part lives in the tx layer).
}  // namespace

std::optional<uint256> max_upfront_cost(const Transaction& tx, Revision rev) {
    const uint256 fee_cap = rev >= Revision::London ? tx.max_fee_per_gas : tx.gas_price;
    auto max_cost = checked_mul(uint256{tx.gas_limit}, fee_cap);
    if (max_cost) max_cost = checked_add(*max_cost, tx.value);
    if (max_cost && tx.type == TransactionType::Blob) {
        const uint256 blob_gas = uint256{kGasPerBlob} * uint256{tx.blob_versioned_hashes.size()};
        const auto blob_cost = checked_mul(blob_gas, tx.max_fee_per_blob_gas);
        max_cost = blob_cost ? checked_add(*max_cost, *blob_cost) : std::nullopt;
    }
    return max_cost;
}

bool code_allows_sending(bytes_view code, Revision rev) noexcept {
    return code.empty() || (rev >= Revision::Prague && parse_delegation(code));
}

std::optional<TransactionError> validate_transaction_against_state(const State& state, const BlockInfo& block,
                                                                   const Transaction& tx, Revision rev,
                                                                   const uint256& blob_fee, bool check_sender,
                                                                   bool check_sender_code) {
    if (tx.gas_limit > static_cast<uint64_t>(block.gas_limit))
        return reject("GAS_ALLOWANCE_EXCEEDED", "transaction gas limit exceeds the block gas limit");
    if (rev >= Revision::London && tx.max_fee_per_gas < block.base_fee)  // EIP-1559
        return reject("INSUFFICIENT_MAX_FEE_PER_GAS", "max fee per gas below the block base fee");
    if (tx.type == TransactionType::Blob) {
        if (tx.max_fee_per_blob_gas < blob_fee)
            return reject("INSUFFICIENT_MAX_FEE_PER_BLOB_GAS", "max fee per blob gas below the blob base fee");
    }

    const Account* sender = state.find(tx.sender);
    if (check_sender) {
        const uint64_t sender_nonce = sender ? sender->nonce : 0;
        if (check_sender_code && sender && !code_allows_sending(sender->code_view(), rev))
            return reject("SENDER_NOT_EOA", "sender has deployed code");
        // A sender at the EIP-2681 maximum needs no rule of its own: a transaction with that nonce
        // is NONCE_IS_MAX in the static checks, any lower one is simply too low (execution-specs).
        if (tx.nonce < sender_nonce) return reject("NONCE_MISMATCH_TOO_LOW", "transaction nonce below the sender's");
        if (tx.nonce > sender_nonce) return reject("NONCE_MISMATCH_TOO_HIGH", "transaction nonce above the sender's");
    }

    // The sender must afford the worst case: all gas at the fee cap, the value, all blob gas.
    const auto max_cost = max_upfront_cost(tx, rev);
    const uint256 balance = sender ? sender->balance : uint256{};
    if (!max_cost || balance < *max_cost)
        return reject("INSUFFICIENT_ACCOUNT_FUNDS", "sender balance below gas * fee cap + value");
    return std::nullopt;
}

namespace {
std::optional<TransactionError> validate(const State& state, const BlockInfo& block, const Transaction& tx,
                                         Revision rev, const uint256& chain_id, const uint256& blob_fee,
                                         bool simulation, bool allow_sender_code) {
    TxValidationContext context;
    context.chain_id = chain_id;
    if (const auto schedule = blob_schedule_for(block, rev)) context.max_blobs_per_block = schedule->max;
    if (auto err = validate_transaction_static(tx, rev, context)) {
        // A simulation may use more gas than EIP-7825 lets a transaction have (as geth's eth_call).
        if (!simulation || err->rule != "GAS_LIMIT_EXCEEDS_MAXIMUM") return err;
        Transaction capped = tx;
        capped.gas_limit = uint64_t{1} << 24;
        if (auto other = validate_transaction_static(capped, rev, context)) return other;
    }
    // A simulation runs from any account at its current nonce (geth's SkipNonceChecks and
    // SkipFromEOACheck).
    return validate_transaction_against_state(state, block, tx, rev, blob_fee, !simulation, !allow_sender_code);
}

/// EIP-7702: processes the authorization list in order and returns the refund it earned. A
/// tuple that fails any check is skipped; the transaction stays valid.
int64_t apply_authorizations(State& state, const Transaction& tx, const uint256& chain_id) {
    int64_t refund = 0;
    for (const Authorization& auth : tx.authorization_list) {
        // 1. Signed for this chain, or for every chain (0).
        if (!auth.chain_id.is_zero() && auth.chain_id != chain_id) continue;
        // 2. The authority's nonce is bumped below, so it must not be at the EIP-2681 maximum.
        if (auth.nonce == UINT64_MAX) continue;
        // 3. A valid, low-s signature that recovers a key.
        const auto authority = recover_authority(auth);
        if (!authority) continue;
        // 4. The authority is accessed (warm) from here on, even if a later check fails.
        state.mark_warm(*authority);
        // 5. Only EOAs: empty code or an existing delegation (which is replaced).
        const Account* acc = state.find(*authority);
        if (acc && acc->code_size() != 0 && !parse_delegation(acc->code_view())) continue;
        // 6. The tuple's nonce is the authority's current one (the sender's is already bumped).
        if ((acc ? acc->nonce : 0) != auth.nonce) continue;
        // 7. The intrinsic gas charged PER_EMPTY_ACCOUNT_COST assuming a new account; an account
        //    already in the state gets the difference back.
        if (acc) refund += kPerEmptyAccountCost - kPerAuthBaseCost;
        // 8. Delegate, or (address 0) clear the delegation and restore a plain EOA.
        state.set_code_journaled(*authority, auth.address.is_zero() ? bytes{} : make_delegation(auth.address));
        // 9. Each authorization consumes one nonce of the authority.
        state.bump_nonce(*authority);
    }
    return refund;
}
}  // namespace

namespace {
// A log's list: the address (21 bytes encoded), its topics' list (33 bytes each), its data.
size_t log_payload_size(const Log& log) noexcept {
    return 21 + rlp::list_size(33 * log.topics.size()) + rlp::encoded_size(bytes_view{log.data});
}
size_t logs_payload_size(const std::vector<Log>& logs) noexcept {
    size_t size = 0;
    for (const Log& log : logs) size += rlp::list_size(log_payload_size(log));
    return size;
}
}  // namespace

size_t encoded_logs_size(const std::vector<Log>& logs) noexcept { return rlp::list_size(logs_payload_size(logs)); }

void append_encoded_logs(bytes& out, const std::vector<Log>& logs) {
    rlp::append_header(out, logs_payload_size(logs), true);
    for (const Log& log : logs) {
        rlp::append_header(out, log_payload_size(log), true);
        rlp::append(out, bytes_view{log.address});
        rlp::append_header(out, 33 * log.topics.size(), true);
        for (const Hash32& topic : log.topics) rlp::append(out, bytes_view{topic});
        rlp::append(out, bytes_view{log.data});
    }
}

bytes encode_logs(const std::vector<Log>& logs) {
    bytes out;
    out.reserve(encoded_logs_size(logs));
    append_encoded_logs(out, logs);
    return out;
}

Hash32 logs_hash(const std::vector<Log>& logs) { return keccak256(encode_logs(logs)); }

uint256 effective_gas_price(const Transaction& tx, const BlockInfo& block, Revision rev) {
    if (rev < Revision::London) return tx.gas_price;
    // EIP-1559: the fee cap, or base fee plus tip if that is lower (validation ensured cap >= base fee).
    const uint256 tip_cap = tx.max_fee_per_gas - block.base_fee;
    const uint256 tip = tx.max_priority_fee_per_gas < tip_cap ? tx.max_priority_fee_per_gas : tip_cap;
    return block.base_fee + tip;
}

TxContext block_context(const BlockInfo& block, Revision rev, const uint256& chain_id) {
    TxContext ctx;
    ctx.coinbase = block.coinbase;
    ctx.block_number = block.number;
    ctx.timestamp = block.timestamp;
    ctx.block_gas_limit = block.gas_limit;
    // The DIFFICULTY opcode became PREVRANDAO at the Merge (EIP-4399).
    ctx.prev_randao = rev >= Revision::Paris && block.prev_randao ? uint256::from_hash(*block.prev_randao) : block.difficulty;
    ctx.chain_id = chain_id;
    ctx.base_fee = block.base_fee;
    return ctx;
}

TxContext transaction_context(const BlockInfo& block, const Transaction& tx, Revision rev, const uint256& chain_id,
                              const uint256& blob_fee) {
    TxContext ctx = block_context(block, rev, chain_id);
    ctx.gas_price = effective_gas_price(tx, block, rev);
    ctx.origin = tx.sender;
    ctx.blob_base_fee = blob_fee;
    ctx.blob_hashes = tx.blob_versioned_hashes.data();
    ctx.blob_hashes_count = tx.blob_versioned_hashes.size();
    return ctx;
}

void warm_transaction_accounts(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) {
    // EIP-2929/2930: the sender, the recipient, the precompiles and the access list start warm;
    // EIP-3651 (Shanghai) adds the coinbase. The precompiles are warm by rule: the host answers
    // for them (ExecutionHost::access_account) instead of some twenty set entries per transaction.
    if (rev < Revision::Berlin) return;
    state.mark_warm(tx.sender);
    if (tx.to) state.mark_warm(*tx.to);
    for (const auto& entry : tx.access_list) {
        state.mark_warm(entry.address);
        for (const auto& key : entry.storage_keys) state.mark_storage_warm(entry.address, uint256::from_hash(key));
    }
    if (rev >= Revision::Shanghai) state.mark_warm(block.coinbase);
}

TransactionOutcome execute_transaction(State& state, const BlockInfo& block, const Transaction& tx, Revision rev,
                                       const uint256& chain_id, const ExecutionOptions& options) {
    TransactionOutcome outcome;
    const auto schedule = blob_schedule_for(block, rev);
    const uint256 blob_fee = schedule ? blob_base_fee(block.excess_blob_gas, schedule->base_fee_update_fraction) : uint256{};
    if (auto err = validate(state, block, tx, rev, chain_id, blob_fee, options.simulation, options.allow_sender_code)) {
        outcome.rejection = std::move(err);
        return outcome;
    }

    const uint256 gas_price = effective_gas_price(tx, block, rev);
    const uint256 blob_gas = uint256{kGasPerBlob} * uint256{tx.blob_versioned_hashes.size()};

    // Buy the gas and bump the nonce; from here on the transaction is included (unless the host
    // runs out of native stack: then everything from here is undone).
    const size_t start = state.snapshot();
    state.sub_balance(tx.sender, uint256{tx.gas_limit} * gas_price + blob_gas * blob_fee);
    state.bump_nonce(tx.sender);

    ExecutionHost host(state, rev, transaction_context(block, tx, rev, chain_id, blob_fee), options.tracer,
                       options.wasm_contracts);
    warm_transaction_accounts(state, block, tx, rev);

    // EIP-7702: authorizations are applied in order before the call, outside its snapshot: they
    // stay even if the call fails. Their refunds likewise survive a failed call.
    int64_t authorization_refund = 0;
    if (tx.type == TransactionType::SetCode) authorization_refund = apply_authorizations(state, tx, chain_id);
    // The top-level call follows a delegation like the CALL family does. Like the recipient, the
    // delegate then starts warm at no charge: the transaction's own call pays no access cost.
    if (rev >= Revision::Prague && tx.to) {
        if (const Account* target = state.find(*tx.to))
            if (const auto delegate = parse_delegation(target->code_view())) state.mark_warm(*delegate);
    }

    const int64_t intrinsic = intrinsic_gas(tx, rev);
    Message msg;
    msg.kind = tx.to ? CallKind::Call : CallKind::Create;
    msg.depth = 0;
    msg.gas = static_cast<int64_t>(tx.gas_limit) - intrinsic;
    msg.sender = tx.sender;
    msg.recipient = tx.to.value_or(Address{});
    msg.code_address = msg.recipient;
    msg.input = tx.data;
    msg.value = tx.value;

    ExecutionResult result = host.call(msg);
    if (host.native_stack_exhausted()) [[unlikely]] {
        // Not an EVM outcome: a frame was refused for want of native stack (native_stack.hpp).
        // The transaction is refused with the state as it was, never included with a wrong result.
        state.revert(start);
        outcome.rejection = TransactionError{"NATIVE_STACK_EXHAUSTED",
                                             "the executing thread's stack is too small for this transaction's calls "
                                             "(give it at least 3 MiB; docs/security.md)"};
        return outcome;
    }

    int64_t gas_used = static_cast<int64_t>(tx.gas_limit) - result.gas_left;
    // Refunds are capped at half (a fifth from London, EIP-3529) of the gas used. The frame's
    // refund counts only when it succeeded; EIP-7702's authorization refund always counts.
    const int64_t refund_cap = gas_used / (rev >= Revision::London ? 5 : 2);
    const int64_t frame_refund = result.status == Status::Success ? std::max<int64_t>(result.gas_refund, 0) : 0;
    const int64_t refund = std::min(frame_refund + authorization_refund, refund_cap);
    gas_used -= refund;
    // EIP-7623 (Prague): a transaction pays at least the calldata floor (validation made sure
    // the gas limit covers it).
    gas_used = std::max(gas_used, calldata_floor_gas(tx, rev));

    state.add_balance(tx.sender, uint256{static_cast<uint64_t>(static_cast<int64_t>(tx.gas_limit) - gas_used)} * gas_price);
    // The coinbase gets the tip only; the base fee and the blob fee are burnt (EIP-1559, EIP-4844).
    const uint256 priority_fee = rev >= Revision::London ? gas_price - block.base_fee : gas_price;
    const uint256 coinbase_payment = uint256{static_cast<uint64_t>(gas_used)} * priority_fee;
    if (options.defer_coinbase_payment)
        outcome.coinbase_payment = coinbase_payment;
    else
        state.add_balance(block.coinbase, coinbase_payment);

    state.finalize_transaction(rev >= Revision::SpuriousDragon);

    outcome.status = result.status;
    outcome.gas_used = gas_used;
    outcome.output = std::move(result.output);
    outcome.logs = std::move(host.logs());
    if (result.status == Status::Success && !tx.to) outcome.created_address = result.create_address;
    outcome.used_unsupported_precompile = host.used_unsupported_precompile();
    return outcome;
}

CallOutcome execute_code(State& state, const BlockInfo& block, Revision rev, const Address& caller,
                         const Address& recipient, bytes_view code, bytes_view input, int64_t gas,
                         const uint256& value, const ExecutionOptions& options) {
    Account& acc = state.get_or_create(recipient);
    state.set_code(acc, bytes(code.begin(), code.end()));
    if (!value.is_zero()) state.add_balance(caller, value);

    TxContext ctx = block_context(block, rev, 1);
    ctx.origin = caller;
    ExecutionHost host(state, rev, ctx, options.tracer, options.wasm_contracts);
    if (rev >= Revision::Berlin) {
        state.mark_warm(caller);
        state.mark_warm(recipient);
    }

    Message msg;
    msg.kind = CallKind::Call;
    msg.gas = gas;
    msg.sender = caller;
    msg.recipient = recipient;
    msg.code_address = recipient;
    msg.input = input;
    msg.value = value;
    const size_t start = state.snapshot();
    ExecutionResult result = host.call(msg);
    if (host.native_stack_exhausted()) [[unlikely]] {  // not an EVM result: undone, and said so
        state.revert(start);
        return CallOutcome{Status::NativeStackExhausted, 0, {}, {}};
    }
    return CallOutcome{result.status, gas - result.gas_left, std::move(result.output), std::move(host.logs())};
}

}  // namespace polyvm

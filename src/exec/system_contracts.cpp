#include "exec/system_contracts.hpp"

#include "common/hex.hpp"
#include "crypto/hashes.hpp"
#include "crypto/keccak.hpp"
#include "exec/execution_host.hpp"

namespace polyvm {
namespace {

Address address_constant(std::string_view hex) { return *address_from_hex(hex); }

// EIP-6110: keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)").
const Hash32 kDepositEventSignature =
    *hash_from_hex("0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5");

// EIP-6110: the ABI layout of DepositEvent's data. Five dynamic `bytes`: a head of five offsets,
// then each field as a length word and its content padded to whole words.
constexpr size_t kDepositEventDataSize = 576;
struct DepositField {
    size_t offset;  // where the head says the field starts
    size_t size;    // its exact length
};
constexpr DepositField kDepositFields[5] = {
    {160, 48},  // pubkey
    {256, 32},  // withdrawal_credentials
    {320, 8},   // amount (little-endian gwei)
    {384, 96},  // signature
    {512, 8},   // index (little-endian)
};

uint256 word(bytes_view data, size_t offset) { return uint256::load_be(data.data() + offset); }

}  // namespace

const Address kSystemAddress = address_constant("0xfffffffffffffffffffffffffffffffffffffffe");
const Address kBeaconRootsAddress = address_constant("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02");
const Address kHistoryStorageAddress = address_constant("0x0000F90827F1C53a10cb7A02335B175320002935");
const Address kWithdrawalRequestAddress = address_constant("0x00000961Ef480Eb55e80D19ad83579A64c007002");
const Address kConsolidationRequestAddress = address_constant("0x0000BBdDc7CE488642fb579F8B00f3a590007251");
const Address kMainnetDepositContractAddress = address_constant("0x00000000219ab540356cBB839Cbe05303d7705Fa");

SystemCallResult system_call(State& state, const BlockInfo& block, Revision rev, const Address& target,
                             bytes_view data, bool checked, const uint256& chain_id) {
    SystemCallResult out;
    const Account* contract = state.find(target);
    if (!contract || contract->code_size() == 0) {
        // Before the contract is deployed the start-of-block calls do nothing (EIP-4788/2935);
        // the request queues are required to exist (EIP-7002/7251).
        if (checked) out.error = "system contract " + to_hex_prefixed(target) + " has no code";
        return out;
    }

    TxContext ctx;
    ctx.gas_price = block.base_fee;  // what GASPRICE shows; nothing is charged
    ctx.origin = kSystemAddress;
    ctx.coinbase = block.coinbase;
    ctx.block_number = block.number;
    ctx.timestamp = block.timestamp;
    ctx.block_gas_limit = block.gas_limit;
    ctx.prev_randao = block.prev_randao ? uint256::from_hash(*block.prev_randao) : block.difficulty;
    ctx.chain_id = chain_id;
    ctx.base_fee = block.base_fee;
    if (const auto schedule = blob_schedule_for(block, rev))
        ctx.blob_base_fee = blob_base_fee(block.excess_blob_gas, schedule->base_fee_update_fraction);

    // Not a transaction: no nonce, no intrinsic gas, no pre-warmed addresses (the spec starts
    // with an empty accessed set), and the system address is never created or charged.
    ExecutionHost host(state, rev, ctx, nullptr);
    Message msg;
    msg.kind = CallKind::Call;
    msg.depth = 0;
    msg.gas = kSystemCallGas;
    msg.sender = kSystemAddress;
    msg.recipient = target;
    msg.code_address = target;
    msg.input = data;
    ExecutionResult result = host.call(msg);
    // Commit like a transaction end: storage originals, warm sets and transient storage reset.
    state.finalize_transaction(rev >= Revision::SpuriousDragon);

    if (result.status != Status::Success) {
        if (checked)
            out.error = "system call to " + to_hex_prefixed(target) + " failed: " + status_name(result.status);
        return out;
    }
    out.output = std::move(result.output);
    return out;
}

void apply_block_start_system_calls(State& state, const BlockInfo& block, Revision rev,
                                    const Hash32& parent_beacon_block_root, const Hash32& parent_hash,
                                    const uint256& chain_id, bool with_history) {
    // EIP-4788 (Cancun): the beacon root of the parent, keyed by timestamp in a ring buffer.
    if (rev >= Revision::Cancun)
        system_call(state, block, rev, kBeaconRootsAddress, parent_beacon_block_root, false, chain_id);
    if (with_history) apply_history_system_call(state, block, rev, parent_hash, chain_id);
}

void apply_history_system_call(State& state, const BlockInfo& block, Revision rev, const Hash32& parent_hash,
                               const uint256& chain_id) {
    // EIP-2935 (Prague): the parent's hash, keyed by number in a ring buffer of 8191 slots.
    if (rev >= Revision::Prague) system_call(state, block, rev, kHistoryStorageAddress, parent_hash, false, chain_id);
}

std::optional<bytes> parse_deposit_requests(const std::vector<Log>& block_logs, const Address& deposit_contract) {
    bytes requests;
    for (const Log& log : block_logs) {
        if (log.address != deposit_contract || log.topics.empty() || log.topics[0] != kDepositEventSignature) continue;
        // EIP-6110: any other layout of a deposit event makes the block invalid, so that the
        // request data cannot be forged by a (hypothetical) deviating contract.
        const bytes_view data = log.data;
        if (data.size() != kDepositEventDataSize) return std::nullopt;
        for (size_t i = 0; i < 5; ++i) {
            const DepositField& f = kDepositFields[i];
            if (word(data, 32 * i) != uint256{f.offset}) return std::nullopt;
            if (word(data, f.offset) != uint256{f.size}) return std::nullopt;
        }
        // The request is the fields' contents back to back: 48 + 32 + 8 + 96 + 8 = 192 bytes.
        for (const DepositField& f : kDepositFields)
            requests.insert(requests.end(), data.begin() + static_cast<std::ptrdiff_t>(f.offset + 32),
                            data.begin() + static_cast<std::ptrdiff_t>(f.offset + 32 + f.size));
    }
    return requests;
}

BlockRequests collect_block_requests(State& state, const BlockInfo& block, Revision rev,
                                     const std::vector<Log>& block_logs, const uint256& chain_id,
                                     const Address& deposit_contract, bool allow_missing_contracts) {
    BlockRequests out;
    if (rev < Revision::Prague) return out;  // EIP-7685 starts in Prague
    auto add = [&](uint8_t type, const bytes& data) {
        // EIP-7685: a type without data contributes nothing (not even its type byte).
        if (data.empty()) return;
        bytes r;
        r.reserve(data.size() + 1);
        r.push_back(type);
        r.insert(r.end(), data.begin(), data.end());
        out.requests.push_back(std::move(r));
    };

    const auto deposits = parse_deposit_requests(block_logs, deposit_contract);
    if (!deposits) {
        out.error = "malformed deposit event (EIP-6110)";
        return out;
    }
    add(kDepositRequestType, *deposits);

    // EIP-7002, then EIP-7251: the call dequeues the pending requests and returns them.
    for (const auto& [address, type] : {std::pair{kWithdrawalRequestAddress, kWithdrawalRequestType},
                                        std::pair{kConsolidationRequestAddress, kConsolidationRequestType}}) {
        if (allow_missing_contracts) {
            const Account* contract = state.find(address);
            if (!contract || contract->code_size() == 0) continue;
        }
        SystemCallResult r = system_call(state, block, rev, address, {}, true, chain_id);
        if (r.error) {
            out.error = std::move(r.error);
            return out;
        }
        add(type, r.output);
    }
    return out;
}

Hash32 requests_hash(const std::vector<bytes>& requests) {
    bytes digests;
    for (const bytes& r : requests) {
        if (r.size() <= 1) continue;  // EIP-7685: only requests with data are committed to
        const Hash32 h = sha256(r);
        digests.insert(digests.end(), h.bytes.begin(), h.bytes.end());
    }
    return sha256(digests);
}

}  // namespace polyvm

// eth_getProof (EIP-1186): the account and storage proofs against the state root of a block.
// At the head (with no anvil_set* changes since it was mined) they come from the trie nodes the
// database keeps (LmdbDatabase::prove); for an older block, or a head with changes the trie does
// not hold yet, they are built from that state as a whole. Either verifies against the block's
// stateRoot like any other node's.
#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "db/lmdb_database.hpp"
#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"
#include "state/trie.hpp"

namespace polyvm::node {
namespace {
using rpc::RpcError;

bytes key_of(const Hash32& h) { return bytes(h.bytes.begin(), h.bytes.end()); }

/// Every non-zero slot of `address` in the view (the database's, patched by the overlay).
/// `changes`: what the view holds over the database (the changes made since the head was
/// mined, or the reverse change sets of newer blocks).
std::map<uint256, uint256> storage_of(const OverlayReader& changes, const Address& address,
                                      const std::vector<StateDatabase::DumpedAccount>& dumped) {
    std::map<uint256, uint256> slots;
    const auto changed = changes.storage_changes(address);
    if (!changed.wiped)
        for (const auto& a : dumped)
            if (a.address == address) slots.insert(a.storage.begin(), a.storage.end());
    for (const auto& [k, v] : changed.slots) slots[k] = v;
    std::erase_if(slots, [](const auto& s) { return s.second.is_zero(); });
    return slots;
}

json proof_json(const std::vector<bytes>& nodes) {
    json out = json::array();
    for (const auto& n : nodes) out.push_back(rpc::data_hex(n));
    return out;
}

/// eth_getProof's answer (geth's field names); `account` nullopt: no such account.
json proof_answer(const Address& address, const std::optional<AccountInfo>& account, const std::vector<bytes>& account_proof,
                  const Hash32& storage_hash, json storage_proofs) {
    return {{"address", rpc::hex(address)},
            {"accountProof", proof_json(account_proof)},
            {"balance", rpc::quantity(account ? account->balance : uint256{})},
            {"codeHash", rpc::hex(account ? account->code_hash : kEmptyCodeHash)},
            {"nonce", rpc::quantity(account ? account->nonce : 0)},
            {"storageHash", rpc::hex(storage_hash)},
            {"storageProof", std::move(storage_proofs)}};
}
/// eth_getProof's answer for `address` and `keys` at `block`.
json prove(DevNode& node, const Address& address, const std::vector<uint256>& keys, const rpc::BlockSelector& block) {
    std::shared_lock lock(node.chain_mutex_);
    DevChain& chain = node.chain();
    const auto n = node.resolve_block(block);
    auto view = chain.state_at(*n);
    auto* stored = dynamic_cast<LmdbDatabase*>(&chain.database());
    if (stored && *n >= chain.head().number && chain.pending_changes().empty()) {
        const LmdbDatabase::Proof proof = stored->prove(address, keys);
        const auto info = view->read_account(address);
        json storage = json::array();
        for (size_t i = 0; i < keys.size(); ++i)
            storage.push_back({{"key", rpc::quantity(keys[i])},
                               {"value", rpc::quantity(info ? view->read_storage(address, keys[i]) : uint256{})},
                               {"proof", proof_json(proof.storage_proofs[i])}});
        return proof_answer(address, info, proof.account_proof, proof.storage_root, std::move(storage));
    }
    // At the head the view reads through the pending changes; elsewhere through its own overlay.
    OverlayReader pending(chain.database());
    pending.apply(chain.pending_changes());
    const OverlayReader& changes = *n >= chain.head().number ? pending : view->overlay();
    const auto dumped = chain.database().dump();
    std::vector<Address> addresses;
    for (const auto& a : dumped) addresses.push_back(a.address);
    for (const auto& a : changes.addresses()) addresses.push_back(a);
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());

    std::vector<std::pair<bytes, bytes>> account_entries;
    json storage_proofs = json::array();
    Hash32 storage_hash = kEmptyTrieRoot;
    std::optional<AccountInfo> target;
    for (const Address& a : addresses) {
        const auto info = view->read_account(a);
        if (!info) continue;
        const auto slots = storage_of(changes, a, dumped);
        std::vector<std::pair<bytes, bytes>> slot_entries;
        for (const auto& [k, v] : slots) slot_entries.emplace_back(key_of(keccak256(k.to_hash())), rlp::encode(v));
        const Hash32 root = trie_root(slot_entries);
        if (a == address) {
            target = info;
            storage_hash = root;
            for (const uint256& key : keys) {
                const auto it = slots.find(key);
                // An account without storage has no storage trie to prove in (geth: []).
                storage_proofs.push_back({{"key", rpc::quantity(key)},
                                          {"value", rpc::quantity(it == slots.end() ? uint256{} : it->second)},
                                          {"proof", slot_entries.empty() ? json::array()
                                                                         : proof_json(trie_proof(slot_entries, key_of(keccak256(key.to_hash()))))}});
            }
        }
        const bytes account = rlp::ListBuilder{}.add(info->nonce).add(info->balance).add(root).add(info->code_hash).finish();
        account_entries.emplace_back(key_of(keccak256(a)), account);
    }
    if (!target)
        for (const uint256& key : keys)
            storage_proofs.push_back({{"key", rpc::quantity(key)}, {"value", "0x0"}, {"proof", json::array()}});
    return proof_answer(address, target, trie_proof(account_entries, key_of(keccak256(address))), storage_hash,
                        std::move(storage_proofs));
}
}  // namespace

void register_proof_methods(DevNode& node, rpc::Dispatcher& d) {
    d.add("eth_getProof", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 3);
        const Address address = rpc::param_address(p, 0);
        const json* keys_param = rpc::param_at(p, 1);
        if (!keys_param || !keys_param->is_array()) throw RpcError(rpc::kInvalidParams, "invalid argument 1: expected an array of storage keys");
        std::vector<uint256> keys;
        for (const json& k : *keys_param) {
            try {
                keys.push_back(decode_storage_key(k));
            } catch (const rpc::DecodeError& e) {
                throw RpcError(rpc::kInvalidParams, std::string("invalid argument 1: ") + e.what());
            }
        }
        return prove(node, address, keys, rpc::param_block(p, 2, rpc::BlockSelector::latest()));
    });
    // geth's: the account's fields as its trie leaf holds them (an absent account's are zero,
    // the empty code hash and the empty storage root).
    d.add("eth_getAccount", [&node](const json& p, const rpc::CallContext&) -> json {
        rpc::param_count(p, 2);
        const Address address = rpc::param_address(p, 0);
        const json proof = prove(node, address, {}, rpc::param_block(p, 1, rpc::BlockSelector::latest()));
        return {{"balance", proof["balance"]},
                {"codeHash", proof["codeHash"]},
                {"nonce", proof["nonce"]},
                {"storageRoot", proof["storageHash"]}};
    });
}

}  // namespace polyvm::node

#include "tools/chain_generator.hpp"

#include "chain/block_builder.hpp"
#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/system_contracts.hpp"
#include "state/memory_database.hpp"
#include "state/trie.hpp"

#include <random>

namespace polyvm::tools {
namespace {
// Hand-assembled (see the comment on erc20_runtime_code): dispatch on the selector, mapping
// slot keccak256(address ‖ 0), revert on insufficient balance.
constexpr std::string_view kErc20RuntimeHex =
    "60003560e01c8063a9059cbb14603857806370a0823114601e57600080fd5b600435600052600060205260406000205460005260"
    "206000f35b3360005260006020526040600020805460243580821060a357900390556004356000526040600020805460243501"
    "9055602435600052600435337fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef60206000a36001"
    "60005260206000f35b600080fd";

Hash32 sender_key(size_t i) {
    Hash32 k = keccak256(as_view("polyvm generated sender " + std::to_string(i)));
    k[0] &= 0x7f;  // below the curve order
    return k;
}

}  // namespace

uint256 erc20_balance_slot(const Address& holder) {
    uint8_t buf[64] = {};
    std::memcpy(buf + 12, holder.data(), 20);
    return uint256::from_hash(keccak256(bytes_view{buf, 64}));
}

bytes erc20_call_data(uint32_t selector, const Address& to, std::optional<uint64_t> amount) {
    bytes data(4, 0);
    for (int i = 0; i < 4; ++i) data[static_cast<size_t>(i)] = static_cast<uint8_t>(selector >> (24 - 8 * i));
    data.resize(36, 0);
    std::memcpy(data.data() + 16, to.data(), 20);
    if (amount) {
        const Hash32 word = uint256{*amount}.to_hash();
        data.insert(data.end(), word.bytes.begin(), word.bytes.end());
    }
    return data;
}

std::optional<Workload> parse_workload(std::string_view name) {
    if (name == "transfers") return Workload::Transfers;
    if (name == "erc20") return Workload::Erc20;
    if (name == "mix") return Workload::Mix;
    return std::nullopt;
}

const bytes& erc20_runtime_code() {
    static const bytes code = *from_hex(kErc20RuntimeHex);
    return code;
}

Address erc20_address() { return Address::from(*from_hex("0x00000000000000000000000000000000000e2c20")); }

GeneratedChain generate_chain(const ChainSpec& spec) {
    GeneratedChain out;
    Genesis& g = out.genesis;
    g.config = ChainConfig(spec.revision);
    g.config.chain_id = uint256{1337};

    std::vector<Hash32> keys;
    std::vector<Address> senders;
    for (size_t i = 0; i < spec.senders; ++i) {
        keys.push_back(sender_key(i));
        Transaction probe;
        sign_transaction(probe, keys.back());
        senders.push_back(probe.sender);
    }
    GenesisAccount token;
    token.address = erc20_address();
    token.code = erc20_runtime_code();
    token.info.code_hash = keccak256(token.code);
    token.info.nonce = 1;
    for (const Address& s : senders) {
        GenesisAccount a;
        a.address = s;
        a.info.balance = uint256{1} << 100;
        g.alloc.push_back(a);
        token.storage.emplace_back(erc20_balance_slot(s), uint256{1} << 64);
    }
    token.info.has_storage = true;
    g.alloc.push_back(token);
    // Prague's end-of-block system calls need their queues: a contract that returns nothing.
    if (spec.revision >= Revision::Prague) {
        for (const Address& system : {kWithdrawalRequestAddress, kConsolidationRequestAddress}) {
            GenesisAccount stub;
            stub.address = system;
            stub.code = {0x00};  // STOP: an empty queue
            stub.info.code_hash = keccak256(stub.code);
            g.alloc.push_back(stub);
        }
    }

    BlockHeader& h = g.header;
    h.ommers_hash = kEmptyOmmersHash;
    h.transactions_root = h.receipts_root = kEmptyTrieRoot;
    h.gas_limit = 60'000'000;
    h.base_fee_per_gas = uint256{1'000'000'000};
    if (spec.revision >= Revision::Shanghai) h.withdrawals_root = kEmptyTrieRoot;
    if (spec.revision >= Revision::Cancun) {
        h.blob_gas_used = 0;
        h.excess_blob_gas = 0;
        h.parent_beacon_block_root = Hash32{};
    }
    if (spec.revision >= Revision::Prague) h.requests_hash = requests_hash({});
    MemoryDatabase scratch;
    for (const GenesisAccount& a : g.alloc) scratch.put_account(a.address, a.info, a.code, a.storage);
    h.state_root = scratch.state_root();

    MemoryDatabase db;
    Blockchain chain(db, g.config);
    if (auto e = chain.initialize(h, g.alloc)) throw std::runtime_error("generated genesis: " + e->to_string());

    std::mt19937_64 rng(spec.seed);
    std::vector<uint64_t> nonces(senders.size(), 0);
    Hash32 parent = header_hash(h);
    for (size_t b = 0; b < spec.blocks; ++b) {
        BlockTemplate t;
        t.parent_hash = parent;
        t.timestamp = 12 * (b + 1);
        t.coinbase = senders[0];
        t.gas_limit = h.gas_limit;
        for (size_t i = 0; i < spec.transactions_per_block; ++i) {
            const size_t from = rng() % senders.size();
            Transaction tx;
            tx.type = TransactionType::DynamicFee;
            tx.chain_id = g.config.chain_id;
            tx.nonce = nonces[from]++;
            tx.max_fee_per_gas = tx.gas_price = uint256{100'000'000'000};
            tx.max_priority_fee_per_gas = uint256{1'000'000'000};
            Address recipient;
            for (auto& byte : recipient.bytes) byte = static_cast<uint8_t>(rng());
            const bool erc20 = spec.workload == Workload::Erc20 || (spec.workload == Workload::Mix && rng() % 2);
            if (!erc20) {
                tx.gas_limit = 21000;
                tx.to = rng() % 4 ? recipient : senders[rng() % senders.size()];
                tx.value = uint256{1 + rng() % 1'000'000};
            } else {
                tx.gas_limit = 80'000;
                tx.to = erc20_address();
                const bool read_only = spec.workload == Workload::Mix && rng() % 4 == 0;
                tx.data = read_only ? erc20_call_data(0x70a08231, recipient, std::nullopt)
                                    : erc20_call_data(0xa9059cbb, recipient, 1 + rng() % 1000);
            }
            sign_transaction(tx, keys[from]);
            t.transactions.push_back(std::move(tx));
        }
        auto built = build_block(chain, t);
        if (auto* e = std::get_if<BlockError>(&built)) throw std::runtime_error("generated block: " + e->to_string());
        BuiltBlock& block = std::get<BuiltBlock>(built);
        if (!block.rejected.empty())
            throw std::runtime_error("generated block: transaction " + std::to_string(block.rejected[0].index) +
                                     " rejected: " + block.rejected[0].rule);
        bytes encoded = encode_block(block.block);
        auto imported = chain.import_block(encoded);
        if (auto* e = std::get_if<BlockError>(&imported)) throw std::runtime_error("generated block: " + e->to_string());
        parent = std::get<Hash32>(imported);
        out.total_gas += block.block.header.gas_used;
        out.total_transactions += block.block.transactions.size();
        out.blocks.push_back(std::move(encoded));
    }
    return out;
}

}  // namespace polyvm::tools

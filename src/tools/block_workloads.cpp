#include "tools/block_workloads.hpp"

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "exec/transaction_execution.hpp"
#include "state/memory_database.hpp"
#include "tools/chain_generator.hpp"

#include <cctype>
#include <fstream>
#include <random>
#include <stdexcept>

namespace polyvm::tools {

namespace {
constexpr uint64_t kGwei = 1'000'000'000;
constexpr uint64_t kTransferSelector = 0xa9059cbb;

// A probe for the stress test: calldata byte 1 increments slot 0 (every caller contends on
// it), byte 2 stores under the caller's address the coinbase's balance plus the balance of the
// address in calldata bytes 1-20 (reads of balances the executor credits at commit: fees, and
// transfers to a popular recipient), anything else stops.
constexpr std::string_view kProbeRuntimeHex = "60003560f81c8060011460145760021460205700"
                                              "5b5060005460010160005500"
                                              "5b413160013560601c3101335500";
// Init codes: store 1 in slot 0 and deploy the one-byte code STOP, or store and SELFDESTRUCT to
// the creator inside the creating transaction (EIP-6780 deletes such a contract).
constexpr std::string_view kDeployStopInitHex = "60016000556001601ff3";
constexpr std::string_view kDeployAndDestructInitHex = "600160005533ff";

Address derived_address(std::string_view role, size_t index) {
    const Hash32 h = keccak256(as_view("polyvm workload " + std::string(role) + " " + std::to_string(index)));
    Address a;
    std::copy(h.bytes.begin() + 12, h.bytes.end(), a.bytes.begin());
    return a;
}

Transaction base_transaction(const Address& sender, uint64_t nonce) {
    Transaction tx;
    tx.type = TransactionType::DynamicFee;
    tx.chain_id = uint256{1};
    tx.nonce = nonce;
    tx.max_fee_per_gas = uint256{2 * kGwei};
    tx.gas_price = tx.max_fee_per_gas;
    tx.max_priority_fee_per_gas = uint256{kGwei};  // the coinbase earns a fee from every transaction
    tx.sender = sender;
    return tx;
}

Transaction value_transfer(const Address& sender, uint64_t nonce, const Address& to, uint64_t value) {
    Transaction tx = base_transaction(sender, nonce);
    tx.gas_limit = 21'000;
    tx.to = to;
    tx.value = uint256{value};
    return tx;
}

Transaction token_transfer(const Address& sender, uint64_t nonce, const Address& token, const Address& to,
                           uint64_t amount) {
    Transaction tx = base_transaction(sender, nonce);
    tx.gas_limit = 120'000;
    tx.to = token;
    tx.data = erc20_call_data(kTransferSelector, to, amount);
    return tx;
}

Hash32 word(const uint256& value) { return value.to_hash(); }
Hash32 word(const Address& address) {
    Hash32 w;
    std::copy(address.bytes.begin(), address.bytes.end(), w.bytes.begin() + 12);
    return w;
}
/// ABI call data: a selector and 32-byte words.
bytes abi_call(uint32_t selector, std::initializer_list<Hash32> words) {
    bytes data{static_cast<uint8_t>(selector >> 24), static_cast<uint8_t>(selector >> 16), static_cast<uint8_t>(selector >> 8),
               static_cast<uint8_t>(selector)};
    for (const Hash32& w : words) data.insert(data.end(), w.bytes.begin(), w.bytes.end());
    return data;
}

/// Executes one setup transaction on `state`; the setup must not fail.
void run_setup(State& state, const BlockInfo& block, const Transaction& tx, TransactionOutcome* out = nullptr) {
    TransactionOutcome outcome = execute_transaction(state, block, tx, Revision::Cancun, uint256{1});
    if (outcome.rejection) throw std::runtime_error("workload setup: transaction rejected: " + outcome.rejection->detail);
    if (outcome.status != Status::Success) throw std::runtime_error("workload setup: transaction failed");
    if (out) *out = std::move(outcome);
}

ChangeSet dump_as_change_set(MemoryDatabase& db) {
    ChangeSet changes;
    for (auto& account : db.dump()) {
        AccountChange change;
        change.address = account.address;
        change.account = account.info;
        change.storage = std::move(account.storage);
        if (account.code && !account.code->empty()) changes.codes.emplace_back(account.info.code_hash, account.code);
        changes.accounts.push_back(std::move(change));
    }
    return changes;
}
}  // namespace

std::string_view workload_name(BlockWorkload workload) {
    switch (workload) {
    case BlockWorkload::RawTransfers: return "raw_transfers";
    case BlockWorkload::Erc20Transfers: return "erc20_transfers";
    case BlockWorkload::TransfersContended: return "transfers_contended";
    case BlockWorkload::Erc20Contended: return "erc20_contended";
    case BlockWorkload::MixedContended: return "mixed_10pct_contended";
    case BlockWorkload::UniswapSwaps: return "uniswap_swaps";
    case BlockWorkload::UniswapContended: return "uniswap_contended";
    case BlockWorkload::Deployments: return "deployments";
    }
    return "?";
}

std::optional<BlockWorkload> parse_block_workload(std::string_view name) {
    for (BlockWorkload w : {BlockWorkload::RawTransfers, BlockWorkload::Erc20Transfers, BlockWorkload::TransfersContended,
                            BlockWorkload::Erc20Contended, BlockWorkload::MixedContended, BlockWorkload::UniswapSwaps,
                            BlockWorkload::UniswapContended, BlockWorkload::Deployments})
        if (workload_name(w) == name) return w;
    return std::nullopt;
}

std::vector<BlockWorkload> benchmark_workloads(bool with_uniswap) {
    std::vector<BlockWorkload> all{BlockWorkload::RawTransfers, BlockWorkload::Erc20Transfers, BlockWorkload::MixedContended,
                                   BlockWorkload::TransfersContended, BlockWorkload::Erc20Contended};
    if (with_uniswap) {
        all.insert(all.begin() + 2, BlockWorkload::UniswapSwaps);
        all.push_back(BlockWorkload::UniswapContended);
    }
    return all;
}

bytes read_creation_code(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string hex((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::erase_if(hex, [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
    auto code = from_hex(hex);
    if (!code || code->empty()) throw std::runtime_error(path + ": not hex creation code");
    return std::move(*code);
}

UniswapCode load_uniswap_code(const std::string& folder) {
    auto read = [&](const std::string& name) { return read_creation_code(folder + "/" + name + ".creation.hex"); };
    return UniswapCode{read("WETH9"), read("ERC20"), read("UniswapV2Factory"), read("UniswapV2Router02")};
}

WorkloadBlock make_workload_block(const WorkloadSpec& spec) {
    WorkloadBlock out;
    out.config.chain_id = uint256{1};
    out.config.forks = {{Revision::Cancun, 0}};
    out.env.revision = Revision::Cancun;
    BlockInfo& info = out.env.info;
    info.number = 1;
    info.timestamp = 12;
    info.gas_limit = 8'000'000'000;  // room for 10,000 of any workload's transactions
    info.coinbase = derived_address("coinbase", 0);
    info.prev_randao = keccak256(as_view("polyvm workload randao"));
    info.base_fee = uint256{kGwei};
    info.blob_schedule = out.config.blob_schedule(Revision::Cancun);
    out.env.parent_hash = keccak256(as_view("polyvm workload parent"));
    out.env.parent_beacon_block_root = Hash32{};

    const size_t n = spec.transactions;
    std::mt19937_64 random(spec.seed);
    // The stress workload reuses senders (consecutive nonces make transactions depend on each
    // other); the others give every transaction its own sender.
    const size_t sender_count = spec.workload == BlockWorkload::Deployments ? std::max<size_t>(1, n / 2) : n;
    const uint256 sender_balance = uint256{1'000'000} * uint256{kGwei} * uint256{kGwei};

    MemoryDatabase db;
    for (size_t i = 0; i < sender_count; ++i) db.put_account(derived_address("sender", i), AccountInfo{0, sender_balance});
    const Address hot = derived_address("hot", 0);
    db.put_account(hot, AccountInfo{0, uint256{kGwei}});
    const Address probe = derived_address("probe", 0);
    db.put_account(probe, AccountInfo{}, *from_hex(kProbeRuntimeHex));

    // The token: the hand-written one with balances written into the pre-state, or the given
    // creation code deployed and its supply handed out by transfers.
    const bool uses_token = spec.workload == BlockWorkload::Erc20Transfers ||
                            spec.workload == BlockWorkload::Erc20Contended ||
                            spec.workload == BlockWorkload::MixedContended || spec.workload == BlockWorkload::Deployments;
    Address token = erc20_address();
    if (uses_token && spec.token_creation_code.empty()) {
        std::vector<std::pair<uint256, uint256>> balances;
        for (size_t i = 0; i < sender_count; ++i)
            balances.emplace_back(erc20_balance_slot(derived_address("sender", i)), uint256{1} << 64);
        std::sort(balances.begin(), balances.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        db.put_account(token, AccountInfo{1, {}}, erc20_runtime_code(), balances);
    } else if (uses_token) {
        const Address deployer = derived_address("deployer", 0);
        db.put_account(deployer, AccountInfo{0, sender_balance});
        State state(&db);
        BlockInfo setup_block = info;
        setup_block.number = 0;
        Transaction create = base_transaction(deployer, 0);
        create.gas_limit = 30'000'000;
        create.data = spec.token_creation_code;
        const Hash32 supply = (uint256{1} << 200).to_hash();
        create.data.insert(create.data.end(), supply.bytes.begin(), supply.bytes.end());
        TransactionOutcome created;
        run_setup(state, setup_block, create, &created);
        if (!created.created_address) throw std::runtime_error("workload setup: the token was not created");
        token = *created.created_address;
        for (size_t i = 0; i < sender_count; ++i)
            run_setup(state, setup_block,
                      token_transfer(deployer, i + 1, token, derived_address("sender", i), uint64_t{1} << 60));
        db.commit(state.changes());
    }

    // Uniswap V2: WETH9, the factory, Router02, and per pool a token with its liquidity against
    // 1,000 ETH (addLiquidityETH creates the pair).
    const bool uses_uniswap =
        spec.workload == BlockWorkload::UniswapSwaps || spec.workload == BlockWorkload::UniswapContended;
    Address weth, router;
    std::vector<Address> pool_tokens;
    const uint256 deadline{uint64_t{1} << 40};
    if (uses_uniswap) {
        if (!spec.uniswap) throw std::runtime_error("workload setup: the Uniswap workloads need Uniswap's code");
        const UniswapCode& code = *spec.uniswap;
        const Address deployer = derived_address("uniswap deployer", 0);
        db.put_account(deployer, AccountInfo{0, sender_balance});
        State state(&db);
        BlockInfo setup_block = info;
        setup_block.number = 0;
        uint64_t nonce = 0;
        auto deploy = [&](const bytes& creation, std::initializer_list<Hash32> arguments, const uint256& value = {}) {
            Transaction tx = base_transaction(deployer, nonce++);
            tx.gas_limit = 10'000'000;
            tx.data = creation;
            for (const Hash32& a : arguments) tx.data.insert(tx.data.end(), a.bytes.begin(), a.bytes.end());
            tx.value = value;
            TransactionOutcome created;
            run_setup(state, setup_block, tx, &created);
            if (!created.created_address) throw std::runtime_error("workload setup: a Uniswap contract was not created");
            return *created.created_address;
        };
        auto call = [&](const Address& to, bytes data, const uint256& value = {}) {
            Transaction tx = base_transaction(deployer, nonce++);
            tx.gas_limit = 10'000'000;
            tx.to = to;
            tx.data = std::move(data);
            tx.value = value;
            run_setup(state, setup_block, tx);
        };
        const uint256 ether{1'000'000'000'000'000'000ull};
        const uint256 supply = ether * uint256{1'000'000'000ull};
        weth = deploy(code.weth, {});
        const Address factory = deploy(code.factory, {word(deployer)});
        router = deploy(code.router, {word(factory), word(weth)});
        const size_t pools = spec.workload == BlockWorkload::UniswapContended ? 1 : std::max<size_t>(1, spec.uniswap_pools);
        for (size_t k = 0; k < pools; ++k) {
            const Address token_k = deploy(code.token, {word(supply)});
            call(token_k, abi_call(0x095ea7b3, {word(router), word(supply)}));  // approve(router, supply)
            // addLiquidityETH(token, amountTokenDesired, amountTokenMin, amountETHMin, to, deadline)
            call(router,
                 abi_call(0xf305d719, {word(token_k), word(ether * uint256{100'000'000ull}), word(uint256{}), word(uint256{}),
                                       word(deployer), word(deadline)}),
                 ether * uint256{1000});
            pool_tokens.push_back(token_k);
        }
        db.commit(state.changes());
    }

    std::vector<uint64_t> nonces(sender_count, 0);
    out.transactions.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const size_t sender_index = i % sender_count;
        const Address sender = derived_address("sender", sender_index);
        const uint64_t nonce = nonces[sender_index]++;
        const Address recipient = derived_address("recipient", i);
        const uint64_t amount = 1 + random() % 1000;
        switch (spec.workload) {
        case BlockWorkload::RawTransfers:
            out.transactions.push_back(value_transfer(sender, nonce, recipient, amount));
            break;
        case BlockWorkload::Erc20Transfers:
            out.transactions.push_back(token_transfer(sender, nonce, token, recipient, amount));
            break;
        case BlockWorkload::TransfersContended:
            out.transactions.push_back(value_transfer(sender, nonce, hot, amount));
            break;
        case BlockWorkload::Erc20Contended:
            out.transactions.push_back(token_transfer(sender, nonce, token, hot, amount));
            break;
        case BlockWorkload::UniswapSwaps:
        case BlockWorkload::UniswapContended: {
            // swapExactETHForTokens(amountOutMin, path, to, deadline), path = [WETH, token]
            // (a dynamic array at offset 0x80 after the four head words).
            Transaction tx = base_transaction(sender, nonce);
            tx.gas_limit = 250'000;
            tx.to = router;
            tx.value = uint256{1'000'000'000'000'000ull} * uint256{1 + random() % 100};  // 0.001 to 0.1 ETH
            tx.data = abi_call(0x7ff36ab5, {word(uint256{}), word(uint256{0x80}), word(sender), word(deadline),
                                            word(uint256{2}), word(weth), word(pool_tokens[i % pool_tokens.size()])});
            out.transactions.push_back(std::move(tx));
            break;
        }
        case BlockWorkload::MixedContended: {
            const Address to = random() % 10 == 0 ? hot : recipient;
            out.transactions.push_back(i % 2 == 0 ? value_transfer(sender, nonce, to, amount)
                                                  : token_transfer(sender, nonce, token, to, amount));
            break;
        }
        case BlockWorkload::Deployments: {
            Transaction tx;
            const uint64_t kind = random() % 20;
            if (kind < 6) {
                tx = value_transfer(sender, nonce, kind == 0 ? info.coinbase : kind == 1 ? hot : recipient, amount);
            } else if (kind < 9) {
                tx = token_transfer(sender, nonce, token, kind == 6 ? hot : recipient, amount);
            } else if (kind < 13) {
                tx = base_transaction(sender, nonce);
                tx.gas_limit = 200'000;
                tx.data = *from_hex(kind == 12 ? kDeployAndDestructInitHex : kDeployStopInitHex);
                tx.value = uint256{kind == 12 ? amount : 0};
            } else {
                tx = base_transaction(sender, nonce);
                tx.gas_limit = 100'000;
                tx.to = probe;
                tx.data = bytes{static_cast<uint8_t>(kind < 17 ? 1 : 2)};
                if (kind >= 17) tx.data.insert(tx.data.end(), hot.bytes.begin(), hot.bytes.end());
            }
            // Zero tips at the start and now and then: the coinbase stays empty for a while (a
            // zero fee only touches it, and EIP-158 deletes an empty account) before fees fund it.
            if (i < 6 || random() % 8 == 0) tx.max_priority_fee_per_gas = uint256{};
            out.transactions.push_back(std::move(tx));
            break;
        }
        }
    }
    out.pre_state = dump_as_change_set(db);
    return out;
}

InMemoryBlockRun run_block_in_memory(const WorkloadBlock& block, const ParallelOptions& parallel,
                                     ParallelStatistics* statistics) {
    MemoryDatabase db;
    db.commit(block.pre_state);
    State state(&db);
    std::vector<Transaction> transactions = block.transactions;
    BlockExecutionOptions options;
    options.senders_known = true;
    options.allow_missing_request_contracts = true;
    options.parallel = parallel;
    options.parallel_min_transactions = 1;
    options.parallel_statistics = statistics;
    auto result = execute_block_body(state, block.env, transactions, block.config, options);
    InMemoryBlockRun run;
    if (auto* error = std::get_if<BlockError>(&result)) {
        run.error = error->to_string();
        return run;
    }
    db.commit(state.changes());
    run.state_root = db.state_root();
    run.executed = std::move(std::get<ExecutedBlock>(result));
    return run;
}

namespace {

/// The executed part of block_run_differences.
std::string executed_block_differences(const ExecutedBlock& expected, const ExecutedBlock& actual) {
    if (expected.gas_used != actual.gas_used) return "gas used differs";
    if (expected.blob_gas_used != actual.blob_gas_used) return "blob gas used differs";
    if (expected.included != actual.included) return "included transactions differ";
    if (expected.logs_bloom != actual.logs_bloom) return "logs bloom differs";
    if (expected.requests != actual.requests) return "requests differ";
    if (expected.receipts.size() != actual.receipts.size()) return "receipt count differs";
    for (size_t i = 0; i < expected.receipts.size(); ++i) {
        const Receipt& e = expected.receipts[i];
        const Receipt& a = actual.receipts[i];
        if (e.type != a.type || e.success != a.success || e.cumulative_gas_used != a.cumulative_gas_used ||
            e.logs_bloom != a.logs_bloom || e.logs.size() != a.logs.size())
            return "receipt " + std::to_string(i) + " differs";
        for (size_t l = 0; l < e.logs.size(); ++l)
            if (e.logs[l].address != a.logs[l].address || e.logs[l].topics != a.logs[l].topics ||
                e.logs[l].data != a.logs[l].data)
                return "log " + std::to_string(l) + " of receipt " + std::to_string(i) + " differs";
    }
    return {};
}

}  // namespace

std::string block_run_differences(const InMemoryBlockRun& expected, const InMemoryBlockRun& actual) {
    if (expected.error != actual.error)
        return "rejection differs (\"" + expected.error + "\" against \"" + actual.error + "\")";
    if (!expected.error.empty()) return {};  // rejected alike
    if (expected.state_root != actual.state_root) return "state root differs";
    return executed_block_differences(expected.executed, actual.executed);
}

}  // namespace polyvm::tools

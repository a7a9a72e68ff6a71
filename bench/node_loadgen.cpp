// bench_node_loadgen: writes the inputs of the development-node load benchmark (bench/node/).
// --workload transfers (default): the JSON-RPC calls that set up an ERC-20 token and funded
// senders (anvil_set*), pre-signed EIP-1559 transfer() transactions split into one file per wrk
// thread, and the token balances and sender nonces expected once every transfer is mined.
// --workload swaps --uniswap DIR (DIR: node_modules/@uniswap of tests/node): the calls that deploy
// Uniswap V2 from its own build artifacts (WETH9, a test ERC20, the factory, Router02) from the
// first dev account, add liquidity and fund the senders; pre-signed swapExactETHForTokens
// transactions (WETH -> token through the router and the pair); the nonces expected and what the
// check needs (swaps.json). Not a Google Benchmark program.
#include "common/hex.hpp"
#include "crypto/bip32.hpp"
#include "crypto/bip39.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"
#include "exec/execution_host.hpp"
#include "node/dev_node.hpp"
#include "tools/chain_generator.hpp"
#include "tx/transaction.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace polyvm;
using nlohmann::json;

namespace {

struct Options {
    size_t senders = 128;
    size_t transfers = 20000;
    size_t threads = 2;
    size_t recipients = 1000;  // a pool, so balances accumulate and reads hit existing slots
    uint64_t chain_id = 31337;
    uint64_t seed = 1;
    std::string out;
    std::string workload = "transfers";
    std::string uniswap;  // node_modules/@uniswap, for the swaps
};

constexpr uint64_t kInitialTokenBalanceShift = 64;  // each sender starts with 2^64 token units
constexpr uint32_t kTransferSelector = 0xa9059cbb;   // transfer(address,uint256)
constexpr uint32_t kBalanceOfSelector = 0x70a08231;  // balanceOf(address)

void usage() {
    std::cerr << "usage: bench_node_loadgen --out DIR [--workload transfers|swaps] [--uniswap DIR] [--senders 128]\n"
                 "                          [--transfers 20000] [--threads 2] [--recipients 1000] [--chain-id 31337] [--seed 1]\n"
                 "  --transfers is the number of transactions of either workload\n";
}

bool parse_count(std::string_view name, std::string_view text, uint64_t& value) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        std::cerr << "error: " << name << ": not a non-negative integer: '" << text << "'\n";
        return false;
    }
    return true;
}

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "-h" || name == "--help") return std::nullopt;
        if (i + 1 >= argc) {
            std::cerr << "error: " << name << " needs a value\n";
            return std::nullopt;
        }
        const std::string_view value = argv[++i];
        uint64_t n = 0;
        if (name == "--out" || name == "--workload" || name == "--uniswap") {
            (name == "--out" ? o.out : name == "--workload" ? o.workload : o.uniswap) = value;
            continue;
        }
        if (!parse_count(name, value, n)) return std::nullopt;
        if (name == "--senders") o.senders = n;
        else if (name == "--transfers") o.transfers = n;
        else if (name == "--threads") o.threads = n;
        else if (name == "--recipients") o.recipients = n;
        else if (name == "--chain-id") o.chain_id = n;
        else if (name == "--seed") o.seed = n;
        else {
            std::cerr << "error: unknown option " << name << '\n';
            return std::nullopt;
        }
    }
    if (o.out.empty()) std::cerr << "error: --out is required\n";
    else if (o.workload != "transfers" && o.workload != "swaps") std::cerr << "error: --workload must be transfers or swaps\n";
    else if (o.workload == "swaps" && o.uniswap.empty()) std::cerr << "error: --workload swaps needs --uniswap DIR (node_modules/@uniswap)\n";
    else if (o.senders == 0 || o.senders > 100000) std::cerr << "error: --senders must be 1..100000\n";
    else if (o.threads == 0 || o.threads > 1024) std::cerr << "error: --threads must be 1..1024\n";
    else if (o.recipients == 0 || o.recipients > 10'000'000) std::cerr << "error: --recipients must be 1..10000000\n";
    else if (o.transfers > 100'000'000) std::cerr << "error: --transfers must be at most 100000000\n";
    else return o;
    return std::nullopt;
}

// Deterministic keys: keccak of a label, top bit cleared so the value is below the curve order.
Hash32 sender_key(size_t index) {
    Hash32 key = keccak256("polyvm bench node sender " + std::to_string(index));
    key[0] &= 0x7f;
    return key;
}

Address recipient_address(size_t index) {
    const Hash32 h = keccak256("polyvm bench node recipient " + std::to_string(index));
    Address a;
    std::memcpy(a.data(), h.data() + 12, 20);
    return a;
}

// Solidity mapping slot of balances[holder] with the mapping at slot 0: keccak(pad32(holder) ‖ pad32(0)).
Hash32 balance_slot(const Address& holder) {
    uint8_t buffer[64] = {};
    std::memcpy(buffer + 12, holder.data(), 20);
    return keccak256(bytes_view{buffer, 64});
}

/// ABI call data: the selector, then one 32-byte word per argument.
bytes abi_words(uint32_t selector, std::initializer_list<Hash32> words) {
    bytes data;
    for (int i = 0; i < 4; ++i) data.push_back(static_cast<uint8_t>(selector >> (24 - 8 * i)));
    for (const Hash32& w : words) data.insert(data.end(), w.bytes.begin(), w.bytes.end());
    return data;
}

Hash32 word(const Address& a) {
    Hash32 w{};
    std::memcpy(w.data() + 12, a.data(), 20);
    return w;
}
Hash32 word(const uint256& v) { return v.to_hash(); }

std::string hex(const Address& a) { return to_hex_prefixed(bytes_view{a.data(), 20}); }
std::string hex(const Hash32& h) { return to_hex_prefixed(bytes_view{h.data(), 32}); }

json rpc(std::string_view method, json params, uint64_t id) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) std::cerr << "error: cannot write " << path << '\n';
    return static_cast<bool>(out);
}

/// Writes the pre-signed transactions (JSON-RPC lines, by sender) into one file per wrk thread;
/// sender i in file i % threads. Lines go round-robin over the file's senders (nonce 0 of each,
/// then nonce 1, ...), so a sender's next transaction is sent long after the previous one even
/// when a thread spreads its requests over many connections.
bool write_transaction_files(const Options& o, const std::vector<std::vector<std::string>>& per_sender) {
    for (size_t t = 0; t < o.threads; ++t) {
        std::string text;
        for (size_t nonce = 0;; ++nonce) {
            bool any = false;
            for (size_t i = t; i < per_sender.size(); i += o.threads) {
                if (nonce >= per_sender[i].size()) continue;
                text += per_sender[i][nonce];
                text += '\n';
                any = true;
            }
            if (!any) break;
        }
        if (!write_file(std::filesystem::path(o.out) / ("transfers_" + std::to_string(t) + ".txt"), text)) return false;
    }
    return true;
}

/// The creation code of a build artifact (Uniswap's waffle JSON: "bytecode" or evm.bytecode.object).
bytes artifact_code(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string() + " (run npm ci in tests/node)");
    const json artifact = json::parse(in);
    std::string hex = artifact.contains("bytecode") ? artifact["bytecode"].get<std::string>()
                                                    : artifact.at("evm").at("bytecode").at("object").get<std::string>();
    if (hex.rfind("0x", 0) != 0) hex = "0x" + hex;
    auto code = from_hex(hex);
    if (!code || code->empty()) throw std::runtime_error(path.string() + ": no bytecode");
    return std::move(*code);
}

/// The first account of the default mnemonic (the node's, and Anvil's too), unlocked on both.
Address dev_account() {
    const Seed512 seed = mnemonic_to_seed(node::NodeOptions{}.mnemonic);
    return *address_from_secret_key(derive_private_key(bytes_view(seed.data(), seed.size()), "m/44'/60'/0'/0/0"));
}

int run_swaps(const Options& o) {
    const std::filesystem::path uniswap(o.uniswap);
    const bytes weth_code = artifact_code(uniswap / "v2-periphery/build/WETH9.json");
    const bytes token_code = artifact_code(uniswap / "v2-core/build/ERC20.json");  // test ERC20(totalSupply), minted to the deployer
    const bytes factory_code = artifact_code(uniswap / "v2-core/build/UniswapV2Factory.json");
    const bytes router_code = artifact_code(uniswap / "v2-periphery/build/UniswapV2Router02.json");
    const bytes pair_code = artifact_code(uniswap / "v2-core/build/UniswapV2Pair.json");

    const Address deployer = dev_account();
    const Address weth = create_address(deployer, 0);
    const Address token = create_address(deployer, 1);
    const Address factory = create_address(deployer, 2);
    const Address router = create_address(deployer, 3);
    // The pair: CREATE2 by the factory, salt keccak(token0 ‖ token1) with the lower address first.
    const Address token0 = token < weth ? token : weth;
    const Address token1 = token < weth ? weth : token;
    uint8_t salt_input[40];
    std::memcpy(salt_input, token0.data(), 20);
    std::memcpy(salt_input + 20, token1.data(), 20);
    const Address pair = create2_address(factory, keccak256(bytes_view{salt_input, 40}), pair_code);

    const uint256 ether{1'000'000'000'000'000'000ull};
    const uint256 supply = ether * uint256{1'000'000'000ull};         // 10^9 tokens
    const uint256 liquidity_tokens = ether * uint256{100'000'000ull};  // 10^8 tokens against 1,000 ETH
    const uint256 liquidity_ether = ether * uint256{1000};
    const uint256 deadline{uint64_t{1} << 40};
    const std::string from = hex(deployer);

    json setup = json::array();
    uint64_t id = 1;
    const auto deploy = [&](const bytes& code, std::optional<Hash32> argument1 = std::nullopt, std::optional<Hash32> argument2 = std::nullopt) {
        bytes data = code;
        for (const auto& a : {argument1, argument2})
            if (a) data.insert(data.end(), a->bytes.begin(), a->bytes.end());
        setup.push_back(rpc("eth_sendTransaction", {json{{"from", from}, {"data", to_hex_prefixed(data)}, {"gas", "0x7a1200"}}}, id++));
    };
    deploy(weth_code);
    deploy(token_code, word(supply));
    deploy(factory_code, word(deployer));  // feeToSetter
    deploy(router_code, word(factory), word(weth));
    setup.push_back(rpc("eth_sendTransaction",
                        {json{{"from", from}, {"to", hex(token)}, {"gas", "0x30000"},
                              {"data", to_hex_prefixed(abi_words(0x095ea7b3, {word(router), word(supply)}))}}},  // approve(router, supply)
                        id++));
    setup.push_back(rpc("eth_sendTransaction",
                        {json{{"from", from},
                              {"to", hex(router)},
                              {"gas", "0x4c4b40"},
                              {"value", liquidity_ether.to_hex()},
                              // addLiquidityETH(token, amountTokenDesired, amountTokenMin, amountETHMin, to, deadline)
                              {"data", to_hex_prefixed(abi_words(0xf305d719, {word(token), word(liquidity_tokens), word(uint256{0}),
                                                                             word(uint256{0}), word(deployer), word(deadline)}))}}},
                        id++));

    std::vector<Hash32> keys;
    std::vector<Address> senders;
    for (size_t i = 0; i < o.senders; ++i) {
        keys.push_back(sender_key(i));
        senders.push_back(*address_from_secret_key(keys.back()));
        setup.push_back(rpc("anvil_setBalance", {hex(senders.back()), (ether * uint256{1000}).to_hex()}, id++));
    }

    // swapExactETHForTokens(amountOutMin, path, to, deadline): the path is a dynamic array, at
    // offset 0x80 after the four head words.
    std::mt19937_64 rng(o.seed);
    std::vector<std::vector<std::string>> per_sender(o.senders);
    for (size_t i = 0; i < o.senders; ++i) {
        const size_t count = o.transfers / o.senders + (i < o.transfers % o.senders ? 1 : 0);
        for (size_t nonce = 0; nonce < count; ++nonce) {
            Transaction tx;
            tx.type = TransactionType::DynamicFee;
            tx.chain_id = uint256{o.chain_id};
            tx.nonce = nonce;
            tx.max_fee_per_gas = tx.gas_price = uint256{100'000'000'000};
            tx.max_priority_fee_per_gas = uint256{1'000'000'000};
            tx.gas_limit = 250'000;
            tx.to = router;
            tx.value = uint256{1'000'000'000'000'000ull} * uint256{1 + rng() % 100};  // 0.001 to 0.1 ETH
            tx.data = abi_words(0x7ff36ab5, {word(uint256{0}), word(uint256{0x80}), word(senders[i]), word(deadline), word(uint256{2}),
                                             word(weth), word(token)});
            if (!sign_transaction(tx, keys[i])) {
                std::cerr << "error: signing failed for sender " << i << '\n';
                return 1;
            }
            per_sender[i].push_back(rpc("eth_sendRawTransaction", {to_hex_prefixed(encode_transaction(tx))}, 1).dump());
        }
    }
    if (!write_transaction_files(o, per_sender)) return 1;

    json expected_nonces = json::object();
    json sender_list = json::array();
    for (size_t i = 0; i < o.senders; ++i) {
        expected_nonces[hex(senders[i])] = per_sender[i].size();
        sender_list.push_back(hex(senders[i]));
    }
    const json swaps{{"router", hex(router)},   {"pair", hex(pair)},
                     {"token", hex(token)},     {"weth", hex(weth)},
                     {"factory", hex(factory)}, {"liquidity_tokens", liquidity_tokens.to_hex()},
                     {"swaps", o.transfers},    {"senders", sender_list}};
    const std::filesystem::path dir(o.out);
    if (!write_file(dir / "setup.json", setup.dump() + "\n") || !write_file(dir / "expected_nonces.json", expected_nonces.dump(1) + "\n") ||
        !write_file(dir / "swaps.json", swaps.dump(1) + "\n"))
        return 1;
    std::cout << "wrote " << o.transfers << " Uniswap V2 swaps from " << o.senders << " senders in " << o.threads
              << " files, setup of " << setup.size() << " calls (pair " << hex(pair) << ") to " << o.out << '\n';
    return 0;
}

int run(const Options& o) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) {
        std::cerr << "error: cannot create " << o.out << ": " << ec.message() << '\n';
        return 1;
    }
    if (o.workload == "swaps") return run_swaps(o);
    const Address token = tools::erc20_address();
    const uint256 initial_tokens = uint256{1} << kInitialTokenBalanceShift;

    std::vector<Hash32> keys;
    std::vector<Address> senders;
    for (size_t i = 0; i < o.senders; ++i) {
        keys.push_back(sender_key(i));
        senders.push_back(*address_from_secret_key(keys.back()));
    }

    // Setup: one JSON-RPC batch. 1000 ether per sender pays for every transfer at the fee cap.
    json setup = json::array();
    uint64_t id = 1;
    setup.push_back(rpc("anvil_setCode", {hex(token), to_hex_prefixed(tools::erc20_runtime_code())}, id++));
    const uint256 ether_balance = uint256{1'000'000'000'000'000'000ull} * uint256{1000};
    for (const Address& s : senders) {
        // The slot as a minimal quantity: polyvm rejects a zero-padded slot with leading zero digits.
        const std::string slot = uint256::from_hash(balance_slot(s)).to_hex();
        setup.push_back(rpc("anvil_setStorageAt", {hex(token), slot, hex(initial_tokens.to_hash())}, id++));
        setup.push_back(rpc("anvil_setBalance", {hex(s), ether_balance.to_hex()}, id++));
    }

    // Transfers: sender i sends transfers/senders (+1 for the first remainder ones) in nonce order.
    std::mt19937_64 rng(o.seed);
    std::map<Address, uint256> balances;
    for (const Address& s : senders) balances[s] = initial_tokens;
    for (size_t r = 0; r < o.recipients; ++r) balances.emplace(recipient_address(r), uint256{0});
    std::vector<std::vector<std::string>> per_sender(o.senders);
    for (size_t i = 0; i < o.senders; ++i) {
        const size_t count = o.transfers / o.senders + (i < o.transfers % o.senders ? 1 : 0);
        for (size_t nonce = 0; nonce < count; ++nonce) {
            const Address to = recipient_address(rng() % o.recipients);
            const uint256 amount{1 + rng() % 1000};
            Transaction tx;
            tx.type = TransactionType::DynamicFee;  // EIP-1559
            tx.chain_id = uint256{o.chain_id};
            tx.nonce = nonce;
            tx.max_fee_per_gas = tx.gas_price = uint256{100'000'000'000};  // 100 gwei, far above the base fee
            tx.max_priority_fee_per_gas = uint256{1'000'000'000};
            tx.gas_limit = 60'000;
            tx.to = token;
            tx.data = abi_words(kTransferSelector, {word(to), word(amount)});
            if (!sign_transaction(tx, keys[i])) {
                std::cerr << "error: signing failed for sender " << i << '\n';
                return 1;
            }
            balances[senders[i]] -= amount;
            balances[to] += amount;
            per_sender[i].push_back(rpc("eth_sendRawTransaction", {to_hex_prefixed(encode_transaction(tx))}, 1).dump());
        }
    }

    if (!write_transaction_files(o, per_sender)) return 1;

    json expected_balances = json::object();
    for (const auto& [holder, amount] : balances) expected_balances[hex(holder)] = amount.to_hex();
    json expected_nonces = json::object();
    for (size_t i = 0; i < o.senders; ++i) expected_nonces[hex(senders[i])] = per_sender[i].size();
    const json balance_of = rpc("eth_call",
                                {json{{"to", hex(token)}, {"data", to_hex_prefixed(abi_words(kBalanceOfSelector, {word(senders[0])}))}},
                                 "latest"},
                                1);
    const std::filesystem::path dir(o.out);
    const json meta{{"token", hex(token)},
                    {"senders", o.senders},
                    {"transfers", o.transfers},
                    {"threads", o.threads},
                    {"chain_id", o.chain_id}};
    if (!write_file(dir / "setup.json", setup.dump() + "\n") ||
        !write_file(dir / "expected_balances.json", json{{"token", hex(token)}, {"balances", expected_balances}}.dump(1) + "\n") ||
        !write_file(dir / "expected_nonces.json", expected_nonces.dump(1) + "\n") ||
        !write_file(dir / "balance_of.json", balance_of.dump() + "\n") || !write_file(dir / "meta.json", meta.dump(1) + "\n"))
        return 1;
    std::cout << "wrote " << o.transfers << " transfers from " << o.senders << " senders in " << o.threads
              << " files, setup of " << setup.size() << " calls, " << balances.size() << " expected balances to "
              << o.out << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse_options(argc, argv);
    if (!options) {
        usage();
        return 2;
    }
    try {
        return run(*options);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}

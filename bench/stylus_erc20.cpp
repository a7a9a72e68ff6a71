// The ERC-20 workload in both VMs (issue 11): the same transfer(address,uint256) transactions
// against OpenZeppelin's ERC-20 compiled by solc (bench/fixtures/TestToken.creation.hex), the
// WebAssembly token of contracts/wasm/src/erc20.c (OpenZeppelin's ABI and storage layout) and,
// for scale, the block benchmarks' hand-assembled EVM token (tools/chain_generator), run through
// execute_transaction with WebAssembly contracts on. Reported per transfer: gas, time, and gas per
// second of CPU, the figure the ink calibration compares (docs/wasm_contracts.md). Run:
//   build/bench/bench_stylus_erc20 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// The WebAssembly contracts come from POLYVM_WASM_CONTRACTS (default: build/contracts/wasm).
#include "crypto/keccak.hpp"
#include "exec/transaction_execution.hpp"
#include "stylus/program.hpp"
#include "tools/block_workloads.hpp"
#include "tools/chain_generator.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>
#include <vector>

using namespace polyvm;

namespace {

constexpr size_t kHolders = 1000;

Address holder(size_t i) {
    Address a;
    a[0] = 0x40;
    a[18] = static_cast<uint8_t>(i >> 8);
    a[19] = static_cast<uint8_t>(i);
    return a;
}

uint256 balance_slot(const Address& owner) {
    uint8_t buf[64] = {};
    std::memcpy(buf + 12, owner.data(), 20);
    return uint256::from_hash(keccak256(bytes_view{buf, 64}));
}

/// The packed WebAssembly token, or an error for SkipWithError.
std::variant<bytes, std::string> wasm_token_code() {
    const char* dir = std::getenv("POLYVM_WASM_CONTRACTS");
    const std::string path = std::string(dir && *dir ? dir : POLYVM_DEFAULT_WASM_CONTRACTS) + "/erc20.wasm";
    std::ifstream in(path, std::ios::binary);
    if (!in) return "no " + path + " (build the wasm_contracts target)";
    const bytes module{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto packed = stylus::pack_contract(module);
    if (auto* error = std::get_if<std::string>(&packed)) return *error;
    return std::get<stylus::PackedContract>(packed).code;
}

/// The Solidity token's creation code, or an error for SkipWithError.
std::variant<bytes, std::string> solidity_token_creation_code() {
    try {
        return tools::read_creation_code(std::string(POLYVM_BENCH_FIXTURES) + "/TestToken.creation.hex");
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
}

bytes transfer_call(const Address& to, uint64_t amount) {
    bytes data{0xa9, 0x05, 0x9c, 0xbb};  // transfer(address,uint256)
    data.resize(4 + 64, 0);
    std::memcpy(data.data() + 4 + 12, to.data(), 20);
    for (int k = 0; k < 8; ++k) data[4 + 64 - 1 - k] = static_cast<uint8_t>(amount >> (8 * k));
    return data;
}

BlockInfo block() {
    BlockInfo b;
    b.number = 1;
    b.timestamp = 1000;
    b.gas_limit = 30'000'000;
    b.base_fee = 7;
    b.prev_randao = Hash32{};
    return b;
}

enum class Token { Solidity, Wasm, HandAssembled };

void transfers(benchmark::State& bench, Token kind) {
    ExecutionOptions options;
    options.wasm_contracts = true;
    const BlockInfo info = block();
    State state;
    for (size_t i = 0; i < kHolders; ++i) {
        Account eoa;
        eoa.balance = uint256{1} << 100;
        state.put_account(holder(i), eoa);
    }
    Address token = tools::erc20_address();
    if (kind == Token::Solidity) {
        auto creation = solidity_token_creation_code();
        if (auto* error = std::get_if<std::string>(&creation)) {
            bench.SkipWithError(error->c_str());
            return;
        }
        // Deployed by holder 0 with the whole supply, which it then spreads.
        Transaction deploy;
        deploy.type = TransactionType::DynamicFee;
        deploy.sender = holder(0);
        deploy.gas_limit = 5'000'000;
        deploy.max_fee_per_gas = deploy.gas_price = 10;
        deploy.data = std::get<bytes>(creation);
        const Hash32 supply = uint256{uint64_t{1} << 50}.to_hash();
        deploy.data.insert(deploy.data.end(), supply.bytes.begin(), supply.bytes.end());
        const TransactionOutcome created = execute_transaction(state, info, deploy, Revision::Prague, uint256{1}, options);
        if (created.status != Status::Success || !created.created_address) {
            bench.SkipWithError("the Solidity token did not deploy");
            return;
        }
        token = *created.created_address;
        for (size_t i = 1; i < kHolders; ++i) {
            Transaction spread = deploy;
            spread.nonce = state.find(holder(0))->nonce;
            spread.gas_limit = 200'000;
            spread.to = token;
            spread.data = transfer_call(holder(i), uint64_t{1} << 40);
            if (execute_transaction(state, info, spread, Revision::Prague, uint256{1}, options).status != Status::Success) {
                bench.SkipWithError("a setup transfer failed");
                return;
            }
        }
    } else {
        bytes code = tools::erc20_runtime_code();
        if (kind == Token::Wasm) {
            auto packed = wasm_token_code();
            if (auto* error = std::get_if<std::string>(&packed)) {
                bench.SkipWithError(error->c_str());
                return;
            }
            code = std::get<bytes>(packed);
        }
        Account token_account;
        token_account.nonce = 1;
        for (size_t i = 0; i < kHolders; ++i) {
            const uint256 balance{uint64_t{1} << 40};
            token_account.storage[balance_slot(holder(i))] = StorageSlot{balance, balance, false};
        }
        state.set_code(state.put_account(token, token_account), code);
    }

    uint64_t gas = 0, count = 0;
    size_t i = 0;
    for (auto _ : bench) {
        Transaction tx;
        tx.type = TransactionType::DynamicFee;
        tx.sender = holder(i % kHolders);
        tx.nonce = state.find(tx.sender)->nonce;
        tx.gas_limit = 200'000;
        tx.max_fee_per_gas = tx.gas_price = 10;
        tx.to = token;
        tx.data = transfer_call(holder((i + 1) % kHolders), 1);
        const TransactionOutcome outcome = execute_transaction(state, info, tx, Revision::Prague, uint256{1}, options);
        if (outcome.rejection || outcome.status != Status::Success) {
            bench.SkipWithError("a transfer failed");
            return;
        }
        gas += static_cast<uint64_t>(outcome.gas_used);
        ++count;
        ++i;
    }
    bench.counters["gas/transfer"] = benchmark::Counter(static_cast<double>(gas) / static_cast<double>(count));
    bench.counters["Mgas/s"] = benchmark::Counter(static_cast<double>(gas) / 1e6, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(transfers, solidity, Token::Solidity)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(transfers, wasm, Token::Wasm)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(transfers, hand_assembled_evm, Token::HandAssembled)->Unit(benchmark::kMicrosecond);

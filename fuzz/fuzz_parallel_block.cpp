// Differential: the parallel block executor (exec/parallel_executor.hpp) against the sequential
// one on small blocks the input describes, over a small world where transactions collide: four
// senders with consecutive nonces, four contracts whose code is the input's, a coinbase that may
// be one of them. The block is run sequentially, then with 2 or 3 threads (random scheduling
// delays, never handed back to the sequential executor for contention; half the inputs with
// ParallelOptions::fold_transfer_credits, the senders paying each other, three in four with
// ParallelOptions::defer_contract_balances); both must reject it
// with the same error or give the same state root, receipts, logs, bloom and gas.
// Input: revision, coinbase choice (bit 0x40: no deferred balances), threads and delay seed (1 byte each) || the four contracts'
// code (a length byte, then that many bytes) || transactions, 6 bytes and call data each:
// sender and nonce, recipient, value, gas, tip, data length.
#include "byte_reader.hpp"
#include "fuzz_target.hpp"
#include "large_stack_worker.hpp"

#include "crypto/keccak.hpp"
#include "tools/block_workloads.hpp"

#include <array>
#include <limits>
#include <string>
#include <vector>

using namespace polyvm;

namespace {

/// Short addresses, so that call data can name them: contracts 0x1000 + i, senders 0x2000 + i,
/// the coinbase 0x3000.
Address short_address(uint8_t high, uint8_t index) {
    Address a;
    a.bytes[18] = high;
    a.bytes[19] = index;
    return a;
}

constexpr Revision kRevisions[] = {Revision::London, Revision::Shanghai, Revision::Cancun, Revision::Prague};
constexpr uint64_t kGwei = 1'000'000'000;

struct Block {
    tools::WorkloadBlock block;
    unsigned threads = 2;
    uint64_t delay_seed = 0;
    bool transfer_credits = false;
    bool defer_balances = true;
};

Block read_block(ByteReader& in) {
    Block out;
    tools::WorkloadBlock& block = out.block;
    const Revision rev = kRevisions[in.next() % std::size(kRevisions)];
    block.config.chain_id = uint256{1};
    block.config.forks = {{rev, 0}};
    block.env.revision = rev;
    BlockInfo& info = block.env.info;
    info.number = 1;
    info.timestamp = 12;
    info.gas_limit = 30'000'000;
    info.prev_randao = keccak256(as_view("randao"));
    info.base_fee = uint256{kGwei};
    if (rev >= Revision::Cancun) {
        info.blob_schedule = block.config.blob_schedule(rev);
        block.env.parent_beacon_block_root = Hash32{};
    }
    block.env.parent_hash = keccak256(as_view("parent"));

    std::array<Address, 4> senders, contracts;
    for (uint8_t i = 0; i < 4; ++i) senders[i] = short_address(0x20, i), contracts[i] = short_address(0x10, i);
    const uint8_t coinbase = in.next();
    info.coinbase = coinbase % 3 == 0 ? contracts[coinbase % 4] : short_address(0x30, 0);
    out.defer_balances = !(coinbase & 0x40);  // ParallelOptions::defer_contract_balances in 3 of 4
    const uint8_t scheduling = in.next();
    out.threads = 2 + scheduling % 2;
    out.delay_seed = scheduling / 2;
    out.transfer_credits = scheduling & 0x80;

    for (const Address& sender : senders) {
        AccountChange change;
        change.address = sender;
        change.account = AccountInfo{0, uint256{1} << 80};
        block.pre_state.accounts.push_back(change);
    }
    for (uint8_t i = 0; i < 4; ++i) {
        auto code = std::make_shared<const bytes>(in.take(in.next() % 64));
        AccountChange change;
        change.address = contracts[i];
        AccountInfo account{1, uint256{1'000'000}};
        account.code_hash = keccak256(*code);
        change.account = account;
        change.storage = {{uint256{0}, uint256{i + 1u}}, {uint256{1}, uint256{1}}};  // slots that can be cleared
        block.pre_state.accounts.push_back(change);
        block.pre_state.codes.emplace_back(account.code_hash, code);
    }
    std::sort(block.pre_state.accounts.begin(), block.pre_state.accounts.end(),
              [](const AccountChange& a, const AccountChange& b) { return a.address < b.address; });

    std::array<uint64_t, 4> nonces{};
    while (!in.done() && block.transactions.size() < 24) {
        const uint8_t who = in.next(), to = in.next(), value = in.next(), gas = in.next(), tip = in.next();
        const size_t sender = who % 4;
        Transaction tx;
        tx.type = TransactionType::DynamicFee;
        tx.chain_id = uint256{1};
        // Mostly the next nonce; rarely a gap, which makes the block invalid (both must say so).
        tx.nonce = nonces[sender]++ + (who >= 0xfc ? 1 : 0);
        tx.max_fee_per_gas = uint256{4 * kGwei};  // above every tip: a block is invalid only by a nonce gap
        tx.max_priority_fee_per_gas = uint256{tip % 4 * kGwei};
        tx.gas_limit = 21'000 + uint64_t{gas} * 2'000;
        tx.sender = senders[sender];
        const uint8_t target = to % 16;
        if (target < 8) tx.to = contracts[target % 4];
        else if (target < 12) tx.to = senders[target % 4];
        else if (target < 14) tx.to = info.coinbase;
        // else a creation: the data is its init code
        tx.value = value < 128 ? uint256{} : uint256{value};
        tx.data = in.take(tip / 4 % 48);
        block.transactions.push_back(std::move(tx));
    }
    return out;
}

tools::InMemoryBlockRun run(const Block& block, unsigned threads, uint64_t delay_seed) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.delay_seed = delay_seed;
    parallel.fold_transfer_credits = block.transfer_credits;
    parallel.defer_contract_balances = block.defer_balances;
    parallel.contention_window = std::numeric_limits<size_t>::max();
    return tools::run_block_in_memory(block.block, parallel);
}

void check_one(const uint8_t* data, size_t size) {
    ByteReader in(data, size);
    const Block block = read_block(in);
    if (block.block.transactions.empty()) return;
    const tools::InMemoryBlockRun sequential = run(block, 1, 0);
    const tools::InMemoryBlockRun parallel = run(block, block.threads, block.delay_seed);
    if (std::getenv("FUZZ_VERBOSE")) {  // what an input does, for writing seeds
        size_t succeeded = 0, logs = 0;
        for (const Receipt& r : sequential.executed.receipts) succeeded += r.success, logs += r.logs.size();
        std::fprintf(stderr, "%zu transactions: %s, %zu succeeded, %zu logs, gas %llu\n", block.block.transactions.size(),
                     sequential.error.empty() ? "valid" : sequential.error.c_str(), succeeded, logs,
                     static_cast<unsigned long long>(sequential.executed.gas_used));
    }
    const std::string difference = tools::block_run_differences(sequential, parallel);
    if (!difference.empty()) std::fprintf(stderr, "%s\n", difference.c_str());
    FUZZ_CHECK(difference.empty(), "the parallel executor rejects the block alike or gives its root, receipts, logs and gas");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // On a thread with an execution stack, as every thread that executes transactions is.
    polyvm::fuzz::run_on_large_stack([&] { check_one(data, size); });
    return 0;
}

// Bytecode execution: random code, input, gas and fork, run as a message call over a small
// pre-state (the code's account with a few slots, a second account with the same code, a funded
// caller; the precompiles are there by address). Invariants after each run:
//   - the gas used is within the limit, and output comes only with success or revert;
//   - a run that fails or reverts leaves every account and slot as it found them (the state's
//     journal reverted everything);
//   - the traced interpreter (issue 13's known weak spot: the untraced one has fast paths the
//     traced one lacks) gives exactly the untraced result: status, gas, output, logs and the
//     state's changes; every step it reports is within the frame's limits.
// Input: fork (1 byte) || gas / 4 (2 bytes, big-endian) || input length (1) || input || code.
#include "change_sets.hpp"
#include "fuzz_target.hpp"
#include "large_stack_worker.hpp"

#include "evm/tracer.hpp"
#include "exec/transaction_execution.hpp"
#include "state/memory_database.hpp"

#include <optional>

using namespace polyvm;

namespace {

Address address_of(uint8_t tag) {
    Address a;
    a.bytes[0] = 0xf0;
    a.bytes[19] = tag;
    return a;
}

const Address kCaller = address_of(0xca);
const Address kTarget = address_of(0x7a);
const Address kSibling = address_of(0x5b);
/// The call's value: execute_code credits it to the caller first (as `polyvm run` does), so a
/// failed call leaves the caller that much richer and nothing else changed.
const uint256 kValue{3};

/// Checks each step against the limits of the frame it runs in, and counts them.
class StepChecker final : public Tracer {
public:
    size_t steps = 0;
    void on_frame_start(const Message&, Revision, bytes_view) override {}
    void on_step(const TraceStep& step) override {
        ++steps;
        FUZZ_CHECK(step.gas_left >= 0, "a step starts with gas left");
        FUZZ_CHECK(step.stack.size() <= 1024, "the stack stays within 1024 items");
        FUZZ_CHECK(step.depth >= 0 && step.depth <= 1024, "the depth stays within 1024");
    }
    void on_frame_end(const Message&, const ExecutionResult&) override {}
};

struct Run {
    CallOutcome outcome;
    ChangeSet changes;
};

Run run(MemoryDatabase& db, Revision rev, bytes_view code, bytes_view input, int64_t gas, Tracer* tracer) {
    BlockInfo block;
    block.number = 20;
    block.timestamp = 1'700'000'000;
    block.gas_limit = 30'000'000;
    block.coinbase = address_of(0xcb);
    block.base_fee = 7;
    block.difficulty = 0x20000;
    if (rev >= Revision::Paris) block.prev_randao = Hash32{};
    State state(&db);
    ExecutionOptions options;
    options.tracer = tracer;
    Run out{execute_code(state, block, rev, kCaller, kTarget, code, input, gas, kValue, options), {}};
    state.finalize_transaction(rev >= Revision::SpuriousDragon);
    out.changes = state.changes();
    return out;
}

bool same_logs(const std::vector<Log>& a, const std::vector<Log>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].address != b[i].address || a[i].topics != b[i].topics || a[i].data != b[i].data) return false;
    return true;
}

/// Whether applying `changes` would leave `db` as it is (every value written is the one there),
/// but for the value credited to the caller.
bool changes_nothing(MemoryDatabase& db, const ChangeSet& changes) {
    for (const AccountChange& change : changes.accounts) {
        const auto original = db.read_account(change.address);
        if (!change.account) {
            if (original) return false;
            continue;
        }
        if (!original || change.storage_wiped) return false;
        const uint256 credited = change.address == kCaller ? kValue : uint256{0};
        if (change.account->nonce != original->nonce || change.account->balance != original->balance + credited ||
            change.account->code_hash != original->code_hash)
            return false;
        for (const auto& [key, value] : change.storage)
            if (db.read_storage(change.address, key) != value) return false;
    }
    return true;
}

void check_one(const uint8_t* data, size_t size) {
    // Frontier to BPO2: the forks with a schedule of their own (BPO3-5 are configured by chains).
    const auto rev = static_cast<Revision>(data[0] % (static_cast<int>(Revision::BPO2) + 1));
    // At most 262,141 gas: the 63/64 rule then bounds the depth to about 400 frames.
    const int64_t gas = (int64_t{data[1]} << 10 | int64_t{data[2]} << 2) + 1;
    const size_t input_size = std::min<size_t>(data[3], size - 4);
    const bytes_view input(data + 4, input_size);
    const bytes_view code(data + 4 + input_size, size - 4 - input_size);

    static MemoryDatabase db;
    AccountInfo caller;
    caller.balance = uint256{1} << 80;
    db.put_account(kCaller, caller);
    AccountInfo contract;
    contract.nonce = 1;
    contract.balance = 1000;
    db.put_account(kTarget, contract, code, {{uint256{0}, uint256{1}}, {uint256{1}, uint256{0xff}}, {uint256{7}, uint256{2}}});
    db.put_account(kSibling, contract, code, {{uint256{0}, uint256{5}}});

    const Run plain = run(db, rev, code, input, gas, nullptr);
    const CallOutcome& out = plain.outcome;
    FUZZ_CHECK(out.gas_used >= 0 && out.gas_used <= gas, "the gas used is within the limit");
    FUZZ_CHECK(out.output.empty() || out.status == Status::Success || out.status == Status::Revert,
               "output only on success or revert");
    if (out.status != Status::Success) {
        FUZZ_CHECK(out.logs.empty(), "a failed run leaves no logs");
        FUZZ_CHECK(changes_nothing(db, plain.changes), "a failed run leaves the state as it was");
    }

    StepChecker checker;
    const Run traced = run(db, rev, code, input, gas, &checker);
    if (traced.outcome.status != out.status)
        std::fprintf(stderr, "untraced: status %d, gas used %lld; traced: status %d, gas used %lld, %zu steps\n",
                     static_cast<int>(out.status), static_cast<long long>(out.gas_used), static_cast<int>(traced.outcome.status),
                     static_cast<long long>(traced.outcome.gas_used), checker.steps);
    FUZZ_CHECK(traced.outcome.status == out.status, "traced and untraced runs end alike");
    FUZZ_CHECK(traced.outcome.gas_used == out.gas_used, "traced and untraced runs use the same gas");
    FUZZ_CHECK(traced.outcome.output == out.output, "traced and untraced runs give the same output");
    FUZZ_CHECK(same_logs(traced.outcome.logs, out.logs), "traced and untraced runs log the same");
    FUZZ_CHECK(same_change_set(traced.changes, plain.changes), "traced and untraced runs change the state alike");
    FUZZ_CHECK(checker.steps > 0 || code.empty() || out.status != Status::Success, "a successful run of code reports its steps");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    // On a thread with an execution stack, as every thread that executes transactions is: deep
    // calls under AddressSanitizer would not fit the main thread's 8 MiB.
    polyvm::fuzz::run_on_large_stack([&] { check_one(data, size); });
    return 0;
}

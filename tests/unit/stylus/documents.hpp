// Small state-test-style documents for WebAssembly contracts: a pre-state (EVM bytecode assembled
// here, or an example contract from contracts/wasm packed as Stylus code), transactions run
// through execute_transaction (wasm_contracts on unless the document says otherwise), and the
// expected status, output, logs and post-state of each.
#pragma once

#include "common/hex.hpp"
#include "crypto/keccak.hpp"
#include "evm/tracer.hpp"
#include "exec/execution_host.hpp"
#include "exec/transaction_execution.hpp"
#include "stylus/program.hpp"
#include "stylus/runtime.hpp"
#include "wasm/fuel.hpp"
#include "wasm/stylus_program.hpp"

#include "unit/support/test_addresses.hpp"
#include "unit/support/test_block.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace polyvm::stylus_test {

using polyvm::test::addr;

inline const Address kSender = addr(0xaa, 0x5e);
inline const Address kCoinbase = addr(0xcc);
inline constexpr Revision kRevision = Revision::Cancun;
/// What a call into one of the example contracts costs beyond its hooks: the page of memory it
/// starts with (contracts/wasm/build.sh), the call's instantiation, and an allowance for its
/// instructions (one gas each).
inline constexpr int64_t kProgramCallOverhead =
    static_cast<int64_t>(wasm::kFuelPerMemoryPage / stylus::kFuelPerGas) + stylus::kProgramInstantiationGas + 3'000;

// --- the documents -------------------------------------------------------------------------

struct PreAccount {
    Address address;
    bytes code;
    std::vector<std::pair<uint256, uint256>> storage;
    uint256 balance;
};

struct ExpectedLog {
    Address address;
    std::vector<Hash32> topics;
    bytes data;
};

struct Step {
    std::optional<Address> to = std::nullopt;  // none: a creation transaction, `data` its init code
    bytes data = {};
    Status status = Status::Success;
    std::optional<bytes> output = std::nullopt;  // when set, compared exactly
    std::optional<std::vector<ExpectedLog>> logs = std::nullopt;
    uint64_t gas_limit = 2'000'000;
    uint256 value = {};
};

struct PostAccount {
    Address address;
    std::vector<std::pair<uint256, uint256>> storage;  // slots that must hold these values
    std::optional<bytes> code = std::nullopt;
    std::optional<uint256> balance = std::nullopt;
};

struct Document {
    std::vector<PreAccount> pre;
    std::vector<Step> steps;
    std::vector<PostAccount> post;
    bool wasm_contracts = true;
    Tracer* tracer = nullptr;
};

struct DocumentRun {
    State state;
    std::vector<TransactionOutcome> outcomes;
};

inline Transaction transaction(const Step& step, uint64_t nonce) {
    Transaction tx;
    tx.type = TransactionType::DynamicFee;
    tx.chain_id = 1;
    tx.nonce = nonce;
    tx.max_fee_per_gas = 10;
    tx.max_priority_fee_per_gas = 2;
    tx.gas_limit = step.gas_limit;
    tx.to = step.to;
    tx.data = step.data;
    tx.value = step.value;
    tx.sender = kSender;
    return tx;
}

// Runs the document's steps in order and checks what it says about each and about the end.
inline DocumentRun run(const Document& doc) {
    DocumentRun r;
    Account sender;
    sender.balance = uint256{1} << 100;
    r.state.put_account(kSender, sender);
    for (const PreAccount& pre : doc.pre) {
        Account account;
        account.nonce = 1;
        account.balance = pre.balance;
        for (const auto& [key, value] : pre.storage) account.storage[key] = StorageSlot{value, value, false};
        Account& stored = r.state.put_account(pre.address, account);
        r.state.set_code(stored, pre.code);
    }
    ExecutionOptions options;
    options.wasm_contracts = doc.wasm_contracts;
    options.tracer = doc.tracer;
    for (size_t i = 0; i < doc.steps.size(); ++i) {
        const Step& step = doc.steps[i];
        const TransactionOutcome out =
            execute_transaction(r.state, test::simple_block(kCoinbase), transaction(step, i), kRevision, 1, options);
        EXPECT_FALSE(out.rejection) << "step " << i;
        EXPECT_EQ(status_name(out.status), std::string(status_name(step.status))) << "step " << i;
        if (step.output) {
            EXPECT_EQ(to_hex(out.output), to_hex(*step.output)) << "step " << i;
        }
        if (step.logs) {
            EXPECT_EQ(out.logs.size(), step.logs->size()) << "step " << i;
            for (size_t k = 0; k < std::min(out.logs.size(), step.logs->size()); ++k) {
                EXPECT_EQ(out.logs[k].address, (*step.logs)[k].address) << "step " << i << " log " << k;
                EXPECT_EQ(out.logs[k].topics, (*step.logs)[k].topics) << "step " << i << " log " << k;
                EXPECT_EQ(out.logs[k].data, (*step.logs)[k].data) << "step " << i << " log " << k;
            }
        }
        r.outcomes.push_back(out);
    }
    for (const PostAccount& post : doc.post) {
        for (const auto& [key, value] : post.storage)
            EXPECT_EQ(r.state.storage_value(post.address, key), value)
                << "slot " << key.to_hex() << " of " << to_hex(bytes_view{post.address.data(), 20});
        if (post.balance) {
            const Account* account = r.state.find(post.address);
            EXPECT_EQ(account ? account->balance : uint256{}, *post.balance)
                << "balance of " << to_hex(bytes_view{post.address.data(), 20});
        }
        if (post.code) {
            const Account* account = r.state.find(post.address);
            EXPECT_NE(account, nullptr);
            if (account) {
                EXPECT_EQ(bytes(account->code_view().begin(), account->code_view().end()), *post.code);
            }
        }
    }
    return r;
}

// --- contracts -----------------------------------------------------------------------------

// The example contract `name` (contracts/wasm/src/<name>.c) as deployable Stylus code; empty
// when the contracts were not built (the caller skips).
inline bytes wasm_contract(const std::string& name) {
#ifdef POLYVM_WASM_CONTRACTS_DIR
    std::ifstream in(std::string(POLYVM_WASM_CONTRACTS_DIR) + "/" + name + ".wasm", std::ios::binary);
    if (!in) return {};
    const bytes module{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto packed = stylus::pack_contract(module);
    if (const auto* error = std::get_if<std::string>(&packed)) {
        ADD_FAILURE() << name << ": " << *error;
        return {};
    }
    return std::get<stylus::PackedContract>(packed).code;
#else
    (void)name;
    return {};
#endif
}

#define REQUIRE_CONTRACT(var, name)                                                                  \
    const bytes var = wasm_contract(name);                                                           \
    if (var.empty()) GTEST_SKIP() << "the example WebAssembly contracts were not built (no clang or wasm-ld)"

inline bytes selector(const char* signature) {
    const Hash32 h = keccak256(std::string_view(signature));
    return bytes(h.data(), h.data() + 4);
}

inline bytes word(const uint256& value) {
    bytes out(32);
    value.store_be(out.data());
    return out;
}

inline bytes word(const Address& address) { return word(uint256::from_address(address)); }

inline bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

inline Hash32 topic(const bytes& w) {
    Hash32 h;
    std::memcpy(h.data(), w.data(), 32);
    return h;
}

// EVM contracts, hand-assembled (PUSH0 needs Shanghai).
enum EvmCall : uint8_t { kEvmCall = 0xf1, kEvmDelegateCall = 0xf4, kEvmStaticCall = 0xfa };

inline bytes push_address(const Address& a) {
    bytes out(21);
    out[0] = 0x73;  // PUSH20
    std::memcpy(out.data() + 1, a.data(), 20);
    return out;
}

// Copies its call data to memory, sends it to `target` with all its gas (the call kind's
// opcode), then returns the callee's output or reverts with it.
inline bytes evm_forwarder(const Address& target, EvmCall op) {
    bytes code = {0x36, 0x5f, 0x5f, 0x37,  // CALLDATACOPY(0, 0, CALLDATASIZE)
                  0x5f, 0x5f, 0x36, 0x5f}; // retSize 0, retOffset 0, argsSize, argsOffset 0
    if (op == kEvmCall) code.push_back(0x5f);  // value 0
    code = concat({code, push_address(target), {0x5a, op}});  // GAS, CALL*
    code = concat({code, {0x3d, 0x5f, 0x5f, 0x3e}});           // RETURNDATACOPY(0, 0, RETURNDATASIZE)
    const uint8_t success_at = static_cast<uint8_t>(code.size() + 6);
    code = concat({code, {0x60, success_at, 0x57, 0x3d, 0x5f, 0xfd}});  // JUMPI success; REVERT(0, size)
    return concat({code, {0x5b, 0x3d, 0x5f, 0xf3}});                    // JUMPDEST; RETURN(0, size)
}

// Sends its call data to `target` with all its gas and stores the call's success (0 or 1) in
// its slot 0; never reverts itself.
inline bytes evm_recorder(const Address& target) {
    bytes code = {0x36, 0x5f, 0x5f, 0x37, 0x5f, 0x5f, 0x36, 0x5f, 0x5f};
    return concat({code, push_address(target), {0x5a, 0xf1, 0x5f, 0x55, 0x00}});  // CALL; SSTORE(0, ok); STOP
}

// Stores CALLER in slot 0 and returns it as a word.
inline const bytes kEvmStoreCaller = {0x33, 0x80, 0x5f, 0x55, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3};
// Stores 1 in slot 0, then reverts with the 4 bytes 0xdeadbeef.
inline const bytes kEvmStoreThenRevert = {0x60, 0x01, 0x5f, 0x55, 0x63, 0xde, 0xad, 0xbe, 0xef, 0x5f,
                                   0x52, 0x60, 0x04, 0x60, 0x1c, 0xfd};

// caller.c's call data: how (0 call, 1 delegate call, 2 static call), the target, the data.
inline bytes forward_through_wasm(uint8_t how, const Address& target, const bytes& data) {
    bytes out = {how};
    out.insert(out.end(), target.data(), target.data() + 20);
    return concat({out, data});
}

inline const Address kWasm = addr(0x01, 0x77);
inline const Address kWasm2 = addr(0x02, 0x77);
inline const Address kEvm = addr(0x03, 0xee);
inline const Address kEvm2 = addr(0x04, 0xee);

}  // namespace polyvm::stylus_test

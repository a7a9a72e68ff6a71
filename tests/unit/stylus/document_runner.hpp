// Runs state-test-style documents for WebAssembly contracts: a pre-state (EVM bytecode, or an
// example contract from contracts/wasm packed as Stylus code), transactions run through
// execute_transaction (wasm_contracts on unless the document says otherwise), and the expected
// status, output, logs, gas and post-state of each. The documents themselves are JSON files in
// tests/fixtures/stylus/ (format: docs/wasm_contracts.md, "Test documents"); tests that generate
// programs build Document values directly and run them the same way.
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

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <memory>
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
    std::optional<int64_t> gas_used = std::nullopt;  // exactly
    std::optional<int64_t> gas_used_min = std::nullopt;
    std::optional<int64_t> gas_used_max = std::nullopt;
    /// Set: the address a creation made, or none (a failed creation).
    std::optional<std::optional<Address>> created_address = std::nullopt;
};

struct PostAccount {
    Address address;
    std::vector<std::pair<uint256, uint256>> storage;  // slots that must hold these values
    std::optional<bytes> code = std::nullopt;
    std::optional<uint256> balance = std::nullopt;
    bool should_not_exist = false;
};

struct Document {
    std::string name;  // in failure messages
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

inline std::string hex_of(const Address& address) { return to_hex_prefixed(bytes_view{address.data(), 20}); }

// Runs the document's steps in order and checks what it says about each and about the end;
// each failure names the document, the transaction or account, and what differed.
inline DocumentRun run(const Document& doc) {
    SCOPED_TRACE("document " + (doc.name.empty() ? std::string("(unnamed)") : doc.name));
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
        const std::string where = "transaction " + std::to_string(i) + ": ";
        const TransactionOutcome out =
            execute_transaction(r.state, test::simple_block(kCoinbase), transaction(step, i), kRevision, 1, options);
        EXPECT_FALSE(out.rejection) << where << "rejected";
        EXPECT_EQ(status_name(out.status), std::string(status_name(step.status))) << where << "status";
        if (step.output) {
            EXPECT_EQ(to_hex(out.output), to_hex(*step.output)) << where << "output";
        }
        if (step.logs) {
            EXPECT_EQ(out.logs.size(), step.logs->size()) << where << "number of logs";
            for (size_t k = 0; k < std::min(out.logs.size(), step.logs->size()); ++k) {
                EXPECT_EQ(out.logs[k].address, (*step.logs)[k].address) << where << "address of log " << k;
                EXPECT_EQ(out.logs[k].topics, (*step.logs)[k].topics) << where << "topics of log " << k;
                EXPECT_EQ(to_hex(out.logs[k].data), to_hex((*step.logs)[k].data)) << where << "data of log " << k;
            }
        }
        if (step.gas_used) {
            EXPECT_EQ(out.gas_used, *step.gas_used) << where << "gas used";
        }
        if (step.gas_used_min) {
            EXPECT_GE(out.gas_used, *step.gas_used_min) << where << "gas used";
        }
        if (step.gas_used_max) {
            EXPECT_LE(out.gas_used, *step.gas_used_max) << where << "gas used";
        }
        if (step.created_address) {
            const auto shown = [](const std::optional<Address>& a) { return a ? hex_of(*a) : std::string("none"); };
            EXPECT_EQ(shown(out.created_address), shown(*step.created_address)) << where << "created address";
        }
        r.outcomes.push_back(out);
    }
    for (const PostAccount& post : doc.post) {
        const std::string who = "account " + hex_of(post.address) + ": ";
        const Account* account = r.state.find(post.address);
        if (post.should_not_exist) {
            EXPECT_EQ(account, nullptr) << who << "exists";
            continue;
        }
        for (const auto& [key, value] : post.storage)
            EXPECT_EQ(r.state.storage_value(post.address, key).to_hex(), value.to_hex()) << who << "slot " << key.to_hex();
        if (post.balance) {
            EXPECT_EQ(account ? account->balance : uint256{}, *post.balance) << who << "balance";
        }
        if (post.code) {
            EXPECT_NE(account, nullptr) << who << "missing";
            if (account) {
                EXPECT_EQ(to_hex(account->code_view()), to_hex(*post.code)) << who << "code";
            }
        }
    }
    return r;
}

// --- the documents in JSON -----------------------------------------------------------------

/// One document of a file in tests/fixtures/stylus/, not yet interpreted.
struct DocumentSource {
    std::string name;
    std::string file;  // relative to the folder
    std::shared_ptr<const nlohmann::ordered_json> json;  // in file order
};

/// How gtest shows a document's test parameter.
inline void PrintTo(const DocumentSource& source, std::ostream* out) { *out << source.file << ": " << source.name; }

/// The documents of every *.json file of tests/fixtures/stylus/, files by name, documents in the
/// order each file lists them. A file that does not parse is one source with a null json (its
/// test fails saying why).
std::vector<DocumentSource> load_document_sources();

/// The document as Document values: contracts built and packed, labels and ABI words resolved.
/// Throws std::runtime_error naming the field for a malformed document; `missing_contract` is
/// set (and the document incomplete) when it names an example contract that was not built.
Document document_from_json(const DocumentSource& source, std::string& missing_contract);

/// The document of that name from the fixture folder (failing the test when there is none, or
/// when it names a contract that was not built: callers check with REQUIRE_CONTRACT first).
Document named_document(const std::string& name);

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

inline const Address kWasm = addr(0x01, 0x77);

}  // namespace polyvm::stylus_test

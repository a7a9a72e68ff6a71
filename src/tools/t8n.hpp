// `polyvm t8n`: geth's state-transition tool (go-ethereum cmd/evm, "t8n"), the interface that
// execution-spec-tests drives to fill its tests. In: a pre-state (`alloc`), a block environment
// (`env`) and transactions; out: the post-state, the block body's roots and receipts, and the
// transactions that could not be included. The block body runs through chain/'s
// execute_block_body with invalid transactions skipped, so t8n and block import share one path.
//
// Reading and executing live here, testable without the command line; cli_t8n.cpp only opens
// files, dispatches the outputs and turns T8nError into the exit code.
#pragma once

#include "chain/block.hpp"
#include "chain/chain_config.hpp"
#include "common/types.hpp"
#include "common/uint256.hpp"
#include "tools/state_test.hpp"
#include "tx/transaction.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace polyvm {
class Tracer;
}

namespace polyvm::tools::t8n {

/// geth's t8n exit codes (cmd/evm/internal/t8ntool: ErrorEVM, ErrorConfig, ErrorMissingBlockhash,
/// ErrorJson, ErrorIO, ErrorRlp), so that drivers written for geth read polyvm's the same way.
enum ExitCode : int {
    kExitOk = 0,
    kErrorEvm = 2,               // execution failed beyond a skipped transaction (a system call)
    kErrorConfig = 3,            // unknown fork, or an env the fork cannot run with
    kErrorMissingBlockhash = 4,  // BLOCKHASH asked for a block that env.blockHashes lacks
    kErrorJson = 10,             // input that is not the JSON expected
    kErrorIo = 11,               // a file that cannot be read or written
    kErrorRlp = 12,              // transactions given as RLP that are not an RLP list
};

/// A failure with the exit code the tool reports it under; what() is the message alone
/// (the command prints "ERROR(<code>): <message>", as geth does).
class T8nError : public std::runtime_error {
public:
    T8nError(int exit_code, const std::string& message) : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const noexcept { return exit_code_; }

private:
    int exit_code_;
};

/// An uncle of a pre-Merge block: its miner and how many blocks older it is.
struct Ommer {
    uint64_t delta = 0;
    Address address;
};

/// The `env` object (geth's stEnv): the block to build and, for what the tool derives (base fee,
/// excess blob gas), its parent.
struct Env {
    Address coinbase;
    uint64_t gas_limit = 0;
    uint64_t number = 0;
    uint64_t timestamp = 0;
    std::optional<uint256> difficulty;  // before the Merge
    std::optional<Hash32> random;       // PREVRANDAO, after the Merge
    std::optional<uint256> base_fee;    // London on; else derived from the parent's fields
    std::optional<uint256> parent_base_fee;
    uint64_t parent_gas_used = 0;
    uint64_t parent_gas_limit = 0;
    uint64_t parent_timestamp = 0;
    std::optional<uint64_t> excess_blob_gas;  // Cancun on; else derived from the parent's fields
    std::optional<uint64_t> parent_excess_blob_gas;
    std::optional<uint64_t> parent_blob_gas_used;
    std::optional<Hash32> parent_beacon_block_root;  // EIP-4788
    std::optional<Hash32> parent_hash;               // EIP-2935; else blockHashes[number - 1]
    std::optional<std::vector<Withdrawal>> withdrawals;  // required from Shanghai on
    std::map<uint64_t, Hash32> block_hashes;             // what BLOCKHASH may ask for
    std::vector<Ommer> ommers;
};

/// One entry of the transaction list: a transaction, or why the entry is not one (an RLP entry
/// that does not decode is rejected like an invalid transaction, at its index).
using TxEntry = TxResult<Transaction>;

struct Input {
    std::vector<PreAccount> alloc;
    Env env;
    std::vector<TxEntry> transactions;
};

// ---- reading (JSON errors throw T8nError(kErrorJson), RLP ones T8nError(kErrorRlp)) ---------

/// geth's alloc: {"0x<address>": {"balance", "nonce", "code", "storage"}}, every field optional.
std::vector<PreAccount> read_alloc(const nlohmann::json& alloc);
Env read_env(const nlohmann::json& env);
/// geth-style transaction objects. An entry with `secretKey` and v, r, s all zero is signed here,
/// as geth does: a legacy one with EIP-155 for `chain_id` unless `"protected": false`.
std::vector<TxEntry> read_json_transactions(const nlohmann::json& txs, const uint256& chain_id);
/// A `.rlp` transactions file (or stdin's `txsRlp`): a JSON string of the hex RLP list of
/// transactions in their network form, the format of --output.body.
std::vector<TxEntry> read_rlp_transactions(const nlohmann::json& hex_string);
/// The RLP list itself; an entry that does not decode becomes that entry's rejection.
std::vector<TxEntry> decode_rlp_transactions(bytes_view rlp_list);

// ---- running --------------------------------------------------------------------------------

struct Options {
    std::string fork = "GrayGlacier";  // geth's default
    uint256 chain_id{1};
    /// Block reward in wei for the coinbase (and the ommers) before the Merge; negative: none.
    /// geth applies it after the transactions; after the Merge polyvm ignores it (no reward exists).
    int64_t reward = 0;
    /// A tracer for the transaction at this index of the input, or nullptr (EIP-3155 traces).
    std::function<Tracer*(size_t index, const Transaction& tx)> tracer_for;
};

/// The chain configuration of `fork` for the block `env` describes: a fork name, a time transition
/// "XToYAtTime15k", a block-number transition "XToYAt5" (resolved with env.number), or one of
/// geth's names for forks that only moved the difficulty bomb (MuirGlacier, ArrowGlacier,
/// GrayGlacier). Throws T8nError(kErrorConfig) for anything else.
ChainConfig resolve_fork(const std::string& fork, const Env& env, const uint256& chain_id);

struct Output {
    nlohmann::ordered_json result;  // geth's ExecutionResult
    nlohmann::ordered_json alloc;   // the post-state in geth's alloc format
    bytes body;                     // RLP list of the included transactions
};

/// Executes the transactions on the alloc as one block. Throws T8nError for an env the fork
/// cannot run with (kErrorConfig), a BLOCKHASH of an unknown block (kErrorMissingBlockhash) and a
/// failing end-of-block system call (kErrorEvm).
Output transition(const Input& input, const Options& options);

}  // namespace polyvm::tools::t8n

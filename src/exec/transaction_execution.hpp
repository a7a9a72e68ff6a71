// Executes one transaction against a State: validation, gas purchase, the top-level message,
// refunds, fees, and end-of-transaction cleanup.
#pragma once

#include "common/revision.hpp"
#include "evm/host.hpp"
#include "exec/block_info.hpp"
#include "state/state.hpp"
#include "tx/transaction.hpp"

#include <optional>
#include <vector>

namespace polyvm {

class Tracer;

struct Log {
    Address address;
    std::vector<Hash32> topics;
    bytes data;
};

struct TransactionOutcome {
    std::optional<TransactionError> rejection;  // set: the transaction is invalid and the state untouched
    Status status = Status::Success;            // of the top-level message
    int64_t gas_used = 0;                       // after refunds
    bytes output;
    std::vector<Log> logs;
    std::optional<Address> created_address;
    bool used_unsupported_precompile = false;   // a not-yet-implemented precompile was called
    /// With ExecutionOptions::defer_coinbase_payment: what the coinbase is still owed.
    uint256 coinbase_payment;
};

struct ExecutionOptions {
    Tracer* tracer = nullptr;
    /// A simulated call (eth_call, eth_estimateGas; geth's SkipNonceChecks and SkipFromEOACheck):
    /// the nonce and EIP-3607's sender-has-code rule are not checked. Never set for blocks.
    bool simulation = false;
    /// WebAssembly contracts (Stylus's format, docs/wasm_contracts.md) run and deploy. Off for
    /// Ethereum: code starting with 0xEF is then refused by EIP-3541.
    bool wasm_contracts = false;
    /// Parallel execution: the coinbase's fee is not credited (nor the coinbase touched) but
    /// returned in TransactionOutcome::coinbase_payment, so that transactions do not all depend on
    /// the coinbase's balance; the executor credits it when it commits the transaction.
    bool defer_coinbase_payment = false;
    /// The sender may have code: EIP-3607 is not applied. A development node's transactions from
    /// an impersonated contract (as Anvil and Hardhat send them); never for Ethereum's blocks.
    bool allow_sender_code = false;
};

/// Validates and executes `tx` (tx.sender must be set) in `block` under `rev`. On rejection the
/// state is left exactly as it was.
TransactionOutcome execute_transaction(State& state, const BlockInfo& block, const Transaction& tx, Revision rev,
                                       const uint256& chain_id, const ExecutionOptions& options = {});

/// The checks that need the state and the block (gas limit, fee caps against the base fees,
/// sender code, nonce, balance), without the stateless ones of validate_transaction_static.
/// `check_sender` false (simulations): the nonce and EIP-3607's sender-has-code rule are skipped;
/// `check_sender_code` false: only the latter (ExecutionOptions::allow_sender_code).
std::optional<TransactionError> validate_transaction_against_state(const State& state, const BlockInfo& block,
                                                                   const Transaction& tx, Revision rev,
                                                                   const uint256& blob_fee, bool check_sender = true,
                                                                   bool check_sender_code = true);
/// EIP-3607: whether an account with this code may send transactions: none, or (EIP-7702,
/// Prague on) a delegation designator, which leaves the account an EOA with a key.
bool code_allows_sending(bytes_view code, Revision rev) noexcept;
/// The most a transaction can cost its sender: all its gas at the fee cap, the value and all its
/// blob gas at the blob fee cap; nullopt when that does not fit 256 bits.
std::optional<uint256> max_upfront_cost(const Transaction& tx, Revision rev);

/// EIP-1559 effective gas price (the transaction's gas price before London).
uint256 effective_gas_price(const Transaction& tx, const BlockInfo& block, Revision rev);
/// What the code of a block sees (COINBASE, NUMBER, PREVRANDAO, BASEFEE, CHAINID, ...).
TxContext block_context(const BlockInfo& block, Revision rev, const uint256& chain_id);
/// block_context plus the transaction's part (ORIGIN, GASPRICE, BLOBHASH, BLOBBASEFEE).
TxContext transaction_context(const BlockInfo& block, const Transaction& tx, Revision rev, const uint256& chain_id,
                              const uint256& blob_fee);
/// The accounts and slots a transaction starts with warm (EIP-2929, EIP-2930, EIP-3651).
void warm_transaction_accounts(State& state, const BlockInfo& block, const Transaction& tx, Revision rev);

/// rlp of a list of logs ([address, [topics], data] each), as receipts hold them.
bytes encode_logs(const std::vector<Log>& logs);
/// The same appended to `out` (a receipt's buffer), and its size: sized first, written once.
size_t encoded_logs_size(const std::vector<Log>& logs) noexcept;
void append_encoded_logs(bytes& out, const std::vector<Log>& logs);
/// keccak256(rlp(logs)): the `logs` field of state tests.
Hash32 logs_hash(const std::vector<Log>& logs);

/// Executes raw code as a bare message call from `caller` to `recipient` (no transaction, no
/// intrinsic gas): `polyvm run` and the benchmarks.
struct CallOutcome {
    Status status;
    int64_t gas_used;
    bytes output;
    std::vector<Log> logs;
};
CallOutcome execute_code(State& state, const BlockInfo& block, Revision rev, const Address& caller,
                         const Address& recipient, bytes_view code, bytes_view input, int64_t gas,
                         const uint256& value, const ExecutionOptions& options = {});

}  // namespace polyvm

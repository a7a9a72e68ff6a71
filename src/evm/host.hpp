// The boundary between the interpreter and the world it runs in. The interpreter knows only this
// interface; the execution layer (src/exec) implements it over the journaled state.
#pragma once

#include "common/revision.hpp"
#include "common/types.hpp"
#include "common/uint256.hpp"
#include "evm/delegation.hpp"

#include <optional>

namespace polyvm {

enum class CallKind : uint8_t { Call, DelegateCall, CallCode, Create, Create2 };

/// Outcome of one frame of execution.
enum class Status : uint8_t {
    Success,
    Revert,
    // Exceptional halts: all remaining gas of the frame is consumed.
    Failure,              // generic
    OutOfGas,
    InvalidInstruction,   // 0xFE INVALID
    UndefinedInstruction, // opcode not defined in this revision
    StackOverflow,
    StackUnderflow,
    BadJumpDestination,
    InvalidMemoryAccess,  // RETURNDATACOPY out of bounds
    StaticModeViolation,
    CallDepthExceeded,
    InsufficientBalance,
    ArgumentOutOfRange,
    PrecompileFailure,
    ContractValidationFailure,  // EIP-3541 0xEF prefix, EIP-170 code size
    CreateCollision,
    NonceOverflow,
    InitcodeSizeExceeded,
    UnsupportedPrecompile,  // a precompile this build does not implement yet (alt_bn128, KZG)
    NativeStackExhausted,   // the host's thread ran short of native stack: not an EVM result (native_stack.hpp)
};

const char* status_name(Status s) noexcept;

/// A message call or contract creation, as the interpreter asks for it.
struct Message {
    CallKind kind = CallKind::Call;
    bool is_static = false;
    int32_t depth = 0;
    int64_t gas = 0;
    Address recipient;     // the account whose storage and balance the code acts on
    Address sender;        // CALLER
    Address code_address;  // whose code runs (differs from recipient for DELEGATECALL/CALLCODE)
    bytes_view input;      // calldata, or initcode for creations
    uint256 value;         // CALLVALUE (for DELEGATECALL: the parent's, no transfer happens)
    Hash32 create2_salt;
};

struct ExecutionResult {
    Status status = Status::Failure;
    int64_t gas_left = 0;
    int64_t gas_refund = 0;
    bytes output;
    Address create_address;  // set for a successful creation
};

/// What SSTORE did to a slot, for EIP-2200/3529 gas and refunds. Names follow EIP-2200's terms:
/// original = value at the start of the transaction, current = before this SSTORE, value = new.
enum class StorageStatus : uint8_t {
    Assigned,          // current != original, or value == current: no-op or dirty slot (warm read cost)
    Added,             // original == current == 0, value != 0
    Deleted,           // original == current != 0, value == 0
    Modified,          // original == current != 0, value != 0, value != current
    DeletedAdded,      // original != 0, current == 0, value != 0 and != original
    ModifiedDeleted,   // original != 0, current != 0 and != original, value == 0
    DeletedRestored,   // original != 0, current == 0, value == original
    AddedDeleted,      // original == 0, current != 0, value == 0
    ModifiedRestored,  // original != 0, current != 0 and != original, value == original
};

enum class AccessStatus : uint8_t { Cold, Warm };

/// Block and transaction context visible to the code (ORIGIN, GASPRICE, COINBASE, ...).
struct TxContext {
    uint256 gas_price;
    Address origin;
    Address coinbase;
    uint64_t block_number = 0;
    uint64_t timestamp = 0;
    uint64_t block_gas_limit = 0;
    uint256 prev_randao;  // DIFFICULTY before the Merge, PREVRANDAO after
    uint256 chain_id;
    uint256 base_fee;
    uint256 blob_base_fee;
    const Hash32* blob_hashes = nullptr;
    size_t blob_hashes_count = 0;
};

class Host {
public:
    virtual ~Host() = default;

    virtual bool account_exists(const Address& addr) = 0;  // exists and (from EIP-158 on) is not empty
    virtual uint256 get_storage(const Address& addr, const uint256& key) = 0;
    virtual StorageStatus set_storage(const Address& addr, const uint256& key, const uint256& value) = 0;
    virtual uint256 get_balance(const Address& addr) = 0;
    virtual size_t get_code_size(const Address& addr) = 0;
    /// EXTCODEHASH: zero for non-existent (or empty, from EIP-158 on) accounts.
    virtual Hash32 get_code_hash(const Address& addr) = 0;
    /// Copies code[offset, offset + out.size()) into out, returns the number of bytes copied.
    virtual size_t copy_code(const Address& addr, size_t offset, std::span<uint8_t> out) = 0;
    /// SELFDESTRUCT; returns true if this is the first self-destruct of addr in the transaction.
    virtual bool selfdestruct(const Address& addr, const Address& beneficiary) = 0;
    /// Runs a nested message (CALL family, CREATE, CREATE2): value transfer, snapshot, precompiles.
    virtual ExecutionResult call(const Message& msg) = 0;
    virtual const TxContext& get_tx_context() = 0;
    /// BLOCKHASH of an ancestor in the 256-block window (the interpreter checked the window).
    virtual Hash32 get_block_hash(uint64_t number) = 0;
    virtual void emit_log(const Address& addr, bytes_view data, const Hash32* topics, size_t topics_count) = 0;
    /// EIP-2929: marks warm and returns the status before the access.
    virtual AccessStatus access_account(const Address& addr) = 0;
    virtual AccessStatus access_storage(const Address& addr, const uint256& key) = 0;
    /// EIP-1153 transient storage.
    virtual uint256 get_transient_storage(const Address& addr, const uint256& key) = 0;
    virtual void set_transient_storage(const Address& addr, const uint256& key, const uint256& value) = 0;

    /// EIP-7702 (Prague): the delegate of `addr` if its code is a delegation designator. The CALL
    /// family charges the access to the delegate; the host then runs the delegate's code. The
    /// default reads the code through the interface above; hosts may answer faster.
    virtual std::optional<Address> get_delegation(const Address& addr) {
        if (get_code_size(addr) != kDelegationCodeSize) return std::nullopt;
        uint8_t code[kDelegationCodeSize];
        if (copy_code(addr, 0, code) != kDelegationCodeSize) return std::nullopt;
        return parse_delegation(bytes_view{code, kDelegationCodeSize});
    }
};

}  // namespace polyvm

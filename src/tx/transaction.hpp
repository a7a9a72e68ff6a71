// Ethereum transactions: the typed envelope (EIP-2718), decoding, hashing, sender recovery,
// intrinsic gas and the checks that need no state.
#pragma once

#include "common/revision.hpp"
#include "common/types.hpp"
#include "common/uint256.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace polyvm {

enum class TransactionType : uint8_t {
    Legacy = 0,      // with or without EIP-155 replay protection
    AccessList = 1,  // EIP-2930
    DynamicFee = 2,  // EIP-1559
    Blob = 3,        // EIP-4844
    SetCode = 4,     // EIP-7702 (Prague)
};

struct AccessListEntry {
    Address address;
    std::vector<Hash32> storage_keys;
};
using AccessList = std::vector<AccessListEntry>;

/// EIP-7702 authorization tuple.
struct Authorization {
    uint256 chain_id;
    Address address;
    uint64_t nonce = 0;
    uint8_t y_parity = 0;
    uint256 r, s;
};

struct Transaction {
    TransactionType type = TransactionType::Legacy;
    std::optional<uint256> chain_id;  // absent for legacy transactions without EIP-155
    uint64_t nonce = 0;
    uint256 gas_price;                 // legacy and type 1; for types >= 2 equals max_fee_per_gas
    uint256 max_priority_fee_per_gas;  // types >= 2; for legacy/type 1 equals gas_price
    uint256 max_fee_per_gas;           // types >= 2; for legacy/type 1 equals gas_price
    uint64_t gas_limit = 0;
    std::optional<Address> to;  // nullopt: contract creation
    uint256 value;
    bytes data;
    AccessList access_list;
    uint256 max_fee_per_blob_gas;
    std::vector<Hash32> blob_versioned_hashes;
    std::vector<Authorization> authorization_list;
    // Signature: v as encoded for legacy (27/28 or 35+2*chain_id+{0,1}); y_parity for typed ones.
    uint256 v;
    uint256 r, s;
    Address sender;  // filled by recover_sender() or set directly by the state-test loader

    /// The fee cap and tip, uniform across types.
    const uint256& fee_cap() const noexcept { return max_fee_per_gas; }
    const uint256& tip_cap() const noexcept { return max_priority_fee_per_gas; }
};

/// A decoding or validation failure: `rule` is a short stable name, the name of the
/// execution-spec-tests TransactionException that fixtures expect for it (without the class
/// prefix, e.g. "INTRINSIC_GAS_TOO_LOW", "TYPE_3_TX_PRE_FORK") or, for the few rules EEST does
/// not name, a descriptive one in the same style; `detail` explains.
struct TransactionError {
    std::string rule;
    std::string detail;
};

template <typename T>
using TxResult = std::variant<T, TransactionError>;

/// Decodes a network-form transaction: an RLP list (legacy) or `type || rlp(payload)`.
TxResult<Transaction> decode_transaction(bytes_view encoded);
/// Encodes to network form (inverse of decode_transaction).
bytes encode_transaction(const Transaction& tx);
/// Keccak of the network form.
Hash32 transaction_hash(const Transaction& tx);
/// The hash that was signed (EIP-155 for legacy transactions with a chain id).
Hash32 signing_hash(const Transaction& tx);
/// Recovers and stores tx.sender. Applies EIP-2's s <= n/2 from Homestead and checks v:
/// legacy 27/28 always, 35 + 2 * chain_id (+1) from Spurious Dragon (EIP-155; tx.chain_id is set
/// from v); typed y_parity 0/1. Errors: INVALID_SIGNATURE_VRS, INVALID_CHAINID, EC_RECOVERY_FAIL.
TxResult<Address> recover_sender(Transaction& tx, Revision rev);
/// Signs with a secret key (tests, dev tooling): fills v, r, s and sender.
bool sign_transaction(Transaction& tx, const Hash32& secret_key);

/// Gas charged before execution: 21000 (+32000 for creation from Homestead), calldata
/// (4/68 bytes; 16 for non-zero from EIP-2028), access list (EIP-2930), initcode words (EIP-3860).
int64_t intrinsic_gas(const Transaction& tx, Revision rev);

/// Checks that need no state: type allowed in this revision, intrinsic gas <= gas limit,
/// initcode size (EIP-3860), fee cap >= tip (EIP-1559), blob rules (EIP-4844: at least one hash,
/// version byte 0x01, must have `to`), values within range.
/// Also: gas_limit * fee cap fits 256 bits, nonce != 2^64-1 (EIP-2681), the EIP-7623 floor
/// (Prague), EIP-7702 rules, EIP-7825 / EIP-7594 caps (Osaka), the fork's default blob limit.
/// This overload does not check the chain id (see the TxValidationContext overload).
/// Signatures are recover_sender's business, not checked here.
std::optional<TransactionError> validate_transaction_static(const Transaction& tx, Revision rev);

// ---- Extensions (beyond the original interface) ----------------------------------------------

/// Block/chain parameters the static checks may use.
struct TxValidationContext {
    /// The chain's id: a transaction carrying another one is "INVALID_CHAINID" (EIP-155/EIP-2930).
    uint256 chain_id = 1;
    /// Blob limit per block (EIP-4844, EIP-7691 schedule); nullopt: the fork's default from the
    /// fork table (default_blob_schedule). A transaction alone over it cannot be included.
    std::optional<uint64_t> max_blobs_per_block;
};
/// validate_transaction_static plus the chain id and the per-block blob limit.
std::optional<TransactionError> validate_transaction_static(const Transaction& tx, Revision rev,
                                                            const TxValidationContext& ctx);

/// Just the chain id rule of the above ("INVALID_CHAINID"). It needs no sender, so callers that
/// want a foreign chain reported before a bad signature run it ahead of recover_sender.
std::optional<TransactionError> validate_chain_id(const Transaction& tx, Revision rev, const uint256& chain_id);

/// EIP-7623 (Prague) calldata floor: 21000 + 10 * tokens, tokens = zero bytes + 4 * non-zero
/// bytes. The gas limit must cover it, and a transaction is charged at least this much.
int64_t calldata_floor_gas(const Transaction& tx, Revision rev);

/// Default maximum blobs per block for a fork: the fork table's schedule (0 before Cancun).
uint64_t default_max_blobs_per_block(Revision rev) noexcept;

/// EIP-7702: the hash an authorization tuple signs, keccak256(MAGIC ‖ rlp([chain_id, address,
/// nonce])) with MAGIC = 0x05.
Hash32 authorization_signing_hash(const Authorization& auth);
/// EIP-7702: the authority (signer) of a tuple, or nullopt when the signature is unusable:
/// y_parity not 0/1, r not in [1, n), s not in [1, n/2] (EIP-2 low s), or no key recovers.
std::optional<Address> recover_authority(const Authorization& auth);
/// Signs a tuple with a secret key (tests, dev tooling): fills y_parity, r and s.
bool sign_authorization(Authorization& auth, const Hash32& secret_key);

/// "legacy", "type 2 (EIP-1559)", ... for messages.
std::string_view transaction_type_name(TransactionType type) noexcept;

/// EIP-4844 constants.
inline constexpr uint64_t kGasPerBlob = 131072;  // 2^17
inline constexpr uint8_t kBlobCommitmentVersionKzg = 0x01;
/// EIP-3860: initcode limit, twice the EIP-170 code size limit.
inline constexpr size_t kMaxInitcodeSize = 2 * 24576;
/// EIP-7825 (Osaka): per-transaction gas limit cap.
inline constexpr uint64_t kMaxTransactionGasLimit = uint64_t{1} << 24;
/// EIP-7594 (Osaka): per-transaction blob limit.
inline constexpr uint64_t kMaxBlobsPerTransaction = 6;

}  // namespace polyvm

// Transaction wire format: decoding (strict, never throws), encoding, hashing, signing and
// sender recovery. Validation against fork rules lives in validation.cpp.
#include "tx/transaction.hpp"

#include "common/rlp.hpp"
#include "crypto/keccak.hpp"
#include "crypto/secp256k1.hpp"

#include <array>
#include <span>

namespace polyvm {
namespace {

TransactionError tx_error(std::string rule, std::string detail) { return {std::move(rule), std::move(detail)}; }

// ---------------------------------------------------------------------------------------------
// Field schema. Every payload field has names for its failure modes, in the style of
// execution-spec-tests' TransactionException, so a rejection says which field was wrong.
// ---------------------------------------------------------------------------------------------

enum class Field : uint8_t {
    ChainId, Nonce, GasPrice, MaxPriorityFee, MaxFee, GasLimit, To, Value, Data, AccessList,
    MaxFeePerBlobGas, BlobHashes, AuthorizationList, V, R, S,
};

struct FieldInfo {
    const char* label;          // for messages
    const char* tag;            // RLP_LEADING_ZEROS_<tag>, RLP_LEADING_ZEROS_<tag>_SIZE
    const char* invalid_rule;   // the field has the wrong shape (a list instead of a string...)
    const char* overflow_rule;  // an integer wider than the field
};

const FieldInfo& info(Field f) {
    static constexpr FieldInfo kInfo[] = {
        {"chain id", "CHAINID", "RLP_INVALID_CHAINID", "INVALID_CHAINID"},
        {"nonce", "NONCE", "RLP_INVALID_NONCE", "NONCE_OVERFLOW"},
        {"gas price", "GASPRICE", "RLP_INVALID_GASPRICE", "GASPRICE_OVERFLOW"},
        {"max priority fee per gas", "PRIORITY_FEE", "RLP_INVALID_PRIORITY_FEE", "PRIORITY_OVERFLOW"},
        {"max fee per gas", "BASEFEE", "RLP_INVALID_BASEFEE", "GASPRICE_OVERFLOW"},
        {"gas limit", "GASLIMIT", "RLP_INVALID_GASLIMIT", "GASLIMIT_OVERFLOW"},
        {"to", "TO", "RLP_INVALID_TO", "ADDRESS_TOO_LONG"},
        // A value wider than 256 bits is RLP_INVALID_VALUE in the state and blockchain fixtures
        // (stTransactionTest/ValueOverflowParis.json); the older TransactionTests call the same
        // encoding VALUE_OVERFLOW.
        {"value", "VALUE", "RLP_INVALID_VALUE", "RLP_INVALID_VALUE"},
        {"data", "DATA", "RLP_INVALID_DATA", "RLP_INVALID_DATA"},
        {"access list", "ACCESS_LIST", "RLP_INVALID_ACCESS_LIST", "RLP_INVALID_ACCESS_LIST"},
        {"max fee per blob gas", "BLOBFEE", "RLP_INVALID_BLOBFEE", "GASPRICE_OVERFLOW"},
        {"blob versioned hashes", "BLOB_HASHES", "RLP_INVALID_BLOB_VERSIONED_HASHES",
         "RLP_INVALID_BLOB_VERSIONED_HASHES"},
        {"authorization list", "AUTHORIZATION_LIST", "TYPE_4_INVALID_AUTHORIZATION_FORMAT",
         "TYPE_4_INVALID_AUTHORIZATION_FORMAT"},
        {"v / y parity", "V", "RLP_INVALID_SIGNATURE_V", "INVALID_SIGNATURE_VRS"},
        {"r", "R", "RLP_INVALID_SIGNATURE_R", "INVALID_SIGNATURE_VRS"},
        {"s", "S", "RLP_INVALID_SIGNATURE_S", "INVALID_SIGNATURE_VRS"},
    };
    return kInfo[static_cast<size_t>(f)];
}

// Payload layouts per type (yellow paper for legacy; EIP-2930, EIP-1559, EIP-4844, EIP-7702).
constexpr Field kLegacyFields[] = {Field::Nonce, Field::GasPrice, Field::GasLimit, Field::To, Field::Value,
                                   Field::Data,  Field::V,        Field::R,        Field::S};
constexpr Field kAccessListFields[] = {Field::ChainId, Field::Nonce, Field::GasPrice,   Field::GasLimit,
                                       Field::To,      Field::Value, Field::Data,       Field::AccessList,
                                       Field::V,       Field::R,     Field::S};
constexpr Field kDynamicFeeFields[] = {Field::ChainId, Field::Nonce, Field::MaxPriorityFee, Field::MaxFee,
                                       Field::GasLimit, Field::To,   Field::Value,          Field::Data,
                                       Field::AccessList, Field::V,  Field::R,              Field::S};
constexpr Field kBlobFields[] = {Field::ChainId,    Field::Nonce,      Field::MaxPriorityFee, Field::MaxFee,
                                 Field::GasLimit,   Field::To,         Field::Value,          Field::Data,
                                 Field::AccessList, Field::MaxFeePerBlobGas, Field::BlobHashes, Field::V,
                                 Field::R,          Field::S};
constexpr Field kSetCodeFields[] = {Field::ChainId,    Field::Nonce,  Field::MaxPriorityFee, Field::MaxFee,
                                    Field::GasLimit,   Field::To,     Field::Value,          Field::Data,
                                    Field::AccessList, Field::AuthorizationList, Field::V,   Field::R,
                                    Field::S};

std::span<const Field> layout(TransactionType t) {
    switch (t) {
        case TransactionType::Legacy: return kLegacyFields;
        case TransactionType::AccessList: return kAccessListFields;
        case TransactionType::DynamicFee: return kDynamicFeeFields;
        case TransactionType::Blob: return kBlobFields;
        case TransactionType::SetCode: return kSetCodeFields;
    }
    return kLegacyFields;
}

/// Maps a structural RLP failure inside field `f` to a rule name.
TransactionError field_error(Field f, const rlp::Error& e) {
    const FieldInfo& fi = info(f);
    std::string rule;
    switch (e.code) {
        case rlp::Errc::InputTooShort: rule = "RLP_ERROR_EOF"; break;
        case rlp::Errc::LengthExceedsInput:
        case rlp::Errc::TrailingBytes: rule = "RLP_ERROR_SIZE"; break;
        case rlp::Errc::LeadingZerosInLength:
        case rlp::Errc::NonCanonicalSize: rule = std::string("RLP_LEADING_ZEROS_") + fi.tag + "_SIZE"; break;
        case rlp::Errc::IntegerLeadingZeros: rule = std::string("RLP_LEADING_ZEROS_") + fi.tag; break;
        case rlp::Errc::IntegerTooLarge: rule = fi.overflow_rule; break;
        case rlp::Errc::ExpectedList:
        case rlp::Errc::ExpectedString:
        case rlp::Errc::WrongSize:
        case rlp::Errc::TooDeep: rule = fi.invalid_rule; break;
    }
    return tx_error(std::move(rule), std::string(fi.label) + ": " + e.message);
}

/// Maps a failure of the outer envelope (the transaction's own list header).
TransactionError envelope_error(const rlp::Error& e) {
    std::string rule;
    switch (e.code) {
        case rlp::Errc::InputTooShort: rule = "RLP_ERROR_EOF"; break;
        case rlp::Errc::LeadingZerosInLength: rule = "RLP_ERROR_SIZE_LEADING_ZEROS"; break;
        case rlp::Errc::NonCanonicalSize: rule = "RLP_INVALID_HEADER"; break;
        default: rule = "RLP_ERROR_SIZE"; break;
    }
    return tx_error(std::move(rule), "transaction envelope: " + e.message);
}

using DecodeError = std::optional<TransactionError>;

DecodeError read_u64(Field f, const rlp::Item& item, uint64_t& out) {
    auto r = rlp::to_u64(item);
    if (!r) return field_error(f, r.error());
    out = *r;
    return std::nullopt;
}

DecodeError read_u256(Field f, const rlp::Item& item, uint256& out) {
    auto r = rlp::to_uint256(item);
    if (!r) return field_error(f, r.error());
    out = *r;
    return std::nullopt;
}

DecodeError read_to(const rlp::Item& item, std::optional<Address>& out) {
    // The empty string means contract creation; otherwise exactly 20 bytes.
    if (item.is_list) return tx_error("RLP_INVALID_TO", "to: expected a byte string, got a list");
    if (item.payload.empty()) {
        out.reset();
        return std::nullopt;
    }
    if (item.payload.size() < 20)
        return tx_error("ADDRESS_TOO_SHORT", "to: " + std::to_string(item.payload.size()) + " bytes, expected 20");
    if (item.payload.size() > 20)
        return tx_error("ADDRESS_TOO_LONG", "to: " + std::to_string(item.payload.size()) + " bytes, expected 20");
    out = Address::from(item.payload);
    return std::nullopt;
}

DecodeError read_access_list(const rlp::Item& item, AccessList& out) {
    // EIP-2930: [[address, [storage_key, ...]], ...] with 20-byte addresses and 32-byte keys.
    constexpr Field F = Field::AccessList;
    if (!item.is_list) return tx_error("RLP_INVALID_ACCESS_LIST", "access list: expected a list, got a string");
    rlp::ListReader entries{item};
    while (!entries.empty()) {
        auto entry = entries.next();
        if (!entry) return field_error(F, entry.error());
        if (!entry->is_list)
            return tx_error("RLP_INVALID_ACCESS_LIST", "access list entry: expected [address, keys], got a string");
        auto parts = rlp::list_items(*entry);
        if (!parts) return field_error(F, parts.error());
        if (parts->size() != 2)
            return tx_error("RLP_INVALID_ACCESS_LIST", "access list entry: expected 2 elements, got " +
                                                           std::to_string(parts->size()));
        const rlp::Item& addr = (*parts)[0];
        if (addr.is_list) return tx_error("RLP_INVALID_ACCESS_LIST", "access list address: got a list");
        if (addr.payload.size() > 20)
            return tx_error("RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_LONG",
                            "access list address of " + std::to_string(addr.payload.size()) + " bytes");
        if (addr.payload.size() < 20)
            return tx_error("RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_SHORT",
                            "access list address of " + std::to_string(addr.payload.size()) + " bytes");
        AccessListEntry e;
        e.address = Address::from(addr.payload);
        const rlp::Item& keys = (*parts)[1];
        if (!keys.is_list) return tx_error("RLP_INVALID_ACCESS_LIST", "access list storage keys: expected a list");
        rlp::ListReader kr{keys};
        while (!kr.empty()) {
            auto k = kr.next();
            if (!k) return field_error(F, k.error());
            if (k->is_list) return tx_error("RLP_INVALID_ACCESS_LIST", "access list storage key: got a list");
            if (k->payload.size() > 32)
                return tx_error("RLP_INVALID_ACCESS_LIST_STORAGE_TOO_LONG",
                                "access list storage key of " + std::to_string(k->payload.size()) + " bytes");
            if (k->payload.size() < 32)
                return tx_error("RLP_INVALID_ACCESS_LIST_STORAGE_TOO_SHORT",
                                "access list storage key of " + std::to_string(k->payload.size()) + " bytes");
            e.storage_keys.push_back(Hash32::from(k->payload));
        }
        out.push_back(std::move(e));
    }
    return std::nullopt;
}

DecodeError read_blob_hashes(const rlp::Item& item, std::vector<Hash32>& out) {
    // EIP-4844: a list of 32-byte versioned hashes. Count and version are validation rules.
    constexpr Field F = Field::BlobHashes;
    if (!item.is_list) return tx_error(info(F).invalid_rule, "blob versioned hashes: expected a list");
    rlp::ListReader reader{item};
    while (!reader.empty()) {
        auto h = reader.next();
        if (!h) return field_error(F, h.error());
        auto fixed = rlp::to_fixed<32>(*h);
        if (!fixed) return field_error(F, fixed.error());
        out.push_back(*fixed);
    }
    return std::nullopt;
}

DecodeError read_authorizations(const rlp::Item& item, std::vector<Authorization>& out) {
    // EIP-7702: [[chain_id, address, nonce, y_parity, r, s], ...]. Whether each tuple's
    // signature is valid is decided during execution (invalid ones are skipped), so only the
    // shape and the integer widths are checked here.
    constexpr Field F = Field::AuthorizationList;
    const char* rule = info(F).invalid_rule;
    if (!item.is_list) return tx_error(rule, "authorization list: expected a list");
    rlp::ListReader reader{item};
    while (!reader.empty()) {
        auto t = reader.next();
        if (!t) return field_error(F, t.error());
        auto parts = rlp::list_items(*t);
        if (!parts) return field_error(F, parts.error());
        if (parts->size() != 6)
            return tx_error(rule, "authorization: expected 6 elements, got " + std::to_string(parts->size()));
        Authorization a;
        auto chain = rlp::to_uint256((*parts)[0]);
        if (!chain) return tx_error(rule, "authorization chain id: " + chain.error().message);
        a.chain_id = *chain;
        auto addr = rlp::to_fixed<20>((*parts)[1]);
        if (!addr) return tx_error(rule, "authorization address: " + addr.error().message);
        a.address = *addr;
        auto nonce = rlp::to_u64((*parts)[2]);
        if (!nonce) return tx_error(rule, "authorization nonce: " + nonce.error().message);
        a.nonce = *nonce;
        auto y = rlp::to_u64((*parts)[3]);
        if (!y) return tx_error(rule, "authorization y_parity: " + y.error().message);
        if (*y > 0xff) return tx_error(rule, "authorization y_parity wider than 8 bits");
        a.y_parity = static_cast<uint8_t>(*y);
        auto r = rlp::to_uint256((*parts)[4]);
        if (!r) return tx_error(rule, "authorization r: " + r.error().message);
        a.r = *r;
        auto s = rlp::to_uint256((*parts)[5]);
        if (!s) return tx_error(rule, "authorization s: " + s.error().message);
        a.s = *s;
        out.push_back(a);
    }
    return std::nullopt;
}

DecodeError read_field(Field f, const rlp::Item& item, Transaction& tx) {
    switch (f) {
        case Field::ChainId: {
            uint256 c;
            if (auto e = read_u256(f, item, c)) return e;
            tx.chain_id = c;
            return std::nullopt;
        }
        case Field::Nonce: return read_u64(f, item, tx.nonce);
        case Field::GasPrice: return read_u256(f, item, tx.gas_price);
        case Field::MaxPriorityFee: return read_u256(f, item, tx.max_priority_fee_per_gas);
        case Field::MaxFee: return read_u256(f, item, tx.max_fee_per_gas);
        case Field::GasLimit: return read_u64(f, item, tx.gas_limit);
        case Field::To: return read_to(item, tx.to);
        case Field::Value: return read_u256(f, item, tx.value);
        case Field::Data: {
            if (item.is_list) return tx_error("RLP_INVALID_DATA", "data: expected a byte string, got a list");
            tx.data.assign(item.payload.begin(), item.payload.end());
            return std::nullopt;
        }
        case Field::AccessList: return read_access_list(item, tx.access_list);
        case Field::MaxFeePerBlobGas: return read_u256(f, item, tx.max_fee_per_blob_gas);
        case Field::BlobHashes: return read_blob_hashes(item, tx.blob_versioned_hashes);
        case Field::AuthorizationList: return read_authorizations(item, tx.authorization_list);
        case Field::V: return read_u256(f, item, tx.v);
        case Field::R: return read_u256(f, item, tx.r);
        case Field::S: return read_u256(f, item, tx.s);
    }
    return std::nullopt;
}

/// Decodes the RLP list `in` (which must span the input) with the layout of `tx.type`.
DecodeError decode_payload(bytes_view in, Transaction& tx) {
    auto top = rlp::decode_item(in);
    if (!top) return envelope_error(top.error());
    if (!top->is_list) return tx_error("RLP_INVALID_HEADER", "transaction payload must be an RLP list");

    const auto fields = layout(tx.type);
    // Split first, so a count mismatch is reported as such rather than as a bad field.
    std::array<rlp::Item, 16> items{};
    size_t n = 0;
    rlp::ListReader reader{*top};
    while (!reader.empty()) {
        auto it = reader.next();
        if (!it) {
            if (n < fields.size()) return field_error(fields[n], it.error());
            return envelope_error(it.error());
        }
        if (n >= fields.size())
            return tx_error("RLP_TOO_MANY_ELEMENTS", "expected " + std::to_string(fields.size()) + " elements");
        items[n++] = *it;
    }
    if (n < fields.size())
        return tx_error("RLP_TOO_FEW_ELEMENTS",
                        "expected " + std::to_string(fields.size()) + " elements, got " + std::to_string(n));
    for (size_t i = 0; i < n; ++i)
        if (auto e = read_field(fields[i], items[i], tx)) return e;
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

void add_field(rlp::ListBuilder& b, Field f, const Transaction& tx) {
    switch (f) {
        case Field::ChainId: b.add(tx.chain_id.value_or(uint256{})); break;
        case Field::Nonce: b.add(tx.nonce); break;
        case Field::GasPrice: b.add(tx.gas_price); break;
        case Field::MaxPriorityFee: b.add(tx.max_priority_fee_per_gas); break;
        case Field::MaxFee: b.add(tx.max_fee_per_gas); break;
        case Field::GasLimit: b.add(tx.gas_limit); break;
        case Field::To:
            if (tx.to)
                b.add(*tx.to);
            else
                b.add(bytes_view{});
            break;
        case Field::Value: b.add(tx.value); break;
        case Field::Data: b.add(tx.data); break;
        case Field::AccessList: {
            rlp::ListBuilder list;
            for (const auto& e : tx.access_list) {
                rlp::ListBuilder keys;
                for (const auto& k : e.storage_keys) keys.add(k);
                list.add_raw(rlp::ListBuilder{}.add(e.address).add_raw(keys.finish()).finish());
            }
            b.add_raw(list.finish());
            break;
        }
        case Field::MaxFeePerBlobGas: b.add(tx.max_fee_per_blob_gas); break;
        case Field::BlobHashes: {
            rlp::ListBuilder list;
            for (const auto& h : tx.blob_versioned_hashes) list.add(h);
            b.add_raw(list.finish());
            break;
        }
        case Field::AuthorizationList: {
            rlp::ListBuilder list;
            for (const auto& a : tx.authorization_list)
                list.add_raw(rlp::ListBuilder{}
                                 .add(a.chain_id)
                                 .add(a.address)
                                 .add(a.nonce)
                                 .add(uint64_t{a.y_parity})
                                 .add(a.r)
                                 .add(a.s)
                                 .finish());
            b.add_raw(list.finish());
            break;
        }
        case Field::V: b.add(tx.v); break;
        case Field::R: b.add(tx.r); break;
        case Field::S: b.add(tx.s); break;
    }
}

/// The payload list, with or without the trailing signature fields (v, r, s).
rlp::ListBuilder payload(const Transaction& tx, bool with_signature) {
    rlp::ListBuilder b;
    for (Field f : layout(tx.type)) {
        if (!with_signature && (f == Field::V || f == Field::R || f == Field::S)) break;
        add_field(b, f, tx);
    }
    return b;
}

bytes typed_envelope(TransactionType type, const bytes& list) {
    // EIP-2718: TransactionType || TransactionPayload.
    bytes out;
    out.reserve(list.size() + 1);
    out.push_back(static_cast<uint8_t>(type));
    out.insert(out.end(), list.begin(), list.end());
    return out;
}

/// Legacy signing hash: EIP-155 appends (chain_id, 0, 0) when a chain id is signed.
Hash32 legacy_signing_hash(const Transaction& tx, const std::optional<uint256>& chain_id) {
    rlp::ListBuilder b = payload(tx, false);
    if (chain_id) b.add(*chain_id).add(uint64_t{0}).add(uint64_t{0});
    return keccak256(b.finish());
}

/// For legacy v >= 35 (EIP-155): chain_id = (v - 35) / 2, recovery id = (v - 35) % 2.
std::optional<uint256> chain_id_from_v(const uint256& v) {
    if (v < uint256{35}) return std::nullopt;
    return (v - uint256{35}) >> 1;
}

const char* type_name(TransactionType t) {
    switch (t) {
        case TransactionType::Legacy: return "legacy";
        case TransactionType::AccessList: return "type 1 (EIP-2930)";
        case TransactionType::DynamicFee: return "type 2 (EIP-1559)";
        case TransactionType::Blob: return "type 3 (EIP-4844)";
        case TransactionType::SetCode: return "type 4 (EIP-7702)";
    }
    return "unknown";
}

}  // namespace

TxResult<Transaction> decode_transaction(bytes_view encoded) {
    if (encoded.empty()) return tx_error("RLP_ERROR_EOF", "empty transaction");
    Transaction tx;
    const uint8_t first = encoded[0];
    if (first >= 0xc0) {
        // An RLP list: a legacy transaction (EIP-2718 keeps these as they were).
        tx.type = TransactionType::Legacy;
        if (auto e = decode_payload(encoded, tx)) return *e;
        tx.chain_id = chain_id_from_v(tx.v);
        tx.max_fee_per_gas = tx.max_priority_fee_per_gas = tx.gas_price;
        return tx;
    }
    if (first >= 0x80) {
        // An RLP byte string is neither a legacy transaction nor an EIP-2718 envelope (whose
        // first byte is a type in [0, 0x7f]). Report a malformed string as such.
        if (auto item = rlp::decode_item(encoded); !item) return envelope_error(item.error());
        return tx_error("TYPE_NOT_SUPPORTED", "an RLP byte string is not a transaction envelope");
    }
    if (first < 1 || first > 4)
        return tx_error("TYPE_NOT_SUPPORTED", "unknown transaction type " + std::to_string(first));
    tx.type = static_cast<TransactionType>(first);
    if (auto e = decode_payload(encoded.subspan(1), tx)) return *e;
    if (!tx.chain_id) tx.chain_id = uint256{};  // typed payloads always carry one
    if (tx.type == TransactionType::AccessList)
        tx.max_fee_per_gas = tx.max_priority_fee_per_gas = tx.gas_price;
    else
        tx.gas_price = tx.max_fee_per_gas;
    return tx;
}

bytes encode_transaction(const Transaction& tx) {
    const bytes list = payload(tx, true).finish();
    if (tx.type == TransactionType::Legacy) return list;
    return typed_envelope(tx.type, list);
}

Hash32 transaction_hash(const Transaction& tx) { return keccak256(encode_transaction(tx)); }

Hash32 signing_hash(const Transaction& tx) {
    if (tx.type == TransactionType::Legacy) return legacy_signing_hash(tx, tx.chain_id);
    // EIP-2718 typed transactions sign keccak256(type || rlp(payload without signature)).
    return keccak256(typed_envelope(tx.type, payload(tx, false).finish()));
}

TxResult<Address> recover_sender(Transaction& tx, Revision rev) {
    unsigned recovery_id = 0;
    Hash32 hash;
    if (tx.type == TransactionType::Legacy) {
        if (tx.v == uint256{27} || tx.v == uint256{28}) {
            // Unprotected signature: valid in every fork.
            recovery_id = static_cast<unsigned>(tx.v.low64() - 27);
            hash = legacy_signing_hash(tx, std::nullopt);
        } else if (rev >= Revision::SpuriousDragon && tx.v >= uint256{35}) {
            // EIP-155 (Spurious Dragon): v = chain_id * 2 + 35 + recovery_id. Whether the chain id
            // is the right one is checked by validate_transaction_static (INVALID_CHAINID).
            const uint256 chain = (tx.v - uint256{35}) >> 1;
            recovery_id = static_cast<unsigned>((tx.v - uint256{35}).low64() & 1);
            tx.chain_id = chain;
            hash = legacy_signing_hash(tx, chain);
        } else if (tx.v <= uint256{1}) {
            // A bare recovery id (the typed-transaction form) is not a legacy v in any fork.
            return tx_error("INVALID_SIGNATURE_VRS", "legacy v = " + tx.v.to_decimal() + " (must be 27/28 or EIP-155)");
        } else if (rev >= Revision::SpuriousDragon) {
            return tx_error("INVALID_CHAINID", "legacy v = " + tx.v.to_decimal() +
                                                   " is neither 27/28 nor an EIP-155 value (>= 35)");
        } else {
            return tx_error("INVALID_SIGNATURE_VRS", "legacy v = " + tx.v.to_decimal() +
                                                         " must be 27 or 28 before EIP-155 (Spurious Dragon)");
        }
    } else {
        // Typed transactions carry the bare recovery id (y_parity).
        if (tx.v > uint256{1})
            return tx_error("INVALID_SIGNATURE_VRS", "y_parity = " + tx.v.to_decimal() + " must be 0 or 1");
        recovery_id = static_cast<unsigned>(tx.v.low64());
        hash = signing_hash(tx);
    }
    if (tx.r.is_zero() || tx.s.is_zero() || tx.r >= kSecp256k1N || tx.s >= kSecp256k1N)
        return tx_error("INVALID_SIGNATURE_VRS", "r and s must be in [1, n-1]");
    // EIP-2 (Homestead): s in the upper half of the order is malleable and refused.
    if (rev >= Revision::Homestead && tx.s > kSecp256k1HalfN)
        return tx_error("INVALID_SIGNATURE_VRS", "s > n/2 (EIP-2, from Homestead)");
    auto sender = ecrecover(hash, tx.r, tx.s, recovery_id);
    if (!sender) return tx_error("EC_RECOVERY_FAIL", "the signature recovers no public key");
    tx.sender = *sender;
    return *sender;
}

bool sign_transaction(Transaction& tx, const Hash32& secret_key) {
    const Hash32 hash = signing_hash(tx);
    auto sig = sign_hash(hash, secret_key);
    if (!sig) return false;
    tx.r = sig->r;
    tx.s = sig->s;
    if (tx.type == TransactionType::Legacy)
        tx.v = tx.chain_id ? *tx.chain_id * uint256{2} + uint256{35 + sig->recovery_id}
                           : uint256{27 + sig->recovery_id};
    else
        tx.v = sig->recovery_id;
    auto addr = address_from_secret_key(secret_key);
    if (!addr) return false;
    tx.sender = *addr;
    return true;
}

std::string_view transaction_type_name(TransactionType type) noexcept { return type_name(type); }

}  // namespace polyvm

namespace polyvm {

Hash32 authorization_signing_hash(const Authorization& auth) {
    // EIP-7702: MAGIC 0x05 keeps tuple signatures apart from every transaction type's.
    const bytes list = rlp::ListBuilder{}.add(auth.chain_id).add(auth.address).add(auth.nonce).finish();
    bytes preimage;
    preimage.reserve(list.size() + 1);
    preimage.push_back(0x05);
    preimage.insert(preimage.end(), list.begin(), list.end());
    return keccak256(preimage);
}

std::optional<Address> recover_authority(const Authorization& auth) {
    // EIP-7702: y_parity must be 0 or 1 and s must be in the lower half of the order (EIP-2),
    // so that a tuple has exactly one valid signature; r and s must be non-zero and below n.
    if (auth.y_parity > 1) return std::nullopt;
    if (auth.r.is_zero() || auth.r >= kSecp256k1N) return std::nullopt;
    if (auth.s.is_zero() || auth.s > kSecp256k1HalfN) return std::nullopt;
    return ecrecover(authorization_signing_hash(auth), auth.r, auth.s, auth.y_parity);
}

bool sign_authorization(Authorization& auth, const Hash32& secret_key) {
    const auto sig = sign_hash(authorization_signing_hash(auth), secret_key);
    if (!sig) return false;
    auth.r = sig->r;
    auth.s = sig->s;
    auth.y_parity = static_cast<uint8_t>(sig->recovery_id);
    return true;
}

}  // namespace polyvm

#include "crypto/secp256k1.hpp"

#include "crypto/keccak.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

namespace polyvm {
namespace {
const secp256k1_context* context() {
    // Created once; libsecp256k1 contexts are safe to share between threads for verify/recover.
    static const secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    return ctx;
}

Address address_of(const secp256k1_pubkey& pubkey) {
    uint8_t serialized[65];
    size_t len = sizeof(serialized);
    secp256k1_ec_pubkey_serialize(context(), serialized, &len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
    const Hash32 h = keccak256(bytes_view{serialized + 1, 64});
    Address a;
    std::memcpy(a.data(), h.data() + 12, 20);
    return a;
}
}  // namespace

std::optional<Address> ecrecover(const Hash32& message_hash, const uint256& r, const uint256& s, unsigned recovery_id) {
    if (recovery_id > 1) return std::nullopt;
    if (r.is_zero() || s.is_zero() || r >= kSecp256k1N || s >= kSecp256k1N) return std::nullopt;
    uint8_t sig64[64];
    r.store_be(sig64);
    s.store_be(sig64 + 32);
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, sig64, static_cast<int>(recovery_id)))
        return std::nullopt;
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(context(), &pubkey, &sig, message_hash.data())) return std::nullopt;
    return address_of(pubkey);
}

std::optional<Address> address_from_secret_key(const Hash32& secret) {
    secp256k1_pubkey pubkey;
    if (!secp256k1_ec_pubkey_create(context(), &pubkey, secret.data())) return std::nullopt;
    return address_of(pubkey);
}

std::optional<Signature> sign_hash(const Hash32& message_hash, const Hash32& secret) {
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_sign_recoverable(context(), &sig, message_hash.data(), secret.data(), nullptr, nullptr))
        return std::nullopt;
    uint8_t sig64[64];
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), sig64, &recid, &sig);
    return Signature{uint256::load_be(sig64), uint256::load_be(sig64 + 32), static_cast<unsigned>(recid)};
}

bool is_valid_secret_key(const Hash32& secret) { return secp256k1_ec_seckey_verify(context(), secret.data()) == 1; }

std::optional<std::array<uint8_t, 33>> compressed_public_key(const Hash32& secret) {
    secp256k1_pubkey pubkey;
    if (!secp256k1_ec_pubkey_create(context(), &pubkey, secret.data())) return std::nullopt;
    std::array<uint8_t, 33> out{};
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pubkey, SECP256K1_EC_COMPRESSED);
    return out;
}

std::optional<Hash32> add_secret_keys(const Hash32& secret, const Hash32& tweak) {
    if (!is_valid_secret_key(secret)) return std::nullopt;
    Hash32 sum = secret;
    // Fails exactly when tweak >= n or the sum is 0 mod n.
    if (!secp256k1_ec_seckey_tweak_add(context(), sum.data(), tweak.data())) return std::nullopt;
    return sum;
}

}  // namespace polyvm

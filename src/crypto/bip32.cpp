#include "crypto/bip32.hpp"

#include "crypto/secp256k1.hpp"

#include "crypto/openssl_library.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace polyvm {
namespace {
using Digest512 = std::array<uint8_t, 64>;

Digest512 hmac_sha512(bytes_view key, bytes_view data) {
    Digest512 out{};
    unsigned int len = 0;
    const openssl::Library& library = openssl::library();
    if (!library.HMAC(library.EVP_sha512(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(), &len) ||
        len != out.size())
        throw std::runtime_error("BIP-32: HMAC-SHA512 failed in OpenSSL");
    return out;
}

void split(const Digest512& digest, Hash32& left, Hash32& right) {
    std::memcpy(left.data(), digest.data(), 32);
    std::memcpy(right.data(), digest.data() + 32, 32);
}

void append_be32(bytes& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
}  // namespace

ExtendedPrivateKey master_key_from_seed(bytes_view seed) {
    // BIP-32: seed length between 128 and 512 bits.
    if (seed.size() < 16 || seed.size() > 64)
        throw std::invalid_argument("BIP-32: seed must be 16 to 64 bytes, got " + std::to_string(seed.size()));
    ExtendedPrivateKey master;
    split(hmac_sha512(as_view("Bitcoin seed"), seed), master.secret, master.chain_code);
    if (!is_valid_secret_key(master.secret))
        throw std::invalid_argument("BIP-32: this seed gives an invalid master key; use another seed");
    return master;
}

ExtendedPrivateKey derive_child(const ExtendedPrivateKey& parent, uint32_t index) {
    if (!is_valid_secret_key(parent.secret)) throw std::invalid_argument("BIP-32: the parent key is invalid");
    const bool hardened = index >= kBip32HardenedOffset;
    for (uint64_t i = index; hardened ? i <= 0xFFFFFFFFu : i < kBip32HardenedOffset; ++i) {
        // BIP-32 CKDpriv: data = 0x00 ‖ k_par ‖ i (hardened) or serP(point(k_par)) ‖ i (normal).
        bytes data;
        data.reserve(37);
        if (hardened) {
            data.push_back(0);
            data.insert(data.end(), parent.secret.bytes.begin(), parent.secret.bytes.end());
        } else {
            const auto pub = compressed_public_key(parent.secret);
            data.insert(data.end(), pub->begin(), pub->end());  // the secret was checked above
        }
        append_be32(data, static_cast<uint32_t>(i));
        Hash32 left, chain_code;
        split(hmac_sha512(parent.chain_code, data), left, chain_code);
        // BIP-32: IL >= n or k_i = 0 makes the key invalid: proceed with the next i.
        if (auto child = add_secret_keys(parent.secret, left)) return {*child, chain_code};
    }
    throw std::invalid_argument("BIP-32: no valid child key at or after index " + std::to_string(index));
}

std::vector<uint32_t> parse_derivation_path(std::string_view path) {
    const std::string quoted = "\"" + std::string(path) + "\"";
    if (path.empty() || path[0] != 'm')
        throw std::invalid_argument("derivation path " + quoted + " must start with \"m\"");
    std::vector<uint32_t> indexes;
    size_t pos = 1;
    if (pos == path.size()) return indexes;  // "m": the master key itself
    if (path[pos] != '/') throw std::invalid_argument("derivation path " + quoted + ": expected '/' after \"m\"");
    while (pos < path.size()) {
        ++pos;  // skip '/'
        const size_t end = std::min(path.find('/', pos), path.size());
        std::string_view part = path.substr(pos, end - pos);
        const std::string bad = "derivation path " + quoted + ": component " + std::to_string(indexes.size() + 1) +
                                " \"" + std::string(part) + "\" ";
        bool hardened = false;
        if (!part.empty() && (part.back() == '\'' || part.back() == 'h' || part.back() == 'H')) {
            hardened = true;
            part.remove_suffix(1);
        }
        if (part.empty()) throw std::invalid_argument(bad + "has no index");
        uint64_t value = 0;
        for (char c : part) {
            if (c < '0' || c > '9') throw std::invalid_argument(bad + "is not a number");
            value = value * 10 + static_cast<uint64_t>(c - '0');
            if (value >= kBip32HardenedOffset)
                throw std::invalid_argument(bad + "is too large (an index must be below 2^31; mark hardened with ')");
        }
        indexes.push_back(static_cast<uint32_t>(value) | (hardened ? kBip32HardenedOffset : 0u));
        pos = end;
    }
    return indexes;
}

Hash32 derive_private_key(bytes_view seed, std::string_view path) {
    const std::vector<uint32_t> indexes = parse_derivation_path(path);
    ExtendedPrivateKey key = master_key_from_seed(seed);
    for (uint32_t index : indexes) key = derive_child(key, index);
    return key.secret;
}

}  // namespace polyvm

#include "crypto/bip39.hpp"

#include "crypto/openssl_library.hpp"

#include <stdexcept>
#include <string>

namespace polyvm {
namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Words joined by single spaces: what BIP-39 hashes for a phrase typed with stray whitespace.
std::string normalize_spaces(std::string_view mnemonic) {
    std::string out;
    out.reserve(mnemonic.size());
    bool pending_space = false;
    for (char c : mnemonic) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        out.push_back(c);
    }
    return out;
}
}  // namespace

Seed512 mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase) {
    const std::string words = normalize_spaces(mnemonic);
    if (words.empty()) throw std::invalid_argument("BIP-39: the mnemonic is empty");
    const std::string salt = "mnemonic" + std::string(passphrase);
    Seed512 seed{};
    // BIP-39: PBKDF2 with HMAC-SHA512, 2048 iterations, 64-byte output.
    const openssl::Library& library = openssl::library();
    if (library.PKCS5_PBKDF2_HMAC(words.data(), static_cast<int>(words.size()),
                                  reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                                  2048, library.EVP_sha512(), static_cast<int>(seed.size()), seed.data()) != 1)
        throw std::runtime_error("BIP-39: PBKDF2-HMAC-SHA512 failed in OpenSSL");
    return seed;
}

}  // namespace polyvm

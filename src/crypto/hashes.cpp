#include "crypto/hashes.hpp"

#include <openssl/ripemd.h>
#include <openssl/sha.h>

namespace polyvm {
namespace {
// OpenSSL wants a valid pointer even for zero bytes; an empty span may hold nullptr.
const unsigned char* data_or_dummy(bytes_view data) noexcept {
    static const unsigned char dummy = 0;
    return data.empty() ? &dummy : data.data();
}
}  // namespace

Hash32 sha256(bytes_view data) noexcept {
    Hash32 out;
    SHA256(data_or_dummy(data), data.size(), out.data());
    return out;
}

Ripemd160Digest ripemd160(bytes_view data) noexcept {
    Ripemd160Digest out;
    // OpenSSL 3 deprecates the one-shot low-level digests (RIPEMD160 moved to the legacy EVP
    // provider); the function itself is still in libcrypto and needs no provider setup.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    RIPEMD160(data_or_dummy(data), data.size(), out.data());
#pragma GCC diagnostic pop
    return out;
}

}  // namespace polyvm

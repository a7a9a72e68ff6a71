#include "crypto/hashes.hpp"

#include <openssl/evp.h>
#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include <memory>

namespace polyvm {
namespace {
// OpenSSL wants a valid pointer even for zero bytes; an empty span may hold nullptr.
const unsigned char* data_or_dummy(bytes_view data) noexcept {
    static const unsigned char dummy = 0;
    return data.empty() ? &dummy : data.data();
}
}  // namespace

Hash32 sha256(bytes_view data) noexcept {
    // OpenSSL 3's one-shot SHA256() looks the algorithm up by name on every call (EVP_Q_digest),
    // which costs more than hashing a short input: fetched once, with a context per thread.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    Hash32 out;
    unsigned int size = 0;
    if (!md || !context || !EVP_DigestInit_ex2(context.get(), md, nullptr) ||
        !EVP_DigestUpdate(context.get(), data_or_dummy(data), data.size()) ||
        !EVP_DigestFinal_ex(context.get(), out.data(), &size))
        SHA256(data_or_dummy(data), data.size(), out.data());  // allocation failure: the slow path
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

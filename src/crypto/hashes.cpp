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

// OpenSSL 3's one-shot SHA256() looks the algorithm up by name on every call (EVP_Q_digest),
// which costs more than hashing a short input: fetched once. And fetched while the program
// starts, on its main thread: the first fetch runs OpenSSL's one-time initialisation, whose
// per-thread error state would otherwise belong to whichever thread hashed first, often a
// worker-pool thread that outlives main (LeakSanitizer reported its 904 bytes at exit).
EVP_MD* const sha256_md = EVP_MD_fetch(nullptr, "SHA256", nullptr);

}  // namespace

Hash32 sha256(bytes_view data) noexcept {
    EVP_MD* const md = sha256_md;  // null before static initialisation or on failure: the slow path
    // A context per thread.
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

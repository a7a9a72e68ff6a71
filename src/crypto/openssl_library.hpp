// OpenSSL's libcrypto, opened at its first use rather than linked: a process that never hashes
// with SHA-256 or RIPEMD-160, verifies a P-256 signature or derives a key does not pay for it
// (loading libcrypto relocates 1.4 MB of its pages, 15% of a single state test's footprint).
// The functions are OpenSSL's own, resolved once by name; nothing is reimplemented here.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ripemd.h>
#include <openssl/sha.h>

namespace polyvm::openssl {

// Every libcrypto function polyvm calls. OpenSSL 3 deprecates the low-level digests but keeps
// them (crypto/hashes.cpp says why they are used).
#define POLYVM_OPENSSL_FUNCTIONS(X)                                                                               \
    X(SHA256_Init) X(SHA256_Update) X(SHA256_Final) X(RIPEMD160)                                                  \
    X(EVP_sha512) X(HMAC) X(PKCS5_PBKDF2_HMAC)                                                                    \
    X(BN_new) X(BN_free) X(BN_bin2bn) X(BN_cmp) X(BN_is_zero) X(BN_mod_inverse) X(BN_mod_mul) X(BN_nnmod)        \
    X(BN_CTX_new) X(BN_CTX_free) X(BN_CTX_start) X(BN_CTX_get) X(BN_CTX_end)                                      \
    X(EC_GROUP_new_by_curve_name) X(EC_GROUP_free) X(EC_GROUP_get_curve) X(EC_GROUP_get0_order)                   \
    X(EC_POINT_new) X(EC_POINT_free) X(EC_POINT_set_affine_coordinates) X(EC_POINT_get_affine_coordinates)        \
    X(EC_POINT_is_on_curve) X(EC_POINT_is_at_infinity) X(EC_POINT_mul)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct Library {
#define POLYVM_OPENSSL_POINTER(name) decltype(&::name) name = nullptr;
    POLYVM_OPENSSL_FUNCTIONS(POLYVM_OPENSSL_POINTER)
#undef POLYVM_OPENSSL_POINTER
};
#pragma GCC diagnostic pop

/// libcrypto's functions, the library opened by the first call (thread-safe). Without the
/// library, or without one of the functions, the process stops with a message naming what is
/// missing: it is installed with polyvm's dependencies, and no result can be computed without it.
const Library& library() noexcept;

}  // namespace polyvm::openssl

#include "crypto/hashes.hpp"

#include "crypto/openssl_library.hpp"

namespace polyvm {
namespace {
// OpenSSL wants a valid pointer even for zero bytes; an empty span may hold nullptr.
const unsigned char* data_or_dummy(bytes_view data) noexcept {
    static const unsigned char dummy = 0;
    return data.empty() ? &dummy : data.data();
}

}  // namespace

// OpenSSL 3 deprecates its low-level digest functions but keeps them in libcrypto, with the same
// assembly (SHA-NI where the processor has it). They need none of the provider machinery: the
// one-shot SHA256() looks the algorithm up by name on every call, and any fetch runs OpenSSL's
// one-time initialisation, which makes 2.5 MB resident (a single state test's whole footprint
// is 9 MB) and leaves per-thread state on whichever thread hashed first.
Hash32 sha256(bytes_view data) noexcept {
    Hash32 out;
    const openssl::Library& library = openssl::library();
    SHA256_CTX context;
    library.SHA256_Init(&context);
    library.SHA256_Update(&context, data_or_dummy(data), data.size());
    library.SHA256_Final(out.data(), &context);
    return out;
}

Ripemd160Digest ripemd160(bytes_view data) noexcept {
    Ripemd160Digest out;
    openssl::library().RIPEMD160(data_or_dummy(data), data.size(), out.data());
    return out;
}

}  // namespace polyvm

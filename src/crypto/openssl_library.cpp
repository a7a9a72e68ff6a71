#include "crypto/openssl_library.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#ifndef POLYVM_LIBCRYPTO_SONAME
#error "POLYVM_LIBCRYPTO_SONAME (e.g. libcrypto.so.3) comes from CMakeLists.txt"
#endif

namespace polyvm::openssl {
namespace {
[[noreturn]] void fail(const char* what, const char* detail) noexcept {
    std::fprintf(stderr, "polyvm: cannot use OpenSSL's libcrypto (%s): %s\n", what, detail ? detail : "unknown error");
    std::abort();
}

Library open_library() noexcept {
    // RTLD_LOCAL: its symbols stay out of the global namespace, as with a plain link.
    void* handle = dlopen(POLYVM_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!handle) fail(POLYVM_LIBCRYPTO_SONAME, dlerror());
    Library library;
#define POLYVM_OPENSSL_RESOLVE(name)                                                   \
    library.name = reinterpret_cast<decltype(library.name)>(dlsym(handle, #name));     \
    if (!library.name) fail(#name, dlerror());
    POLYVM_OPENSSL_FUNCTIONS(POLYVM_OPENSSL_RESOLVE)
#undef POLYVM_OPENSSL_RESOLVE
    return library;  // never closed: OpenSSL registers its own clean-up at exit
}
}  // namespace

const Library& library() noexcept {
    static const Library opened = open_library();
    return opened;
}

}  // namespace polyvm::openssl

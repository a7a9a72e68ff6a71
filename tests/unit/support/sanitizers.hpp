// Whether this build runs under a sanitizer, for tests that a sanitizer's own memory use defeats.
// GCC defines __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__; Clang answers through __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define POLYVM_ADDRESS_SANITIZER 1
#endif
#if defined(__SANITIZE_THREAD__)
#define POLYVM_THREAD_SANITIZER 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(POLYVM_ADDRESS_SANITIZER)
#define POLYVM_ADDRESS_SANITIZER 1
#endif
#if __has_feature(thread_sanitizer) && !defined(POLYVM_THREAD_SANITIZER)
#define POLYVM_THREAD_SANITIZER 1
#endif
#endif

#include <algorithm>

namespace polyvm::test {

#if defined(POLYVM_ADDRESS_SANITIZER) || defined(POLYVM_THREAD_SANITIZER)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif

/// The size of a long randomized test in this build (its rounds, accounts or slots): all of it in
/// Release, a quarter under a sanitizer. A sanitizer makes the work ~7x slower, and the memory and
/// thread errors it looks for show in the first quarter; the Release run keeps the full size.
/// (The sanitizer stages are most of CI's hour.)
constexpr int sized_for_this_build(int full_size) { return kUnderSanitizer ? std::max(full_size / 4, 1) : full_size; }

}  // namespace polyvm::test

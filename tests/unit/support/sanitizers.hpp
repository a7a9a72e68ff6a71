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

/// How many rounds a long randomized test runs in this build: all of them in Release, a quarter
/// under a sanitizer. A sanitizer makes each round ~7x slower, and the memory and thread errors it
/// looks for show in the first rounds; the Release run keeps the full history. (The sanitizer
/// stages are most of CI's hour.)
constexpr int rounds_in_this_build(int rounds) { return kUnderSanitizer ? std::max(rounds / 4, 1) : rounds; }

}  // namespace polyvm::test

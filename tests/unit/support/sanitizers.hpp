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

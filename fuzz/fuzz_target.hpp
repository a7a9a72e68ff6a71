// The one entry point every fuzz target defines (libFuzzer's). Built with Clang's libFuzzer
// (`make fuzz`) a target explores; built with replay_main.cpp (every build, CTest) it runs its
// committed corpus, so a finding once fixed stays a regression test. A target aborts (or lets a
// sanitizer abort) on a broken invariant; bad input alone must never do that.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

/// Byte-wise equality of two byte ranges (std::span has no operator==).
template <typename A, typename B>
bool same_bytes(const A& a, const B& b) {
    return std::equal(std::begin(a), std::end(a), std::begin(b), std::end(b));
}

/// A broken invariant: print what and abort, so that libFuzzer and CTest both report it.
#define FUZZ_CHECK(condition, what)                                              \
    do {                                                                         \
        if (!(condition)) {                                                      \
            std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, #condition); \
            std::abort();                                                        \
        }                                                                        \
    } while (0)

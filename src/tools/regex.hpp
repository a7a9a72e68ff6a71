// <regex> without GCC 12's false -Wmaybe-uninitialized reports inside it (they appear in the
// sanitizer builds), for the tools that filter by name (bench, statetest, blocktest).
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

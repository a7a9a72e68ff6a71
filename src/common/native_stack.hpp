// How much native stack the calling thread has left. EVM call frames recurse natively (about
// 1.6 KiB a frame in a Release build, 1,025 frames at the depth limit: docs/security.md), so the
// host refuses a call cleanly when the thread is about to run out, instead of overflowing the
// stack of a library user's short thread.
#pragma once

#include <cstddef>

namespace polyvm {

/// A call starts only with at least this much stack left: one frame and whatever it calls
/// natively (precompiles, a WebAssembly program's host functions), with a wide margin.
inline constexpr size_t kNativeStackReserve = size_t{128} << 10;

/// Bytes between the caller's frame and the lowest usable address of this thread's stack;
/// SIZE_MAX where the bounds are unknown (a stack the thread library does not describe).
size_t native_stack_left() noexcept;

}  // namespace polyvm

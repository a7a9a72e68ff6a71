// Arbitrum Stylus's deployment format for WebAssembly contracts: the contract account's code is
// 0xEF 0xF0 0x00, a dictionary byte, then the module compressed with Brotli. The 0xEF first byte
// keeps such code from ever being EVM code (EIP-3541 forbids deploying it through the EVM), so
// the code's first bytes say which VM runs it.
#pragma once

#include "common/types.hpp"
#include "wasm/error.hpp"

#include <array>
#include <cstdint>

namespace polyvm::wasm {

inline constexpr std::array<uint8_t, 3> kStylusPrefix = {0xEF, 0xF0, 0x00};

/// Stylus's size limits: the deployed code is bounded like any contract's (EIP-170, 24 KiB), the
/// module after decompression to 128 KiB.
inline constexpr size_t kMaxStylusCodeSize = 24 * 1024;
inline constexpr size_t kMaxStylusModuleSize = 128 * 1024;

/// The dictionary byte after the prefix. Stylus also defines 0x01 (a dictionary tuned for Stylus
/// programs); polyvm takes the empty one only, which is what its own tools write.
enum class StylusDictionary : uint8_t { Empty = 0x00 };

/// True when the code has the Stylus prefix (whatever follows).
bool is_stylus_program(bytes_view code) noexcept;

/// The module bytes of a Stylus program. Errors (kind Malformed, offset into the code): no
/// prefix, a dictionary other than Empty, corrupt or truncated Brotli data, a module over
/// kMaxStylusModuleSize (decompression stops there: the output never grows beyond the limit).
Result<bytes> decompress_stylus_program(bytes_view code);

/// Deployable code for `module`: the prefix, the empty dictionary and the Brotli stream
/// (quality 11, as Stylus's tools use). For tools and tests; the size limits are the caller's.
bytes compress_stylus_program(bytes_view module);

}  // namespace polyvm::wasm

// SHA-256 and RIPEMD-160 over OpenSSL's libcrypto, for the precompiles at 0x02 and 0x03.
#pragma once

#include "common/types.hpp"

namespace polyvm {

using Ripemd160Digest = FixedBytes<20>;

Hash32 sha256(bytes_view data) noexcept;
Ripemd160Digest ripemd160(bytes_view data) noexcept;

}  // namespace polyvm

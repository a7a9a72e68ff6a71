// ECDSA signature verification on NIST P-256 (secp256r1) for the EIP-7951 P256VERIFY precompile,
// over OpenSSL libcrypto's EC group arithmetic.
#pragma once

#include "common/types.hpp"

namespace polyvm {

/// Size of the precompile's input: hash ‖ r ‖ s ‖ qx ‖ qy, 32 big-endian bytes each.
inline constexpr size_t kP256VerifyInputSize = 160;

/// EIP-7951: true exactly when `input` is 160 bytes and (r, s) is a valid signature of the
/// 32-byte hash under the public key (qx, qy). Every malformed input is simply "not valid":
/// wrong length, r or s outside [1, n), qx or qy outside [0, p), a point not on the curve (the
/// point at infinity has no affine encoding, so (0, 0) is rejected as off the curve), or a
/// verification that lands on infinity. Never throws.
bool p256_verify(bytes_view input) noexcept;

}  // namespace polyvm

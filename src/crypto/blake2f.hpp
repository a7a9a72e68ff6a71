// The BLAKE2b compression function F (RFC 7693 section 3.2) with a caller-chosen round count,
// as exposed by the EIP-152 precompile at 0x09. Our own, tuned for round counts in the billions.
#pragma once

#include <cstdint>

namespace polyvm {

/// Compresses one message block into the state h in place.
/// rounds: any count (the standard hash uses 12); the message schedule repeats every 10 rounds.
/// t: the 128-bit offset counter (t[0] low, t[1] high); last: the final-block flag.
void blake2b_compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool last) noexcept;

}  // namespace polyvm

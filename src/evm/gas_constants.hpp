// Named gas constants of the dynamic cost rules (base costs live in the opcode table).
#pragma once

#include <cstdint>

namespace polyvm::gas {

inline constexpr int64_t kMemoryWord = 3;             // per 32-byte word of memory touched
inline constexpr int64_t kMemoryQuadDivisor = 512;    // words² / 512
inline constexpr int64_t kCopyWord = 3;               // *COPY per word copied
inline constexpr int64_t kKeccakWord = 6;             // KECCAK256 and CREATE2 per word hashed
inline constexpr int64_t kLogData = 8;                // LOG per byte of data
inline constexpr int64_t kExpByteFrontier = 10;       // EXP per exponent byte
inline constexpr int64_t kExpByteSpuriousDragon = 50; // EIP-160

inline constexpr int64_t kCallValue = 9000;     // CALL/CALLCODE with value != 0
inline constexpr int64_t kCallStipend = 2300;   // handed to the callee on top of a value call
inline constexpr int64_t kNewAccount = 25000;   // CALL or SELFDESTRUCT bringing an account to life
inline constexpr int64_t kSelfdestructRefund = 24000;  // removed by EIP-3529 (London)

inline constexpr int64_t kInitcodeWord = 2;            // EIP-3860 (Shanghai)
inline constexpr uint64_t kMaxInitcodeSize = 49152;    // EIP-3860: 2 * EIP-170's 24576

// EIP-2929 (Berlin)
inline constexpr int64_t kColdAccountAccess = 2600;
inline constexpr int64_t kColdSload = 2100;
inline constexpr int64_t kWarmAccess = 100;

// SSTORE (Frontier values; the net-metering EIPs reuse the names of EIP-2200)
inline constexpr int64_t kSstoreSet = 20000;
inline constexpr int64_t kSstoreReset = 5000;
inline constexpr int64_t kSstoreClearsRefund = 15000;
inline constexpr int64_t kSstoreClearsRefundLondon = 4800;  // EIP-3529
inline constexpr int64_t kSstoreSentry = 2300;              // EIP-2200: SSTORE needs gasleft > 2300

inline constexpr int32_t kMaxCallDepth = 1024;
inline constexpr int kStackLimit = 1024;

}  // namespace polyvm::gas

// EIP-2537 (Prague): the BLS12-381 precompiles 0x0b-0x11.
//
//   0x0b G1ADD           375 gas                     256 bytes -> 128
//   0x0c G1MSM           k 12000 discount_G1(k)/1000   160 k   -> 128
//   0x0d G2ADD           600 gas                     512 bytes -> 256
//   0x0e G2MSM           k 22500 discount_G2(k)/1000   288 k   -> 256
//   0x0f PAIRING_CHECK   32600 k + 37700               384 k   -> 32 (0 or 1)
//   0x10 MAP_FP_TO_G1    5500 gas                     64 bytes -> 128
//   0x11 MAP_FP2_TO_G2   23800 gas                   128 bytes -> 256
//
// Each run function takes the whole input and returns the output, or nullopt for any input the
// EIP says fails (the caller then consumes all gas: "gas burning on error"). Gas is computed
// separately so that it can be charged before any work. Nothing here throws on attacker input.
#pragma once

#include "common/types.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace polyvm::eip2537 {

inline constexpr uint64_t kG1AddGas = 375;
inline constexpr uint64_t kG2AddGas = 600;
inline constexpr uint64_t kG1MulGas = 12000;  // the per-point base of the G1MSM formula
inline constexpr uint64_t kG2MulGas = 22500;  // the per-point base of the G2MSM formula
inline constexpr uint64_t kPairingBaseGas = 37700;
inline constexpr uint64_t kPairingPerPairGas = 32600;
inline constexpr uint64_t kMapFpToG1Gas = 5500;
inline constexpr uint64_t kMapFp2ToG2Gas = 23800;
inline constexpr uint64_t kMsmMultiplier = 1000;

inline constexpr size_t kFpLen = 64, kFp2Len = 128;
inline constexpr size_t kG1Len = 128, kG2Len = 256, kScalarLen = 32;
inline constexpr size_t kG1MsmPairLen = kG1Len + kScalarLen;  // 160
inline constexpr size_t kG2MsmPairLen = kG2Len + kScalarLen;  // 288
inline constexpr size_t kPairingPairLen = kG1Len + kG2Len;    // 384

/// discount(k) of the EIP tables, k >= 1 (k > 128 gets the cap: 519 for G1, 524 for G2).
uint64_t g1_msm_discount(uint64_t k) noexcept;
uint64_t g2_msm_discount(uint64_t k) noexcept;

/// Gas for an input of `len` bytes: k = floor(len / pair length); 0 when k = 0 (that input then
/// fails). The pairing charges its base even for k = 0.
uint64_t g1_msm_gas(size_t len) noexcept;
uint64_t g2_msm_gas(size_t len) noexcept;
uint64_t pairing_gas(size_t len) noexcept;

std::optional<bytes> g1_add(bytes_view in);
std::optional<bytes> g1_msm(bytes_view in);
std::optional<bytes> g2_add(bytes_view in);
std::optional<bytes> g2_msm(bytes_view in);
std::optional<bytes> pairing_check(bytes_view in);
std::optional<bytes> map_fp_to_g1(bytes_view in);
std::optional<bytes> map_fp2_to_g2(bytes_view in);

}  // namespace polyvm::eip2537

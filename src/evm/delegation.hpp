// EIP-7702 delegation designators: an account whose code is exactly 0xef0100 ‖ address runs the
// code of `address` when called. The 0xef prefix cannot be deployed by CREATE (EIP-3541), so
// such code can only have been written by an authorization.
#pragma once

#include "common/types.hpp"

#include <optional>

namespace polyvm {

inline constexpr uint8_t kDelegationPrefix[3] = {0xef, 0x01, 0x00};
inline constexpr size_t kDelegationCodeSize = 3 + 20;

/// The delegate of `code`, if `code` is a delegation designator (and nothing else).
inline std::optional<Address> parse_delegation(bytes_view code) noexcept {
    if (code.size() != kDelegationCodeSize || std::memcmp(code.data(), kDelegationPrefix, 3) != 0) return std::nullopt;
    return Address::from(code.subspan(3));
}

/// The designator pointing at `delegate`.
inline bytes make_delegation(const Address& delegate) {
    bytes code(kDelegationCodeSize);
    std::memcpy(code.data(), kDelegationPrefix, 3);
    std::memcpy(code.data() + 3, delegate.data(), 20);
    return code;
}

}  // namespace polyvm

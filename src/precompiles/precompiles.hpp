// The precompiled contracts: native code behind fixed low addresses, with their own gas rules.
#pragma once

#include "common/revision.hpp"
#include "common/types.hpp"
#include "evm/host.hpp"

#include <cstdint>

namespace polyvm {

struct PrecompileResult {
    Status status;
    int64_t gas_left;
    bytes output;
};

/// True if addr is a precompile active in rev: 0x01-0x04 from Frontier, 0x05-0x08 from Byzantium,
/// 0x09 from Istanbul, 0x0a from Cancun; also 0x0b-0x11 from Prague (EIP-2537) and 0x100 from
/// Osaka (EIP-7951 P256VERIFY).
bool is_precompile(const Address& addr, Revision rev) noexcept;

/// Runs it with `gas` available. Cost > gas -> {Status::OutOfGas, 0, {}}. Invalid input that the
/// spec says fails -> {Status::PrecompileFailure, 0, {}}.
/// The EIP-2537 BLS12-381 precompiles (0x0b-0x11) are in bls12_381_precompiles.hpp.
/// An address that is not a precompile in rev gives {Status::Failure, 0, {}}, and so does a modexp
/// whose operands pass the gas check but exceed 4 GiB (a resource limit, not a consensus rule: it
/// takes billions of gas to get there).
PrecompileResult run_precompile(const Address& addr, bytes_view input, int64_t gas, Revision rev);

}  // namespace polyvm
